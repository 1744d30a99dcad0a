package function

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/kuiperio/kuiper/internal/value"
)

// Array functions. Elements compare with SQL equality (value.Equal), so
// the literal 1 finds the JSON number 1.0. Results are new arrays; the
// input is never modified. Positions are 0-based.

// maxBuiltArray bounds the arrays repeat and sequence may build.
const maxBuiltArray = 1 << 20

func arraySpecs(reg *Registry) []*Spec {
	return []*Spec{
		{
			Name: "array_create", Category: CatArray, Params: []Param{optVariadic("value", TAny)}, Returns: TArray,
			Description:   "Builds an array of its arguments; nil arguments are left out and an all-nil call gives null.",
			Examples:      []Example{ex(`array_create(1, "a", true)`, `[1,"a",true]`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				out := make([]value.Value, 0, len(args))
				for _, a := range args {
					if !a.IsNil() {
						out = append(out, a)
					}
				}
				if len(out) == 0 {
					return missing, nil
				}
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "cardinality", Category: CatArray, Params: []Param{param("value", TAny)}, Returns: TInt,
			Description:   "Number of elements of an array; 0 for nil and for anything else.",
			Examples:      []Example{ex("cardinality(array_create(1, 2, 3))", "3"), ex("cardinality(null)", "0")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				return value.IntValue(int64(len(args[0].Array()))), nil
			},
		},
		{
			Name: "array_cardinality", Category: CatArray, Params: []Param{param("array", TArray)}, Returns: TInt,
			Description:   "Number of elements of an array; 0 for nil; any other value fails the row.",
			Examples:      []Example{ex("array_cardinality(array_create(1, 2))", "2")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return value.IntValue(0), nil
				}
				a, err := toArray(0, args[0])
				if err != nil {
					return missing, err
				}
				return value.IntValue(int64(len(a))), nil
			},
		},
		positionSpec("array_position", "Position of the first element equal to value, -1 when absent or the array is nil.", false,
			ex("array_position(array_create(1, 2, 3, 2), 2)", "1")),
		positionSpec("array_last_position", "Position of the last element equal to value, -1 when absent or the array is nil.", true,
			ex("array_last_position(array_create(1, 2, 3, 2), 2)", "3")),
		{
			Name: "element_at", Category: CatArray, Params: []Param{param("collection", TArray|TObject), param("index", TInt|TString)}, Returns: TAny,
			Description:   "Element at index of an array (negative indexes count from the end; out of range fails the row), or the field named index of an object.",
			Examples:      []Example{ex("element_at(array_create(1, 2, 3), 0)", "1"), ex("element_at(array_create(1, 2, 3), -1)", "3"), ex(`element_at(object_construct("a", 1), "a")`, "1")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				switch c := args[0]; c.Kind() {
				case value.Array:
					i, err := toInt(1, args[1])
					if err != nil {
						return missing, err
					}
					a := c.Array()
					if i < 0 {
						i += int64(len(a))
					}
					if i < 0 || i >= int64(len(a)) {
						return missing, fmt.Errorf("index %s out of range for an array of %d elements", args[1].String(), len(a))
					}
					return a[i], nil
				case value.Obj:
					k, err := toStrArg(1, args[1])
					if err != nil {
						return missing, err
					}
					return c.Object().Get(k), nil
				default:
					return missing, argErr(0, "an array or an object", c)
				}
			},
		},
		{
			Name: "array_contains", Category: CatArray, Params: []Param{param("array", TArray), param("value", TAny)}, Returns: TBool,
			Description:   "Whether some element equals value; false for a nil array.",
			Examples:      []Example{ex(`array_contains(array_create("a", "b"), "b")`, "true"), ex("array_contains(null, 1)", "false")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return value.BoolValue(false), nil
				}
				a, err := toArray(0, args[0])
				if err != nil {
					return missing, err
				}
				return value.BoolValue(indexOf(a, args[1]) >= 0), nil
			},
		},
		{
			Name: "array_contains_any", Category: CatArray, Params: []Param{param("array1", TArray), param("array2", TArray)}, Returns: TBool,
			Description:   "Whether the arrays share at least one element; false when the first is nil.",
			Examples:      []Example{ex("array_contains_any(array_create(1, 2), array_create(3, 2))", "true")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return value.BoolValue(false), nil
				}
				a, b, err := twoArrays(args, true)
				if err != nil {
					return missing, err
				}
				set := newValueSet(len(b))
				for _, e := range b {
					set.add(e)
				}
				for _, e := range a {
					if set.has(e) {
						return value.BoolValue(true), nil
					}
				}
				return value.BoolValue(false), nil
			},
		},
		{
			Name: "array_remove", Category: CatArray, Params: []Param{param("array", TArray), param("value", TAny)}, Returns: TArray,
			Description:   "The array without the elements equal to value.",
			Examples:      []Example{ex("array_remove(array_create(1, 2, 1), 1)", "[2]")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				a, err := toArray(0, args[0])
				if err != nil {
					return missing, err
				}
				out := make([]value.Value, 0, len(a))
				for _, e := range a {
					if !value.Equal(e, args[1]) {
						out = append(out, e)
					}
				}
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "array_intersect", Category: CatArray, Params: []Param{param("array1", TArray), param("array2", TArray)}, Returns: TArray,
			Description:   "Distinct elements of array2 that are also in array1, in array2's order.",
			Examples:      []Example{ex("array_intersect(array_create(1, 2, 3), array_create(3, 2, 2, 4))", "[3,2]")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				a, b, err := twoArrays(args, false)
				if err != nil {
					return missing, err
				}
				in := newValueSet(len(a))
				for _, e := range a {
					in.add(e)
				}
				seen := newValueSet(len(b))
				out := make([]value.Value, 0, min(len(a), len(b)))
				for _, e := range b {
					if in.has(e) && seen.add(e) {
						out = append(out, e)
					}
				}
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "array_union", Category: CatArray, Params: []Param{param("array1", TArray), param("array2", TArray)}, Returns: TArray,
			Description:   "Distinct elements of both arrays, first array first; a nil array counts as empty.",
			Examples:      []Example{ex("array_union(array_create(1, 2), array_create(2, 3))", "[1,2,3]")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				a, b, err := twoArrays(args, true)
				if err != nil {
					return missing, err
				}
				seen := newValueSet(len(a) + len(b))
				out := make([]value.Value, 0, len(a)+len(b))
				for _, e := range slices.Concat(a, b) {
					if seen.add(e) {
						out = append(out, e)
					}
				}
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "array_except", Category: CatArray, Params: []Param{param("array1", TArray), param("array2", TArray)}, Returns: TArray,
			Description:   "Distinct elements of array1 that are not in array2; a nil array2 counts as empty.",
			Examples:      []Example{ex("array_except(array_create(1, 2, 2, 3), array_create(3))", "[1,2]")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				a, b, err := twoArrays(args, true)
				if err != nil {
					return missing, err
				}
				seen := newValueSet(len(a) + len(b))
				for _, e := range b {
					seen.add(e)
				}
				out := make([]value.Value, 0, len(a))
				for _, e := range a {
					if seen.add(e) {
						out = append(out, e)
					}
				}
				return value.ArrayValue(out), nil
			},
		},
		extremeSpec("array_max", "Largest element (numbers, strings or datetimes); nil elements are skipped.", 1,
			ex("array_max(array_create(3, 1, 2))", "3")),
		extremeSpec("array_min", "Smallest element (numbers, strings or datetimes); nil elements are skipped.", -1,
			ex("array_min(array_create(3, 1, 2))", "1")),
		{
			Name: "repeat", Category: CatArray, Params: []Param{param("value", TAny), param("count", TInt)}, Returns: TArray,
			Description:   "An array holding value count times.",
			Examples:      []Example{ex(`repeat("ab", 3)`, `["ab","ab","ab"]`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				n, err := toInt(1, args[1])
				if err != nil {
					return missing, err
				}
				if n < 0 || n > maxBuiltArray {
					return missing, fmt.Errorf("count %d out of range [0, %d]", n, maxBuiltArray)
				}
				out := make([]value.Value, n)
				for i := range out {
					out[i] = args[0]
				}
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "sequence", Category: CatArray, Params: []Param{param("start", TInt), param("stop", TInt), optional("step", TInt)}, Returns: TArray,
			Description:   "Integers from start to stop inclusive, by step (default 1 or -1 towards stop); a zero step fails the row.",
			Examples:      []Example{ex("sequence(1, 8, 3)", "[1,4,7]"), ex("sequence(3, 1)", "[3,2,1]")},
			Deterministic: true,
			Validate: func(args []Arg) error {
				if v, ok := constArg(args, 2); ok && v.Kind() == value.Int && v.Int() == 0 {
					return errors.New("argument 3 (step) must not be zero")
				}
				return nil
			},
			Exec: execSequence,
		},
		{
			Name: "array_flatten", Category: CatArray, Params: []Param{param("array", TArray)}, Returns: TArray,
			Description:   "Flattens one level of nesting: array elements are spliced in, other elements kept.",
			Examples:      []Example{ex("array_flatten(array_create(array_create(1, 2), array_create(3)))", "[1,2,3]")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				a, err := toArray(0, args[0])
				if err != nil {
					return missing, err
				}
				out := make([]value.Value, 0, len(a))
				for _, e := range a {
					if e.Kind() == value.Array {
						out = append(out, e.Array()...)
					} else {
						out = append(out, e)
					}
				}
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "array_distinct", Category: CatArray, Params: []Param{param("array", TArray)}, Returns: TArray,
			Description:   "The array without repeated elements, first occurrences kept.",
			Examples:      []Example{ex("array_distinct(array_create(1, 2, 1, 3))", "[1,2,3]")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				a, err := toArray(0, args[0])
				if err != nil {
					return missing, err
				}
				seen := newValueSet(len(a))
				out := make([]value.Value, 0, len(a))
				for _, e := range a {
					if seen.add(e) {
						out = append(out, e)
					}
				}
				return value.ArrayValue(out), nil
			},
		},
		arrayMapSpec(reg),
		{
			Name: "array_join", Category: CatArray, Params: []Param{param("array", TArray), param("delimiter", TString), optional("null_replacement", TString)}, Returns: TString,
			Description:   "Joins the elements as text with delimiter; nil elements are replaced with null_replacement, or left out without it.",
			Examples:      []Example{ex(`array_join(array_create("a", "b"), ",")`, `"a,b"`), exIn(`array_join(a, "-", "?")`, `[{"a": [1, null, 2]}]`, `"1-?-2"`), exIn(`array_join(a, "-")`, `[{"a": [1, null, 2]}]`, `"1-2"`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() || args[1].IsNil() {
					return missing, nil
				}
				a, err := toArray(0, args[0])
				if err != nil {
					return missing, err
				}
				sep, err := toStrArg(1, args[1])
				if err != nil {
					return missing, err
				}
				repl := ""
				if len(args) > 2 && !args[2].IsNil() {
					if repl, err = toStrArg(2, args[2]); err != nil {
						return missing, err
					}
				}
				var b strings.Builder
				first := true
				for _, e := range a {
					s := repl
					if !e.IsNil() {
						s = toStr(e)
					} else if repl == "" {
						continue
					}
					if !first {
						b.WriteString(sep)
					}
					first = false
					b.WriteString(s)
				}
				return value.StringValue(b.String()), nil
			},
		},
		{
			Name: "array_shuffle", Category: CatArray, Params: []Param{param("array", TArray)}, Returns: TArray,
			Description: "The elements in random order.",
			Examples:    []Example{{SQL: "array_shuffle(array_create(1, 2, 3))", Result: "[2,3,1]", Varies: true}},
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				a, err := toArray(0, args[0])
				if err != nil {
					return missing, err
				}
				out := slices.Clone(a)
				rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "array_concat", Category: CatArray, Params: []Param{variadic("array", TArray)}, Returns: TArray,
			Description:   "Concatenates arrays; nil arguments are skipped.",
			Examples:      []Example{ex(`array_concat(array_create("a", "b"), array_create("c"))`, `["a","b","c"]`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				n := 0
				for i, a := range args {
					if a.IsNil() {
						continue
					}
					if a.Kind() != value.Array {
						return missing, argErr(i, "an array", a)
					}
					n += len(a.Array())
				}
				out := make([]value.Value, 0, n)
				for _, a := range args {
					out = append(out, a.Array()...)
				}
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "array_sort", Category: CatArray, Params: []Param{param("array", TArray)}, Returns: TArray,
			Description:   "The elements in ascending order: nil first, then booleans, numbers (by value), strings, datetimes and the rest by their text.",
			Examples:      []Example{ex("array_sort(array_create(10, 9, 1.5))", "[1.5,9,10]"), ex(`array_sort(array_create("b", "a"))`, `["a","b"]`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				a, err := toArray(0, args[0])
				if err != nil {
					return missing, err
				}
				out := slices.Clone(a)
				slices.SortStableFunc(out, sortOrder)
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "kvpair_array_to_obj", Category: CatArray, Params: []Param{param("array", TArray)}, Returns: TObject,
			Description:   `Builds an object from an array of {"key": k, "value": v} objects.`,
			Examples:      []Example{ex(`kvpair_array_to_obj(array_create(object_construct("key", "a", "value", 1)))`, `{"a":1}`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				a, err := toArray(0, args[0])
				if err != nil {
					return missing, err
				}
				o := value.NewObject(len(a))
				for _, e := range a {
					p := e.Object()
					if e.Kind() != value.Obj || p.Len() != 2 {
						return missing, fmt.Errorf(`element %s is not a {"key", "value"} pair`, e.String())
					}
					k, v := p.Get("key"), p.Get("value")
					if k.Kind() != value.String || v.IsMissing() {
						return missing, fmt.Errorf(`element %s is not a {"key", "value"} pair`, e.String())
					}
					o.Set(k.Str(), v)
				}
				return value.ObjectValue(o), nil
			},
		},
	}
}

// toArray reads an array argument.
func toArray(i int, v value.Value) ([]value.Value, error) {
	if v.Kind() == value.Array {
		return v.Array(), nil
	}
	return nil, argErr(i, "an array", v)
}

// twoArrays reads two array arguments; with nilEmpty a nil argument counts
// as an empty array.
func twoArrays(args []value.Value, nilEmpty bool) (a, b []value.Value, err error) {
	for i := range 2 {
		v := args[i]
		if v.IsNil() && nilEmpty {
			continue
		}
		arr, err := toArray(i, v)
		if err != nil {
			return nil, nil, err
		}
		if i == 0 {
			a = arr
		} else {
			b = arr
		}
	}
	return a, b, nil
}

// same is equality for element searches and sets: value.Equal, except that
// two nils are the same element.
func same(a, b value.Value) bool {
	if a.IsNil() || b.IsNil() {
		return a.IsNil() && b.IsNil()
	}
	return value.Equal(a, b)
}

func indexOf(a []value.Value, v value.Value) int {
	for i, e := range a {
		if value.Equal(e, v) {
			return i
		}
	}
	return -1
}

func positionSpec(name, desc string, last bool, examples ...Example) *Spec {
	return &Spec{
		Name: name, Category: CatArray, Params: []Param{param("array", TArray), param("value", TAny)}, Returns: TInt,
		Description: desc, Examples: examples, Deterministic: true,
		Exec: func(_ *Context, args []value.Value) (value.Value, error) {
			if args[0].IsNil() {
				return value.IntValue(-1), nil
			}
			a, err := toArray(0, args[0])
			if err != nil {
				return missing, err
			}
			if !last {
				return value.IntValue(int64(indexOf(a, args[1]))), nil
			}
			for i := len(a) - 1; i >= 0; i-- {
				if value.Equal(a[i], args[1]) {
					return value.IntValue(int64(i)), nil
				}
			}
			return value.IntValue(-1), nil
		},
	}
}

func extremeSpec(name, desc string, sign int, examples ...Example) *Spec {
	return &Spec{
		Name: name, Category: CatArray, Params: []Param{param("array", TArray)}, Returns: TAny,
		Description: desc, Examples: examples, Deterministic: true,
		Exec: func(_ *Context, args []value.Value) (value.Value, error) {
			if args[0].IsNil() {
				return missing, nil
			}
			a, err := toArray(0, args[0])
			if err != nil {
				return missing, err
			}
			best := missing
			for _, e := range a {
				if e.IsNil() {
					continue
				}
				if best.IsNil() {
					best = e
					continue
				}
				c, err := value.Compare(e, best)
				if err != nil {
					return missing, fmt.Errorf("cannot compare elements: %w", err)
				}
				if c*sign > 0 {
					best = e
				}
			}
			return best, nil
		},
	}
}

func execSequence(_ *Context, args []value.Value) (value.Value, error) {
	if anyNil(args) {
		return missing, nil
	}
	start, err := toInt(0, args[0])
	if err != nil {
		return missing, err
	}
	stop, err := toInt(1, args[1])
	if err != nil {
		return missing, err
	}
	step := int64(1)
	if len(args) > 2 {
		if step, err = toInt(2, args[2]); err != nil {
			return missing, err
		}
		if step == 0 {
			return missing, errors.New("step must not be zero")
		}
	} else if stop < start {
		step = -1
	}
	if (step > 0 && stop < start) || (step < 0 && stop > start) {
		return value.ArrayValue([]value.Value{}), nil
	}
	n := (stop-start)/step + 1
	if n < 0 || n > maxBuiltArray {
		return missing, fmt.Errorf("sequence of more than %d elements", maxBuiltArray)
	}
	out := make([]value.Value, n)
	for i := range out {
		out[i] = value.IntValue(start + int64(i)*step)
	}
	return value.ArrayValue(out), nil
}

// sortOrder is the total order of array_sort.
func sortOrder(a, b value.Value) int {
	ra, rb := sortRank(a), sortRank(b)
	if ra != rb {
		return ra - rb
	}
	if ra == 0 {
		return 0
	}
	if c, err := value.Compare(a, b); err == nil {
		return c
	}
	return strings.Compare(toStr(a), toStr(b))
}

func sortRank(v value.Value) int {
	switch v.Kind() {
	case value.Missing, value.Null:
		return 0
	case value.Bool:
		return 1
	case value.Int, value.Float:
		return 2
	case value.String:
		return 3
	case value.Time:
		return 4
	case value.Bytes:
		return 5
	case value.Array:
		return 6
	}
	return 7
}

// valueSet is a set of values under SQL equality (1 and 1.0 are the same
// element; so are two nils).
type valueSet struct {
	m map[uint64][]value.Value
}

func newValueSet(n int) *valueSet { return &valueSet{m: make(map[uint64][]value.Value, n)} }

func setHash(v value.Value) uint64 {
	if v.IsNil() {
		return 0
	}
	return v.Hash64()
}

// add inserts v and reports whether it was new.
func (s *valueSet) add(v value.Value) bool {
	h := setHash(v)
	for _, e := range s.m[h] {
		if same(e, v) {
			return false
		}
	}
	s.m[h] = append(s.m[h], v)
	return true
}

func (s *valueSet) has(v value.Value) bool {
	for _, e := range s.m[setHash(v)] {
		if same(e, v) {
			return true
		}
	}
	return false
}

// arrayMapCache keeps the function array_map resolved last.
type arrayMapCache struct {
	name string
	spec *Spec
	ctx  *Context
}

func arrayMapSpec(reg *Registry) *Spec {
	resolve := func(name string) (*Spec, error) {
		s, ok := reg.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("unknown function %q", name)
		}
		if s.Kind != Scalar || s.Exec == nil {
			return nil, fmt.Errorf("%s is not a scalar function", s.Name)
		}
		if err := s.CheckArgs([]Arg{{}}); err != nil {
			return nil, fmt.Errorf("%s cannot take one argument: %w", s.Name, err)
		}
		return s, nil
	}
	return &Spec{
		Name: "array_map", Category: CatArray, Params: []Param{param("function", TString), param("array", TArray)}, Returns: TArray,
		Description:   "Applies the scalar function named by the first argument to every element.",
		Examples:      []Example{ex(`array_map("upper", array_create("a", "b"))`, `["A","B"]`), ex(`array_map("abs", array_create(-1, 2))`, `[1,2]`)},
		Deterministic: true,
		Validate: func(args []Arg) error {
			if v, ok := constArg(args, 0); ok && v.Kind() == value.String {
				if _, err := resolve(v.Str()); err != nil {
					return fmt.Errorf("argument 1 (function): %w", err)
				}
			}
			return nil
		},
		Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
			if anyNil(args) {
				return missing, nil
			}
			name, err := toStrArg(0, args[0])
			if err != nil {
				return missing, err
			}
			a, err := toArray(1, args[1])
			if err != nil {
				return missing, err
			}
			var c *arrayMapCache
			if ctx != nil {
				c, _ = ctx.State.(*arrayMapCache)
			}
			if c == nil || c.name != name {
				s, err := resolve(name)
				if err != nil {
					return missing, err
				}
				c = &arrayMapCache{name: name, spec: s, ctx: &Context{}}
				if ctx != nil {
					*c.ctx = *ctx
					c.ctx.State = nil
					ctx.State = c
				}
			}
			out := make([]value.Value, len(a))
			arg := make([]value.Value, 1)
			for i, e := range a {
				arg[0] = e
				r, err := c.spec.Exec(c.ctx, arg)
				if err != nil {
					return missing, err
				}
				if r.IsMissing() {
					r = value.NullValue()
				}
				out[i] = r
			}
			return value.ArrayValue(out), nil
		},
	}
}

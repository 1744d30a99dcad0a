package function

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kuiperio/kuiper/internal/value"
)

// Object functions. Keys keep the order of the object (eKuiper's follow
// Go's random map order). Results are new objects.

func objectSpecs() []*Spec {
	return []*Spec{
		{
			Name: "keys", Category: CatObject, Params: []Param{param("object", TObject)}, Returns: TArray,
			Description:   "The field names of the object, in order.",
			Examples:      []Example{ex(`keys(object_construct("a", 1, "b", 2))`, `["a","b"]`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				o, err := objectArg(args, 0)
				if o == nil {
					return missing, err
				}
				out := make([]value.Value, 0, o.Len())
				for i, k := range o.Keys {
					if !o.Vals[i].IsMissing() {
						out = append(out, value.StringValue(k))
					}
				}
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "values", Category: CatObject, Params: []Param{param("object", TObject)}, Returns: TArray,
			Description:   "The field values of the object, in order.",
			Examples:      []Example{ex(`values(object_construct("a", 1, "b", 2))`, `[1,2]`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				o, err := objectArg(args, 0)
				if o == nil {
					return missing, err
				}
				out := make([]value.Value, 0, o.Len())
				for _, v := range o.Vals {
					if !v.IsMissing() {
						out = append(out, v)
					}
				}
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "object", Category: CatObject, Params: []Param{param("keys", TArray), param("values", TArray)}, Returns: TObject,
			Description:   "Builds an object from an array of string keys and an array of values of the same length; null for empty arrays.",
			Examples:      []Example{ex(`object(array_create("a", "b"), array_create(1, 2))`, `{"a":1,"b":2}`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				keys, vals, err := twoArrays(args, false)
				if err != nil {
					return missing, err
				}
				if len(keys) != len(vals) {
					return missing, fmt.Errorf("%d keys for %d values", len(keys), len(vals))
				}
				if len(keys) == 0 {
					return missing, nil
				}
				o := value.NewObject(len(keys))
				for i, k := range keys {
					if k.Kind() != value.String {
						return missing, fmt.Errorf("key %s is not a string", k.String())
					}
					o.Set(k.Str(), vals[i])
				}
				return value.ObjectValue(o), nil
			},
		},
		{
			Name: "zip", Category: CatObject, Params: []Param{param("pairs", TArray)}, Returns: TObject,
			Description:   "Builds an object from an array of [key, value] arrays; nil pairs are skipped, null for an empty array.",
			Examples:      []Example{ex(`zip(array_create(array_create("a", 1), array_create("b", 2)))`, `{"a":1,"b":2}`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				pairs, err := toArray(0, args[0])
				if err != nil {
					return missing, err
				}
				if len(pairs) == 0 {
					return missing, nil
				}
				o := value.NewObject(len(pairs))
				for _, p := range pairs {
					if p.IsNil() {
						continue
					}
					kv := p.Array()
					if p.Kind() != value.Array || len(kv) != 2 || kv[0].Kind() != value.String {
						return missing, fmt.Errorf("element %s is not a [string, value] pair", p.String())
					}
					o.Set(kv[0].Str(), kv[1])
				}
				return value.ObjectValue(o), nil
			},
		},
		{
			Name: "items", Category: CatObject, Params: []Param{param("object", TObject)}, Returns: TArray,
			Description:   "The fields of the object as [key, value] arrays; null for an empty object.",
			Examples:      []Example{ex(`items(object_construct("a", 1))`, `[["a",1]]`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				o, err := objectArg(args, 0)
				if o == nil {
					return missing, err
				}
				out := make([]value.Value, 0, o.Len())
				for i, k := range o.Keys {
					if !o.Vals[i].IsMissing() {
						out = append(out, value.ArrayValue([]value.Value{value.StringValue(k), o.Vals[i]}))
					}
				}
				if len(out) == 0 {
					return missing, nil
				}
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "object_construct", Category: CatObject, Params: []Param{optVariadic("key_value", TAny)}, Returns: TObject,
			Description:   "Builds an object from alternating keys and values; pairs with a nil key or value are left out.",
			Examples:      []Example{ex(`object_construct("a", 1, "b", null)`, `{"a":1}`)},
			Deterministic: true,
			Validate: func(args []Arg) error {
				if len(args)%2 != 0 {
					return errors.New("arguments must be key-value pairs")
				}
				for i := 0; i < len(args); i += 2 {
					if v, ok := constArg(args, i); ok && !v.IsNil() && v.Kind() != value.String {
						return fmt.Errorf("argument %d (key) must be string, got %s", i+1, describe(v))
					}
				}
				return nil
			},
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if len(args)%2 != 0 {
					return missing, errors.New("arguments must be key-value pairs")
				}
				o := value.NewObject(len(args) / 2)
				for i := 0; i+1 < len(args); i += 2 {
					k, v := args[i], args[i+1]
					if k.IsNil() || v.IsNil() {
						continue
					}
					if k.Kind() != value.String {
						return missing, argErr(i, "a string", k)
					}
					o.Set(k.Str(), v)
				}
				return value.ObjectValue(o), nil
			},
		},
		{
			Name: "object_concat", Category: CatObject, Params: []Param{param("object1", TObject), variadic("object", TObject)}, Returns: TObject,
			Description:   "Merges objects left to right; a later value wins for a repeated key and nil arguments are skipped.",
			Examples:      []Example{ex(`object_concat(object_construct("a", 1, "b", 2), object_construct("b", 3))`, `{"a":1,"b":3}`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				n := 0
				for i, a := range args {
					if a.IsNil() {
						continue
					}
					if a.Kind() != value.Obj {
						return missing, argErr(i, "an object", a)
					}
					n += a.Object().Len()
				}
				o := value.NewObject(n)
				for _, a := range args {
					if a.IsNil() {
						continue
					}
					src := a.Object()
					for i, k := range src.Keys {
						if !src.Vals[i].IsMissing() {
							o.Set(k, src.Vals[i])
						}
					}
				}
				return value.ObjectValue(o), nil
			},
		},
		{
			Name: "erase", Category: CatObject, Params: []Param{param("object", TObject), param("keys", TString|TArray)}, Returns: TObject,
			Description:   "The object without the named field, or without every field named in an array of names.",
			Examples:      []Example{ex(`erase(object_construct("a", 1, "b", 2, "c", 3), "a")`, `{"b":2,"c":3}`), ex(`erase(object_construct("a", 1, "b", 2, "c", 3), array_create("a", "b"))`, `{"c":3}`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				o, err := objectArg(args, 0)
				if err != nil {
					return missing, err
				}
				var drop []string
				switch k := args[1]; k.Kind() {
				case value.String:
					drop = []string{k.Str()}
				case value.Array:
					for _, e := range k.Array() {
						drop = append(drop, toStr(e))
					}
				default:
					return missing, argErr(1, "a string or an array", k)
				}
				out := value.NewObject(o.Len())
				for i, key := range o.Keys {
					if !o.Vals[i].IsMissing() && !containsString(drop, key) {
						out.Append(key, o.Vals[i])
					}
				}
				return value.ObjectValue(out), nil
			},
		},
		{
			Name: "object_pick", Category: CatObject, Params: []Param{param("object", TObject), variadic("keys", TString|TArray)}, Returns: TObject,
			Description:   "An object of only the named fields; names may be given as strings or an array, and a dotted name (a.b) picks a nested field.",
			Examples:      []Example{ex(`object_pick(object_construct("a", 1, "b", 2, "c", 3), "a", "c")`, `{"a":1,"c":3}`), ex(`object_pick(object_construct("a", object_construct("x", 1, "y", 2)), "a.y")`, `{"a":{"y":2}}`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				o, err := objectArg(args, 0)
				if o == nil {
					return missing, err
				}
				out := value.NewObject(len(args) - 1)
				for i, a := range args[1:] {
					switch a.Kind() {
					case value.String:
						pick(out, o, a.Str())
					case value.Array:
						for _, e := range a.Array() {
							if e.Kind() == value.String {
								pick(out, o, e.Str())
							}
						}
					case value.Missing, value.Null:
					default:
						return missing, argErr(i+1, "a string or an array", a)
					}
				}
				return value.ObjectValue(out), nil
			},
		},
		{
			Name: "obj_to_kvpair_array", Category: CatObject, Params: []Param{param("object", TObject)}, Returns: TArray,
			Description:   `The fields of the object as an array of {"key": k, "value": v} objects.`,
			Examples:      []Example{ex(`obj_to_kvpair_array(object_construct("z", 1))`, `[{"key":"z","value":1}]`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				o, err := objectArg(args, 0)
				if o == nil {
					return missing, err
				}
				out := make([]value.Value, 0, o.Len())
				for i, k := range o.Keys {
					if o.Vals[i].IsMissing() {
						continue
					}
					p := value.NewObject(2)
					p.Append("key", value.StringValue(k))
					p.Append("value", o.Vals[i])
					out = append(out, value.ObjectValue(p))
				}
				return value.ArrayValue(out), nil
			},
		},
		{
			Name: "object_size", Category: CatObject, Params: []Param{param("object", TObject)}, Returns: TInt,
			Description:   "Number of fields of the object; 0 for nil.",
			Examples:      []Example{ex(`object_size(object_construct("a", 1, "b", 2))`, "2")},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return value.IntValue(0), nil
				}
				o, err := objectArg(args, 0)
				if err != nil {
					return missing, err
				}
				n := 0
				for _, v := range o.Vals {
					if !v.IsMissing() {
						n++
					}
				}
				return value.IntValue(int64(n)), nil
			},
		},
	}
}

// objectArg reads object argument i; a nil argument gives (nil, nil) so
// callers return null.
func objectArg(args []value.Value, i int) (*value.Object, error) {
	v := args[i]
	switch v.Kind() {
	case value.Obj:
		return v.Object(), nil
	case value.Missing, value.Null:
		return nil, nil
	}
	return nil, argErr(i, "an object", v)
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// pick copies the field at a dotted path of src into dst, creating the
// intermediate objects.
func pick(dst, src *value.Object, path string) {
	parts := strings.Split(path, ".")
	cur := src
	for _, p := range parts[:len(parts)-1] {
		next := cur.Get(p)
		if next.Kind() != value.Obj {
			return
		}
		cur = next.Object()
	}
	v := cur.Get(parts[len(parts)-1])
	if v.IsMissing() {
		return
	}
	for _, p := range parts[:len(parts)-1] {
		next := dst.Get(p)
		if next.Kind() != value.Obj {
			child := value.NewObject(1)
			dst.Set(p, value.ObjectValue(child))
			dst = child
			continue
		}
		// Copy on write: the nested object may be shared with the input.
		child := next.Object().Clone()
		dst.Set(p, value.ObjectValue(child))
		dst = child
	}
	dst.Set(parts[len(parts)-1], v)
}

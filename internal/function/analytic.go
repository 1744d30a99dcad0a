package function

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/kuiperio/kuiper/internal/value"
)

// Analytic functions keep state across the rows of a stream. The planner
// creates one state per call site and per OVER (PARTITION BY ...) key with
// NewState and calls ExecAnalytic for every row, before WHERE, with the
// evaluated arguments and the value of OVER (WHEN ...) (true without
// one). As in eKuiper, a row whose WHEN is false does not update the state
// and gets the function's current answer. Values compare with SQL
// equality (1 and 1.0 are the same; two nils are the same).

func analyticSpecs() []*Spec {
	return []*Spec{
		{
			Name: "lag", Category: CatAnalytic, Kind: Analytic,
			Params:      []Param{param("x", TAny), optional("offset", TInt), optional("default", TAny), optional("ignore_null", TBool)},
			Returns:     TAny,
			Description: "Value of x offset rows before the current one (default 1); default (null without it) until there are that many rows. With ignore_null true, rows where x is nil are not counted.",
			Examples: []Example{
				exIn("lag(v)", `[{"v": 1}, {"v": 5}, {"v": 6}]`, "[null,1,5]"),
				exIn("lag(v, 2, 0)", `[{"v": 1}, {"v": 10}, {"v": 3}, {"v": 10}]`, "[0,0,1,10]"),
				exIn("lag(v, 1, -1, true)", `[{"v": 1}, {"v": null}, {"v": 3}, {"v": 4}]`, "[-1,1,1,3]"),
			},
			Validate: func(args []Arg) error {
				if len(args) > 1 && !args[1].Const {
					return errors.New("argument 2 (offset) must be an integer literal")
				}
				if v, ok := constArg(args, 1); ok && v.Kind() == value.Int && v.Int() < 0 {
					return errors.New("argument 2 (offset) must not be negative")
				}
				if v, ok := constArg(args, 1); ok && v.Kind() == value.Int && v.Int() > maxBuiltArray {
					return fmt.Errorf("argument 2 (offset) must not exceed %d", maxBuiltArray)
				}
				return nil
			},
			NewState:     func([]Arg) any { return &lagState{} },
			ExecAnalytic: execLag,
		},
		{
			Name: "latest", Category: CatAnalytic, Kind: Analytic,
			Params:      []Param{param("x", TAny), optional("default", TAny)},
			Returns:     TAny,
			Description: "The latest non-nil value of x so far (the current one when it is not nil); default (null without it) before the first.",
			Examples:    []Example{exIn("latest(v, 0)", `[{"id": 1}, {"v": 2}, {"id": 3}]`, "[0,2,2]")},
			NewState:    func([]Arg) any { return &latestState{} },
			ExecAnalytic: func(state any, args []value.Value, when bool) (value.Value, error) {
				s := state.(*latestState)
				if when && !args[0].IsNil() {
					s.v = args[0]
					return s.v, nil
				}
				if s.v.IsNil() && len(args) > 1 {
					return args[1], nil
				}
				return s.v, nil
			},
		},
		{
			Name: "changed_col", Category: CatAnalytic, Kind: Analytic,
			Params:      []Param{param("ignore_null", TBool), param("x", TAny)},
			Returns:     TAny,
			Description: "x when it differs from its value in the previous row, else null. With ignore_null true, nil values are skipped (null, no change recorded).",
			Examples:    []Example{exIn("changed_col(true, v)", `[{"v": 1}, {"v": 1}, {"v": null}, {"v": 2}]`, "[1,null,null,2]")},
			NewState:    func([]Arg) any { return &changedState{} },
			ExecAnalytic: func(state any, args []value.Value, when bool) (value.Value, error) {
				s := state.(*changedState)
				ignoreNull, err := toBool(0, args[0])
				if err != nil {
					return missing, err
				}
				v := args[1]
				if !when || (ignoreNull && v.IsNil()) {
					return missing, nil
				}
				if same(s.last, v) {
					return missing, nil
				}
				s.last = v
				if v.IsNil() {
					return missing, nil
				}
				return v, nil
			},
		},
		{
			Name: "had_changed", Category: CatAnalytic, Kind: Analytic,
			Params:      []Param{param("ignore_null", TBool), variadic("x", TAny)},
			Returns:     TBool,
			Description: "Whether any of the values differs from its value in the previous row (values start as nil, so a first non-nil value is a change). With ignore_null true, nil values are skipped.",
			Examples:    []Example{exIn("had_changed(true, status)", `[{"status": "on"}, {"status": "on"}, {"status": "off"}, {}]`, "[true,false,true,false]")},
			NewState:    func([]Arg) any { return &hadChangedState{} },
			ExecAnalytic: func(state any, args []value.Value, when bool) (value.Value, error) {
				s := state.(*hadChangedState)
				if !when {
					return value.BoolValue(false), nil
				}
				ignoreNull, err := toBool(0, args[0])
				if err != nil {
					return missing, err
				}
				vals := args[1:]
				if len(s.last) < len(vals) {
					s.last = append(s.last, make([]value.Value, len(vals)-len(s.last))...)
				}
				changed := false
				for i, v := range vals {
					if ignoreNull && v.IsNil() {
						continue
					}
					if !same(s.last[i], v) {
						changed = true
						s.last[i] = v
					}
				}
				return value.BoolValue(changed), nil
			},
		},
		accSpec("acc_sum", "Running sum of x over all rows so far (nil skipped); a bigint while every value is a bigint.",
			TNumber, func(a *accState) value.Value {
				if a.count == 0 {
					return value.IntValue(0)
				}
				return a.sumValue()
			}, exIn("acc_sum(v)", `[{"v": 1}, {"v": 10}, {"v": 3}]`, "[1,11,14]")),
		accSpec("acc_count", "Running count of the rows with a non-nil x.",
			TInt, func(a *accState) value.Value { return value.IntValue(a.count) },
			exIn("acc_count(v)", `[{"v": 1}, {}, {"v": 3}]`, "[1,1,2]")),
		accSpec("acc_avg", "Running average of x over all rows so far (nil skipped); null before the first value.",
			TFloat, func(a *accState) value.Value {
				if a.count == 0 {
					return missing
				}
				return floatResult(a.sumFloat() / float64(a.count))
			}, exIn("acc_avg(v)", `[{"v": 1}, {"v": 10}, {"v": 3}]`, "[1,5.5,4.666666666666667]")),
		accSpec("acc_max", "Running maximum of x over all rows so far; null before the first value.",
			TNumber, func(a *accState) value.Value { return a.max },
			exIn("acc_max(v)", `[{"v": 1}, {"v": 10}, {"v": 3}]`, "[1,10,10]")),
		accSpec("acc_min", "Running minimum of x over all rows so far; null before the first value.",
			TNumber, func(a *accState) value.Value { return a.min },
			exIn("acc_min(v)", `[{"v": 3}, {"v": 1}, {"v": 10}]`, "[3,1,1]")),
		{
			Name: "changed_cols", Category: CatMultiColumn, Kind: Analytic, Columns: true,
			Params:      []Param{param("prefix", TString), param("ignore_null", TBool), variadic("column", TAny)},
			Returns:     TObject,
			Description: "The columns whose value differs from the previous row, named prefix + column name (an empty object when none changed). With ignore_null true, nil values are skipped. Columns other than plain column references are named kuiper_field_<n> after their position.",
			Examples:    []Example{exIn(`changed_cols("c_", true, a, b)`, `[{"a": 1, "b": 1}, {"a": 1, "b": 2}, {"a": 2, "b": 2}, {"a": 2, "b": 2}]`, `[{"c_a":1,"c_b":1},{"c_b":2},{"c_a":2},{}]`)},
			Validate: func(args []Arg) error {
				for i := range min(len(args), 2) {
					if !args[i].Const {
						return fmt.Errorf("argument %d must be a literal", i+1)
					}
				}
				return nil
			},
			NewState: func(args []Arg) any {
				s := &changedColsState{}
				for i, a := range args {
					if i < 2 {
						continue
					}
					name := a.Name
					if name == "" {
						name = "kuiper_field_" + strconv.Itoa(i-2)
					}
					s.names = append(s.names, name)
				}
				return s
			},
			ExecAnalytic: execChangedCols,
		},
	}
}

// lagState is a ring of the last offset values.
type lagState struct {
	init bool
	ring []value.Value
	head int
}

func execLag(state any, args []value.Value, when bool) (value.Value, error) {
	s := state.(*lagState)
	if !s.init {
		offset := int64(1)
		if len(args) > 1 && !args[1].IsNil() {
			var err error
			if offset, err = toInt(1, args[1]); err != nil {
				return missing, err
			}
			if offset < 0 || offset > maxBuiltArray {
				return missing, fmt.Errorf("offset %d out of range [0, %d]", offset, maxBuiltArray)
			}
		}
		def := value.NullValue()
		if len(args) > 2 && !args[2].IsMissing() {
			def = args[2]
		}
		s.ring = make([]value.Value, offset)
		for i := range s.ring {
			s.ring[i] = def
		}
		s.init = true
	}
	ignoreNull := false
	if len(args) > 3 && !args[3].IsNil() {
		b, err := toBool(3, args[3])
		if err != nil {
			return missing, err
		}
		ignoreNull = b
	}
	x := args[0]
	if len(s.ring) == 0 { // lag(x, 0) is x itself
		return x, nil
	}
	out := s.ring[s.head]
	if when && !(ignoreNull && x.IsNil()) {
		if x.IsMissing() {
			x = value.NullValue()
		}
		s.ring[s.head] = x
		s.head = (s.head + 1) % len(s.ring)
	}
	if out.IsNil() {
		return missing, nil
	}
	return out, nil
}

type latestState struct{ v value.Value }

// The change detectors start from nil: a first nil value is no change.

type changedState struct{ last value.Value }

type hadChangedState struct{ last []value.Value }

// accState is the running state of the acc_* functions.
type accState struct {
	count   int64
	isFloat bool
	i       int64
	f       float64
	max     value.Value
	min     value.Value
}

func (a *accState) sumValue() value.Value {
	if a.isFloat {
		return floatResult(a.f)
	}
	return value.IntValue(a.i)
}

func (a *accState) sumFloat() float64 {
	if a.isFloat {
		return a.f
	}
	return float64(a.i)
}

func (a *accState) add(v value.Value) error {
	switch v.Kind() {
	case value.Int:
		x := v.Int()
		if !a.isFloat {
			s := a.i + x
			if (x > 0 && s < a.i) || (x < 0 && s > a.i) {
				a.isFloat, a.f = true, float64(a.i)+float64(x)
			} else {
				a.i = s
			}
		} else {
			a.f += float64(x)
		}
	case value.Float:
		if !a.isFloat {
			a.isFloat, a.f = true, float64(a.i)
		}
		a.f += v.Float()
	default:
		return argErr(0, "a number", v)
	}
	a.count++
	if c, _ := value.Compare(v, a.max); a.max.IsNil() || c > 0 {
		a.max = v
	}
	if c, _ := value.Compare(v, a.min); a.min.IsNil() || c < 0 {
		a.min = v
	}
	return nil
}

func accSpec(name, desc string, returns Type, result func(*accState) value.Value, examples ...Example) *Spec {
	return &Spec{
		Name: name, Category: CatAnalytic, Kind: Analytic,
		Params:      []Param{param("x", TNumber)},
		Returns:     returns,
		Description: desc, Examples: examples,
		NewState: func([]Arg) any { return &accState{} },
		ExecAnalytic: func(state any, args []value.Value, when bool) (value.Value, error) {
			s := state.(*accState)
			if when && !args[0].IsNil() {
				if name == "acc_count" {
					s.count++
				} else if err := s.add(args[0]); err != nil {
					return missing, err
				}
			}
			return result(s), nil
		},
	}
}

type changedColsState struct {
	names []string
	last  []value.Value
}

func execChangedCols(state any, args []value.Value, when bool) (value.Value, error) {
	s := state.(*changedColsState)
	prefix, err := toStrArg(0, args[0])
	if err != nil {
		return missing, err
	}
	ignoreNull, err := toBool(1, args[1])
	if err != nil {
		return missing, err
	}
	cols := args[2:]
	if len(s.last) < len(cols) {
		s.last = append(s.last, make([]value.Value, len(cols)-len(s.last))...)
	}
	out := value.NewObject(0)
	if !when {
		return value.ObjectValue(out), nil
	}
	for i, v := range cols {
		if ignoreNull && v.IsNil() {
			continue
		}
		if same(s.last[i], v) {
			continue
		}
		s.last[i] = v
		name := "kuiper_field_" + strconv.Itoa(i)
		if i < len(s.names) {
			name = s.names[i]
		}
		if v.IsMissing() {
			v = value.NullValue()
		}
		out.Append(prefix+name, v)
	}
	return value.ObjectValue(out), nil
}

package function

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

func lit(v value.Value) Arg { return Arg{Const: true, Value: v} }

var col = Arg{}

func TestSpec_CheckArgs(t *testing.T) {
	abs := &Spec{Name: "abs", Params: []Param{param("x", TNumber)}}
	substring := &Spec{Name: "substring", Params: []Param{param("str", TString), param("start", TInt), optional("end", TInt)}}
	concat := &Spec{Name: "concat", Params: []Param{variadic("value", TAny)}}
	coalesce := &Spec{Name: "coalesce", Params: []Param{param("first", TAny), optVariadic("rest", TAny)}}
	array := &Spec{Name: "array_create", Params: []Param{optVariadic("value", TAny)}}
	pi := &Spec{Name: "pi"}
	validated := &Spec{Name: "v", Params: []Param{param("x", TAny)}, Validate: func([]Arg) error { return errors.New("bad x") }}

	tests := []struct {
		name string
		spec *Spec
		args []Arg
		err  string
	}{
		{"exact", abs, []Arg{col}, ""},
		{"too many", abs, []Arg{col, col}, "function abs expects 1 argument, got 2"},
		{"too few", abs, nil, "function abs expects 1 argument, got 0"},
		{"no args", pi, []Arg{col}, "function pi expects 0 arguments, got 1"},
		{"optional left out", substring, []Arg{col, col}, ""},
		{"optional given", substring, []Arg{col, col, col}, ""},
		{"range", substring, []Arg{col}, "function substring expects 2 to 3 arguments, got 1"},
		{"variadic needs one", concat, nil, "function concat expects at least 1 argument, got 0"},
		{"variadic many", concat, []Arg{col, col, col, col}, ""},
		{"optional variadic", array, nil, ""},
		{"required then optional variadic", coalesce, []Arg{col}, ""},
		{"literal type", substring, []Arg{col, lit(value.StringValue("a"))}, `function substring: argument 2 (start) must be bigint, got string("a")`},
		{"literal float for int", substring, []Arg{col, lit(value.FloatValue(1.5))}, `function substring: argument 2 (start) must be bigint, got float(1.5)`},
		{"literal ok", abs, []Arg{lit(value.FloatValue(-1))}, ""},
		{"null literal fits", abs, []Arg{lit(value.NullValue())}, ""},
		{"variadic literal type", &Spec{Name: "f", Params: []Param{variadic("n", TNumber)}}, []Arg{col, lit(value.BoolValue(true))}, "function f: argument 2 (n) must be bigint|float, got boolean(true)"},
		{"validate", validated, []Arg{col}, "function v: bad x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.spec.CheckArgs(tc.args)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.err)
		})
	}
}

func TestSpec_Signature(t *testing.T) {
	tests := []struct {
		spec *Spec
		want string
	}{
		{&Spec{Name: "pi"}, "pi()"},
		{&Spec{Name: "substring", Params: []Param{param("str", TString), param("start", TInt), optional("end", TInt)}}, "substring(str string, start bigint[, end bigint])"},
		{&Spec{Name: "concat", Params: []Param{variadic("value", TAny)}}, "concat(value any...)"},
		{&Spec{Name: "lag", Params: []Param{param("x", TAny), optional("offset", TInt), optional("default", TAny)}}, "lag(x any[, offset bigint[, default any]])"},
		{&Spec{Name: "now", Params: []Param{optional("fsp", TInt)}}, "now([fsp bigint])"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			require.Equal(t, tc.want, tc.spec.Signature())
		})
	}
}

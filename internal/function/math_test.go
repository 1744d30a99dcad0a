package function

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

func TestSpec_RuntimeErrorsNameTheFunction(t *testing.T) {
	reg := Builtins()
	abs, ok := reg.Lookup("abs")
	require.True(t, ok)
	_, err := abs.Exec(exampleContext(), []value.Value{value.StringValue("x")})
	require.EqualError(t, err, `function abs: argument 1 (x) must be a number, got string("x")`)
	var ae *ArgError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 0, ae.Index)
}

func TestMath(t *testing.T) {
	runFnCases(t, []fnCase{
		{name: "abs int", fn: "abs", args: []value.Value{vi(-3)}, want: "3"},
		{name: "abs keeps int kind", fn: "abs", args: []value.Value{vi(4)}, want: "4"},
		{name: "abs float", fn: "abs", args: []value.Value{vf(-2.5)}, want: "2.5"},
		{name: "abs null", fn: "abs", args: []value.Value{vnull}, want: "missing"},
		{name: "abs missing", fn: "abs", args: []value.Value{vmiss}, want: "missing"},
		{name: "abs string", fn: "abs", args: []value.Value{vs("x")}, err: `argument 1 (x) must be a number, got string("x")`},
		{name: "abs overflow", fn: "abs", args: []value.Value{vi(math.MinInt64)}, err: "integer overflow"},
		{name: "sqrt", fn: "sqrt", args: []value.Value{vf(16)}, want: "4"},
		{name: "sqrt numeric string fails", fn: "sqrt", args: []value.Value{vs("4")}, err: "must be a number"},
		{name: "sqrt negative is null", fn: "sqrt", args: []value.Value{vi(-1)}, want: "missing"},
		{name: "sqrt NaN is null", fn: "sqrt", args: []value.Value{vf(math.NaN())}, want: "missing"},
		{name: "ln natural", fn: "ln", args: []value.Value{vf(math.E)}, want: "1"},
		{name: "ln zero is null", fn: "ln", args: []value.Value{vi(0)}, want: "missing"},
		{name: "log10", fn: "log", args: []value.Value{vi(1000)}, want: "3"},
		{name: "log base", fn: "log", args: []value.Value{vi(2), vi(1024)}, want: "10"},
		{name: "log bad base", fn: "log", args: []value.Value{vi(1), vi(8)}, want: "missing"},
		{name: "log non-positive", fn: "log", args: []value.Value{vi(-1)}, want: "missing"},
		{name: "exp overflow is null", fn: "exp", args: []value.Value{vi(1000)}, want: "missing"},
		{name: "cot zero", fn: "cot", args: []value.Value{vi(0)}, want: "missing"},
		{name: "power", fn: "power", args: []value.Value{vf(9), vi(2)}, want: "81"},
		{name: "pow alias", fn: "pow", args: []value.Value{vi(2), vi(10)}, want: "1024"},
		{name: "power null", fn: "power", args: []value.Value{vi(2), vnull}, want: "missing"},
		{name: "atan2", fn: "atan2", args: []value.Value{vi(1), vi(1)}, want: "0.7853981633974483"},
		{name: "mod ints", fn: "mod", args: []value.Value{vi(7), vi(3)}, want: "1"},
		{name: "mod negative", fn: "mod", args: []value.Value{vi(-7), vi(3)}, want: "-1"},
		{name: "mod floats", fn: "mod", args: []value.Value{vf(7.5), vi(2)}, want: "1.5"},
		{name: "mod by zero", fn: "mod", args: []value.Value{vi(7), vi(0)}, err: "divi"},
		{name: "mod string", fn: "mod", args: []value.Value{vs("7"), vi(2)}, err: "must be a number"},
		{name: "bitand", fn: "bitand", args: []value.Value{vi(12), vi(10)}, want: "8"},
		{name: "bitor integral floats", fn: "bitor", args: []value.Value{vf(12), vf(10)}, want: "14"},
		{name: "bitxor fraction fails", fn: "bitxor", args: []value.Value{vf(1.5), vi(1)}, err: "must be an integer"},
		{name: "bitnot", fn: "bitnot", args: []value.Value{vi(5)}, want: "-6"},
		{name: "bitnot null", fn: "bitnot", args: []value.Value{vnull}, want: "missing"},
		{name: "ceil float", fn: "ceil", args: []value.Value{vf(1.1)}, want: "2"},
		{name: "ceiling alias", fn: "ceiling", args: []value.Value{vf(-1.1)}, want: "-1"},
		{name: "ceil int unchanged", fn: "ceil", args: []value.Value{vi(7)}, want: "7"},
		{name: "floor", fn: "floor", args: []value.Value{vf(-1.1)}, want: "-2"},
		{name: "round half away", fn: "round", args: []value.Value{vf(-2.5)}, want: "-3"},
		{name: "round digits", fn: "round", args: []value.Value{vf(3.14159), vi(2)}, want: "3.14"},
		{name: "round 2.675 like eKuiper", fn: "round", args: []value.Value{vf(2.675), vi(2)}, want: "2.68"},
		{name: "round digits zero", fn: "round", args: []value.Value{vf(2.675), vi(0)}, want: "3"},
		{name: "round negative digits float", fn: "round", args: []value.Value{vf(1250.4), vi(-2)}, want: "1300"},
		{name: "round negative digits int", fn: "round", args: []value.Value{vi(-1250), vi(-2)}, want: "-1300"},
		{name: "round int down", fn: "round", args: []value.Value{vi(1249), vi(-2)}, want: "1200"},
		{name: "round int positive digits", fn: "round", args: []value.Value{vi(12), vi(3)}, want: "12"},
		{name: "round huge digits", fn: "round", args: []value.Value{vf(1.5), vi(400)}, want: "1.5"},
		{name: "round float digits arg", fn: "round", args: []value.Value{vf(1.25), vf(1)}, want: "1.3"},
		{name: "round overflowing scale", fn: "round", args: []value.Value{vf(1e300), vi(20)}, want: "1e300"},
		{name: "round int to 10^19", fn: "round", args: []value.Value{vi(123), vi(-19)}, want: "0"},
		{name: "sign", fn: "sign", args: []value.Value{vf(-0.1)}, want: "-1"},
		{name: "sign positive", fn: "sign", args: []value.Value{vi(3)}, want: "1"},
		{name: "pi", fn: "pi", want: "3.141592653589793"},
		{name: "degrees", fn: "degrees", args: []value.Value{vf(math.Pi / 2)}, want: "90"},
		{name: "acos out of range", fn: "acos", args: []value.Value{vi(2)}, want: "missing"},
		{name: "conv hex to bin", fn: "conv", args: []value.Value{vs("ff"), vi(16), vi(2)}, want: `"11111111"`},
		{name: "conv number", fn: "conv", args: []value.Value{vi(10), vi(10), vi(36)}, want: `"A"`},
		{name: "conv prefix", fn: "conv", args: []value.Value{vs("12z"), vi(10), vi(10)}, want: `"12"`},
		{name: "conv empty", fn: "conv", args: []value.Value{vs("z"), vi(10), vi(10)}, want: `"0"`},
		{name: "conv negative unsigned", fn: "conv", args: []value.Value{vs("-1"), vi(10), vi(16)}, want: `"FFFFFFFFFFFFFFFF"`},
		{name: "conv signed", fn: "conv", args: []value.Value{vs("-255"), vi(10), vi(-16)}, want: `"-FF"`},
		{name: "conv bad base", fn: "conv", args: []value.Value{vs("1"), vi(1), vi(10)}, want: "missing"},
		{name: "conv null", fn: "conv", args: []value.Value{vnull, vi(10), vi(2)}, want: "missing"},
	})
}

func TestMath_RandRange(t *testing.T) {
	for range 100 {
		v, err := callFn(t, nil, "rand")
		require.NoError(t, err)
		require.GreaterOrEqual(t, v.Float(), 0.0)
		require.Less(t, v.Float(), 1.0)
	}
}

func TestMath_Validate(t *testing.T) {
	conv, _ := testRegistry().Lookup("conv")
	require.ErrorContains(t, conv.CheckArgs([]Arg{{}, lit(vi(37)), lit(vi(2))}), "base must be between 2 and 36")
	require.NoError(t, conv.CheckArgs([]Arg{{}, lit(vi(16)), lit(vi(-2))}))
	sqrt, _ := testRegistry().Lookup("sqrt")
	require.EqualError(t, sqrt.CheckArgs([]Arg{lit(vs("4"))}), `function sqrt: argument 1 (x) must be bigint|float, got string("4")`)
}

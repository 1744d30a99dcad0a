package value_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

var (
	null    = value.NullValue()
	missing = value.Value{}
	i       = value.IntValue
	f       = value.FloatValue
	s       = value.StringValue
	b       = value.BoolValue
	nan     = math.NaN()
	inf     = math.Inf(1)
	ts      = time.Date(2023, 11, 14, 22, 13, 20, 123e6, time.UTC)
	tv      = value.TimeValue(ts)
)

func arr(vs ...value.Value) value.Value { return value.ArrayValue(vs) }

func obj(kv ...any) value.Value {
	o := value.NewObject(len(kv) / 2)
	for j := 0; j < len(kv); j += 2 {
		o.Append(kv[j].(string), kv[j+1].(value.Value))
	}
	return value.ObjectValue(o)
}

// requireIdentical checks kind and payload exactly (float bits, NaN equal
// to NaN), recursing into arrays and objects in order.
func requireIdentical(t *testing.T, want, got value.Value) {
	t.Helper()
	require.Equal(t, want.Kind(), got.Kind(), "kind of %v vs %v", want, got)
	switch want.Kind() {
	case value.Float:
		w, g := want.Float(), got.Float()
		if math.IsNaN(w) {
			require.True(t, math.IsNaN(g), "want NaN, got %v", g)
			return
		}
		require.Equal(t, math.Float64bits(w), math.Float64bits(g), "want %v, got %v", w, g)
	case value.Array:
		wa, ga := want.Array(), got.Array()
		require.Len(t, ga, len(wa))
		for j := range wa {
			requireIdentical(t, wa[j], ga[j])
		}
	case value.Obj:
		wo, gobj := want.Object(), got.Object()
		require.Equal(t, wo.Keys, gobj.Keys)
		for j := range wo.Vals {
			requireIdentical(t, wo.Vals[j], gobj.Vals[j])
		}
	default:
		require.Equal(t, want.String(), got.String())
	}
}

func TestArithmetic(t *testing.T) {
	type binop func(a, b value.Value) (value.Value, error)
	add, sub, mul, div, mod := value.Add, value.Sub, value.Mul, value.Div, value.Mod
	cases := []struct {
		name    string
		op      binop
		a, b    value.Value
		want    value.Value
		errText string // substring of the error; empty for success
		errIs   error
	}{
		{"int+int", add, i(1), i(2), i(3), "", nil},
		{"int+float", add, i(1), f(2.5), f(3.5), "", nil},
		{"float+int", add, f(0.5), i(2), f(2.5), "", nil},
		{"float+float", add, f(0.1), f(0.2), f(0.30000000000000004), "", nil},
		{"null+int", add, null, i(1), null, "", nil},
		{"int+missing", add, i(1), missing, null, "", nil},
		{"null+string", add, null, s("x"), null, "", nil},
		{"string+string", add, s("ab"), s("cd"), missing, "invalid operation string(ab) + string(cd)", nil},
		{"string+int", add, s("1"), i(1), missing, "invalid operation string(1) + bigint(1)", nil},
		{"bool+int", add, b(true), i(1), missing, "boolean(true) + bigint(1)", nil},
		{"time+int", add, tv, i(1), missing, "invalid operation datetime(2023-11-14T22:13:20.123Z) + bigint(1)", nil},
		{"array+int", add, arr(i(1)), i(1), missing, "array([1]) + bigint(1)", nil},
		{"object+int", add, obj("a", i(1)), i(1), missing, `struct({"a":1}) + bigint(1)`, nil},
		{"int overflow", add, i(math.MaxInt64), i(1), missing, "overflow", value.ErrOverflow},
		{"int underflow", add, i(math.MinInt64), i(-1), missing, "overflow", value.ErrOverflow},
		{"int max no overflow", add, i(math.MaxInt64 - 1), i(1), i(math.MaxInt64), "", nil},
		{"float inf", add, f(math.MaxFloat64), f(math.MaxFloat64), f(inf), "", nil},
		{"nan+1", add, f(nan), i(1), f(nan), "", nil},

		{"sub int", sub, i(5), i(7), i(-2), "", nil},
		{"sub mixed", sub, f(7.5), i(2), f(5.5), "", nil},
		{"sub neg result float", sub, f(0.1), f(0.2), f(-0.1), "", nil},
		{"sub overflow", sub, i(math.MinInt64), i(1), missing, "overflow", value.ErrOverflow},
		{"sub overflow neg", sub, i(math.MaxInt64), i(-1), missing, "overflow", value.ErrOverflow},
		{"sub min minus min", sub, i(math.MinInt64), i(math.MinInt64), i(0), "", nil},
		{"sub null", sub, i(1), null, null, "", nil},
		{"sub string", sub, s("a"), s("b"), missing, "string(a) - string(b)", nil},

		{"mul int", mul, i(6), i(7), i(42), "", nil},
		{"mul mixed", mul, f(7.5), i(2), f(15), "", nil},
		{"mul float", mul, f(0.1), f(0.2), f(0.020000000000000004), "", nil},
		{"mul neg literal", mul, i(5), i(-1), i(-5), "", nil},
		{"mul zero", mul, i(0), i(math.MinInt64), i(0), "", nil},
		{"mul overflow", mul, i(math.MaxInt64), i(2), missing, "overflow", value.ErrOverflow},
		{"mul min*-1", mul, i(math.MinInt64), i(-1), missing, "overflow", value.ErrOverflow},
		{"mul -1*min", mul, i(-1), i(math.MinInt64), missing, "overflow", value.ErrOverflow},
		{"mul big ok", mul, i(1 << 31), i(1 << 31), i(1 << 62), "", nil},
		{"mul null", mul, missing, i(1), null, "", nil},

		{"div int gives float", div, i(7), i(2), f(3.5), "", nil},
		{"div exact int", div, i(4), i(2), f(2), "", nil},
		{"div float", div, f(7.5), i(2), f(3.75), "", nil},
		{"div precedence sample", div, i(2), i(3), f(2.0 / 3.0), "", nil},
		{"div int by zero", div, i(1), i(0), missing, "division by zero", value.ErrDivideByZero},
		{"div float by zero", div, f(1.5), i(0), missing, "division by zero", value.ErrDivideByZero},
		{"div by float zero", div, i(1), f(0), missing, "division by zero", value.ErrDivideByZero},
		{"div by neg zero", div, i(1), f(math.Copysign(0, -1)), missing, "division by zero", value.ErrDivideByZero},
		{"div null by zero", div, null, i(0), null, "", nil},
		{"div string", div, s("4"), i(2), missing, "string(4) / bigint(2)", nil},

		{"mod int", mod, i(7), i(3), i(1), "", nil},
		{"mod negative", mod, i(-7), i(3), i(-1), "", nil},
		{"mod by negative", mod, i(7), i(-3), i(1), "", nil},
		{"mod min by -1", mod, i(math.MinInt64), i(-1), i(0), "", nil},
		{"mod float", mod, f(7.5), i(2), f(1.5), "", nil},
		{"mod float neg", mod, f(-7.5), f(2), f(-1.5), "", nil},
		{"mod by zero", mod, i(7), i(0), missing, "division by zero", value.ErrDivideByZero},
		{"mod float by zero", mod, f(7), f(0), missing, "division by zero", value.ErrDivideByZero},
		{"mod null", mod, i(7), null, null, "", nil},
		{"mod string", mod, s("7"), i(2), missing, "string(7) % bigint(2)", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.op(tc.a, tc.b)
			if tc.errText != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.errText)
				if tc.errIs != nil {
					require.ErrorIs(t, err, tc.errIs)
				}
				var oe *value.OpError
				require.ErrorAs(t, err, &oe)
				return
			}
			require.NoError(t, err)
			requireIdentical(t, tc.want, got)
		})
	}
}

func TestBitwise(t *testing.T) {
	type binop func(a, b value.Value) (value.Value, error)
	cases := []struct {
		name    string
		op      binop
		a, b    value.Value
		want    value.Value
		errText string
	}{
		{"and", value.BitAnd, i(12), i(10), i(8), ""},
		{"or", value.BitOr, i(12), i(10), i(14), ""},
		{"xor", value.BitXor, i(12), i(10), i(6), ""},
		{"and 255 1", value.BitAnd, i(255), i(1), i(1), ""},
		{"or 255 1", value.BitOr, i(255), i(1), i(255), ""},
		{"xor 255 1", value.BitXor, i(255), i(1), i(254), ""},
		{"negative", value.BitAnd, i(-1), i(0x0f), i(0x0f), ""},
		{"null", value.BitAnd, null, i(1), null, ""},
		{"missing", value.BitOr, i(1), missing, null, ""},
		{"float rejected", value.BitAnd, f(12), f(10), missing, "invalid operation float(12) & float(10)"},
		{"int and float rejected", value.BitOr, i(12), f(10), missing, "invalid operation bigint(12) | float(10)"},
		{"string rejected", value.BitXor, s("a"), i(1), missing, "invalid operation string(a) ^ bigint(1)"},
		{"bool rejected", value.BitAnd, b(true), b(false), missing, "invalid operation boolean(true) & boolean(false)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.op(tc.a, tc.b)
			if tc.errText != "" {
				require.EqualError(t, err, tc.errText)
				return
			}
			require.NoError(t, err)
			requireIdentical(t, tc.want, got)
		})
	}
}

func TestNeg(t *testing.T) {
	cases := []struct {
		name    string
		a       value.Value
		want    value.Value
		errText string
	}{
		{"int", i(5), i(-5), ""},
		{"negative int", i(-2), i(2), ""},
		{"float", f(2.5), f(-2.5), ""},
		{"zero float", f(0), f(math.Copysign(0, -1)), ""},
		{"nan", f(nan), f(nan), ""},
		{"null", null, null, ""},
		{"missing", missing, null, ""},
		{"min int", i(math.MinInt64), missing, "invalid operation -bigint(-9223372036854775808): bigint overflow"},
		{"string", s("x"), missing, "invalid operation -string(x)"},
		{"bool", b(true), missing, "invalid operation -boolean(true)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := value.Neg(tc.a)
			if tc.errText != "" {
				require.EqualError(t, err, tc.errText)
				return
			}
			require.NoError(t, err)
			requireIdentical(t, tc.want, got)
		})
	}
}

func TestArithmeticAllocs(t *testing.T) {
	a, c := i(7), f(2.5)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = value.Add(a, c)
		_, _ = value.Sub(a, a)
		_, _ = value.Mul(c, c)
		_, _ = value.Div(a, a)
		_, _ = value.Mod(a, a)
		_, _ = value.BitAnd(a, a)
		_, _ = value.Neg(c)
		_, _ = value.Compare(a, c)
		_, _ = value.CompareOp(value.OpGe, a, c)
		_ = value.Equal(a, c)
		_ = a.Hash64()
		_, _ = value.Cast(a, value.Float)
		_, _ = value.Coerce(c, value.Float)
		_, _ = value.ToBool(b(true))
	})
	require.Zero(t, allocs)
}

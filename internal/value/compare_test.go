package value_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

func TestCompare(t *testing.T) {
	big := int64(1)<<53 + 1
	cases := []struct {
		name    string
		a, b    value.Value
		want    int
		errText string
	}{
		{"int lt", i(1), i(2), -1, ""},
		{"int eq", i(2), i(2), 0, ""},
		{"int gt", i(3), i(2), 1, ""},
		{"int float eq", i(1), f(1.0), 0, ""},
		{"float int gt", f(3.5), i(2), 1, ""},
		{"int float fraction", i(3), f(3.5), -1, ""},
		{"int float negative fraction", i(-3), f(-3.5), 1, ""},
		{"big int vs rounded float", i(big), f(float64(big)), 1, ""},
		{"float vs big int", f(float64(big)), i(big), -1, ""},
		{"int vs huge float", i(math.MaxInt64), f(1e19), -1, ""},
		{"int vs huge negative float", i(math.MinInt64), f(-1e19), 1, ""},
		{"int vs 2^63", i(math.MaxInt64), f(9223372036854775808.0), -1, ""},
		{"int vs -2^63", i(math.MinInt64), f(-9223372036854775808.0), 0, ""},
		{"int vs inf", i(1), f(math.Inf(1)), -1, ""},
		{"int vs -inf", i(1), f(math.Inf(-1)), 1, ""},
		{"nan first vs int", f(nan), i(1), -1, ""},
		{"int vs nan", i(1), f(nan), 1, ""},
		{"nan vs nan", f(nan), f(nan), 0, ""},
		{"float vs nan", f(-inf), f(nan), 1, ""},
		{"zero vs neg zero", f(0), f(math.Copysign(0, -1)), 0, ""},
		{"string", s("a"), s("b"), -1, ""},
		{"string eq", s("ab"), s("ab"), 0, ""},
		{"string bytewise", s("B"), s("a"), -1, ""},
		{"bool", b(false), b(true), -1, ""},
		{"bool eq", b(true), b(true), 0, ""},
		{"time eq", tv, tv, 0, ""},
		{"time vs ms int", tv, i(1700000000123), 0, ""},
		{"time vs ms int lt", tv, i(1700000000124), -1, ""},
		{"ms int vs time", i(1700000000124), tv, 1, ""},
		{"time vs ms float", tv, f(1700000000123), 0, ""},
		{"time vs ms float gt", tv, f(1700000000122.5), 1, ""},
		{"float vs time", f(1700000000122.5), tv, -1, ""},
		{"time sub-ms vs int", value.TimeValue(ts.Add(500)), i(1700000000123), 1, ""},
		{"time before epoch", value.TimeFromMillis(-1), i(-1), 0, ""},
		{"time vs string", tv, s("2023-11-14T22:13:20.123Z"), 0, ""},
		{"time vs rfc3339 string", tv, s("2023-11-14T22:13:21Z"), -1, ""},
		{"string vs time", s("2023-11-14T23:13:20.123+01:00"), tv, 0, ""},
		{"time vs bad string", tv, s("yesterday"), 0, "cannot compare datetime(2023-11-14T22:13:20.123Z) with string(yesterday)"},
		{"string vs int", s("x"), i(1), 0, "cannot compare string(x) with bigint(1)"},
		{"int vs string", i(1), s("1"), 0, "string(1)"},
		{"bool vs int", b(true), i(1), 0, "boolean(true)"},
		{"array", arr(i(1)), arr(i(1)), 0, "array([1])"},
		{"object", obj("a", i(1)), obj("a", i(1)), 0, "struct"},
		{"bytes", value.BytesValue([]byte("a")), value.BytesValue([]byte("a")), 0, "bytea(YQ==)"},
		{"null", null, i(1), 0, "null"},
		{"missing", i(1), missing, 0, "missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := value.Compare(tc.a, tc.b)
			if tc.errText != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.errText)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestCompareOp(t *testing.T) {
	ops := []value.Op{value.OpEq, value.OpNe, value.OpLt, value.OpLe, value.OpGt, value.OpGe}
	cases := []struct {
		name    string
		a, b    value.Value
		want    [6]bool // eq ne lt le gt ge
		errText string
	}{
		{"1 vs 2", f(1), f(2), [6]bool{false, true, true, true, false, false}, ""},
		{"2 vs 2", f(2), f(2), [6]bool{true, false, false, true, false, true}, ""},
		{"3.5 vs 2", f(3.5), f(2), [6]bool{false, true, false, false, true, true}, ""},
		{"int vs float", i(1), f(1), [6]bool{true, false, false, true, false, true}, ""},
		{"null left", null, i(1), [6]bool{}, ""},
		{"missing right", i(1), missing, [6]bool{}, ""},
		{"null null", null, null, [6]bool{}, ""},
		{"null vs string", null, s("x"), [6]bool{}, ""},
		{"strings", s("a"), s("b"), [6]bool{false, true, true, true, false, false}, ""},
		{"string vs number", s("x"), f(1), [6]bool{}, "invalid operation string(x) %s float(1)"},
		{"array", arr(), arr(), [6]bool{}, "invalid operation array([]) %s array([])"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for j, op := range ops {
				got, err := value.CompareOp(op, tc.a, tc.b)
				if tc.errText != "" {
					require.EqualError(t, err, sprintf(tc.errText, op.String()))
					continue
				}
				require.NoError(t, err, op.String())
				require.Equal(t, tc.want[j], got, op.String())
			}
		})
	}

	t.Run("bools", func(t *testing.T) {
		got, err := value.CompareOp(value.OpEq, b(true), b(true))
		require.NoError(t, err)
		require.True(t, got)
		got, err = value.CompareOp(value.OpNe, b(true), b(false))
		require.NoError(t, err)
		require.True(t, got)
		_, err = value.CompareOp(value.OpLt, b(false), b(true))
		require.EqualError(t, err, "invalid operation boolean(false) < boolean(true)")
	})
}

func sprintf(format, op string) string {
	out := []byte{}
	for j := 0; j < len(format); j++ {
		if format[j] == '%' && j+1 < len(format) && format[j+1] == 's' {
			out = append(out, op...)
			j++
			continue
		}
		out = append(out, format[j])
	}
	return string(out)
}

func TestEqualAndHash(t *testing.T) {
	bytesA := value.BytesValue([]byte("a"))
	cases := []struct {
		name string
		a, b value.Value
		want bool
	}{
		{"int int", i(1), i(1), true},
		{"int float", i(1), f(1.0), true},
		{"float int", f(2), i(2), true},
		{"int float differ", i(1), f(1.5), false},
		{"big int vs float", i(1<<53 + 1), f(1 << 53), false},
		{"neg zero", f(math.Copysign(0, -1)), i(0), true},
		{"nan nan", f(nan), f(nan), true},
		{"nan int", f(nan), i(0), false},
		{"strings", s("a"), s("a"), true},
		{"strings differ", s("a"), s("b"), false},
		{"string vs number", s("1"), i(1), false},
		{"string vs bytes", s("a"), bytesA, false},
		{"bytes", bytesA, value.BytesValue([]byte("a")), true},
		{"bools", b(true), b(true), true},
		{"bools differ", b(true), b(false), false},
		{"bool vs int", b(true), i(1), false},
		{"time", tv, value.TimeValue(ts), true},
		{"time vs ms", tv, i(1700000000123), false},
		{"null null", null, null, false},
		{"null missing", null, missing, false},
		{"int null", i(1), null, false},
		{"arrays", arr(i(1), s("x")), arr(f(1), s("x")), true},
		{"arrays with null", arr(i(1), null), arr(i(1), null), true},
		{"arrays differ", arr(i(1)), arr(i(1), i(2)), false},
		{"arrays differ elem", arr(i(1)), arr(i(2)), false},
		{"objects any order", obj("a", i(1), "b", s("x")), obj("b", s("x"), "a", f(1)), true},
		{"objects missing ignored", obj("a", i(1), "z", missing), obj("a", i(1)), true},
		{"objects differ", obj("a", i(1)), obj("a", i(2)), false},
		{"objects extra key", obj("a", i(1)), obj("a", i(1), "b", i(2)), false},
		{"objects null field", obj("a", null), obj("a", null), true},
		{"nested", obj("a", arr(obj("b", i(1)))), obj("a", arr(obj("b", f(1)))), true},
		{"array vs object", arr(), obj(), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, value.Equal(tc.a, tc.b))
			require.Equal(t, tc.want, value.Equal(tc.b, tc.a), "symmetric")
			if tc.want {
				require.Equal(t, tc.a.Hash64(), tc.b.Hash64(), "equal values hash alike")
			}
		})
	}

	t.Run("hashes differ", func(t *testing.T) {
		vals := []value.Value{i(0), i(1), i(-1), f(1.5), f(nan), s(""), s("a"), s("b"), value.BytesValue([]byte("a")),
			b(true), b(false), tv, arr(), arr(i(1)), arr(i(1), i(2)), arr(i(2), i(1)), obj(), obj("a", i(1)), obj("b", i(1)),
			obj("a", i(2)), null}
		seen := map[uint64]string{}
		for _, v := range vals {
			h := v.Hash64()
			prev, dup := seen[h]
			require.False(t, dup, "%v and %s hash alike", v, prev)
			seen[h] = v.String()
		}
	})
}

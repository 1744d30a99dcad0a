package value_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

// stdJSON marshals x with encoding/json, with or without HTML escaping.
func stdJSON(t *testing.T, x any, html bool) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(html)
	require.NoError(t, enc.Encode(x))
	return strings.TrimSuffix(buf.String(), "\n")
}

func TestAppendJSON(t *testing.T) {
	cases := []struct {
		name  string
		v     value.Value
		style value.JSONStyle
		want  string
	}{
		{"null", null, 0, "null"},
		{"missing", missing, 0, "null"},
		{"true", b(true), 0, "true"},
		{"false", b(false), 0, "false"},
		{"int", i(-42), 0, "-42"},
		{"min int", i(math.MinInt64), 0, "-9223372036854775808"},
		{"whole float", f(43), 0, "43"},
		{"float", f(63.07), 0, "63.07"},
		{"big float", f(1e21), 0, "1e+21"},
		{"below big float", f(1e20), 0, "100000000000000000000"},
		{"small float", f(0.000001), 0, "0.000001"},
		{"smaller float", f(1e-7), 0, "1e-7"},
		{"tiny float", f(2e-300), 0, "2e-300"},
		{"negative small", f(-2.5e-8), 0, "-2.5e-8"},
		{"neg zero", f(math.Copysign(0, -1)), 0, "-0"},
		{"nan", f(nan), 0, "null"},
		{"inf", f(inf), 0, "null"},
		{"string", s("a\"b\\c\n\t\r\b\f\x01\x1f"), 0, `"a\"b\\c\n\t\r\b\f\u0001\u001f"`},
		{"html kept", s("<a&b>"), 0, `"<a&b>"`},
		{"html escaped", s("<a&b>"), value.EscapeHTML, `"\u003ca\u0026b\u003e"`},
		{"unicode", s("温度 é"), 0, `"温度 é"`},
		{"line separators", s("a\u2028b\u2029c"), 0, `"a\u2028b\u2029c"`},
		{"invalid utf8", s("a\xffb\xc3"), 0, `"a\ufffdb\ufffd"`},
		{"bytes", value.BytesValue([]byte("hello")), 0, `"aGVsbG8="`},
		{"empty bytes", value.BytesValue(nil), 0, `""`},
		{"time", tv, 0, `"2023-11-14T22:13:20.123Z"`},
		{"time whole second", value.TimeFromMillis(1709251199000), 0, `"2024-02-29T23:59:59.000Z"`},
		{"empty array", arr(), 0, "[]"},
		{"nil array", value.ArrayValue(nil), 0, "[]"},
		{"array", arr(i(1), f(2.5), s("x"), null, missing), 0, `[1,2.5,"x",null,null]`},
		{"empty object", obj(), 0, "{}"},
		{"object order kept", obj("b", i(1), "a", i(2)), 0, `{"b":1,"a":2}`},
		{"object sorted", obj("b", i(1), "a", i(2), "c", null), value.SortKeys, `{"a":2,"b":1,"c":null}`},
		{"object missing skipped", obj("a", missing, "b", i(1), "c", missing), 0, `{"b":1}`},
		{"object missing skipped sorted", obj("c", missing, "b", i(1), "a", missing), value.SortKeys, `{"b":1}`},
		{"object only missing", obj("a", missing), value.SortKeys, `{}`},
		{"nested sorted", obj("z", obj("y", i(1), "x", arr(obj("b", i(1), "a", i(2))))), value.SortKeys,
			`{"z":{"x":[{"a":2,"b":1}],"y":1}}`},
		{"escaped key", obj("a\"b", i(1)), 0, `{"a\"b":1}`},
		{"nil object", value.ObjectValue(nil), 0, "null"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.v.AppendJSON([]byte("prefix:"), tc.style)
			require.Equal(t, "prefix:"+tc.want, string(got))
		})
	}
}

func TestAppendJSONLargeObjectSorted(t *testing.T) {
	o := value.NewObject(100)
	m := map[string]any{}
	for j := 99; j >= 0; j-- {
		k := string(rune('a'+j%26)) + strings.Repeat("x", j/26)
		o.Append(k, i(int64(j)))
		m[k] = int64(j)
	}
	got := value.ObjectValue(o).AppendJSON(nil, value.SortKeys)
	require.Equal(t, stdJSON(t, m, false), string(got))
}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	special := []float64{0, 1, -1, 0.1, 1e-6, 9.999999e-7, 1e-7, 1e20, 1e21, 999999999999999999999.0, 123456789.123,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 5e-324, 1.7976931348623157e308, 2e-7, 3e-7, 0.30000000000000004}
	for j := 0; j < 20000; j++ {
		var x float64
		switch j % 3 {
		case 0:
			x = math.Float64frombits(r.Uint64())
		case 1:
			x = r.NormFloat64() * math.Pow(10, float64(r.IntN(60)-30))
		default:
			x = float64(r.Int64N(1<<60)) / math.Pow(10, float64(r.IntN(25)))
		}
		special = append(special, x)
	}
	for _, x := range special {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		want, err := json.Marshal(x)
		require.NoError(t, err)
		require.Equal(t, string(want), string(value.AppendFloat(nil, x)), "float %v", x)
	}
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "é", "温", "\u2028", "\u2029", "<", ">", "&", "\"", "\\", "\x00", "\x1f", "\x7f", "\xff",
		"\xc3", "\xed\xa0\x80", "\U0001F600", "\t", "\n", "\b", "\f", "/", " "}
	for j := 0; j < 5000; j++ {
		var sb strings.Builder
		for k := r.IntN(12); k > 0; k-- {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		str := sb.String()
		for _, html := range []bool{false, true} {
			style := value.JSONStyle(0)
			if html {
				style = value.EscapeHTML
			}
			require.Equal(t, stdJSON(t, str, html), string(s(str).AppendJSON(nil, style)), "%q html=%v", str, html)
		}
	}
}

func TestAppendJSONMatchesEncodingJSONForPlainValues(t *testing.T) {
	x := map[string]any{
		"temperature": 63.07, "humidity": 12.5, "ts": int64(1764026000123), "name": "a<b",
		"tags":   []any{"x", 1.5, nil, true, map[string]any{"k": "v", "a": []any{}}},
		"nested": map[string]any{"z": 1e21, "y": 1e-7, "x": -0.0},
	}
	v := value.FromAny(x)
	for _, html := range []bool{false, true} {
		style := value.SortKeys
		if html {
			style |= value.EscapeHTML
		}
		require.Equal(t, stdJSON(t, x, html), string(v.AppendJSON(nil, style)))
	}
}

func TestString(t *testing.T) {
	cases := []struct {
		v    value.Value
		want string
	}{
		{s("ab"), "string(ab)"},
		{i(1), "bigint(1)"},
		{f(1.5), "float(1.5)"},
		{f(inf), "float(+Inf)"},
		{f(-inf), "float(-Inf)"},
		{b(true), "boolean(true)"},
		{tv, "datetime(2023-11-14T22:13:20.123Z)"},
		{value.BytesValue([]byte("hi")), "bytea(aGk=)"},
		{arr(i(1), s("x")), `array([1,"x"])`},
		{obj("b", i(1), "a", i(2)), `struct({"a":2,"b":1})`},
		{null, "null"},
		{missing, "missing"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			require.Equal(t, tc.want, tc.v.String())
		})
	}
}

func TestFromAnyToAny(t *testing.T) {
	when := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	type point struct {
		X int    `json:"x"`
		Y string `json:"y"`
	}
	cases := []struct {
		name   string
		in     any
		want   value.Value
		roundT any // what ToAny gives back
	}{
		{"nil", nil, null, nil},
		{"bool", true, b(true), true},
		{"string", "x", s("x"), "x"},
		{"float64", 1.5, f(1.5), 1.5},
		{"float32", float32(0.5), f(0.5), 0.5},
		{"int", 3, i(3), int64(3)},
		{"int8", int8(-3), i(-3), int64(-3)},
		{"int16", int16(3), i(3), int64(3)},
		{"int32", int32(3), i(3), int64(3)},
		{"int64", int64(3), i(3), int64(3)},
		{"uint", uint(3), i(3), int64(3)},
		{"uint8", uint8(3), i(3), int64(3)},
		{"uint16", uint16(3), i(3), int64(3)},
		{"uint32", uint32(3), i(3), int64(3)},
		{"uint64 small", uint64(3), i(3), int64(3)},
		{"uint64 huge", uint64(math.MaxUint64), f(float64(math.MaxUint64)), float64(math.MaxUint64)},
		{"json int", json.Number("12"), i(12), int64(12)},
		{"json float", json.Number("1.5"), f(1.5), 1.5},
		{"json big", json.Number("1e400"), s("1e400"), "1e400"},
		{"bytes", []byte("hi"), value.BytesValue([]byte("hi")), []byte("hi")},
		{"time", when, value.TimeValue(when), when},
		{"time pointer", &when, value.TimeValue(when), when},
		{"map sorted", map[string]any{"b": 1.0, "a": "x"}, obj("a", s("x"), "b", f(1)), map[string]any{"a": "x", "b": 1.0}},
		{"slice", []any{1.0, "x", nil}, arr(f(1), s("x"), null), []any{1.0, "x", nil}},
		{"slice of maps", []map[string]any{{"a": 1.0}}, arr(obj("a", f(1))), []any{map[string]any{"a": 1.0}}},
		{"strings", []string{"a"}, arr(s("a")), []any{"a"}},
		{"floats", []float64{1.5}, arr(f(1.5)), []any{1.5}},
		{"int64s", []int64{1}, arr(i(1)), []any{int64(1)}},
		{"ints", []int{1}, arr(i(1)), []any{int64(1)}},
		{"bools", []bool{true}, arr(b(true)), []any{true}},
		{"raw message", json.RawMessage(`{"a":[1]}`), obj("a", arr(f(1))), map[string]any{"a": []any{1.0}}},
		{"struct via json", point{X: 1, Y: "y"}, obj("x", f(1), "y", s("y")), map[string]any{"x": 1.0, "y": "y"}},
		{"value", i(7), i(7), int64(7)},
		{"values", []value.Value{i(7)}, arr(i(7)), []any{int64(7)}},
		{"unmarshalable", func() {}, null, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := value.FromAny(tc.in)
			requireIdentical(t, tc.want, got)
			require.Equal(t, tc.roundT, got.ToAny())
		})
	}

	t.Run("object pointer and missing fields", func(t *testing.T) {
		o := value.NewObject(2)
		o.Append("a", i(1))
		o.Append("gone", missing)
		o.Append("n", null)
		v := value.FromAny(o)
		require.Equal(t, map[string]any{"a": int64(1), "n": nil}, v.ToAny())
		require.Nil(t, missing.ToAny())
		require.Nil(t, (*value.Object)(nil).ToMap())
	})
}

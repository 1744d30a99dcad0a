package value_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

func TestCast(t *testing.T) {
	bytesHello := value.BytesValue([]byte("hello"))
	cases := []struct {
		name    string
		v       value.Value
		to      value.Kind
		want    value.Value
		errText string
	}{
		// bigint
		{"int to int", i(5), value.Int, i(5), ""},
		{"float truncates", f(1.9), value.Int, i(1), ""},
		{"negative float truncates", f(-1.9), value.Int, i(-1), ""},
		{"nan to int", f(nan), value.Int, missing, "cannot convert float(NaN) to bigint"},
		{"inf to int", f(inf), value.Int, missing, "to bigint"},
		{"huge float to int", f(1e19), value.Int, missing, "to bigint"},
		{"string to int", s("12"), value.Int, i(12), ""},
		{"negative string to int", s("-12"), value.Int, i(-12), ""},
		{"hex string to int", s("0x1f"), value.Int, i(31), ""},
		{"bad string to int", s("abc"), value.Int, missing, "cannot convert string(abc) to bigint"},
		{"float string to int", s("1.5"), value.Int, missing, "cannot convert string(1.5) to bigint"},
		{"overflow string to int", s("9223372036854775808"), value.Int, missing, "to bigint"},
		{"bool to int", b(true), value.Int, i(1), ""},
		{"false to int", b(false), value.Int, i(0), ""},
		{"time to int", tv, value.Int, i(1700000000123), ""},
		{"bytes to int", bytesHello, value.Int, missing, "cannot convert bytea(aGVsbG8=) to bigint"},
		{"array to int", arr(), value.Int, missing, "cannot convert array([]) to bigint"},
		{"null to int", null, value.Int, null, ""},
		{"missing to int", missing, value.Int, null, ""},
		// float
		{"int to float", i(3), value.Float, f(3), ""},
		{"string to float", s("2.5"), value.Float, f(2.5), ""},
		{"exp string to float", s("1e3"), value.Float, f(1000), ""},
		{"bad string to float", s("x"), value.Float, missing, "cannot convert string(x) to float"},
		{"bool to float", b(true), value.Float, f(1), ""},
		{"time to float", tv, value.Float, f(1700000000123), ""},
		{"object to float", obj(), value.Float, missing, "cannot convert struct({}) to float"},
		// string
		{"int to string", i(-42), value.String, s("-42"), ""},
		{"float to string", f(1.5), value.String, s("1.5"), ""},
		{"whole float to string", f(123), value.String, s("123"), ""},
		{"big float to string", f(1e21), value.String, s("1000000000000000000000"), ""},
		{"small float to string", f(1e-7), value.String, s("0.0000001"), ""},
		{"bool to string", b(true), value.String, s("true"), ""},
		{"bytes to string", bytesHello, value.String, s("hello"), ""},
		{"time to string", tv, value.String, s("2023-11-14T22:13:20.123Z"), ""},
		{"whole second time to string", value.TimeFromMillis(1709251199000), value.String, s("2024-02-29T23:59:59.000Z"), ""},
		{"array to string", arr(i(1), s("a")), value.String, s(`[1,"a"]`), ""},
		{"object to string sorted", obj("b", i(2), "a", i(1)), value.String, s(`{"a":1,"b":2}`), ""},
		// boolean
		{"string true", s("true"), value.Bool, b(true), ""},
		{"string 1", s("1"), value.Bool, b(true), ""},
		{"string F", s("F"), value.Bool, b(false), ""},
		{"bad string bool", s("yes"), value.Bool, missing, "cannot convert string(yes) to boolean"},
		{"int 0 bool", i(0), value.Bool, b(false), ""},
		{"int 2 bool", i(2), value.Bool, b(true), ""},
		{"float 0 bool", f(0), value.Bool, b(false), ""},
		{"float bool", f(0.1), value.Bool, b(true), ""},
		{"time bool", tv, value.Bool, missing, "to boolean"},
		// datetime
		{"int ms to time", i(1700000000123), value.Time, tv, ""},
		{"float ms to time", f(1700000000123), value.Time, tv, ""},
		{"huge int to time", i(math.MaxInt64), value.Time, missing, "to datetime"},
		{"huge float to time", f(1e300), value.Time, missing, "to datetime"},
		{"nan to time", f(nan), value.Time, missing, "to datetime"},
		{"string to time", s("2023-11-14T22:13:20.123Z"), value.Time, tv, ""},
		{"offset string to time", s("2023-11-15T06:13:20.123+08:00"), value.Time, tv, ""},
		{"rfc3339 to time", s("2023-11-14T22:13:20.123000Z"), value.Time, tv, ""},
		{"bad string to time", s("2023-11-14"), value.Time, missing, "cannot convert string(2023-11-14) to datetime"},
		{"bool to time", b(true), value.Time, missing, "to datetime"},
		// bytea
		{"base64 to bytes", s("aGVsbG8="), value.Bytes, bytesHello, ""},
		{"bad base64 to bytes", s("hello!"), value.Bytes, missing, "cannot convert string(hello!) to bytea: not base64"},
		{"int to bytes", i(1), value.Bytes, missing, "to bytea"},
		// containers
		{"array to array", arr(i(1)), value.Array, arr(i(1)), ""},
		{"string to array", s("[1]"), value.Array, missing, "to array"},
		{"object to object", obj("a", i(1)), value.Obj, obj("a", i(1)), ""},
		{"int to object", i(1), value.Obj, missing, "to struct"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := value.Cast(tc.v, tc.to)
			if tc.errText != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.errText)
				var ce *value.ConvError
				require.True(t, errors.As(err, &ce))
				return
			}
			require.NoError(t, err)
			requireIdentical(t, tc.want, got)
		})
	}
}

func TestCoerce(t *testing.T) {
	cases := []struct {
		name string
		v    value.Value
		to   value.Kind
		want value.Value
		fail bool
	}{
		{"int into bigint", i(3), value.Int, i(3), false},
		{"integral float into bigint", f(2), value.Int, i(2), false},
		{"negative integral float into bigint", f(-2), value.Int, i(-2), false},
		{"fractional float into bigint", f(1.5), value.Int, missing, true},
		{"huge float into bigint", f(1e19), value.Int, missing, true},
		{"nan into bigint", f(nan), value.Int, missing, true},
		{"string into bigint", s("x"), value.Int, missing, true},
		{"numeric string into bigint", s("3"), value.Int, missing, true},
		{"bool into bigint", b(true), value.Int, missing, true},
		{"null into bigint", null, value.Int, null, false},
		{"missing into bigint", missing, value.Int, missing, false},
		{"int into float", i(3), value.Float, f(3), false},
		{"float into float", f(2.5), value.Float, f(2.5), false},
		{"string into float", s("2.5"), value.Float, missing, true},
		{"string into string", s("a"), value.String, s("a"), false},
		{"bytes into string", value.BytesValue([]byte("a")), value.String, s("a"), false},
		{"number into string", f(1), value.String, missing, true},
		{"bool into boolean", b(false), value.Bool, b(false), false},
		{"int into boolean", i(1), value.Bool, missing, true},
		{"string into boolean", s("true"), value.Bool, missing, true},
		{"ms into datetime", f(1700000000123), value.Time, tv, false},
		{"int ms into datetime", i(1700000000123), value.Time, tv, false},
		{"string into datetime", s("2023-11-14T22:13:20.123Z"), value.Time, tv, false},
		{"bad string into datetime", s("x"), value.Time, missing, true},
		{"base64 into bytea", s("aGk="), value.Bytes, value.BytesValue([]byte("hi")), false},
		{"bad base64 into bytea", s("!"), value.Bytes, missing, true},
		{"array into array", arr(), value.Array, arr(), false},
		{"object into array", obj(), value.Array, missing, true},
		{"object into struct", obj(), value.Obj, obj(), false},
		{"string into struct", s("{}"), value.Obj, missing, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := value.Coerce(tc.v, tc.to)
			if tc.fail {
				require.Error(t, err)
				require.Contains(t, err.Error(), "cannot convert")
				return
			}
			require.NoError(t, err)
			requireIdentical(t, tc.want, got)
		})
	}
}

func TestCoerceType(t *testing.T) {
	bigint := &value.Type{Kind: value.Int}
	float := &value.Type{Kind: value.Float}
	str := &value.Type{Kind: value.String}
	room := &value.Type{Kind: value.Obj, Fields: []value.Column{{Name: "room", Type: str}}}
	dev := &value.Type{Kind: value.Obj, Fields: []value.Column{{Name: "name", Type: str}, {Name: "loc", Type: room}}}
	ints := &value.Type{Kind: value.Array, Elem: bigint}
	cases := []struct {
		name    string
		v       value.Value
		typ     *value.Type
		want    value.Value
		errText string
	}{
		{"nil type", s("x"), nil, s("x"), ""},
		{"any type", s("x"), &value.Type{}, s("x"), ""},
		{"scalar", f(2), bigint, i(2), ""},
		{"null scalar", null, bigint, null, ""},
		{"array elements", arr(f(1), f(2), null), ints, arr(i(1), i(2), null), ""},
		{"array unchanged", arr(i(1), i(2)), ints, arr(i(1), i(2)), ""},
		{"array bad element", arr(f(1), f(2.5)), ints, missing, "element 1: cannot convert float(2.5) to bigint"},
		{"array any", arr(s("a"), i(1)), &value.Type{Kind: value.Array}, arr(s("a"), i(1)), ""},
		{"not array", i(1), ints, missing, "cannot convert bigint(1) to array"},
		{"struct keeps declared", obj("loc", obj("room", s("k"), "x", i(1)), "name", s("d1"), "extra", b(true)), dev,
			obj("name", s("d1"), "loc", obj("room", s("k"))), ""},
		{"struct missing field", obj("name", s("d1")), dev, obj("name", s("d1")), ""},
		{"struct bad nested", obj("loc", obj("room", i(1))), dev, missing, "field loc: field room: cannot convert bigint(1) to string"},
		{"struct any", obj("a", i(1)), &value.Type{Kind: value.Obj}, obj("a", i(1)), ""},
		{"not struct", arr(), dev, missing, "cannot convert array([]) to struct"},
		{"float column", i(3), float, f(3), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := value.CoerceType(tc.v, tc.typ)
			if tc.errText != "" {
				require.EqualError(t, err, tc.errText)
				return
			}
			require.NoError(t, err)
			requireIdentical(t, tc.want, got)
		})
	}
	require.Equal(t, "struct(name string, loc struct(room string))", dev.String())
	require.Equal(t, "array(bigint)", ints.String())
}

func TestToBool(t *testing.T) {
	cases := []struct {
		name string
		v    value.Value
		want bool
		fail bool
	}{
		{"true", b(true), true, false},
		{"false", b(false), false, false},
		{"null", null, false, false},
		{"missing", missing, false, false},
		{"int", i(1), false, true},
		{"string", s("true"), false, true},
		{"float", f(1), false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := value.ToBool(tc.v)
			if tc.fail {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseKind(t *testing.T) {
	for name, want := range map[string]value.Kind{
		"bigint": value.Int, "FLOAT": value.Float, "string": value.String, "Boolean": value.Bool,
		"datetime": value.Time, "bytea": value.Bytes, "array": value.Array, "struct": value.Obj,
	} {
		got, ok := value.ParseKind(name)
		require.True(t, ok, name)
		require.Equal(t, want, got, name)
	}
	for _, name := range []string{"", "null", "missing", "int", "unknown"} {
		_, ok := value.ParseKind(name)
		require.False(t, ok, name)
	}
}

func TestParseTime(t *testing.T) {
	got, err := value.ParseTime("2023-11-14T22:13:20.123Z")
	require.NoError(t, err)
	require.True(t, got.Equal(ts))
	got, err = value.ParseTime("2023-11-14T22:13:20Z")
	require.NoError(t, err)
	require.True(t, got.Equal(ts.Truncate(time.Second)))
	_, err = value.ParseTime("14/11/2023")
	require.EqualError(t, err, `parse datetime "14/11/2023": want the format 2006-01-02T15:04:05.000Z07:00`)
	require.Equal(t, int64(1700000000123), tv.UnixMilli())
	require.Equal(t, int64(-1), value.TimeValue(time.Unix(0, -1)).UnixMilli())
}

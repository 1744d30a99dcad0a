package function

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

func TestConversion(t *testing.T) {
	runFnCases(t, []fnCase{
		{name: "cast string to bigint", fn: "cast", args: []value.Value{vs("12"), vs("bigint")}, want: "12"},
		{name: "cast bad string", fn: "cast", args: []value.Value{vs("abc"), vs("bigint")}, err: "cannot convert"},
		{name: "cast float to bigint", fn: "cast", args: []value.Value{vf(-1.9), vs("bigint")}, want: "-1"},
		{name: "cast to float", fn: "cast", args: []value.Value{vs("1.5"), vs("float")}, want: "1.5"},
		{name: "cast to boolean", fn: "cast", args: []value.Value{vs("true"), vs("boolean")}, want: "true"},
		{name: "cast zero to boolean", fn: "cast", args: []value.Value{vi(0), vs("boolean")}, want: "false"},
		{name: "cast bool to string", fn: "cast", args: []value.Value{vb(true), vs("string")}, want: `"true"`},
		{name: "cast float to string", fn: "cast", args: []value.Value{vf(12), vs("string")}, want: `"12"`},
		{name: "cast to datetime", fn: "cast", args: []value.Value{vi(1700000000123), vs("datetime")}, want: `"2023-11-14T22:13:20.123Z"`},
		{name: "cast upper-case type", fn: "cast", args: []value.Value{vs("7"), vs("BIGINT")}, want: "7"},
		{name: "cast to bytea", fn: "cast", args: []value.Value{vs("aGk="), vs("bytea")}, want: `"aGk="`},
		{name: "cast null", fn: "cast", args: []value.Value{vnull, vs("bigint")}, want: "missing"},
		{name: "cast unknown type", fn: "cast", args: []value.Value{vi(1), vs("int")}, err: `unknown type "int"`},
		{name: "chr", fn: "chr", args: []value.Value{vi(65)}, want: `"A"`},
		{name: "chr json number", fn: "chr", args: []value.Value{vf(97)}, want: `"a"`},
		{name: "chr string", fn: "chr", args: []value.Value{vs("x")}, want: `"x"`},
		{name: "chr long string", fn: "chr", args: []value.Value{vs("xy")}, err: "single character"},
		{name: "chr invalid", fn: "chr", args: []value.Value{vi(-1)}, err: "not a Unicode code point"},
		{name: "chr surrogate", fn: "chr", args: []value.Value{vi(0xD800)}, err: "not a Unicode code point"},
		{name: "encode base64", fn: "encode", args: []value.Value{vs("hello"), vs("base64")}, want: `"aGVsbG8="`},
		{name: "encode bytes hex", fn: "encode", args: []value.Value{value.BytesValue([]byte{0xff, 0}), vs("hex")}, want: `"ff00"`},
		{name: "encode number", fn: "encode", args: []value.Value{vi(1), vs("base64")}, err: "must be a string or bytea"},
		{name: "encode unknown", fn: "encode", args: []value.Value{vs("a"), vs("rot13")}, err: "unsupported encoding"},
		{name: "decode base64", fn: "decode", args: []value.Value{vs("aGVsbG8="), vs("base64")}, want: `"aGVsbG8="`},
		{name: "decode bad base64", fn: "decode", args: []value.Value{vs("!!"), vs("base64")}, err: "decode base64"},
		{name: "decode hex", fn: "decode", args: []value.Value{vs("6869"), vs("hex")}, want: `"aGk="`},
		{name: "trunc", fn: "trunc", args: []value.Value{vf(3.14159), vi(2)}, want: "3.14"},
		{name: "trunc negative", fn: "trunc", args: []value.Value{vf(-2.789), vi(2)}, want: "-2.79"},
		{name: "trunc zero digits", fn: "trunc", args: []value.Value{vf(-2.789), vi(0)}, want: "-3"},
		{name: "trunc clamps negative digits", fn: "trunc", args: []value.Value{vf(2.5), vi(-3)}, want: "3"},
		{name: "trunc int", fn: "trunc", args: []value.Value{vi(5), vi(2)}, want: "5"},
		{name: "trunc string", fn: "trunc", args: []value.Value{vs("5"), vi(2)}, err: "must be a number"},
		{name: "to_seconds", fn: "to_seconds", args: []value.Value{vi(1700000000999)}, want: "1700000000"},
		{name: "convert_tz unknown zone", fn: "convert_tz", args: []value.Value{vi(0), vs("Mars/Base")}, err: "unknown time zone"},
		{name: "convert_tz keeps the instant", fn: "to_seconds", args: []value.Value{value.TimeValue(time.Unix(1700000000, 0))}, want: "1700000000"},
		{name: "hex2dec", fn: "hex2dec", args: []value.Value{vs("0x10")}, want: "16"},
		{name: "hex2dec plain", fn: "hex2dec", args: []value.Value{vs("FF")}, want: "255"},
		{name: "hex2dec negative", fn: "hex2dec", args: []value.Value{vs("-0x8000000000000000")}, want: "-9223372036854775808"},
		{name: "hex2dec overflow", fn: "hex2dec", args: []value.Value{vs("0x8000000000000000")}, err: "not a hexadecimal bigint"},
		{name: "hex2dec bad", fn: "hex2dec", args: []value.Value{vs("xyz")}, err: "not a hexadecimal"},
		{name: "hex2dec number", fn: "hex2dec", args: []value.Value{vi(10)}, err: "must be a string"},
		{name: "dec2hex", fn: "dec2hex", args: []value.Value{vi(255)}, want: `"0xff"`},
		{name: "dec2hex json number", fn: "dec2hex", args: []value.Value{vf(16)}, want: `"0x10"`},
		{name: "dec2hex zero", fn: "dec2hex", args: []value.Value{vi(0)}, want: `"0x0"`},
		{name: "compress unknown", fn: "compress", args: []value.Value{vs("a"), vs("lz4")}, err: "unsupported method"},
		{name: "decompress garbage", fn: "decompress", args: []value.Value{vs("not zlib"), vs("zlib")}, err: "decompress zlib"},
	})
}

func TestConversion_CompressRoundTrip(t *testing.T) {
	payload := vs("hello hello hello hello hello")
	for _, method := range compressMethods {
		t.Run(method, func(t *testing.T) {
			ctx := exampleContext()
			for range 3 { // the writer is reused across rows
				c, err := callFn(t, ctx, "compress", payload, vs(method))
				require.NoError(t, err)
				require.Equal(t, value.Bytes, c.Kind())
				d, err := callFn(t, nil, "decompress", c, vs(method))
				require.NoError(t, err)
				require.Equal(t, payload.Str(), d.Str())
			}
		})
	}
}

func TestConversion_ConvertTZ(t *testing.T) {
	v, err := callFn(t, nil, "convert_tz", vi(1700000000000), vs("Asia/Shanghai"))
	require.NoError(t, err)
	require.Equal(t, value.Time, v.Kind())
	require.Equal(t, int64(1700000000000), v.UnixMilli(), "the instant does not change")
	s, err := callFn(t, nil, "format_time", v, vs("yyyy-MM-dd HH:mm:ss XXX"))
	require.NoError(t, err)
	require.Equal(t, "2023-11-15 06:13:20 +08:00", s.Str())
	// Wall-clock parts follow the datetime's zone over the configured one.
	h, err := callFn(t, nil, "hour", v)
	require.NoError(t, err)
	require.Equal(t, int64(6), h.Int())
	d, err := callFn(t, nil, "day_of_month", v)
	require.NoError(t, err)
	require.Equal(t, int64(15), d.Int())
}

func TestConversion_Validate(t *testing.T) {
	reg := testRegistry()
	for _, tc := range []struct {
		fn   string
		args []Arg
		err  string
	}{
		{"cast", []Arg{col, lit(vs("int"))}, `argument 2 (type): unknown type "int"`},
		{"cast", []Arg{col, lit(vs("datetime"))}, ""},
		{"encode", []Arg{col, lit(vs("base32"))}, "unsupported encoding"},
		{"decode", []Arg{col, lit(vs("HEX"))}, ""},
		{"compress", []Arg{col, lit(vs("zstd"))}, "unsupported method"},
		{"convert_tz", []Arg{col, lit(vs("Nowhere/City"))}, "unknown time zone"},
		{"convert_tz", []Arg{col, lit(vs("UTC"))}, ""},
		{"dec2hex", []Arg{lit(vi(16))}, ""},
		{"chr", []Arg{lit(vi(65))}, ""},
	} {
		t.Run(tc.fn+" "+tc.err, func(t *testing.T) {
			s, _ := reg.Lookup(tc.fn)
			err := s.CheckArgs(tc.args)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.err)
		})
	}
}

package format_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/format"
	"github.com/kuiperio/kuiper/internal/value"
)

// dump renders a value with its kinds, so tables can tell 1 (bigint) from
// 1 (float): i:1, f:1, "s", true, null, b:base64, t:time, [..], {k:v}.
func dump(v value.Value) string {
	var sb strings.Builder
	dumpTo(&sb, v)
	return sb.String()
}

func dumpTo(sb *strings.Builder, v value.Value) {
	switch v.Kind() {
	case value.Missing:
		sb.WriteString("missing")
	case value.Null:
		sb.WriteString("null")
	case value.Bool:
		sb.WriteString(strconv.FormatBool(v.Bool()))
	case value.Int:
		sb.WriteString("i:" + strconv.FormatInt(v.Int(), 10))
	case value.Float:
		sb.WriteString("f:" + strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case value.String:
		sb.WriteString(strconv.Quote(v.Str()))
	case value.Bytes:
		sb.WriteString("b:" + base64.StdEncoding.EncodeToString([]byte(v.Str())))
	case value.Time:
		sb.WriteString("t:" + v.Time().Format(value.DefaultTimeFormat))
	case value.Array:
		sb.WriteByte('[')
		for j, e := range v.Array() {
			if j > 0 {
				sb.WriteByte(',')
			}
			dumpTo(sb, e)
		}
		sb.WriteByte(']')
	case value.Obj:
		o := v.Object()
		sb.WriteByte('{')
		for j, k := range o.Keys {
			if j > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(k + ":")
			dumpTo(sb, o.Vals[j])
		}
		sb.WriteByte('}')
	}
}

func decodeAll(t testing.TB, d format.Decoder, payload string) ([]string, error) {
	t.Helper()
	var rows []string
	err := d.Decode([]byte(payload), func(o *value.Object) {
		rows = append(rows, dump(value.ObjectValue(o)))
	})
	return rows, err
}

var (
	bigintT = &value.Type{Kind: value.Int}
	floatT  = &value.Type{Kind: value.Float}
	stringT = &value.Type{Kind: value.String}
	boolT   = &value.Type{Kind: value.Bool}
	timeT   = &value.Type{Kind: value.Time}
	bytesT  = &value.Type{Kind: value.Bytes}
)

func TestJSONDecode(t *testing.T) {
	cases := []struct {
		name    string
		opts    format.Options
		payload string
		want    []string
	}{
		{"reading", format.Options{}, `{"temperature":63.07,"humidity":12.5,"ts":1764026000123}`,
			[]string{`{temperature:f:63.07,humidity:f:12.5,ts:f:1.764026000123e+12}`}},
		{"empty object", format.Options{}, `{}`, []string{`{}`}},
		{"whitespace", format.Options{}, " \t\r\n{ \"a\" : 1 , \"b\" :\n[ 1 , 2 ] } \n", []string{`{a:f:1,b:[f:1,f:2]}`}},
		{"all kinds", format.Options{}, `{"n":null,"t":true,"f":false,"s":"x","a":[],"o":{},"num":-0.5e-3}`,
			[]string{`{n:null,t:true,f:false,s:"x",a:[],o:{},num:f:-0.0005}`}},
		{"nested", format.Options{}, `{"a":{"b":{"c":42}},"items":[{"name":"a","qty":1},{"name":"b"}]}`,
			[]string{`{a:{b:{c:f:42}},items:[{name:"a",qty:f:1},{name:"b"}]}`}},
		{"array of rows", format.Options{}, `[{"a":2},{"a":3}]`, []string{`{a:f:2}`, `{a:f:3}`}},
		{"empty array", format.Options{}, `[]`, nil},
		{"array of empty rows", format.Options{}, `[{},{}]`, []string{`{}`, `{}`}},
		{"escapes", format.Options{}, `{"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\u6e29\ud83d\ude00"}`,
			[]string{`{s:"a\"b\\c/d\b\f\n\r\té温😀"}`}},
		{"lone surrogates", format.Options{}, `{"s":"\ud83d x \ude00 \ud83d\u0041"}`, []string{"{s:\"\ufffd x \ufffd \ufffdA\"}"}},
		{"escaped key", format.Options{}, `{"\u6e29\u5ea6":21.5,"a-b":1,"my field":"v"}`,
			[]string{`{温度:f:21.5,a-b:f:1,my field:"v"}`}},
		{"raw unicode", format.Options{}, `{"温度":"é"}`, []string{`{温度:"é"}`}},
		{"invalid utf8 replaced", format.Options{}, "{\"s\":\"a\xffb\xed\xa0\x80\"}", []string{"{s:\"a\ufffdb\ufffd\ufffd\ufffd\"}"}},
		{"big int as float", format.Options{}, `{"a":9007199254740993}`, []string{`{a:f:9.007199254740992e+15}`}},
		{"integers", format.Options{IntegerNumbers: true}, `{"a":1,"b":-2,"c":1.0,"d":1e2,"e":9223372036854775807,"f":-9223372036854775808,"g":9223372036854775808,"h":12345678901234567890123}`,
			[]string{`{a:i:1,b:i:-2,c:f:1,d:f:100,e:i:9223372036854775807,f:i:-9223372036854775808,g:f:9.223372036854776e+18,h:f:1.2345678901234568e+22}`}},
		{"integers nested", format.Options{IntegerNumbers: true}, `{"a":[1,{"b":2}]}`, []string{`{a:[i:1,{b:i:2}]}`}},
		{"many digits", format.Options{}, `{"a":0.1234567890123456789012,"b":123456789012345678901234567890,"c":1e-400,"d":0.000000000000000000000000001}`,
			[]string{`{a:f:0.12345678901234568,b:f:1.2345678901234568e+29,c:f:0,d:f:1e-27}`}},
		{"exponents", format.Options{}, `{"a":1E+2,"b":1e-2,"c":2.5E3,"d":1e22,"e":1e23,"f":0e5}`,
			[]string{`{a:f:100,b:f:0.01,c:f:2500,d:f:1e+22,e:f:1e+23,f:f:0}`}},
		{"negative zero", format.Options{}, `{"a":-0,"b":-0.0}`, []string{`{a:f:-0,b:f:-0}`}},
		{"duplicate keys", format.Options{}, `{"a":1,"b":2,"a":3}`, []string{`{a:f:3,b:f:2}`}},
		{"many duplicate keys", format.Options{},
			`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k1":10,"k9":11}`,
			[]string{`{k0:f:0,k1:f:10,k2:f:2,k3:f:3,k4:f:4,k5:f:5,k6:f:6,k7:f:7,k8:f:8,k9:f:11}`}},
		{"many keys", format.Options{},
			`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10}`,
			[]string{`{k0:f:0,k1:f:1,k2:f:2,k3:f:3,k4:f:4,k5:f:5,k6:f:6,k7:f:7,k8:f:8,k9:f:9,k10:f:10}`}},

		// Field selection.
		{"fields", format.Options{Fields: []string{"temperature", "ts"}},
			`{"temperature":63.07,"humidity":12.5,"ts":1764026000123}`, []string{`{temperature:f:63.07,ts:f:1.764026000123e+12}`}},
		{"fields skip nested", format.Options{Fields: []string{"b"}},
			`{"a":{"x":[1,{"y":"\u0041\"}"}],"z":null},"b":true,"c":[[],{}],"d":"s\\\"","e":-1.5e-3,"f":false,"g":null}`,
			[]string{`{b:true}`}},
		{"fields none present", format.Options{Fields: []string{"nosuch"}}, `{"a":1}`, []string{`{}`}},
		{"fields empty", format.Options{Fields: []string{}}, `{"a":1}`, []string{`{}`}},
		{"fields only top level", format.Options{Fields: []string{"a"}}, `{"a":{"b":1,"c":2}}`, []string{`{a:{b:f:1,c:f:2}}`}},
		{"fields rows", format.Options{Fields: []string{"a"}}, `[{"a":1,"b":2},{"b":3}]`, []string{`{a:f:1}`, `{}`}},
		{"fields escaped key", format.Options{Fields: []string{"温度"}}, `{"\u6e29\u5ea6":1,"x":2}`, []string{`{温度:f:1}`}},

		// Schemas.
		{"schema typed", format.Options{Schema: []value.Column{{Name: "a", Type: bigintT}, {Name: "b", Type: stringT}}},
			`{"a":1,"b":"x","extra":true}`, []string{`{a:i:1,b:"x"}`}},
		{"schema big int exact", format.Options{Schema: []value.Column{{Name: "a", Type: bigintT}}},
			`{"a":9007199254740993}`, []string{`{a:i:9007199254740993}`}},
		{"schema integral float to bigint", format.Options{Schema: []value.Column{{Name: "a", Type: bigintT}}},
			`{"a":2.0}`, []string{`{a:i:2}`}},
		{"schema int to float", format.Options{Schema: []value.Column{{Name: "f", Type: floatT}}},
			`[{"f":3},{"f":2.5}]`, []string{`{f:f:3}`, `{f:f:2.5}`}},
		{"schema missing field", format.Options{Schema: []value.Column{{Name: "id", Type: bigintT}, {Name: "a", Type: bigintT}}},
			`{"id":1}`, []string{`{id:i:1}`}},
		{"schema null", format.Options{Schema: []value.Column{{Name: "a", Type: bigintT}}}, `{"a":null}`, []string{`{a:null}`}},
		{"schema defaults", format.Options{Strict: true, Schema: []value.Column{
			{Name: "id", Type: bigintT}, {Name: "a", Type: bigintT, Default: value.IntValue(5)},
			{Name: "b", Type: stringT, Default: value.StringValue("none")}}},
			`[{"id":1,"a":7,"b":"x"},{"id":2}]`, []string{`{id:i:1,a:i:7,b:"x"}`, `{id:i:2,a:i:5,b:"none"}`}},
		{"schema struct", format.Options{Schema: []value.Column{
			{Name: "dev", Type: &value.Type{Kind: value.Obj, Fields: []value.Column{
				{Name: "name", Type: stringT},
				{Name: "loc", Type: &value.Type{Kind: value.Obj, Fields: []value.Column{{Name: "room", Type: stringT}}}}}}},
			{Name: "v", Type: floatT}}},
			`{"dev":{"name":"d1","loc":{"room":"k","x":1}},"v":1.5}`, []string{`{dev:{name:"d1",loc:{room:"k"}},v:f:1.5}`}},
		{"schema array", format.Options{Schema: []value.Column{{Name: "a", Type: &value.Type{Kind: value.Array, Elem: bigintT}}}},
			`{"a":[1,2.0,null]}`, []string{`{a:[i:1,i:2,null]}`}},
		{"schema datetime bytea bool", format.Options{Schema: []value.Column{
			{Name: "t", Type: timeT}, {Name: "u", Type: timeT}, {Name: "b", Type: bytesT}, {Name: "ok", Type: boolT}}},
			`{"t":1700000000123,"u":"2023-11-14T22:13:20.123Z","b":"aGk=","ok":true}`,
			[]string{`{t:t:2023-11-14T22:13:20.123Z,u:t:2023-11-14T22:13:20.123Z,b:b:aGk=,ok:true}`}},
		{"schema and fields", format.Options{Fields: []string{"a", "nosuch"}, Schema: []value.Column{{Name: "a", Type: bigintT}, {Name: "b", Type: stringT}}},
			`{"a":1,"b":"x"}`, []string{`{a:i:1}`}},
		{"schema duplicate key", format.Options{Schema: []value.Column{{Name: "a", Type: bigintT}, {Name: "b", Type: bigintT}}},
			`{"a":1.5,"b":2,"a":3}`, []string{`{a:i:3,b:i:2}`}},
		{"schema untyped column", format.Options{Schema: []value.Column{{Name: "a"}}}, `{"a":"x","b":1}`, []string{`{a:"x"}`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := format.NewJSONDecoder(tc.opts)
			for round := 0; round < 2; round++ { // the second round reuses the scratch space
				got, err := decodeAll(t, d, tc.payload)
				require.NoError(t, err)
				require.Equal(t, tc.want, got)
			}
		})
	}
}

func TestJSONDecodeErrors(t *testing.T) {
	cases := []struct {
		name    string
		opts    format.Options
		payload string
		want    []string // rows still emitted
		errText string
		errIs   error
	}{
		{"empty", format.Options{}, ``, nil, "invalid JSON at offset 0: unexpected end of input", nil},
		{"spaces", format.Options{}, `   `, nil, "invalid JSON at offset 3: unexpected end of input", nil},
		{"not json", format.Options{}, `not json`, nil, "invalid JSON at offset 1: invalid character 'o'", nil},
		{"truncated", format.Options{}, `{"a": 3`, nil, "invalid JSON at offset 7: unexpected end of input", nil},
		{"trailing", format.Options{}, `{"a":1}x`, nil, "invalid JSON at offset 7: invalid character 'x' after top-level value", nil},
		{"two objects", format.Options{}, `{"a":1}{"a":2}`, nil, "after top-level value", nil},
		{"trailing comma", format.Options{}, `{"a":1,}`, nil, "invalid JSON at offset 7: invalid character '}'", nil},
		{"array trailing comma", format.Options{}, `[{"a":1},]`, nil, "invalid character ']'", nil},
		{"single quotes", format.Options{}, `{'a':1}`, nil, `invalid character '\''`, nil},
		{"unquoted key", format.Options{}, `{a:1}`, nil, "invalid character 'a'", nil},
		{"missing colon", format.Options{}, `{"a" 1}`, nil, "invalid character '1'", nil},
		{"leading zero", format.Options{}, `{"a":01}`, nil, "invalid character '1'", nil},
		{"plus sign", format.Options{}, `{"a":+1}`, nil, "invalid character '+'", nil},
		{"bare dot", format.Options{}, `{"a":1.}`, nil, "invalid character '}'", nil},
		{"bare exponent", format.Options{}, `{"a":1e}`, nil, "invalid character '}'", nil},
		{"minus only", format.Options{}, `{"a":-}`, nil, "invalid character '}'", nil},
		{"nan", format.Options{}, `{"a":NaN}`, nil, "invalid character 'N'", nil},
		{"bad literal", format.Options{}, `{"a":tru}`, nil, "invalid character '}'", nil},
		{"bad literal end", format.Options{}, `{"a":nul`, nil, "unexpected end of input", nil},
		{"control char", format.Options{}, "{\"a\":\"x\ny\"}", nil, "invalid control character in string", nil},
		{"bad escape", format.Options{}, `{"a":"\x"}`, nil, "invalid escape 'x' in string", nil},
		{"bad unicode escape", format.Options{}, `{"a":"\u12G4"}`, nil, `invalid \u escape`, nil},
		{"short unicode escape", format.Options{}, `{"a":"\u12"}`, nil, `invalid \u escape`, nil},
		{"unterminated string", format.Options{}, `{"a":"abc`, nil, "unexpected end of input in string", nil},
		{"number out of range", format.Options{}, `{"a":1e400}`, nil, "number 1e400 out of range", format.ErrRange},
		{"too deep", format.Options{}, strings.Repeat("[", 10001) + strings.Repeat("]", 10001), nil, "exceeded max depth", nil},
		{"too deep object", format.Options{}, `{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, nil, "exceeded max depth", nil},
		{"skipped invalid", format.Options{Fields: []string{"b"}}, `{"a":[1,}`, nil, "invalid character '}'", nil},
		{"skipped bad escape", format.Options{Fields: []string{"b"}}, `{"a":"\q","b":1}`, nil, "invalid escape 'q'", nil},
		{"skipped control char", format.Options{Fields: []string{"b"}}, "{\"a\":\"\x01\",\"b\":1}", nil, "invalid control character", nil},
		{"skipped bad number", format.Options{Fields: []string{"b"}}, `{"a":-x,"b":1}`, nil, "invalid character 'x'", nil},
		{"skipped too deep", format.Options{Fields: []string{"b"}}, `{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, nil, "exceeded max depth", nil},
		{"skipped bad literal", format.Options{Fields: []string{"b"}}, `{"a":fals,"b":1}`, nil, "invalid character ','", nil},

		{"scalar number", format.Options{}, `42`, nil, "payload is not a JSON object or array of objects: got a number", format.ErrNotObject},
		{"scalar string", format.Options{}, `"str"`, nil, "got a string", format.ErrNotObject},
		{"scalar null", format.Options{}, `null`, nil, "got a null", format.ErrNotObject},
		{"scalar bool", format.Options{}, `true`, nil, "got a boolean", format.ErrNotObject},
		{"array of scalars", format.Options{}, `[{"a":1},2]`, nil, "an array element is not an object", format.ErrNotObject},
		{"array of arrays", format.Options{}, `[[{"a":1}]]`, nil, "an array element is not an object", format.ErrNotObject},

		{"schema float into bigint", format.Options{Schema: []value.Column{{Name: "a", Type: bigintT}}},
			`{"a":1.5}`, nil, `field "a": cannot convert float(1.5) to bigint`, nil},
		{"schema wrong type", format.Options{Schema: []value.Column{{Name: "id", Type: bigintT}, {Name: "a", Type: bigintT}}},
			`[{"id":1,"a":"x"},{"id":2,"a":3}]`, []string{`{id:i:2,a:i:3}`}, `row 0: field "a": cannot convert string(x) to bigint`, nil},
		{"schema strict missing", format.Options{Strict: true, Schema: []value.Column{{Name: "id", Type: bigintT}, {Name: "a", Type: bigintT}}},
			`{"id":1}`, nil, `field "a": missing field`, format.ErrMissingField},
		{"schema bad struct", format.Options{Schema: []value.Column{{Name: "s", Type: &value.Type{Kind: value.Obj}}}},
			`{"s":[1]}`, nil, `field "s": cannot convert array([1]) to struct`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := format.NewJSONDecoder(tc.opts)
			got, err := decodeAll(t, d, tc.payload)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.errText)
			if tc.errIs != nil {
				require.ErrorIs(t, err, tc.errIs)
			}
			require.Equal(t, tc.want, got)
			// The decoder recovers for the next payload.
			got, err = decodeAll(t, d, `{"a":1,"id":2}`)
			require.NoError(t, err)
			require.Len(t, got, 1)
		})
	}

	t.Run("syntax error type", func(t *testing.T) {
		_, err := decodeAll(t, format.NewJSONDecoder(format.Options{}), `{"a":1`)
		var se *format.SyntaxError
		require.True(t, errors.As(err, &se))
		require.Equal(t, 6, se.Offset)
	})

	t.Run("field error type", func(t *testing.T) {
		d := format.NewJSONDecoder(format.Options{Schema: []value.Column{{Name: "a", Type: bigintT}}})
		_, err := decodeAll(t, d, `{"a":"x"}`)
		var fe *format.FieldError
		require.True(t, errors.As(err, &fe))
		require.Equal(t, "a", fe.Field)
		var ce *value.ConvError
		require.True(t, errors.As(err, &ce))
	})

	t.Run("max depth accepted", func(t *testing.T) {
		payload := `{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`
		require.True(t, json.Valid([]byte(payload)))
		var x any
		require.NoError(t, json.Unmarshal([]byte(payload), &x))
		got, err := decodeAll(t, format.NewJSONDecoder(format.Options{}), payload)
		require.NoError(t, err)
		require.Len(t, got, 1)
		got, err = decodeAll(t, format.NewJSONDecoder(format.Options{Fields: []string{"b"}}), payload)
		require.NoError(t, err)
		require.Equal(t, []string{"{}"}, got)
	})
}

func TestDecodedRowsAreIndependent(t *testing.T) {
	d := format.NewJSONDecoder(format.Options{})
	payload := []byte(`[{"a":"x","b":[1,2]},{"a":"y"}]`)
	var rows []*value.Object
	require.NoError(t, d.Decode(payload, func(o *value.Object) { rows = append(rows, o) }))
	// Reusing the payload and the decoder leaves earlier rows intact.
	copy(payload, `[{"a":"z","b":[3,4]},{"a":"w"}]`)
	require.NoError(t, d.Decode(payload, func(*value.Object) {}))
	require.Equal(t, `{a:"x",b:[f:1,f:2]}`, dump(value.ObjectValue(rows[0])))
	// Appending to one row does not disturb its neighbour in the arena.
	rows[0].Append("c", value.IntValue(1))
	rows[0].Vals[1].Array()[0] = value.IntValue(9)
	require.Equal(t, `{a:"y"}`, dump(value.ObjectValue(rows[1])))
}

func TestJSONMatchesEncodingJSON(t *testing.T) {
	payloads := []string{
		`{"temperature":63.07,"humidity":12.5,"ts":1764026000123}`,
		`{"a":[1,2,{"b":null,"c":"\u00e9\ud800"}],"d":{"e":{"f":[[]]}},"g":-1.5e-300,"h":"` + "\xff\xfe" + `"}`,
		`[{"x":1},{"y":[true,false]},{}]`,
		`{"a":1,"a":2}`,
		`{"n":123456789012345678901234567890,"m":0.1e1,"o":-0}`,
	}
	for _, p := range payloads {
		t.Run(p, func(t *testing.T) {
			checkAgainstStd(t, []byte(p))
		})
	}
}

// checkAgainstStd decodes data with a default decoder and checks the rows
// against encoding/json.Unmarshal, then checks that encoding and decoding
// again is stable.
func checkAgainstStd(t *testing.T, data []byte) {
	t.Helper()
	d := format.NewJSONDecoder(format.Options{})
	var rows []*value.Object
	err := d.Decode(data, func(o *value.Object) { rows = append(rows, o) })

	var x any
	stdErr := json.Unmarshal(data, &x)
	if stdErr != nil {
		require.Error(t, err, "encoding/json rejects %q: %v", data, stdErr)
		require.Empty(t, rows)
		var se *format.SyntaxError
		require.True(t, errors.As(err, &se), "want a syntax error, got %v", err)
		if !errors.Is(err, format.ErrRange) {
			require.False(t, json.Valid(data), "only range errors are valid JSON: %v", err)
		}
		return
	}
	require.True(t, json.Valid(data))
	var want []any
	switch t0 := x.(type) {
	case map[string]any:
		want = []any{t0}
	case []any:
		for _, e := range t0 {
			if _, ok := e.(map[string]any); !ok {
				require.ErrorIs(t, err, format.ErrNotObject)
				require.Empty(t, rows)
				return
			}
		}
		want = t0
	default:
		require.ErrorIs(t, err, format.ErrNotObject)
		require.Empty(t, rows)
		return
	}
	require.NoError(t, err)
	require.Len(t, rows, len(want))
	for j, r := range rows {
		require.Equal(t, want[j], value.ObjectValue(r).ToAny())

		// decode → encode → decode is stable, and the encoding is what
		// encoding/json writes for the same map.
		enc := format.AppendObject(nil, r, true)
		stdEnc, merr := json.Marshal(want[j])
		require.NoError(t, merr)
		require.JSONEq(t, string(stdEnc), string(enc))
		var again []*value.Object
		require.NoError(t, d.Decode(enc, func(o *value.Object) { again = append(again, o) }))
		require.Len(t, again, 1)
		require.Equal(t, string(enc), string(format.AppendObject(nil, again[0], true)))
	}
}

func FuzzJSONDecode(f *testing.F) {
	seeds := []string{
		`{"temperature":63.07,"humidity":12.5,"ts":1764026000123}`,
		`{}`, `[]`, `[{}]`, `[{"a":1},{"b":[1,2,{"c":null}]}]`, `42`, `"s"`, `null`, `[1]`,
		`{"a":"\u00e9\ud83d\ude00\ud800\\\/\b\f\n\r\t"}`, `{"a":1e400}`, `{"a":-0.0e-0}`,
		`{"a":1,"a":2}`, `{"a":{"b":{"c":[[[]]]}}}`, "{\"a\":\"\xff\"}", `{"a":01}`, `{"a":1.}`,
		`{"a":tru}`, ` {"a" : [ true , false , null ] } `, `{"a":123456789012345678901234567890}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	fields := format.NewJSONDecoder(format.Options{Fields: []string{"a", "b"}})
	ints := format.NewJSONDecoder(format.Options{IntegerNumbers: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstStd(t, data)

		// A restricted decoder accepts the same payloads (skipped fields
		// are validated, though their numbers are not range-checked) and
		// keeps exactly the selected fields.
		full := format.NewJSONDecoder(format.Options{})
		var fullRows []*value.Object
		fullErr := full.Decode(data, func(o *value.Object) { fullRows = append(fullRows, o) })
		var sub []*value.Object
		subErr := fields.Decode(data, func(o *value.Object) { sub = append(sub, o) })
		if fullErr == nil {
			require.NoError(t, subErr)
			require.Len(t, sub, len(fullRows))
			for j, r := range fullRows {
				keep := value.NewObject(2)
				for k, key := range r.Keys {
					if key == "a" || key == "b" {
						keep.Append(key, r.Vals[k])
					}
				}
				require.Equal(t, dump(value.ObjectValue(keep)), dump(value.ObjectValue(sub[j])))
			}
		} else if !errors.Is(fullErr, format.ErrRange) {
			require.Error(t, subErr)
		}

		// Integer decoding accepts the same payloads with the same numbers.
		var intRows []*value.Object
		intErr := ints.Decode(data, func(o *value.Object) { intRows = append(intRows, o) })
		require.Equal(t, fullErr == nil, intErr == nil, "full: %v, ints: %v", fullErr, intErr)
		for j := range intRows {
			requireSameNumbers(t, value.ObjectValue(fullRows[j]), value.ObjectValue(intRows[j]))
		}
	})
}

// requireSameNumbers checks that b, decoded with integer numbers, matches
// a, decoded with floats: each bigint rounds to the float decoded for it.
func requireSameNumbers(t *testing.T, a, b value.Value) {
	t.Helper()
	if a.Kind() == value.Float && b.Kind() == value.Int {
		require.Equal(t, a.Float(), float64(b.Int()))
		return
	}
	require.Equal(t, a.Kind(), b.Kind())
	switch a.Kind() {
	case value.Array:
		require.Len(t, b.Array(), len(a.Array()))
		for j := range a.Array() {
			requireSameNumbers(t, a.Array()[j], b.Array()[j])
		}
	case value.Obj:
		require.Equal(t, a.Object().Keys, b.Object().Keys)
		for j := range a.Object().Vals {
			requireSameNumbers(t, a.Object().Vals[j], b.Object().Vals[j])
		}
	default:
		require.Equal(t, dump(a), dump(b))
	}
}

func TestNewDecoder(t *testing.T) {
	for _, name := range []string{"json", "JSON", ""} {
		d, err := format.NewDecoder(name, format.Options{})
		require.NoError(t, err, name)
		_, ok := d.(*format.JSONDecoder)
		require.True(t, ok)
	}
	d, err := format.NewDecoder("Binary", format.Options{})
	require.NoError(t, err)
	got, err := decodeAll(t, d, "\x00\x01raw")
	require.NoError(t, err)
	require.Equal(t, []string{`{self:b:AAFyYXc=}`}, got)

	d, err = format.NewDecoder("binary", format.Options{Schema: []value.Column{{Name: "img", Type: bytesT}}})
	require.NoError(t, err)
	got, err = decodeAll(t, d, "")
	require.NoError(t, err)
	require.Equal(t, []string{`{img:b:}`}, got)

	_, err = format.NewDecoder("protobuf", format.Options{})
	require.EqualError(t, err, `unknown format "protobuf": supported formats are json and binary`)
}

func TestBinaryDecoderCopies(t *testing.T) {
	d := format.NewBinaryDecoder(format.Options{})
	payload := []byte("abc")
	var row *value.Object
	require.NoError(t, d.Decode(payload, func(o *value.Object) { row = o }))
	payload[0] = 'x'
	require.Equal(t, "abc", row.Get("self").Str())
}

func TestEncode(t *testing.T) {
	o := value.NewObject(4)
	o.Append("b", value.StringValue("<x>"))
	o.Append("a", value.FloatValue(43))
	o.Append("gone", value.Value{})
	o.Append("n", value.NullValue())
	require.Equal(t, `{"b":"<x>","a":43,"n":null}`, string(format.AppendObject(nil, o, false)))
	require.Equal(t, `{"a":43,"b":"<x>","n":null}`, string(format.AppendObject(nil, o, true)))
	require.Equal(t, `{"b":"<x>","a":43,"n":null}`, string(format.AppendJSON(nil, value.ObjectValue(o))))
	enc := format.Encoder{SortKeys: true, EscapeHTML: true}
	require.Equal(t, `{"a":43,"b":"\u003cx\u003e","n":null}`, string(enc.AppendObject(nil, o)))
	require.Equal(t, `"\u003c"`, string(enc.Append(nil, value.StringValue("<"))))
	empty := value.NewObject(0)
	require.Equal(t, `[{"a":43,"b":"\u003cx\u003e","n":null},{}]`, string(enc.AppendRows(nil, []*value.Object{o, empty})))
	require.Equal(t, `[]`, string(format.Encoder{}.AppendRows(nil, nil)))
}

func TestJSONDecodeKeyCacheAcrossLayouts(t *testing.T) {
	payloads := []string{
		`{"a":1,"b":2}`,
		`{"a":3,"b":4}`,
		`{"b":5,"a":6}`,
		`{"a":7,"\u0062":8,"c":{"a":9,"d":[{"e":1}]}}`,
		`[{"a":1},{"x":2,"y":3}]`,
		`{"a":1,"b":2}`,
		`{"ab":1}`,
		`{"a":1,"b":2,"c":{"a":9,"d":[{"e":1}]}}`,
		`{}`,
		`{"a":"text","b":"more"}`,
	}
	for _, opts := range []format.Options{{}, {Fields: []string{"a", "c"}}, {IntegerNumbers: true}} {
		reused := format.NewJSONDecoder(opts)
		for round := 0; round < 3; round++ {
			for _, p := range payloads {
				want, err := decodeAll(t, format.NewJSONDecoder(opts), p)
				require.NoError(t, err)
				got, err := decodeAll(t, reused, p)
				require.NoError(t, err)
				require.Equal(t, want, got, p)
			}
		}
	}
}

func TestJSONDecodeManyKeys(t *testing.T) {
	// More keys than the key cache holds, in a row and nested.
	var sb strings.Builder
	sb.WriteString(`{`)
	for j := 0; j < 600; j++ {
		if j > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`"k` + strconv.Itoa(j) + `":` + strconv.Itoa(j))
	}
	sb.WriteString(`,"n":{"x":1}}`)
	d := format.NewJSONDecoder(format.Options{})
	for round := 0; round < 2; round++ {
		var row *value.Object
		require.NoError(t, d.Decode([]byte(sb.String()), func(o *value.Object) { row = o }))
		require.Equal(t, 601, row.Len())
		require.Equal(t, 599.0, row.Get("k599").Float())
		require.Equal(t, 1.0, row.Get("n").Object().Get("x").Float())
	}
}

func TestJSONDecodeAllocs(t *testing.T) {
	emit := func(*value.Object) {}
	cases := []struct {
		name    string
		opts    format.Options
		payload []byte
		allocs  float64
	}{
		{"flat reading", format.Options{}, reading, 1},
		{"fields", format.Options{Fields: []string{"temperature"}}, reading, 1},
		{"schema", format.Options{Schema: []value.Column{{Name: "temperature", Type: floatT}, {Name: "ts", Type: bigintT}}}, reading, 1},
		{"string values", format.Options{}, []byte(`{"id":"a1","v":"x"}`), 2},
		{"nested", format.Options{}, nestedReading, 5},
		{"rows", format.Options{}, []byte(`[{"a":1},{"a":2},{"a":3}]`), 3},
		{"fields of nested", format.Options{Fields: []string{"temperature"}}, nestedReading, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := format.NewJSONDecoder(tc.opts)
			require.NoError(t, d.Decode(tc.payload, emit)) // warm the scratch space and key cache
			got := testing.AllocsPerRun(100, func() {
				if err := d.Decode(tc.payload, emit); err != nil {
					t.Fatal(err)
				}
			})
			require.Equal(t, tc.allocs, got)
		})
	}
}

func TestJSONDecodeStringBoundaries(t *testing.T) {
	specials := []string{`\"`, `\\`, `\n`, `\u00e9`, `\ud83d\ude00`, "\x01", "\x1f", "é", "温", "\xff", "\xe6\xb8", "\u2028", "\x7f", " ", "~", `"`}
	for n := 0; n <= 20; n++ {
		for p := 0; p <= n; p++ {
			for _, sp := range specials {
				body := strings.Repeat("a", p) + sp + strings.Repeat("b", n-p)
				for _, payload := range []string{
					`{"k":"` + body + `"}`,
					`{"` + body + `":1}`,
					`{"x":"` + body + `","k":2}`,
				} {
					checkAgainstStd(t, []byte(payload))
					// The skipping path validates the same way.
					var x any
					stdOK := json.Unmarshal([]byte(payload), &x) == nil
					_, err := decodeAll(t, format.NewJSONDecoder(format.Options{Fields: []string{"k"}}), payload)
					require.Equal(t, stdOK, err == nil, "%q: %v", payload, err)
				}
			}
		}
	}
}

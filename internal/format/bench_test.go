package format_test

import (
	"encoding/json"
	"testing"

	"github.com/valyala/fastjson"

	"github.com/kuiperio/kuiper/internal/format"
	"github.com/kuiperio/kuiper/internal/value"
)

var reading = []byte(`{"temperature":63.07,"humidity":12.5,"ts":1764026000123}`)

var nestedReading = []byte(`{"device":{"id":"sensor-0042","loc":{"room":"kitchen","floor":2}},"temperature":63.07,` +
	`"humidity":12.5,"ts":1764026000123,"tags":["a","b","c"],"ok":true,"note":"caf\u00e9 \"x\""}`)

var sink *value.Object

func benchDecode(b *testing.B, d format.Decoder, payload []byte) {
	b.Helper()
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	emit := func(o *value.Object) { sink = o }
	for b.Loop() {
		if err := d.Decode(payload, emit); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONDecode(b *testing.B) {
	b.Run("reading/full", func(b *testing.B) {
		benchDecode(b, format.NewJSONDecoder(format.Options{}), reading)
	})
	b.Run("reading/fields1", func(b *testing.B) {
		benchDecode(b, format.NewJSONDecoder(format.Options{Fields: []string{"temperature"}}), reading)
	})
	b.Run("reading/schema", func(b *testing.B) {
		benchDecode(b, format.NewJSONDecoder(format.Options{Schema: []value.Column{
			{Name: "temperature", Type: floatT}, {Name: "humidity", Type: floatT}, {Name: "ts", Type: bigintT}}}), reading)
	})
	b.Run("nested/full", func(b *testing.B) {
		benchDecode(b, format.NewJSONDecoder(format.Options{}), nestedReading)
	})
	b.Run("nested/fields1", func(b *testing.B) {
		benchDecode(b, format.NewJSONDecoder(format.Options{Fields: []string{"temperature"}}), nestedReading)
	})
	batch := []byte(`[` + string(reading))
	for j := 0; j < 9; j++ {
		batch = append(append(batch, ','), reading...)
	}
	batch = append(batch, ']')
	b.Run("array10/full", func(b *testing.B) {
		benchDecode(b, format.NewJSONDecoder(format.Options{}), batch)
	})

	// Baselines.
	b.Run("reading/encoding-json-map", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(reading)))
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(reading, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reading/fastjson-to-object", func(b *testing.B) {
		benchFastjson(b, reading)
	})
	b.Run("nested/fastjson-to-object", func(b *testing.B) {
		benchFastjson(b, nestedReading)
	})
}

// benchFastjson parses with a reused fastjson.Parser (plus the Validate
// pass fastjson needs to reject what encoding/json rejects) and converts
// to a value.Object, the alternative design for the full decoder.
func benchFastjson(b *testing.B, payload []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	var p fastjson.Parser
	for b.Loop() {
		if err := fastjson.ValidateBytes(payload); err != nil {
			b.Fatal(err)
		}
		v, err := p.ParseBytes(payload)
		if err != nil {
			b.Fatal(err)
		}
		sink = fastjsonValue(v).Object()
	}
}

func fastjsonValue(v *fastjson.Value) value.Value {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		obj := value.NewObject(o.Len())
		o.Visit(func(k []byte, e *fastjson.Value) { obj.Append(string(k), fastjsonValue(e)) })
		return value.ObjectValue(obj)
	case fastjson.TypeArray:
		a, _ := v.Array()
		out := make([]value.Value, len(a))
		for j, e := range a {
			out[j] = fastjsonValue(e)
		}
		return value.ArrayValue(out)
	case fastjson.TypeNumber:
		return value.FloatValue(v.GetFloat64())
	case fastjson.TypeString:
		return value.StringValue(string(v.GetStringBytes()))
	case fastjson.TypeTrue:
		return value.BoolValue(true)
	case fastjson.TypeFalse:
		return value.BoolValue(false)
	}
	return value.NullValue()
}

var out []byte

func BenchmarkEncode(b *testing.B) {
	var row *value.Object
	if err := format.NewJSONDecoder(format.Options{}).Decode(reading, func(o *value.Object) { row = o }); err != nil {
		b.Fatal(err)
	}
	var nested *value.Object
	if err := format.NewJSONDecoder(format.Options{}).Decode(nestedReading, func(o *value.Object) { nested = o }); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	b.Run("reading/ordered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out = format.AppendObject(buf[:0], row, false)
		}
	})
	b.Run("reading/sorted", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out = format.AppendObject(buf[:0], row, true)
		}
	})
	b.Run("nested/sorted", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out = format.AppendObject(buf[:0], nested, true)
		}
	})
	m := row.ToMap()
	b.Run("reading/encoding-json-map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if out, err = json.Marshal(m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package value

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"
)

func TestBinaryRoundTrip(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	obj := NewObject(3)
	obj.Append("a", IntValue(1))
	obj.Append("b", Value{})
	obj.Append("c", ArrayValue([]Value{FloatValue(1), StringValue("x")}))
	cases := []struct {
		name string
		v    Value
	}{
		{"missing", Value{}},
		{"null", NullValue()},
		{"true", BoolValue(true)},
		{"false", BoolValue(false)},
		{"int", IntValue(-42)},
		{"max int", IntValue(math.MaxInt64)},
		{"float one", FloatValue(1)},
		{"float nan", FloatValue(math.NaN())},
		{"string", StringValue("héllo")},
		{"empty string", StringValue("")},
		{"bytes", BytesValue([]byte{0, 1, 255})},
		{"time utc", TimeValue(time.UnixMilli(1700000000123).UTC())},
		{"time zone", TimeValue(time.UnixMilli(1700000000123).In(shanghai))},
		{"empty array", ArrayValue([]Value{})},
		{"object", ObjectValue(obj)},
		{"nested", ArrayValue([]Value{ObjectValue(obj), NullValue()})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := AppendBinary(nil, tc.v)
			got, n, err := ReadBinary(b)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(b) {
				t.Fatalf("read %d of %d bytes", n, len(b))
			}
			if got.Kind() != tc.v.Kind() {
				t.Fatalf("kind %v, want %v", got.Kind(), tc.v.Kind())
			}
			if again := AppendBinary(nil, got); !bytes.Equal(again, b) {
				t.Fatalf("re-encoding differs: %x vs %x", again, b)
			}
			if got.String() != tc.v.String() {
				t.Fatalf("got %s, want %s", got, tc.v)
			}
		})
	}
}

func TestBinaryMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"unknown kind", []byte{200}},
		{"short float", []byte{byte(Float), 1, 2}},
		{"long string", []byte{byte(String), 10, 'a'}},
		{"huge array", []byte{byte(Array), 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"truncated object", []byte{byte(Obj), 1, 1, 'k'}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := ReadBinary(tc.b); !errors.Is(err, ErrBinary) {
				t.Fatalf("err = %v, want ErrBinary", err)
			}
		})
	}
}

func FuzzBinary(f *testing.F) {
	f.Add(AppendBinary(nil, ArrayValue([]Value{IntValue(1), StringValue("a"), NullValue()})))
	f.Add([]byte{byte(Obj), 1, 1, 'k', byte(Float), 0, 0, 0, 0, 0, 0, 0xf0, 0x3f})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, n, err := ReadBinary(b)
		if err != nil {
			return
		}
		enc := AppendBinary(nil, v)
		v2, _, err := ReadBinary(enc)
		if err != nil {
			t.Fatalf("re-read of %x: %v", enc, err)
		}
		if !bytes.Equal(AppendBinary(nil, v2), enc) {
			t.Fatalf("unstable encoding of %x (read %d)", b, n)
		}
	})
}

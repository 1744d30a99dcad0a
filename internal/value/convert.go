package value

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
	"unsafe"
)

// unsafeBytes views s as bytes without copying; the result must not be
// modified.
func unsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// FromAny converts a plain Go value, as plugins and functions exchange
// them, into a Value:
//
//   - nil → Null; bool → Bool; string → String; []byte → Bytes (copied);
//     time.Time → Time.
//   - all signed integer types → Int; unsigned ones → Int, or Float when
//     above the int64 range; float32/float64 → Float.
//   - json.Number → Int when it is an integer that fits, else Float.
//   - map[string]any → Obj with the keys in sorted order (Go maps have no
//     order; sorting keeps results deterministic); []any, []map[string]any
//     and slices of the scalar types above → Array.
//   - Value, *Object and []Value are taken as they are.
//
// Any other type (structs, other maps) goes through encoding/json first,
// which is slow but rare at the plugin boundary; a value json cannot
// marshal becomes Null.
func FromAny(x any) Value {
	switch t := x.(type) {
	case nil:
		return NullValue()
	case Value:
		return t
	case bool:
		return BoolValue(t)
	case string:
		return StringValue(t)
	case float64:
		return FloatValue(t)
	case int64:
		return IntValue(t)
	case int:
		return IntValue(int64(t))
	case []byte:
		if t == nil {
			return NullValue()
		}
		return BytesValue(t)
	case time.Time:
		return TimeValue(t)
	case *time.Time:
		if t == nil {
			return NullValue()
		}
		return TimeValue(*t)
	case float32:
		return FloatValue(float64(t))
	case int32:
		return IntValue(int64(t))
	case int16:
		return IntValue(int64(t))
	case int8:
		return IntValue(int64(t))
	case uint:
		return fromUint(uint64(t))
	case uint64:
		return fromUint(t)
	case uint32:
		return IntValue(int64(t))
	case uint16:
		return IntValue(int64(t))
	case uint8:
		return IntValue(int64(t))
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return IntValue(i)
		}
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return StringValue(string(t))
		}
		return FloatValue(f)
	case map[string]any:
		if t == nil {
			return NullValue()
		}
		return ObjectValue(objectFromMap(t))
	case *Object:
		return ObjectValue(t)
	case []Value:
		return ArrayValue(t)
	case []any:
		if t == nil {
			return NullValue()
		}
		a := make([]Value, len(t))
		for i, e := range t {
			a[i] = FromAny(e)
		}
		return ArrayValue(a)
	case []map[string]any:
		a := make([]Value, len(t))
		for i, e := range t {
			a[i] = FromAny(e)
		}
		return ArrayValue(a)
	case []string:
		return sliceOf(t, StringValue)
	case []float64:
		return sliceOf(t, FloatValue)
	case []int64:
		return sliceOf(t, IntValue)
	case []int:
		return sliceOf(t, func(i int) Value { return IntValue(int64(i)) })
	case []bool:
		return sliceOf(t, BoolValue)
	case json.RawMessage:
		var y any
		if json.Unmarshal(t, &y) != nil {
			return NullValue()
		}
		return FromAny(y)
	}
	// Slow path for other types: round-trip through encoding/json.
	b, err := json.Marshal(x)
	if err != nil {
		return NullValue()
	}
	var y any
	if err := json.Unmarshal(b, &y); err != nil {
		return NullValue()
	}
	return FromAny(y)
}

func fromUint(u uint64) Value {
	if u > math.MaxInt64 {
		return FloatValue(float64(u))
	}
	return IntValue(int64(u))
}

func sliceOf[T any](s []T, f func(T) Value) Value {
	if s == nil {
		return NullValue()
	}
	a := make([]Value, len(s))
	for i, e := range s {
		a[i] = f(e)
	}
	return ArrayValue(a)
}

func objectFromMap(m map[string]any) *Object {
	o := &Object{Keys: make([]string, 0, len(m)), Vals: make([]Value, len(m))}
	for k := range m {
		o.Keys = append(o.Keys, k)
	}
	slices.Sort(o.Keys)
	for i, k := range o.Keys {
		o.Vals[i] = FromAny(m[k])
	}
	return o
}

// ToAny converts v into a plain Go value: Missing and Null → nil, Bool →
// bool, Int → int64, Float → float64, String → string, Bytes → []byte (a
// copy), Time → time.Time (UTC), Array → []any, Obj → map[string]any
// (Missing fields left out).
func (v Value) ToAny() any {
	switch v.kind {
	case Bool:
		return v.num != 0
	case Int:
		return int64(v.num)
	case Float:
		return v.Float()
	case String:
		return v.str
	case Bytes:
		return []byte(v.str)
	case Time:
		return v.Time()
	case Array:
		src := v.Array()
		a := make([]any, len(src))
		for i, e := range src {
			a[i] = e.ToAny()
		}
		return a
	case Obj:
		return v.Object().ToMap()
	}
	return nil
}

// ToMap converts o into a map, leaving Missing fields out. A nil object
// gives nil.
func (o *Object) ToMap() map[string]any {
	if o == nil {
		return nil
	}
	m := make(map[string]any, len(o.Keys))
	for i, k := range o.Keys {
		if o.Vals[i].kind == Missing {
			continue
		}
		m[k] = o.Vals[i].ToAny()
	}
	return m
}

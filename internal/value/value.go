// Package value is Kuiper's row and value model: a small tagged union used
// on every hot path instead of interface{} maps, and an ordered object type
// for decoded messages and projected rows.
package value

import (
	"math"
	"time"
)

// Kind is the dynamic type of a Value.
type Kind uint8

// Kinds. The zero Value is Missing: a field that is absent from a message.
// Missing and Null both behave as nil in expressions (comparisons are false,
// arithmetic yields nil) but projection leaves a Missing field out of the
// output while a Null field is written as null.
const (
	Missing Kind = iota
	Null
	Bool
	Int
	Float
	String
	Bytes
	Time
	Array
	Obj
)

var kindNames = [...]string{
	Missing: "missing",
	Null:    "null",
	Bool:    "boolean",
	Int:     "bigint",
	Float:   "float",
	String:  "string",
	Bytes:   "bytea",
	Time:    "datetime",
	Array:   "array",
	Obj:     "struct",
}

// String returns the SQL-facing name of the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Value is a tagged union. Scalars live in num/str; arrays and objects in
// ref. Values are immutable once built; copy freely.
type Value struct {
	kind Kind
	num  uint64 // bool (0/1), int64 bits, float64 bits, unix nanoseconds
	str  string // string and bytea payloads
	ref  any    // []Value for arrays, *Object for objects
}

// Constructors.

// NullValue returns the SQL null.
func NullValue() Value { return Value{kind: Null} }

// BoolValue wraps a bool.
func BoolValue(b bool) Value {
	if b {
		return Value{kind: Bool, num: 1}
	}
	return Value{kind: Bool}
}

// IntValue wraps an int64.
func IntValue(i int64) Value { return Value{kind: Int, num: uint64(i)} }

// FloatValue wraps a float64.
func FloatValue(f float64) Value { return Value{kind: Float, num: math.Float64bits(f)} }

// StringValue wraps a string.
func StringValue(s string) Value { return Value{kind: String, str: s} }

// BytesValue wraps a byte slice. The bytes are copied.
func BytesValue(b []byte) Value { return Value{kind: Bytes, str: string(b)} }

// TimeValue wraps a time with nanosecond precision. A time zone other
// than UTC is kept (convert_tz), so formatting shows local wall time.
func TimeValue(t time.Time) Value {
	v := Value{kind: Time, num: uint64(t.UnixNano())}
	if loc := t.Location(); loc != time.UTC && loc != nil {
		v.ref = loc
	}
	return v
}

// ArrayValue wraps a slice of values; the slice is not copied.
func ArrayValue(a []Value) Value { return Value{kind: Array, ref: a} }

// ObjectValue wraps an object; a nil object is Null.
func ObjectValue(o *Object) Value {
	if o == nil {
		return Value{kind: Null}
	}
	return Value{kind: Obj, ref: o}
}

// Accessors. Each assumes the kind was checked; on another kind they return
// the zero value of their type.

// Kind returns the dynamic type.
func (v Value) Kind() Kind { return v.kind }

// IsNil reports whether v is Missing or Null.
func (v Value) IsNil() bool { return v.kind <= Null }

// IsMissing reports whether v is the absent-field marker.
func (v Value) IsMissing() bool { return v.kind == Missing }

// IsNumber reports whether v is Int or Float.
func (v Value) IsNumber() bool { return v.kind == Int || v.kind == Float }

// Bool returns the bool payload.
func (v Value) Bool() bool { return v.kind == Bool && v.num != 0 }

// Int returns the int64 payload.
func (v Value) Int() int64 {
	if v.kind == Int {
		return int64(v.num)
	}
	return 0
}

// Float returns the float64 payload.
func (v Value) Float() float64 {
	if v.kind == Float {
		return math.Float64frombits(v.num)
	}
	return 0
}

// Num returns an Int or Float as float64.
func (v Value) Num() float64 {
	switch v.kind {
	case Int:
		return float64(int64(v.num))
	case Float:
		return math.Float64frombits(v.num)
	}
	return 0
}

// Str returns the string (or bytea) payload.
func (v Value) Str() string {
	if v.kind == String || v.kind == Bytes {
		return v.str
	}
	return ""
}

// Time returns the datetime payload, in UTC unless it carries a zone.
func (v Value) Time() time.Time {
	if v.kind == Time {
		t := time.Unix(0, int64(v.num)).UTC()
		if loc, ok := v.ref.(*time.Location); ok {
			t = t.In(loc)
		}
		return t
	}
	return time.Time{}
}

// UnixNano returns the datetime payload as Unix nanoseconds.
func (v Value) UnixNano() int64 { return int64(v.num) }

// Array returns the array payload.
func (v Value) Array() []Value {
	a, _ := v.ref.([]Value)
	return a
}

// Object returns the object payload.
func (v Value) Object() *Object {
	o, _ := v.ref.(*Object)
	return o
}

// Object is an ordered set of named values: a decoded message, a nested
// JSON object or a projected row. Keys keep their insertion order; lookups
// are linear, which beats hashing for the handful of fields IoT messages
// carry, and a caller-held hint makes repeated lookups O(1) when messages
// share a layout.
type Object struct {
	Keys []string
	Vals []Value
}

// NewObject returns an empty object with room for n fields.
func NewObject(n int) *Object {
	return &Object{Keys: make([]string, 0, n), Vals: make([]Value, 0, n)}
}

// Len returns the number of fields.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.Keys)
}

// Get returns the value of key, or Missing.
func (o *Object) Get(key string) Value {
	if o == nil {
		return Value{}
	}
	for i, k := range o.Keys {
		if k == key {
			return o.Vals[i]
		}
	}
	return Value{}
}

// GetHint is Get with a position hint: *hint is tried first and updated to
// where key was found. Callers keep one hint per field reference.
func (o *Object) GetHint(key string, hint *int) Value {
	if o == nil {
		return Value{}
	}
	if h := *hint; h < len(o.Keys) && o.Keys[h] == key {
		return o.Vals[h]
	}
	for i, k := range o.Keys {
		if k == key {
			*hint = i
			return o.Vals[i]
		}
	}
	return Value{}
}

// Index returns the position of key, or -1.
func (o *Object) Index(key string) int {
	if o == nil {
		return -1
	}
	for i, k := range o.Keys {
		if k == key {
			return i
		}
	}
	return -1
}

// Set replaces the value of key or appends it.
func (o *Object) Set(key string, v Value) {
	if i := o.Index(key); i >= 0 {
		o.Vals[i] = v
		return
	}
	o.Keys = append(o.Keys, key)
	o.Vals = append(o.Vals, v)
}

// Append adds key without checking for duplicates (for builders that know
// keys are unique).
func (o *Object) Append(key string, v Value) {
	o.Keys = append(o.Keys, key)
	o.Vals = append(o.Vals, v)
}

// Delete removes key if present, keeping the order of the rest.
func (o *Object) Delete(key string) {
	if i := o.Index(key); i >= 0 {
		o.Keys = append(o.Keys[:i], o.Keys[i+1:]...)
		o.Vals = append(o.Vals[:i], o.Vals[i+1:]...)
	}
}

// Clone returns a shallow copy that can be modified independently.
func (o *Object) Clone() *Object {
	if o == nil {
		return nil
	}
	c := &Object{Keys: make([]string, len(o.Keys)), Vals: make([]Value, len(o.Vals))}
	copy(c.Keys, o.Keys)
	copy(c.Vals, o.Vals)
	return c
}

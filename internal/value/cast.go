package value

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeFormat is the layout in which datetimes are written as
// strings (casts, JSON output) and the first layout tried when a string is
// read as a datetime. Datetimes are rendered in UTC.
const DefaultTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// ConvError reports a value that does not convert to a kind, e.g.
// `cannot convert string(abc) to bigint`.
type ConvError struct {
	Value Value
	To    Kind
	Err   error // underlying cause, or nil
}

// Error implements error.
func (e *ConvError) Error() string {
	b := append([]byte("cannot convert "), e.Value.appendDebug(nil)...)
	b = append(b, " to "...)
	b = append(b, e.To.String()...)
	if e.Err != nil {
		b = append(b, ": "...)
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

// Unwrap returns the underlying cause.
func (e *ConvError) Unwrap() error { return e.Err }

func convErr(v Value, to Kind) error { return &ConvError{Value: v, To: to} }

// ParseKind maps a SQL type name ("bigint", "float", "string", "boolean",
// "datetime", "bytea", "array", "struct"; any letter case) to its Kind.
func ParseKind(name string) (Kind, bool) {
	for k, n := range kindNames {
		if k > int(Null) && strings.EqualFold(n, name) {
			return Kind(k), true
		}
	}
	return Missing, false
}

// ParseTime reads a datetime string in DefaultTimeFormat, or else in
// RFC 3339 with any number of fractional digits.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(DefaultTimeFormat, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse datetime %q: want the format %s", s, DefaultTimeFormat)
	}
	return t, nil
}

// AppendTime appends the datetime payload of v in DefaultTimeFormat (UTC).
func AppendTime(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, DefaultTimeFormat)
}

// TimeFromMillis returns the datetime of Unix milliseconds.
func TimeFromMillis(ms int64) Value { return Value{kind: Time, num: uint64(ms * 1e6)} }

// UnixMilli returns a datetime as Unix milliseconds (rounded down).
func (v Value) UnixMilli() int64 {
	ns := int64(v.num)
	ms := ns / 1e6
	if ns%1e6 < 0 {
		ms--
	}
	return ms
}

// timeFromFloatMillis converts float milliseconds to a datetime.
func timeFromFloatMillis(f float64) (Value, bool) {
	ns := f * 1e6
	if ns != ns || ns >= 9.2e18 || ns <= -9.2e18 {
		return Value{}, false
	}
	return Value{kind: Time, num: uint64(int64(math.Round(ns)))}, true
}

// Cast converts v to the kind to with the semantics of eKuiper's
// cast(x, "type") (its "convert all" mode):
//
//   - bigint: floats truncate toward zero (NaN and out-of-range values
//     fail); strings parse as integers with strconv.ParseInt base 0 ("12",
//     "0x1f"; "abc" and "1.5" fail); booleans give 1 or 0; datetimes give
//     Unix milliseconds.
//   - float: numbers; strings via strconv.ParseFloat; booleans 1 or 0;
//     datetimes Unix milliseconds.
//   - string: floats in the shortest 'f' form (1.5, 100000); bigint in
//     decimal; booleans "true"/"false"; bytea as its raw bytes; datetimes in
//     DefaultTimeFormat; arrays and structs as JSON text.
//   - boolean: numbers are true unless zero; strings via strconv.ParseBool.
//   - datetime: numbers are Unix milliseconds; strings parse with ParseTime.
//   - bytea: strings are base64-decoded (std encoding); bytea unchanged.
//   - array, struct: only a value of that kind.
//
// A nil value casts to Null. A failing conversion is a *ConvError.
func Cast(v Value, to Kind) (Value, error) {
	if v.kind <= Null {
		return NullValue(), nil
	}
	if v.kind == to {
		return v, nil
	}
	switch to {
	case Int:
		switch v.kind {
		case Float:
			f := v.Float()
			if f != f || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
				return Value{}, convErr(v, to)
			}
			return IntValue(int64(f)), nil
		case String:
			i, err := strconv.ParseInt(v.str, 0, 64)
			if err != nil {
				return Value{}, convErr(v, to)
			}
			return IntValue(i), nil
		case Bool:
			return IntValue(int64(v.num)), nil
		case Time:
			return IntValue(v.UnixMilli()), nil
		}
	case Float:
		switch v.kind {
		case Int:
			return FloatValue(float64(int64(v.num))), nil
		case String:
			f, err := strconv.ParseFloat(v.str, 64)
			if err != nil {
				return Value{}, convErr(v, to)
			}
			return FloatValue(f), nil
		case Bool:
			return FloatValue(float64(v.num)), nil
		case Time:
			return FloatValue(float64(int64(v.num)) / 1e6), nil
		}
	case String:
		switch v.kind {
		case Int:
			return StringValue(strconv.FormatInt(int64(v.num), 10)), nil
		case Float:
			return StringValue(strconv.FormatFloat(v.Float(), 'f', -1, 64)), nil
		case Bool:
			return StringValue(strconv.FormatBool(v.num != 0)), nil
		case Bytes:
			return Value{kind: String, str: v.str}, nil
		case Time:
			return StringValue(string(AppendTime(nil, v.Time()))), nil
		case Array, Obj:
			return StringValue(string(v.AppendJSON(nil, SortKeys))), nil
		}
	case Bool:
		switch v.kind {
		case Int:
			return BoolValue(v.num != 0), nil
		case Float:
			return BoolValue(v.Float() != 0), nil
		case String:
			b, err := strconv.ParseBool(v.str)
			if err != nil {
				return Value{}, convErr(v, to)
			}
			return BoolValue(b), nil
		}
	case Time:
		switch v.kind {
		case Int:
			ms := int64(v.num)
			if ms > math.MaxInt64/1_000_000 || ms < math.MinInt64/1_000_000 {
				return Value{}, convErr(v, to)
			}
			return TimeFromMillis(ms), nil
		case Float:
			if t, ok := timeFromFloatMillis(v.Float()); ok {
				return t, nil
			}
			return Value{}, convErr(v, to)
		case String:
			t, err := ParseTime(v.str)
			if err != nil {
				return Value{}, &ConvError{Value: v, To: to, Err: err}
			}
			return TimeValue(t), nil
		}
	case Bytes:
		if v.kind == String {
			b, err := base64.StdEncoding.DecodeString(v.str)
			if err != nil {
				return Value{}, &ConvError{Value: v, To: to, Err: errors.New("not base64")}
			}
			return Value{kind: Bytes, str: string(b)}, nil
		}
	}
	return Value{}, convErr(v, to)
}

// Coerce converts a decoded value into the declared type of a typed
// stream column (eKuiper's schema validation without strict mode); a
// failing value fails the row. Nil values pass unchanged. The rules are
// narrower than Cast:
//
//   - bigint: bigint, or a float with an integral value in range (2.0 → 2;
//     1.5 fails).
//   - float: float or bigint.
//   - string: string or bytea.
//   - boolean: boolean only.
//   - datetime: datetime, a number of Unix milliseconds, or a string that
//     ParseTime reads.
//   - bytea: bytea, or a base64 string (bytea travels as base64 in JSON).
//   - array, struct: a value of that kind (see CoerceType for element and
//     field types).
func Coerce(v Value, to Kind) (Value, error) {
	if v.kind <= Null || v.kind == to {
		return v, nil
	}
	switch to {
	case Int:
		if v.kind == Float {
			f := v.Float()
			if f == math.Trunc(f) && f >= -9223372036854775808.0 && f < 9223372036854775808.0 {
				return IntValue(int64(f)), nil
			}
		}
	case Float:
		if v.kind == Int {
			return FloatValue(float64(int64(v.num))), nil
		}
	case String:
		if v.kind == Bytes {
			return Value{kind: String, str: v.str}, nil
		}
	case Time, Bytes:
		if (to == Time && (v.kind == Int || v.kind == Float || v.kind == String)) ||
			(to == Bytes && v.kind == String) {
			return Cast(v, to)
		}
	}
	return Value{}, convErr(v, to)
}

// ToBool is the truth of a WHERE, HAVING or CASE WHEN condition: Bool true
// is true, nil is false, and any other kind is an error.
func ToBool(v Value) (bool, error) {
	switch v.kind {
	case Bool:
		return v.num != 0, nil
	case Missing, Null:
		return false, nil
	}
	return false, &ConvError{Value: v, To: Bool}
}

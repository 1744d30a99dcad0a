package function

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/kuiperio/kuiper/internal/value"
)

// missing is the result of a function that yields SQL null. It is the
// absent-field marker rather than Null because eKuiper leaves a column
// whose function returned nil out of the output row (abs(null) AS a gives
// no "a" at all).
var missing = value.Value{}

// Parameter shorthands for the spec tables.

func param(name string, t Type) Param { return Param{Name: name, Type: t} }

func optional(name string, t Type) Param { return Param{Name: name, Type: t, Optional: true} }

func variadic(name string, t Type) Param { return Param{Name: name, Type: t, Variadic: true} }

func optVariadic(name string, t Type) Param {
	return Param{Name: name, Type: t, Variadic: true, Optional: true}
}

func ex(sql, result string) Example { return Example{SQL: sql, Result: result} }

func exIn(sql, input, result string) Example { return Example{SQL: sql, Input: input, Result: result} }

// Types used by many parameters.
const (
	// tTimeLike is what datetime parameters accept: a datetime, Unix
	// milliseconds, or a datetime string.
	tTimeLike = TTime | TNumber | TString
	// tScalar is any non-composite value.
	tScalar = TBool | TNumber | TString | TBytes | TTime
)

// anyNil reports whether some argument is Missing or Null.
func anyNil(args []value.Value) bool {
	for _, a := range args {
		if a.IsNil() {
			return true
		}
	}
	return false
}

// argErr reports argument i of the wrong type at run time; the function
// and parameter names are filled in by the spec's Exec wrapper.
func argErr(i int, want string, got value.Value) error {
	return &ArgError{Index: i, Want: want, Got: got}
}

// finish completes a spec: runtime errors of Exec and ExecAnalytic get the
// function and parameter names, so every error a row fails with says which
// call failed.
func finish(s *Spec) *Spec {
	if inner := s.Exec; inner != nil {
		s.Exec = func(ctx *Context, args []value.Value) (value.Value, error) {
			v, err := inner(ctx, args)
			if err != nil {
				return missing, s.annotate(err)
			}
			return v, nil
		}
	}
	if inner := s.ExecAnalytic; inner != nil {
		s.ExecAnalytic = func(state any, args []value.Value, when bool) (value.Value, error) {
			v, err := inner(state, args, when)
			if err != nil {
				return missing, s.annotate(err)
			}
			return v, nil
		}
	}
	return s
}

// annotate names the function (and the parameter) in a runtime error.
func (s *Spec) annotate(err error) error {
	var ae *ArgError
	if errors.As(err, &ae) && ae.Func == "" {
		ae.Func = s.Name
		if ae.Param == "" {
			if p, ok := s.Param(ae.Index); ok {
				ae.Param = p.Name
			}
		}
		return err
	}
	return fmt.Errorf("function %s: %w", s.Name, err)
}

// toFloat reads a number. Strings are not numbers: math on a string fails
// the row, as in eKuiper.
func toFloat(i int, v value.Value) (float64, error) {
	switch v.Kind() {
	case value.Int:
		return float64(v.Int()), nil
	case value.Float:
		return v.Float(), nil
	}
	return 0, argErr(i, "a number", v)
}

// toInt reads an integer: a bigint, or a float with an integral value
// (schemaless JSON numbers are floats, so 2.0 must do as 2).
func toInt(i int, v value.Value) (int64, error) {
	switch v.Kind() {
	case value.Int:
		return v.Int(), nil
	case value.Float:
		f := v.Float()
		if f == math.Trunc(f) && f >= -9223372036854775808.0 && f < 9223372036854775808.0 {
			return int64(f), nil
		}
	}
	return 0, argErr(i, "an integer", v)
}

// toBool reads a boolean.
func toBool(i int, v value.Value) (bool, error) {
	if v.Kind() == value.Bool {
		return v.Bool(), nil
	}
	return false, argErr(i, "a boolean", v)
}

// toStr renders a value as text the way string functions see it: strings
// and bytea as they are, numbers in their shortest form, datetimes in the
// default format, arrays and objects as JSON. Nil gives "".
func toStr(v value.Value) string {
	switch v.Kind() {
	case value.String, value.Bytes:
		return v.Str()
	case value.Missing, value.Null:
		return ""
	}
	s, err := value.Cast(v, value.String)
	if err != nil {
		return ""
	}
	return s.Str()
}

// toStrArg is toStr for parameters that must be strings (names, patterns).
func toStrArg(i int, v value.Value) (string, error) {
	if v.Kind() == value.String {
		return v.Str(), nil
	}
	return "", argErr(i, "a string", v)
}

// timeLayouts are read, after value.ParseTime's formats, when a string
// argument of a datetime function is not in the default format.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05.999999999",
	"2006/01/02",
}

// toTime reads a datetime argument: a datetime, Unix milliseconds (bigint
// or float) or a datetime string. Strings without a zone are read in loc.
func toTime(i int, v value.Value, loc *time.Location) (time.Time, error) {
	switch v.Kind() {
	case value.Time:
		return v.Time(), nil
	case value.Int, value.Float:
		t, err := value.Cast(v, value.Time)
		if err != nil {
			return time.Time{}, argErr(i, "a datetime", v)
		}
		return t.Time(), nil
	case value.String:
		s := v.Str()
		if t, err := value.ParseTime(s); err == nil {
			return t, nil
		}
		for _, layout := range timeLayouts {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, argErr(i, "a datetime", v)
}

// floatResult wraps a float result; NaN and infinities (sqrt(-1), ln(0))
// have no JSON form and give null.
func floatResult(f float64) value.Value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return missing
	}
	return value.FloatValue(f)
}

// location returns the time zone of ctx, UTC by default.
func location(ctx *Context) *time.Location {
	if ctx != nil && ctx.Location != nil {
		return ctx.Location
	}
	return time.UTC
}

// now returns the current time of ctx.
func now(ctx *Context) time.Time {
	if ctx != nil && ctx.Now != nil {
		return ctx.Now()
	}
	return time.Now()
}

// constArg returns the value of argument i if it is a literal.
func constArg(args []Arg, i int) (value.Value, bool) {
	if i < len(args) && args[i].Const {
		return args[i].Value, true
	}
	return missing, false
}

// keyed is a call site's cache of the value last compiled from a string
// argument: a regular expression, a time pattern, a JSON path, a zone.
type keyed[T any] struct {
	key string
	val T
}

// cachedBy returns compile(key), reusing the call site's last result while
// the key stays the same (arguments are usually literals, so it compiles
// once per rule).
func cachedBy[T any](ctx *Context, key string, compile func(string) (T, error)) (T, error) {
	if ctx != nil {
		if c, ok := ctx.State.(*keyed[T]); ok && c.key == key {
			return c.val, nil
		}
	}
	v, err := compile(key)
	if err != nil {
		var zero T
		return zero, err
	}
	if ctx != nil {
		ctx.State = &keyed[T]{key: key, val: v}
	}
	return v, nil
}

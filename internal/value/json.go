package value

import (
	"encoding/base64"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// JSONStyle selects options of the JSON encoder.
type JSONStyle uint8

// JSON encoder options.
const (
	// SortKeys writes object fields in byte order of their names, as Go's
	// encoding/json writes maps (and so eKuiper writes rows). Without it
	// fields keep their order in the Object.
	SortKeys JSONStyle = 1 << iota
	// EscapeHTML writes <, > and & as \u003c, \u003e and \u0026, as
	// encoding/json does by default. Without it they are written as they are.
	EscapeHTML
)

// AppendJSON appends the JSON text of v to dst and returns the extended
// slice. The output matches Go's encoding/json for the equivalent Go value
// (float64, int64, string, bool, nil, []any, map[string]any) with
// SetEscapeHTML(style&EscapeHTML != 0):
//
//   - Float as encoding/json writes a float64 (43 → `43`, 1e21 → `1e+21`,
//     1e-7 → `1e-7`, 0.000001 → `0.000001`); NaN and ±Inf, which JSON cannot
//     represent, are written as null.
//   - Int in decimal; Bool; Null and Missing as null.
//   - String with encoding/json's escaping: invalid UTF-8 becomes \ufffd,
//     U+2028 and U+2029 are escaped.
//   - Bytes as a base64 (std) string; Time as a string in DefaultTimeFormat
//     (UTC, milliseconds).
//   - Obj with Missing fields left out; Array with Missing elements as null.
func (v Value) AppendJSON(dst []byte, style JSONStyle) []byte {
	switch v.kind {
	case Missing, Null:
		return append(dst, "null"...)
	case Bool:
		if v.num != 0 {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case Int:
		return strconv.AppendInt(dst, int64(v.num), 10)
	case Float:
		return AppendFloat(dst, v.Float())
	case String:
		return appendJSONString(dst, v.str, style&EscapeHTML != 0)
	case Bytes:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, unsafeBytes(v.str))
		return append(dst, '"')
	case Time:
		dst = append(dst, '"')
		dst = AppendTime(dst, v.Time())
		return append(dst, '"')
	case Array:
		dst = append(dst, '[')
		for i, e := range v.Array() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = e.AppendJSON(dst, style)
		}
		return append(dst, ']')
	case Obj:
		return v.Object().AppendJSON(dst, style)
	}
	return append(dst, "null"...)
}

// AppendJSON appends o as a JSON object. Missing fields are left out; a
// nil object is written as null.
func (o *Object) AppendJSON(dst []byte, style JSONStyle) []byte {
	if o == nil {
		return append(dst, "null"...)
	}
	if style&SortKeys == 0 || len(o.Keys) < 2 {
		dst = append(dst, '{')
		first := true
		for i, k := range o.Keys {
			if o.Vals[i].kind == Missing {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = appendJSONString(dst, k, style&EscapeHTML != 0)
			dst = append(dst, ':')
			dst = o.Vals[i].AppendJSON(dst, style)
		}
		return append(dst, '}')
	}
	var stack [32]int32
	var order []int32
	if len(o.Keys) <= len(stack) {
		order = stack[:len(o.Keys)]
	} else {
		order = make([]int32, len(o.Keys))
	}
	for i := range order {
		order[i] = int32(i)
	}
	keys := o.Keys
	// Insertion sort is fastest for the small objects of IoT messages.
	if len(order) <= len(stack) {
		for i := 1; i < len(order); i++ {
			for j := i; j > 0 && keys[order[j]] < keys[order[j-1]]; j-- {
				order[j], order[j-1] = order[j-1], order[j]
			}
		}
	} else {
		slices.SortStableFunc(order, func(a, b int32) int {
			switch {
			case keys[a] < keys[b]:
				return -1
			case keys[a] > keys[b]:
				return 1
			}
			return 0
		})
	}
	dst = append(dst, '{')
	first := true
	for _, i := range order {
		if o.Vals[i].kind == Missing {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, keys[i], style&EscapeHTML != 0)
		dst = append(dst, ':')
		dst = o.Vals[i].AppendJSON(dst, style)
	}
	return append(dst, '}')
}

// AppendFloat appends f formatted as encoding/json formats a float64: the
// shortest representation that reads back exactly, in plain notation
// unless the magnitude is below 1e-6 or at least 1e21, where it uses an
// exponent with at least one digit (1e-7, 1e+21). NaN and ±Inf give null.
func AppendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	a := math.Abs(f)
	if a < 1e15 && a == math.Trunc(a) && a != 0 {
		// Whole numbers print as integers; this path is exact and several
		// times faster than the shortest-representation search.
		return strconv.AppendInt(dst, int64(f), 10)
	}
	if a != 0 && (a < 1e-6 || a >= 1e21) {
		n := len(dst)
		dst = strconv.AppendFloat(dst, f, 'e', -1, 64)
		// strconv writes a two-digit exponent (1e-07); JSON needs one.
		if m := len(dst); m-n >= 4 && dst[m-4] == 'e' && dst[m-3] == '-' && dst[m-2] == '0' {
			dst[m-2] = dst[m-1]
			dst = dst[:m-1]
		}
		return dst
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// escapes classifies ASCII bytes for JSON strings: 0 is copied as is, 1
// needs a \u00XX escape, other values are the letter of a short escape.
// HTML characters are marked 'h' and escaped only on request.
var escapes = func() (t [utf8.RuneSelf]byte) {
	for i := 0; i < 0x20; i++ {
		t[i] = 1
	}
	t['"'], t['\\'] = '"', '\\'
	t['\b'], t['\f'], t['\n'], t['\r'], t['\t'] = 'b', 'f', 'n', 'r', 't'
	t['<'], t['>'], t['&'] = 'h', 'h', 'h'
	return t
}()

const hexDigits = "0123456789abcdef"

func appendJSONString(dst []byte, s string, html bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			e := escapes[c]
			if e == 0 || (e == 'h' && !html) {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch e {
			case 1, 'h':
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, '\\', e)
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// String renders v for messages and debugging as kind(payload), the way
// eKuiper names operands in its errors: string(ab), bigint(1), float(1.5),
// boolean(true), datetime(2023-11-14T22:13:20.123Z), bytea(aGk=),
// array([1,2]), struct({"a":1}); nil values are "null" and "missing".
func (v Value) String() string { return string(v.appendDebug(nil)) }

func (v Value) appendDebug(b []byte) []byte {
	switch v.kind {
	case Missing:
		return append(b, "missing"...)
	case Null:
		return append(b, "null"...)
	}
	b = append(b, v.kind.String()...)
	b = append(b, '(')
	switch v.kind {
	case String:
		b = append(b, v.str...)
	case Time:
		b = AppendTime(b, v.Time())
	case Bytes:
		b = base64.StdEncoding.AppendEncode(b, unsafeBytes(v.str))
	case Float:
		if x := v.Float(); math.IsNaN(x) || math.IsInf(x, 0) {
			b = strconv.AppendFloat(b, x, 'g', -1, 64) // NaN, +Inf, -Inf
		} else {
			b = AppendFloat(b, x)
		}
	default:
		b = v.AppendJSON(b, SortKeys)
	}
	return append(b, ')')
}

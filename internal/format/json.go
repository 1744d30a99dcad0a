package format

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/kuiperio/kuiper/internal/value"
)

// maxDepth is the deepest nesting accepted, the same as encoding/json's.
const maxDepth = 10000

// Tape tags. The scanner writes one node per JSON value (and one per
// object key) in document order; containers record their element count.
const (
	tagNull uint8 = iota
	tagFalse
	tagTrue
	tagInt
	tagFloat
	tagString
	tagKey
	tagArray
	tagObject
)

type node struct {
	tag uint8
	col int32  // tagKey in a row: the schema column, or -1
	n   uint32 // containers: number of elements or fields; strings: end in buf
	off uint32 // strings: start in buf
	num uint64 // tagInt: int64 bits; tagFloat: float64 bits
}

// JSONDecoder decodes JSON payloads into rows. It scans each payload once,
// validating it as strictly as encoding/json and recording values on a
// reusable tape, then builds the rows with a handful of exact-size
// allocations (one string for all text, one slice each for objects, keys
// and values) however many fields and rows the payload has. Values are the
// ones encoding/json.Unmarshal gives into an interface{}: numbers float64
// (or bigint, see Options), invalid UTF-8 replaced by U+FFFD, a repeated
// key keeping its first position and its last value. Numbers beyond the
// float64 range are an error, as with Unmarshal.
//
// A JSONDecoder must be used by one goroutine at a time.
type JSONDecoder struct {
	data []byte
	pos  int
	tape []node
	buf  []byte // text of the string values of the payload
	kbuf []byte // text of the keys not found in keyCache

	keyCache []string // keys by ordinal in the previous payloads
	nKeys    int      // keys recorded so far in this payload

	nObj, nField, nElem int
	allRows             bool // every top-level element is an object

	want     map[string]int32 // kept top-level keys → index in wanted; nil keeps all
	wanted   []wanted
	rowKeys  []rowKey // per key position in a row: what the last payload had there
	rowKeyB  []byte   // text of the rowKeys
	cols     []value.Column
	intCol   []bool // cols[i] is bigint
	strict   bool
	integers bool
	present  []bool  // per column, seen in the current row
	fieldCol []int32 // per field of the current row, its column
	dupTab   []int32 // open-addressing table for duplicate-key checks
}

// wanted is a kept top-level field: its name (the string rows use) and
// its schema column, or -1.
type wanted struct {
	name string
	col  int32
}

// rowKey caches the decision for the key found at one position of a row,
// so rows of a stable layout skip the map lookup.
type rowKey struct {
	off, end uint32 // the key's text in rowKeyB
	want     int32  // index in wanted, or -1 for a skipped key
}

// Bounds of the row key cache.
const (
	maxRowKeys  = 64
	maxRowKeyB  = 4096
	skippedKey  = -1
	nameFromKey = 2 // node.num of a tagKey whose name is wanted[node.off].name
)

// NewJSONDecoder returns a JSON decoder with the given options.
func NewJSONDecoder(opts Options) *JSONDecoder {
	d := &JSONDecoder{strict: opts.Strict, integers: opts.IntegerNumbers}
	keep := func(name string, col int32) {
		if _, dup := d.want[name]; !dup {
			d.want[name] = int32(len(d.wanted))
			d.wanted = append(d.wanted, wanted{name: name, col: col})
		}
	}
	switch {
	case opts.Schema != nil:
		d.cols = opts.Schema
		d.intCol = make([]bool, len(d.cols))
		d.present = make([]bool, len(d.cols))
		d.want = make(map[string]int32, len(d.cols))
		var sel map[string]bool
		if opts.Fields != nil {
			sel = make(map[string]bool, len(opts.Fields))
			for _, f := range opts.Fields {
				sel[f] = true
			}
		}
		for i, c := range d.cols {
			d.intCol[i] = c.Type != nil && c.Type.Kind == value.Int
			if sel == nil || sel[c.Name] {
				keep(c.Name, int32(i))
			}
		}
	case opts.Fields != nil:
		d.want = make(map[string]int32, len(opts.Fields))
		for _, f := range opts.Fields {
			keep(f, -1)
		}
	}
	return d
}

// selectKey decides whether the key kb at position p of a row is kept,
// and returns its index in wanted (or skippedKey).
func (d *JSONDecoder) selectKey(p int, kb []byte) int32 {
	if p < len(d.rowKeys) {
		if e := d.rowKeys[p]; string(d.rowKeyB[e.off:e.end]) == string(kb) {
			return e.want
		}
	}
	w, ok := d.want[string(kb)]
	if !ok {
		w = skippedKey
	}
	if p <= len(d.rowKeys) && p < maxRowKeys {
		if len(d.rowKeyB)+len(kb) > maxRowKeyB {
			// The layouts keep changing: start the cache afresh.
			d.rowKeys, d.rowKeyB = d.rowKeys[:0], d.rowKeyB[:0]
			if p > 0 {
				return w
			}
		}
		e := rowKey{off: uint32(len(d.rowKeyB)), want: w}
		d.rowKeyB = append(d.rowKeyB, kb...)
		e.end = uint32(len(d.rowKeyB))
		if p < len(d.rowKeys) {
			d.rowKeys[p] = e
		} else {
			d.rowKeys = append(d.rowKeys, e)
		}
	}
	return w
}

// Decode decodes one payload: an object is one row, an array of objects
// one row per element. Invalid JSON (*SyntaxError) and any other JSON
// value (ErrNotObject) emit nothing. A row whose fields fail the schema
// is skipped and the others are emitted; the error (a *FieldError, or
// several joined) is returned after them.
func (d *JSONDecoder) Decode(payload []byte, emit func(*value.Object)) error {
	d.data, d.pos = payload, 0
	d.tape, d.buf, d.kbuf = d.tape[:0], d.buf[:0], d.kbuf[:0]
	d.nObj, d.nField, d.nElem, d.nKeys = 0, 0, 0, 0
	defer func() { d.data = nil }()

	d.skipWS()
	if d.pos >= len(d.data) {
		return d.syntax("unexpected end of input")
	}
	top := d.data[d.pos]
	switch top {
	case '{':
		d.pos++
		if err := d.object(1, true); err != nil {
			return err
		}
	case '[':
		d.pos++
		if err := d.rowArray(); err != nil {
			return err
		}
	default:
		if err := d.value(0, false); err != nil {
			return err
		}
	}
	d.skipWS()
	if d.pos != len(d.data) {
		return d.syntax(fmt.Sprintf("invalid character %s after top-level value", quoteChar(d.data[d.pos])))
	}
	switch {
	case top != '{' && top != '[':
		return fmt.Errorf("%w: got a %s", ErrNotObject, tagName(d.tape[0].tag))
	case top == '[' && !d.allRows:
		return fmt.Errorf("%w: an array element is not an object", ErrNotObject)
	}
	return d.build(emit)
}

func tagName(t uint8) string {
	switch t {
	case tagNull:
		return "null"
	case tagFalse, tagTrue:
		return "boolean"
	case tagInt, tagFloat:
		return "number"
	case tagString:
		return "string"
	case tagArray:
		return "array"
	}
	return "object"
}

func (d *JSONDecoder) syntax(msg string) error {
	return &SyntaxError{Offset: d.pos, Msg: msg}
}

func quoteChar(c byte) string {
	if c < utf8.RuneSelf {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (d *JSONDecoder) skipWS() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *JSONDecoder) unexpected() error {
	if d.pos >= len(d.data) {
		return d.syntax("unexpected end of input")
	}
	return d.syntax("invalid character " + quoteChar(d.data[d.pos]))
}

// rowArray scans a top-level array whose object elements are rows.
func (d *JSONDecoder) rowArray() error {
	idx := len(d.tape)
	d.tape = append(d.tape, node{tag: tagArray})
	d.allRows = true
	n := 0
	d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return nil
	}
	for {
		d.skipWS()
		if d.pos < len(d.data) && d.data[d.pos] == '{' {
			d.pos++
			if err := d.object(2, true); err != nil {
				return err
			}
		} else {
			d.allRows = false
			if err := d.value(1, false); err != nil {
				return err
			}
		}
		n++
		d.skipWS()
		if d.pos >= len(d.data) {
			return d.unexpected()
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.tape[idx].n = uint32(n)
			return nil
		default:
			return d.unexpected()
		}
	}
}

// value scans one value at d.pos (whitespace already skipped by the
// caller or skipped here) of a container at depth; intHint asks for
// integer literals as bigint.
func (d *JSONDecoder) value(depth int, intHint bool) error {
	d.skipWS()
	if d.pos >= len(d.data) {
		return d.unexpected()
	}
	switch c := d.data[d.pos]; c {
	case '{':
		d.pos++
		return d.object(depth+1, false)
	case '[':
		d.pos++
		return d.array(depth + 1)
	case '"':
		d.pos++
		start := len(d.buf)
		text, err := d.str()
		if err != nil {
			return err
		}
		if len(d.buf) == start { // text is still in the payload
			d.buf = append(d.buf, text...)
		}
		d.tape = append(d.tape, node{tag: tagString, off: uint32(start), n: uint32(len(d.buf))})
		return nil
	case 't':
		return d.literal("true", tagTrue)
	case 'f':
		return d.literal("false", tagFalse)
	case 'n':
		return d.literal("null", tagNull)
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return d.number(intHint || d.integers)
		}
		return d.unexpected()
	}
}

func (d *JSONDecoder) literal(word string, tag uint8) error {
	end := d.pos + len(word)
	if end > len(d.data) || string(d.data[d.pos:end]) != word {
		// Find the first differing byte for the message.
		for i := 1; i < len(word); i++ {
			d.pos++
			if d.pos >= len(d.data) || d.data[d.pos] != word[i] {
				return d.unexpected()
			}
		}
	}
	d.pos = end
	d.tape = append(d.tape, node{tag: tag})
	return nil
}

func (d *JSONDecoder) array(depth int) error {
	if depth > maxDepth {
		return d.syntax("exceeded max depth")
	}
	idx := len(d.tape)
	d.tape = append(d.tape, node{tag: tagArray})
	n := 0
	d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return nil
	}
	for {
		if err := d.value(depth, false); err != nil {
			return err
		}
		n++
		d.skipWS()
		if d.pos >= len(d.data) {
			return d.unexpected()
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.tape[idx].n = uint32(n)
			d.nElem += n
			return nil
		default:
			return d.unexpected()
		}
	}
}

// object scans an object after its '{'. A row object applies the
// decoder's field selection to its keys.
func (d *JSONDecoder) object(depth int, row bool) error {
	if depth > maxDepth {
		return d.syntax("exceeded max depth")
	}
	idx := len(d.tape)
	d.tape = append(d.tape, node{tag: tagObject})
	d.nObj++
	n := 0
	d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return nil
	}
	filter := row && d.want != nil
	p := 0 // key position, for the row key cache
	for {
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return d.unexpected()
		}
		d.pos++
		start := len(d.buf)
		name, err := d.str()
		if err != nil {
			return err
		}
		d.skipWS()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return d.unexpected()
		}
		d.pos++
		switch {
		case !filter:
			d.tape = append(d.tape, d.key(name))
			d.buf = d.buf[:start] // drop the text of an escaped key
			if err := d.value(depth, false); err != nil {
				return err
			}
			n++
		default:
			w := d.selectKey(p, name)
			p++
			d.buf = d.buf[:start]
			if w == skippedKey {
				d.skipWS()
				if err := d.skip(depth); err != nil {
					return err
				}
				break
			}
			col := d.wanted[w].col
			d.tape = append(d.tape, node{tag: tagKey, col: col, off: uint32(w), num: nameFromKey})
			if err := d.value(depth, col >= 0 && d.intCol[col]); err != nil {
				return err
			}
			n++
		}
		d.skipWS()
		if d.pos >= len(d.data) {
			return d.unexpected()
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.skipWS()
		case '}':
			d.pos++
			d.tape[idx].n = uint32(n)
			d.nField += n
			return nil
		default:
			return d.unexpected()
		}
	}
}

// key records an object key. A key equal to the one at the same ordinal
// in an earlier payload reuses that string, so messages of a stable
// layout allocate nothing for their keys; other keys go to d.kbuf, which
// becomes one string of keys only (so cached keys never pin a payload's
// values).
func (d *JSONDecoder) key(name []byte) node {
	ord := d.nKeys
	d.nKeys++
	if ord < len(d.keyCache) && d.keyCache[ord] == string(name) {
		return node{tag: tagKey, col: -1, off: uint32(ord), num: 1}
	}
	kstart := len(d.kbuf)
	d.kbuf = append(d.kbuf, name...)
	return node{tag: tagKey, col: -1, off: uint32(kstart), n: uint32(len(d.kbuf))}
}

// maxKeyCache bounds the key cache (ordinals of keys in a payload).
const maxKeyCache = 256

// str scans a string body after its opening quote and returns its text.
// A string without escapes or invalid UTF-8 is returned as a span of the
// payload and d.buf is untouched; otherwise the decoded text is appended
// to d.buf and the returned slice is that tail of d.buf.
func (d *JSONDecoder) str() ([]byte, error) {
	data := d.data
	i := d.pos
	for {
		i = scanPlain(data, i)
		if i >= len(data) {
			d.pos = i
			return nil, d.syntax("unexpected end of input in string")
		}
		c := data[i]
		if c == '"' {
			text := data[d.pos:i]
			d.pos = i + 1
			return text, nil
		}
		if c < utf8.RuneSelf {
			break // an escape or a control character
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	start := len(d.buf)
	d.buf = append(d.buf, data[d.pos:i]...)
	d.pos = i
	if err := d.decodeStr(); err != nil {
		return nil, err
	}
	return d.buf[start:], nil
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// scanPlain returns the index of the first byte at or after i that is not
// plain (see the plain table), or len(data). It tests eight bytes at a
// time: a quote, a backslash, a byte below 0x20 or one with the high bit
// set makes the word fall back to the byte loop.
func scanPlain(data []byte, i int) int {
	for ; i+8 <= len(data); i += 8 {
		w := binary.LittleEndian.Uint64(data[i:])
		q := w ^ ('"' * ones)
		bs := w ^ ('\\' * ones)
		// With no high bit in w, a byte's high bit in a difference can
		// only come from a byte below 0x20, a quote or a backslash (the
		// lowest one starts the borrow), so the test has no false
		// positives for ASCII and never misses.
		special := (w - 0x20*ones) | (q - ones) | (bs - ones)
		if (special|w)&highs != 0 {
			break
		}
	}
	for i < len(data) && plain[data[i]] {
		i++
	}
	return i
}

// decodeStr decodes the rest of a string body from d.pos, appending to
// d.buf, after str found an escape or a byte that needs checking.
func (d *JSONDecoder) decodeStr() error {
	data := d.data
	i := d.pos
	start := i
	for {
		i = scanPlain(data, i)
		if i >= len(data) {
			d.pos = i
			return d.syntax("unexpected end of input in string")
		}
		switch c := data[i]; {
		case c == '"':
			d.buf = append(d.buf, data[start:i]...)
			d.pos = i + 1
			return nil
		case c == '\\':
			d.buf = append(d.buf, data[start:i]...)
			i++
			if i >= len(data) {
				d.pos = i
				return d.syntax("unexpected end of input in string escape")
			}
			switch e := data[i]; e {
			case '"', '\\', '/':
				d.buf = append(d.buf, e)
			case 'b':
				d.buf = append(d.buf, '\b')
			case 'f':
				d.buf = append(d.buf, '\f')
			case 'n':
				d.buf = append(d.buf, '\n')
			case 'r':
				d.buf = append(d.buf, '\r')
			case 't':
				d.buf = append(d.buf, '\t')
			case 'u':
				r, ok := hex4(data[i+1:])
				if !ok {
					d.pos = i + 1
					return d.syntax("invalid \\u escape in string")
				}
				i += 4
				if utf16.IsSurrogate(r) {
					// A pair combines; a lone half becomes U+FFFD, as in
					// encoding/json.
					combined := false
					if i+2 < len(data) && data[i+1] == '\\' && data[i+2] == 'u' {
						if r2, ok := hex4(data[i+3:]); ok {
							if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
								r = dec
								i += 6
								combined = true
							}
						}
					}
					if !combined {
						r = utf8.RuneError
					}
				}
				d.buf = utf8.AppendRune(d.buf, r)
			default:
				d.pos = i
				return d.syntax("invalid escape " + quoteChar(e) + " in string")
			}
			i++
			start = i
		case c < 0x20:
			d.pos = i
			return d.syntax("invalid control character in string")
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				d.buf = append(d.buf, data[start:i]...)
				d.buf = append(d.buf, "\uFFFD"...)
				i++
				start = i
			} else {
				i += size
			}
		}
	}
}

// plain marks the bytes a string body holds as they are: not a quote, a
// backslash, a control character or the start of a multi-byte sequence.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// number scans a number. Integer literals become bigint when asInt is
// set and they fit; everything else float64, exactly as strconv reads it.
func (d *JSONDecoder) number(asInt bool) error {
	data := d.data
	start := d.pos
	i := start
	if data[i] == '-' {
		i++
	}
	intStart := i
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i]-'1' <= 8:
		i = skipDigits(data, i+1)
	default:
		d.pos = i
		return d.unexpected()
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(data) && data[i] == '.' {
		i++
		fracStart = i
		i = skipDigits(data, i)
		if i == fracStart {
			d.pos = i
			return d.unexpected()
		}
		fracEnd = i
	}
	exp, hasExp := 0, false
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		hasExp = true
		i++
		eneg := false
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			eneg = data[i] == '-'
			i++
		}
		j := skipDigits(data, i)
		if j == i {
			d.pos = i
			return d.unexpected()
		}
		for _, c := range data[i:j] {
			if exp < 100000 {
				exp = exp*10 + int(c-'0')
			}
		}
		if eneg {
			exp = -exp
		}
		i = j
	}
	d.pos = i
	neg := data[start] == '-'
	nInt, nFrac := intEnd-intStart, fracEnd-fracStart
	if asInt && nFrac == 0 && !hasExp {
		if nInt <= 18 {
			x := int64(digitsValue(data[intStart:intEnd], 0))
			if neg {
				x = -x
			}
			d.tape = append(d.tape, node{tag: tagInt, num: uint64(x)})
			return nil
		}
		if x, err := strconv.ParseInt(unsafeString(data[start:i]), 10, 64); err == nil {
			d.tape = append(d.tape, node{tag: tagInt, num: uint64(x)})
			return nil
		}
	}
	if nInt+nFrac <= 19 {
		// At most 19 digits fit a uint64. When the mantissa and the power
		// of ten are both exact in float64, one rounding gives the
		// correctly rounded result (Clinger's fast path, as strconv takes
		// too).
		mant := digitsValue(data[fracStart:fracEnd], digitsValue(data[intStart:intEnd], 0))
		exp10 := exp - nFrac
		if mant <= 1<<53 && exp10 >= -22 && exp10 <= 22 {
			f := float64(mant)
			if exp10 < 0 {
				f /= pow10[-exp10]
			} else {
				f *= pow10[exp10]
			}
			if neg {
				f = -f
			}
			d.tape = append(d.tape, node{tag: tagFloat, num: math.Float64bits(f)})
			return nil
		}
	}
	f, err := strconv.ParseFloat(unsafeString(data[start:i]), 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return &SyntaxError{Offset: start, Msg: "number " + string(data[start:i]) + " out of range", Err: ErrRange}
		}
		return &SyntaxError{Offset: start, Msg: "invalid number " + string(data[start:i])}
	}
	d.tape = append(d.tape, node{tag: tagFloat, num: math.Float64bits(f)})
	return nil
}

// digitsValue appends the decimal digits to acc (the digits are known to
// be valid and few enough not to overflow).
func digitsValue(digits []byte, acc uint64) uint64 {
	for _, c := range digits {
		acc = acc*10 + uint64(c-'0')
	}
	return acc
}

// unsafeSliceOf views one object as a slice of length 1.
func unsafeSliceOf(o *value.Object) []value.Object { return unsafe.Slice(o, 1) }

func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// skip validates and skips one value without recording it.
func (d *JSONDecoder) skip(depth int) error {
	if d.pos >= len(d.data) {
		return d.unexpected()
	}
	switch c := d.data[d.pos]; c {
	case '{':
		if depth+1 > maxDepth {
			return d.syntax("exceeded max depth")
		}
		d.pos++
		d.skipWS()
		if d.pos < len(d.data) && d.data[d.pos] == '}' {
			d.pos++
			return nil
		}
		for {
			if d.pos >= len(d.data) || d.data[d.pos] != '"' {
				return d.unexpected()
			}
			d.pos++
			if err := d.skipStr(); err != nil {
				return err
			}
			d.skipWS()
			if d.pos >= len(d.data) || d.data[d.pos] != ':' {
				return d.unexpected()
			}
			d.pos++
			d.skipWS()
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.skipWS()
			if d.pos >= len(d.data) {
				return d.unexpected()
			}
			switch d.data[d.pos] {
			case ',':
				d.pos++
				d.skipWS()
			case '}':
				d.pos++
				return nil
			default:
				return d.unexpected()
			}
		}
	case '[':
		if depth+1 > maxDepth {
			return d.syntax("exceeded max depth")
		}
		d.pos++
		d.skipWS()
		if d.pos < len(d.data) && d.data[d.pos] == ']' {
			d.pos++
			return nil
		}
		for {
			d.skipWS()
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.skipWS()
			if d.pos >= len(d.data) {
				return d.unexpected()
			}
			switch d.data[d.pos] {
			case ',':
				d.pos++
			case ']':
				d.pos++
				return nil
			default:
				return d.unexpected()
			}
		}
	case '"':
		d.pos++
		return d.skipStr()
	case 't':
		return d.skipLiteral("true")
	case 'f':
		return d.skipLiteral("false")
	case 'n':
		return d.skipLiteral("null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return d.skipNumber()
		}
		return d.unexpected()
	}
}

func (d *JSONDecoder) skipLiteral(word string) error {
	n := len(d.tape)
	err := d.literal(word, tagNull)
	d.tape = d.tape[:n]
	return err
}

func (d *JSONDecoder) skipStr() error {
	data := d.data
	i := d.pos
	for {
		i = scanPlain(data, i)
		if i >= len(data) {
			break
		}
		switch c := data[i]; {
		case c == '"':
			d.pos = i + 1
			return nil
		case c == '\\':
			i++
			if i >= len(data) {
				d.pos = i
				return d.syntax("unexpected end of input in string escape")
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if _, ok := hex4(data[i+1:]); !ok {
					d.pos = i + 1
					return d.syntax("invalid \\u escape in string")
				}
				i += 5
			default:
				d.pos = i
				return d.syntax("invalid escape " + quoteChar(data[i]) + " in string")
			}
		case c < 0x20:
			d.pos = i
			return d.syntax("invalid control character in string")
		default: // UTF-8 is not checked when skipping: it cannot make JSON invalid
			i++
		}
	}
	d.pos = i
	return d.syntax("unexpected end of input in string")
}

// skipDigits returns the index after the run of digits starting at i.
func skipDigits(data []byte, i int) int {
	for i < len(data) && data[i]-'0' <= 9 {
		i++
	}
	return i
}

func (d *JSONDecoder) skipNumber() error {
	data := d.data
	i := d.pos
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i]-'1' <= 8:
		i = skipDigits(data, i+1)
	default:
		d.pos = i
		return d.unexpected()
	}
	if i < len(data) && data[i] == '.' {
		i++
		j := skipDigits(data, i)
		if j == i {
			d.pos = i
			return d.unexpected()
		}
		i = j
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := skipDigits(data, i)
		if j == i {
			d.pos = i
			return d.unexpected()
		}
		i = j
	}
	d.pos = i
	return nil
}

// builder turns the tape into values, carving exact-size arenas.
type builder struct {
	d    *JSONDecoder
	tape []node
	ti   int
	strs string // string values
	keyS string // keys missing from the cache
	kord int    // ordinal of the next key
	objs []value.Object
	keys []string
	vals []value.Value
}

func (d *JSONDecoder) build(emit func(*value.Object)) error {
	b := builder{d: d, tape: d.tape}
	if len(d.buf) > 0 {
		b.strs = string(d.buf)
	}
	if len(d.kbuf) > 0 {
		b.keyS = string(d.kbuf)
	}
	if d.nObj == 1 && d.nElem == 0 && d.nField >= 1 && d.nField <= maxBlock {
		// A flat row: one allocation for the object, keys and values.
		o, ks, vs := newBlock(d.nField)
		b.objs, b.keys, b.vals = unsafeSliceOf(o), ks, vs
	} else {
		b.objs = make([]value.Object, d.nObj)
		if d.nField > 0 {
			b.keys = make([]string, d.nField)
		}
		if d.nField+d.nElem > 0 {
			b.vals = make([]value.Value, d.nField+d.nElem)
		}
	}
	root := b.tape[0]
	if root.tag == tagObject {
		o, err := b.row()
		if err != nil {
			return err
		}
		emit(o)
		return nil
	}
	b.ti = 1
	var errs []error
	for j := 0; j < int(root.n); j++ {
		o, err := b.row()
		if err != nil {
			errs = append(errs, fmt.Errorf("row %d: %w", j, err))
			continue
		}
		emit(o)
	}
	return errors.Join(errs...)
}

// object builds the object at the cursor. For a row of a typed stream it
// records each field's column in d.fieldCol.
func (b *builder) object(row bool) *value.Object {
	n := int(b.tape[b.ti].n)
	b.ti++
	o := &b.objs[0]
	b.objs = b.objs[1:]
	ks := b.keys[:n:n]
	b.keys = b.keys[n:]
	vs := b.vals[:n:n]
	b.vals = b.vals[n:]
	for j := 0; j < n; j++ {
		k := &b.tape[b.ti]
		ks[j] = b.keyString(k)
		if row {
			b.d.fieldCol = append(b.d.fieldCol, k.col)
		}
		b.ti++
		vs[j] = b.value()
	}
	o.Keys, o.Vals = ks, vs
	if n > 1 && b.d.hasDup(ks) {
		dedupe(o)
	}
	return o
}

func (b *builder) keyString(k *node) string {
	d := b.d
	if k.num == nameFromKey {
		return d.wanted[k.off].name
	}
	ord := b.kord
	b.kord++
	if k.num == 1 {
		return d.keyCache[k.off]
	}
	s := b.keyS[k.off:k.n]
	switch {
	case ord < len(d.keyCache):
		d.keyCache[ord] = s
	case ord == len(d.keyCache) && ord < maxKeyCache:
		d.keyCache = append(d.keyCache, s)
	}
	return s
}

// row builds a row object and applies the schema to it.
func (b *builder) row() (*value.Object, error) {
	d := b.d
	if d.cols == nil {
		return b.object(false), nil
	}
	d.fieldCol = d.fieldCol[:0]
	o := b.object(true)
	deduped := len(o.Keys) != len(d.fieldCol)
	clear(d.present)
	for j, name := range o.Keys {
		var col int32
		if deduped {
			col = d.columnOf(name)
		} else {
			col = d.fieldCol[j]
		}
		if col < 0 {
			continue
		}
		d.present[col] = true
		v, err := value.CoerceType(o.Vals[j], d.cols[col].Type)
		if err != nil {
			return nil, &FieldError{Field: name, Err: err}
		}
		o.Vals[j] = v
	}
	for c, col := range d.cols {
		if d.present[c] || d.columnOf(col.Name) < 0 {
			continue
		}
		switch {
		case col.Default.Kind() != value.Missing:
			o.Append(col.Name, col.Default)
		case d.strict:
			return nil, &FieldError{Field: col.Name, Err: ErrMissingField}
		}
	}
	return o, nil
}

func (d *JSONDecoder) columnOf(name string) int32 {
	if w, ok := d.want[name]; ok {
		return d.wanted[w].col
	}
	return -1
}

func (b *builder) value() value.Value {
	nd := &b.tape[b.ti]
	switch nd.tag {
	case tagNull:
		b.ti++
		return value.NullValue()
	case tagFalse:
		b.ti++
		return value.BoolValue(false)
	case tagTrue:
		b.ti++
		return value.BoolValue(true)
	case tagInt:
		b.ti++
		return value.IntValue(int64(nd.num))
	case tagFloat:
		b.ti++
		return value.FloatValue(math.Float64frombits(nd.num))
	case tagString:
		b.ti++
		return value.StringValue(b.strs[nd.off:nd.n])
	case tagArray:
		n := int(nd.n)
		b.ti++
		vs := b.vals[:n:n]
		b.vals = b.vals[n:]
		for j := range vs {
			vs[j] = b.value()
		}
		return value.ArrayValue(vs)
	}
	return value.ObjectValue(b.object(false))
}

// hasDup reports whether keys repeat a name. Small objects compare
// pairwise; larger ones use an open-addressing table kept in the decoder.
func (d *JSONDecoder) hasDup(keys []string) bool {
	n := len(keys)
	if n <= 8 {
		for i := 1; i < n; i++ {
			for j := 0; j < i; j++ {
				if keys[i] == keys[j] {
					return true
				}
			}
		}
		return false
	}
	size := 16
	for size < 2*n {
		size <<= 1
	}
	if cap(d.dupTab) < size {
		d.dupTab = make([]int32, size)
	}
	tab := d.dupTab[:size]
	clear(tab)
	mask := uint32(size - 1)
	for i, k := range keys {
		h := uint32(2166136261)
		for j := 0; j < len(k); j++ {
			h = (h ^ uint32(k[j])) * 16777619
		}
		for p := h & mask; ; p = (p + 1) & mask {
			e := tab[p]
			if e == 0 {
				tab[p] = int32(i + 1)
				break
			}
			if keys[e-1] == k {
				return true
			}
		}
	}
	return false
}

// dedupe keeps the first position and the last value of each repeated
// key, as decoding into a map does.
func dedupe(o *value.Object) {
	pos := make(map[string]int, len(o.Keys))
	w := 0
	for i, k := range o.Keys {
		if p, ok := pos[k]; ok {
			o.Vals[p] = o.Vals[i]
			continue
		}
		pos[k] = w
		o.Keys[w], o.Vals[w] = k, o.Vals[i]
		w++
	}
	clear(o.Keys[w:])
	clear(o.Vals[w:])
	o.Keys, o.Vals = o.Keys[:w:w], o.Vals[:w:w]
}

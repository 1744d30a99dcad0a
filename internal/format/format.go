// Package format holds the codecs between message payloads and rows: a
// JSON decoder (full, or restricted to the fields a rule reads, with
// optional schema coercion), a binary decoder, and JSON encoding of rows.
package format

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kuiperio/kuiper/internal/value"
)

// Decoder turns one payload into rows. Decode calls emit once per row, in
// payload order; each emitted *value.Object is new and owned by the
// callee, and no value refers to payload, so the caller may reuse the
// payload buffer as soon as Decode returns. A Decoder keeps scratch space
// between calls and must be used by one goroutine at a time; create one
// per source goroutine.
type Decoder interface {
	Decode(payload []byte, emit func(*value.Object)) error
}

// Options configures a decoder. The zero value decodes every field of a
// schemaless stream.
type Options struct {
	// Fields, when non-nil, restricts decoding to these top-level keys:
	// other fields are validated and skipped without building values (the
	// projection push-down used when a rule reads only some fields). An
	// empty non-nil slice keeps no fields.
	Fields []string

	// Schema, when non-nil, declares the stream's columns. Only declared
	// fields are decoded (intersected with Fields when both are set), and
	// each value is converted with value.CoerceType; a value that does not
	// convert fails its row. Integer literals in bigint columns keep their
	// full 64-bit precision. For the binary format, a single column names
	// the field that holds the payload.
	Schema []value.Column

	// Strict makes an absent column an error for its row unless the column
	// has a Default (eKuiper's STRICT_VALIDATION). Defaults are applied to
	// absent columns whether or not Strict is set; the catalog passes them
	// only for strict streams, as eKuiper applies DEFAULT. Only the
	// columns kept by Fields are checked.
	Strict bool

	// IntegerNumbers decodes integral JSON numbers (no fraction, no
	// exponent, within int64) as bigint. By default numbers of schemaless
	// streams are floats, as in eKuiper; typed bigint columns get integers
	// through Schema regardless.
	IntegerNumbers bool
}

// Errors of the decoders; check them with errors.Is.
var (
	// ErrNotObject is returned for a payload that is valid JSON but not an
	// object or an array of objects. Nothing is emitted.
	ErrNotObject = errors.New("payload is not a JSON object or array of objects")
	// ErrRange is wrapped by the *SyntaxError of a number beyond the
	// float64 range (1e400), which encoding/json.Unmarshal also rejects.
	ErrRange = errors.New("number out of range")
	// ErrMissingField is returned for a row that lacks a column under
	// Options.Strict.
	ErrMissingField = errors.New("missing field")
)

// SyntaxError reports a payload that is not valid JSON. Nothing is
// emitted for such a payload.
type SyntaxError struct {
	Offset int // byte offset of the error in the payload
	Msg    string
	Err    error // ErrRange for an out-of-range number, else nil
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.Offset, e.Msg)
}

// Unwrap returns ErrRange for an out-of-range number.
func (e *SyntaxError) Unwrap() error { return e.Err }

// FieldError reports a field whose value does not fit the schema; its row
// is dropped.
type FieldError struct {
	Field string
	Err   error
}

// Error implements error.
func (e *FieldError) Error() string { return fmt.Sprintf("field %q: %v", e.Field, e.Err) }

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// Names of the built-in formats, as written in FORMAT="...".
const (
	JSON   = "json"
	Binary = "binary"
)

// DefaultBinaryField is the field a schemaless binary stream puts the
// payload into.
const DefaultBinaryField = "self"

// NewDecoder returns a decoder for the named format ("json" or "binary",
// any letter case; an empty name means json, eKuiper's default).
func NewDecoder(name string, opts Options) (Decoder, error) {
	switch strings.ToLower(name) {
	case JSON, "":
		return NewJSONDecoder(opts), nil
	case Binary:
		return NewBinaryDecoder(opts), nil
	}
	return nil, fmt.Errorf("unknown format %q: supported formats are json and binary", name)
}

// BinaryDecoder puts a whole payload into one row with one bytea field.
type BinaryDecoder struct {
	field string
}

// NewBinaryDecoder returns a binary decoder. The field is the single
// Schema column's name, or "self" for a schemaless stream.
func NewBinaryDecoder(opts Options) *BinaryDecoder {
	field := DefaultBinaryField
	if len(opts.Schema) == 1 {
		field = opts.Schema[0].Name
	}
	return &BinaryDecoder{field: field}
}

// Decode emits one row holding a copy of payload. It never fails.
func (d *BinaryDecoder) Decode(payload []byte, emit func(*value.Object)) error {
	emit(&value.Object{Keys: []string{d.field}, Vals: []value.Value{value.BytesValue(payload)}})
	return nil
}

// AppendJSON appends the JSON text of v, keeping object fields in their
// order and writing <, > and & unescaped. See value.Value.AppendJSON for
// the exact rules (numbers and strings as encoding/json writes them).
func AppendJSON(dst []byte, v value.Value) []byte { return v.AppendJSON(dst, 0) }

// AppendObject appends o as a JSON object: Missing fields are left out,
// Null fields written as null. With sortKeys the fields are written in
// byte order of their names, as eKuiper (Go maps) writes them.
func AppendObject(dst []byte, o *value.Object, sortKeys bool) []byte {
	return o.AppendJSON(dst, styleOf(sortKeys, false))
}

// Encoder appends JSON with fixed options. The zero value keeps field
// order and does not escape HTML characters.
type Encoder struct {
	SortKeys   bool // write object fields sorted by name
	EscapeHTML bool // write <, > and & as \u003c, \u003e, \u0026 (encoding/json's default)
}

func styleOf(sortKeys, html bool) value.JSONStyle {
	var s value.JSONStyle
	if sortKeys {
		s |= value.SortKeys
	}
	if html {
		s |= value.EscapeHTML
	}
	return s
}

// Append appends the JSON text of v.
func (e Encoder) Append(dst []byte, v value.Value) []byte {
	return v.AppendJSON(dst, styleOf(e.SortKeys, e.EscapeHTML))
}

// AppendObject appends o as a JSON object.
func (e Encoder) AppendObject(dst []byte, o *value.Object) []byte {
	return o.AppendJSON(dst, styleOf(e.SortKeys, e.EscapeHTML))
}

// AppendRows appends rows as a JSON array of objects (what a sink sends
// when sendSingle is off).
func (e Encoder) AppendRows(dst []byte, rows []*value.Object) []byte {
	style := styleOf(e.SortKeys, e.EscapeHTML)
	dst = append(dst, '[')
	for i, r := range rows {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = r.AppendJSON(dst, style)
	}
	return append(dst, ']')
}

package value

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// The binary encoding keeps every kind apart (Missing from Null, 1 from
// 1.0, bytea from string), which JSON cannot; rule checkpoints use it.
// Layout: one kind byte, then
//
//	Bool, Int       varint
//	Float           8 bytes little endian
//	String, Bytes   uvarint length, bytes
//	Time            varint Unix ns, uvarint length, zone name ("" is UTC)
//	Array           uvarint count, values
//	Obj             uvarint count, (uvarint length, key, value) pairs
//
// Missing and Null have no payload.

// ErrBinary reports a malformed binary value.
var ErrBinary = errors.New("malformed binary value")

// maxBinaryDepth bounds the nesting ReadBinary accepts.
const maxBinaryDepth = 1000

// AppendBinary appends the binary encoding of v to dst.
func AppendBinary(dst []byte, v Value) []byte {
	dst = append(dst, byte(v.kind))
	switch v.kind {
	case Bool, Int:
		dst = binary.AppendVarint(dst, int64(v.num))
	case Float:
		dst = binary.LittleEndian.AppendUint64(dst, v.num)
	case String, Bytes:
		dst = AppendBinaryString(dst, v.str)
	case Time:
		dst = binary.AppendVarint(dst, int64(v.num))
		name := ""
		if loc, ok := v.ref.(*time.Location); ok && loc != nil {
			name = loc.String()
		}
		dst = AppendBinaryString(dst, name)
	case Array:
		a := v.Array()
		dst = binary.AppendUvarint(dst, uint64(len(a)))
		for _, e := range a {
			dst = AppendBinary(dst, e)
		}
	case Obj:
		o := v.Object()
		dst = binary.AppendUvarint(dst, uint64(o.Len()))
		for i, k := range o.Keys {
			dst = AppendBinaryString(dst, k)
			dst = AppendBinary(dst, o.Vals[i])
		}
	}
	return dst
}

// AppendBinaryString appends a length-prefixed string.
func AppendBinaryString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// ReadBinary decodes one value from the start of src and returns it with
// the number of bytes read.
func ReadBinary(src []byte) (Value, int, error) {
	r := BinaryReader{buf: src}
	v := r.value(0)
	return v, r.off, r.err
}

// BinaryReader reads a sequence of binary-encoded items. The first error
// sticks: later reads return zero values and Err reports it.
type BinaryReader struct {
	buf []byte
	off int
	err error
}

// NewBinaryReader reads from b.
func NewBinaryReader(b []byte) *BinaryReader { return &BinaryReader{buf: b} }

// Err returns the first error met.
func (r *BinaryReader) Err() error { return r.err }

// Done reports an error unless every byte was read.
func (r *BinaryReader) Done() error {
	if r.err == nil && r.off != len(r.buf) {
		r.fail("%d trailing bytes", len(r.buf)-r.off)
	}
	return r.err
}

func (r *BinaryReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w at byte %d: %s", ErrBinary, r.off, fmt.Sprintf(format, args...))
	}
}

// Byte reads one byte.
func (r *BinaryReader) Byte() byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.buf) {
		r.fail("unexpected end")
		return 0
	}
	b := r.buf[r.off]
	r.off++
	return b
}

// Varint reads a signed varint.
func (r *BinaryReader) Varint() int64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Varint(r.buf[r.off:])
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.off += n
	return x
}

// Uvarint reads an unsigned varint.
func (r *BinaryReader) Uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.buf[r.off:])
	if n <= 0 {
		r.fail("bad uvarint")
		return 0
	}
	r.off += n
	return x
}

// Len reads a count and checks that at least min bytes per element
// remain, so a corrupt count cannot make the caller allocate much.
func (r *BinaryReader) Len(min int) int {
	n := r.Uvarint()
	if r.err != nil {
		return 0
	}
	if min < 1 {
		min = 1
	}
	if n > uint64(len(r.buf)-r.off)/uint64(min) {
		r.fail("count %d exceeds the data", n)
		return 0
	}
	return int(n)
}

// Float reads 8 bytes of a float64.
func (r *BinaryReader) Float() float64 {
	if r.err != nil {
		return 0
	}
	if len(r.buf)-r.off < 8 {
		r.fail("unexpected end")
		return 0
	}
	u := binary.LittleEndian.Uint64(r.buf[r.off:])
	r.off += 8
	return math.Float64frombits(u)
}

// String reads a length-prefixed string.
func (r *BinaryReader) String() string {
	n := r.Uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.buf)-r.off) {
		r.fail("string of %d bytes exceeds the data", n)
		return ""
	}
	s := string(r.buf[r.off : r.off+int(n)])
	r.off += int(n)
	return s
}

// Value reads one value.
func (r *BinaryReader) Value() Value { return r.value(0) }

func (r *BinaryReader) value(depth int) Value {
	if depth > maxBinaryDepth {
		r.fail("nested deeper than %d", maxBinaryDepth)
		return Value{}
	}
	k := Kind(r.Byte())
	if r.err != nil {
		return Value{}
	}
	switch k {
	case Missing, Null:
		return Value{kind: k}
	case Bool:
		return BoolValue(r.Varint() != 0)
	case Int:
		return IntValue(r.Varint())
	case Float:
		return FloatValue(r.Float())
	case String:
		return StringValue(r.String())
	case Bytes:
		return Value{kind: Bytes, str: r.String()}
	case Time:
		ns := r.Varint()
		name := r.String()
		v := Value{kind: Time, num: uint64(ns)}
		if name != "" && name != "UTC" && r.err == nil {
			loc, err := time.LoadLocation(name)
			if err != nil {
				r.fail("time zone %q: %v", name, err)
				return Value{}
			}
			v.ref = loc
		}
		return v
	case Array:
		n := r.Len(1)
		a := make([]Value, n)
		for i := range a {
			a[i] = r.value(depth + 1)
		}
		return ArrayValue(a)
	case Obj:
		n := r.Len(2)
		o := NewObject(n)
		for range n {
			key := r.String()
			o.Append(key, r.value(depth+1))
		}
		return ObjectValue(o)
	}
	r.fail("unknown kind %d", k)
	return Value{}
}

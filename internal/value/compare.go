package value

import (
	"math"
	"strings"
)

// Op is a comparison operator for CompareOp.
type Op uint8

// Comparison operators.
const (
	OpEq Op = iota // =
	OpNe           // != (and <>)
	OpLt           // <
	OpLe           // <=
	OpGt           // >
	OpGe           // >=
)

var opNames = [...]string{OpEq: "=", OpNe: "!=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">="}

// String returns the SQL spelling of the operator.
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "?"
}

// Compare orders a and b and returns -1, 0 or 1. Callers handle nil
// operands first (a comparison with nil is false). The kinds that compare:
//
//   - bigint and float with each other, by exact value (1 == 1.0; a bigint
//     beyond 2^53 is not rounded). NaN sorts below every other number and
//     equals itself, so the order stays total.
//   - string with string, bytewise.
//   - datetime with datetime; with a number taken as Unix milliseconds; with
//     a string in the default datetime format (or RFC 3339). Both operand
//     orders are accepted.
//   - boolean with boolean, false before true. SQL allows only = and != on
//     booleans; CompareOp enforces that.
//
// Anything else (a string with a number, arrays, structs, bytea, a nil
// operand) is an *OpError naming both operands.
func Compare(a, b Value) (int, error) {
	if c, ok := compare(a, b); ok {
		return c, nil
	}
	return 0, &OpError{Left: a, Right: b}
}

// compare is Compare without the error allocation.
func compare(a, b Value) (int, bool) {
	switch a.kind {
	case Int:
		switch b.kind {
		case Int:
			return cmpInt(int64(a.num), int64(b.num)), true
		case Float:
			return cmpIntFloat(int64(a.num), b.Float()), true
		case Time:
			return -cmpTimeNum(b, a), true
		}
	case Float:
		switch b.kind {
		case Int:
			return -cmpIntFloat(int64(b.num), a.Float()), true
		case Float:
			return cmpFloat(a.Float(), b.Float()), true
		case Time:
			return -cmpTimeNum(b, a), true
		}
	case String:
		switch b.kind {
		case String:
			return strings.Compare(a.str, b.str), true
		case Time:
			t, err := ParseTime(a.str)
			if err != nil {
				return 0, false
			}
			return cmpInt(t.UnixNano(), b.UnixNano()), true
		}
	case Time:
		switch b.kind {
		case Time:
			return cmpInt(int64(a.num), int64(b.num)), true
		case Int, Float:
			return cmpTimeNum(a, b), true
		case String:
			t, err := ParseTime(b.str)
			if err != nil {
				return 0, false
			}
			return cmpInt(int64(a.num), t.UnixNano()), true
		}
	case Bool:
		if b.kind == Bool {
			return cmpInt(int64(a.num), int64(b.num)), true
		}
	}
	return 0, false
}

// CompareOp evaluates `a op b` with SQL semantics: a nil operand gives
// false (also for !=), booleans take only = and !=, and otherwise the
// rules of Compare apply. Errors are *OpError values naming the operator.
func CompareOp(op Op, a, b Value) (bool, error) {
	if a.kind <= Null || b.kind <= Null {
		return false, nil
	}
	if a.kind == Bool && b.kind == Bool && op != OpEq && op != OpNe {
		return false, opErr(op.String(), a, b)
	}
	c, ok := compare(a, b)
	if !ok {
		return false, opErr(op.String(), a, b)
	}
	switch op {
	case OpEq:
		return c == 0, nil
	case OpNe:
		return c != 0, nil
	case OpLt:
		return c < 0, nil
	case OpLe:
		return c <= 0, nil
	case OpGt:
		return c > 0, nil
	case OpGe:
		return c >= 0, nil
	}
	return false, opErr(op.String(), a, b)
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	case x == y:
		return 0
	}
	// At least one NaN: NaN sorts first.
	xn, yn := x != x, y != y
	switch {
	case xn && yn:
		return 0
	case xn:
		return -1
	}
	return 1
}

// cmpIntFloat compares an int64 with a float64 exactly.
func cmpIntFloat(i int64, f float64) int {
	if f != f {
		return 1 // NaN sorts first
	}
	// 2^63 is exactly representable; every int64 lies in [-2^63, 2^63).
	if f >= 9223372036854775808.0 {
		return -1
	}
	if f < -9223372036854775808.0 {
		return 1
	}
	t := math.Trunc(f)
	ti := int64(t)
	if c := cmpInt(i, ti); c != 0 {
		return c
	}
	// Same integer part: the fraction decides.
	switch frac := f - t; {
	case frac > 0:
		return -1
	case frac < 0:
		return 1
	}
	return 0
}

// cmpTimeNum compares a datetime with a number of Unix milliseconds.
func cmpTimeNum(t, n Value) int {
	ns := int64(t.num)
	ms := ns / 1e6
	rem := ns % 1e6
	if rem < 0 { // floor division
		ms--
		rem += 1e6
	}
	if n.kind == Int {
		if c := cmpInt(ms, int64(n.num)); c != 0 {
			return c
		}
		if rem > 0 {
			return 1
		}
		return 0
	}
	return cmpFloat(float64(ms)+float64(rem)/1e6, n.Float())
}

// Equal is SQL equality for IN lists, simple CASE, DISTINCT and group keys:
// numbers compare by value (1 == 1.0), strings, booleans, bytea and
// datetimes with their own kind, arrays element by element and structs by
// their set of fields (order does not matter, Missing fields are ignored).
// A nil operand is never equal to anything, not even another nil. NaN
// equals NaN here so that Equal stays an equivalence for grouping. Values
// of different kinds (other than bigint/float) are never equal; Equal
// never fails. Hash64 agrees with Equal.
func Equal(a, b Value) bool {
	switch a.kind {
	case Missing, Null:
		return false
	case Int:
		switch b.kind {
		case Int:
			return a.num == b.num
		case Float:
			return cmpIntFloat(int64(a.num), b.Float()) == 0
		}
		return false
	case Float:
		switch b.kind {
		case Int:
			return cmpIntFloat(int64(b.num), a.Float()) == 0
		case Float:
			return cmpFloat(a.Float(), b.Float()) == 0
		}
		return false
	case Bool, Time:
		return b.kind == a.kind && a.num == b.num
	case String, Bytes:
		return b.kind == a.kind && a.str == b.str
	case Array:
		if b.kind != Array {
			return false
		}
		x, y := a.Array(), b.Array()
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalElem(x[i], y[i]) {
				return false
			}
		}
		return true
	case Obj:
		if b.kind != Obj {
			return false
		}
		return equalObject(a.Object(), b.Object())
	}
	return false
}

// equalElem is Equal for values nested in arrays and structs, where two
// nulls are the same (so [1, null] equals [1, null]).
func equalElem(a, b Value) bool {
	if a.kind <= Null || b.kind <= Null {
		return a.kind <= Null && b.kind <= Null
	}
	return Equal(a, b)
}

func equalObject(x, y *Object) bool {
	n := 0
	for i, k := range x.Keys {
		v := x.Vals[i]
		if v.kind == Missing {
			continue
		}
		n++
		w := y.Get(k)
		if w.kind == Missing || !equalElem(v, w) {
			return false
		}
	}
	m := 0
	for _, v := range y.Vals {
		if v.kind != Missing {
			m++
		}
	}
	return n == m
}

// Hash64 returns a hash of v for group and partition keys: values that are
// Equal hash alike (bigint 1 and float 1.0 included). The hash is stable
// across processes and releases of the same build, so it may also pick
// partitions. Nil values hash to a fixed constant.
func (v Value) Hash64() uint64 {
	return finalize(v.hash(fnvOffset))
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func mix(h, x uint64) uint64 {
	// FNV-1a over the 8 bytes of x, unrolled.
	for i := 0; i < 8; i++ {
		h ^= x & 0xff
		h *= fnvPrime
		x >>= 8
	}
	return h
}

func mixString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return mix(h, uint64(len(s)))
}

// finalize spreads the bits of h (the murmur3 finalizer).
func finalize(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func (v Value) hash(h uint64) uint64 {
	switch v.kind {
	case Missing, Null:
		return mix(h, uint64(Null))
	case Int:
		return mix(mix(h, uint64(Int)), v.num)
	case Float:
		f := v.Float()
		if f != f {
			return mix(mix(h, uint64(Float)), 0x7ff8000000000001)
		}
		if t := math.Trunc(f); t == f && f >= -9223372036854775808.0 && f < 9223372036854775808.0 {
			return mix(mix(h, uint64(Int)), uint64(int64(f))) // like the equal bigint; -0 is 0
		}
		return mix(mix(h, uint64(Float)), v.num)
	case Bool, Time:
		return mix(mix(h, uint64(v.kind)), v.num)
	case String, Bytes:
		return mixString(mix(h, uint64(v.kind)), v.str)
	case Array:
		h = mix(h, uint64(Array))
		for _, e := range v.Array() {
			h = finalize(e.hash(h))
		}
		return h
	case Obj:
		// Order-independent: sum the hashes of the fields.
		var sum uint64
		o := v.Object()
		for i, k := range o.Keys {
			if o.Vals[i].kind == Missing {
				continue
			}
			sum += finalize(o.Vals[i].hash(mixString(fnvOffset, k)))
		}
		return mix(mix(h, uint64(Obj)), sum)
	}
	return h
}

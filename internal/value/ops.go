package value

import (
	"errors"
	"math"
)

// Errors of the arithmetic operators. They are wrapped or returned as they
// are; check them with errors.Is.
var (
	// ErrDivideByZero is returned by Div and Mod when the divisor is zero.
	ErrDivideByZero = errors.New("division by zero")
	// ErrOverflow is returned when a bigint result does not fit in 64 bits.
	ErrOverflow = errors.New("bigint overflow")
)

// OpError reports an operator applied to operands of kinds it does not
// support. It prints like eKuiper's message, naming both operands:
// `invalid operation string(ab) + string(cd)`; from Compare, which knows
// no operator, `cannot compare string(x) with bigint(1)`.
type OpError struct {
	Op    string // "+", "-", "*", "/", "%", "&", "|", "^", a comparison; "" for Compare
	Left  Value
	Right Value // Missing for a unary operator
	Unary bool
	Err   error // an underlying cause such as ErrDivideByZero, or nil
}

// Error implements error.
func (e *OpError) Error() string {
	var b []byte
	if e.Op == "" {
		b = append(b, "cannot compare "...)
		b = e.Left.appendDebug(b)
		b = append(b, " with "...)
		return string(e.Right.appendDebug(b))
	}
	b = append(b, "invalid operation "...)
	if e.Unary {
		b = append(b, e.Op...)
		b = e.Left.appendDebug(b)
	} else {
		b = e.Left.appendDebug(b)
		b = append(b, ' ')
		b = append(b, e.Op...)
		b = append(b, ' ')
		b = e.Right.appendDebug(b)
	}
	if e.Err != nil {
		b = append(b, ": "...)
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

// Unwrap returns the underlying cause.
func (e *OpError) Unwrap() error { return e.Err }

func opErr(op string, a, b Value) error { return &OpError{Op: op, Left: a, Right: b} }

func opErrCause(op string, a, b Value, cause error) error {
	return &OpError{Op: op, Left: a, Right: b, Err: cause}
}

// numPair classifies two operands for arithmetic: both Int, or numbers
// that mix into floats. ok is false when either is not a number.
func numPair(a, b Value) (bothInt, ok bool) {
	switch {
	case a.kind == Int && b.kind == Int:
		return true, true
	case (a.kind == Int || a.kind == Float) && (b.kind == Int || b.kind == Float):
		return false, true
	}
	return false, false
}

// Add returns a + b. A nil operand (Missing or Null) gives Null. Int + Int
// stays Int (an overflow is ErrOverflow); a Float operand makes the result
// Float. Any other kind is an *OpError: strings do not concatenate with +
// and datetimes take no arithmetic, as in eKuiper.
func Add(a, b Value) (Value, error) {
	if a.kind <= Null || b.kind <= Null {
		return NullValue(), nil
	}
	bothInt, ok := numPair(a, b)
	if !ok {
		return Value{}, opErr("+", a, b)
	}
	if bothInt {
		x, y := int64(a.num), int64(b.num)
		s := x + y
		if (s > x) != (y > 0) {
			return Value{}, opErrCause("+", a, b, ErrOverflow)
		}
		return IntValue(s), nil
	}
	return FloatValue(a.Num() + b.Num()), nil
}

// Sub returns a - b with the rules of Add.
func Sub(a, b Value) (Value, error) {
	if a.kind <= Null || b.kind <= Null {
		return NullValue(), nil
	}
	bothInt, ok := numPair(a, b)
	if !ok {
		return Value{}, opErr("-", a, b)
	}
	if bothInt {
		x, y := int64(a.num), int64(b.num)
		s := x - y
		if (s < x) != (y > 0) {
			return Value{}, opErrCause("-", a, b, ErrOverflow)
		}
		return IntValue(s), nil
	}
	return FloatValue(a.Num() - b.Num()), nil
}

// Mul returns a * b with the rules of Add.
func Mul(a, b Value) (Value, error) {
	if a.kind <= Null || b.kind <= Null {
		return NullValue(), nil
	}
	bothInt, ok := numPair(a, b)
	if !ok {
		return Value{}, opErr("*", a, b)
	}
	if bothInt {
		x, y := int64(a.num), int64(b.num)
		if p, ok := mulInt(x, y); ok {
			return IntValue(p), nil
		}
		return Value{}, opErrCause("*", a, b, ErrOverflow)
	}
	return FloatValue(a.Num() * b.Num()), nil
}

func mulInt(x, y int64) (int64, bool) {
	if x == 0 || y == 0 {
		return 0, true
	}
	p := x * y
	if (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) || p/y != x {
		return 0, false
	}
	return p, true
}

// Div returns a / b. The result is always Float, also for two Ints
// (eKuiper: 7 / 2 = 3.5). A zero divisor is an error wrapping
// ErrDivideByZero, for Ints and Floats alike.
func Div(a, b Value) (Value, error) {
	if a.kind <= Null || b.kind <= Null {
		return NullValue(), nil
	}
	if _, ok := numPair(a, b); !ok {
		return Value{}, opErr("/", a, b)
	}
	d := b.Num()
	if d == 0 {
		return Value{}, opErrCause("/", a, b, ErrDivideByZero)
	}
	return FloatValue(a.Num() / d), nil
}

// Mod returns the remainder of a / b with the sign of a. Int % Int stays
// Int; a Float operand gives math.Mod. A zero divisor is an error wrapping
// ErrDivideByZero.
func Mod(a, b Value) (Value, error) {
	if a.kind <= Null || b.kind <= Null {
		return NullValue(), nil
	}
	bothInt, ok := numPair(a, b)
	if !ok {
		return Value{}, opErr("%", a, b)
	}
	if bothInt {
		y := int64(b.num)
		if y == 0 {
			return Value{}, opErrCause("%", a, b, ErrDivideByZero)
		}
		if y == -1 { // MinInt64 % -1 is 0; avoid relying on the hardware
			return IntValue(0), nil
		}
		return IntValue(int64(a.num) % y), nil
	}
	d := b.Num()
	if d == 0 {
		return Value{}, opErrCause("%", a, b, ErrDivideByZero)
	}
	return FloatValue(math.Mod(a.Num(), d)), nil
}

func bitOp(op string, a, b Value) (x, y int64, null bool, err error) {
	if a.kind <= Null || b.kind <= Null {
		return 0, 0, true, nil
	}
	if a.kind != Int || b.kind != Int {
		return 0, 0, false, opErr(op, a, b)
	}
	return int64(a.num), int64(b.num), false, nil
}

// BitAnd returns a & b. Only Ints are accepted: schemaless JSON numbers are
// floats and eKuiper rejects them, so Float operands are an *OpError.
func BitAnd(a, b Value) (Value, error) {
	x, y, null, err := bitOp("&", a, b)
	if null || err != nil {
		return NullValue(), err
	}
	return IntValue(x & y), nil
}

// BitOr returns a | b with the rules of BitAnd.
func BitOr(a, b Value) (Value, error) {
	x, y, null, err := bitOp("|", a, b)
	if null || err != nil {
		return NullValue(), err
	}
	return IntValue(x | y), nil
}

// BitXor returns a ^ b with the rules of BitAnd.
func BitXor(a, b Value) (Value, error) {
	x, y, null, err := bitOp("^", a, b)
	if null || err != nil {
		return NullValue(), err
	}
	return IntValue(x ^ y), nil
}

// Neg returns -a for a number; nil gives Null. Negating the smallest
// bigint is ErrOverflow.
func Neg(a Value) (Value, error) {
	switch a.kind {
	case Missing, Null:
		return NullValue(), nil
	case Int:
		x := int64(a.num)
		if x == math.MinInt64 {
			return Value{}, &OpError{Op: "-", Left: a, Unary: true, Err: ErrOverflow}
		}
		return IntValue(-x), nil
	case Float:
		return FloatValue(-a.Float()), nil
	}
	return Value{}, &OpError{Op: "-", Left: a, Unary: true}
}

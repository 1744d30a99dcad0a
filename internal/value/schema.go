package value

import "fmt"

// Type is a declared column type: a scalar kind, an array with an element
// type, or a struct with fields. The catalog builds Types from CREATE
// STREAM column definitions; decoders and CoerceType check values against
// them. A nil *Type accepts any value.
type Type struct {
	Kind   Kind     // Int, Float, String, Bool, Bytes, Time, Array or Obj; Missing accepts any value
	Elem   *Type    // Array: the element type; nil accepts any element
	Fields []Column // Obj: the declared fields; nil accepts any struct
}

// Column is a named, typed field of a stream schema or a struct type.
type Column struct {
	Name string
	Type *Type
	// Default, when not Missing, is the value a decoder supplies for an
	// absent field (eKuiper's DEFAULT, used with strict validation).
	Default Value
}

// String renders the type in SQL, e.g. `array(struct(a bigint))`.
func (t *Type) String() string {
	if t == nil {
		return "any"
	}
	switch t.Kind {
	case Array:
		return "array(" + t.Elem.String() + ")"
	case Obj:
		if t.Fields == nil {
			return "struct"
		}
		s := "struct("
		for i, f := range t.Fields {
			if i > 0 {
				s += ", "
			}
			s += f.Name + " " + f.Type.String()
		}
		return s + ")"
	}
	return t.Kind.String()
}

// CoerceType converts v into type t with the rules of Coerce, checking
// array elements and struct fields recursively. A struct with declared
// fields keeps only those fields, like a typed stream keeps only its
// columns; declared fields absent from v stay absent (a Default is
// applied only by decoders at the top level). Errors name the path of the
// failing element, e.g. `field a: element 2: cannot convert ...`.
func CoerceType(v Value, t *Type) (Value, error) {
	if t == nil || t.Kind <= Null || v.kind <= Null {
		return v, nil
	}
	switch t.Kind {
	case Array:
		if v.kind != Array {
			return Value{}, convErr(v, Array)
		}
		if t.Elem == nil {
			return v, nil
		}
		src := v.Array()
		var dst []Value // copied on the first change only
		for i, e := range src {
			c, err := CoerceType(e, t.Elem)
			if err != nil {
				return Value{}, fmt.Errorf("element %d: %w", i, err)
			}
			if dst == nil && !same(c, e) {
				dst = make([]Value, len(src))
				copy(dst, src[:i])
			}
			if dst != nil {
				dst[i] = c
			}
		}
		if dst == nil {
			return v, nil
		}
		return ArrayValue(dst), nil
	case Obj:
		if v.kind != Obj {
			return Value{}, convErr(v, Obj)
		}
		if t.Fields == nil {
			return v, nil
		}
		src := v.Object()
		out := NewObject(len(t.Fields))
		for _, f := range t.Fields {
			e := src.Get(f.Name)
			if e.kind == Missing {
				continue
			}
			c, err := CoerceType(e, f.Type)
			if err != nil {
				return Value{}, fmt.Errorf("field %s: %w", f.Name, err)
			}
			out.Append(f.Name, c)
		}
		return ObjectValue(out), nil
	}
	return Coerce(v, t.Kind)
}

// same reports whether a and b are the identical scalar (used to avoid
// copying arrays whose elements need no conversion).
func same(a, b Value) bool {
	return a.kind == b.kind && a.num == b.num && a.str == b.str && a.ref == nil && b.ref == nil
}

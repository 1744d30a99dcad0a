package value

import "math"

// Meta is per-message metadata, read by SQL meta(key). It has the same
// method set as sdk/api.Metadata, so connector metadata is used as is.
type Meta interface {
	Get(key string) (any, bool)
}

// Row is one message flowing through a rule: the decoded fields, where it
// came from and its timestamp. Rows are shared read-only between the rules
// that read the same stream; operators that change fields build new
// objects.
type Row struct {
	Msg   *Object
	Topic string
	Meta  Meta
	// Ts is the row's time in Unix milliseconds: the event time for
	// event-time rules, otherwise the time it was received.
	Ts int64
}

// MetaValue returns meta(key) for the row: "topic" comes from Topic, other
// keys from Meta.
func (r *Row) MetaValue(key string) Value {
	if key == "topic" && r.Topic != "" {
		return StringValue(r.Topic)
	}
	if r.Meta != nil {
		if v, ok := r.Meta.Get(key); ok {
			return FromAnyShallow(v)
		}
	}
	return Value{}
}

// FromAnyShallow converts the common scalar types without going through the
// general conversion; anything else falls back to FromAny.
func FromAnyShallow(x any) Value {
	switch t := x.(type) {
	case nil:
		return NullValue()
	case string:
		return StringValue(t)
	case int:
		return IntValue(int64(t))
	case int64:
		return IntValue(t)
	case float64:
		return FloatValue(t)
	case bool:
		return BoolValue(t)
	}
	return FromAny(x)
}

// AppendKey appends a binary encoding of v for grouping and partitioning:
// values that are Equal encode the same (1 and 1.0 alike), and nil values
// encode as one shared key.
func AppendKey(dst []byte, v Value) []byte {
	switch v.kind {
	case Missing, Null:
		return append(dst, 'n')
	case Bool:
		if v.num != 0 {
			return append(dst, 't')
		}
		return append(dst, 'f')
	case Int:
		i := int64(v.num)
		if f := float64(i); int64(f) == i {
			return appendU64(append(dst, 'd'), math.Float64bits(f))
		}
		return appendU64(append(dst, 'i'), v.num)
	case Float:
		f := math.Float64frombits(v.num)
		if f == 0 {
			f = 0 // fold -0
		}
		return appendU64(append(dst, 'd'), math.Float64bits(f))
	case String, Bytes:
		dst = append(dst, 's')
		dst = appendU64(dst, uint64(len(v.str)))
		return append(dst, v.str...)
	case Time:
		return appendU64(append(dst, 'T'), v.num)
	case Array:
		a := v.Array()
		dst = appendU64(append(dst, 'a'), uint64(len(a)))
		for _, e := range a {
			dst = AppendKey(dst, e)
		}
		return dst
	case Obj:
		o := v.Object()
		dst = appendU64(append(dst, 'o'), uint64(o.Len()))
		for i, k := range o.Keys {
			dst = appendU64(dst, uint64(len(k)))
			dst = append(dst, k...)
			dst = AppendKey(dst, o.Vals[i])
		}
		return dst
	}
	return dst
}

func appendU64(dst []byte, u uint64) []byte {
	return append(dst, byte(u>>56), byte(u>>48), byte(u>>40), byte(u>>32), byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
}

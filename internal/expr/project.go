package expr

import "github.com/kuiperio/kuiper/internal/value"

// Star is a "*" or "s.*" item of a select list.
type Star struct {
	Src     int // source index; -1 for every source
	Except  map[string]bool
	Replace []*Field
}

// Field is one compiled item of a select list.
type Field struct {
	Name      string
	Eval      Eval
	Invisible bool
	// KeepNull is set for plain column references: a null in the message
	// is written as null, while a nil computed value is left out (as
	// eKuiper does).
	KeepNull  bool
	AliasSlot int // -1 when the field has no alias
	Star      *Star
	// Merge spreads an object result into the row's columns
	// (changed_cols, extract) instead of writing it under Name.
	Merge bool
	// Expand turns an array result into one output row per element
	// (unnest); object elements are merged, others written under Name.
	Expand bool
}

// HasExpand reports whether a select list has a set-returning field.
func HasExpand(fields []*Field) bool {
	for _, f := range fields {
		if f.Expand {
			return true
		}
	}
	return false
}

// ProjectRows is Project for select lists with a set-returning field: it
// returns one row per element of the expanded array (none for an empty
// or nil array); other fields repeat on every row.
func ProjectRows(fields []*Field, ctx *Ctx, sendNil bool) ([]*value.Object, error) {
	base, err := Project(fields, ctx, sendNil)
	if err != nil {
		return nil, err
	}
	var ex *Field
	for _, f := range fields {
		if f.Expand {
			ex = f
			break
		}
	}
	v := ctx.expanded
	if v.IsNil() {
		return nil, nil
	}
	elems := []value.Value{v}
	if v.Kind() == value.Array {
		elems = v.Array()
	}
	rows := make([]*value.Object, 0, len(elems))
	for _, e := range elems {
		r := base.Clone()
		if e.Kind() == value.Obj {
			o := e.Object()
			for i, k := range o.Keys {
				r.Set(k, o.Vals[i])
			}
		} else if keep(e, false, sendNil) {
			if e.IsMissing() {
				e = value.NullValue()
			}
			r.Set(ex.Name, e)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// Project evaluates a select list for the current row. The result may be
// the row's own message (a bare SELECT *), so callers must not modify it.
// With sendNil, nil values are written as null instead of being left out.
func Project(fields []*Field, ctx *Ctx, sendNil bool) (*value.Object, error) {
	n := len(fields)
	for _, f := range fields {
		if st := f.Star; st != nil {
			// A bare SELECT * passes the (read-only, shared) message on.
			if len(fields) == 1 && st.Except == nil && st.Replace == nil && len(ctx.Rows) == 1 && ctx.Rows[0] != nil && ctx.Rows[0].Msg != nil {
				return ctx.Rows[0].Msg, nil
			}
			for _, r := range ctx.Rows {
				if r != nil {
					n += r.Msg.Len()
				}
			}
		}
	}
	out := value.NewObject(n)
	for _, f := range fields {
		if f.Star != nil {
			if err := projectStar(out, f.Star, ctx, sendNil); err != nil {
				return nil, err
			}
			continue
		}
		v, err := f.Eval(ctx)
		if err != nil {
			return nil, err
		}
		if f.AliasSlot >= 0 {
			ctx.Aliases[f.AliasSlot] = v
		}
		if f.Invisible {
			continue
		}
		if f.Expand {
			ctx.expanded = v
			continue
		}
		if f.Merge {
			if o := v.Object(); v.Kind() == value.Obj {
				for i, k := range o.Keys {
					out.Set(k, o.Vals[i])
				}
			}
			continue
		}
		if !keep(v, f.KeepNull, sendNil) {
			continue
		}
		if v.IsMissing() {
			v = value.NullValue()
		}
		out.Set(f.Name, v)
	}
	return out, nil
}

func keep(v value.Value, keepNull, sendNil bool) bool {
	switch v.Kind() {
	case value.Missing:
		return sendNil
	case value.Null:
		return sendNil || keepNull
	}
	return true
}

func projectStar(out *value.Object, st *Star, ctx *Ctx, sendNil bool) error {
	fresh := out.Len() == 0 && len(ctx.Rows) == 1 // keys of one message are unique
	for i, r := range ctx.Rows {
		if st.Src >= 0 && i != st.Src {
			continue
		}
		if r == nil || r.Msg == nil {
			continue
		}
		m := r.Msg
		for j, k := range m.Keys {
			if st.Except[k] {
				continue
			}
			if fresh {
				out.Append(k, m.Vals[j])
			} else {
				out.Set(k, m.Vals[j])
			}
		}
	}
	for _, f := range st.Replace {
		v, err := f.Eval(ctx)
		if err != nil {
			return err
		}
		if !keep(v, false, sendNil) {
			out.Delete(f.Name)
			continue
		}
		if v.IsMissing() {
			v = value.NullValue()
		}
		out.Set(f.Name, v)
	}
	return nil
}

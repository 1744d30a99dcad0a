package exec

import (
	"github.com/kuiperio/kuiper/internal/expr"
	"github.com/kuiperio/kuiper/internal/value"
)

// joinAnalytics carries the values of analytic calls into joined tuples.
// In a join rule an analytic call is evaluated when a row of the stream
// it reads arrives (plan.AnalyticSrc); the values are saved with the row
// (Item.An) and, once the window's rows are joined, every tuple takes
// each call's value from its row of that stream.
type joinAnalytics struct {
	// src is plan.AnalyticSrc: per call, the stream whose rows evaluate
	// it, or expr.AnySource for every stream.
	src []int
	// byRow maps, per source, the rows being joined to their values.
	byRow []map[*value.Row][]value.Value
}

func newJoinAnalytics(o *Operator) *joinAnalytics {
	if !o.joined || len(o.p.Analytics) == 0 {
		return nil
	}
	return &joinAnalytics{src: o.p.AnalyticSrc, byRow: make([]map[*value.Row][]value.Value, o.nSrc)}
}

// evaluates reports whether a row of source src evaluates call i.
func (ja *joinAnalytics) evaluates(i, src int) bool {
	s := ja.src[i]
	return s == src || s == expr.AnySource
}

// updateAnalytics evaluates the analytic calls for the row being
// ingested. In a join, a call the row's stream does not evaluate is nil
// for that row.
func (o *Operator) updateAnalytics(src int) error {
	ctx := o.ctx
	for i, a := range o.p.Analytics {
		if o.ja != nil && !o.ja.evaluates(i, src) {
			ctx.Slots[a.Slot] = value.Value{}
			continue
		}
		if err := a.Update(ctx); err != nil {
			return err
		}
	}
	return nil
}

// indexAnalytics remembers the analytic values of the rows about to be
// joined.
func (o *Operator) indexAnalytics(items []Item) {
	ja := o.ja
	if ja == nil {
		return
	}
	for _, m := range ja.byRow {
		clear(m)
	}
	for i := range items {
		it := &items[i]
		if it.An == nil {
			continue
		}
		m := ja.byRow[it.Src]
		if m == nil {
			m = make(map[*value.Row][]value.Value, len(items))
			ja.byRow[it.Src] = m
		}
		m[it.Row] = it.An
	}
}

// loadAnalytics sets the analytic slots for the tuple in ctx.Rows: each
// call's value from the tuple's row of its stream (nil when the tuple has
// none); for a call every stream evaluates, from the first row of the
// tuple that has values.
func (o *Operator) loadAnalytics() {
	ja := o.ja
	if ja == nil {
		return
	}
	rows := o.ctx.Rows
	for i, a := range o.p.Analytics {
		var v value.Value
		if s := ja.src[i]; s != expr.AnySource {
			if r := rows[s]; r != nil {
				if an, ok := ja.byRow[s][r]; ok {
					v = an[i]
				}
			}
		} else {
			for s, r := range rows {
				if r == nil {
					continue
				}
				if an, ok := ja.byRow[s][r]; ok {
					v = an[i]
					break
				}
			}
		}
		o.ctx.Slots[a.Slot] = v
	}
}

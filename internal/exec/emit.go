package exec

import (
	"slices"

	"github.com/kuiperio/kuiper/internal/expr"
	"github.com/kuiperio/kuiper/internal/value"
)

// candidate is one output row before ORDER BY and LIMIT: its rows (one
// per source), analytic values and aggregate results, and sort keys.
type candidate struct {
	rows []*value.Row
	an   []value.Value
	aggs []value.Value
	keys []value.Value
}

// emitItems produces the result of a window from its buffered rows: join,
// WHERE after a join, grouping, then emitGroups; or the rows themselves
// when the rule does not aggregate.
func (o *Operator) emitItems(items []Item, ws, we int64) {
	defer o.keepRow()()
	ctx := o.ctx
	ctx.WindowStart, ctx.WindowEnd = ws, we
	var tuples [][]*value.Row
	if o.joined {
		tuples = o.join(items)
	}
	n := len(items)
	if o.joined {
		n = len(tuples)
	}
	// set makes tuple i the current row.
	set := func(i int) {
		if o.joined {
			copy(ctx.Rows, tuples[i])
			o.loadAnalytics()
			return
		}
		ctx.Rows[0] = items[i].Row
		if items[i].An != nil {
			o.restoreAnalytics(items[i].An)
		}
	}
	if o.p.Aggregating() {
		gs := o.newGroupSet()
		in := 0
		for i := 0; i < n; i++ {
			set(i)
			o.prepared = false
			if err := o.prepare(); err != nil {
				o.fail(o.m.Aggregate, err)
				continue
			}
			in++
			o.fold(gs)
		}
		o.m.Aggregate.Add(in, len(gs.list))
		o.emitGroups(gs, ws, we)
		return
	}
	if n == 0 {
		return
	}
	var out []*value.Object
	if len(o.p.Sort) == 0 {
		for i := 0; i < n; i++ {
			if o.p.Limit >= 0 && len(out) >= o.p.Limit {
				break
			}
			set(i)
			out = o.project(out)
		}
		o.send(out)
		return
	}
	cands := make([]candidate, 0, n)
	for i := 0; i < n; i++ {
		set(i)
		c := candidate{rows: slices.Clone(ctx.Rows)}
		switch {
		case o.ja != nil:
			c.an = o.saveAnalytics()
		case !o.joined && items[i].An != nil:
			c.an = items[i].An
		}
		if !o.sortKeys(&c) {
			continue
		}
		cands = append(cands, c)
	}
	o.emitSorted(cands)
}

// emitGroups produces the result of a window from its groups: aggregate
// results, HAVING, ORDER BY, LIMIT and the select list. A window without
// any row still gives one row when the rule aggregates without GROUP BY
// keys (its aggregates are left out), as eKuiper does.
func (o *Operator) emitGroups(gs *groupSet, ws, we int64) {
	defer o.keepRow()()
	ctx := o.ctx
	ctx.WindowStart, ctx.WindowEnd = ws, we
	list := gs.list
	if len(list) == 0 {
		if len(o.p.Dims) > 0 || len(o.p.Aggs) == 0 {
			return
		}
		list = []*group{{rows: make([]*value.Row, o.nSrc)}}
	}
	sorting := len(o.p.Sort) > 0
	var out []*value.Object
	var cands []candidate
	for _, g := range list {
		if g.err != nil {
			o.fail(o.m.Aggregate, g.err)
			continue
		}
		copy(ctx.Rows, g.rows)
		if g.an != nil {
			o.restoreAnalytics(g.an)
		}
		failed := false
		for i, a := range o.p.Aggs {
			v := value.Value{}
			if g.aggs != nil {
				r, err := g.aggs[i].Result()
				if err != nil {
					o.fail(o.m.Aggregate, err)
					failed = true
					break
				}
				v = r
			}
			ctx.Slots[a.Slot] = v
		}
		if failed {
			continue
		}
		if o.p.Having != nil {
			ok, err := cond(o.p.Having, ctx)
			if err != nil {
				o.fail(o.m.Having, err)
				continue
			}
			o.m.Having.Add(1, b2i(ok))
			if !ok {
				continue
			}
		}
		ctx.AggHitCount++
		ctx.AggHitTime = o.now(we)
		if !sorting {
			if o.p.Limit >= 0 && len(out) >= o.p.Limit {
				break
			}
			out = o.project(out)
			continue
		}
		c := candidate{rows: g.rows, an: g.an, aggs: make([]value.Value, len(o.p.Aggs))}
		for i, a := range o.p.Aggs {
			c.aggs[i] = ctx.Slots[a.Slot]
		}
		if o.sortKeys(&c) {
			cands = append(cands, c)
		}
	}
	if sorting {
		o.emitSorted(cands)
		return
	}
	o.send(out)
}

// sortKeys evaluates the ORDER BY keys for the current row into c.
func (o *Operator) sortKeys(c *candidate) bool {
	c.keys = make([]value.Value, len(o.p.Sort))
	for i, k := range o.p.Sort {
		v, err := k.Eval(o.ctx)
		if err != nil {
			o.fail(o.m.Order, err)
			return false
		}
		c.keys[i] = v
	}
	return true
}

// emitSorted sorts candidates, applies LIMIT and projects them.
func (o *Operator) emitSorted(cands []candidate) {
	keys := o.p.Sort
	slices.SortStableFunc(cands, func(a, b candidate) int {
		for i, k := range keys {
			c := compareKeys(a.keys[i], b.keys[i])
			if k.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	o.m.Order.Add(len(cands), len(cands))
	if o.p.Limit >= 0 && len(cands) > o.p.Limit {
		cands = cands[:o.p.Limit]
	}
	ctx := o.ctx
	var out []*value.Object
	for _, c := range cands {
		copy(ctx.Rows, c.rows)
		if c.an != nil {
			o.restoreAnalytics(c.an)
		}
		for i, a := range o.p.Aggs {
			if c.aggs != nil {
				ctx.Slots[a.Slot] = c.aggs[i]
			}
		}
		out = o.project(out)
	}
	o.send(out)
}

// compareKeys orders sort keys: nil first, then by value; values that do
// not compare are equal.
func compareKeys(a, b value.Value) int {
	switch {
	case a.IsNil() && b.IsNil():
		return 0
	case a.IsNil():
		return -1
	case b.IsNil():
		return 1
	}
	c, err := value.Compare(a, b)
	if err != nil {
		return 0
	}
	return c
}

// project evaluates the select list for the current row and appends the
// result (several rows with a set-returning function).
func (o *Operator) project(out []*value.Object) []*value.Object {
	ctx := o.ctx
	ctx.RowNumber = int64(len(out) + 1)
	fields := o.p.Fields
	if expr.HasExpand(fields) {
		rows, err := expr.ProjectRows(fields, ctx, o.opts.SendNil)
		if err != nil {
			o.fail(o.m.Project, err)
			return out
		}
		o.m.Project.Add(1, 1)
		return append(out, rows...)
	}
	row, err := expr.Project(fields, ctx, o.opts.SendNil)
	if err != nil {
		o.fail(o.m.Project, err)
		return out
	}
	o.m.Project.Add(1, 1)
	return append(out, row)
}

func (o *Operator) send(out []*value.Object) {
	if len(out) == 0 {
		return
	}
	o.m.Window.Add(0, 1)
	o.opts.Emit(out)
}

// now is the time of an emission: the window's end, or the current
// row's time outside windows.
func (o *Operator) now(we int64) int64 {
	if we != 0 {
		return we
	}
	if r := o.item[0].Row; r != nil {
		return r.Ts
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// keepRow saves the operator's current row (a window may close while a
// row is being added) and returns the function that puts it back.
func (o *Operator) keepRow() func() {
	if o.saving {
		return func() {}
	}
	o.saving = true
	o.savedRows = append(o.savedRows[:0], o.ctx.Rows...)
	if len(o.p.Analytics) > 0 {
		o.savedAn = o.saveAnalyticsInto(o.savedAn[:0])
	}
	return func() {
		copy(o.ctx.Rows, o.savedRows)
		if len(o.p.Analytics) > 0 {
			o.restoreAnalytics(o.savedAn)
		}
		o.prepared = false
		o.saving = false
	}
}

package exec

import (
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/value"
)

// group is one GROUP BY group of a window: its first row (a plain column
// next to aggregates takes the first row's value, as in eKuiper) and one
// accumulator per aggregate call.
type group struct {
	rows []*value.Row  // the first row, one per source
	an   []value.Value // analytic results of the first row
	aggs []function.Aggregator
	err  error // the first error an accumulator returned

	// inline storage for the common small cases: one source, up to four
	// aggregate calls
	rowBuf [1]*value.Row
	aggBuf [4]function.Aggregator
}

// groupSet holds the groups of one window, in order of first appearance.
type groupSet struct {
	byKey map[string]*group // nil without GROUP BY keys
	list  []*group
}

func (o *Operator) newGroupSet() *groupSet {
	gs := &groupSet{}
	if len(o.p.Dims) > 0 {
		gs.byKey = make(map[string]*group)
	}
	return gs
}

// prepare evaluates, once per row, what folding needs: the group key, the
// FILTER of each aggregate call and the call arguments. The current row
// is in o.ctx.
func (o *Operator) prepare() error {
	if o.prepared {
		return o.rowErr
	}
	o.prepared = true
	o.rowErr = nil
	ctx := o.ctx
	o.key = o.key[:0]
	for _, d := range o.p.Dims {
		v, err := d(ctx)
		if err != nil {
			o.rowErr = err
			return err
		}
		o.key = value.AppendKey(o.key, v)
		o.key = append(o.key, 0)
	}
	for i, a := range o.p.Aggs {
		on := true
		if a.Filter != nil {
			ok, err := cond(a.Filter, ctx)
			if err != nil {
				o.rowErr = err
				return err
			}
			on = ok
		}
		o.aggOn[i] = on
		if !on {
			continue
		}
		buf := o.argVals[i]
		for j, e := range a.Args {
			v, err := e(ctx)
			if err != nil {
				o.rowErr = err
				return err
			}
			buf[j] = v
		}
	}
	return nil
}

// fold adds the current row (prepared) to its group in gs. It reports
// false when a new group was refused by the group limit.
func (o *Operator) fold(gs *groupSet) bool {
	var g *group
	if gs.byKey != nil {
		g = gs.byKey[string(o.key)]
	} else if len(gs.list) > 0 {
		g = gs.list[0]
	}
	if g == nil {
		if len(gs.list) >= o.opts.MaxGroups {
			o.m.Aggregate.Drop(1)
			return false
		}
		g = o.newGroup()
		if gs.byKey != nil {
			gs.byKey[string(o.key)] = g
		}
		gs.list = append(gs.list, g)
	}
	for i, agg := range g.aggs {
		if !o.aggOn[i] {
			continue
		}
		if err := agg.Add(o.argVals[i]); err != nil && g.err == nil {
			g.err = err
		}
	}
	return true
}

func (o *Operator) newGroup() *group {
	ctx := o.ctx
	g := &group{}
	if len(ctx.Rows) <= len(g.rowBuf) {
		g.rows = g.rowBuf[:len(ctx.Rows)]
	} else {
		g.rows = make([]*value.Row, len(ctx.Rows))
	}
	if len(o.p.Aggs) <= len(g.aggBuf) {
		g.aggs = g.aggBuf[:len(o.p.Aggs)]
	} else {
		g.aggs = make([]function.Aggregator, len(o.p.Aggs))
	}
	copy(g.rows, ctx.Rows)
	if len(o.p.Analytics) > 0 {
		g.an = o.saveAnalytics()
	}
	for i, a := range o.p.Aggs {
		g.aggs[i] = a.Spec.NewAggregator(a.Consts)
	}
	return g
}

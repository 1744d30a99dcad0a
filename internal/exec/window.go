package exec

import (
	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/token"
)

// windower assigns rows to window instances and decides when each closes.
// Time is Unix ms: event time (the watermark) or processing time (the
// clock), the window does not care which.
type windower interface {
	// add puts a row (the operator's current row) into its windows; count
	// and state windows may close a window here.
	add(o *Operator, it *Item)
	// advance moves time to t, closing the windows that end by then.
	advance(o *Operator, t int64)
	// deadline is the next time advance has work to do; ok is false when
	// none is known.
	deadline() (t int64, ok bool)
}

// pane is the content of one window instance: accumulators per group when
// the operator aggregates incrementally, otherwise the rows.
type pane struct {
	gs          *groupSet
	items       []Item
	n           int   // rows added
	over        int   // rows dropped by a limit
	first, last int64 // smallest and largest row time
}

func (o *Operator) newPane() *pane {
	p := &pane{}
	if o.inc {
		p.gs = o.newGroupSet()
	}
	return p
}

// addToPane adds the operator's current row to a pane.
func (o *Operator) addToPane(p *pane, it *Item) {
	if o.inc {
		if err := o.prepare(); err != nil {
			o.fail(o.m.Aggregate, err)
			return
		}
		if !o.fold(p.gs) {
			p.over++
			return
		}
	} else {
		if len(p.items) >= o.opts.MaxRows {
			o.m.Window.Drop(1)
			p.over++
			return
		}
		p.items = append(p.items, *it)
	}
	if p.n == 0 || it.Ts < p.first {
		p.first = it.Ts
	}
	if p.n == 0 || it.Ts > p.last {
		p.last = it.Ts
	}
	p.n++
}

// emitPane produces the result of a closed window; p may be nil for a
// window no row entered.
func (o *Operator) emitPane(p *pane, ws, we int64) {
	switch {
	case p == nil && o.inc:
		o.emitGroups(o.newGroupSet(), ws, we)
	case p == nil:
		o.emitItems(nil, ws, we)
	case o.inc:
		o.m.Aggregate.Add(p.n, len(p.gs.list))
		o.emitGroups(p.gs, ws, we)
	default:
		o.emitItems(p.items, ws, we)
	}
}

func (o *Operator) newWindower(w *plan.Window) windower {
	switch w.Type {
	case ast.TumblingWindow, ast.HoppingWindow:
		tw := &timeWindow{size: w.Length, hop: w.Interval, panes: map[int64]*pane{}, eventTime: o.opts.EventTime}
		if w.Unit == token.DD {
			tw.grid = dayGrid(o.opts.Location)
			tw.size /= dayMs
			tw.hop /= dayMs
		}
		if !o.opts.EventTime {
			tw.start(o.opts.Start)
		}
		return tw
	case ast.SlidingWindow:
		return &slidingWindow{size: w.Length, delay: w.Delay, when: w.When, eventTime: o.opts.EventTime}
	case ast.SessionWindow:
		sw := &sessionWindow{maxDur: w.Length, timeout: w.Interval}
		if w.Unit == token.DD {
			sw.grid = dayGrid(o.opts.Location)
			sw.maxDur /= dayMs
		}
		return sw
	case ast.CountWindow:
		return &countWindow{n: w.Count, step: w.Step}
	case ast.StateWindow:
		return &stateWindow{begin: w.Begin, emit: w.Emit, parts: w.Partition}
	}
	return nil
}

// dayMs is the length of a day unit in the plan's window lengths.
const dayMs = 24 * 60 * 60 * 1000

// alignUp returns the smallest t' > t with (t' + offset) a multiple of
// step.
func alignUp(t, step, offset int64) int64 {
	return floorDiv(t+offset, step)*step + step - offset
}

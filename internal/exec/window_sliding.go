package exec

import (
	"sort"

	"github.com/kuiperio/kuiper/internal/expr"
)

// slidingWindow emits a window for every row that triggers it (all rows,
// or those meeting OVER (WHEN ...)): the rows in (t-size, t+delay] for a
// trigger at t, once time reaches t+delay. Without a delay in processing
// time the window is emitted at once. Rows are buffered in time order and
// dropped once no pending or future trigger can reach them.
//
// items, pending and floor are the window's state; inc, when the rule's
// aggregates allow it, is derived from items (see slideState) and rebuilt
// by rebuild.
type slidingWindow struct {
	size, delay int64
	when        expr.Eval
	eventTime   bool
	items       []Item  // in time order
	pending     []int64 // trigger times waiting for t+delay, in order
	// floor is the earliest time a future trigger can have: the
	// watermark in event time, the clock in processing time.
	floor    int64
	floorSet bool

	inc     *slideState // nil: re-aggregate the rows of every window
	incInit bool        // inc was set up for the rule
}

// setup decides once whether the window is kept incrementally, and
// rebuilds the incremental state when it does not match items (after a
// restore that did not call rebuild).
func (w *slidingWindow) setup(o *Operator) {
	if !w.incInit {
		w.rebuild(o)
		return
	}
	if w.inc != nil && len(w.inc.rows) != len(w.items) {
		w.rebuild(o)
	}
}

// rebuild recomputes the incremental state from items.
func (w *slidingWindow) rebuild(o *Operator) {
	w.incInit = true
	w.inc = nil
	kinds, ok := slidingKinds(o.p)
	if !ok {
		return
	}
	s := newSlideState(kinds)
	if len(w.items) > 0 {
		defer o.keepRow()()
		s.rows = make([]*slideRow, 0, len(w.items))
		for i := range w.items {
			it := &w.items[i]
			o.ctx.Rows[0] = it.Row
			if it.An != nil {
				o.restoreAnalytics(it.An)
			}
			o.prepared = false
			s.rows = append(s.rows, s.newRow(o, it))
		}
	}
	w.inc = s
}

func (w *slidingWindow) add(o *Operator, it *Item) {
	w.setup(o)
	trigger := true
	if w.when != nil {
		ok, err := cond(w.when, o.ctx)
		if err != nil {
			o.fail(o.m.Window, err)
			ok = false
		}
		trigger = ok
	}
	if len(w.items) >= o.opts.MaxRows {
		o.m.Window.Drop(1)
		w.dropFront(1)
	}
	// Insert in time order; rows mostly come in order.
	i := len(w.items)
	for i > 0 && w.items[i-1].Ts > it.Ts {
		i--
	}
	w.items = append(w.items, Item{})
	copy(w.items[i+1:], w.items[i:])
	w.items[i] = *it
	if w.inc != nil {
		w.inc.insert(i, w.inc.newRow(o, it))
	}
	if !w.eventTime && (!w.floorSet || it.Ts > w.floor) {
		w.floor, w.floorSet = it.Ts, true
	}
	if !trigger {
		w.gc()
		return
	}
	if !w.eventTime && w.delay == 0 {
		w.emit(o, it.Ts)
		w.gc()
		return
	}
	j := sort.Search(len(w.pending), func(k int) bool { return w.pending[k] > it.Ts })
	w.pending = append(w.pending, 0)
	copy(w.pending[j+1:], w.pending[j:])
	w.pending[j] = it.Ts
}

func (w *slidingWindow) advance(o *Operator, t int64) {
	w.setup(o)
	if !w.floorSet || t > w.floor {
		w.floor, w.floorSet = t, true
	}
	n := 0
	for n < len(w.pending) && w.pending[n]+w.delay <= t {
		w.emit(o, w.pending[n])
		n++
	}
	if n > 0 {
		w.pending = w.pending[n:]
		if len(w.pending) == 0 {
			w.pending = nil
		}
	}
	w.gc()
}

// emit sends the window of a trigger at t.
func (w *slidingWindow) emit(o *Operator, t int64) {
	lo, hi := t-w.size, t+w.delay
	if w.inc != nil && w.inc.emit(o, w.items, lo, hi) {
		return
	}
	from := sort.Search(len(w.items), func(k int) bool { return w.items[k].Ts > lo })
	to := sort.Search(len(w.items), func(k int) bool { return w.items[k].Ts > hi })
	o.emitItems(w.items[from:to], lo, hi)
}

// gc drops rows no window can reach any more: older than size before the
// oldest pending trigger (or the earliest future one).
func (w *slidingWindow) gc() {
	if !w.floorSet {
		return
	}
	keep := w.floor
	if len(w.pending) > 0 && w.pending[0] < keep {
		keep = w.pending[0]
	}
	keep -= w.size
	n := sort.Search(len(w.items), func(k int) bool { return w.items[k].Ts > keep })
	if n > 0 {
		w.dropFront(n)
	}
}

// dropFront drops the n oldest rows. The slice moves forward instead of
// copying what remains; append moves the rows when it grows.
func (w *slidingWindow) dropFront(n int) {
	if w.inc != nil {
		w.inc.dropFront(n)
	}
	clear(w.items[:n])
	w.items = w.items[n:]
	if len(w.items) == 0 {
		w.items = nil
	}
}

func (w *slidingWindow) deadline() (int64, bool) {
	if len(w.pending) == 0 {
		return 0, false
	}
	return w.pending[0] + w.delay, true
}

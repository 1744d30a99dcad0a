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
}

func (w *slidingWindow) add(o *Operator, it *Item) {
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
		w.items = w.items[1:]
	}
	// Insert in time order; rows mostly come in order.
	i := len(w.items)
	for i > 0 && w.items[i-1].Ts > it.Ts {
		i--
	}
	w.items = append(w.items, Item{})
	copy(w.items[i+1:], w.items[i:])
	w.items[i] = *it
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
	if !w.floorSet || t > w.floor {
		w.floor, w.floorSet = t, true
	}
	n := 0
	for n < len(w.pending) && w.pending[n]+w.delay <= t {
		w.emit(o, w.pending[n])
		n++
	}
	if n > 0 {
		w.pending = append(w.pending[:0], w.pending[n:]...)
	}
	w.gc()
}

// emit sends the window of a trigger at t.
func (w *slidingWindow) emit(o *Operator, t int64) {
	lo, hi := t-w.size, t+w.delay
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
		clear(w.items[:n])
		w.items = append(w.items[:0], w.items[n:]...)
	}
}

func (w *slidingWindow) deadline() (int64, bool) {
	if len(w.pending) == 0 {
		return 0, false
	}
	return w.pending[0] + w.delay, true
}

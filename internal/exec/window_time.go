package exec

// timeWindow is a tumbling (hop = size) or hopping window: windows of
// size ms that end at every multiple of hop, aligned to the epoch; for
// day units, size and hop are days and windows end at local midnight
// (see grid). A row belongs to every window whose
// [end-size, end) holds its time, so a hopping window folds each row into
// size/hop panes. Windows close in order of their end, and windows no row
// entered between busy ones are emitted too, as eKuiper does.
type timeWindow struct {
	size, hop int64 // ms, or days on a day grid
	grid      grid
	eventTime bool
	panes     map[int64]*pane // open windows by end
	next      int64           // end of the next window to close
	started   bool
}

// start makes the first window the one that holds t.
func (w *timeWindow) start(t int64) {
	w.next = w.grid.after(t, w.hop)
	w.started = true
}

func (w *timeWindow) add(o *Operator, it *Item) {
	ts := it.Ts
	if !w.started {
		w.start(ts)
	}
	if oldest := w.grid.plus(w.next, -w.size); ts < oldest {
		// The row's windows have closed (in processing time: it waited
		// in a buffer while they did); it goes to the oldest open one.
		ts = oldest
	}
	for end := w.grid.after(ts, w.hop); w.grid.plus(end, -w.size) <= ts; end = w.grid.plus(end, w.hop) {
		if end < w.next {
			continue
		}
		p := w.panes[end]
		if p == nil {
			p = o.newPane()
			w.panes[end] = p
		}
		o.addToPane(p, it)
	}
}

func (w *timeWindow) advance(o *Operator, t int64) {
	if !w.started {
		return
	}
	if len(w.panes) == 0 {
		// Nothing but empty windows until t: skip all but the last few.
		if skip := w.grid.plus(w.grid.after(t, w.hop), -maxCatchUp*w.hop); skip > w.next {
			w.next = skip
		}
	}
	for w.next <= t {
		p := w.panes[w.next]
		delete(w.panes, w.next)
		o.emitPane(p, w.grid.plus(w.next, -w.size), w.next)
		w.next = w.grid.plus(w.next, w.hop)
	}
}

func (w *timeWindow) deadline() (int64, bool) { return w.next, w.started }

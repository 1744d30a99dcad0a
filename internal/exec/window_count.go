package exec

// countWindow closes a window every step rows over the last n rows:
// COUNTWINDOW(n) is tumbling (step n) and aggregates incrementally;
// COUNTWINDOW(n, step) keeps the last n rows and emits them whenever the
// total count is a multiple of step and at least n (eKuiper's rule).
// window_start() and window_end() are the times of the window's first and
// last rows.
type countWindow struct {
	n, step int
	cur     *pane
	ring    []Item
	total   int
}

func (w *countWindow) add(o *Operator, it *Item) {
	if w.step == w.n {
		if w.cur == nil {
			w.cur = o.newPane()
		}
		o.addToPane(w.cur, it)
		// Rows dropped by a limit count too: the window still closes
		// after n rows.
		if w.cur.n+w.cur.over >= w.n {
			p := w.cur
			w.cur = nil
			o.emitPane(p, p.first, it.Ts)
		}
		return
	}
	if len(w.ring) == w.n {
		clear(w.ring[:1])
		w.ring = append(w.ring[:0], w.ring[1:]...)
	}
	w.ring = append(w.ring, *it)
	w.total++
	if w.total%w.step == 0 && len(w.ring) == w.n {
		o.emitItems(w.ring, w.ring[0].Ts, it.Ts)
	}
}

func (w *countWindow) advance(*Operator, int64) {}

func (w *countWindow) deadline() (int64, bool) { return 0, false }

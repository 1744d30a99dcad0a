package exec

// sessionWindow groups rows that come less than timeout apart. A session
// starts with a row and closes timeout after its last row, or at the
// first aligned multiple of maxDur that is at least maxDur after its first
// row, whichever comes first (eKuiper checks the maximum duration at
// aligned times the same way). window_start() is the first row's time and
// window_end() the close time.
type sessionWindow struct {
	maxDur, timeout int64 // maxDur in days on a day grid
	grid            grid
	cur             *pane
}

// end is when the session p closes.
func (w *sessionWindow) end(p *pane) int64 {
	e := p.last + w.timeout
	// The first aligned check time at least maxDur after the start.
	if b := w.grid.after(w.grid.plus(p.first, w.maxDur)-1, w.maxDur); b < e {
		e = b
	}
	return e
}

func (w *sessionWindow) add(o *Operator, it *Item) {
	if w.cur != nil && it.Ts >= w.end(w.cur) {
		w.close(o)
	}
	if w.cur == nil {
		w.cur = o.newPane()
	}
	o.addToPane(w.cur, it)
	if w.cur.n == 0 {
		w.cur = nil
	}
}

func (w *sessionWindow) advance(o *Operator, t int64) {
	if w.cur != nil && t >= w.end(w.cur) {
		w.close(o)
	}
}

func (w *sessionWindow) close(o *Operator) {
	p := w.cur
	w.cur = nil
	o.emitPane(p, p.first, w.end(p))
}

func (w *sessionWindow) deadline() (int64, bool) {
	if w.cur == nil {
		return 0, false
	}
	return w.end(w.cur), true
}

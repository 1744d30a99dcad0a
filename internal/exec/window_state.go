package exec

import (
	"github.com/kuiperio/kuiper/internal/expr"
	"github.com/kuiperio/kuiper/internal/value"
)

// stateWindow opens a window on a row meeting begin and closes it, that
// row included, on a later row meeting emit; rows in between belong to
// it and rows outside an open window are ignored. The one-condition form
// uses the condition for both. With OVER (PARTITION BY ...) each partition
// has its own window. window_start() and window_end() are the times of the
// first and last rows.
type stateWindow struct {
	begin, emit expr.Eval
	parts       []expr.Eval
	single      *pane
	open        map[string]*pane
	key         []byte
}

func (w *stateWindow) add(o *Operator, it *Item) {
	var p *pane
	key := ""
	if len(w.parts) > 0 {
		w.key = w.key[:0]
		for _, e := range w.parts {
			v, err := e(o.ctx)
			if err != nil {
				o.fail(o.m.Window, err)
				return
			}
			w.key = value.AppendKey(w.key, v)
			w.key = append(w.key, 0)
		}
		p = w.open[string(w.key)]
	} else {
		p = w.single
	}
	if p == nil {
		ok, err := cond(w.begin, o.ctx)
		if err != nil {
			o.fail(o.m.Window, err)
			return
		}
		if !ok {
			return
		}
		p = o.newPane()
		o.addToPane(p, it)
		if len(w.parts) > 0 {
			if w.open == nil {
				w.open = map[string]*pane{}
			}
			if len(w.open) >= o.opts.MaxGroups {
				o.m.Window.Drop(1)
				return
			}
			key = string(w.key)
			w.open[key] = p
		} else {
			w.single = p
		}
		return
	}
	o.addToPane(p, it)
	ok, err := cond(w.emit, o.ctx)
	if err != nil {
		o.fail(o.m.Window, err)
		return
	}
	if !ok {
		return
	}
	if len(w.parts) > 0 {
		delete(w.open, string(w.key))
	} else {
		w.single = nil
	}
	o.emitPane(p, p.first, p.last)
}

func (w *stateWindow) advance(*Operator, int64) {}

func (w *stateWindow) deadline() (int64, bool) { return 0, false }

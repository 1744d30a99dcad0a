package exec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/kuiperio/kuiper/internal/expr"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/value"
	"github.com/kuiperio/kuiper/sdk/api"
)

// A checkpoint is the state of an operator written as bytes: the open
// windows (their groups' accumulators or their rows), the watermark, the
// scan-table snapshots and the hit counters. A new operator built from the
// same plan restores it, so a rule restarted mid-window goes on with the
// window it had, and analytic functions go on from their last values.
// Lookup-table caches are not saved (they refill).

// checkpointVersion is the first byte of every checkpoint.
const checkpointVersion = 1

// ErrNotCheckpointable is returned by Snapshot when some state cannot be
// saved (an aggregate function of a plugin).
var ErrNotCheckpointable = errors.New("state cannot be checkpointed")

// Checkpointable reports whether Snapshot can save this operator's state:
// every aggregate call must be able to save its accumulator.
func (o *Operator) Checkpointable() error {
	for _, a := range o.p.Aggs {
		if _, ok := a.Spec.NewAggregator(a.Consts).(function.Checkpointer); !ok {
			return fmt.Errorf("%w: aggregate function %s cannot save its state", ErrNotCheckpointable, a.Spec.Name)
		}
	}
	for _, a := range o.p.Analytics {
		if !a.CanSaveState() {
			return fmt.Errorf("%w: analytic function %s cannot save its state", ErrNotCheckpointable, a.Spec.Name)
		}
	}
	return nil
}

// Snapshot returns the operator's state. It must be called on the
// operator's goroutine.
func (o *Operator) Snapshot() ([]byte, error) {
	if err := o.Checkpointable(); err != nil {
		return nil, err
	}
	e := &encoder{o: o, b: []byte{checkpointVersion}}
	e.int(int64(o.nSrc))
	e.bool(o.inc)
	e.byte(o.windowKind())
	c := o.ctx
	e.int(c.HitCount)
	e.int(c.HitTime)
	e.int(c.AggHitCount)
	e.int(c.AggHitTime)
	// watermark
	e.bool(o.wm != nil)
	if w := o.wm; w != nil {
		e.bool(w.valid)
		e.int(w.value)
		for i := range w.max {
			e.bool(w.seen[i])
			e.int(w.max[i])
		}
	}
	// scan tables
	for _, t := range o.tables {
		e.bool(t != nil)
		if t != nil {
			rows, _ := t.appendRows(nil)
			e.count(len(rows))
			for _, r := range rows {
				e.row(r)
			}
		}
	}
	e.windower(o.win)
	e.count(len(o.p.Analytics))
	for _, a := range o.p.Analytics {
		e.b = a.SaveState(e.b)
	}
	return e.b, nil
}

// Restore loads a snapshot of an operator of the same plan. now is the
// current processing time (Unix ms): the processing-time windows that
// ended while the rule was not running are emitted at once, those that
// got no row are skipped. On error the operator is left as it was.
func (o *Operator) Restore(b []byte, now int64) error {
	d := &decoder{o: o, r: value.NewBinaryReader(b)}
	if v := d.r.Byte(); v != checkpointVersion {
		return fmt.Errorf("checkpoint version %d, want %d", v, checkpointVersion)
	}
	if n := d.int(); n != int64(o.nSrc) {
		return fmt.Errorf("checkpoint has %d sources, the rule %d", n, o.nSrc)
	}
	if inc := d.bool(); inc != o.inc {
		return errors.New("checkpoint of another aggregation mode")
	}
	if k := d.r.Byte(); k != o.windowKind() {
		return errors.New("checkpoint of another window kind")
	}
	var hits [4]int64
	for i := range hits {
		hits[i] = d.int()
	}
	if d.bool() != (o.wm != nil) {
		return errors.New("checkpoint of another time mode")
	}
	var wm *watermark
	if w := o.wm; w != nil {
		wm = newWatermark(w.streams, len(w.max), w.tol)
		wm.valid = d.bool()
		wm.value = d.int()
		for i := range wm.max {
			wm.seen[i] = d.bool()
			wm.max[i] = d.int()
			if wm.seen[i] && slices.Contains(wm.streams, i) {
				wm.nSeen++
			}
		}
	}
	tables := make([][]*value.Row, len(o.tables))
	for i, t := range o.tables {
		if d.bool() != (t != nil) {
			return errors.New("checkpoint of other tables")
		}
		if t != nil {
			n := d.count()
			for range n {
				tables[i] = append(tables[i], d.row())
			}
		}
	}
	win, err := d.windower()
	var an []expr.Analytic
	if err == nil {
		an, err = d.analytics()
	}
	if err == nil {
		err = d.done()
	}
	if err != nil {
		return fmt.Errorf("restore checkpoint: %w", err)
	}
	c := o.ctx
	c.HitCount, c.HitTime, c.AggHitCount, c.AggHitTime = hits[0], hits[1], hits[2], hits[3]
	for i, a := range o.p.Analytics {
		*a = an[i]
	}
	if wm != nil {
		o.wm = wm
	}
	for i, rows := range tables {
		for _, r := range rows {
			o.tables[i].Add(r)
		}
	}
	if win != nil {
		o.win = win
		if tw, ok := win.(*timeWindow); ok && !o.opts.EventTime {
			tw.catchUp(o, now)
		}
		if rb, ok := win.(interface{ rebuild(*Operator) }); ok {
			rb.rebuild(o)
		}
	}
	return nil
}

// windowKind identifies the windower type in a checkpoint.
func (o *Operator) windowKind() byte {
	switch o.win.(type) {
	case *timeWindow:
		return 1
	case *slidingWindow:
		return 2
	case *sessionWindow:
		return 3
	case *countWindow:
		return 4
	case *stateWindow:
		return 5
	}
	return 0
}

// catchUp emits the windows that ended by now, after a restore: those
// holding rows in order, the empty ones not at all; the next window to
// close is the one holding now.
func (w *timeWindow) catchUp(o *Operator, now int64) {
	if !w.started || w.next > now {
		return
	}
	ends := slices.Sorted(maps.Keys(w.panes))
	for _, end := range ends {
		if end > now {
			break
		}
		p := w.panes[end]
		delete(w.panes, end)
		o.emitPane(p, end-w.size, end)
	}
	w.next = w.grid.after(now, w.hop)
}

type encoder struct {
	o *Operator
	b []byte
}

func (e *encoder) byte(b byte) { e.b = append(e.b, b) }

func (e *encoder) bool(b bool) {
	if b {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

func (e *encoder) int(i int64)       { e.b = binary.AppendVarint(e.b, i) }
func (e *encoder) count(n int)       { e.b = binary.AppendUvarint(e.b, uint64(n)) }
func (e *encoder) str(s string)      { e.b = value.AppendBinaryString(e.b, s) }
func (e *encoder) val(v value.Value) { e.b = value.AppendBinary(e.b, v) }

func (e *encoder) vals(vs []value.Value) {
	e.bool(vs != nil)
	e.count(len(vs))
	for _, v := range vs {
		e.val(v)
	}
}

func (e *encoder) row(r *value.Row) {
	e.bool(r != nil)
	if r == nil {
		return
	}
	e.val(value.ObjectValue(r.Msg))
	e.str(r.Topic)
	e.int(r.Ts)
	e.val(metaObject(r.Meta))
}

// metaObject lists a row's metadata as an object when the metadata can
// list its keys (the MQTT source's and plain maps can); other metadata is
// not kept.
func metaObject(m value.Meta) value.Value {
	var keys []string
	switch t := m.(type) {
	case nil:
		return value.NullValue()
	case api.MapMetadata:
		keys = slices.Sorted(maps.Keys(t))
	case interface{ Keys() []string }:
		keys = t.Keys()
	default:
		return value.NullValue()
	}
	o := value.NewObject(len(keys))
	for _, k := range keys {
		v, _ := m.Get(k)
		o.Append(k, value.FromAny(v))
	}
	return value.ObjectValue(o)
}

func (e *encoder) item(it *Item) {
	e.row(it.Row)
	e.int(int64(it.Src))
	e.int(it.Ts)
	e.vals(it.An)
}

func (e *encoder) items(its []Item) {
	e.count(len(its))
	for i := range its {
		e.item(&its[i])
	}
}

func (e *encoder) pane(p *pane) {
	e.bool(p != nil)
	if p == nil {
		return
	}
	e.int(int64(p.n))
	e.int(int64(p.over))
	e.int(p.first)
	e.int(p.last)
	e.bool(p.gs != nil)
	if p.gs != nil {
		e.groups(p.gs)
	}
	e.items(p.items)
}

func (e *encoder) groups(gs *groupSet) {
	keys := make(map[*group]string, len(gs.byKey))
	for k, g := range gs.byKey {
		keys[g] = k
	}
	e.bool(gs.byKey != nil)
	e.count(len(gs.list))
	for _, g := range gs.list {
		e.str(keys[g])
		e.count(len(g.rows))
		for _, r := range g.rows {
			e.row(r)
		}
		e.vals(g.an)
		e.bool(g.err != nil)
		if g.err != nil {
			e.str(g.err.Error())
		}
		for _, a := range g.aggs {
			// Checkpointable vouched for every accumulator.
			e.b = a.(function.Checkpointer).SaveState(e.b)
		}
	}
}

func (e *encoder) windower(w windower) {
	switch w := w.(type) {
	case *timeWindow:
		e.bool(w.started)
		e.int(w.next)
		ends := slices.Sorted(maps.Keys(w.panes))
		e.count(len(ends))
		for _, end := range ends {
			e.int(end)
			e.pane(w.panes[end])
		}
	case *slidingWindow:
		e.items(w.items)
		e.count(len(w.pending))
		for _, t := range w.pending {
			e.int(t)
		}
		e.bool(w.floorSet)
		e.int(w.floor)
	case *sessionWindow:
		e.pane(w.cur)
	case *countWindow:
		e.pane(w.cur)
		e.items(w.ring)
		e.int(int64(w.total))
	case *stateWindow:
		e.pane(w.single)
		keys := slices.Sorted(maps.Keys(w.open))
		e.count(len(keys))
		for _, k := range keys {
			e.str(k)
			e.pane(w.open[k])
		}
	}
}

type decoder struct {
	o   *Operator
	r   *value.BinaryReader
	bad error // a decoded value out of range
}

func (d *decoder) bool() bool       { return d.r.Byte() != 0 }
func (d *decoder) int() int64       { return d.r.Varint() }
func (d *decoder) count() int       { return d.r.Len(1) }
func (d *decoder) str() string      { return d.r.String() }
func (d *decoder) val() value.Value { return d.r.Value() }

// done reports the first error of the decoding and checks that every
// byte was read.
func (d *decoder) done() error {
	if d.bad != nil {
		return d.bad
	}
	return d.r.Done()
}

func (d *decoder) vals() []value.Value {
	has := d.bool()
	n := d.count()
	if !has {
		return nil
	}
	vs := make([]value.Value, n)
	for i := range vs {
		vs[i] = d.val()
	}
	return vs
}

func (d *decoder) row() *value.Row {
	if !d.bool() {
		return nil
	}
	r := &value.Row{Msg: d.val().Object()}
	r.Topic = d.str()
	r.Ts = d.int()
	if m := d.val().Object(); m != nil {
		md := make(api.MapMetadata, m.Len())
		for i, k := range m.Keys {
			md[k] = m.Vals[i].ToAny()
		}
		r.Meta = md
	}
	return r
}

func (d *decoder) item() Item {
	it := Item{Row: d.row()}
	src := d.int()
	if (src < 0 || src >= int64(d.o.nSrc)) && d.bad == nil {
		d.bad = fmt.Errorf("row of source %d, the rule has %d", src, d.o.nSrc)
		src = 0
	}
	it.Src = int(src)
	it.Ts = d.int()
	it.An = d.vals()
	return it
}

func (d *decoder) items() []Item {
	n := d.count()
	if n == 0 {
		return nil
	}
	its := make([]Item, 0, n)
	for range n {
		if d.r.Err() != nil {
			break
		}
		its = append(its, d.item())
	}
	return its
}

func (d *decoder) pane() (*pane, error) {
	if !d.bool() {
		return nil, d.r.Err()
	}
	p := &pane{}
	p.n = int(d.int())
	p.over = int(d.int())
	p.first = d.int()
	p.last = d.int()
	if d.bool() {
		gs, err := d.groups()
		if err != nil {
			return nil, err
		}
		p.gs = gs
	}
	p.items = d.items()
	if (p.gs != nil) != d.o.inc {
		return nil, errors.New("pane of another aggregation mode")
	}
	return p, d.r.Err()
}

func (d *decoder) groups() (*groupSet, error) {
	o := d.o
	gs := o.newGroupSet()
	if keyed := d.bool(); keyed != (gs.byKey != nil) {
		return nil, errors.New("groups of another GROUP BY")
	}
	n := d.count()
	for range n {
		key := d.str()
		g := &group{}
		nr := d.count()
		if nr != o.nSrc {
			return nil, fmt.Errorf("group with %d rows, want %d", nr, o.nSrc)
		}
		g.rows = make([]*value.Row, nr)
		for i := range g.rows {
			g.rows[i] = d.row()
		}
		g.an = d.vals()
		if d.bool() {
			g.err = errors.New(d.str())
		}
		g.aggs = make([]function.Aggregator, len(o.p.Aggs))
		for i, a := range o.p.Aggs {
			agg := a.Spec.NewAggregator(a.Consts)
			cp, ok := agg.(function.Checkpointer)
			if !ok {
				return nil, fmt.Errorf("%w: aggregate function %s", ErrNotCheckpointable, a.Spec.Name)
			}
			if err := cp.LoadState(d.r); err != nil {
				return nil, fmt.Errorf("state of %s: %w", a.Spec.Name, err)
			}
			g.aggs[i] = agg
		}
		if d.r.Err() != nil {
			return nil, d.r.Err()
		}
		if gs.byKey != nil {
			gs.byKey[key] = g
		}
		gs.list = append(gs.list, g)
	}
	return gs, d.r.Err()
}

// analytics decodes the state of the analytic calls into copies of them.
func (d *decoder) analytics() ([]expr.Analytic, error) {
	calls := d.o.p.Analytics
	if n := d.count(); n != len(calls) {
		return nil, fmt.Errorf("checkpoint has %d analytic calls, the rule %d", n, len(calls))
	}
	an := make([]expr.Analytic, len(calls))
	for i, a := range calls {
		an[i] = *a
		if err := an[i].LoadState(d.r); err != nil {
			return nil, fmt.Errorf("state of %s: %w", a.Spec.Name, err)
		}
	}
	return an, nil
}

func (d *decoder) windower() (windower, error) {
	o := d.o
	switch w := o.win.(type) {
	case nil:
		return nil, d.r.Err()
	case *timeWindow:
		nw := *w
		nw.started = d.bool()
		nw.next = d.int()
		nw.panes = map[int64]*pane{}
		n := d.count()
		for range n {
			end := d.int()
			p, err := d.pane()
			if err != nil {
				return nil, err
			}
			nw.panes[end] = p
		}
		return &nw, d.r.Err()
	case *slidingWindow:
		nw := *w
		nw.items = d.items()
		n := d.count()
		nw.pending = make([]int64, 0, n)
		for range n {
			nw.pending = append(nw.pending, d.int())
		}
		nw.floorSet = d.bool()
		nw.floor = d.int()
		return &nw, d.r.Err()
	case *sessionWindow:
		nw := *w
		p, err := d.pane()
		nw.cur = p
		return &nw, err
	case *countWindow:
		nw := *w
		p, err := d.pane()
		if err != nil {
			return nil, err
		}
		nw.cur = p
		nw.ring = d.items()
		nw.total = int(d.int())
		return &nw, d.r.Err()
	case *stateWindow:
		nw := *w
		p, err := d.pane()
		if err != nil {
			return nil, err
		}
		nw.single = p
		n := d.count()
		if n > 0 {
			nw.open = make(map[string]*pane, n)
		}
		for range n {
			k := d.str()
			p, err := d.pane()
			if err != nil {
				return nil, err
			}
			nw.open[k] = p
		}
		return &nw, d.r.Err()
	}
	return nil, fmt.Errorf("unknown window %T", o.win)
}

// statelessKind marks the checkpoint of a rule without an operator.
const statelessKind = 0xff

// SnapshotStateless returns the state of a stateless rule: its analytic
// calls and hit counters. ctx is the rule's expression context.
func SnapshotStateless(p *plan.Plan, ctx *expr.Ctx) ([]byte, error) {
	for _, a := range p.Analytics {
		if !a.CanSaveState() {
			return nil, fmt.Errorf("%w: analytic function %s cannot save its state", ErrNotCheckpointable, a.Spec.Name)
		}
	}
	e := &encoder{b: []byte{checkpointVersion, statelessKind}}
	e.int(ctx.HitCount)
	e.int(ctx.HitTime)
	e.count(len(p.Analytics))
	for _, a := range p.Analytics {
		e.b = a.SaveState(e.b)
	}
	return e.b, nil
}

// RestoreStateless loads a SnapshotStateless checkpoint; on error nothing
// changes.
func RestoreStateless(p *plan.Plan, ctx *expr.Ctx, b []byte) error {
	d := &decoder{o: &Operator{p: p}, r: value.NewBinaryReader(b)}
	if v := d.r.Byte(); v != checkpointVersion {
		return fmt.Errorf("checkpoint version %d, want %d", v, checkpointVersion)
	}
	if k := d.r.Byte(); k != statelessKind {
		return errors.New("checkpoint of a stateful rule")
	}
	hc, ht := d.int(), d.int()
	an, err := d.analytics()
	if err == nil {
		err = d.done()
	}
	if err != nil {
		return fmt.Errorf("restore checkpoint: %w", err)
	}
	ctx.HitCount, ctx.HitTime = hc, ht
	for i, a := range p.Analytics {
		*a = an[i]
	}
	return nil
}

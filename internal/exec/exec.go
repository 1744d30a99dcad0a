// Package exec runs the stateful part of a rule: event time and
// watermarks, the window of GROUP BY, joins of streams and tables,
// grouping and aggregation, HAVING, ORDER BY, LIMIT and the projection of
// each window's result.
//
// An Operator belongs to one goroutine (the rule's). It is fed decoded
// rows with Ingest and, for processing-time windows, woken with Advance at
// the time Deadline asks for. Results leave through Options.Emit as one
// result set per window.
//
// Aggregation is incremental wherever it can be: a window keeps one set of
// accumulators (function.Aggregator) per group, not its rows. Rows are
// buffered only when the result needs them: rules without aggregates
// (they output the rows), sliding windows and stepped count windows (a row
// belongs to windows that are only known later) and joins (rows of every
// source are paired when the window closes). Buffers and group counts are
// bounded by Options.MaxRows and Options.MaxGroups; what does not fit is
// dropped and counted.
package exec

import (
	"fmt"
	"time"

	"github.com/kuiperio/kuiper/internal/expr"
	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/value"
)

// Defaults of the limits.
const (
	// DefaultMaxRows is how many rows one window instance buffers.
	DefaultMaxRows = 100_000
	// DefaultMaxGroups is how many groups (or state-window partitions)
	// one window instance keeps.
	DefaultMaxGroups = 100_000
	// maxCatchUp is how many empty windows an operator emits at most when
	// time jumps ahead; older empty windows are skipped.
	maxCatchUp = 1000
)

// Meter receives the counters of one operator stage. Implementations must
// be cheap: they are called for every row.
type Meter interface {
	// Add counts rows (or results) in and out of the stage.
	Add(in, out int)
	// Error counts a runtime error of a row or a window.
	Error(err error)
	// Drop counts rows or groups dropped by a limit.
	Drop(n int)
	// Late counts rows dropped because they came after the watermark.
	Late(n int)
}

// Meters are the stages an Operator reports to; nil ones are ignored.
type Meters struct {
	Analytic, Filter, Window, Join, Aggregate, Having, Order, Project Meter
}

type nopMeter struct{}

func (nopMeter) Add(int, int) {}
func (nopMeter) Error(error)  {}
func (nopMeter) Drop(int)     {}
func (nopMeter) Late(int)     {}

func (m *Meters) fill() {
	for _, p := range []*Meter{&m.Analytic, &m.Filter, &m.Window, &m.Join, &m.Aggregate, &m.Having, &m.Order, &m.Project} {
		if *p == nil {
			*p = nopMeter{}
		}
	}
}

// Options configure an Operator.
type Options struct {
	// EventTime takes each row's time from its stream's TIMESTAMP field;
	// otherwise rows carry their receive time (processing time).
	EventTime bool
	// LateTolerance (ms) is how far the watermark stays behind the newest
	// event time.
	LateTolerance int64
	// Start is the processing time (Unix ms) the rule starts at; the
	// first processing-time window is aligned from it.
	Start int64
	// Location is the time zone day windows align to (nil: UTC).
	Location *time.Location
	// MaxRows bounds the rows one window instance buffers (default
	// DefaultMaxRows); MaxGroups the groups it keeps (DefaultMaxGroups).
	MaxRows, MaxGroups int
	// SendNil writes nil values as null (rule option sendNilField).
	SendNil bool
	// Emit receives each non-empty result set.
	Emit func(rows []*value.Object)
	// Error, when set, receives runtime errors after they are counted
	// (rule option sendError).
	Error  func(err error)
	Meters Meters
}

// Item is one row in a window: the row, the index of its source in the
// plan, its time (Unix ms) and the values of the rule's analytic calls
// for it (nil when the rule has none or it is not buffered).
type Item struct {
	Row *value.Row
	Src int
	Ts  int64
	An  []value.Value
}

// Operator runs the stateful part of one rule instance.
type Operator struct {
	p      *plan.Plan
	opts   Options
	m      Meters
	ctx    *expr.Ctx
	win    windower
	inc    bool // aggregate incrementally (no row buffers)
	joined bool
	tables []*Table
	ts     []*tsReader
	wm     *watermark
	nSrc   int

	// per-row scratch, computed once by prepare
	prepared bool
	key      []byte
	argVals  [][]value.Value
	aggOn    []bool
	rowErr   error

	item      [1]Item // the row being ingested
	tcache    []*tableCache
	lookups   []Lookuper
	jkey      []byte
	arena     []*value.Row // join tuples
	bySrc     [][]*value.Row
	index     []map[string][]int
	saving    bool
	savedRows []*value.Row
	savedAn   []value.Value
	ja        *joinAnalytics // analytic values of join rows; nil without
}

// New builds the operator of a plan that Stateful reports true for.
func New(p *plan.Plan, opts Options) (*Operator, error) {
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxRows
	}
	if opts.MaxGroups <= 0 {
		opts.MaxGroups = DefaultMaxGroups
	}
	if opts.Emit == nil {
		opts.Emit = func([]*value.Object) {}
	}
	opts.Meters.fill()
	o := &Operator{
		p:      p,
		opts:   opts,
		m:      opts.Meters,
		nSrc:   len(p.Sources),
		joined: len(p.Joins) > 0,
		tables: make([]*Table, len(p.Sources)),
		ctx: &expr.Ctx{
			Rows:    make([]*value.Row, len(p.Sources)),
			Aliases: make([]value.Value, p.NumAliases),
			Slots:   make([]value.Value, p.NumSlots),
		},
		argVals: make([][]value.Value, len(p.Aggs)),
		aggOn:   make([]bool, len(p.Aggs)),
	}
	for i, a := range p.Aggs {
		o.argVals[i] = make([]value.Value, len(a.Args))
	}
	o.ja = newJoinAnalytics(o)
	for i, s := range p.Sources {
		if s.Table && !s.Lookup {
			o.tables[i] = NewTable(s.Def.Props.RetainSize)
		}
	}
	if opts.EventTime {
		o.ts = make([]*tsReader, len(p.Sources))
		for _, i := range p.Streams() {
			s := p.Sources[i]
			if s.Def.Props.Timestamp == "" {
				return nil, fmt.Errorf("stream %s has no TIMESTAMP field, which an event-time rule needs", s.Name)
			}
			r, err := newTSReader(s.Def.Props.Timestamp, s.Def.Props.TimestampFormat)
			if err != nil {
				return nil, fmt.Errorf("stream %s: %w", s.Name, err)
			}
			o.ts[i] = r
		}
		o.wm = newWatermark(p.Streams(), len(p.Sources), opts.LateTolerance)
	}
	if w := p.Window; w != nil {
		o.inc = p.Aggregating() && !o.joined && w.Type != ast.SlidingWindow &&
			!(w.Type == ast.CountWindow && w.Step < w.Count)
		o.win = o.newWindower(w)
	}
	return o, nil
}

// Table returns the snapshot of the table at source index src, or nil if
// that source is not a table. The rule feeds it from the table's source.
func (o *Operator) Table(src int) *Table { return o.tables[src] }

// Deadline is the processing time (Unix ms) at which Advance must be
// called next; ok is false when no timer is needed.
func (o *Operator) Deadline() (int64, bool) {
	if o.win == nil || o.opts.EventTime {
		return 0, false
	}
	return o.win.deadline()
}

// Advance moves processing time to now (Unix ms), closing the windows that
// end by then. Event-time rules ignore it: their time moves with the
// watermark.
func (o *Operator) Advance(now int64) {
	if o.win == nil || o.opts.EventTime {
		return
	}
	o.win.advance(o, now)
}

// Ingest processes one row of the stream at source index src.
func (o *Operator) Ingest(src int, row *value.Row) {
	ts := row.Ts
	if o.opts.EventTime {
		t, err := o.ts[src].read(row)
		if err != nil {
			o.fail(o.m.Window, err)
			return
		}
		if o.wm.late(t) {
			o.m.Window.Late(1)
			return
		}
		ts = t
		if t != row.Ts {
			// Rows are shared between rules: copy instead of changing it.
			row = &value.Row{Msg: row.Msg, Topic: row.Topic, Meta: row.Meta, Ts: t}
		}
	}
	o.prepared = false
	ctx := o.ctx
	if o.joined {
		clear(ctx.Rows)
		ctx.Rows[src] = row
	} else {
		ctx.Rows[0] = row
	}
	if len(o.p.Analytics) > 0 {
		if err := o.updateAnalytics(src); err != nil {
			o.fail(o.m.Analytic, err)
			return
		}
		o.m.Analytic.Add(1, 1)
	}
	if o.p.Where != nil && !o.joined {
		ok, err := cond(o.p.Where, ctx)
		if err != nil {
			o.fail(o.m.Filter, err)
			return
		}
		if !ok {
			o.m.Filter.Add(1, 0)
			o.observe(src, ts)
			return
		}
		o.m.Filter.Add(1, 1)
	}
	if !o.joined {
		ctx.HitCount++
		ctx.HitTime = row.Ts
	}
	o.item[0] = Item{Row: row, Src: src, Ts: ts}
	it := &o.item[0]
	if o.win == nil {
		// A stream joined with tables, without a window: each row is its
		// own result.
		if o.ja != nil {
			it.An = o.saveAnalytics()
		}
		o.emitItems(o.item[:], 0, 0)
		o.item[0] = Item{}
		return
	}
	w := o.p.Window
	if w.Filter != nil {
		ok, err := cond(w.Filter, ctx)
		if err != nil {
			o.fail(o.m.Window, err)
			return
		}
		if !ok {
			o.m.Window.Add(1, 0)
			o.observe(src, ts)
			return
		}
	}
	if !o.inc && len(o.p.Analytics) > 0 {
		it.An = o.saveAnalytics()
	}
	o.m.Window.Add(1, 0)
	o.win.add(o, it)
	o.item[0] = Item{}
	o.observe(src, ts)
}

// observe moves the watermark with a row's event time and closes the
// windows it passes.
func (o *Operator) observe(src int, ts int64) {
	if !o.opts.EventTime || o.win == nil {
		return
	}
	if o.wm.observe(src, ts) {
		o.win.advance(o, o.wm.value)
	}
}

func (o *Operator) saveAnalytics() []value.Value {
	return o.saveAnalyticsInto(make([]value.Value, 0, len(o.p.Analytics)))
}

func (o *Operator) saveAnalyticsInto(an []value.Value) []value.Value {
	for _, a := range o.p.Analytics {
		an = append(an, o.ctx.Slots[a.Slot])
	}
	return an
}

func (o *Operator) restoreAnalytics(an []value.Value) {
	for i, a := range o.p.Analytics {
		if i < len(an) {
			o.ctx.Slots[a.Slot] = an[i]
		}
	}
}

// fail counts a runtime error at a stage and passes it on.
func (o *Operator) fail(m Meter, err error) {
	m.Error(err)
	if o.opts.Error != nil {
		o.opts.Error(err)
	}
}

// cond evaluates a condition; nil and false are false.
func cond(e expr.Eval, ctx *expr.Ctx) (bool, error) {
	v, err := e(ctx)
	if err != nil {
		return false, err
	}
	if v.IsNil() {
		return false, nil
	}
	return value.ToBool(v)
}

// floorDiv divides rounding towards negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

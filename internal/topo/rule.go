// Package topo turns a rule's plan into running goroutines: a shared source
// subscription, one fused goroutine for the stateless operators (analytic
// functions, WHERE, SELECT) and one goroutine per sink, with eKuiper-named
// metrics on every node.
package topo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kuiperio/kuiper/internal/clock"
	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/exec"
	"github.com/kuiperio/kuiper/internal/expr"
	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/value"
)

// Options are the rule options the runtime uses.
type Options struct {
	BufferLength             int
	SendNilField             bool
	SendError                bool
	DisableBufferFullDiscard bool
	// IsEventTime takes window time from the streams' TIMESTAMP field.
	IsEventTime bool
	// LateTolerance is how far the watermark stays behind the newest
	// event time.
	LateTolerance time.Duration
	// WindowMaxRows and WindowMaxGroups bound what one window instance
	// holds (0: the exec package defaults); the excess is dropped and
	// counted.
	WindowMaxRows   int
	WindowMaxGroups int
	// Checkpoints, when set, keeps the state of a stateful rule (its
	// open windows) across restarts: it is restored when the rule
	// starts, saved every CheckpointInterval (0: not periodically) and
	// saved when the rule stops if SaveOnStop is set or the rule is
	// stopped by StopAndSave.
	Checkpoints        CheckpointStore
	CheckpointInterval time.Duration
	SaveOnStop         bool
}

// CheckpointStore keeps the last checkpoint of one rule.
type CheckpointStore interface {
	Load() (data []byte, ok bool, err error)
	Save(data []byte) error
}

// Deps are the shared services a running rule uses.
type Deps struct {
	Sources *SourceManager
	Env     *connector.Env
	Logger  *slog.Logger
	Clock   clock.Clock
	// SinkDefaults are per-type sink properties under the action's own
	// (e.g. the MQTT server kuiperd uses).
	SinkDefaults map[string]map[string]any
	// Location is the configured time zone (basic.timezone): day windows
	// close at its midnight and date and time functions work in it. nil
	// means time.Local, the machine's zone.
	Location *time.Location
}

// TimeZone returns Location, or time.Local when it is not set.
func (d Deps) TimeZone() *time.Location {
	if d.Location != nil {
		return d.Location
	}
	return time.Local
}

// Topo is one running rule.
type Topo struct {
	id     string
	plan   *plan.Plan
	opts   Options
	deps   Deps
	logger *slog.Logger

	cancel context.CancelFunc
	done   chan struct{}

	sourceMetrics []*Metrics
	ops           []*Metrics // decoder, [analytic], [filter], ..., project
	opByName      map[string]*Metrics
	sinks         []*sinkNode
	subs          []*Subscription
	op            *exec.Operator // the stateful operator; nil for stateless rules
	lookups       []*lookupConn

	expand bool // the select list has a set-returning function

	saveOnStop atomic.Bool  // stopping gracefully: drain, then save
	drainBy    atomic.Int64 // Unix ns: the end of a graceful stop's drain

	mu  sync.Mutex
	err error
}

// Start builds the rule's nodes and starts them. A failure to configure a
// source or a sink is returned before anything runs.
func Start(id string, p *plan.Plan, actions []Action, opts Options, deps Deps) (*Topo, error) {
	t := &Topo{id: id, plan: p, opts: opts, deps: deps, logger: deps.Logger.With("rule", id), done: make(chan struct{}), expand: expr.HasExpand(p.Fields)}
	now := deps.Clock.Now
	for i, a := range actions {
		a.Props = WithDefaults(deps.SinkDefaults, a)
		n, err := newSinkNode(deps.Env, a, i, id, deps.Logger, now)
		if err != nil {
			return nil, err
		}
		t.sinks = append(t.sinks, n)
	}
	t.opByName = map[string]*Metrics{}
	for i, name := range opNodes(p) {
		m := &Metrics{Prefix: "op_" + strconv.Itoa(i+2) + "_" + name + "_0"}
		if name == "window" && opts.IsEventTime {
			m.HasLate = true
		}
		t.ops = append(t.ops, m)
		t.opByName[name] = m
	}

	for _, s := range p.Sources {
		m := &Metrics{Prefix: "source_" + s.Name + "_0"}
		t.sourceMetrics = append(t.sourceMetrics, m)
		if s.Lookup {
			t.subs = append(t.subs, nil) // opened with the operator
			continue
		}
		sub, err := deps.Sources.Subscribe(s.Def, SubscribeOptions{
			Fields:       s.Fields,
			BufferLength: opts.BufferLength,
			Block:        opts.DisableBufferFullDiscard,
			Metrics:      m,
		})
		if err != nil {
			t.closeSubs()
			return nil, err
		}
		t.subs = append(t.subs, sub)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	if p.Stateful() {
		op, err := t.newOperator(ctx)
		if err != nil {
			cancel()
			t.closeSubs()
			return nil, err
		}
		t.op = op
		if err := t.openLookups(ctx); err != nil {
			cancel()
			t.closeSubs()
			return nil, err
		}
	}
	var wg sync.WaitGroup
	for _, n := range t.sinks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.run(ctx, id)
		}()
	}
	go func() {
		defer close(t.done)
		if t.op != nil {
			t.statefulPipeline(ctx)
		} else {
			t.pipeline(ctx)
		}
		for _, n := range t.sinks {
			close(n.in)
		}
		wg.Wait()
		t.closeSubs()
	}()
	return t, nil
}

func (t *Topo) closeSubs() {
	for _, s := range t.subs {
		if s != nil {
			s.Close()
		}
	}
	t.subs = nil
	t.closeLookups()
}

// Stop stops the rule and waits for its goroutines to finish.
func (t *Topo) Stop() {
	t.cancel()
	<-t.done
}

// StopAndSave stops the rule gracefully (server shutdown): the rows
// already queued for it are processed and their results handed to the
// sinks (for at most drainTimeout), then its state is saved to its
// checkpoint store.
func (t *Topo) StopAndSave() {
	t.drainBy.Store(time.Now().Add(drainTimeout).UnixNano())
	t.saveOnStop.Store(true)
	t.Stop()
}

// Done is closed when the rule has stopped, by Stop or by a fatal error.
func (t *Topo) Done() <-chan struct{} { return t.done }

// Err returns the fatal error that stopped the rule, if any.
func (t *Topo) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

func (t *Topo) setErr(err error) {
	t.mu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.mu.Unlock()
}

// pipeline runs the fused stateless operators over the source's rows.
func (t *Topo) pipeline(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("rule panicked: %v", r)
			t.logger.Error("rule panicked", "panic", r)
			t.setErr(err)
		}
	}()
	p := t.plan
	ectx := &expr.Ctx{
		Rows:    make([]*value.Row, 1),
		Aliases: make([]value.Value, p.NumAliases),
		Slots:   make([]value.Value, p.NumSlots),
	}
	var (
		cp  CheckpointStore
		st  ruleState
		cpC <-chan time.Time
	)
	if len(p.Analytics) > 0 {
		// The analytic functions' state (lag and the rest) survives a
		// restart like a window's.
		st = ruleState{
			check:    func() error { _, err := exec.SnapshotStateless(p, ectx); return err },
			snapshot: func() ([]byte, error) { return exec.SnapshotStateless(p, ectx) },
			restore:  func(b []byte, _ int64) error { return exec.RestoreStateless(p, ectx, b) },
		}
		cp = t.restore(st)
		var stop func()
		cpC, stop = t.checkpointTicker(cp)
		defer stop()
	}
	in := t.subs[0].C
	for {
		select {
		case <-ctx.Done():
			if t.detach() {
				t.drain(in, func(row *value.Row) { t.process(ctx, ectx, row) })
			}
			if cp != nil && t.saveOnExit() {
				t.checkpoint(cp, st)
			}
			return
		case row := <-in:
			t.process(ctx, ectx, row)
		case <-cpC:
			t.checkpoint(cp, st)
		}
	}
}

func (t *Topo) process(ctx context.Context, ectx *expr.Ctx, row *value.Row) {
	p := t.plan
	now := t.deps.Clock.Now()
	ms := now.UnixMilli()
	ops := t.ops
	i := 0
	dec := ops[i]
	dec.RecordsIn.Add(1)
	dec.RecordsOut.Add(1)
	dec.Processed.Add(1)
	dec.LastInvoke.Store(ms)
	i++
	ectx.Rows[0] = row
	if len(p.Analytics) > 0 {
		m := ops[i]
		i++
		m.RecordsIn.Add(1)
		m.LastInvoke.Store(ms)
		for _, a := range p.Analytics {
			if err := a.Update(ectx); err != nil {
				t.rowError(ctx, m, err, now)
				return
			}
		}
		m.RecordsOut.Add(1)
		m.Processed.Add(1)
	}
	if p.Where != nil {
		m := ops[i]
		i++
		m.RecordsIn.Add(1)
		m.LastInvoke.Store(ms)
		v, err := p.Where(ectx)
		if err == nil {
			var ok bool
			ok, err = value.ToBool(v)
			if err == nil && !ok {
				m.Processed.Add(1)
				return
			}
		}
		if err != nil {
			t.rowError(ctx, m, err, now)
			return
		}
		m.RecordsOut.Add(1)
		m.Processed.Add(1)
	}
	ectx.HitCount++
	ectx.HitTime = ms
	m := ops[i]
	m.RecordsIn.Add(1)
	m.LastInvoke.Store(ms)
	var rows []*value.Object
	if t.expand {
		var err error
		if rows, err = expr.ProjectRows(p.Fields, ectx, t.opts.SendNilField); err != nil {
			t.rowError(ctx, m, err, now)
			return
		}
	} else {
		out, err := expr.Project(p.Fields, ectx, t.opts.SendNilField)
		if err != nil {
			t.rowError(ctx, m, err, now)
			return
		}
		rows = []*value.Object{out}
	}
	if p.Limit >= 0 && len(rows) > p.Limit {
		rows = rows[:p.Limit]
	}
	m.RecordsOut.Add(1)
	m.Processed.Add(1)
	m.LatencyUs.Store(t.deps.Clock.Now().Sub(now).Microseconds())
	if len(rows) > 0 {
		t.send(ctx, rows)
	}
}

func (t *Topo) send(ctx context.Context, rows []*value.Object) {
	for _, n := range t.sinks {
		select {
		case n.in <- rows:
		case <-ctx.Done():
			if !t.flush(n, rows) {
				return
			}
		}
	}
}

// drainTimeout bounds how long a graceful stop spends on the rows queued
// for the rule and on handing its last results to the sinks.
const drainTimeout = 2 * time.Second

// flush hands rows to a sink while the rule stops gracefully (StopAndSave):
// results already computed still go out. It reports false when the rule
// is not stopping gracefully or the drain deadline has passed.
func (t *Topo) flush(n *sinkNode, rows []*value.Object) bool {
	if !t.saveOnStop.Load() {
		return false
	}
	left := time.Until(time.Unix(0, t.drainBy.Load()))
	if left <= 0 {
		return false
	}
	tm := time.NewTimer(left)
	defer tm.Stop()
	select {
	case n.in <- rows:
		return true
	case <-tm.C:
		t.logger.Warn("a sink did not take the rule's last results before shutdown", "sink", n.typ)
		return false
	}
}

// detach stops the rule's sources from handing it more rows when it
// stops gracefully, so that what is queued is all it has left to
// process. It reports whether the rule stops gracefully.
func (t *Topo) detach() bool {
	if !t.saveOnStop.Load() {
		return false
	}
	for _, s := range t.subs {
		if s != nil {
			s.Close()
		}
	}
	return true
}

// drain feeds fn the rows queued on c, after detach, until c is empty or
// the drain deadline passes.
func (t *Topo) drain(c <-chan *value.Row, fn func(*value.Row)) {
	if c == nil {
		return
	}
	deadline := time.Unix(0, t.drainBy.Load())
	for time.Now().Before(deadline) {
		select {
		case r := <-c:
			fn(r)
		default:
			return
		}
	}
}

// rowError counts a runtime error of one row; with sendError the error is
// sent to the sinks as {"error": "..."}.
func (t *Topo) rowError(ctx context.Context, m *Metrics, err error, now time.Time) {
	m.Exception(err, now)
	m.Processed.Add(1)
	if t.opts.SendError {
		o := value.NewObject(1)
		o.Append("error", value.StringValue(err.Error()))
		t.send(ctx, []*value.Object{o})
	}
}

// AppendStatus writes the rule's node metrics, in topology order, into an
// ordered status object.
func (t *Topo) AppendStatus(w *StatusWriter) {
	for _, m := range t.sourceMetrics {
		m.appendStatus(w)
	}
	for _, m := range t.ops {
		m.appendStatus(w)
	}
	for _, n := range t.sinks {
		n.transform.appendStatus(w)
		n.encode.appendStatus(w)
		n.metrics.appendStatus(w)
	}
}

// TopoJSON returns the {"sources": [...], "edges": {...}} graph of the rule.
func (t *Topo) TopoJSON() json.RawMessage {
	return Graph(t.plan, t.sinkNames())
}

func (t *Topo) sinkNames() []string {
	names := make([]string, len(t.sinks))
	for i, n := range t.sinks {
		names[i] = "sink_" + n.typ + "_" + strconv.Itoa(n.index)
	}
	return names
}

// opNodes names the operator nodes of a rule in topology order, as
// eKuiper names them: decoder, analytic, filter, window, join, aggregate
// (GROUP BY keys), having, order, project. A join's WHERE runs after the
// join (its filter node follows the join).
func opNodes(p *plan.Plan) []string {
	ops := []string{"decoder"}
	if len(p.Analytics) > 0 {
		ops = append(ops, "analytic")
	}
	joined := len(p.Joins) > 0
	if p.Where != nil && !joined {
		ops = append(ops, "filter")
	}
	if p.Window != nil {
		ops = append(ops, "window")
	}
	if joined {
		ops = append(ops, "join")
		if p.Where != nil {
			ops = append(ops, "filter")
		}
	}
	if len(p.Dims) > 0 {
		ops = append(ops, "aggregate")
	}
	if p.Having != nil {
		ops = append(ops, "having")
	}
	if len(p.Sort) > 0 && p.Stateful() {
		ops = append(ops, "order")
	}
	return append(ops, "project")
}

// Graph renders a rule's topology as eKuiper's /rules/{id}/topo answer.
func Graph(p *plan.Plan, sinks []string) json.RawMessage {
	var sources []string
	for _, s := range p.Sources {
		sources = append(sources, "source_"+s.Name)
	}
	var ops []string
	for i, name := range opNodes(p) {
		ops = append(ops, "op_"+strconv.Itoa(i+2)+"_"+name)
	}
	edges := map[string][]string{}
	for _, s := range sources {
		edges[s] = []string{ops[0]}
	}
	for i := 0; i+1 < len(ops); i++ {
		edges[ops[i]] = []string{ops[i+1]}
	}
	edges[ops[len(ops)-1]] = sinks
	b, _ := json.Marshal(struct {
		Sources []string            `json:"sources"`
		Edges   map[string][]string `json:"edges"`
	}{sources, edges})
	return b
}

// ErrStopped is the error of a rule stopped by hand.
var ErrStopped = errors.New("canceled manually")

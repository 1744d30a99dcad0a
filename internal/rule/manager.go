package rule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/kuiperio/kuiper/internal/catalog"
	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/topo"
	"github.com/kuiperio/kuiper/sdk/api"
)

// KV is the persistence the manager needs; *store.Table implements it.
type KV interface {
	Get(key string) ([]byte, bool, error)
	Put(key string, val []byte) error
	PutIfAbsent(key string, val []byte) (bool, error)
	Delete(key string) (bool, error)
	ForEach(fn func(key string, val []byte) error) error
}

// Rule states as the REST API reports them.
const (
	StateRunning       = "running"
	StateStopped       = "stopped"
	StateStoppedByErr  = "stopped by error"
	StateStarting      = "starting"
	messageCanceled    = "canceled manually"
	defaultStopTimeout = 10 * time.Second
)

// Manager owns every rule.
type Manager struct {
	kv       KV
	ckpt     KV // checkpoints of stateful rules; nil: none
	cat      *catalog.Catalog
	funcs    *function.Registry
	deps     topo.Deps
	defaults Options
	logger   *slog.Logger

	mu    sync.Mutex
	rules map[string]*entry
}

type entry struct {
	// op serializes the lifecycle operations of the rule (create, start,
	// stop, restart, update, delete, restore and retries), so a start
	// cannot slip into a stop that is waiting for the old topology to end.
	// Lock order: op, then mu.
	op        sync.Mutex
	deleted   bool // under op: the rule was deleted while a caller waited
	mu        sync.Mutex
	def       *Def
	raw       json.RawMessage
	streams   []string
	state     string
	message   string
	topo      *topo.Topo
	last      *topo.Topo // the stopped topology, for its final metrics
	lastStart int64
	lastStop  int64
	stopping  bool
	gen       int // bumps on every start/stop so stale supervisors give up
}

// Config holds what NewManager needs.
type Config struct {
	KV KV
	// Checkpoints, when set, keeps the state of stateful rules across
	// restarts.
	Checkpoints KV
	Catalog     *catalog.Catalog
	Funcs       *function.Registry
	Deps        topo.Deps
	Defaults    Options
}

// NewManager loads the stored rules without starting them; call Restore.
func NewManager(cfg Config) (*Manager, error) {
	m := &Manager{kv: cfg.KV, ckpt: cfg.Checkpoints, cat: cfg.Catalog, funcs: cfg.Funcs, deps: cfg.Deps, defaults: cfg.Defaults, logger: cfg.Deps.Logger, rules: map[string]*entry{}}
	err := cfg.KV.ForEach(func(key string, val []byte) error {
		d, err := ParseDef(val, "", m.defaults)
		if err != nil {
			m.logger.Error("stored rule is invalid; skipped", "rule", key, "error", err)
			return nil
		}
		e := &entry{def: d, raw: append(json.RawMessage(nil), val...), state: StateStopped}
		if stmt, err := plan.Parse(d.SQL); err == nil {
			e.streams = plan.StreamNames(stmt)
		}
		m.rules[d.ID] = e
		return nil
	})
	if err != nil {
		return nil, err
	}
	cfg.Catalog.InUse = m.rulesUsing
	return m, nil
}

// Restore starts every rule whose stored state is triggered.
func (m *Manager) Restore() {
	m.mu.Lock()
	ids := make([]string, 0, len(m.rules))
	for id := range m.rules {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	sort.Strings(ids)
	for _, id := range ids {
		e := m.lockOp(id)
		if e == nil {
			continue
		}
		if e.def.Triggered {
			if err := m.startEntry(e); err != nil {
				m.logger.Error("restore rule", "rule", id, "error", err)
			}
		}
		e.op.Unlock()
	}
}

// rulesUsing names the rules that read a stream or table.
func (m *Manager) rulesUsing(_ ast.StreamKind, name string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for id, e := range m.rules {
		for _, s := range e.streams {
			if s == name {
				ids = append(ids, id)
				break
			}
		}
	}
	sort.Strings(ids)
	return ids
}

func (m *Manager) get(id string) *entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rules[id]
}

// lockOp returns the rule's entry with its op lock held, or nil when the
// rule does not exist (or was deleted while waiting for the lock).
func (m *Manager) lockOp(id string) *entry {
	e := m.get(id)
	if e == nil {
		return nil
	}
	e.op.Lock()
	if e.deleted {
		e.op.Unlock()
		return nil
	}
	return e
}

func notFound(id string) error {
	return errs.With(errs.NotFound, fmt.Errorf("rule %s not found", id))
}

// check parses and plans a definition without running it.
func (m *Manager) check(d *Def) ([]string, error) {
	stmt, err := plan.Parse(d.SQL)
	if err != nil {
		return nil, err
	}
	p, err := plan.Build(d.SQL, stmt, m.cat, m.funcs, m.planOptions(d.ID))
	if err != nil {
		return nil, err
	}
	if err := topo.CheckPlan(p, topoOptions(d.Options)); err != nil {
		return nil, errs.With(errs.Plan, err)
	}
	if err := topo.CheckActions(m.deps.Env, m.deps.SinkDefaults, d.actions()); err != nil {
		return nil, errs.With(errs.Rule, err)
	}
	names := make([]string, len(p.Sources))
	for i, s := range p.Sources {
		names[i] = s.Name
	}
	return names, nil
}

// Validate implements server.RuleService.
func (m *Manager) Validate(raw json.RawMessage) ([]string, error) {
	d, err := ParseDef(raw, "", m.defaults)
	if err != nil {
		return nil, err
	}
	return m.check(d)
}

// Create implements server.RuleService.
func (m *Manager) Create(raw json.RawMessage) (string, error) {
	d, err := ParseDef(raw, "", m.defaults)
	if err != nil {
		return "", err
	}
	streams, err := m.check(d)
	if err != nil {
		// eKuiper answers every rule it cannot plan (bad SQL, unknown
		// stream, bad action) with code 1000, whatever the cause.
		return "", errs.With(errs.Undefined, err)
	}
	if err := m.add(d, raw, streams); err != nil {
		return "", err
	}
	return d.ID, nil
}

// errExists is the error of adding a rule whose id is taken.
var errExists = errors.New("already exists")

// add stores and registers a checked rule, and starts it when triggered.
func (m *Manager) add(d *Def, raw json.RawMessage, streams []string) error {
	exists := errs.With(errs.Rule, fmt.Errorf("rule %s %w", d.ID, errExists))
	m.mu.Lock()
	if _, ok := m.rules[d.ID]; ok {
		m.mu.Unlock()
		return exists
	}
	ok, err := m.kv.PutIfAbsent(d.ID, raw)
	if err != nil {
		m.mu.Unlock()
		return errs.With(errs.IO, err)
	}
	if !ok {
		m.mu.Unlock()
		return exists
	}
	e := &entry{def: d, raw: append(json.RawMessage(nil), raw...), streams: streams, state: StateStopped}
	e.op.Lock()
	defer e.op.Unlock()
	m.rules[d.ID] = e
	m.mu.Unlock()
	if d.Triggered {
		if err := m.startEntry(e); err != nil {
			m.logger.Warn("start rule", "rule", d.ID, "error", err)
		}
	}
	return nil
}

// Update implements server.RuleService: it replaces a rule, or creates it
// when it does not exist. An invalid definition leaves the old rule
// running.
func (m *Manager) Update(id string, raw json.RawMessage) error {
	d, err := ParseDef(raw, id, m.defaults)
	if err != nil {
		return err
	}
	streams, err := m.check(d)
	if err != nil {
		return err
	}
	raw, err = setJSONField(raw, "id", id)
	if err != nil {
		return errs.With(errs.Undefined, err)
	}
	e := m.lockOp(id)
	for e == nil {
		// PUT creates a rule that does not exist, as eKuiper's upsert
		// does; if one was created meanwhile, update that one.
		if err := m.add(d, raw, streams); !errors.Is(err, errExists) {
			return err
		}
		e = m.lockOp(id)
	}
	defer e.op.Unlock()
	m.stopEntry(e, messageCanceled)
	m.dropCheckpoint(id)
	if err := m.kv.Put(id, raw); err != nil {
		return errs.With(errs.IO, err)
	}
	e.mu.Lock()
	e.def = d
	e.raw = append(json.RawMessage(nil), raw...)
	e.mu.Unlock()
	m.mu.Lock()
	e.streams = streams
	m.mu.Unlock()
	if d.Triggered {
		return m.startEntry(e)
	}
	return nil
}

// Delete implements server.RuleService.
func (m *Manager) Delete(id string) error {
	e := m.lockOp(id)
	if e == nil {
		return notFound(id)
	}
	defer e.op.Unlock()
	m.stopEntry(e, messageCanceled)
	if _, err := m.kv.Delete(id); err != nil {
		return errs.With(errs.IO, err)
	}
	m.dropCheckpoint(id)
	e.deleted = true
	m.mu.Lock()
	if m.rules[id] == e {
		delete(m.rules, id)
	}
	m.mu.Unlock()
	return nil
}

// Start implements server.RuleService.
func (m *Manager) Start(id string) error {
	e := m.lockOp(id)
	if e == nil {
		return notFound(id)
	}
	defer e.op.Unlock()
	if err := m.setTriggered(e, true); err != nil {
		return err
	}
	e.mu.Lock()
	running := e.topo != nil
	e.mu.Unlock()
	if running {
		return nil
	}
	return m.startEntry(e)
}

// Stop implements server.RuleService.
func (m *Manager) Stop(id string) error {
	e := m.lockOp(id)
	if e == nil {
		return notFound(id)
	}
	defer e.op.Unlock()
	if err := m.setTriggered(e, false); err != nil {
		return err
	}
	m.stopEntry(e, messageCanceled)
	return nil
}

// Restart implements server.RuleService.
func (m *Manager) Restart(id string) error {
	e := m.lockOp(id)
	if e == nil {
		return notFound(id)
	}
	defer e.op.Unlock()
	if err := m.setTriggered(e, true); err != nil {
		return err
	}
	m.stopEntry(e, messageCanceled)
	return m.startEntry(e)
}

// StopAll stops every rule without changing their stored state, for
// shutdown.
func (m *Manager) StopAll() {
	m.mu.Lock()
	entries := make([]*entry, 0, len(m.rules))
	for _, e := range m.rules {
		entries = append(entries, e)
	}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, e := range entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.op.Lock()
			defer e.op.Unlock()
			m.stopTopo(e, "server shutdown", true)
		}()
	}
	wg.Wait()
}

func (m *Manager) setTriggered(e *entry, on bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.def.Triggered == on {
		return nil
	}
	raw, err := setJSONField(e.raw, "triggered", on)
	if err != nil {
		return errs.With(errs.Undefined, err)
	}
	if err := m.kv.Put(e.def.ID, raw); err != nil {
		return errs.With(errs.IO, err)
	}
	e.raw = raw
	e.def.Triggered = on
	return nil
}

func setJSONField(raw json.RawMessage, key string, v any) (json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	obj[key] = b
	return json.Marshal(obj)
}

// startEntry builds and starts the rule's topology, and supervises it.
func (m *Manager) startEntry(e *entry) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.topo != nil {
		return nil
	}
	e.gen++
	t, err := m.build(e.def)
	now := m.deps.Clock.Now().UnixMilli()
	e.lastStart = now
	if err != nil {
		e.state = StateStoppedByErr
		e.message = err.Error()
		e.lastStop = now
		gen := e.gen
		go m.retry(e, gen, err, 0)
		return err
	}
	e.topo = t
	e.state = StateRunning
	e.message = ""
	go m.supervise(e, t, e.gen)
	return nil
}

func (m *Manager) build(d *Def) (*topo.Topo, error) {
	stmt, err := plan.Parse(d.SQL)
	if err != nil {
		return nil, err
	}
	p, err := plan.Build(d.SQL, stmt, m.cat, m.funcs, m.planOptions(d.ID))
	if err != nil {
		return nil, err
	}
	opts := topoOptions(d.Options)
	if cp := m.checkpointStore(d); cp != nil {
		opts.Checkpoints = cp
		if d.Options.Qos > 0 {
			opts.CheckpointInterval = time.Duration(d.Options.CheckpointInterval)
			opts.SaveOnStop = true
		}
	}
	return topo.Start(d.ID, p, d.actions(), opts, m.deps)
}

func topoOptions(o Options) topo.Options {
	return topo.Options{
		BufferLength:             o.BufferLength,
		SendNilField:             o.SendNilField,
		SendError:                o.SendError,
		DisableBufferFullDiscard: o.DisableBufferFullDiscard,
		IsEventTime:              o.IsEventTime,
		LateTolerance:            time.Duration(o.LateTolerance),
		WindowMaxRows:            o.WindowMaxRows,
		WindowMaxGroups:          o.WindowMaxGroups,
	}
}

// supervise waits for a topology to end by itself (a fatal error) and
// applies the restart strategy.
func (m *Manager) supervise(e *entry, t *topo.Topo, gen int) {
	<-t.Done()
	e.mu.Lock()
	if e.gen != gen || e.stopping {
		e.mu.Unlock()
		return
	}
	err := t.Err()
	if err == nil {
		err = errors.New("rule stopped unexpectedly")
	}
	e.topo = nil
	e.state = StateStoppedByErr
	e.message = err.Error()
	e.lastStop = m.deps.Clock.Now().UnixMilli()
	e.mu.Unlock()
	m.logger.Error("rule stopped by error", "rule", e.def.ID, "error", err)
	m.retry(e, gen, err, 0)
}

// retry restarts a failed rule with back-off, up to the strategy's attempts.
func (m *Manager) retry(e *entry, gen int, cause error, attempt int) {
	e.mu.Lock()
	rs := e.def.Options.RestartStrategy
	e.mu.Unlock()
	if attempt >= rs.Attempts {
		return
	}
	delay := time.Duration(rs.Delay)
	for i := 0; i < attempt; i++ {
		delay = time.Duration(float64(delay) * max(rs.Multiplier, 1))
	}
	if rs.MaxDelay > 0 && delay > time.Duration(rs.MaxDelay) {
		delay = time.Duration(rs.MaxDelay)
	}
	if rs.JitterFactor > 0 {
		delay += time.Duration(float64(delay) * rs.JitterFactor * rand.Float64())
	}
	timer := m.deps.Clock.NewTimer(delay)
	<-timer.C()
	e.op.Lock()
	e.mu.Lock()
	if e.deleted || e.gen != gen || e.topo != nil || e.stopping {
		e.mu.Unlock()
		e.op.Unlock()
		return
	}
	e.mu.Unlock()
	m.logger.Info("restarting rule", "rule", e.def.ID, "attempt", attempt+1, "cause", cause)
	err := m.startEntry(e)
	g := 0
	if err != nil {
		// startEntry schedules the next retry itself only from attempt 0;
		// continue the count here.
		e.mu.Lock()
		e.gen++
		g = e.gen
		e.mu.Unlock()
	}
	e.op.Unlock()
	if err != nil {
		m.retry(e, g, err, attempt+1)
	}
}

func (m *Manager) stopEntry(e *entry, message string) { m.stopTopo(e, message, false) }

// stopTopo stops the rule's topology; with save, a stateful rule saves
// its checkpoint first.
func (m *Manager) stopTopo(e *entry, message string, save bool) {
	e.mu.Lock()
	e.gen++
	t := e.topo
	e.topo = nil
	e.stopping = true
	e.mu.Unlock()
	switch {
	case t != nil && save:
		t.StopAndSave()
	case t != nil:
		t.Stop()
	}
	e.mu.Lock()
	e.stopping = false
	if t != nil || e.state != StateStopped {
		e.state = StateStopped
		e.message = message
		e.lastStop = m.deps.Clock.Now().UnixMilli()
		e.last = t
	}
	e.mu.Unlock()
}

// List implements server.RuleService.
func (m *Manager) List() ([]RuleSummary, error) {
	m.mu.Lock()
	entries := make([]*entry, 0, len(m.rules))
	for _, e := range m.rules {
		entries = append(entries, e)
	}
	m.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool { return entries[i].def.ID < entries[j].def.ID })
	out := make([]RuleSummary, 0, len(entries))
	for _, e := range entries {
		e.mu.Lock()
		out = append(out, RuleSummary{ID: e.def.ID, Name: e.def.Name, Status: e.state, Tags: e.def.Tags, Version: e.def.Version})
		e.mu.Unlock()
	}
	return out, nil
}

// RuleSummary is one entry of the rule list.
type RuleSummary struct {
	ID      string
	Name    string
	Status  string
	Tags    []string
	Version string
}

// Get implements server.RuleService.
func (m *Manager) Get(id string) (json.RawMessage, error) {
	e := m.get(id)
	if e == nil {
		return nil, notFound(id)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return append(json.RawMessage(nil), e.raw...), nil
}

// Status implements server.RuleService.
func (m *Manager) Status(id string) (json.RawMessage, error) {
	e := m.get(id)
	if e == nil {
		return nil, notFound(id)
	}
	return m.status(e), nil
}

func (m *Manager) status(e *entry) json.RawMessage {
	e.mu.Lock()
	state, msg, ls, lp := e.state, e.message, e.lastStart, e.lastStop
	t := e.topo
	if t == nil {
		t = e.last
	}
	e.mu.Unlock()
	w := &topo.StatusWriter{}
	w.Str("status", state)
	w.Str("message", msg)
	w.Int("lastStartTimestamp", ls)
	w.Int("lastStopTimestamp", lp)
	w.Int("nextStartTimestamp", 0)
	if t != nil {
		t.AppendStatus(w)
	}
	return w.Bytes()
}

// StatusAll implements server.RuleService.
func (m *Manager) StatusAll() (map[string]json.RawMessage, error) {
	m.mu.Lock()
	entries := make(map[string]*entry, len(m.rules))
	for id, e := range m.rules {
		entries[id] = e
	}
	m.mu.Unlock()
	out := make(map[string]json.RawMessage, len(entries))
	for id, e := range entries {
		out[id] = m.status(e)
	}
	return out, nil
}

// Topo implements server.RuleService.
func (m *Manager) Topo(id string) (json.RawMessage, error) {
	e := m.get(id)
	if e == nil {
		return nil, notFound(id)
	}
	e.mu.Lock()
	t, d := e.topo, e.def
	e.mu.Unlock()
	if t != nil {
		return t.TopoJSON(), nil
	}
	p, err := m.plan(d)
	if err != nil {
		return nil, err
	}
	var sinks []string
	for i, a := range d.actions() {
		sinks = append(sinks, fmt.Sprintf("sink_%s_%d", a.Type, i))
	}
	return topo.Graph(p, sinks), nil
}

// planOptions are the plan options of rule id: the server's clock and
// time zone.
func (m *Manager) planOptions(id string) plan.Options {
	return plan.Options{RuleID: id, Now: m.deps.Clock.Now, Location: m.deps.TimeZone()}
}

func (m *Manager) plan(d *Def) (*plan.Plan, error) {
	stmt, err := plan.Parse(d.SQL)
	if err != nil {
		return nil, err
	}
	return plan.Build(d.SQL, stmt, m.cat, m.funcs, m.planOptions(d.ID))
}

// Explain implements server.RuleService.
func (m *Manager) Explain(id string) (string, error) {
	e := m.get(id)
	if e == nil {
		return "", notFound(id)
	}
	e.mu.Lock()
	d := e.def
	e.mu.Unlock()
	p, err := m.plan(d)
	if err != nil {
		return "", err
	}
	return plan.Explain(p), nil
}

// Query implements server.RuleService: it runs sql as a temporary rule
// whose results go to emit, until ctx is done.
func (m *Manager) Query(ctx context.Context, sql string, emit func(row []byte) error) error {
	stmt, err := plan.Parse(sql)
	if err != nil {
		return err
	}
	id := fmt.Sprintf("$query_%d", time.Now().UnixNano())
	p, err := plan.Build(sql, stmt, m.cat, m.funcs, m.planOptions(id))
	if err != nil {
		return err
	}
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sink := &emitSink{emit: emit, cancel: cancel}
	opts := topoOptions(m.defaults)
	t, err := topo.Start(id, p, []topo.Action{{Type: "query", Props: map[string]any{"sendSingle": true}, Sink: sink}}, opts, m.deps)
	if err != nil {
		return err
	}
	<-qctx.Done()
	t.Stop()
	return sink.err
}

// emitSink hands query results to a callback.
type emitSink struct {
	emit   func([]byte) error
	cancel context.CancelFunc
	err    error
}

func (s *emitSink) Configure(map[string]any) error       { return nil }
func (s *emitSink) Open(api.StreamContext) error         { return nil }
func (s *emitSink) Close(api.StreamContext) error        { return nil }
func (s *emitSink) Collect(api.StreamContext, any) error { return nil }
func (s *emitSink) CollectBytes(_ api.StreamContext, b []byte, _ map[string]string) error {
	if s.err != nil {
		return s.err
	}
	if err := s.emit(b); err != nil {
		s.err = err
		s.cancel()
		return err
	}
	return nil
}

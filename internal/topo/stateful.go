package topo

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kuiperio/kuiper/internal/clock"
	"github.com/kuiperio/kuiper/internal/exec"
	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/value"
)

// meter adapts a node's Metrics to exec.Meter.
type meter struct {
	m   *Metrics
	now func() time.Time
}

func (x meter) Add(in, out int) {
	m := x.m
	if in > 0 {
		m.RecordsIn.Add(int64(in))
		m.Processed.Add(int64(in))
	}
	if out > 0 {
		m.RecordsOut.Add(int64(out))
	}
	m.LastInvoke.Store(x.now().UnixMilli())
}

func (x meter) Error(err error) {
	x.m.RecordsIn.Add(1)
	x.m.Processed.Add(1)
	x.m.Exception(err, x.now())
}

func (x meter) Drop(n int) { x.m.Dropped.Add(int64(n)) }
func (x meter) Late(n int) { x.m.Late.Add(int64(n)) }

// newOperator builds the window/join operator of a stateful rule, wired to
// the rule's metrics and sinks.
func (t *Topo) newOperator(ctx context.Context) (*exec.Operator, error) {
	now := t.deps.Clock.Now
	mt := func(name string) exec.Meter {
		if m := t.opByName[name]; m != nil {
			return meter{m: m, now: now}
		}
		return nil
	}
	// Rows that fail WHERE before a window are counted by the filter
	// node; after a join, by the join's filter node (the same name).
	ms := exec.Meters{
		Analytic:  mt("analytic"),
		Filter:    mt("filter"),
		Window:    mt("window"),
		Join:      mt("join"),
		Aggregate: mt("aggregate"),
		Having:    mt("having"),
		Order:     mt("order"),
		Project:   mt("project"),
	}
	opts := exec.Options{
		EventTime:     t.opts.IsEventTime,
		LateTolerance: t.opts.LateTolerance.Milliseconds(),
		Start:         now().UnixMilli(),
		Location:      t.deps.TimeZone(),
		MaxRows:       t.opts.WindowMaxRows,
		MaxGroups:     t.opts.WindowMaxGroups,
		SendNil:       t.opts.SendNilField,
		Meters:        ms,
		Emit: func(rows []*value.Object) {
			t.send(ctx, rows)
		},
	}
	if t.opts.SendError {
		opts.Error = func(err error) {
			o := value.NewObject(1)
			o.Append("error", value.StringValue(err.Error()))
			t.send(ctx, []*value.Object{o})
		}
	}
	op, err := exec.New(t.plan, opts)
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", t.id, err)
	}
	return op, nil
}

// tagged is a row of one of the rule's sources.
type tagged struct {
	src int
	row *value.Row
}

// statefulPipeline runs the rule's operator: rows of its streams, table
// updates, and processing-time timers, all on this goroutine except the
// table snapshots, which their own goroutines fill.
func (t *Topo) statefulPipeline(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("rule panicked: %v", r)
			t.logger.Error("rule panicked", "panic", r)
			t.setErr(err)
		}
	}()
	op := t.op
	p := t.plan
	first := -1
	var (
		merged chan tagged
		fwd    sync.WaitGroup // the goroutines forwarding to merged
		held   []tagged       // rows they held when the rule stopped
		heldMu sync.Mutex
	)
	for i, s := range p.Sources {
		sub := t.subs[i]
		switch {
		case s.Lookup:
			// Looked up on demand; nothing to feed.
		case s.Table:
			tbl := op.Table(i)
			go func() {
				for {
					select {
					case <-ctx.Done():
						return
					case row := <-sub.C:
						tbl.Add(row)
					}
				}
			}()
		case first < 0:
			first = i
		default:
			if merged == nil {
				merged = make(chan tagged, max(t.opts.BufferLength, 1))
			}
			fwd.Add(1)
			go func() {
				defer fwd.Done()
				for {
					select {
					case <-ctx.Done():
						return
					case row := <-sub.C:
						tr := tagged{src: i, row: row}
						select {
						case merged <- tr:
						case <-ctx.Done():
							// Keep it for a graceful stop's drain.
							heldMu.Lock()
							held = append(held, tr)
							heldMu.Unlock()
							return
						}
					}
				}
			}()
		}
	}
	in := t.subs[first].C
	dec := t.ops[0]
	var (
		timer  clock.Timer
		timerC <-chan time.Time
		armed  int64
		active bool
	)
	rearm := func() {
		dl, ok := op.Deadline()
		if !ok {
			if active {
				timer.Stop()
				active = false
			}
			return
		}
		if active && dl == armed {
			return
		}
		d := time.Duration(dl-t.deps.Clock.Now().UnixMilli()) * time.Millisecond
		d = max(d, 0)
		if timer == nil {
			timer = t.deps.Clock.NewTimer(d)
			timerC = timer.C()
		} else {
			timer.Stop()
			timer.Reset(d)
		}
		armed, active = dl, true
	}
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	ingest := func(src int, row *value.Row) {
		ms := t.deps.Clock.Now().UnixMilli()
		dec.RecordsIn.Add(1)
		dec.RecordsOut.Add(1)
		dec.Processed.Add(1)
		dec.LastInvoke.Store(ms)
		op.Ingest(src, row)
	}
	st := t.operatorState()
	cp := t.restore(st)
	cpC, stopTicker := t.checkpointTicker(cp)
	defer stopTicker()
	rearm()
	for {
		select {
		case <-ctx.Done():
			if t.detach() {
				t.drain(in, func(row *value.Row) { ingest(first, row) })
				fwd.Wait()
				for len(merged) > 0 {
					tr := <-merged
					ingest(tr.src, tr.row)
				}
				for _, tr := range held {
					ingest(tr.src, tr.row)
				}
				for i, s := range p.Sources {
					if i != first && !s.Table && !s.Lookup {
						t.drain(t.subs[i].C, func(row *value.Row) { ingest(i, row) })
					}
				}
			}
			if cp != nil && t.saveOnExit() {
				t.checkpoint(cp, st)
			}
			return
		case row := <-in:
			ingest(first, row)
		case tr := <-merged:
			ingest(tr.src, tr.row)
		case <-timerC:
			active = false
			op.Advance(t.deps.Clock.Now().UnixMilli())
		case <-cpC:
			t.checkpoint(cp, st)
		}
		rearm()
	}
}

// ruleState is how a running rule saves and restores its state.
type ruleState struct {
	check    func() error // whether the state can be saved
	snapshot func() ([]byte, error)
	restore  func(b []byte, now int64) error
}

// operatorState is the state of a stateful rule: its operator's.
func (t *Topo) operatorState() ruleState {
	return ruleState{check: t.op.Checkpointable, snapshot: t.op.Snapshot, restore: t.op.Restore}
}

// restore loads the rule's last checkpoint. It returns the store to save
// checkpoints to, or nil when the rule has none or its state cannot be
// saved.
func (t *Topo) restore(st ruleState) CheckpointStore {
	cp := t.opts.Checkpoints
	if cp == nil {
		return nil
	}
	if err := st.check(); err != nil {
		t.logger.Warn("the rule's state will not survive a restart", "error", err)
		return nil
	}
	b, ok, err := cp.Load()
	switch {
	case err != nil:
		t.logger.Error("read checkpoint; starting with empty state", "error", err)
	case ok:
		if err := st.restore(b, t.deps.Clock.Now().UnixMilli()); err != nil {
			t.logger.Error("checkpoint does not fit the rule; starting with empty state", "error", err)
		} else {
			t.logger.Info("restored the rule's state from its checkpoint", "bytes", len(b))
		}
	}
	return cp
}

// checkpoint saves the rule's state.
func (t *Topo) checkpoint(cp CheckpointStore, st ruleState) {
	b, err := st.snapshot()
	if err == nil {
		err = cp.Save(b)
	}
	if err != nil {
		t.logger.Error("save checkpoint", "error", err)
	}
}

// checkpointTicker returns the channel of periodic checkpoints (nil when
// there are none) and the function that stops it.
func (t *Topo) checkpointTicker(cp CheckpointStore) (<-chan time.Time, func()) {
	if cp == nil || t.opts.CheckpointInterval <= 0 {
		return nil, func() {}
	}
	tk := t.deps.Clock.NewTicker(t.opts.CheckpointInterval)
	return tk.C(), tk.Stop
}

// saveOnExit reports whether a stopping rule saves its state.
func (t *Topo) saveOnExit() bool { return t.opts.SaveOnStop || t.saveOnStop.Load() }

// CheckPlan reports what would stop a rule's plan from starting with
// these options, without starting anything: an event-time rule over a
// stream without TIMESTAMP, a bad TIMESTAMP_FORMAT.
func CheckPlan(p *plan.Plan, opts Options) error {
	if !p.Stateful() {
		return nil
	}
	_, err := exec.New(p, exec.Options{
		EventTime:     opts.IsEventTime,
		LateTolerance: opts.LateTolerance.Milliseconds(),
		MaxRows:       opts.WindowMaxRows,
		MaxGroups:     opts.WindowMaxGroups,
	})
	return err
}

package exec_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/catalog"
	"github.com/kuiperio/kuiper/internal/exec"
	"github.com/kuiperio/kuiper/internal/format"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/value"
)

var funcs = function.Builtins()

type fakeCatalog map[string]*catalog.Def

func (f fakeCatalog) Lookup(name string) (*catalog.Def, bool) {
	d, ok := f[name]
	return d, ok
}

// streams are the definitions every test can read: s (schemaless), e
// (typed, event time in ts), l and r (schemaless, for joins), el and er
// (typed, event time, for joins) and tables t (newest row only) and t3
// (three rows).
var streams = []string{
	`CREATE STREAM s () WITH (DATASOURCE="s")`,
	`CREATE STREAM e (k string, v bigint, ts bigint) WITH (DATASOURCE="e", TIMESTAMP="ts")`,
	`CREATE STREAM es () WITH (DATASOURCE="es", TIMESTAMP="ts", TIMESTAMP_FORMAT="yyyy-MM-dd HH:mm:ss")`,
	`CREATE STREAM l () WITH (DATASOURCE="l")`,
	`CREATE STREAM r () WITH (DATASOURCE="r")`,
	`CREATE STREAM m () WITH (DATASOURCE="m")`,
	`CREATE STREAM el (id bigint, v bigint, ts bigint) WITH (DATASOURCE="el", TIMESTAMP="ts")`,
	`CREATE STREAM er (id bigint, w bigint, ts bigint) WITH (DATASOURCE="er", TIMESTAMP="ts")`,
	`CREATE TABLE t () WITH (DATASOURCE="t")`,
	`CREATE TABLE t3 (id bigint, name string) WITH (DATASOURCE="t3", RETAIN_SIZE="3")`,
	`CREATE TABLE tb (id bigint, name string) WITH (DATASOURCE="tb", RETAIN_SIZE="1000")`,
	`CREATE TABLE lk (id bigint, name string) WITH (DATASOURCE="lk", KIND="lookup", TYPE="memory")`,
}

func newCatalog(t testing.TB) fakeCatalog {
	t.Helper()
	c := fakeCatalog{}
	for _, s := range streams {
		d, err := catalog.Parse(s)
		require.NoError(t, err)
		c[d.Name] = d
	}
	return c
}

// countingMeter records what an operator stage reports.
type countingMeter struct {
	mu                      sync.Mutex
	in, out, drop, late, ex int
	errs                    []string
}

func (m *countingMeter) Add(in, out int) { m.mu.Lock(); m.in += in; m.out += out; m.mu.Unlock() }
func (m *countingMeter) Error(err error) {
	m.mu.Lock()
	m.ex++
	m.errs = append(m.errs, err.Error())
	m.mu.Unlock()
}
func (m *countingMeter) Drop(n int) { m.mu.Lock(); m.drop += n; m.mu.Unlock() }
func (m *countingMeter) Late(n int) { m.mu.Lock(); m.late += n; m.mu.Unlock() }

// harness runs one rule's operator and records its results, one string
// per result set: the rows as compact JSON with sorted keys, joined by
// " ".
type harness struct {
	t      testing.TB
	p      *plan.Plan
	op     *exec.Operator
	decs   []format.Decoder
	out    []string
	window *countingMeter
	agg    *countingMeter
	proj   *countingMeter
	// discard counts results instead of recording them (benchmarks).
	discard bool
	results int
}

func newHarness(t testing.TB, sql string, opts exec.Options) *harness {
	t.Helper()
	stmt, err := plan.Parse(sql)
	require.NoError(t, err)
	p, err := plan.Build(sql, stmt, newCatalog(t), funcs, plan.Options{RuleID: "r"})
	require.NoError(t, err)
	h := &harness{t: t, p: p, window: &countingMeter{}, agg: &countingMeter{}, proj: &countingMeter{}}
	opts.Meters = exec.Meters{Window: h.window, Aggregate: h.agg, Project: h.proj}
	opts.Emit = func(rows []*value.Object) {
		if h.discard {
			h.results += len(rows)
			return
		}
		parts := make([]string, len(rows))
		for i, r := range rows {
			parts[i] = string(r.AppendJSON(nil, value.SortKeys))
		}
		h.out = append(h.out, strings.Join(parts, " "))
	}
	op, err := exec.New(p, opts)
	require.NoError(t, err)
	h.op = op
	for _, s := range p.Sources {
		dec, err := format.NewDecoder("json", format.Options{Schema: s.Def.Schema()})
		require.NoError(t, err)
		h.decs = append(h.decs, dec)
	}
	return h
}

// rows decodes a JSON message for source src, received at ts.
func (h *harness) rows(src int, ts int64, msg string) []*value.Row {
	h.t.Helper()
	var rows []*value.Row
	require.NoError(h.t, h.decs[src].Decode([]byte(msg), func(o *value.Object) {
		rows = append(rows, &value.Row{Msg: o, Ts: ts})
	}))
	return rows
}

// send feeds a message of the source at src, received at ts.
func (h *harness) send(src int, ts int64, msg string) {
	h.t.Helper()
	for _, r := range h.rows(src, ts, msg) {
		h.op.Ingest(src, r)
	}
}

// table adds a message to the snapshot of the table at src.
func (h *harness) table(src int, msg string) {
	h.t.Helper()
	for _, r := range h.rows(src, 0, msg) {
		h.op.Table(src).Add(r)
	}
}

// take returns the results so far and forgets them.
func (h *harness) take() []string {
	out := h.out
	h.out = nil
	return out
}

// step is one action of a table-driven window test: a message (Src,
// At, Msg) or, when Msg is empty, a processing-time Advance to At.
type step struct {
	Src int
	At  int64
	Msg string
}

func msg(at int64, m string) step { return step{At: at, Msg: m} }
func src(i int, at int64, m string) step {
	return step{Src: i, At: at, Msg: m}
}
func tick(at int64) step { return step{At: at} }

func (h *harness) play(steps []step) []string {
	for _, s := range steps {
		if s.Msg == "" {
			h.op.Advance(s.At)
			continue
		}
		h.send(s.Src, s.At, s.Msg)
	}
	return h.take()
}

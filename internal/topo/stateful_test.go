package topo_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/catalog"
	"github.com/kuiperio/kuiper/internal/clock"
	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/topo"
	"github.com/kuiperio/kuiper/sdk/api"
)

// feeds are the message channels of the "feed" test source, by
// datasource.
type feeds struct {
	mu sync.Mutex
	ch map[string]chan map[string]any
}

func (f *feeds) get(ds string) chan map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ch == nil {
		f.ch = map[string]chan map[string]any{}
	}
	c, ok := f.ch[ds]
	if !ok {
		c = make(chan map[string]any, 16)
		f.ch[ds] = c
	}
	return c
}

type feedSource struct {
	f  *feeds
	ch chan map[string]any
}

func (s *feedSource) Configure(ds string, _ map[string]any) error {
	s.ch = s.f.get(ds)
	return nil
}

func (s *feedSource) Open(ctx api.StreamContext, consume api.ConsumeFunc) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-s.ch:
			consume(m, nil)
		}
	}
}

func (s *feedSource) Close(api.StreamContext) error { return nil }

// captureSink hands every result to a channel as JSON.
type captureSink struct{ out chan string }

func (c *captureSink) Configure(map[string]any) error { return nil }
func (c *captureSink) Open(api.StreamContext) error   { return nil }
func (c *captureSink) Close(api.StreamContext) error  { return nil }
func (c *captureSink) Collect(_ api.StreamContext, data any) error {
	if m, ok := data.(map[string]any); ok && m["panic"] == true {
		panic("sink exploded")
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	c.out <- string(b)
	return nil
}

type fixture struct {
	t       *testing.T
	lookups *lookupStore
	clk     *clock.Fake
	feeds   *feeds
	sink    *captureSink
	topo    *topo.Topo
}

const t0 = 1_700_000_000_000

// start runs a rule over the "feed" streams s (schemaless) and e (typed,
// event time) with a fake clock set to t0+200ms.
func start(t *testing.T, sql string, opts topo.Options) *fixture {
	t.Helper()
	return startIn(t, sql, opts, nil)
}

// startIn is start with the server's time zone set to loc (nil: Local).
func startIn(t *testing.T, sql string, opts topo.Options, loc *time.Location) *fixture {
	t.Helper()
	f := &fixture{t: t, clk: clock.NewFake(time.UnixMilli(t0 + 200)), feeds: &feeds{}, sink: &captureSink{out: make(chan string, 64)}}
	env := connector.NewEnv()
	env.MustRegisterSource("feed", connector.Spec{}, func() api.Source { return &feedSource{f: f.feeds} })
	f.lookups = &lookupStore{}
	env.MustRegisterLookupSource("lk", connector.Spec{}, func() api.LookupSource { return f.lookups })
	etc := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(etc, "sources"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(etc, "sources", "lk.yaml"), []byte("default:\n  lookup:\n    cache: true\n    cacheTtl: 600\n"), 0o644))
	cat := fakeCatalog{}
	for _, s := range []string{
		`CREATE STREAM s () WITH (DATASOURCE="s", TYPE="feed")`,
		`CREATE STREAM e (k string, v bigint, ts bigint) WITH (DATASOURCE="e", TYPE="feed", TIMESTAMP="ts")`,
		`CREATE TABLE names (id bigint, name string) WITH (DATASOURCE="names", TYPE="lk", KIND="lookup")`,
		`CREATE STREAM r () WITH (DATASOURCE="r", TYPE="feed")`,
		`CREATE TABLE tt () WITH (DATASOURCE="tt", TYPE="feed", RETAIN_SIZE="5")`,
	} {
		d, err := catalog.Parse(s)
		require.NoError(t, err)
		cat[d.Name] = d
	}
	stmt, err := plan.Parse(sql)
	require.NoError(t, err)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	deps := topo.Deps{
		Sources:  topo.NewSourceManager(env, etc, logger, f.clk),
		Env:      env,
		Logger:   logger,
		Clock:    f.clk,
		Location: loc,
	}
	p, err := plan.Build(sql, stmt, cat, function.Builtins(), plan.Options{RuleID: "r", Location: deps.TimeZone()})
	require.NoError(t, err)
	opts.BufferLength = 16
	tp, err := topo.Start("r", p, []topo.Action{{Type: "capture", Props: map[string]any{"sendSingle": true}, Sink: f.sink}}, opts, deps)
	require.NoError(t, err)
	f.topo = tp
	t.Cleanup(tp.Stop)
	return f
}

type fakeCatalog map[string]*catalog.Def

func (c fakeCatalog) Lookup(name string) (*catalog.Def, bool) {
	d, ok := c[name]
	return d, ok
}

func (f *fixture) status() map[string]any {
	w := &topo.StatusWriter{}
	f.topo.AppendStatus(w)
	var m map[string]any
	require.NoError(f.t, json.Unmarshal(w.Bytes(), &m))
	return m
}

// send feeds messages and waits until the rule has taken them in.
func (f *fixture) send(ds string, msgs ...map[string]any) {
	f.t.Helper()
	before := f.status()["op_2_decoder_0_records_in_total"].(float64)
	for _, m := range msgs {
		f.feeds.get(ds) <- m
	}
	require.Eventually(f.t, func() bool {
		return f.status()["op_2_decoder_0_records_in_total"].(float64) >= before+float64(len(msgs))
	}, 5*time.Second, time.Millisecond)
}

// advanceTo waits for the rule's timer, then moves the clock to ms.
func (f *fixture) advanceTo(ms int64) {
	f.t.Helper()
	require.Eventually(f.t, func() bool { return f.clk.Waiters() > 0 }, 5*time.Second, time.Millisecond)
	f.clk.Set(time.UnixMilli(ms))
}

func (f *fixture) next() string {
	f.t.Helper()
	select {
	case s := <-f.sink.out:
		return s
	case <-time.After(5 * time.Second):
		f.t.Fatal("no result")
		return ""
	}
}

func (f *fixture) none() {
	f.t.Helper()
	select {
	case s := <-f.sink.out:
		f.t.Fatalf("unexpected result %s", s)
	default:
	}
}

// A day window closes at midnight of the server's time zone, not UTC's
// or the machine's, and date functions render in that zone too.
func TestStateful_DayWindowClosesAtLocalMidnight(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	// t0+200ms is 2023-11-15 06:13:20 in Shanghai (UTC+8).
	f := startIn(t, `SELECT count(*) AS c, window_start() AS ws, window_end() AS we,
		format_time(window_end(), 'yyyy-MM-dd HH:mm') AS day
		FROM s GROUP BY TUMBLINGWINDOW(dd, 1)`, topo.Options{}, shanghai)
	f.send("s", map[string]any{"v": 1}, map[string]any{"v": 2})
	// UTC midnight (08:00 in Shanghai) does not close the day.
	f.advanceTo(1_700_006_400_000)
	// Shanghai midnight, 2023-11-15T16:00Z, does.
	f.advanceTo(1_700_064_000_000)
	require.JSONEq(t, `{"c":2,"ws":1699977600000,"we":1700064000000,"day":"2023-11-16 00:00"}`, f.next())
	f.none()
}

func TestStateful_ProcessingTimeTumblingWithFakeClock(t *testing.T) {
	f := start(t, `SELECT count(*) AS c, window_end() AS we FROM s GROUP BY TUMBLINGWINDOW(ss, 1)`, topo.Options{})
	f.send("s", map[string]any{"v": 1}, map[string]any{"v": 2})
	f.none()
	f.advanceTo(t0 + 1000)
	require.JSONEq(t, `{"c":2,"we":1700000001000}`, f.next())
	// An empty window is still emitted, without its count.
	f.advanceTo(t0 + 2000)
	require.JSONEq(t, `{"we":1700000002000}`, f.next())

	st := f.status()
	require.EqualValues(t, 2, st["op_3_window_0_records_in_total"])
	require.EqualValues(t, 2, st["op_3_window_0_records_out_total"])
	require.EqualValues(t, 2, st["op_4_project_0_records_out_total"])
	require.NotContains(t, st, "op_3_window_0_late_dropped_total")

	var g struct {
		Sources []string            `json:"sources"`
		Edges   map[string][]string `json:"edges"`
	}
	require.NoError(t, json.Unmarshal(f.topo.TopoJSON(), &g))
	require.Equal(t, []string{"source_s"}, g.Sources)
	require.Equal(t, []string{"op_3_window"}, g.Edges["op_2_decoder"])
	require.Equal(t, []string{"op_4_project"}, g.Edges["op_3_window"])
}

func TestStateful_ProcessingTimeSessionTimeout(t *testing.T) {
	f := start(t, `SELECT count(*) AS c FROM s GROUP BY SESSIONWINDOW(ss, 60, 2)`, topo.Options{})
	f.send("s", map[string]any{"v": 1})
	f.advanceTo(t0 + 1000)
	f.send("s", map[string]any{"v": 2}) // received at t0+1000: the session now ends at t0+3000
	f.clk.Set(time.UnixMilli(t0 + 2500))
	f.none()
	f.advanceTo(t0 + 3000)
	require.JSONEq(t, `{"c":2}`, f.next())
}

func TestStateful_EventTimeLateRowsAreCounted(t *testing.T) {
	f := start(t, `SELECT collect(v) AS vs FROM e GROUP BY k, TUMBLINGWINDOW(ss, 10)`, topo.Options{IsEventTime: true, LateTolerance: time.Second})
	f.send("e",
		map[string]any{"v": 1, "ts": 1000},
		map[string]any{"v": 2, "ts": 12000},
		map[string]any{"v": 3, "ts": 5000},
	)
	require.JSONEq(t, `{"vs":[1]}`, f.next())
	st := f.status()
	require.EqualValues(t, 1, st["op_3_window_0_late_dropped_total"])
	require.EqualValues(t, 2, st["op_3_window_0_records_in_total"])
	require.Contains(t, st, "op_4_aggregate_0_records_in_total")
}

// lookupStore is a lookup source over a fixed map from id to name.
type lookupStore struct {
	mu             sync.Mutex
	calls          int
	opened, closed bool
}

func (l *lookupStore) Configure(string, map[string]any) error { return nil }
func (l *lookupStore) Open(api.StreamContext) error {
	l.mu.Lock()
	l.opened = true
	l.mu.Unlock()
	return nil
}
func (l *lookupStore) Close(api.StreamContext) error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	return nil
}
func (l *lookupStore) Lookup(_ api.StreamContext, fields []string, values []any) ([]map[string]any, error) {
	l.mu.Lock()
	l.calls++
	l.mu.Unlock()
	names := map[float64]string{1: "one", 2: "two"}
	if len(fields) != 1 || fields[0] != "id" {
		return nil, nil
	}
	var id float64
	switch v := values[0].(type) {
	case float64:
		id = v
	case int64:
		id = float64(v)
	}
	if n, ok := names[id]; ok {
		return []map[string]any{{"id": id, "name": n}}, nil
	}
	return nil, nil
}

func TestStateful_LookupTable(t *testing.T) {
	f := start(t, `SELECT s.id AS id, names.name AS name FROM s LEFT JOIN names ON s.id = names.id`, topo.Options{})
	f.send("s", map[string]any{"id": 1})
	require.JSONEq(t, `{"id":1,"name":"one"}`, f.next())
	f.send("s", map[string]any{"id": 3}, map[string]any{"id": 1})
	require.JSONEq(t, `{"id":3}`, f.next())
	require.JSONEq(t, `{"id":1,"name":"one"}`, f.next())
	f.lookups.mu.Lock()
	require.Equal(t, 2, f.lookups.calls, "id 1 came from the cache the second time")
	require.True(t, f.lookups.opened)
	f.lookups.mu.Unlock()
	f.topo.Stop()
	f.lookups.mu.Lock()
	require.True(t, f.lookups.closed)
	f.lookups.mu.Unlock()
}

func TestStateful_JoinStreamsAndTable(t *testing.T) {
	f := start(t, `SELECT s.id AS id, r.w AS w, tt.name AS name FROM s INNER JOIN r ON s.id = r.id LEFT JOIN tt ON s.id = tt.id GROUP BY COUNTWINDOW(4)`, topo.Options{})
	f.feeds.get("tt") <- map[string]any{"id": 1, "name": "one"}
	require.Eventually(t, func() bool { return f.status()["source_tt_0_records_out_total"].(float64) == 1 }, 5*time.Second, time.Millisecond)
	f.send("s", map[string]any{"id": 1}, map[string]any{"id": 2})
	f.send("r", map[string]any{"id": 1, "w": "a"}, map[string]any{"id": 2, "w": "b"})
	got := []string{f.next(), f.next()}
	require.ElementsMatch(t, []string{`{"id":1,"name":"one","w":"a"}`, `{"id":2,"w":"b"}`}, got)
	st := f.status()
	require.EqualValues(t, 4, st["op_3_window_0_records_in_total"])
	require.EqualValues(t, 2, st["op_4_join_0_records_out_total"])
}

// gateSink blocks every result until the gate opens.
type gateSink struct {
	gate chan struct{}
	mu   sync.Mutex
	got  int
}

func (g *gateSink) Configure(map[string]any) error { return nil }
func (g *gateSink) Open(api.StreamContext) error   { return nil }
func (g *gateSink) Close(api.StreamContext) error  { return nil }
func (g *gateSink) Collect(api.StreamContext, any) error {
	<-g.gate
	g.mu.Lock()
	g.got++
	g.mu.Unlock()
	return nil
}

// A graceful stop (server shutdown) processes every row already handed
// to the rule and delivers every result; a plain stop drops what is
// queued.
func TestStopAndSave_DrainsQueuedRows(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sql      string
		per      int // rows per result
		graceful bool
	}{
		{"stateless", `SELECT v FROM s`, 1, true},
		{"window", `SELECT count(*) AS c FROM s GROUP BY COUNTWINDOW(2)`, 2, true},
		{"stateless, plain stop", `SELECT v FROM s`, 1, false},
		{"two streams", `SELECT * FROM s FULL JOIN r ON s.v = r.v GROUP BY COUNTWINDOW(1)`, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &feeds{}
			env := connector.NewEnv()
			env.MustRegisterSource("feed", connector.Spec{}, func() api.Source { return &feedSource{f: f} })
			cat := fakeCatalog{}
			for _, name := range []string{"s", "r"} {
				d, err := catalog.Parse(`CREATE STREAM ` + name + ` () WITH (DATASOURCE="` + name + `", TYPE="feed")`)
				require.NoError(t, err)
				cat[name] = d
			}
			stmt, err := plan.Parse(tc.sql)
			require.NoError(t, err)
			p, err := plan.Build(tc.sql, stmt, cat, function.Builtins(), plan.Options{RuleID: "r"})
			require.NoError(t, err)
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			deps := topo.Deps{Sources: topo.NewSourceManager(env, t.TempDir(), logger, clock.Real()), Env: env, Logger: logger, Clock: clock.Real()}
			sink := &gateSink{gate: make(chan struct{})}
			tp, err := topo.Start("r", p, []topo.Action{{Type: "gate", Props: map[string]any{"sendSingle": true, "bufferLength": 1}, Sink: sink}},
				topo.Options{BufferLength: 4, DisableBufferFullDiscard: true}, deps)
			require.NoError(t, err)

			// The sink holds the first result: the rule's queues fill up
			// until the source waits.
			streams := []string{"s"}
			if len(p.Sources) > 1 {
				streams = append(streams, "r")
			}
			for _, name := range streams {
				go func() {
					for i := range 40 {
						f.get(name) <- map[string]any{"v": i}
					}
				}()
			}
			handed := func() int {
				w := &topo.StatusWriter{}
				tp.AppendStatus(w)
				var st map[string]any
				require.NoError(t, json.Unmarshal(w.Bytes(), &st))
				n := 0
				for _, name := range streams {
					n += int(st["source_"+name+"_0_records_out_total"].(float64))
				}
				return n
			}
			require.Eventually(t, func() bool { return len(f.get("s")) == cap(f.get("s")) && handed() > 4 }, 5*time.Second, time.Millisecond,
				"rows wait in the rule's queues")
			queued := handed()
			stopped := make(chan struct{})
			go func() {
				if tc.graceful {
					tp.StopAndSave()
				} else {
					tp.Stop()
				}
				close(stopped)
			}()
			time.Sleep(50 * time.Millisecond) // let the stop begin while rows wait
			close(sink.gate)
			<-stopped
			sink.mu.Lock()
			defer sink.mu.Unlock()
			if tc.graceful {
				require.Equal(t, handed()/tc.per, sink.got, "every row handed to the rule gave its result")
			} else {
				require.Less(t, sink.got, queued, "a plain stop drops the queued rows")
			}
		})
	}
}

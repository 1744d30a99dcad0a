package exec_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/exec"
)

// TestCheckpoint_RestartMidWindow plays each case once without a break and
// once for every cut point with a restart there: the operator's state is
// saved, a new operator of the same plan restores it and plays the rest.
// The results must be the same.
func TestCheckpoint_RestartMidWindow(t *testing.T) {
	tests := []struct {
		name      string
		sql       string
		eventTime bool
		steps     []step
	}{
		{
			name: "tumbling count and avg by key",
			sql:  `SELECT k, count(*) AS c, avg(v) AS a, max(v) AS mx FROM s GROUP BY k, TUMBLINGWINDOW(ss, 2)`,
			steps: []step{
				msg(T+100, `{"k":"a","v":1}`), msg(T+300, `{"k":"b","v":2.5}`), msg(T+900, `{"k":"a","v":3}`),
				tick(T + 1000), msg(T+1500, `{"k":"a","v":5}`), tick(T + 2000), msg(T+2100, `{"k":"b","v":7}`), tick(T + 4000),
			},
		},
		{
			name: "tumbling every aggregate",
			sql: `SELECT count(*) AS c, sum(v) AS s, min(v) AS mn, collect(v) AS cl, deduplicate(v, true) AS dd,
				last_value(v, true) AS lv, merge_agg(*) AS m, median(v) AS md, stddev(v) AS sd, vars(v) AS vs,
				percentile_cont(v, 0.4) AS pc, percentile_disc(v, 0.4) AS pd FROM s GROUP BY TUMBLINGWINDOW(ss, 10)`,
			steps: []step{
				msg(T+100, `{"v":1,"x":"a"}`), msg(T+300, `{"v":4}`), msg(T+900, `{"v":1,"y":true}`),
				msg(T+1500, `{"v":null}`), msg(T+2500, `{"v":9.5}`), tick(T + 10000),
			},
		},
		{
			name: "hopping rows",
			sql:  `SELECT collect(v) AS vs, window_end() AS we FROM s GROUP BY HOPPINGWINDOW(ss, 2, 1)`,
			steps: []step{
				msg(T+300, `{"v":1}`), tick(T + 1000), msg(T+1300, `{"v":2}`), tick(T + 2000), msg(T+2200, `{"v":3}`), tick(T + 3000), tick(T + 4000),
			},
		},
		{
			name: "rows without aggregates",
			sql:  `SELECT v, window_start() AS ws FROM s GROUP BY TUMBLINGWINDOW(ss, 1)`,
			steps: []step{
				msg(T+300, `{"v":1}`), msg(T+400, `{"v":2}`), tick(T + 1000), msg(T+1400, `{"v":3}`), tick(T + 2000),
			},
		},
		{
			name: "sliding with delay",
			sql:  `SELECT count(*) AS c, collect(v) AS vs FROM s GROUP BY SLIDINGWINDOW(ss, 2, 1)`,
			steps: []step{
				msg(T+100, `{"v":1}`), msg(T+600, `{"v":2}`), tick(T + 1100), msg(T+1500, `{"v":3}`), tick(T + 1600), tick(T + 2500), tick(T + 5000),
			},
		},
		{
			name: "session",
			sql:  `SELECT collect(v) AS vs, window_start() AS ws, window_end() AS we FROM s GROUP BY SESSIONWINDOW(ss, 10, 2)`,
			steps: []step{
				msg(T+100, `{"v":1}`), msg(T+1500, `{"v":2}`), tick(T + 3000), tick(T + 3500), msg(T+4000, `{"v":3}`), tick(T + 7000),
			},
		},
		{
			name: "count tumbling",
			sql:  `SELECT sum(v) AS s FROM s GROUP BY COUNTWINDOW(3)`,
			steps: []step{
				msg(T+1, `{"v":1}`), msg(T+2, `{"v":2}`), msg(T+3, `{"v":3}`), msg(T+4, `{"v":4}`), msg(T+5, `{"v":5}`), msg(T+6, `{"v":6}`),
			},
		},
		{
			name: "count with step",
			sql:  `SELECT collect(v) AS vs FROM s GROUP BY COUNTWINDOW(3, 2)`,
			steps: []step{
				msg(T+1, `{"v":1}`), msg(T+2, `{"v":2}`), msg(T+3, `{"v":3}`), msg(T+4, `{"v":4}`), msg(T+5, `{"v":5}`), msg(T+6, `{"v":6}`),
			},
		},
		{
			name: "state window by partition",
			sql:  `SELECT k, collect(v) AS vs FROM s GROUP BY STATEWINDOW(st = "on", st = "off") OVER (PARTITION BY k)`,
			steps: []step{
				msg(T+1, `{"k":"a","st":"on","v":1}`), msg(T+2, `{"k":"b","st":"on","v":2}`), msg(T+3, `{"k":"a","v":3}`),
				msg(T+4, `{"k":"a","st":"off","v":4}`), msg(T+5, `{"k":"b","st":"off","v":5}`),
			},
		},
		{
			name: "state window single",
			sql:  `SELECT count(*) AS c, window_start() AS ws FROM s GROUP BY STATEWINDOW(v = 1, v = 3)`,
			steps: []step{
				msg(T+1, `{"v":0}`), msg(T+2, `{"v":1}`), msg(T+3, `{"v":2}`), msg(T+4, `{"v":3}`),
			},
		},
		{
			name: "having order limit and hit counters",
			sql:  `SELECT k, sum(v) AS sv, last_agg_hit_count() AS n FROM s GROUP BY k, COUNTWINDOW(4) HAVING count(*) > 1 ORDER BY sv DESC LIMIT 1`,
			steps: []step{
				msg(T+1, `{"k":"a","v":1}`), msg(T+2, `{"k":"b","v":2}`), msg(T+3, `{"k":"a","v":3}`), msg(T+4, `{"k":"b","v":5}`),
				msg(T+5, `{"k":"a","v":1}`), msg(T+6, `{"k":"a","v":1}`), msg(T+7, `{"k":"b","v":1}`), msg(T+8, `{"k":"c","v":1}`),
			},
		},
		{
			name:      "event time tumbling with late rows",
			sql:       `SELECT collect(v) AS vs, window_end() AS we FROM e GROUP BY TUMBLINGWINDOW(ss, 10)`,
			eventTime: true,
			steps: []step{
				msg(0, `{"v":1,"ts":1700000001000}`), msg(0, `{"v":2,"ts":1700000009000}`), msg(0, `{"v":3,"ts":1700000012000}`),
				msg(0, `{"v":4,"ts":1700000005000}`), msg(0, `{"v":5,"ts":1700000025000}`),
			},
		},
		{
			name: "analytic functions",
			sql:  `SELECT v, lag(v) AS p, acc_sum(v) OVER (PARTITION BY k) AS acc FROM s WHERE had_changed(true, v) GROUP BY COUNTWINDOW(2)`,
			steps: []step{
				msg(T+1, `{"k":"a","v":1}`), msg(T+2, `{"k":"b","v":2}`), msg(T+3, `{"k":"a","v":2}`), msg(T+4, `{"k":"a","v":3}`),
				msg(T+5, `{"k":"b","v":4}`), msg(T+6, `{"k":"a","v":5}`),
			},
		},
		{
			name: "analytic function in WHERE of an incremental window",
			sql:  `SELECT collect(v) AS vs FROM s WHERE v > lag(v) GROUP BY COUNTWINDOW(2)`,
			steps: []step{
				msg(T+1, `{"v":1}`), msg(T+2, `{"v":2}`), msg(T+3, `{"v":1}`), msg(T+4, `{"v":3}`), msg(T+5, `{"v":4}`),
			},
		},
		{
			name: "analytic function in a join",
			sql:  `SELECT l.id, lag(l.v) AS p, r.w FROM l INNER JOIN r ON l.id = r.id GROUP BY TUMBLINGWINDOW(ss, 2)`,
			steps: []step{
				src(0, T+100, `{"id":1,"v":"x"}`), src(1, T+200, `{"id":1,"w":"y"}`), src(0, T+300, `{"id":1,"v":"z"}`),
				tick(T + 2000), src(0, T+2500, `{"id":1,"v":"q"}`), src(1, T+2600, `{"id":1,"w":"y2"}`), tick(T + 4000),
			},
		},
		{
			name: "join in a window",
			sql:  `SELECT l.id, l.v, r.w FROM l INNER JOIN r ON l.id = r.id GROUP BY TUMBLINGWINDOW(ss, 2)`,
			steps: []step{
				src(0, T+100, `{"id":1,"v":"x"}`), src(1, T+200, `{"id":1,"w":"y"}`), src(1, T+300, `{"id":2,"w":"z"}`),
				tick(T + 1000), src(0, T+1500, `{"id":2,"v":"q"}`), tick(T + 2000),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := exec.Options{EventTime: tc.eventTime, Start: T}
			whole := newHarness(t, tc.sql, opts)
			want := whole.play(tc.steps)
			require.NotEmpty(t, want, "the case must produce results")
			for cut := 0; cut <= len(tc.steps); cut++ {
				t.Run(fmt.Sprint("cut ", cut), func(t *testing.T) {
					before := newHarness(t, tc.sql, opts)
					got := before.play(tc.steps[:cut])
					snap, err := before.op.Snapshot()
					require.NoError(t, err)

					now := T
					if cut > 0 {
						now = tc.steps[cut-1].At
					}
					after := newHarness(t, tc.sql, opts)
					require.NoError(t, after.op.Restore(snap, now))
					again, err := after.op.Snapshot()
					require.NoError(t, err)
					require.True(t, bytes.Equal(snap, again), "a restored operator saves the same state")

					got = append(got, after.play(tc.steps[cut:])...)
					require.Equal(t, want, got)
				})
			}
		})
	}
}

// A processing-time window that ended while the rule was down is emitted
// when the rule comes back; the empty windows of the gap are not.
func TestCheckpoint_CatchUpAfterDowntime(t *testing.T) {
	sql := `SELECT count(*) AS c, window_end() AS we FROM s GROUP BY TUMBLINGWINDOW(ss, 1)`
	h := newHarness(t, sql, exec.Options{Start: T})
	h.play([]step{msg(T+100, `{}`), msg(T+200, `{}`)})
	snap, err := h.op.Snapshot()
	require.NoError(t, err)

	after := newHarness(t, sql, exec.Options{Start: T + 3_600_000})
	require.NoError(t, after.op.Restore(snap, T+3_600_000+500))
	require.Equal(t, []string{`{"c":2,"we":1700000001000}`}, after.take())
	dl, ok := after.op.Deadline()
	require.True(t, ok)
	require.Equal(t, T+3_600_000+1000, dl)
	require.Equal(t, []string{`{"c":1,"we":1700003601000}`}, after.play([]step{msg(T+3_600_000+600, `{}`), tick(T + 3_600_000 + 1000)}))
}

// A checkpoint of another rule is refused and leaves the operator as it
// was.
func TestCheckpoint_Mismatch(t *testing.T) {
	a := newHarness(t, `SELECT count(*) AS c FROM s GROUP BY TUMBLINGWINDOW(ss, 1)`, exec.Options{Start: T})
	a.play([]step{msg(T+100, `{}`)})
	snap, err := a.op.Snapshot()
	require.NoError(t, err)

	for _, sql := range []string{
		`SELECT count(*) AS c FROM s GROUP BY COUNTWINDOW(2)`,
		`SELECT collect(v) AS c FROM s GROUP BY SLIDINGWINDOW(ss, 1)`,
		`SELECT v FROM s GROUP BY TUMBLINGWINDOW(ss, 1)`,
		`SELECT l.v FROM l INNER JOIN r ON l.id = r.id GROUP BY TUMBLINGWINDOW(ss, 1)`,
	} {
		b := newHarness(t, sql, exec.Options{Start: T})
		require.Error(t, b.op.Restore(snap, T+200), sql)
	}
	b := newHarness(t, `SELECT count(*) AS c FROM s GROUP BY TUMBLINGWINDOW(ss, 1)`, exec.Options{Start: T})
	require.Error(t, b.op.Restore(snap[:len(snap)-1], T+200), "truncated")
	require.Error(t, b.op.Restore(append(snap, 0), T+200), "trailing bytes")
	require.Equal(t, []string{`{"c":1}`}, b.play([]step{msg(T+300, `{}`), tick(T + 1000)}))
}

// BenchmarkCheckpoint measures saving and restoring an open window of
// 10,000 groups (count and avg by key) or of 10,000 buffered rows.
func BenchmarkCheckpoint(b *testing.B) {
	for _, bc := range []struct {
		name string
		sql  string
		keys int
	}{
		{"10000_groups", `SELECT k, count(*) AS c, avg(v) AS a FROM s GROUP BY k, TUMBLINGWINDOW(hh, 1)`, 10000},
		{"10000_rows", `SELECT k, v FROM s GROUP BY TUMBLINGWINDOW(hh, 1)`, 1},
	} {
		h := newHarness(b, bc.sql, exec.Options{Start: T})
		for i, r := range benchRows(10_000, bc.keys, 1) {
			r.Ts = T + int64(i)
			h.op.Ingest(0, r)
		}
		snap, err := h.op.Snapshot()
		require.NoError(b, err)
		b.Run(bc.name+"/snapshot", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(snap)))
			for b.Loop() {
				if _, err := h.op.Snapshot(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"/restore", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(snap)))
			for b.Loop() {
				r := newHarness(b, bc.sql, exec.Options{Start: T})
				if err := r.op.Restore(snap, T+20_000); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

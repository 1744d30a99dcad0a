package exec_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/exec"
)

// T is a time aligned to every window size the tests use.
const T int64 = 1_700_000_000_000

func TestWindows_ProcessingTime(t *testing.T) {
	tests := []struct {
		name  string
		sql   string
		steps []step
		want  []string
	}{
		{
			name: "tumbling count and avg, empty window",
			sql:  `SELECT count(*) AS c, avg(v) AS a FROM s GROUP BY TUMBLINGWINDOW(ss, 1)`,
			steps: []step{
				msg(T+300, `{"v":1}`), msg(T+900, `{"v":3}`), tick(T + 1000),
				msg(T+1500, `{"v":5}`), tick(T + 2000),
				tick(T + 3000),
			},
			want: []string{`{"a":2,"c":2}`, `{"a":5,"c":1}`, `{}`},
		},
		{
			name: "tumbling bounds align to the clock, not the rule start",
			sql:  `SELECT count(*) AS c, window_start() AS ws, window_end() AS we FROM s GROUP BY TUMBLINGWINDOW(ss, 10)`,
			steps: []step{
				msg(T+2000, `{}`), tick(T + 9999), tick(T + 10000),
			},
			want: []string{`{"c":1,"we":1700000010000,"ws":1700000000000}`},
		},
		{
			name: "tumbling by key, empty grouped window sends nothing",
			sql:  `SELECT k, count(*) AS c, sum(v) AS sv FROM s GROUP BY k, TUMBLINGWINDOW(ss, 1)`,
			steps: []step{
				msg(T+100, `{"k":"a","v":1}`), msg(T+200, `{"k":"b","v":2}`), msg(T+300, `{"k":"a","v":3}`),
				tick(T + 1000), tick(T + 2000),
			},
			want: []string{`{"c":2,"k":"a","sv":4} {"c":1,"k":"b","sv":2}`},
		},
		{
			name: "a row processed after its window closed goes to the open one",
			sql:  `SELECT collect(v) AS vs FROM s GROUP BY TUMBLINGWINDOW(ss, 1)`,
			steps: []step{
				msg(T+100, `{"v":1}`), tick(T + 1000), msg(T+999, `{"v":2}`), tick(T + 2000),
			},
			want: []string{`{"vs":[1]}`, `{"vs":[2]}`},
		},
		{
			name: "hopping",
			sql:  `SELECT collect(v) AS vs, window_end() AS we FROM s GROUP BY HOPPINGWINDOW(ss, 2, 1)`,
			steps: []step{
				msg(T+300, `{"v":1}`), tick(T + 1000), msg(T+1300, `{"v":2}`), tick(T + 2000), tick(T + 3000), tick(T + 4000),
			},
			want: []string{`{"vs":[1],"we":1700000001000}`, `{"vs":[1,2],"we":1700000002000}`, `{"vs":[2],"we":1700000003000}`, `{"we":1700000004000}`},
		},
		{
			name: "rows without aggregates, empty window sends nothing",
			sql:  `SELECT v FROM s GROUP BY TUMBLINGWINDOW(ss, 1)`,
			steps: []step{
				msg(T+300, `{"v":1}`), msg(T+400, `{"v":2}`), tick(T + 1000), tick(T + 2000),
			},
			want: []string{`{"v":1} {"v":2}`},
		},
		{
			name: "sliding emits on every row",
			sql:  `SELECT collect(v) AS vs, window_start() AS ws, window_end() AS we FROM s GROUP BY SLIDINGWINDOW(ss, 2)`,
			steps: []step{
				msg(T+100, `{"v":1}`), msg(T+1500, `{"v":2}`), msg(T+2600, `{"v":3}`),
			},
			want: []string{
				`{"vs":[1],"we":1700000000100,"ws":1699999998100}`,
				`{"vs":[1,2],"we":1700000001500,"ws":1699999999500}`,
				`{"vs":[2,3],"we":1700000002600,"ws":1700000000600}`,
			},
		},
		{
			name: "sliding with delay waits and takes later rows",
			sql:  `SELECT collect(v) AS vs FROM s GROUP BY SLIDINGWINDOW(ss, 2, 1)`,
			steps: []step{
				msg(T+100, `{"v":1}`), msg(T+500, `{"v":2}`), tick(T + 1100), tick(T + 1500),
				msg(T+3000, `{"v":3}`), tick(T + 3999), tick(T + 4000),
			},
			want: []string{`{"vs":[1,2]}`, `{"vs":[1,2]}`, `{"vs":[3]}`},
		},
		{
			name: "sliding triggered only by rows meeting OVER (WHEN)",
			sql:  `SELECT collect(v) AS vs FROM s GROUP BY SLIDINGWINDOW(ss, 10) OVER (WHEN v > 1)`,
			steps: []step{
				msg(T+100, `{"v":1}`), msg(T+200, `{"v":2}`), msg(T+300, `{"v":0}`), msg(T+400, `{"v":5}`),
			},
			want: []string{`{"vs":[1,2]}`, `{"vs":[1,2,0,5]}`},
		},
		{
			name: "session closes after the timeout",
			sql:  `SELECT collect(v) AS vs, window_start() AS ws, window_end() AS we FROM s GROUP BY SESSIONWINDOW(ss, 10, 2)`,
			steps: []step{
				msg(T+100, `{"v":1}`), msg(T+1500, `{"v":2}`), tick(T + 3499), tick(T + 3500),
				msg(T+5000, `{"v":3}`), tick(T + 7000),
			},
			want: []string{`{"vs":[1,2],"we":1700000003500,"ws":1700000000100}`, `{"vs":[3],"we":1700000007000,"ws":1700000005000}`},
		},
		{
			name: "session closes at the aligned maximum duration",
			sql:  `SELECT count(*) AS c, window_end() AS we FROM s GROUP BY SESSIONWINDOW(ss, 10, 2)`,
			steps: func() []step {
				var s []step
				for i := int64(0); i < 21; i++ {
					s = append(s, msg(T+100+1000*i, `{}`))
				}
				return append(s, tick(T+22100))
			}(),
			want: []string{`{"c":20,"we":1700000020000}`, `{"c":1,"we":1700000022100}`},
		},
		{
			name: "count window",
			sql:  `SELECT collect(v) AS vs FROM s GROUP BY COUNTWINDOW(2)`,
			steps: []step{
				msg(1, `{"v":1}`), msg(2, `{"v":2}`), msg(3, `{"v":3}`), msg(4, `{"v":4}`), msg(5, `{"v":5}`),
			},
			want: []string{`{"vs":[1,2]}`, `{"vs":[3,4]}`},
		},
		{
			name: "count window with a step of 1",
			sql:  `SELECT collect(v) AS vs FROM s GROUP BY COUNTWINDOW(3, 1)`,
			steps: []step{
				msg(1, `{"v":1}`), msg(2, `{"v":2}`), msg(3, `{"v":3}`), msg(4, `{"v":4}`),
			},
			want: []string{`{"vs":[1,2,3]}`, `{"vs":[2,3,4]}`},
		},
		{
			name: "count window of rows with FILTER",
			sql:  `SELECT v FROM s GROUP BY COUNTWINDOW(2) FILTER (WHERE v > 1)`,
			steps: []step{
				msg(1, `{"v":1}`), msg(2, `{"v":2}`), msg(3, `{"v":0}`), msg(4, `{"v":4}`),
			},
			want: []string{`{"v":2} {"v":4}`},
		},
		{
			name: "state window from begin to emit",
			sql:  `SELECT collect(v) AS vs, window_start() AS ws, window_end() AS we FROM s GROUP BY STATEWINDOW(v = 1, v = 3)`,
			steps: []step{
				msg(1, `{"v":0}`), msg(2, `{"v":1}`), msg(3, `{"v":2}`), msg(4, `{"v":3}`),
				msg(5, `{"v":2}`), msg(6, `{"v":1}`), msg(7, `{"v":3}`),
			},
			want: []string{`{"vs":[1,2,3],"we":4,"ws":2}`, `{"vs":[1,3],"we":7,"ws":6}`},
		},
		{
			name: "state window with one condition",
			sql:  `SELECT collect(v) AS vs FROM s GROUP BY STATEWINDOW(v > 5)`,
			steps: []step{
				msg(1, `{"v":6}`), msg(2, `{"v":1}`), msg(3, `{"v":7}`), msg(4, `{"v":2}`), msg(5, `{"v":8}`),
			},
			want: []string{`{"vs":[6,1,7]}`},
		},
		{
			name: "state window per partition",
			sql:  `SELECT k, collect(v) AS vs FROM s GROUP BY STATEWINDOW(st = "on", st = "off") OVER (PARTITION BY k)`,
			steps: []step{
				msg(1, `{"k":"a","st":"on","v":1}`), msg(2, `{"k":"b","st":"on","v":2}`),
				msg(3, `{"k":"a","st":"off","v":3}`), msg(4, `{"k":"b","st":"x","v":4}`), msg(5, `{"k":"b","st":"off","v":5}`),
			},
			want: []string{`{"k":"a","vs":[1,3]}`, `{"k":"b","vs":[2,4,5]}`},
		},
		{
			name: "having, order by several keys, limit and row_number",
			sql:  `SELECT k, sum(v) AS sv, row_number() AS rn FROM s GROUP BY k, COUNTWINDOW(6) HAVING count(*) > 1 ORDER BY sv DESC, k LIMIT 2`,
			steps: []step{
				msg(1, `{"k":"a","v":1}`), msg(2, `{"k":"b","v":4}`), msg(3, `{"k":"a","v":3}`),
				msg(4, `{"k":"c","v":9}`), msg(5, `{"k":"b","v":0}`), msg(6, `{"k":"d","v":2}`),
			},
			want: []string{`{"k":"a","rn":1,"sv":4} {"k":"b","rn":2,"sv":4}`},
		},
		{
			name: "last_agg_hit_count counts the windows that passed HAVING",
			sql:  `SELECT count(*) AS c, last_agg_hit_count() AS n, last_agg_hit_time() AS t FROM s GROUP BY COUNTWINDOW(2) HAVING sum(v) > 2`,
			steps: []step{
				msg(1, `{"v":1}`), msg(2, `{"v":1}`), msg(3, `{"v":2}`), msg(4, `{"v":2}`), msg(5, `{"v":5}`), msg(6, `{"v":5}`),
			},
			want: []string{`{"c":2,"n":1,"t":4}`, `{"c":2,"n":2,"t":6}`},
		},
		{
			name: "aggregate FILTER and plain column from the first row",
			sql:  `SELECT v, count(*) AS n, count(*) FILTER (WHERE v > 1) AS big FROM s GROUP BY COUNTWINDOW(3)`,
			steps: []step{
				msg(1, `{"v":1}`), msg(2, `{"v":2}`), msg(3, `{"v":3}`),
			},
			want: []string{`{"big":2,"n":3,"v":1}`},
		},
		{
			name: "analytic functions run before WHERE and the window",
			sql:  `SELECT collect(v) AS vs FROM s WHERE v > lag(v) GROUP BY COUNTWINDOW(2)`,
			steps: []step{
				msg(1, `{"v":1}`), msg(2, `{"v":3}`), msg(3, `{"v":2}`), msg(4, `{"v":5}`), msg(5, `{"v":6}`),
			},
			want: []string{`{"vs":[3,5]}`},
		},
		{
			name: "analytic values travel with buffered rows",
			sql:  `SELECT v, lag(v) AS p FROM s GROUP BY COUNTWINDOW(2)`,
			steps: []step{
				msg(1, `{"v":1}`), msg(2, `{"v":2}`),
			},
			want: []string{`{"v":1} {"p":1,"v":2}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.sql, exec.Options{Start: T + 200})
			require.Equal(t, tc.want, h.play(tc.steps))
		})
	}
}

func TestWindows_EventTime(t *testing.T) {
	tests := []struct {
		name  string
		sql   string
		tol   int64
		steps []step
		want  []string
		late  int
	}{
		{
			name: "tumbling, late row dropped and counted",
			sql:  `SELECT collect(v) AS vs, window_start() AS ws, window_end() AS we, event_time() = window_end() AS et FROM e GROUP BY TUMBLINGWINDOW(ss, 10)`,
			tol:  1000,
			steps: []step{
				msg(0, `{"v":1,"ts":1000}`), msg(0, `{"v":2,"ts":12000}`), msg(0, `{"v":3,"ts":5000}`),
				msg(0, `{"v":4,"ts":14000}`), msg(0, `{"v":5,"ts":21500}`),
			},
			want: []string{`{"et":true,"vs":[1],"we":10000,"ws":0}`, `{"et":true,"vs":[2,4],"we":20000,"ws":10000}`},
			late: 1,
		},
		{
			name: "out of order within the tolerance",
			sql:  `SELECT collect(v) AS vs FROM e GROUP BY TUMBLINGWINDOW(ss, 10)`,
			tol:  3000,
			steps: []step{
				msg(0, `{"v":1,"ts":1000}`), msg(0, `{"v":2,"ts":11000}`), msg(0, `{"v":3,"ts":9000}`), msg(0, `{"v":4,"ts":21500}`),
			},
			want: []string{`{"vs":[1,3]}`},
		},
		{
			name: "empty windows between busy ones",
			sql:  `SELECT count(*) AS c, window_end() AS we FROM e GROUP BY TUMBLINGWINDOW(ss, 10)`,
			steps: []step{
				msg(0, `{"v":1,"ts":1000}`), msg(0, `{"v":2,"ts":35000}`),
			},
			want: []string{`{"c":1,"we":10000}`, `{"we":20000}`, `{"we":30000}`},
		},
		{
			name: "processing-time ticks do not move event time",
			sql:  `SELECT count(*) AS c FROM e GROUP BY TUMBLINGWINDOW(ss, 10)`,
			steps: []step{
				msg(0, `{"v":1,"ts":1000}`), tick(T + 100000),
			},
		},
		{
			name: "hopping",
			sql:  `SELECT collect(v) AS vs, window_end() AS we FROM e GROUP BY HOPPINGWINDOW(ss, 10, 5)`,
			steps: []step{
				msg(0, `{"v":1,"ts":0}`), msg(0, `{"v":2,"ts":6000}`), msg(0, `{"v":3,"ts":12000}`), msg(0, `{"v":4,"ts":20000}`),
			},
			want: []string{`{"vs":[1],"we":5000}`, `{"vs":[1,2],"we":10000}`, `{"vs":[2,3],"we":15000}`, `{"vs":[3],"we":20000}`},
		},
		{
			name: "sliding waits for the watermark, so a late-arriving earlier row counts",
			sql:  `SELECT collect(v) AS vs FROM e GROUP BY SLIDINGWINDOW(ss, 10)`,
			tol:  2000,
			steps: []step{
				msg(0, `{"v":1,"ts":5000}`), msg(0, `{"v":2,"ts":4000}`), msg(0, `{"v":3,"ts":9000}`),
			},
			want: []string{`{"vs":[2]}`, `{"vs":[2,1]}`},
		},
		{
			name: "sliding with delay",
			sql:  `SELECT collect(v) AS vs FROM e GROUP BY SLIDINGWINDOW(ss, 10, 5)`,
			steps: []step{
				msg(0, `{"v":1,"ts":1000}`), msg(0, `{"v":2,"ts":3000}`), msg(0, `{"v":3,"ts":12000}`),
				msg(0, `{"v":4,"ts":14000}`), msg(0, `{"v":5,"ts":30000}`), msg(0, `{"v":0,"ts":50000}`),
			},
			want: []string{`{"vs":[1,2]}`, `{"vs":[1,2]}`, `{"vs":[2,3,4]}`, `{"vs":[3,4]}`, `{"vs":[5]}`},
		},
		{
			name: "session timeouts",
			sql:  `SELECT collect(v) AS vs, window_start() AS ws, window_end() AS we FROM e GROUP BY SESSIONWINDOW(ss, 60, 5)`,
			steps: []step{
				msg(0, `{"v":1,"ts":1000}`), msg(0, `{"v":2,"ts":3000}`), msg(0, `{"v":3,"ts":6000}`),
				msg(0, `{"v":4,"ts":20000}`), msg(0, `{"v":5,"ts":22000}`), msg(0, `{"v":6,"ts":40000}`),
			},
			want: []string{`{"vs":[1,2,3],"we":11000,"ws":1000}`, `{"vs":[4,5],"we":27000,"ws":20000}`},
		},
		{
			name: "session maximum duration",
			sql:  `SELECT collect(v) AS vs, window_end() AS we FROM e GROUP BY SESSIONWINDOW(ss, 10, 5)`,
			steps: []step{
				msg(0, `{"v":1,"ts":1000}`), msg(0, `{"v":2,"ts":5000}`), msg(0, `{"v":3,"ts":9000}`),
				msg(0, `{"v":4,"ts":13000}`), msg(0, `{"v":5,"ts":17000}`), msg(0, `{"v":6,"ts":21000}`),
			},
			want: []string{`{"vs":[1,2,3,4,5],"we":20000}`},
		},
		{
			name: "count window ignores time",
			sql:  `SELECT collect(v) AS vs FROM e GROUP BY COUNTWINDOW(2)`,
			tol:  1000,
			steps: []step{
				msg(0, `{"v":1,"ts":9000}`), msg(0, `{"v":2,"ts":8500}`),
			},
			want: []string{`{"vs":[1,2]}`},
		},
		{
			name: "timestamp in TIMESTAMP_FORMAT",
			sql:  `SELECT collect(v) AS vs, window_end() AS we FROM es GROUP BY TUMBLINGWINDOW(mi, 1)`,
			steps: []step{
				msg(0, `{"v":1,"ts":"2023-11-14 22:13:20"}`), msg(0, `{"v":2,"ts":"2023-11-14 22:13:50"}`), msg(0, `{"v":3,"ts":"2023-11-14 22:14:01"}`),
			},
			want: []string{`{"vs":[1,2],"we":1700000040000}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.sql, exec.Options{EventTime: true, LateTolerance: tc.tol, Start: T})
			require.Equal(t, tc.want, h.play(tc.steps))
			require.Equal(t, tc.late, h.window.late)
			_, ok := h.op.Deadline()
			require.False(t, ok, "event-time rules need no timer")
		})
	}
}

func TestWindows_EventTimeBadTimestamp(t *testing.T) {
	h := newHarness(t, `SELECT count(*) AS c FROM e GROUP BY TUMBLINGWINDOW(ss, 10)`, exec.Options{EventTime: true})
	h.send(0, 0, `{"v":1}`)
	h.send(0, 0, `{"v":1,"ts":1000}`)
	h.send(0, 0, `{"v":1,"ts":11000}`)
	require.Equal(t, []string{`{"c":1}`}, h.take())
	require.Equal(t, 1, h.window.ex)
	require.Contains(t, h.window.errs[0], "timestamp field ts is missing")

	_, err := exec.New(newHarness(t, `SELECT * FROM s GROUP BY COUNTWINDOW(1)`, exec.Options{}).p, exec.Options{EventTime: true})
	require.ErrorContains(t, err, "stream s has no TIMESTAMP")
}

func TestWindows_ProcessingTimeDeadline(t *testing.T) {
	h := newHarness(t, `SELECT count(*) AS c FROM s GROUP BY TUMBLINGWINDOW(ss, 10)`, exec.Options{Start: T + 1234})
	dl, ok := h.op.Deadline()
	require.True(t, ok)
	require.Equal(t, T+10000, dl)
	h.op.Advance(T + 10000)
	dl, _ = h.op.Deadline()
	require.Equal(t, T+20000, dl)

	h = newHarness(t, `SELECT count(*) AS c FROM s GROUP BY SESSIONWINDOW(ss, 60, 5)`, exec.Options{Start: T})
	_, ok = h.op.Deadline()
	require.False(t, ok, "no session open")
	h.send(0, T+100, `{}`)
	dl, ok = h.op.Deadline()
	require.True(t, ok)
	require.Equal(t, T+5100, dl)

	// Time jumping far ahead emits a bounded number of empty windows.
	h = newHarness(t, `SELECT count(*) AS c FROM s GROUP BY TUMBLINGWINDOW(ms, 1)`, exec.Options{Start: T})
	h.op.Advance(T + 1_000_000)
	require.LessOrEqual(t, len(h.take()), 1001)
}

func TestWindows_Limits(t *testing.T) {
	h := newHarness(t, `SELECT k, count(*) AS c FROM s GROUP BY k, COUNTWINDOW(4)`, exec.Options{MaxGroups: 2})
	out := h.play([]step{msg(1, `{"k":"a"}`), msg(2, `{"k":"b"}`), msg(3, `{"k":"c"}`), msg(4, `{"k":"a"}`)})
	require.Equal(t, []string{`{"c":2,"k":"a"} {"c":1,"k":"b"}`}, out, "the dropped row counts towards the window")
	require.Equal(t, 1, h.agg.drop)

	h = newHarness(t, `SELECT v FROM s GROUP BY COUNTWINDOW(3)`, exec.Options{MaxRows: 2})
	out = h.play([]step{msg(1, `{"v":1}`), msg(2, `{"v":2}`), msg(3, `{"v":3}`), msg(4, `{"v":4}`)})
	require.Equal(t, []string{`{"v":1} {"v":2}`}, out, "a count window larger than the row limit still closes")
	require.Equal(t, 1, h.window.drop)

	h = newHarness(t, `SELECT v FROM s GROUP BY TUMBLINGWINDOW(ss, 1)`, exec.Options{Start: T, MaxRows: 2})
	out = h.play([]step{msg(T+1, `{"v":1}`), msg(T+2, `{"v":2}`), msg(T+3, `{"v":3}`), tick(T + 1000)})
	require.Equal(t, []string{`{"v":1} {"v":2}`}, out)
	require.Equal(t, 1, h.window.drop)

	h = newHarness(t, `SELECT collect(v) AS vs FROM s GROUP BY SLIDINGWINDOW(ss, 10)`, exec.Options{Start: T, MaxRows: 2})
	out = h.play([]step{msg(T+1, `{"v":1}`), msg(T+2, `{"v":2}`), msg(T+3, `{"v":3}`)})
	require.Equal(t, []string{`{"vs":[1]}`, `{"vs":[1,2]}`, `{"vs":[2,3]}`}, out)
	require.Equal(t, 1, h.window.drop)
}

// A hopping window folds each row into size/hop accumulators: an
// aggregation error (sum of a string) fails only its group's row.
func TestWindows_AggregateErrors(t *testing.T) {
	h := newHarness(t, `SELECT k, sum(v) AS sv FROM s GROUP BY k, COUNTWINDOW(3)`, exec.Options{})
	out := h.play([]step{msg(1, `{"k":"a","v":1}`), msg(2, `{"k":"b","v":"x"}`), msg(3, `{"k":"a","v":2}`)})
	require.Equal(t, []string{`{"k":"a","sv":3}`}, out)
	require.Equal(t, 1, h.agg.ex)
}

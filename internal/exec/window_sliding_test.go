package exec_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/exec"
)

func init() {
	// A schemaless event-time stream, so that values of any type reach
	// the window.
	// Schemaless JSON numbers are floats; si and sei (event time) have
	// bigint and float columns.
	streams = append(streams,
		`CREATE STREAM se () WITH (DATASOURCE="se", TIMESTAMP="ts")`,
		`CREATE STREAM si (k string, v bigint, f float, w bigint) WITH (DATASOURCE="si")`,
		`CREATE STREAM sei (k string, v bigint, f float, w bigint, ts bigint) WITH (DATASOURCE="sei", TIMESTAMP="ts")`,
	)
}

func TestSliding_Incremental(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want bool
	}{
		{`SELECT count(*) AS c, avg(v) AS a FROM s GROUP BY SLIDINGWINDOW(ss, 1)`, true},
		{`SELECT k, v, count(v) AS c, sum(v) AS sv, min(v) AS mn, max(k) AS mx FROM s GROUP BY k, SLIDINGWINDOW(ss, 1)`, true},
		{`SELECT count(*) FILTER (WHERE v > 1) AS c, sum(abs(v) + 1) AS s FROM s GROUP BY lower(k), SLIDINGWINDOW(ss, 1)`, true},
		{`SELECT sum(v) AS sv, avg(v) AS a FROM s GROUP BY SLIDINGWINDOW(ss, 1) HAVING count(*) > 1 ORDER BY a`, true},
		{`SELECT sum(v) AS v, avg(v) AS a FROM s GROUP BY SLIDINGWINDOW(ss, 1)`, false}, // avg(v) reads the alias
		{`SELECT lag(v) AS l, count(*) AS c, meta(topic) AS tp FROM s GROUP BY SLIDINGWINDOW(ss, 1)`, true},
		{`SELECT k FROM s GROUP BY k, SLIDINGWINDOW(ss, 1)`, true},
		{`SELECT v FROM s GROUP BY SLIDINGWINDOW(ss, 1)`, false},
		{`SELECT collect(v) AS c FROM s GROUP BY SLIDINGWINDOW(ss, 1)`, false},
		{`SELECT count(*) AS c, median(v) AS m FROM s GROUP BY SLIDINGWINDOW(ss, 1)`, false},
		{`SELECT sum(window_end() - v) AS s FROM s GROUP BY SLIDINGWINDOW(ss, 1)`, false},
		{`SELECT sum(rand()) AS s FROM s GROUP BY SLIDINGWINDOW(ss, 1)`, false},
		{`SELECT count(*) FILTER (WHERE last_hit_count() > 2) AS s FROM s GROUP BY SLIDINGWINDOW(ss, 1)`, false},
		{`SELECT v + 1 AS w, sum(w) AS s FROM s GROUP BY SLIDINGWINDOW(ss, 1)`, false},
		{`SELECT sum(v) AS v FROM s GROUP BY SLIDINGWINDOW(ss, 1)`, true},
		{`SELECT count(*) AS c FROM s GROUP BY SLIDINGWINDOW(ss, 1), now()`, false},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			h := newHarness(t, tc.sql, exec.Options{Start: T})
			require.Equal(t, tc.want, exec.SlidingIncremental(h.op))
		})
	}
}

// slidingCase is a rule whose sliding window the randomized test plays
// with and without accumulators.
type slidingCase struct {
	name      string
	sql       string
	eventTime bool
	opts      exec.Options
	// gen builds the payload of message i (without ts).
	gen func(r *rand.Rand, i int) string
	// exact: the values keep float sums exact, so results must be
	// byte-identical; otherwise floats may differ in the last bits.
	exact bool
}

const slidingAggs = `count(*) AS c, count(v) AS cv, sum(v) AS sv, avg(v) AS av, min(v) AS mn, max(v) AS mx`

func TestSliding_IncrementalMatchesReaggregation(t *testing.T) {
	ints := func(r *rand.Rand, i int) string {
		return fmt.Sprintf(`{"k":"k%d","v":%d}`, r.IntN(4), r.IntN(21)-10)
	}
	// dyadic floats, ints, nulls and missing values: every float sum is
	// exact.
	dyadic := func(r *rand.Rand, i int) string {
		k := fmt.Sprintf(`"k":"k%d"`, r.IntN(5))
		switch r.IntN(10) {
		case 0:
			return "{" + k + "}"
		case 1:
			return "{" + k + `,"v":null}`
		case 2, 3, 4:
			return "{" + k + `,"v":` + strconv.Itoa(r.IntN(200)-100) + "}"
		}
		return "{" + k + `,"v":` + strconv.FormatFloat(float64(r.IntN(800)-400)/8, 'f', -1, 64) + "}"
	}
	decimal := func(r *rand.Rand, i int) string {
		v := strconv.FormatFloat(math.Round((r.Float64()*100-20)*1000)/1000, 'f', -1, 64)
		if r.IntN(5) == 0 {
			v = strconv.Itoa(r.IntN(100))
		}
		return fmt.Sprintf(`{"k":"k%d","v":%s,"w":%d}`, r.IntN(3), v, r.IntN(10))
	}
	// values sum rejects, mixed types for min/max, floats too large for
	// exact sums: the accumulators must hand those windows back to
	// re-aggregation.
	awkward := func(r *rand.Rand, i int) string {
		k := fmt.Sprintf(`"k":"k%d"`, r.IntN(3))
		var v string
		switch r.IntN(30) {
		case 0:
			v = `"str"`
		case 1:
			v = `true`
		case 2:
			v = `1e305`
		case 3:
			v = `[1]`
		case 4:
			v = `"2023-11-14 22:13:20"`
		default:
			v = strconv.Itoa(r.IntN(50))
		}
		return "{" + k + `,"v":` + v + "}"
	}
	// bigints, some near the limits (a running sum overflows), and
	// dyadic floats (for sums that mix both).
	bigints := func(r *rand.Rand, i int) string {
		v := strconv.Itoa(r.IntN(2000) - 1000)
		switch r.IntN(40) {
		case 0:
			v = strconv.FormatInt(math.MaxInt64-int64(r.IntN(10)), 10)
		case 1:
			v = strconv.FormatInt(math.MinInt64+int64(r.IntN(10)), 10)
		case 2:
			v = "null"
		}
		f := strconv.FormatFloat(float64(r.IntN(400)-200)/4, 'f', -1, 64)
		return fmt.Sprintf(`{"k":"k%d","v":%s,"f":%s,"w":%d}`, r.IntN(3), v, f, r.IntN(10))
	}
	mixed := `count(w) AS cw, sum(CASE WHEN w > 4 THEN f ELSE v END) AS sm, avg(CASE WHEN w > 6 THEN f ELSE v END) AS am, ` +
		`min(CASE WHEN w > 4 THEN f ELSE v END) AS mnm, max(CASE WHEN w > 4 THEN f ELSE v END) AS mxm`
	smallInts := func(r *rand.Rand, i int) string {
		f := strconv.FormatFloat(float64(r.IntN(400)-200)/4, 'f', -1, 64)
		return fmt.Sprintf(`{"k":"k%d","v":%d,"f":%s,"w":%d}`, r.IntN(3), r.IntN(2000)-1000, f, r.IntN(10))
	}
	strs := func(r *rand.Rand, i int) string {
		return fmt.Sprintf(`{"k":"k%d","s":"%c%d","v":%d}`, r.IntN(3), 'a'+rune(r.IntN(5)), r.IntN(3), r.IntN(5))
	}
	cases := []slidingCase{
		{name: "ints", sql: `SELECT ` + slidingAggs + ` FROM s GROUP BY SLIDINGWINDOW(ms, 40)`, gen: ints, exact: true},
		{name: "ints by key", sql: `SELECT k, ` + slidingAggs + ` FROM s GROUP BY k, SLIDINGWINDOW(ms, 40)`, gen: ints, exact: true},
		{name: "dyadic by key", sql: `SELECT k, v, ` + slidingAggs + ` FROM s GROUP BY k, SLIDINGWINDOW(ms, 60)`, gen: dyadic, exact: true},
		{name: "dyadic delay", sql: `SELECT ` + slidingAggs + `, window_start() AS ws, window_end() AS we FROM s GROUP BY SLIDINGWINDOW(ms, 50, 20)`, gen: dyadic, exact: true},
		{name: "dyadic when", sql: `SELECT k, ` + slidingAggs + ` FROM s GROUP BY k, SLIDINGWINDOW(ms, 50) OVER (WHEN v > 3)`, gen: dyadic, exact: true},
		{name: "filter having order limit", sql: `SELECT k, count(*) FILTER (WHERE v > 0) AS cp, sum(v) FILTER (WHERE v < 0) AS sn, max(v) AS mx FROM s GROUP BY k, SLIDINGWINDOW(ms, 50) HAVING count(*) > 2 ORDER BY mx DESC, k LIMIT 2`, gen: dyadic, exact: true},
		{name: "analytic first row", sql: `SELECT k, lag(v) AS lv, count(*) AS c, min(v) AS mn FROM s GROUP BY k, SLIDINGWINDOW(ms, 30)`, gen: dyadic, exact: true},
		{name: "no aggregates", sql: `SELECT k FROM s GROUP BY k, SLIDINGWINDOW(ms, 30)`, gen: ints, exact: true},
		{name: "decimals", sql: `SELECT k, ` + slidingAggs + `, sum(w) AS sw FROM s GROUP BY k, SLIDINGWINDOW(ms, 80)`, gen: decimal},
		{name: "decimals delay when", sql: `SELECT ` + slidingAggs + ` FROM s GROUP BY SLIDINGWINDOW(ms, 80, 30) OVER (WHEN w > 4)`, gen: decimal},
		{name: "awkward values", sql: `SELECT k, ` + slidingAggs + ` FROM s GROUP BY k, SLIDINGWINDOW(ms, 50)`, gen: awkward, exact: true},
		{name: "bigints", sql: `SELECT k, ` + slidingAggs + ` FROM si GROUP BY k, SLIDINGWINDOW(ms, 50)`, gen: bigints, exact: true},
		{name: "bigints and floats", sql: `SELECT k, ` + mixed + ` FROM si GROUP BY k, SLIDINGWINDOW(ms, 50)`, gen: smallInts, exact: true},
		{name: "strings", sql: `SELECT k, min(s) AS mn, max(s) AS mx, count(s) AS c FROM s GROUP BY k, SLIDINGWINDOW(ms, 40)`, gen: strs, exact: true},
		{name: "group errors", sql: `SELECT count(*) AS c, sum(v) AS sv FROM s GROUP BY 10 / v, SLIDINGWINDOW(ms, 40)`, gen: ints, exact: true},
		{name: "max rows", sql: `SELECT ` + slidingAggs + ` FROM s GROUP BY SLIDINGWINDOW(ms, 100)`, gen: dyadic, exact: true, opts: exec.Options{MaxRows: 7}},
		{name: "max groups", sql: `SELECT k, count(*) AS c FROM s GROUP BY k, SLIDINGWINDOW(ms, 100)`, gen: dyadic, exact: true, opts: exec.Options{MaxGroups: 3}},
		{name: "event time", sql: `SELECT k, ` + slidingAggs + ` FROM se GROUP BY k, SLIDINGWINDOW(ms, 50)`, gen: dyadic, exact: true, eventTime: true},
		{name: "event time delay", sql: `SELECT k, ` + slidingAggs + ` FROM se GROUP BY k, SLIDINGWINDOW(ms, 50, 25)`, gen: dyadic, exact: true, eventTime: true},
		{name: "event time decimals when", sql: `SELECT ` + slidingAggs + ` FROM se GROUP BY SLIDINGWINDOW(ms, 70, 10) OVER (WHEN w > 2)`, gen: decimal, eventTime: true},
		{name: "event time awkward", sql: `SELECT k, ` + slidingAggs + ` FROM se GROUP BY k, SLIDINGWINDOW(ms, 50)`, gen: awkward, exact: true, eventTime: true},
		{name: "event time bigints", sql: `SELECT k, ` + slidingAggs + `, ` + mixed + ` FROM sei GROUP BY k, SLIDINGWINDOW(ms, 50, 10)`, gen: bigints, exact: true, eventTime: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(20) {
				playSliding(t, tc, seed)
			}
		})
	}
}

// playSliding plays random messages (in and out of time order) and clock
// ticks through the rule with accumulators and with re-aggregation, with
// a restart from a checkpoint now and then for the former, and compares
// results and counters.
func playSliding(t *testing.T, tc slidingCase, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	opts := tc.opts
	opts.Start, opts.EventTime = T, tc.eventTime
	if tc.eventTime {
		opts.LateTolerance = 20
	}
	inc := newHarness(t, tc.sql, opts)
	re := newHarness(t, tc.sql, opts)
	exec.ReaggregateSliding(re.op)
	require.True(t, exec.SlidingIncremental(inc.op), "the case must run with accumulators")
	var got []string
	var counts [6]int
	collect := func(h *harness) {
		got = append(got, h.take()...)
		for i, n := range []int{h.window.drop, h.window.late, h.agg.in, h.agg.out, h.agg.ex, h.proj.in} {
			counts[i] += n
		}
	}
	var want []string
	var reCounts [6]int
	collectRe := func(h *harness) {
		want = append(want, h.take()...)
		for i, n := range []int{h.window.drop, h.window.late, h.agg.in, h.agg.out, h.agg.ex, h.proj.in} {
			reCounts[i] += n
		}
	}
	now := T
	for i := range 300 {
		switch x := r.IntN(20); {
		case x == 0 && !tc.eventTime:
			now += int64(r.IntN(40))
			inc.op.Advance(now)
			re.op.Advance(now)
			continue
		case x == 1:
			// A checkpoint and a restart of both (analytic functions
			// start afresh).
			b, err := inc.op.Snapshot()
			require.NoError(t, err)
			fresh := newHarness(t, tc.sql, opts)
			require.NoError(t, fresh.op.Restore(b, now))
			require.True(t, exec.SlidingIncremental(fresh.op))
			collect(inc)
			inc = fresh
			b, err = re.op.Snapshot()
			require.NoError(t, err)
			fresh = newHarness(t, tc.sql, opts)
			require.NoError(t, fresh.op.Restore(b, now))
			exec.ReaggregateSliding(fresh.op)
			collectRe(re)
			re = fresh
		}
		now += int64(r.IntN(6))
		ts := now
		if r.IntN(8) == 0 {
			ts -= int64(r.IntN(30)) // out of order
		}
		m := tc.gen(r, i)
		if tc.eventTime {
			m = m[:len(m)-1] + `,"ts":` + strconv.FormatInt(ts, 10) + "}"
			m = strings.Replace(m, "{,", "{", 1)
			ts = now
		}
		inc.send(0, ts, m)
		re.send(0, ts, m)
		if dl, ok := re.op.Deadline(); ok && dl <= now {
			re.op.Advance(now)
		}
		if dl, ok := inc.op.Deadline(); ok && dl <= now {
			inc.op.Advance(now)
		}
	}
	collect(inc)
	collectRe(re)
	ctx := fmt.Sprintf("seed %d", seed)
	require.Equal(t, len(want), len(got), ctx)
	for i := range want {
		if tc.exact {
			require.Equal(t, want[i], got[i], "%s, result %d", ctx, i)
			continue
		}
		requireClose(t, want[i], got[i], fmt.Sprintf("%s, result %d", ctx, i))
	}
	require.Equal(t, reCounts, counts, ctx)
}

// requireClose compares two result sets: equal but for floats within a
// relative 1e-9.
func requireClose(t *testing.T, want, got, msg string) {
	t.Helper()
	if want == got {
		return
	}
	w, g := strings.Split(want, " "), strings.Split(got, " ")
	require.Equal(t, len(w), len(g), msg)
	for i := range w {
		var a, b map[string]any
		require.NoError(t, json.Unmarshal([]byte(w[i]), &a))
		require.NoError(t, json.Unmarshal([]byte(g[i]), &b))
		require.Equal(t, len(a), len(b), "%s: %s vs %s", msg, want, got)
		for k, av := range a {
			bv, ok := b[k]
			require.True(t, ok, "%s: %s vs %s", msg, want, got)
			x, xok := av.(float64)
			y, yok := bv.(float64)
			if xok && yok {
				require.LessOrEqual(t, math.Abs(x-y), 1e-9*math.Max(1, math.Abs(x)), "%s: %s vs %s", msg, want, got)
				continue
			}
			require.Equal(t, av, bv, "%s: %s vs %s", msg, want, got)
		}
	}
}

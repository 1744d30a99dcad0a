package exec_test

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/kuiperio/kuiper/internal/exec"
	"github.com/kuiperio/kuiper/internal/value"
)

// benchRows builds n decoded rows {"k": "k<i mod keys>", "v": i, "id": i mod
// ids} as a source would hand them over.
func benchRows(n, keys, ids int) []*value.Row {
	rows := make([]*value.Row, n)
	for i := range rows {
		o := value.NewObject(3)
		o.Append("k", value.StringValue("k"+strconv.Itoa(i%keys)))
		o.Append("v", value.FloatValue(float64(i%97)))
		o.Append("id", value.FloatValue(float64(i%max(ids, 1))))
		rows[i] = &value.Row{Msg: o}
	}
	return rows
}

// BenchmarkWindow measures the operator's cost per input row (ns/op,
// allocs/op) for windowed aggregates. Rows arrive 1 ms apart in
// processing time; windows close as time passes, so the cost of emitting
// is included.
func BenchmarkWindow(b *testing.B) {
	for _, bc := range []struct {
		name string
		sql  string
		keys int
	}{
		{"tumbling/1_key", `SELECT count(*) AS c, avg(v) AS a FROM s GROUP BY TUMBLINGWINDOW(ss, 2)`, 1},
		{"tumbling/100_keys", `SELECT k, count(*) AS c, avg(v) AS a FROM s GROUP BY k, TUMBLINGWINDOW(ss, 2)`, 100},
		{"tumbling/10000_keys", `SELECT k, count(*) AS c, avg(v) AS a FROM s GROUP BY k, TUMBLINGWINDOW(ss, 2)`, 10000},
		{"hopping_10s_by_2s/1_key", `SELECT count(*) AS c, avg(v) AS a FROM s GROUP BY HOPPINGWINDOW(ss, 10, 2)`, 1},
		{"hopping_10s_by_2s/100_keys", `SELECT k, count(*) AS c, avg(v) AS a FROM s GROUP BY k, HOPPINGWINDOW(ss, 10, 2)`, 100},
		{"hopping_10s_by_2s/10000_keys", `SELECT k, count(*) AS c, avg(v) AS a FROM s GROUP BY k, HOPPINGWINDOW(ss, 10, 2)`, 10000},
		{"sliding_100ms/1_key", `SELECT count(*) AS c, avg(v) AS a FROM s GROUP BY SLIDINGWINDOW(ms, 100)`, 1},
		{"count_1000/1_key", `SELECT count(*) AS c, avg(v) AS a FROM s GROUP BY COUNTWINDOW(1000)`, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := newHarness(b, bc.sql, exec.Options{Start: T})
			h.discard = true
			rows := benchRows(100_000, bc.keys, 1)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r := rows[i%len(rows)]
				now := T + int64(i)
				r.Ts = now
				h.op.Ingest(0, r)
				if dl, ok := h.op.Deadline(); ok && dl <= now {
					h.op.Advance(now)
				}
				h.out = h.out[:0]
				i++
			}
		})
	}
}

// BenchmarkWindowHeapByRate shows that an incremental tumbling
// count/avg window keeps the same heap whatever the message rate: it
// feeds one 2-second window at 1k, 10k, 100k and 1M messages and reports
// the heap the operator holds just before the window closes
// (retained-B/window), measured after a GC.
func BenchmarkWindowHeapByRate(b *testing.B) {
	for _, perWindow := range []int{1_000, 10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("msgs_per_window=%d", perWindow), func(b *testing.B) {
			h := newHarness(b, `SELECT count(*) AS c, avg(v) AS a FROM s GROUP BY TUMBLINGWINDOW(ss, 2)`, exec.Options{Start: T})
			var before, after runtime.MemStats
			b.ReportAllocs()
			retained := int64(0)
			w := int64(0)
			for b.Loop() {
				start := T + w*2000
				runtime.GC()
				runtime.ReadMemStats(&before)
				for i := 0; i < perWindow; i++ {
					// A fresh row per message, as the decoder makes them.
					o := value.NewObject(2)
					o.Append("v", value.FloatValue(float64(i%97)))
					h.op.Ingest(0, &value.Row{Msg: o, Ts: start + int64(i)*2000/int64(perWindow)})
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				retained = max(retained, int64(after.HeapAlloc)-int64(before.HeapAlloc))
				h.op.Advance(start + 2000)
				h.out = h.out[:0]
				w++
			}
			b.ReportMetric(float64(retained), "retained-B/window")
		})
	}
}

// BenchmarkJoin measures a stream joined with a scan table of 1000 rows
// (per stream row), and two streams joined in a count window of 1000
// rows (per input row).
func BenchmarkJoin(b *testing.B) {
	b.Run("stream_table_1000_rows", func(b *testing.B) {
		h := newHarness(b, `SELECT s.v AS v, tb.name AS name FROM s INNER JOIN tb ON s.id = tb.id`, exec.Options{})
		h.discard = true
		for i := 0; i < 1000; i++ {
			h.table(1, fmt.Sprintf(`{"id":%d,"name":"n%d"}`, i, i))
		}
		rows := benchRows(10_000, 1, 1000)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			h.op.Ingest(0, rows[i%len(rows)])
			h.out = h.out[:0]
			i++
		}
	})
	b.Run("stream_stream_countwindow_1000", func(b *testing.B) {
		h := newHarness(b, `SELECT l.v AS v, r.v AS w FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(1000)`, exec.Options{})
		h.discard = true
		rows := benchRows(10_000, 1, 500)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			h.op.Ingest(i%2, rows[i%len(rows)])
			h.out = h.out[:0]
			i++
		}
	})
}

package exec_test

import (
	"fmt"
	"testing"

	"github.com/kuiperio/kuiper/internal/exec"
)

// BenchmarkWindowSliding measures a sliding count/avg per input row
// (every row triggers a window) for windows holding 1k and 10k rows,
// with 1 and 100 GROUP BY keys. Rows arrive 1 ms apart in processing
// time, so SLIDINGWINDOW(ss, 1) holds 1,000 rows and (ss, 10) 10,000.
func BenchmarkWindowSliding(b *testing.B) {
	for _, size := range []int{1, 10} {
		for _, keys := range []int{1, 100} {
			sql := fmt.Sprintf(`SELECT count(*) AS c, avg(v) AS a FROM s GROUP BY SLIDINGWINDOW(ss, %d)`, size)
			if keys > 1 {
				sql = fmt.Sprintf(`SELECT k, count(*) AS c, avg(v) AS a FROM s GROUP BY k, SLIDINGWINDOW(ss, %d)`, size)
			}
			b.Run(fmt.Sprintf("rows=%dk/keys=%d", size, keys), func(b *testing.B) {
				h := newHarness(b, sql, exec.Options{Start: T})
				h.discard = true
				rows := benchRows(100_000, keys, 1)
				// Fill the window first so that every measured row sees a
				// full one.
				n := size * 1000
				for i := 0; i < n; i++ {
					r := rows[i%len(rows)]
					r.Ts = T + int64(i)
					h.op.Ingest(0, r)
				}
				b.ReportAllocs()
				i := n
				for b.Loop() {
					r := rows[i%len(rows)]
					r.Ts = T + int64(i)
					h.op.Ingest(0, r)
					i++
				}
			})
		}
	}
}

package exec_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/exec"
)

// The join inputs of eKuiper's join cases: l 1, r 1, l 2, r 3.
var joinSteps = []step{
	src(0, 1, `{"id":1,"v":"l1"}`), src(1, 2, `{"id":1,"w":"r1"}`),
	src(0, 3, `{"id":2,"v":"l2"}`), src(1, 4, `{"id":3,"w":"r3"}`),
}

func TestJoins_Streams(t *testing.T) {
	tests := []struct {
		name  string
		sql   string
		steps []step
		want  []string
	}{
		{
			name: "inner",
			sql:  `SELECT l.id AS id, l.v AS v, r.w AS w FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(4)`,
			want: []string{`{"id":1,"v":"l1","w":"r1"}`},
		},
		{
			name: "left",
			sql:  `SELECT l.id AS id, r.w AS w FROM l LEFT JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(4)`,
			want: []string{`{"id":1,"w":"r1"} {"id":2}`},
		},
		{
			name: "right",
			sql:  `SELECT l.v AS v, r.id AS rid FROM l RIGHT JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(4)`,
			want: []string{`{"rid":1,"v":"l1"} {"rid":3}`},
		},
		{
			name: "full",
			sql:  `SELECT l.id AS lid, r.id AS rid FROM l FULL JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(4)`,
			want: []string{`{"lid":1,"rid":1} {"lid":2} {"rid":3}`},
		},
		{
			name: "cross",
			sql:  `SELECT l.v AS v, r.w AS w FROM l CROSS JOIN r GROUP BY COUNTWINDOW(4)`,
			want: []string{`{"v":"l1","w":"r1"} {"v":"l1","w":"r3"} {"v":"l2","w":"r1"} {"v":"l2","w":"r3"}`},
		},
		{
			name: "star merges the sources, qualified star takes one",
			sql:  `SELECT l.*, r.w FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(4)`,
			want: []string{`{"id":1,"v":"l1","w":"r1"}`},
		},
		{
			name: "WHERE applies to joined rows",
			sql:  `SELECT l.id AS id FROM l LEFT JOIN r ON l.id = r.id WHERE r.w = "r1" GROUP BY COUNTWINDOW(4)`,
			want: []string{`{"id":1}`},
		},
		{
			name: "aggregates over joined rows",
			sql:  `SELECT count(*) AS n, collect(r.w) AS ws FROM l CROSS JOIN r GROUP BY COUNTWINDOW(4)`,
			want: []string{`{"n":4,"ws":["r1","r3","r1","r3"]}`},
		},
		{
			name: "three sources",
			sql:  `SELECT l.id AS id, r.w AS w, m.x AS x FROM l INNER JOIN r ON l.id = r.id LEFT JOIN m ON l.id = m.id GROUP BY COUNTWINDOW(5)`,
			steps: []step{
				src(0, 1, `{"id":1}`), src(1, 2, `{"id":1,"w":"r1"}`), src(2, 3, `{"id":1,"x":"m1"}`),
				src(0, 4, `{"id":2}`), src(1, 5, `{"id":2,"w":"r2"}`),
			},
			want: []string{`{"id":1,"w":"r1","x":"m1"} {"id":2,"w":"r2"}`},
		},
		{
			name: "unqualified columns of schemaless sources are looked up in each row",
			sql:  `SELECT v, w FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(4)`,
			want: []string{`{"v":"l1","w":"r1"}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.sql, exec.Options{})
			steps := tc.steps
			if steps == nil {
				steps = joinSteps
			}
			require.Equal(t, tc.want, h.play(steps))
		})
	}
}

// Event-time joins close a window once every stream's watermark passed
// it: a stream that is behind holds the window back.
func TestJoins_EventTimeWatermarkAcrossStreams(t *testing.T) {
	h := newHarness(t, `SELECT el.id AS id, el.v AS v, er.w AS w FROM el INNER JOIN er ON el.id = er.id GROUP BY TUMBLINGWINDOW(ss, 10)`,
		exec.Options{EventTime: true, LateTolerance: 1000})
	out := h.play([]step{
		src(0, 0, `{"id":1,"v":1,"ts":1000}`), src(1, 0, `{"id":1,"w":10,"ts":2000}`),
		src(0, 0, `{"id":2,"v":2,"ts":15000}`),
	})
	require.Empty(t, out, "er is still at 2000")
	out = h.play([]step{src(1, 0, `{"id":2,"w":20,"ts":14000}`)})
	require.Equal(t, []string{`{"id":1,"v":1,"w":10}`}, out)
	out = h.play([]step{src(1, 0, `{"id":0,"w":0,"ts":31000}`), src(0, 0, `{"id":0,"v":0,"ts":31000}`)})
	require.Equal(t, []string{`{"id":2,"v":2,"w":20}`}, out)
}

func TestJoins_Tables(t *testing.T) {
	t.Run("without a window each stream row joins the snapshot", func(t *testing.T) {
		h := newHarness(t, `SELECT s.id AS id, t3.name AS name FROM s LEFT JOIN t3 ON s.id = t3.id`, exec.Options{})
		h.table(1, `{"id":1,"name":"one"}`)
		h.table(1, `{"id":2,"name":"two"}`)
		h.send(0, 1, `{"id":1}`)
		h.send(0, 2, `{"id":3}`)
		h.table(1, `{"id":3,"name":"three"}`)
		h.table(1, `{"id":4,"name":"four"}`) // evicts id 1: RETAIN_SIZE 3
		h.send(0, 3, `{"id":3}`)
		h.send(0, 4, `{"id":1}`)
		require.Equal(t, []string{`{"id":1,"name":"one"}`, `{"id":3}`, `{"id":3,"name":"three"}`, `{"id":1}`}, h.take())
		require.Equal(t, 3, h.op.Table(1).Len())
	})
	t.Run("a table without RETAIN_SIZE keeps the newest row", func(t *testing.T) {
		h := newHarness(t, `SELECT s.id AS id, t.name AS name FROM s INNER JOIN t ON s.id = t.id`, exec.Options{})
		h.table(1, `{"id":1,"name":"one"}`)
		h.table(1, `{"id":2,"name":"two"}`)
		h.send(0, 1, `{"id":1}`)
		h.send(0, 2, `{"id":2}`)
		require.Equal(t, []string{`{"id":2,"name":"two"}`}, h.take())
	})
	t.Run("aggregates over a table join without a window", func(t *testing.T) {
		h := newHarness(t, `SELECT s.k AS k, count(*) AS n FROM s INNER JOIN t3 ON s.k = t3.name`, exec.Options{})
		h.table(1, `{"id":1,"name":"a"}`)
		h.table(1, `{"id":2,"name":"a"}`)
		h.table(1, `{"id":3,"name":"b"}`)
		h.send(0, 1, `{"k":"a"}`)
		h.send(0, 2, `{"k":"b"}`)
		require.Equal(t, []string{`{"k":"a","n":2}`, `{"k":"b","n":1}`}, h.take())
	})
	t.Run("a stream and a table in a window", func(t *testing.T) {
		h := newHarness(t, `SELECT collect(t3.name) AS names FROM s INNER JOIN t3 ON s.id = t3.id GROUP BY COUNTWINDOW(2)`, exec.Options{})
		h.table(1, `{"id":1,"name":"one"}`)
		h.table(1, `{"id":2,"name":"two"}`)
		h.send(0, 1, `{"id":2}`)
		h.send(0, 2, `{"id":1}`)
		require.Equal(t, []string{`{"names":["two","one"]}`}, h.take())
	})
}

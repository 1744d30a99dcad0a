package exec_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/exec"
)

// In a join, an analytic call is evaluated on each row of the stream it
// reads, when the row arrives (whether or not the row is joined later),
// and its value travels with the row into the joined tuples.
func TestJoins_Analytic(t *testing.T) {
	// Two tumbling windows of l and r; r 3 (w 30) joins nothing but still
	// moves lag(r.w).
	steps := []step{
		src(0, T+100, `{"id":1,"v":1}`), src(1, T+200, `{"id":1,"w":10}`),
		src(0, T+300, `{"id":2,"v":2}`), src(1, T+400, `{"id":2,"w":20}`),
		src(1, T+500, `{"id":3,"w":30}`),
		tick(T + 1000),
		src(0, T+1100, `{"id":3,"v":3}`), src(1, T+1200, `{"id":3,"w":40}`),
		tick(T + 2000),
	}
	tests := []struct {
		name  string
		sql   string
		steps []step
		want  []string
	}{
		{
			name:  "lag of each stream in an inner join, across windows",
			sql:   `SELECT l.id AS id, l.v AS v, lag(l.v) AS lv, r.w AS w, lag(r.w) AS lw FROM l INNER JOIN r ON l.id = r.id GROUP BY TUMBLINGWINDOW(ss, 1)`,
			steps: steps,
			want: []string{
				`{"id":1,"v":1,"w":10} {"id":2,"lv":1,"lw":10,"v":2,"w":20}`,
				`{"id":3,"lv":2,"lw":30,"v":3,"w":40}`,
			},
		},
		{
			name:  "WHERE after the join sees the values",
			sql:   `SELECT l.id AS id FROM l INNER JOIN r ON l.id = r.id WHERE lag(r.w) > 15 GROUP BY TUMBLINGWINDOW(ss, 1)`,
			steps: steps,
			want:  []string{`{"id":3}`},
		},
		{
			name:  "ON sees the values",
			sql:   `SELECT l.id AS id, r.id AS rid FROM l INNER JOIN r ON lag(l.id) = r.id - 1 GROUP BY TUMBLINGWINDOW(ss, 1)`,
			steps: steps,
			want:  []string{`{"id":2,"rid":2}`, `{"id":3,"rid":3}`},
		},
		{
			name:  "a tuple without the stream's row has no value",
			sql:   `SELECT r.id AS id, latest(l.v, 0) AS lv, had_changed(true, r.w) AS ch FROM l RIGHT JOIN r ON l.id = r.id GROUP BY TUMBLINGWINDOW(ss, 1)`,
			steps: steps,
			want: []string{
				`{"ch":true,"id":1,"lv":1} {"ch":true,"id":2,"lv":2} {"ch":true,"id":3}`,
				`{"ch":true,"id":3,"lv":3}`,
			},
		},
		{
			name:  "a call that reads no stream runs on every row; a tuple takes its first row's value",
			sql:   `SELECT l.id AS id, acc_count(1) AS n FROM l INNER JOIN r ON l.id = r.id GROUP BY TUMBLINGWINDOW(ss, 1)`,
			steps: steps,
			want:  []string{`{"id":1,"n":1} {"id":2,"n":3}`, `{"id":3,"n":6}`},
		},
		{
			name:  "PARTITION BY and ORDER BY",
			sql:   `SELECT l.id AS id, acc_sum(r.w) OVER (PARTITION BY r.id % 2) AS s FROM l INNER JOIN r ON l.id = r.id GROUP BY TUMBLINGWINDOW(ss, 1) ORDER BY s DESC`,
			steps: steps,
			want:  []string{`{"id":2,"s":20} {"id":1,"s":10}`, `{"id":3,"s":80}`},
		},
		{
			name:  "grouped: a group takes its first tuple's values",
			sql:   `SELECT count(*) AS n, lag(r.w) AS lw FROM l CROSS JOIN r GROUP BY TUMBLINGWINDOW(ss, 1)`,
			steps: steps,
			want:  []string{`{"n":6}`, `{"lw":30,"n":1}`},
		},
		{
			name: "count window",
			sql:  `SELECT l.v AS v, lag(l.v) AS lv, r.w AS w FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(4)`,
			steps: []step{
				src(0, 1, `{"id":1,"v":1}`), src(1, 2, `{"id":1,"w":10}`), src(0, 3, `{"id":2,"v":2}`), src(1, 4, `{"id":2,"w":20}`),
			},
			want: []string{`{"v":1,"w":10} {"lv":1,"v":2,"w":20}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.sql, exec.Options{Start: T})
			require.Equal(t, tc.want, h.play(tc.steps))
		})
	}
}

// A stream joined with a table, without a window: the stream's analytic
// values join the snapshot row by row.
func TestJoins_AnalyticWithTable(t *testing.T) {
	h := newHarness(t, `SELECT s.id AS id, lag(s.id) AS prev, t3.name AS name FROM s LEFT JOIN t3 ON s.id = t3.id`, exec.Options{})
	h.table(1, `{"id":1,"name":"one"}`)
	h.table(1, `{"id":2,"name":"two"}`)
	out := h.play([]step{msg(1, `{"id":1}`), msg(2, `{"id":2}`), msg(3, `{"id":5}`)})
	require.Equal(t, []string{`{"id":1,"name":"one"}`, `{"id":2,"name":"two","prev":1}`, `{"id":5,"prev":2}`}, out)
}

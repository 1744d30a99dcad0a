package function

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

// anRow is one row fed to an analytic function: its arguments and its
// WHEN value.
type anRow struct {
	args []value.Value
	when bool
}

func rowsWhen(args ...[]value.Value) []anRow {
	out := make([]anRow, len(args))
	for i, a := range args {
		out[i] = anRow{args: a, when: true}
	}
	return out
}

func args(v ...value.Value) []value.Value { return v }

// runAnalytic runs rows through one state and returns the JSON of every
// result ("missing" for a null result).
func runAnalytic(t *testing.T, fn string, consts []Arg, rows []anRow) []string {
	t.Helper()
	s, ok := testRegistry().Lookup(fn)
	require.True(t, ok)
	require.Equal(t, Analytic, s.Kind)
	require.NoError(t, s.CheckArgs(consts))
	state := s.NewState(consts)
	var out []string
	for _, r := range rows {
		v, err := s.ExecAnalytic(state, r.args, r.when)
		require.NoError(t, err)
		if v.IsMissing() {
			out = append(out, "missing")
		} else {
			out = append(out, string(v.AppendJSON(nil, value.SortKeys)))
		}
	}
	return out
}

func TestAnalytic(t *testing.T) {
	ks := []string{"a", "b", "a", "b", "a"}
	vs5 := []float64{1, 10, 3, 10, 6}
	var plain [][]value.Value
	for i := range ks {
		plain = append(plain, args(vf(vs5[i])))
	}
	tests := []struct {
		name   string
		fn     string
		consts []Arg
		rows   []anRow
		want   []string
	}{
		{"lag", "lag", []Arg{col}, rowsWhen(args(vf(1)), args(vf(5)), args(vf(6))), []string{"missing", "1", "5"}},
		{"lag offset default", "lag", []Arg{col, lit(vi(2)), lit(vi(0))},
			rowsWhen(args(vf(1), vi(2), vi(0)), args(vf(10), vi(2), vi(0)), args(vf(3), vi(2), vi(0)), args(vf(10), vi(2), vi(0)), args(vf(6), vi(2), vi(0))),
			[]string{"0", "0", "1", "10", "3"}},
		{"lag ignore null", "lag", []Arg{col, lit(vi(1)), lit(vi(-1)), lit(vb(true))},
			rowsWhen(args(vf(1), vi(1), vi(-1), vb(true)), args(vnull, vi(1), vi(-1), vb(true)), args(vf(3), vi(1), vi(-1), vb(true)), args(vf(4), vi(1), vi(-1), vb(true))),
			[]string{"-1", "1", "1", "3"}},
		{"lag keeps nulls", "lag", []Arg{col}, rowsWhen(args(vf(1)), args(vnull), args(vf(3))), []string{"missing", "1", "missing"}},
		{"lag offset zero", "lag", []Arg{col, lit(vi(0))}, rowsWhen(args(vf(1), vi(0)), args(vf(2), vi(0))), []string{"1", "2"}},
		{"lag when false", "lag", []Arg{col}, []anRow{{args(vf(1)), true}, {args(vf(2)), false}, {args(vf(3)), true}, {args(vf(4)), true}}, []string{"missing", "1", "1", "3"}},
		{"latest default", "latest", []Arg{col, lit(vi(0))}, rowsWhen(args(vmiss, vi(0)), args(vf(2), vi(0)), args(vmiss, vi(0))), []string{"0", "2", "2"}},
		{"latest no default", "latest", []Arg{col}, rowsWhen(args(vnull), args(vs("x")), args(vnull)), []string{"missing", `"x"`, `"x"`}},
		{"latest when false", "latest", []Arg{col}, []anRow{{args(vf(1)), true}, {args(vf(2)), false}}, []string{"1", "1"}},
		{"changed_col", "changed_col", []Arg{lit(vb(false)), col},
			rowsWhen(args(vb(false), vs("on")), args(vb(false), vs("on")), args(vb(false), vs("off")), args(vb(false), vnull), args(vb(false), vs("off"))),
			[]string{`"on"`, "missing", `"off"`, "missing", `"off"`}},
		{"changed_col ignore null", "changed_col", []Arg{lit(vb(true)), col},
			rowsWhen(args(vb(true), vi(1)), args(vb(true), vnull), args(vb(true), vf(1)), args(vb(true), vi(2))),
			[]string{"1", "missing", "missing", "2"}},
		{"changed_col when false", "changed_col", []Arg{lit(vb(true)), col},
			[]anRow{{args(vb(true), vi(1)), true}, {args(vb(true), vi(2)), false}, {args(vb(true), vi(2)), true}},
			[]string{"1", "missing", "2"}},
		{"had_changed", "had_changed", []Arg{lit(vb(true)), col},
			rowsWhen(args(vb(true), vs("on")), args(vb(true), vs("on")), args(vb(true), vs("off")), args(vb(true), vs("off")), args(vb(true), vs("on"))),
			[]string{"true", "false", "true", "false", "true"}},
		{"had_changed several", "had_changed", []Arg{lit(vb(false)), col, col},
			rowsWhen(args(vb(false), vi(1), vi(1)), args(vb(false), vi(1), vi(2)), args(vb(false), vi(1), vi(2)), args(vb(false), vi(1), vnull)),
			[]string{"true", "true", "false", "true"}},
		{"had_changed first nil", "had_changed", []Arg{lit(vb(false)), col}, rowsWhen(args(vb(false), vnull), args(vb(false), vi(1))), []string{"false", "true"}},
		{"had_changed when false", "had_changed", []Arg{lit(vb(true)), col},
			[]anRow{{args(vb(true), vi(1)), true}, {args(vb(true), vi(2)), false}, {args(vb(true), vi(2)), true}},
			[]string{"true", "false", "true"}},
		{"acc_sum", "acc_sum", []Arg{col}, rowsWhen(plain...), []string{"1", "11", "14", "24", "30"}},
		{"acc_sum ints", "acc_sum", []Arg{col}, rowsWhen(args(vi(1)), args(vnull), args(vi(2))), []string{"1", "1", "3"}},
		{"acc_sum when false", "acc_sum", []Arg{col}, []anRow{{args(vi(1)), false}, {args(vi(2)), true}, {args(vi(3)), false}}, []string{"0", "2", "2"}},
		{"acc_count", "acc_count", []Arg{col}, rowsWhen(plain...), []string{"1", "2", "3", "4", "5"}},
		{"acc_count nil", "acc_count", []Arg{col}, rowsWhen(args(vnull), args(vs("x"))), []string{"0", "1"}},
		{"acc_avg", "acc_avg", []Arg{col}, rowsWhen(plain...), []string{"1", "5.5", "4.666666666666667", "6", "6"}},
		{"acc_avg none", "acc_avg", []Arg{col}, rowsWhen(args(vnull)), []string{"missing"}},
		{"acc_max", "acc_max", []Arg{col}, rowsWhen(plain...), []string{"1", "10", "10", "10", "10"}},
		{"acc_min", "acc_min", []Arg{col}, rowsWhen(plain...), []string{"1", "1", "1", "1", "1"}},
		{"acc_min none", "acc_min", []Arg{col}, []anRow{{args(vi(1)), false}}, []string{"missing"}},
		{"changed_cols", "changed_cols", []Arg{lit(vs("c_")), lit(vb(true)), {Name: "a"}, {Name: "b"}},
			rowsWhen(args(vs("c_"), vb(true), vf(1), vf(1)), args(vs("c_"), vb(true), vf(1), vf(2)), args(vs("c_"), vb(true), vf(2), vf(2)), args(vs("c_"), vb(true), vf(2), vf(2))),
			[]string{`{"c_a":1,"c_b":1}`, `{"c_b":2}`, `{"c_a":2}`, `{}`}},
		{"changed_cols unnamed and nulls", "changed_cols", []Arg{lit(vs("")), lit(vb(false)), {}},
			rowsWhen(args(vs(""), vb(false), vi(1)), args(vs(""), vb(false), vnull)),
			[]string{`{"kuiper_field_0":1}`, `{"kuiper_field_0":null}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, runAnalytic(t, tc.fn, tc.consts, tc.rows))
		})
	}
}

func TestAnalytic_PartitionsAreSeparateStates(t *testing.T) {
	// The planner keeps one state per partition key: acc_sum OVER
	// (PARTITION BY k) over the an_acc_partition input.
	s, _ := testRegistry().Lookup("acc_sum")
	states := map[string]any{}
	ks := []string{"a", "b", "a", "b", "a"}
	vs5 := []float64{1, 10, 3, 10, 6}
	var got []float64
	for i, k := range ks {
		if states[k] == nil {
			states[k] = s.NewState([]Arg{col})
		}
		v, err := s.ExecAnalytic(states[k], args(vf(vs5[i])), true)
		require.NoError(t, err)
		got = append(got, v.Num())
	}
	require.Equal(t, []float64{1, 10, 4, 20, 10}, got)
}

func TestAnalytic_Errors(t *testing.T) {
	s, _ := testRegistry().Lookup("acc_sum")
	_, err := s.ExecAnalytic(s.NewState(nil), args(vs("x")), true)
	require.EqualError(t, err, `function acc_sum: argument 1 (x) must be a number, got string("x")`)

	lag, _ := testRegistry().Lookup("lag")
	require.ErrorContains(t, lag.CheckArgs([]Arg{col, col}), "offset) must be an integer literal")
	require.ErrorContains(t, lag.CheckArgs([]Arg{col, lit(vi(-1))}), "must not be negative")
	require.ErrorContains(t, lag.CheckArgs([]Arg{col, lit(vi(1)), col, lit(vi(1))}), "argument 4 (ignore_null) must be bool")

	cc, _ := testRegistry().Lookup("changed_cols")
	require.ErrorContains(t, cc.CheckArgs([]Arg{lit(vs("p")), lit(vb(true))}), "expects at least 3 arguments")
	require.ErrorContains(t, cc.CheckArgs([]Arg{col, lit(vb(true)), col}), "argument 1 must be a literal")
}

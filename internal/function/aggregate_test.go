package function

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

// aggCase feeds rows of arguments to an aggregate.
type aggCase struct {
	name   string
	fn     string
	consts []Arg
	rows   [][]value.Value
	want   string // JSON, or "missing"
	err    string
}

func runAgg(t *testing.T, tc aggCase) (value.Value, error) {
	t.Helper()
	s, ok := testRegistry().Lookup(tc.fn)
	require.True(t, ok)
	require.Equal(t, Aggregate, s.Kind)
	consts := tc.consts
	if consts == nil && len(tc.rows) > 0 {
		consts = make([]Arg, len(tc.rows[0]))
	}
	agg := s.NewAggregator(consts)
	for _, r := range tc.rows {
		if err := agg.Add(r); err != nil {
			return value.Value{}, err
		}
	}
	return agg.Result()
}

func rowsOf(vals ...value.Value) [][]value.Value {
	out := make([][]value.Value, len(vals))
	for i, v := range vals {
		out[i] = []value.Value{v}
	}
	return out
}

func TestAggregate(t *testing.T) {
	nums := rowsOf(vf(1), vf(2), vf(3), vf(4), vf(10))
	withNil := rowsOf(vf(2), vnull, vmiss, vf(4))
	cases := []aggCase{
		{name: "count star", fn: "count", rows: [][]value.Value{{}, {}, {}}, want: "3"},
		{name: "count skips nil", fn: "count", rows: withNil, want: "2"},
		{name: "count empty", fn: "count", want: "0"},
		{name: "sum", fn: "sum", rows: nums, want: "20"},
		{name: "sum nil", fn: "sum", rows: withNil, want: "6"},
		{name: "sum ints stays int", fn: "sum", rows: rowsOf(vi(1), vi(2)), want: "3"},
		{name: "sum mixed", fn: "sum", rows: rowsOf(vi(1), vf(0.5)), want: "1.5"},
		{name: "sum overflow goes float", fn: "sum", rows: rowsOf(vi(1<<62), vi(1<<62), vi(1<<62)), want: "13835058055282163712"},
		{name: "sum empty", fn: "sum", want: "missing"},
		{name: "sum only nil", fn: "sum", rows: rowsOf(vnull), want: "missing"},
		{name: "sum string", fn: "sum", rows: rowsOf(vi(1), vs("2")), err: `function sum: argument 1 (x) must be a number, got string("2")`},
		{name: "avg", fn: "avg", rows: nums, want: "4"},
		{name: "avg ints is float", fn: "avg", rows: rowsOf(vi(1), vi(2)), want: "1.5"},
		{name: "avg nil", fn: "avg", rows: withNil, want: "3"},
		{name: "avg empty", fn: "avg", want: "missing"},
		{name: "max", fn: "max", rows: nums, want: "10"},
		{name: "max mixed numbers", fn: "max", rows: rowsOf(vi(3), vf(2.5)), want: "3"},
		{name: "min", fn: "min", rows: withNil, want: "2"},
		{name: "min strings", fn: "min", rows: rowsOf(vs("b"), vs("a"), vs("c")), want: `"a"`},
		{name: "max mixed kinds", fn: "max", rows: rowsOf(vi(1), vs("a")), err: "function max"},
		{name: "max bool", fn: "max", rows: rowsOf(vb(true)), err: "must be a number, string or datetime"},
		{name: "max empty", fn: "max", want: "missing"},
		{name: "collect", fn: "collect", rows: rowsOf(vf(1), vmiss, vf(3)), want: "[1,null,3]"},
		{name: "collect rows", fn: "collect", rows: rowsOf(vo("v", vf(1)), vo(), vo("v", vf(3))), want: `[{"v":1},{},{"v":3}]`},
		{name: "collect empty", fn: "collect", want: "[]"},
		{name: "deduplicate all", fn: "deduplicate", consts: []Arg{col, lit(vb(true))}, rows: [][]value.Value{
			{vf(1), vb(true), vo("v", vf(1))}, {vf(2), vb(true), vo("v", vf(2))}, {vf(1), vb(true), vo("v", vf(1))},
			{vf(3), vb(true), vo("v", vf(3))}, {vf(2), vb(true), vo("v", vf(2))},
		}, want: `[{"v":1},{"v":2},{"v":3}]`},
		{name: "deduplicate last new", fn: "deduplicate", consts: []Arg{col, lit(vb(false))}, rows: [][]value.Value{
			{vf(1), vb(false), vo("v", vf(1))}, {vf(2), vb(false), vo("v", vf(2))},
		}, want: `{"v":2}`},
		{name: "deduplicate last seen", fn: "deduplicate", consts: []Arg{col, lit(vb(false))}, rows: [][]value.Value{
			{vf(1), vb(false), vo("v", vf(1))}, {vi(1), vb(false), vo("v", vi(1))},
		}, want: "missing"},
		{name: "deduplicate without row", fn: "deduplicate", rows: [][]value.Value{{vf(1), vb(true)}}, err: "append the row"},
		{name: "last_value ignore null", fn: "last_value", consts: []Arg{col, lit(vb(true))}, rows: [][]value.Value{{vf(1), vb(true)}, {vf(2), vb(true)}, {vnull, vb(true)}}, want: "2"},
		{name: "last_value keep null", fn: "last_value", consts: []Arg{col, lit(vb(false))}, rows: [][]value.Value{{vf(1), vb(false)}, {vmiss, vb(false)}}, want: "null"},
		{name: "last_value flag per row", fn: "last_value", rows: [][]value.Value{{vf(1), vb(true)}, {vnull, vb(true)}}, want: "1"},
		{name: "last_value empty", fn: "last_value", want: "missing"},
		{name: "merge_agg", fn: "merge_agg", rows: rowsOf(vo("a", vo("a", vi(2)), "b", vi(2), "c", vi(3)), vo("a", vo("b", vi(2)), "b", vi(5), "d", vi(6)), vo("a", vo("a", vi(3)), "b", vi(8))), want: `{"a":{"a":3},"b":8,"c":3,"d":6}`},
		{name: "merge_agg non objects", fn: "merge_agg", rows: rowsOf(vi(1), vnull), want: `{}`},
		{name: "median odd", fn: "median", rows: rowsOf(vf(5), vf(1), vf(3)), want: "3"},
		{name: "median even", fn: "median", rows: rowsOf(vf(1), vf(7), vf(3), vf(4)), want: "3.5"},
		{name: "median empty", fn: "median", want: "missing"},
		{name: "stddev", fn: "stddev", rows: nums, want: "3.1622776601683795"},
		{name: "stddevs", fn: "stddevs", rows: nums, want: "3.5355339059327378"},
		{name: "var", fn: "var", rows: nums, want: "10"},
		{name: "vars", fn: "vars", rows: nums, want: "12.5"},
		{name: "var one value", fn: "var", rows: rowsOf(vf(3)), want: "0"},
		{name: "vars one value", fn: "vars", rows: rowsOf(vf(3)), want: "missing"},
		{name: "stddev skips nil", fn: "stddev", rows: rowsOf(vf(1), vnull, vf(3)), want: "1"},
		{name: "stddev string", fn: "stddev", rows: rowsOf(vs("1")), err: "must be a number"},
		{name: "percentile_cont", fn: "percentile_cont", consts: []Arg{col, lit(vf(0.5))}, rows: [][]value.Value{{vf(1), vf(0.5)}, {vf(2), vf(0.5)}, {vf(3), vf(0.5)}, {vf(4), vf(0.5)}}, want: "2.5"},
		{name: "percentile_cont ends", fn: "percentile_cont", consts: []Arg{col, lit(vi(1))}, rows: [][]value.Value{{vf(1), vi(1)}, {vf(9), vi(1)}}, want: "9"},
		{name: "percentile_cont p per row", fn: "percentile_cont", rows: [][]value.Value{{vf(10), vf(0)}, {vf(20), vf(0)}}, want: "10"},
		{name: "percentile_cont bad p", fn: "percentile_cont", rows: [][]value.Value{{vf(10), vf(2)}}, err: "between 0 and 1"},
		{name: "percentile_disc", fn: "percentile_disc", consts: []Arg{col, lit(vf(0.5))}, rows: [][]value.Value{{vi(1), vf(0.5)}, {vi(2), vf(0.5)}, {vi(3), vf(0.5)}, {vi(4), vf(0.5)}}, want: "2"},
		{name: "percentile_disc zero", fn: "percentile_disc", consts: []Arg{col, lit(vi(0))}, rows: [][]value.Value{{vf(3.5), vi(0)}, {vf(1.5), vi(0)}}, want: "1.5"},
		{name: "percentile_disc empty", fn: "percentile_disc", consts: []Arg{col, lit(vi(0))}, want: "missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runAgg(t, tc)
			if tc.err != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			if tc.want == "missing" {
				require.True(t, got.IsMissing(), "want null, got %s", got.String())
				return
			}
			js := string(got.AppendJSON(nil, value.SortKeys))
			require.True(t, jsonEqual(tc.want, js), "want %s, got %s", tc.want, js)
		})
	}
}

func TestAggregate_Validate(t *testing.T) {
	reg := testRegistry()
	for _, tc := range []struct {
		fn   string
		args []Arg
		err  string
	}{
		{"percentile_cont", []Arg{col, lit(vf(1.5))}, "between 0 and 1"},
		{"percentile_disc", []Arg{col, lit(vs("x"))}, "must be bigint|float"},
		{"deduplicate", []Arg{col, col}, "boolean literal"},
		{"deduplicate", []Arg{col, lit(vi(1))}, "must be bool"},
		{"count", nil, ""},
		{"count", []Arg{col, col}, "expects 0 to 1 argument"},
		{"sum", []Arg{lit(vs("a"))}, "must be bigint|float"},
	} {
		t.Run(tc.fn+" "+tc.err, func(t *testing.T) {
			s, _ := reg.Lookup(tc.fn)
			err := s.CheckArgs(tc.args)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.err)
		})
	}
}

func TestAggregate_ResultIsRepeatable(t *testing.T) {
	// Windows may read a result, add rows and read again (incremental
	// emission); Result must not consume the state.
	for _, fn := range []string{"count", "sum", "avg", "max", "median", "stddev", "collect", "percentile_disc"} {
		t.Run(fn, func(t *testing.T) {
			s, _ := testRegistry().Lookup(fn)
			agg := s.NewAggregator([]Arg{col, lit(vf(0.5))})
			for _, x := range []float64{3, 1, 2} {
				require.NoError(t, agg.Add([]value.Value{vf(x), vf(0.5)}))
			}
			first, err := agg.Result()
			require.NoError(t, err)
			second, err := agg.Result()
			require.NoError(t, err)
			require.Equal(t, string(first.AppendJSON(nil, 0)), string(second.AppendJSON(nil, 0)))
		})
	}
}

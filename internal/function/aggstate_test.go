package function

import (
	"fmt"
	"testing"

	"github.com/kuiperio/kuiper/internal/value"
)

// TestAggregatorCheckpoint folds half the rows, saves the state, loads it
// into a fresh aggregator and folds the rest into both: the results must
// match, and every built-in aggregate must take part.
func TestAggregatorCheckpoint(t *testing.T) {
	i, f, s, n := value.IntValue, value.FloatValue, value.StringValue, value.NullValue()
	row := func(k string, v value.Value) value.Value {
		o := value.NewObject(1)
		o.Append(k, v)
		return value.ObjectValue(o)
	}
	nums := [][]value.Value{{i(3)}, {f(1.5)}, {n}, {i(7)}, {i(-2)}, {f(4.25)}, {i(9)}}
	ints := [][]value.Value{{i(3)}, {i(1)}, {n}, {i(7)}, {i(9)}, {i(5)}}
	cases := []struct {
		name   string
		consts []Arg
		rows   [][]value.Value
	}{
		{"count", nil, nums},
		{"sum", nil, ints},
		{"sum", nil, nums},
		{"avg", nil, nums},
		{"max", nil, nums},
		{"min", nil, [][]value.Value{{s("b")}, {s("a")}, {n}, {s("c")}}},
		{"collect", nil, nums},
		{"deduplicate", []Arg{{}, {Const: true, Value: value.BoolValue(true)}}, [][]value.Value{
			{i(1), value.BoolValue(true), row("v", i(1))}, {i(2), value.BoolValue(true), row("v", i(2))},
			{i(1), value.BoolValue(true), row("v", i(1))}, {f(2), value.BoolValue(true), row("v", f(2))},
			{i(3), value.BoolValue(true), row("v", i(3))}}},
		{"deduplicate", []Arg{{}, {Const: true, Value: value.BoolValue(false)}}, [][]value.Value{
			{i(1), value.BoolValue(false), row("v", i(1))}, {i(2), value.BoolValue(false), row("v", i(2))},
			{i(1), value.BoolValue(false), row("v", i(1))}}},
		{"last_value", []Arg{{}, {Const: true, Value: value.BoolValue(true)}}, [][]value.Value{{i(1), value.BoolValue(true)}, {i(2), value.BoolValue(true)}, {n, value.BoolValue(true)}}},
		{"merge_agg", nil, [][]value.Value{{row("a", i(1))}, {row("b", i(2))}, {row("a", i(3))}}},
		{"median", nil, nums},
		{"stddev", nil, nums},
		{"stddevs", nil, nums},
		{"var", nil, nums},
		{"vars", nil, nums},
		{"percentile_cont", []Arg{{}, {Const: true, Value: f(0.3)}}, [][]value.Value{{i(3), f(0.3)}, {i(1), f(0.3)}, {i(8), f(0.3)}, {i(4), f(0.3)}}},
		{"percentile_disc", []Arg{{}, {Const: true, Value: f(0.6)}}, [][]value.Value{{i(3), f(0.6)}, {i(1), f(0.6)}, {i(8), f(0.6)}, {i(4), f(0.6)}}},
	}
	reg := Builtins()
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			spec, ok := reg.Lookup(tc.name)
			if !ok {
				t.Fatalf("no function %s", tc.name)
			}
			for cut := 0; cut <= len(tc.rows); cut++ {
				whole := spec.NewAggregator(tc.consts)
				part := spec.NewAggregator(tc.consts)
				for _, args := range tc.rows[:cut] {
					_ = whole.Add(args)
					_ = part.Add(args)
				}
				cp, ok := part.(Checkpointer)
				if !ok {
					t.Fatalf("%T does not implement Checkpointer", part)
				}
				saved := cp.SaveState(nil)
				restored := spec.NewAggregator(tc.consts)
				r := value.NewBinaryReader(saved)
				if err := restored.(Checkpointer).LoadState(r); err != nil {
					t.Fatalf("cut %d: load: %v", cut, err)
				}
				if err := r.Done(); err != nil {
					t.Fatalf("cut %d: %v", cut, err)
				}
				for _, args := range tc.rows[cut:] {
					_ = whole.Add(args)
					_ = restored.Add(args)
				}
				want, _ := whole.Result()
				got, _ := restored.Result()
				if string(value.AppendBinary(nil, got)) != string(value.AppendBinary(nil, want)) {
					t.Fatalf("cut %d: got %s, want %s", cut, got, want)
				}
			}
		})
	}
	for _, spec := range reg.All() {
		if spec.Kind == Aggregate && spec.NewAggregator != nil && !covered[spec.Name] {
			t.Errorf("aggregate %s has no checkpoint case", spec.Name)
		}
	}
}

// TestAnalyticCheckpoint runs each analytic function over a sequence of
// rows with a save and load of its state at every cut: the results after
// the cut must be those of an uninterrupted run.
func TestAnalyticCheckpoint(t *testing.T) {
	i, f, n, b := value.IntValue, value.FloatValue, value.NullValue(), value.BoolValue
	seq := []value.Value{i(1), f(2.5), n, i(2), i(2), f(-3), value.StringValue("x")}
	nums := []value.Value{i(1), f(2.5), n, i(2), i(9), f(-3)}
	args := map[string]func(x value.Value) []value.Value{
		"lag":          func(x value.Value) []value.Value { return []value.Value{x, i(2), i(0), b(true)} },
		"latest":       func(x value.Value) []value.Value { return []value.Value{x, i(-1)} },
		"changed_col":  func(x value.Value) []value.Value { return []value.Value{b(true), x} },
		"had_changed":  func(x value.Value) []value.Value { return []value.Value{b(false), x, i(1)} },
		"changed_cols": func(x value.Value) []value.Value { return []value.Value{value.StringValue("c_"), b(true), x, i(1)} },
	}
	reg := Builtins()
	tested := 0
	for _, spec := range reg.All() {
		if spec.NewState == nil {
			continue
		}
		tested++
		t.Run(spec.Name, func(t *testing.T) {
			mk, rows := args[spec.Name], seq
			if mk == nil { // acc_*
				mk, rows = func(x value.Value) []value.Value { return []value.Value{x} }, nums
			}
			consts := []Arg{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}}
			run := func(state any, from int, when bool) []string {
				var out []string
				for _, x := range rows[from:] {
					v, err := spec.ExecAnalytic(state, mk(x), when)
					if err != nil {
						out = append(out, "error: "+err.Error())
						continue
					}
					out = append(out, v.String())
				}
				return out
			}
			want := run(spec.NewState(consts), 0, true)
			for cut := 0; cut <= len(rows); cut++ {
				state := spec.NewState(consts)
				var got []string
				for _, x := range rows[:cut] {
					v, _ := spec.ExecAnalytic(state, mk(x), true)
					got = append(got, v.String())
				}
				cp, ok := state.(Checkpointer)
				if !ok {
					t.Fatalf("%T does not implement Checkpointer", state)
				}
				restored := spec.NewState(consts)
				r := value.NewBinaryReader(cp.SaveState(nil))
				if err := restored.(Checkpointer).LoadState(r); err != nil {
					t.Fatalf("cut %d: %v", cut, err)
				}
				if err := r.Done(); err != nil {
					t.Fatalf("cut %d: %v", cut, err)
				}
				got = append(got, run(restored, cut, true)...)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("cut %d: got %v, want %v", cut, got, want)
				}
			}
		})
	}
	if tested < 10 {
		t.Fatalf("only %d analytic functions found", tested)
	}
}

package function

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

func TestArray(t *testing.T) {
	nums := va(vf(1), vf(2), vf(3), vf(2)) // JSON numbers are floats
	runFnCases(t, []fnCase{
		{name: "array_create drops nil", fn: "array_create", args: []value.Value{vi(1), vnull, vs("a")}, want: `[1,"a"]`},
		{name: "array_create all nil", fn: "array_create", args: []value.Value{vnull}, want: "missing"},
		{name: "array_create none", fn: "array_create", want: "missing"},
		{name: "cardinality", fn: "cardinality", args: []value.Value{nums}, want: "4"},
		{name: "cardinality missing", fn: "cardinality", args: []value.Value{vmiss}, want: "0"},
		{name: "cardinality non array", fn: "cardinality", args: []value.Value{vs("abc")}, want: "0"},
		{name: "array_cardinality nil", fn: "array_cardinality", args: []value.Value{vnull}, want: "0"},
		{name: "array_cardinality non array", fn: "array_cardinality", args: []value.Value{vs("a")}, err: "must be an array"},
		{name: "array_position int literal vs float", fn: "array_position", args: []value.Value{nums, vi(3)}, want: "2"},
		{name: "array_position absent", fn: "array_position", args: []value.Value{nums, vi(9)}, want: "-1"},
		{name: "array_position nil array", fn: "array_position", args: []value.Value{vnull, vi(9)}, want: "-1"},
		{name: "array_position not array", fn: "array_position", args: []value.Value{vi(1), vi(1)}, err: "must be an array"},
		{name: "array_last_position", fn: "array_last_position", args: []value.Value{nums, vi(2)}, want: "3"},
		{name: "array_last_position strings", fn: "array_last_position", args: []value.Value{va(vs("c"), vs("a"), vs("c")), vs("c")}, want: "2"},
		{name: "element_at", fn: "element_at", args: []value.Value{nums, vi(1)}, want: "2"},
		{name: "element_at negative", fn: "element_at", args: []value.Value{nums, vi(-4)}, want: "1"},
		{name: "element_at out of range", fn: "element_at", args: []value.Value{nums, vi(4)}, err: "out of range"},
		{name: "element_at negative out of range", fn: "element_at", args: []value.Value{nums, vi(-5)}, err: "out of range"},
		{name: "element_at object", fn: "element_at", args: []value.Value{vo("a", vi(1)), vs("a")}, want: "1"},
		{name: "element_at object absent", fn: "element_at", args: []value.Value{vo("a", vi(1)), vs("b")}, want: "missing"},
		{name: "element_at null", fn: "element_at", args: []value.Value{vnull, vi(0)}, want: "missing"},
		{name: "array_contains", fn: "array_contains", args: []value.Value{nums, vi(1)}, want: "true"},
		{name: "array_contains nil array", fn: "array_contains", args: []value.Value{vnull, vi(1)}, want: "false"},
		{name: "array_contains no", fn: "array_contains", args: []value.Value{nums, vs("1")}, want: "false"},
		{name: "array_contains_any", fn: "array_contains_any", args: []value.Value{nums, va(vi(7), vi(3))}, want: "true"},
		{name: "array_contains_any none", fn: "array_contains_any", args: []value.Value{nums, va()}, want: "false"},
		{name: "array_remove", fn: "array_remove", args: []value.Value{nums, vi(2)}, want: "[1,3]"},
		{name: "array_remove nil", fn: "array_remove", args: []value.Value{vnull, vi(2)}, want: "missing"},
		{name: "array_intersect", fn: "array_intersect", args: []value.Value{nums, va(vi(3), vi(2), vi(2), vi(5))}, want: "[3,2]"},
		{name: "array_intersect nil", fn: "array_intersect", args: []value.Value{nums, vnull}, want: "missing"},
		{name: "array_union", fn: "array_union", args: []value.Value{va(vi(1), vi(1)), va(vf(1), vi(2))}, want: "[1,2]"},
		{name: "array_union nil", fn: "array_union", args: []value.Value{vnull, va(vi(2))}, want: "[2]"},
		{name: "array_except", fn: "array_except", args: []value.Value{nums, va(vi(1))}, want: "[2,3]"},
		{name: "array_except nil second", fn: "array_except", args: []value.Value{nums, vnull}, want: "[1,2,3]"},
		{name: "array_max", fn: "array_max", args: []value.Value{va(vi(3), vf(1), vnull, vi(3))}, want: "3"},
		{name: "array_min", fn: "array_min", args: []value.Value{va(vs("b"), vs("a"))}, want: `"a"`},
		{name: "array_min empty", fn: "array_min", args: []value.Value{va()}, want: "missing"},
		{name: "array_max mixed", fn: "array_max", args: []value.Value{va(vi(1), vs("a"))}, err: "cannot compare"},
		{name: "repeat", fn: "repeat", args: []value.Value{vf(7), vi(2)}, want: "[7,7]"},
		{name: "repeat zero", fn: "repeat", args: []value.Value{vs("a"), vi(0)}, want: "[]"},
		{name: "repeat negative", fn: "repeat", args: []value.Value{vs("a"), vi(-1)}, err: "out of range"},
		{name: "repeat huge", fn: "repeat", args: []value.Value{vs("a"), vi(1 << 40)}, err: "out of range"},
		{name: "sequence", fn: "sequence", args: []value.Value{vi(1), vi(8), vi(3)}, want: "[1,4,7]"},
		{name: "sequence inclusive", fn: "sequence", args: []value.Value{vi(0), vi(8), vi(4)}, want: "[0,4,8]"},
		{name: "sequence default step down", fn: "sequence", args: []value.Value{vi(3), vi(1)}, want: "[3,2,1]"},
		{name: "sequence floats", fn: "sequence", args: []value.Value{vf(1), vf(3)}, want: "[1,2,3]"},
		{name: "sequence wrong direction", fn: "sequence", args: []value.Value{vi(1), vi(5), vi(-1)}, want: "[]"},
		{name: "sequence zero step", fn: "sequence", args: []value.Value{vi(1), vi(5), vi(0)}, err: "zero"},
		{name: "sequence too long", fn: "sequence", args: []value.Value{vi(0), vi(1 << 40)}, err: "more than"},
		{name: "array_flatten", fn: "array_flatten", args: []value.Value{va(va(vi(1), vi(2)), vi(3), va(va(vi(4))))}, want: "[1,2,3,[4]]"},
		{name: "array_distinct", fn: "array_distinct", args: []value.Value{va(vi(1), vf(1), vnull, vnull, vs("a"))}, want: `[1,null,"a"]`},
		{name: "array_map", fn: "array_map", args: []value.Value{vs("abs"), va(vi(-1), vnull)}, want: "[1,null]"},
		{name: "array_map unknown", fn: "array_map", args: []value.Value{vs("nope"), va(vi(1))}, err: "unknown function"},
		{name: "array_map aggregate", fn: "array_map", args: []value.Value{vs("pi"), va(vi(1))}, err: "cannot take one argument"},
		{name: "array_join", fn: "array_join", args: []value.Value{va(vs("a"), vi(1), vnull), vs(",")}, want: `"a,1"`},
		{name: "array_join replacement", fn: "array_join", args: []value.Value{va(vs("a"), vnull), vs(","), vs("-")}, want: `"a,-"`},
		{name: "array_join null", fn: "array_join", args: []value.Value{vnull, vs(",")}, want: "missing"},
		{name: "array_concat", fn: "array_concat", args: []value.Value{va(vi(1)), vnull, va(vi(2))}, want: "[1,2]"},
		{name: "array_concat non array", fn: "array_concat", args: []value.Value{va(vi(1)), vi(2)}, err: "argument 2"},
		{name: "array_sort numbers", fn: "array_sort", args: []value.Value{va(vi(10), vf(9), vf(1.5))}, want: "[1.5,9,10]"},
		{name: "array_sort mixed", fn: "array_sort", args: []value.Value{va(vs("b"), vi(2), vnull, vb(true), vs("a"))}, want: `[null,true,2,"a","b"]`},
		{name: "kvpair_array_to_obj", fn: "kvpair_array_to_obj", args: []value.Value{va(vo("key", vs("a"), "value", vi(1)), vo("value", vs("x"), "key", vs("b")))}, want: `{"a":1,"b":"x"}`},
		{name: "kvpair_array_to_obj bad pair", fn: "kvpair_array_to_obj", args: []value.Value{va(vo("key", vs("a")))}, err: "pair"},
	})
}

func TestArray_DoesNotModifyInput(t *testing.T) {
	in := va(vi(3), vi(1), vi(2))
	for _, fn := range []string{"array_sort", "array_shuffle", "array_remove", "array_distinct"} {
		args := []value.Value{in}
		if fn == "array_remove" {
			args = append(args, vi(1))
		}
		_, err := callFn(t, nil, fn, args...)
		require.NoError(t, err)
		require.Equal(t, `[3,1,2]`, string(in.AppendJSON(nil, 0)), fn)
	}
}

func TestArray_Shuffle(t *testing.T) {
	v, err := callFn(t, nil, "array_shuffle", va(vi(1), vi(2), vi(3)))
	require.NoError(t, err)
	sorted, err := callFn(t, nil, "array_sort", v)
	require.NoError(t, err)
	require.Equal(t, "[1,2,3]", string(sorted.AppendJSON(nil, 0)))
}

func TestArray_MapValidate(t *testing.T) {
	s, _ := testRegistry().Lookup("array_map")
	require.NoError(t, s.CheckArgs([]Arg{lit(vs("upper")), col}))
	require.ErrorContains(t, s.CheckArgs([]Arg{lit(vs("nope")), col}), `unknown function "nope"`)
	require.ErrorContains(t, s.CheckArgs([]Arg{lit(vs("nope2")), col}), "unknown function")
}

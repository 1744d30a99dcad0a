package function

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

func TestObject(t *testing.T) {
	o := vo("a", vi(1), "b", vs("x"), "c", va(vi(1)))
	runFnCases(t, []fnCase{
		{name: "keys", fn: "keys", args: []value.Value{o}, want: `["a","b","c"]`},
		{name: "keys null", fn: "keys", args: []value.Value{vnull}, want: "missing"},
		{name: "keys not object", fn: "keys", args: []value.Value{vi(1)}, err: "must be an object"},
		{name: "values", fn: "values", args: []value.Value{o}, want: `[1,"x",[1]]`},
		{name: "object", fn: "object", args: []value.Value{va(vs("a"), vs("b")), va(vi(1), vnull)}, want: `{"a":1,"b":null}`},
		{name: "object length mismatch", fn: "object", args: []value.Value{va(vs("a")), va()}, err: "1 keys for 0 values"},
		{name: "object empty", fn: "object", args: []value.Value{va(), va()}, want: "missing"},
		{name: "object key type", fn: "object", args: []value.Value{va(vi(1)), va(vi(1))}, err: "not a string"},
		{name: "zip", fn: "zip", args: []value.Value{va(va(vs("a"), vi(1)), vnull, va(vs("b"), vi(2)))}, want: `{"a":1,"b":2}`},
		{name: "zip bad pair", fn: "zip", args: []value.Value{va(va(vs("a")))}, err: "pair"},
		{name: "items", fn: "items", args: []value.Value{vo("a", vi(1), "b", vi(2))}, want: `[["a",1],["b",2]]`},
		{name: "items empty", fn: "items", args: []value.Value{vo()}, want: "missing"},
		{name: "object_construct", fn: "object_construct", args: []value.Value{vs("a"), vi(1), vs("b"), vnull, vnull, vi(3)}, want: `{"a":1}`},
		{name: "object_construct bad key", fn: "object_construct", args: []value.Value{vi(1), vi(1)}, err: "must be a string"},
		{name: "object_concat", fn: "object_concat", args: []value.Value{o, vnull, vo("c", vi(2), "d", vi(4))}, want: `{"a":1,"b":"x","c":2,"d":4}`},
		{name: "object_concat bad", fn: "object_concat", args: []value.Value{o, vi(1)}, err: "argument 2"},
		{name: "erase key", fn: "erase", args: []value.Value{o, vs("a")}, want: `{"b":"x","c":[1]}`},
		{name: "erase keys", fn: "erase", args: []value.Value{o, va(vs("a"), vs("b"))}, want: `{"c":[1]}`},
		{name: "erase null", fn: "erase", args: []value.Value{vnull, vs("a")}, want: "missing"},
		{name: "object_pick", fn: "object_pick", args: []value.Value{o, vs("a"), vs("c"), vs("zz")}, want: `{"a":1,"c":[1]}`},
		{name: "object_pick array", fn: "object_pick", args: []value.Value{o, va(vs("b"))}, want: `{"b":"x"}`},
		{name: "object_pick nested", fn: "object_pick", args: []value.Value{vo("a", vo("x", vi(1), "y", vi(2)), "b", vi(3)), vs("a.x"), vs("a.y"), vs("b")}, want: `{"a":{"x":1,"y":2},"b":3}`},
		{name: "object_pick nested absent", fn: "object_pick", args: []value.Value{vo("a", vi(1)), vs("a.x")}, want: `{}`},
		{name: "obj_to_kvpair_array", fn: "obj_to_kvpair_array", args: []value.Value{vo("z", vi(1))}, want: `[{"key":"z","value":1}]`},
		{name: "object_size", fn: "object_size", args: []value.Value{o}, want: "3"},
		{name: "object_size nil", fn: "object_size", args: []value.Value{vmiss}, want: "0"},
	})
}

func TestObject_PickDoesNotModifyInput(t *testing.T) {
	in := vo("a", vo("x", vi(1), "y", vi(2)))
	_, err := callFn(t, nil, "object_pick", in, vs("a.x"), vs("a.y"))
	require.NoError(t, err)
	require.Equal(t, `{"a":{"x":1,"y":2}}`, string(in.AppendJSON(nil, 0)))
}

func TestObject_ConstructValidate(t *testing.T) {
	s, _ := testRegistry().Lookup("object_construct")
	require.ErrorContains(t, s.CheckArgs([]Arg{lit(vs("a"))}), "key-value pairs")
	require.ErrorContains(t, s.CheckArgs([]Arg{lit(vi(1)), col}), "argument 1 (key) must be string")
	require.NoError(t, s.CheckArgs([]Arg{lit(vs("a")), col}))
}

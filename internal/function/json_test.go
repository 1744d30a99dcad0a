package function

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

func TestJSON(t *testing.T) {
	doc, err := parseJSON(`{"store": {"book": [{"title": "A", "price": 8.95, "tags": ["x"]}, {"title": "B", "price": 12.99}, {"title": "C", "price": 22.5}]}, "owner": {"name": "n", "a b": 1}, "ages": [{"age": 70}, {"age": 30}]}`)
	require.NoError(t, err)
	runFnCases(t, []fnCase{
		{name: "filter", fn: "json_path_query", args: []value.Value{doc, vs("$.store.book[?(@.price > 10)].title")}, want: `["B","C"]`},
		{name: "filter without parentheses", fn: "json_path_query", args: []value.Value{doc, vs("$.ages[? @.age>60]")}, want: `[{"age":70}]`},
		{name: "filter int against float", fn: "json_path_query", args: []value.Value{doc, vs("$.store.book[?(@.price == 22.5)].title")}, want: `["C"]`},
		{name: "wildcard", fn: "json_path_query", args: []value.Value{doc, vs("$.store.book[*].price")}, want: `[8.95,12.99,22.5]`},
		{name: "definite path is a value", fn: "json_path_query", args: []value.Value{doc, vs("$.owner.name")}, want: `"n"`},
		{name: "bracket key", fn: "json_path_query", args: []value.Value{doc, vs("$['owner']['a b']")}, want: "1"},
		{name: "index", fn: "json_path_query", args: []value.Value{doc, vs("$.store.book[-1].title")}, want: `"C"`},
		{name: "object result", fn: "json_path_query", args: []value.Value{doc, vs("$.owner")}, want: `{"a b":1,"name":"n"}`},
		{name: "descent", fn: "json_path_query", args: []value.Value{doc, vs("$..title")}, want: `["A","B","C"]`},
		{name: "slice", fn: "json_path_query", args: []value.Value{doc, vs("$.store.book[0:2].title")}, want: `["A","B"]`},
		{name: "absent definite", fn: "json_path_query", args: []value.Value{doc, vs("$.nope")}, want: "missing"},
		{name: "definite index out of range", fn: "json_path_query", args: []value.Value{doc, vs("$.store.book[9].title")}, want: "missing"},
		{name: "definite through a scalar", fn: "json_path_query", args: []value.Value{doc, vs("$.owner.name.x")}, want: "missing"},
		{name: "root", fn: "json_path_query", args: []value.Value{vi(3), vs("$")}, want: "3"},
		{name: "first definite absent", fn: "json_path_query_first", args: []value.Value{doc, vs("$.x")}, want: "missing"},
		{name: "exists definite null field", fn: "json_path_exists", args: []value.Value{vo("a", vnull), vs("$.a")}, want: "true"},
		{name: "absent wildcard", fn: "json_path_query", args: []value.Value{doc, vs("$.nope[*]")}, want: "[]"},
		{name: "null doc", fn: "json_path_query", args: []value.Value{vnull, vs("$.a")}, want: "missing"},
		{name: "bad path", fn: "json_path_query", args: []value.Value{doc, vs("$.[")}, err: "invalid JSONPath"},
		{name: "first", fn: "json_path_query_first", args: []value.Value{doc, vs("$.store.book[*].price")}, want: "8.95"},
		{name: "first definite", fn: "json_path_query_first", args: []value.Value{doc, vs("$.owner.name")}, want: `"n"`},
		{name: "first none", fn: "json_path_query_first", args: []value.Value{doc, vs("$.store.book[?(@.price > 100)]")}, want: "missing"},
		{name: "exists", fn: "json_path_exists", args: []value.Value{doc, vs("$.store.book[?(@.price > 20)]")}, want: "true"},
		{name: "exists not", fn: "json_path_exists", args: []value.Value{doc, vs("$.owner.age")}, want: "false"},
		{name: "exists nil", fn: "json_path_exists", args: []value.Value{vnull, vs("$")}, want: "false"},
		{name: "to_json sorts keys", fn: "to_json", args: []value.Value{vo("b", va(vi(1), vi(2)), "a", vs("x"))}, want: `"{\"a\":\"x\",\"b\":[1,2]}"`},
		{name: "to_json escapes html", fn: "to_json", args: []value.Value{vs("<a>")}, want: `"\"\\u003ca\\u003e\""`},
		{name: "to_json scalar", fn: "to_json", args: []value.Value{vf(1.5)}, want: `"1.5"`},
		{name: "to_json null", fn: "to_json", args: []value.Value{vmiss}, want: `"null"`},
		{name: "parse_json", fn: "parse_json", args: []value.Value{vs(`{"a": 5}`)}, want: `{"a":5}`},
		{name: "parse_json array", fn: "parse_json", args: []value.Value{vs(`[1, "x", null, {"k": []}]`)}, want: `[1,"x",null,{"k":[]}]`},
		{name: "parse_json null", fn: "parse_json", args: []value.Value{vs("null")}, want: "missing"},
		{name: "parse_json bad", fn: "parse_json", args: []value.Value{vs("key1")}, err: "parse json"},
		{name: "parse_json trailing", fn: "parse_json", args: []value.Value{vs("1 2")}, err: "unexpected data"},
		{name: "parse_json truncated", fn: "parse_json", args: []value.Value{vs(`{"a":`)}, err: "parse json"},
		{name: "parse_json number", fn: "parse_json", args: []value.Value{vi(1)}, err: "must be a string or bytea"},
	})
}

func TestJSON_ParseKeepsOrderAndKinds(t *testing.T) {
	v, err := parseJSON(`{"z": 1, "a": 2.5, "m": 10000000000000000000}`)
	require.NoError(t, err)
	o := v.Object()
	require.Equal(t, []string{"z", "a", "m"}, o.Keys)
	require.Equal(t, value.Int, o.Get("z").Kind())
	require.Equal(t, value.Float, o.Get("a").Kind())
	require.Equal(t, value.Float, o.Get("m").Kind())
}

func TestJSON_DefinitePathKeepsTheValue(t *testing.T) {
	inner := vo("z", vi(1), "a", vi(2))
	v, err := callFn(t, nil, "json_path_query", vo("o", inner), vs("$.o"))
	require.NoError(t, err)
	require.Equal(t, []string{"z", "a"}, v.Object().Keys, "no round trip through a Go map")
}

func TestJSON_PathCache(t *testing.T) {
	ctx := exampleContext()
	_, err := callFn(t, ctx, "json_path_query", vo("a", vi(1)), vs("$.a"))
	require.NoError(t, err)
	c, ok := ctx.State.(*keyed[*compiledPath])
	require.True(t, ok)
	require.True(t, c.val.definite)
	_, err = callFn(t, ctx, "json_path_query", vo("a", vi(1)), vs("$.a"))
	require.NoError(t, err)
	require.Same(t, c, ctx.State)
}

func TestJSON_Validate(t *testing.T) {
	s, _ := testRegistry().Lookup("json_path_exists")
	require.ErrorContains(t, s.CheckArgs([]Arg{col, lit(vs("$.["))}), "argument 2 (path): invalid JSONPath")
	require.NoError(t, s.CheckArgs([]Arg{col, lit(vs("$.a[?(@.b > 1)]"))}))
}

package function

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

func TestString(t *testing.T) {
	runFnCases(t, []fnCase{
		{name: "concat", fn: "concat", args: []value.Value{vs("a"), vs("-"), vs("b")}, want: `"a-b"`},
		{name: "concat numbers", fn: "concat", args: []value.Value{vs("v"), vi(1), vf(2.5), vb(true)}, want: `"v12.5true"`},
		{name: "concat skips nil", fn: "concat", args: []value.Value{vs("a"), vnull, vmiss, vs("b")}, want: `"ab"`},
		{name: "concat empty", fn: "concat", args: []value.Value{vs(""), vs("-x")}, want: `"-x"`},
		{name: "concat single", fn: "concat", args: []value.Value{vf(1.5)}, want: `"1.5"`},
		{name: "concat arrays", fn: "concat", args: []value.Value{vnull, va(vi(1)), va(vi(2), vi(3)), vi(4)}, want: `[1,2,3,4]`},
		{name: "lower", fn: "lower", args: []value.Value{vs("  MiXed  ")}, want: `"  mixed  "`},
		{name: "upper number", fn: "upper", args: []value.Value{vf(123)}, want: `"123"`},
		{name: "upper null", fn: "upper", args: []value.Value{vnull}, want: "missing"},
		{name: "trim", fn: "trim", args: []value.Value{vs("\t a b \n")}, want: `"a b"`},
		{name: "ltrim", fn: "ltrim", args: []value.Value{vs("  a  ")}, want: `"a  "`},
		{name: "rtrim", fn: "rtrim", args: []value.Value{vs("  a  ")}, want: `"  a"`},
		{name: "length unicode", fn: "length", args: []value.Value{vs("héllo")}, want: "5"},
		{name: "length empty", fn: "length", args: []value.Value{vs("")}, want: "0"},
		{name: "length number", fn: "length", args: []value.Value{vf(123)}, want: "3"},
		{name: "length array", fn: "length", args: []value.Value{va(vi(1), vi(2))}, want: "2"},
		{name: "length object", fn: "length", args: []value.Value{vo("a", vi(1))}, want: "1"},
		{name: "length null", fn: "length", args: []value.Value{vnull}, want: "0"},
		{name: "numbytes", fn: "numbytes", args: []value.Value{vs("héllo")}, want: "6"},
		{name: "indexof", fn: "indexof", args: []value.Value{vs("hello"), vs("lo")}, want: "3"},
		{name: "indexof absent", fn: "indexof", args: []value.Value{vs("hello"), vs("zz")}, want: "-1"},
		{name: "indexof counts characters", fn: "indexof", args: []value.Value{vs("héllo"), vs("l")}, want: "2"},
		{name: "indexof nil", fn: "indexof", args: []value.Value{vnull, vs("a")}, want: "-1"},
		{name: "startswith", fn: "startswith", args: []value.Value{vs("hello"), vs("he")}, want: "true"},
		{name: "startswith nil", fn: "startswith", args: []value.Value{vnull, vs("he")}, want: "false"},
		{name: "endswith", fn: "endswith", args: []value.Value{vs("hello"), vs("x")}, want: "false"},
		{name: "lpad", fn: "lpad", args: []value.Value{vs("ab"), vi(3)}, want: `"   ab"`},
		{name: "rpad", fn: "rpad", args: []value.Value{vs("ab"), vf(2)}, want: `"ab  "`},
		{name: "lpad zero", fn: "lpad", args: []value.Value{vs("ab"), vi(0)}, want: `"ab"`},
		{name: "lpad negative", fn: "lpad", args: []value.Value{vs("ab"), vi(-1)}, err: "out of range"},
		{name: "lpad string count", fn: "lpad", args: []value.Value{vs("ab"), vs("2")}, err: "must be an integer"},
		{name: "reverse", fn: "reverse", args: []value.Value{vs("héllo")}, want: `"olléh"`},
		{name: "reverse empty", fn: "reverse", args: []value.Value{vs("")}, want: `""`},
		{name: "substring", fn: "substring", args: []value.Value{vs("abcdef"), vi(1), vi(3)}, want: `"bc"`},
		{name: "substring to end", fn: "substring", args: []value.Value{vs("abcdef"), vi(2)}, want: `"cdef"`},
		{name: "substring unicode", fn: "substring", args: []value.Value{vs("héllo"), vi(1), vi(3)}, want: `"él"`},
		{name: "substring past end", fn: "substring", args: []value.Value{vs("abc"), vi(5)}, want: `""`},
		{name: "substring end clamped", fn: "substring", args: []value.Value{vs("abc"), vi(1), vi(10)}, want: `"bc"`},
		{name: "substring negative", fn: "substring", args: []value.Value{vs("abc"), vi(-1)}, err: "negative"},
		{name: "substring reversed", fn: "substring", args: []value.Value{vs("abc"), vi(2), vi(1)}, err: "less than start"},
		{name: "substring null", fn: "substring", args: []value.Value{vnull, vi(1)}, want: "missing"},
		{name: "split_value", fn: "split_value", args: []value.Value{vs("/a/b/c"), vs("/"), vi(2)}, want: `"b"`},
		{name: "split_value first empty", fn: "split_value", args: []value.Value{vs("/a/b/c"), vs("/"), vi(0)}, want: `""`},
		{name: "split_value out of range", fn: "split_value", args: []value.Value{vs("a/b"), vs("/"), vi(2)}, err: "out of range"},
		{name: "regexp_matches", fn: "regexp_matches", args: []value.Value{vs("abc123"), vs(`\d+`)}, want: "true"},
		{name: "regexp_matches nil", fn: "regexp_matches", args: []value.Value{vnull, vs(`\d+`)}, want: "false"},
		{name: "regexp_matches bad pattern", fn: "regexp_matches", args: []value.Value{vs("a"), vs("(")}, err: "invalid regular expression"},
		{name: "regexp_replace", fn: "regexp_replace", args: []value.Value{vs("a1b22"), vs(`(\d+)`), vs("<$1>")}, want: `"a<1>b<22>"`},
		{name: "regexp_substr", fn: "regexp_substr", args: []value.Value{vs("abc123def"), vs(`\d+`)}, want: `"123"`},
		{name: "regexp_substr no match", fn: "regexp_substr", args: []value.Value{vs("abc"), vs(`\d+`)}, want: `""`},
		{name: "format", fn: "format", args: []value.Value{vf(12332.1234567), vi(4)}, want: `"12332.1235"`},
		{name: "format locale", fn: "format", args: []value.Value{vf(-1234567.891), vi(2), vs("en_US")}, want: `"-1,234,567.89"`},
		{name: "format small", fn: "format", args: []value.Value{vi(12), vi(0), vs("en_US")}, want: `"12"`},
		{name: "format bad locale", fn: "format", args: []value.Value{vi(12), vi(0), vs("xx")}, err: "unsupported locale"},
	})
}

func TestString_RegexCache(t *testing.T) {
	ctx := exampleContext()
	v, err := callFn(t, ctx, "regexp_matches", vs("abc"), vs("b"))
	require.NoError(t, err)
	require.True(t, v.Bool())
	c, ok := ctx.State.(*keyed[*regexp.Regexp])
	require.True(t, ok)
	require.Equal(t, "b", c.key)
	v, err = callFn(t, ctx, "regexp_matches", vs("abc"), vs("b"))
	require.NoError(t, err)
	require.True(t, v.Bool())
	require.Same(t, c, ctx.State, "an unchanged pattern reuses the compiled one")
	v, err = callFn(t, ctx, "regexp_matches", vs("abc"), vs("z"))
	require.NoError(t, err)
	require.False(t, v.Bool())
	require.Equal(t, "z", ctx.State.(*keyed[*regexp.Regexp]).key)
}

func TestString_Validate(t *testing.T) {
	reg := testRegistry()
	tests := []struct {
		fn   string
		args []Arg
		err  string
	}{
		{"regexp_matches", []Arg{col, lit(vs("("))}, "function regexp_matches: argument 2: invalid regular expression"},
		{"regexp_replace", []Arg{col, lit(vs("a")), lit(vs("b"))}, ""},
		{"substring", []Arg{col, lit(vi(-1))}, "argument 2 (start) must not be negative"},
		{"substring", []Arg{col, lit(vi(3)), lit(vi(1))}, "must not be less than"},
		{"substring", []Arg{col, lit(vs("a"))}, `argument 2 (start) must be bigint, got string("a")`},
		{"lpad", []Arg{col, lit(vi(-2))}, "must not be negative"},
		{"format", []Arg{col, lit(vi(2)), lit(vs("fr_FR"))}, "unsupported locale"},
		{"split_value", []Arg{col, lit(vs("/")), lit(vi(-1))}, "must not be negative"},
		{"concat", nil, "expects at least 1 argument"},
	}
	for _, tc := range tests {
		t.Run(tc.fn+tc.err, func(t *testing.T) {
			s, ok := reg.Lookup(tc.fn)
			require.True(t, ok)
			err := s.CheckArgs(tc.args)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.err)
		})
	}
}

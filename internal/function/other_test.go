package function

import (
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

func TestOther(t *testing.T) {
	runFnCases(t, []fnCase{
		{name: "isnull null", fn: "isnull", args: []value.Value{vnull}, want: "true"},
		{name: "isnull missing", fn: "isnull", args: []value.Value{vmiss}, want: "true"},
		{name: "isnull value", fn: "isnull", args: []value.Value{vf(1)}, want: "false"},
		{name: "isnull empty string", fn: "isnull", args: []value.Value{vs("")}, want: "false"},
		{name: "coalesce", fn: "coalesce", args: []value.Value{vnull, vf(5), vi(0)}, want: "5"},
		{name: "coalesce first", fn: "coalesce", args: []value.Value{vf(1), vf(5)}, want: "1"},
		{name: "coalesce all nil", fn: "coalesce", args: []value.Value{vmiss, vnull}, want: "missing"},
		{name: "tstamp", fn: "tstamp", want: "1704164645678"},
		{name: "delay", fn: "delay", args: []value.Value{vi(5), vs("v")}, want: `"v"`},
		{name: "delay negative", fn: "delay", args: []value.Value{vi(-5), vs("v")}, err: "out of range"},
		{name: "delay too long", fn: "delay", args: []value.Value{vi(3600000), vs("v")}, err: "out of range"},
		{name: "get_keyed_state default", fn: "get_keyed_state", args: []value.Value{vs("nope"), vs("bigint"), vi(7)}, want: "7"},
		{name: "get_keyed_state cast", fn: "get_keyed_state", args: []value.Value{vs("limit"), vs("float"), vi(7)}, want: "42"},
		{name: "get_keyed_state bad cast", fn: "get_keyed_state", args: []value.Value{vs("limit"), vs("datetime"), vi(7)}, err: "cannot convert"},
		{name: "get_keyed_state bad type", fn: "get_keyed_state", args: []value.Value{vs("limit"), vs("int"), vi(7)}, err: "unknown type"},
		{name: "unnest", fn: "unnest", args: []value.Value{va(vf(1), vf(2))}, want: "[1,2]"},
		{name: "unnest empty", fn: "unnest", args: []value.Value{va()}, want: "[]"},
		{name: "unnest nil", fn: "unnest", args: []value.Value{vnull}, want: "[]"},
		{name: "unnest scalar", fn: "unnest", args: []value.Value{vf(3)}, want: "[3]"},
		{name: "extract", fn: "extract", args: []value.Value{vo("a", vi(1))}, want: `[{"a":1}]`},
		{name: "extract nil", fn: "extract", args: []value.Value{vmiss}, want: "[]"},
		{name: "extract scalar", fn: "extract", args: []value.Value{vi(1)}, err: "must be an object"},
	})
}

func TestOther_NewUUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		v, err := callFn(t, nil, "newuuid")
		require.NoError(t, err)
		require.Regexp(t, re, v.Str())
		require.False(t, seen[v.Str()])
		seen[v.Str()] = true
	}
}

func TestOther_DelayUsesContextSleep(t *testing.T) {
	var slept time.Duration
	ctx := exampleContext()
	ctx.Sleep = func(d time.Duration) { slept += d }
	_, err := callFn(t, ctx, "delay", vi(250), vi(1))
	require.NoError(t, err)
	require.Equal(t, 250*time.Millisecond, slept)
}

func TestOther_KeyedStateStore(t *testing.T) {
	ctx := exampleContext()
	ctx.KeyedState = nil
	_, err := callFn(t, ctx, "get_keyed_state", vs("k"), vs("bigint"), vi(0))
	require.ErrorIs(t, err, errNoKeyedState)
	boom := errors.New("boom")
	ctx.KeyedState = func(string) (value.Value, bool, error) { return value.Value{}, false, boom }
	_, err = callFn(t, ctx, "get_keyed_state", vs("k"), vs("bigint"), vi(0))
	require.ErrorIs(t, err, boom)
}

func TestOther_PlannerEvaluated(t *testing.T) {
	for _, name := range []string{"meta", "mqtt", "event_time", "rule_id", "rule_start", "last_hit_count", "last_hit_time", "window_start", "window_end", "last_agg_hit_count", "last_agg_hit_time"} {
		s, ok := testRegistry().Lookup(name)
		require.True(t, ok, name)
		require.Equal(t, Special, s.Kind, name)
		require.Nil(t, s.Exec, name)
	}
	rn, _ := testRegistry().Lookup("row_number")
	require.Equal(t, Window, rn.Kind)
	for _, name := range []string{"unnest", "extract"} {
		s, _ := testRegistry().Lookup(name)
		require.Equal(t, Special, s.Kind)
		require.True(t, s.SetReturning)
		require.True(t, s.Columns)
		require.NotNil(t, s.Exec)
	}
}

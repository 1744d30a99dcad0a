package plugin_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/plugin"
	"github.com/kuiperio/kuiper/internal/value"
	"github.com/kuiperio/kuiper/sdk/api"
)

type panicky struct{}

func (panicky) Configure(string, map[string]any) error  { panic("configure") }
func (panicky) Open(api.StreamContext, api.ConsumeFunc) { panic("open") }
func (panicky) Close(api.StreamContext) error           { panic("close") }
func (panicky) OpenBytes(api.StreamContext, api.BytesConsumeFunc) {
	panic("open bytes")
}

type onceSource struct{ calls *int }

func (s *onceSource) Configure(string, map[string]any) error  { return nil }
func (s *onceSource) Open(api.StreamContext, api.ConsumeFunc) { *s.calls++ }
func (s *onceSource) Close(api.StreamContext) error           { return nil }

type rawSink struct{ got []byte }

func (s *rawSink) Configure(map[string]any) error       { return nil }
func (s *rawSink) Open(api.StreamContext) error         { return nil }
func (s *rawSink) Collect(api.StreamContext, any) error { panic("collect") }
func (s *rawSink) Close(api.StreamContext) error        { return nil }
func (s *rawSink) ConnectionStatus() connector.Status   { return connector.Status{State: 1} }
func (s *rawSink) CollectBytes(_ api.StreamContext, b []byte, _ map[string]string) error {
	s.got = b
	return nil
}

func TestGuardSource(t *testing.T) {
	src := plugin.GuardSource("sources/P", panicky{})
	_, isBytes := src.(api.BytesSource)
	require.True(t, isBytes, "keeps api.BytesSource")
	_, isRewind := src.(api.Rewindable)
	require.False(t, isRewind)
	var pe *plugin.PanicError
	require.ErrorAs(t, src.Configure("", nil), &pe)
	require.Equal(t, "Configure", pe.Call)
	// A panic in Open is logged, shown as the connection status, and Open
	// is called again until the stream stops.
	cctx, cancel := context.WithCancel(context.Background())
	ctx := connector.NewContext(cctx, "r", "s", 0, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		src.(api.BytesSource).OpenBytes(ctx, func(api.RawMessage) {})
	}()
	st := src.(connector.StatusReporter)
	require.Eventually(t, func() bool { return st.ConnectionStatus().State == connector.StateDisconnected }, 5*time.Second, time.Millisecond)
	require.Contains(t, st.ConnectionStatus().LastDisconnectedMessage, "panicked in OpenBytes: open bytes")
	cancel()
	<-done
	require.ErrorContains(t, src.Close(ctx), "plugin sources/P panicked in Close: close")

	// A source that returns from Open normally is not reopened.
	var calls int
	ok := plugin.GuardSource("sources/Q", &onceSource{calls: &calls})
	ok.Open(connector.NewContext(context.Background(), "r", "s", 0, nil), func(map[string]any, map[string]any) {})
	require.Equal(t, 1, calls)
	require.Equal(t, connector.StateConnected, ok.(connector.StatusReporter).ConnectionStatus().State)
}

func TestGuardSink(t *testing.T) {
	raw := &rawSink{}
	snk := plugin.GuardSink("sinks/R", raw)
	_, isStatus := snk.(connector.StatusReporter)
	require.True(t, isStatus)
	ctx := connector.NewContext(context.Background(), "r", "s", 0, nil)
	require.ErrorContains(t, snk.Collect(ctx, nil), "panicked in Collect: collect")
	require.NoError(t, snk.(api.BytesSink).CollectBytes(ctx, []byte("x"), nil))
	require.Equal(t, []byte("x"), raw.got)
}

type fn struct {
	agg  bool
	exec func(args []any, ctx api.FunctionContext) (any, bool)
}

func (f fn) Validate(args []any) error {
	if len(args) > 0 && args[0] == "bad" {
		return errors.New("bad literal")
	}
	return nil
}
func (f fn) Exec(args []any, ctx api.FunctionContext) (any, bool) { return f.exec(args, ctx) }
func (f fn) IsAggregate() bool                                    { return f.agg }

func TestFunctionSpec(t *testing.T) {
	var seen api.FunctionContext
	scalar := plugin.FunctionSpec("f", "p", fn{exec: func(args []any, ctx api.FunctionContext) (any, bool) {
		seen = ctx
		switch args[0] {
		case "panic":
			panic("oops")
		case "fail":
			return errors.New("failed"), false
		case "msg":
			return "just a message", false
		}
		_ = ctx.PutState("calls", 1)
		return map[string]any{"x": args[0], "n": len(args)}, true
	}}, nil)
	require.Equal(t, function.Scalar, scalar.Kind)
	require.ErrorContains(t, scalar.CheckArgs([]function.Arg{{Const: true, Value: value.StringValue("bad")}}), "function f: bad literal")
	require.NoError(t, scalar.CheckArgs([]function.Arg{{}, {}, {}}))

	fctx := &function.Context{RuleID: "r1", FuncID: 3}
	v, err := scalar.Exec(fctx, []value.Value{value.IntValue(2)})
	require.NoError(t, err)
	require.Equal(t, `{"n":1,"x":2}`, string(v.AppendJSON(nil, value.SortKeys)))
	require.Equal(t, "r1", seen.RuleID())
	require.Equal(t, 3, seen.FuncID())
	got, _ := seen.GetState("calls")
	require.Equal(t, 1, got)

	for arg, want := range map[string]string{"panic": "plugin p panicked in Exec: oops", "fail": "function f: failed", "msg": "function f: just a message"} {
		_, err := scalar.Exec(fctx, []value.Value{value.StringValue(arg)})
		require.ErrorContains(t, err, want)
	}

	agg := plugin.FunctionSpec("g", "p", fn{agg: true, exec: func(args []any, _ api.FunctionContext) (any, bool) {
		return []any{len(args[0].([]any)), args[1]}, true
	}}, nil)
	require.Equal(t, function.Aggregate, agg.Kind)
	a := agg.NewAggregator([]function.Arg{{}, {}})
	require.NoError(t, a.Add([]value.Value{value.IntValue(1), value.StringValue("a")}))
	require.NoError(t, a.Add([]value.Value{value.IntValue(2), value.StringValue("b")}))
	v, err = a.Result()
	require.NoError(t, err)
	require.Equal(t, `[2,["a","b"]]`, string(v.AppendJSON(nil, value.SortKeys)))
	// An empty group gives empty lists.
	v, err = agg.NewAggregator([]function.Arg{{}, {}}).Result()
	require.NoError(t, err)
	require.Equal(t, `[0,[]]`, string(v.AppendJSON(nil, value.SortKeys)))
}

package connector_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/clock"
	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/sdk/api"
)

type fakeSource struct{}

func (fakeSource) Configure(string, map[string]any) error  { return nil }
func (fakeSource) Open(api.StreamContext, api.ConsumeFunc) {}
func (fakeSource) Close(api.StreamContext) error           { return nil }

type fakeSink struct{}

func (fakeSink) Configure(map[string]any) error       { return nil }
func (fakeSink) Open(api.StreamContext) error         { return nil }
func (fakeSink) Collect(api.StreamContext, any) error { return nil }
func (fakeSink) Close(api.StreamContext) error        { return nil }

func TestEnv_Register(t *testing.T) {
	env := connector.NewEnv()
	src := func() api.Source { return fakeSource{} }
	snk := func() api.Sink { return fakeSink{} }
	spec := connector.Spec{Description: "d", Props: []connector.PropSpec{{Name: "server", Type: "string"}}}

	require.NoError(t, env.RegisterSource("mqtt", spec, src))
	require.NoError(t, env.RegisterSource("Memory", connector.Spec{}, src))
	require.NoError(t, env.RegisterSink("log", connector.Spec{}, snk))
	err := env.RegisterSource("MQTT", connector.Spec{}, src)
	require.ErrorIs(t, err, connector.ErrDuplicate)
	require.ErrorContains(t, err, `register source "MQTT": already registered as "mqtt"`)
	require.Error(t, env.RegisterSink("", connector.Spec{}, snk))
	require.Error(t, env.RegisterSink("x", connector.Spec{}, nil))
	require.Panics(t, func() { env.MustRegisterSink("LOG", connector.Spec{}, snk) })

	f, gotSpec, ok := env.Source("Mqtt")
	require.True(t, ok)
	require.Equal(t, spec, gotSpec)
	require.NotNil(t, f())
	_, _, ok = env.Source("memory")
	require.True(t, ok)
	_, _, ok = env.Sink("LOG")
	require.True(t, ok)
	_, _, ok = env.Sink("mqtt")
	require.False(t, ok)

	require.Equal(t, []string{"Memory", "mqtt"}, env.Sources())
	require.Equal(t, []string{"log"}, env.Sinks())

	clone := env.Clone()
	require.True(t, env.UnregisterSource("MEMORY"))
	require.False(t, env.UnregisterSource("memory"))
	require.Equal(t, []string{"mqtt"}, env.Sources())
	require.Equal(t, []string{"Memory", "mqtt"}, clone.Sources(), "clone is independent")
	require.True(t, env.UnregisterSink("log"))
	require.Empty(t, env.Sinks())
}

func TestContext(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	parent, cancel := context.WithCancel(context.Background())
	ctx := connector.NewContext(parent, "r1", "demo", 2, logger)
	var sc api.StreamContext = ctx
	require.Equal(t, "r1", sc.RuleID())
	require.Equal(t, "demo", sc.OpID())
	require.Equal(t, 2, sc.InstanceID())

	sc.Logger().Info("hello")
	require.Contains(t, buf.String(), "rule=r1 op=demo instance=2")

	v, err := sc.GetState("k")
	require.NoError(t, err)
	require.Nil(t, v)
	require.NoError(t, sc.PutState("k", 1))
	v, _ = sc.GetState("k")
	require.Equal(t, 1, v)

	fc := connector.NewFuncContext(sc, 3)
	var afc api.FunctionContext = fc
	require.Equal(t, 3, afc.FuncID())
	require.Equal(t, "r1", afc.RuleID())
	require.NoError(t, afc.PutState("k", "f"))
	v, _ = afc.GetState("k")
	require.Equal(t, "f", v)
	v, _ = sc.GetState("k")
	require.Equal(t, 1, v, "function state is apart from the operator's")
	require.NoError(t, afc.DeleteState("k"))
	v, _ = afc.GetState("k")
	require.Nil(t, v)

	mem, ok := ctx.State().(*connector.MemState)
	require.True(t, ok)
	require.Equal(t, map[string]any{"k": 1}, mem.Snapshot())

	require.NoError(t, ctx.Err())
	cancel()
	<-sc.Done()
	require.ErrorIs(t, sc.Err(), context.Canceled)
}

func TestContext_SharedSourceAndCustomState(t *testing.T) {
	var buf bytes.Buffer
	st := connector.NewMemState()
	st.Restore(map[string]any{"offset": 7})
	ctx := connector.NewContext(nil, "", "stream1", 0, slog.New(slog.NewTextHandler(&buf, nil)), connector.WithState(st))
	ctx.Logger().Info("x")
	require.NotContains(t, buf.String(), "rule=")
	v, _ := ctx.GetState("offset")
	require.Equal(t, 7, v)

	// A nil logger discards.
	connector.NewContext(context.Background(), "r", "o", 0, nil).Logger().Info("dropped")
}

func TestStatusTracker(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	tr := &connector.StatusTracker{Clock: clk}
	var rep connector.StatusReporter = tr
	require.Equal(t, connector.StateConnecting, rep.ConnectionStatus().State)

	tr.Trying()
	clk.Advance(time.Second)
	tr.Connected()
	s := rep.ConnectionStatus()
	require.Equal(t, connector.StateConnected, s.State)
	require.Equal(t, start, s.LastTry)
	require.Equal(t, start.Add(time.Second), s.LastConnected)

	clk.Advance(time.Second)
	tr.Disconnected(errors.New("eof"))
	clk.Advance(time.Second)
	tr.Trying()
	s = rep.ConnectionStatus()
	require.Equal(t, connector.StateDisconnected, s.State)
	require.Equal(t, "eof", s.LastDisconnectedMessage)
	require.Equal(t, start.Add(2*time.Second), s.LastDisconnected)
	require.Equal(t, start.Add(3*time.Second), s.LastTry)
}

func TestProps(t *testing.T) {
	p := connector.Props{
		"server": "tcp://x", "qos": 1, "qosF": float64(2), "qosS": "2", "ratio": 0.5, "flag": true, "flagS": "false",
		"ver": 3.1, "clientId": "c", "dur": "5s", "durMs": 1500, "durF": float64(250), "durS": "100",
		"list": "a, b,,c", "listY": []any{"x", "y"}, "bad": []int{1}, "nilv": nil,
	}
	s, err := p.String("server", "")
	require.NoError(t, err)
	require.Equal(t, "tcp://x", s)
	s, _ = p.String("ver", "")
	require.Equal(t, "3.1", s)
	s, _ = p.String("clientid", "def")
	require.Equal(t, "c", s, "case-insensitive key")
	s, _ = p.String("missing", "def")
	require.Equal(t, "def", s)
	s, _ = p.String("nilv", "def")
	require.Equal(t, "def", s)
	_, err = p.String("bad", "")
	require.ErrorContains(t, err, `property "bad": want a string`)

	for _, k := range []string{"qos", "qosF", "qosS"} {
		i, err := p.Int(k, 0)
		require.NoError(t, err, k)
		require.NotZero(t, i)
	}
	_, err = p.Int("ratio", 0)
	require.ErrorContains(t, err, `property "ratio": want an integer`)

	f, _ := p.Float("qos", 0)
	require.Equal(t, 1.0, f)
	b, _ := p.Bool("flag", false)
	require.True(t, b)
	b, err = p.Bool("flagS", true)
	require.NoError(t, err)
	require.False(t, b)
	_, err = p.Bool("server", false)
	require.ErrorContains(t, err, `property "server": want a boolean`)

	cases := map[string]time.Duration{"dur": 5 * time.Second, "durMs": 1500 * time.Millisecond, "durF": 250 * time.Millisecond, "durS": 100 * time.Millisecond, "none": time.Minute}
	for k, want := range cases {
		d, err := p.Duration(k, time.Minute)
		require.NoError(t, err, k)
		require.Equal(t, want, d, k)
	}
	_, err = p.Duration("server", 0)
	require.ErrorContains(t, err, `property "server": want a duration`)

	l, _ := p.Strings("list", nil)
	require.Equal(t, []string{"a", "b", "c"}, l)
	l, _ = p.Strings("listY", nil)
	require.Equal(t, []string{"x", "y"}, l)
	require.True(t, p.Has("SERVER"))
	require.False(t, p.Has("nilv"))
}

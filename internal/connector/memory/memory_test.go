package memory_test

import (
	"bytes"
	"context"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/connector/memory"
	"github.com/kuiperio/kuiper/sdk/api"
)

func drain(s *memory.Subscription) []string {
	var got []string
	for {
		select {
		case m := <-s.C():
			got = append(got, m.Topic)
		default:
			sort.Strings(got)
			return got
		}
	}
}

func TestHub_Wildcards(t *testing.T) {
	h := memory.NewHub(memory.HubOptions{})
	filters := []string{"a/b", "a/+", "a/#", "#", "+/b", "a/b/c", "x"}
	subs := map[string]*memory.Subscription{}
	for _, f := range filters {
		s, err := h.Subscribe(f, 0)
		require.NoError(t, err)
		subs[f] = s
	}
	// Two subscribers on the same exact filter.
	twin, err := h.Subscribe("a/b", 0)
	require.NoError(t, err)

	for _, tp := range []string{"a/b", "a/c", "a", "a/b/c", "z/b"} {
		_, err := h.Publish(tp, map[string]any{"t": tp})
		require.NoError(t, err)
	}
	want := map[string][]string{
		"a/b":   {"a/b"},
		"a/+":   {"a/b", "a/c"},
		"a/#":   {"a", "a/b", "a/b/c", "a/c"},
		"#":     {"a", "a/b", "a/b/c", "a/c", "z/b"},
		"+/b":   {"a/b", "z/b"},
		"a/b/c": {"a/b/c"},
		"x":     nil,
	}
	for f, w := range want {
		require.Equal(t, w, drain(subs[f]), f)
	}
	require.Equal(t, []string{"a/b"}, drain(twin))

	st := h.Stats()
	require.Equal(t, 8, st.Subscriptions)
	require.Equal(t, uint64(5), st.Published)
	require.Zero(t, st.Dropped)

	subs["a/b"].Close()
	subs["a/b"].Close()
	twin.Close()
	subs["#"].Close()
	require.Equal(t, 5, h.Stats().Subscriptions)
	n, err := h.Publish("a/b", map[string]any{})
	require.NoError(t, err)
	require.Equal(t, 3, n, "a/+, a/# and +/b")
	_, ok := <-twin.C()
	require.False(t, ok, "closed subscription's channel is closed")

	_, err = h.Publish("a/+", map[string]any{})
	require.ErrorContains(t, err, "wildcards are not allowed")
	_, err = h.Subscribe("a/#/b", 0)
	require.Error(t, err)
}

func TestHub_DropsCountedNotBlocking(t *testing.T) {
	var logs bytes.Buffer
	h := memory.NewHub(memory.HubOptions{BufferLength: 2, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	slow, err := h.Subscribe("t", 0)
	require.NoError(t, err)
	big, err := h.Subscribe("t", 10)
	require.NoError(t, err)
	for i := range 5 {
		_, err := h.Publish("t", map[string]any{"i": i})
		require.NoError(t, err)
	}
	require.Equal(t, uint64(3), slow.Dropped())
	require.Zero(t, big.Dropped())
	require.Equal(t, uint64(3), h.Stats().Dropped)
	require.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("dropping rows")), "logged once per burst")
	require.Equal(t, 0, (<-slow.C()).Row["i"], "the oldest rows are kept")
}

func openSource(t *testing.T, h *memory.Hub, ds string, props map[string]any) (*memory.Source, chan [2]map[string]any) {
	t.Helper()
	s := memory.NewSource(h)
	require.NoError(t, s.Configure(ds, props))
	ctx, cancel := context.WithCancel(context.Background())
	sctx := connector.NewContext(ctx, "r", "op", 0, nil)
	out := make(chan [2]map[string]any, 100)
	before := h.Stats().Subscriptions
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.Open(sctx, func(row, meta map[string]any) { out <- [2]map[string]any{row, meta} })
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	require.Eventually(t, func() bool { return h.Stats().Subscriptions > before }, 5*time.Second, time.Millisecond)
	return s, out
}

func next(t *testing.T, ch chan [2]map[string]any) [2]map[string]any {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no row")
		return [2]map[string]any{}
	}
}

func TestSourceAndSink(t *testing.T) {
	h := memory.NewHub(memory.HubOptions{})
	env := connector.NewEnv()
	require.NoError(t, memory.Register(env, h))
	require.Error(t, memory.Register(connector.NewEnv(), nil))

	_, wildOut := openSource(t, h, "devices/+/temp", nil)
	_, allOut := openSource(t, h, "devices/#", map[string]any{"bufferLength": 8})

	f, _, ok := env.Sink("memory")
	require.True(t, ok)
	k := f().(*memory.Sink)
	require.NoError(t, k.Configure(map[string]any{"topic": "devices/d1/temp"}))
	ctx := connector.NewContext(context.Background(), "r", "sink", 0, nil)
	require.NoError(t, k.Open(ctx))
	require.NoError(t, k.Collect(ctx, map[string]any{"v": 1}))
	require.NoError(t, k.Collect(ctx, []map[string]any{{"v": 2}, {"v": 3}}))
	require.NoError(t, k.Collect(ctx, []any{map[string]any{"v": 4}}))
	require.ErrorContains(t, k.Collect(ctx, []any{1}), "want a row")
	require.ErrorContains(t, k.Collect(ctx, "x"), "want a row or a list of rows")

	for _, out := range []chan [2]map[string]any{wildOut, allOut} {
		for v := 1; v <= 4; v++ {
			r := next(t, out)
			require.Equal(t, v, r[0]["v"])
			require.Equal(t, "devices/d1/temp", r[1]["topic"])
		}
	}

	// A templated topic: the host renders it and calls CollectTopic.
	dyn := memory.NewSink(h)
	require.NoError(t, dyn.Configure(map[string]any{"topic": "devices/{{.id}}/status"}))
	require.True(t, dyn.Templated())
	require.ErrorContains(t, dyn.Collect(ctx, map[string]any{}), "CollectTopic")
	require.NoError(t, dyn.CollectTopic(ctx, "devices/d2/status", map[string]any{"on": true}))
	r := next(t, allOut)
	require.Equal(t, true, r[0]["on"])
	require.Equal(t, "devices/d2/status", r[1]["topic"])
	select {
	case r := <-wildOut:
		t.Fatalf("devices/+/temp got %v", r)
	default:
	}
	require.ErrorContains(t, dyn.CollectTopic(ctx, "devices/#", map[string]any{}), "wildcards")
	require.NoError(t, k.Close(ctx))
}

func TestConfigure(t *testing.T) {
	h := memory.NewHub(memory.HubOptions{})
	require.Error(t, memory.NewSource(h).Configure("", nil))
	require.Error(t, memory.NewSource(h).Configure("a/#/b", nil))
	require.ErrorContains(t, memory.NewSource(h).Configure("a", map[string]any{"bufferLength": "x"}), `property "bufferLength"`)
	require.ErrorContains(t, memory.NewSink(h).Configure(nil), `property "topic" is required`)
	require.ErrorContains(t, memory.NewSink(h).Configure(map[string]any{"topic": "a/+"}), "wildcards")
	require.NoError(t, memory.NewSink(h).Configure(map[string]any{"topic": "a", "rowkindField": "k", "keyField": "id"}))
	require.ErrorContains(t, memory.NewSink(h).Configure(map[string]any{"topic": "a", "keyField": []any{1}}), `property "keyField"`)
	require.ErrorContains(t, memory.NewLookupSource(h).Configure("a/+", nil), "wildcards")
	require.ErrorContains(t, memory.NewLookupSource(h).Configure("a", map[string]any{"key": []any{1}}), `property "key"`)
}

func TestSource_CloseStopsOpen(t *testing.T) {
	h := memory.NewHub(memory.HubOptions{})
	s := memory.NewSource(h)
	require.NoError(t, s.Configure("a", nil))
	ctx := connector.NewContext(context.Background(), "r", "op", 0, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Open(ctx, func(map[string]any, map[string]any) {})
	}()
	require.Eventually(t, func() bool { return h.Stats().Subscriptions == 1 }, 5*time.Second, time.Millisecond)
	require.NoError(t, s.Close(ctx))
	<-done
	require.Zero(t, h.Stats().Subscriptions, "unsubscribed")
	var _ api.Source = s
}

func BenchmarkHubPublish(b *testing.B) {
	h := memory.NewHub(memory.HubOptions{BufferLength: 1 << 16})
	exact, _ := h.Subscribe("devices/d1/temp", 0)
	wild, _ := h.Subscribe("devices/+/temp", 0)
	row := map[string]any{"v": 1}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, s := range []*memory.Subscription{exact, wild} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-s.C():
				case <-stop:
					return
				}
			}
		}()
	}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = h.Publish("devices/d1/temp", row)
	}
	close(stop)
	wg.Wait()
}

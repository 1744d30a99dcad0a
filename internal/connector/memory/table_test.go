package memory_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/connector/memory"
)

func TestTable_RowKinds(t *testing.T) {
	h := memory.NewHub(memory.HubOptions{})
	tb, err := h.OpenTable("devices", "id")
	require.NoError(t, err)
	u := memory.Updates{RowkindField: "action"}
	steps := []struct {
		name string
		rows []map[string]any
		want map[any]string // id -> name; nil: absent
		err  string
	}{
		{name: "insert", rows: []map[string]any{
			{"action": "insert", "id": 1, "name": "a"},
			{"action": "insert", "id": int64(2), "name": "b"},
		}, want: map[any]string{1: "a", 2: "b"}},
		{name: "update keyed by a JSON number", rows: []map[string]any{{"action": "update", "id": float64(1), "name": "a2"}},
			want: map[any]string{1: "a2", 2: "b"}},
		{name: "no kind is an upsert", rows: []map[string]any{{"id": 3, "name": "c"}},
			want: map[any]string{1: "a2", 2: "b", 3: "c"}},
		{name: "upsert, kinds in any case", rows: []map[string]any{{"action": "UPSERT", "id": 3, "name": "c2"}},
			want: map[any]string{1: "a2", 2: "b", 3: "c2"}},
		{name: "delete", rows: []map[string]any{{"action": "delete", "id": 2}, {"action": "delete", "id": 99}},
			want: map[any]string{1: "a2", 3: "c2"}},
		{name: "bad rows are skipped and reported", rows: []map[string]any{
			{"action": "merge", "id": 4}, {"action": "insert", "name": "nokey"}, {"action": 1, "id": 5},
			{"action": "insert", "id": 6, "name": "f"},
		}, want: map[any]string{1: "a2", 3: "c2", 6: "f"}, err: "unknown row kind"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			_, err := h.PublishUpdates("devices", u, s.rows...)
			if s.err != "" {
				require.ErrorContains(t, err, s.err)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, len(s.want), tb.Len())
			for id, name := range s.want {
				row, ok := tb.Get(id)
				require.True(t, ok, "id %v", id)
				require.Equal(t, name, row["name"])
			}
		})
	}
	_, ok := tb.Get(2)
	require.False(t, ok)
	_, ok = tb.Get([]any{1})
	require.False(t, ok)
}

func TestTable_Lookup(t *testing.T) {
	h := memory.NewHub(memory.HubOptions{})
	tb, err := h.OpenTable("t", "id")
	require.NoError(t, err)
	_, err = h.Publish("t",
		map[string]any{"id": "x", "kind": "k1", "n": 1},
		map[string]any{"id": "y", "kind": "k2", "n": 2},
		map[string]any{"id": "z", "kind": "k1", "n": 3},
	)
	require.NoError(t, err)
	names := func(rows []map[string]any) []any {
		var out []any
		for _, r := range rows {
			out = append(out, r["id"])
		}
		return out
	}
	cases := []struct {
		name   string
		fields []string
		values []any
		want   []any
	}{
		{"by key", []string{"id"}, []any{"y"}, []any{"y"}},
		{"by key, missing", []string{"id"}, []any{"w"}, nil},
		{"by key and another field", []string{"kind", "id"}, []any{"k1", "z"}, []any{"z"}},
		{"by key, other field differs", []string{"kind", "id"}, []any{"k2", "z"}, nil},
		{"scan, in write order", []string{"kind"}, []any{"k1"}, []any{"x", "z"}},
		{"scan, numbers by value", []string{"n"}, []any{float64(2)}, []any{"y"}},
		{"nil matches nothing", []string{"kind"}, []any{nil}, nil},
		{"mismatched lengths", []string{"kind"}, []any{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, names(tb.Lookup(c.fields, c.values)))
		})
	}
	// An update keeps the row's place in scan order.
	_, err = h.Publish("t", map[string]any{"id": "x", "kind": "k1", "n": 10})
	require.NoError(t, err)
	require.Equal(t, []any{"x", "z"}, names(tb.Lookup([]string{"kind"}, []any{"k1"})))
}

func TestTable_TopicsAndLifetime(t *testing.T) {
	h := memory.NewHub(memory.HubOptions{})
	// Rows published while no table is open are not kept.
	_, err := h.Publish("a", map[string]any{"id": 0})
	require.NoError(t, err)
	require.Nil(t, h.Table("a"))

	a, err := h.OpenTable("a", "id")
	require.NoError(t, err)
	b, err := h.OpenTable("b", "") // keyed later by a sink
	require.NoError(t, err)
	require.Equal(t, "", b.Key())
	_, err = h.Publish("b", map[string]any{"id": 1})
	require.NoError(t, err)
	require.Zero(t, b.Len(), "no key, nothing stored")

	_, err = h.Publish("a", map[string]any{"id": 1, "v": "a1"})
	require.NoError(t, err)
	_, err = h.PublishUpdates("b", memory.Updates{KeyField: "k"}, map[string]any{"k": 1, "v": "b1"})
	require.NoError(t, err)
	require.Equal(t, "k", b.Key())
	r, _ := a.Get(1)
	require.Equal(t, "a1", r["v"])
	r, _ = b.Get(1)
	require.Equal(t, "b1", r["v"])
	require.Equal(t, 1, a.Len())

	// Key conflicts.
	_, err = h.OpenTable("a", "other")
	require.ErrorIs(t, err, memory.ErrKeyConflict)
	_, err = h.PublishUpdates("a", memory.Updates{KeyField: "other"}, map[string]any{"other": 1})
	require.ErrorIs(t, err, memory.ErrKeyConflict)
	_, err = h.OpenTable("a/+", "id")
	require.ErrorContains(t, err, "wildcards")

	// Shared by every user; dropped with the last.
	a2, err := h.OpenTable("a", "id")
	require.NoError(t, err)
	require.Same(t, a, a2)
	h.CloseTable(a)
	require.Same(t, a, h.Table("a"))
	h.CloseTable(a2)
	h.CloseTable(a2) // extra closes are ignored
	require.Nil(t, h.Table("a"))
	a3, err := h.OpenTable("a", "other")
	require.NoError(t, err, "a new table may have another key")
	require.Zero(t, a3.Len())
	h.CloseTable(nil)
}

func TestTable_Concurrent(t *testing.T) {
	h := memory.NewHub(memory.HubOptions{})
	const writers, readers, n = 4, 4, 500
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tb, err := h.OpenTable("c", "id")
			require.NoError(t, err)
			defer h.CloseTable(tb)
			u := memory.Updates{RowkindField: "op", KeyField: "id"}
			for i := range n {
				id := fmt.Sprintf("%d-%d", w, i%10)
				op := "upsert"
				if i%3 == 2 {
					op = "delete"
				}
				_, err := h.PublishUpdates("c", u, map[string]any{"op": op, "id": id, "i": i})
				require.NoError(t, err)
			}
		}()
	}
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := memory.NewLookupSource(h)
			require.NoError(t, src.Configure("c", map[string]any{"key": "id"}))
			ctx := connector.NewContext(context.Background(), "r", "t", 0, nil)
			require.NoError(t, src.Open(ctx))
			defer func() { require.NoError(t, src.Close(ctx)) }()
			for i := range n {
				rows, err := src.Lookup(ctx, []string{"id"}, []any{fmt.Sprintf("%d-%d", i%writers, i%10)})
				require.NoError(t, err)
				require.LessOrEqual(t, len(rows), 1)
				_, err = src.Lookup(ctx, []string{"op"}, []any{"upsert"})
				require.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	require.Nil(t, h.Table("c"), "closed by all")
}

func TestLookupSourceAndUpdatableSink(t *testing.T) {
	h := memory.NewHub(memory.HubOptions{})
	env := connector.NewEnv()
	require.NoError(t, memory.Register(env, h))
	ctx := connector.NewContext(context.Background(), "r", "op", 0, nil)

	// A sink with keyField keeps the table open, so rows written before
	// any lookup table opens are kept.
	f, _, ok := env.Sink("memory")
	require.True(t, ok)
	k := f().(*memory.Sink)
	require.NoError(t, k.Configure(map[string]any{"topic": "devs", "rowkindField": "action", "keyField": "id"}))
	require.NoError(t, k.Open(ctx))
	require.NoError(t, k.Collect(ctx, []any{
		map[string]any{"action": "insert", "id": 1, "name": "a"},
		map[string]any{"action": "insert", "id": 2, "name": "b"},
	}))

	lf, _, ok := env.LookupSource("memory")
	require.True(t, ok)
	src := lf()
	_, err := src.Lookup(ctx, []string{"id"}, []any{1})
	require.ErrorContains(t, err, "not open")
	require.NoError(t, src.Configure("devs", map[string]any{"KEY": "id"}))
	require.NoError(t, src.Open(ctx))
	rows, err := src.Lookup(ctx, []string{"id"}, []any{int64(2)})
	require.NoError(t, err)
	require.Equal(t, []map[string]any{{"action": "insert", "id": 2, "name": "b"}}, rows)

	require.NoError(t, k.Collect(ctx, map[string]any{"action": "delete", "id": 2}))
	rows, err = src.Lookup(ctx, []string{"id"}, []any{2})
	require.NoError(t, err)
	require.Empty(t, rows)
	require.ErrorContains(t, k.Collect(ctx, map[string]any{"action": "drop", "id": 1}), "unknown row kind")

	// A plain sink upserts by the table's key; a sink keyed otherwise fails.
	plain := memory.NewSink(h)
	require.NoError(t, plain.Configure(map[string]any{"topic": "devs"}))
	require.NoError(t, plain.Open(ctx))
	require.NoError(t, plain.Collect(ctx, map[string]any{"id": 1, "name": "a2"}))
	rows, err = src.Lookup(ctx, []string{"id"}, []any{1})
	require.NoError(t, err)
	require.Equal(t, "a2", rows[0]["name"])
	other := memory.NewSink(h)
	require.NoError(t, other.Configure(map[string]any{"topic": "devs", "keyField": "name"}))
	require.ErrorIs(t, other.Open(ctx), memory.ErrKeyConflict)

	// The table lives while the sink or the lookup source has it open.
	require.NoError(t, k.Close(ctx))
	require.NotNil(t, h.Table("devs"))
	require.NoError(t, src.Close(ctx))
	require.NoError(t, src.Close(ctx))
	require.Nil(t, h.Table("devs"))

	// A templated topic updates the table of the rendered topic, if open.
	dyn := memory.NewSink(h)
	require.NoError(t, dyn.Configure(map[string]any{"topic": "devs/{{.id}}", "keyField": "id", "rowkindField": "action"}))
	require.NoError(t, dyn.Open(ctx))
	tb, err := h.OpenTable("devs/7", "")
	require.NoError(t, err)
	require.NoError(t, dyn.CollectTopic(ctx, "devs/7", map[string]any{"id": 7}))
	require.Equal(t, "id", tb.Key())
	require.Equal(t, 1, tb.Len())
	require.NoError(t, dyn.Close(ctx))
}

func BenchmarkLookupByKey(b *testing.B) {
	h := memory.NewHub(memory.HubOptions{})
	src := memory.NewLookupSource(h)
	_ = src.Configure("bench", map[string]any{"key": "id"})
	ctx := connector.NewContext(context.Background(), "r", "t", 0, nil)
	_ = src.Open(ctx)
	for i := range 1000 {
		_, _ = h.Publish("bench", map[string]any{"id": int64(i), "v": i})
	}
	fields, values := []string{"id"}, []any{int64(500)}
	b.ReportAllocs()
	for b.Loop() {
		rows, _ := src.Lookup(ctx, fields, values)
		if len(rows) != 1 {
			b.Fatal("no row")
		}
	}
}

package builtin_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/connector/builtin"
	"github.com/kuiperio/kuiper/internal/connector/memory"
	"github.com/kuiperio/kuiper/sdk/api"
)

func TestRegister(t *testing.T) {
	env := connector.NewEnv()
	require.Error(t, builtin.Register(env, builtin.Options{}))
	env = connector.NewEnv()
	require.NoError(t, builtin.Register(env, builtin.Options{Hub: memory.NewHub(memory.HubOptions{})}))
	require.Equal(t, []string{"memory", "mqtt"}, env.Sources())
	require.Equal(t, []string{"log", "memory", "mqtt", "nop"}, env.Sinks())
	require.ErrorIs(t, builtin.Register(env, builtin.Options{Hub: memory.NewHub(memory.HubOptions{})}), connector.ErrDuplicate)
}

func TestLogAndNopSinks(t *testing.T) {
	env := connector.NewEnv()
	require.NoError(t, builtin.Register(env, builtin.Options{Hub: memory.NewHub(memory.HubOptions{})}))
	var buf bytes.Buffer
	ctx := connector.NewContext(context.Background(), "r1", "log", 0, slog.New(slog.NewTextHandler(&buf, nil)))

	cases := []struct {
		sink  string
		props map[string]any
		logs  bool
	}{
		{"log", nil, true},
		{"nop", nil, false},
		{"nop", map[string]any{"log": true}, true},
	}
	for _, tc := range cases {
		t.Run(tc.sink, func(t *testing.T) {
			buf.Reset()
			f, _, ok := env.Sink(tc.sink)
			require.True(t, ok)
			k := f()
			require.NoError(t, k.Configure(tc.props))
			require.NoError(t, k.Open(ctx))
			require.NoError(t, k.Collect(ctx, []map[string]any{{"a": 1}}))
			require.NoError(t, k.(api.BytesSink).CollectBytes(ctx, []byte(`{"b":2}`), nil))
			if err := k.Collect(ctx, map[string]any{"bad": make(chan int)}); tc.logs {
				require.ErrorContains(t, err, "encode result", "an unencodable result fails when it is logged")
			} else {
				require.NoError(t, err)
			}
			require.NoError(t, k.Close(ctx))
			if tc.logs {
				require.Contains(t, buf.String(), `level=INFO msg="sink result" rule=r1 op=log instance=0 data="[{\"a\":1}]"`)
				require.Contains(t, buf.String(), `data="{\"b\":2}"`)
			} else {
				require.Empty(t, buf.String())
			}
		})
	}
	f, _, _ := env.Sink("nop")
	require.ErrorContains(t, f().Configure(map[string]any{"log": "loud"}), `property "log"`)
}

package native_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/plugin"
	"github.com/kuiperio/kuiper/internal/plugin/native"
	"github.com/kuiperio/kuiper/internal/plugin/pluginbuild"
	"github.com/kuiperio/kuiper/internal/value"
	"github.com/kuiperio/kuiper/sdk/api"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pluginbuild.Cleanup()
	os.Exit(code)
}

type fixture struct {
	home  string
	env   *connector.Env
	funcs *function.Registry
	m     *plugin.Manager
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{home: t.TempDir(), env: connector.NewEnv(), funcs: function.NewRegistry()}
	f.m = plugin.NewManager(plugin.Options{
		Env: f.env, Funcs: f.funcs,
		PluginsDir: filepath.Join(f.home, "plugins"),
		EtcDir:     filepath.Join(f.home, "etc"),
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Lookup:     native.Lookup,
	})
	return f
}

// place copies a built plugin into the fixture's plugins/<kind>/ as file.
func (f *fixture) place(t testing.TB, kind plugin.Kind, so, file string) {
	t.Helper()
	b, err := os.ReadFile(so)
	require.NoError(t, err)
	dir := filepath.Join(f.home, "plugins", string(kind))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, file), b, 0o755))
}

func exec(t *testing.T, spec *function.Spec, args ...any) (value.Value, error) {
	t.Helper()
	vals := make([]value.Value, len(args))
	for i, a := range args {
		vals[i] = value.FromAny(a)
	}
	return spec.Exec(&function.Context{RuleID: "r1", FuncID: 1}, vals)
}

func TestNative_LoadExamples(t *testing.T) {
	f := newFixture(t)
	f.place(t, plugin.Function, pluginbuild.Build(t, "./examples/plugins/functions/echo", "Echo.so"), "Echo.so")
	f.place(t, plugin.Function, pluginbuild.Build(t, "./examples/plugins/functions/countplusone", "CountPlusOne.so"), "CountPlusOne@v1.0.0.so")
	f.place(t, plugin.Function, pluginbuild.Build(t, "./examples/plugins/functions/multi", "Multi.so"), "Multi.so")
	b, err := os.ReadFile(filepath.Join(mustRoot(t), "examples/plugins/functions/multi/multi.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(f.home, "plugins", "functions", "multi.json"), b, 0o644))
	f.place(t, plugin.Source, pluginbuild.Build(t, "./examples/plugins/sources/random", "Random.so"), "Random.so")
	f.place(t, plugin.Sink, pluginbuild.Build(t, "./examples/plugins/sinks/file", "File.so"), "File.so")
	f.m.LoadAll()

	for _, k := range plugin.Kinds() {
		for _, n := range f.m.List(k) {
			in, err := f.m.Describe(k, n)
			require.NoError(t, err)
			require.Equal(t, plugin.StatusRunning, in.Status, "%s %s: %s", k, n, in.Error)
		}
	}
	require.Equal(t, []string{"countPlusOne", "echo", "multi"}, f.m.List(plugin.Function))
	in, err := f.m.Describe(plugin.Function, "countPlusOne")
	require.NoError(t, err)
	require.Equal(t, "1.0.0", in.Version)

	echo, ok := f.funcs.Lookup("echo")
	require.True(t, ok)
	v, err := exec(t, echo, 21.5)
	require.NoError(t, err)
	require.Equal(t, value.FloatValue(21.5), v)
	require.ErrorContains(t, echo.CheckArgs([]function.Arg{{}, {}}), "echo expects 1 argument, got 2")

	add, ok := f.funcs.Lookup("add")
	require.True(t, ok)
	v, err = exec(t, add, int64(2), int64(3))
	require.NoError(t, err)
	require.Equal(t, value.IntValue(5), v)
	shout, ok := f.funcs.Lookup("SHOUT")
	require.True(t, ok)
	v, err = exec(t, shout, "abc")
	require.NoError(t, err)
	require.Equal(t, value.StringValue("ABC!"), v)
	_, err = exec(t, shout, int64(1))
	require.ErrorContains(t, err, "shout expects a string")

	cpo, ok := f.funcs.Lookup("countPlusOne")
	require.True(t, ok)
	require.Equal(t, function.Aggregate, cpo.Kind)
	agg := cpo.NewAggregator([]function.Arg{{}})
	for range 3 {
		require.NoError(t, agg.Add([]value.Value{value.IntValue(1)}))
	}
	v, err = agg.Result()
	require.NoError(t, err)
	require.Equal(t, value.IntValue(4), v)

	udfs := f.m.UDFs()
	require.Len(t, udfs, 5)
	u, err := f.m.UDF("mul")
	require.NoError(t, err)
	require.Equal(t, plugin.UDF{Name: "mul", Plugin: "multi"}, u)

	// The source emits generated readings.
	sf, _, ok := f.env.Source("random")
	require.True(t, ok)
	src := sf()
	require.NoError(t, src.Configure("demo", map[string]any{"interval": "1ms", "limit": 3, "pattern": map[string]any{"t": 10.0}}))
	var got []map[string]any
	ctx := connector.NewContext(context.Background(), "r1", "demo", 0, nil)
	src.Open(ctx, func(m, _ map[string]any) { got = append(got, m) })
	require.Len(t, got, 3)
	require.NoError(t, src.Close(ctx))

	// The sink appends lines.
	kf, _, ok := f.env.Sink("FILE")
	require.True(t, ok)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	snk := kf()
	require.NoError(t, snk.Configure(map[string]any{"path": out}))
	require.NoError(t, snk.Open(ctx))
	require.NoError(t, snk.Collect(ctx, map[string]any{"a": 1}))
	require.NoError(t, snk.Collect(ctx, []any{map[string]any{"a": 2}, map[string]any{"a": 3}}))
	require.NoError(t, snk.Close(ctx))
	b, err = os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", string(b))

	// Delete unregisters.
	require.NoError(t, f.m.Delete(plugin.Function, "multi"))
	_, ok = f.funcs.Lookup("add")
	require.False(t, ok)
	require.NoFileExists(t, filepath.Join(f.home, "plugins", "functions", "Multi.so"))
}

func TestNative_HighestVersionWins(t *testing.T) {
	f := newFixture(t)
	so := pluginbuild.Build(t, "./examples/plugins/functions/echo", "Echo.so")
	f.place(t, plugin.Function, so, "Echo@v1.2.0.so")
	f.place(t, plugin.Function, so, "Echo@v1.10.0.so")
	f.place(t, plugin.Function, so, "Echo@v1.9.3.so")
	f.m.LoadAll()
	in, err := f.m.Describe(plugin.Function, "echo")
	require.NoError(t, err)
	require.Equal(t, "1.10.0", in.Version)
	require.Equal(t, "functions/Echo@v1.10.0.so", in.File)
}

func TestNative_Failures(t *testing.T) {
	echo := pluginbuild.Build(t, "./examples/plugins/functions/echo", "Echo.so")
	tests := []struct {
		name  string
		kind  plugin.Kind
		so    func(t *testing.T) string
		file  string
		want  []string
		listd string
	}{
		{name: "lower-case name", kind: plugin.Function, so: func(*testing.T) string { return echo }, file: "echo.so",
			want: []string{"echo.so", "must start with an upper-case letter", plugin.NameRule}, listd: "echo"},
		{name: "bad version", kind: plugin.Function, so: func(*testing.T) string { return echo }, file: "Echo@1.0.so",
			want: []string{"Echo@1.0.so", "is not like v1.2.3"}, listd: "Echo"},
		{name: "missing symbol", kind: plugin.Function, so: func(*testing.T) string { return echo }, file: "Other.so",
			want: []string{"Other.so", "does not export the symbol Other"}, listd: "other"},
		{name: "wrong symbol type", kind: plugin.Source, file: "Bad.so",
			so: func(t *testing.T) string {
				return pluginbuild.Build(t, "./internal/plugin/native/testdata/bad", "Bad.so")
			},
			want: []string{"Bad.so", "symbol Bad", "*int", "func() api.Source"}, listd: "bad"},
		{name: "not a plugin", kind: plugin.Sink, file: "Junk.so",
			so: func(t *testing.T) string {
				p := filepath.Join(t.TempDir(), "Junk.so")
				require.NoError(t, os.WriteFile(p, []byte("not an ELF file"), 0o755))
				return p
			},
			want: []string{"Junk.so"}, listd: "junk"},
		{name: "mismatched build", kind: plugin.Function, file: "Mismatch.so",
			so: func(t *testing.T) string {
				return pluginbuild.Build(t, "./internal/plugin/native/testdata/mismatch", "Mismatch.so", "-gcflags=github.com/kuiperio/kuiper/sdk/api=-N -l")
			},
			want: []string{"Mismatch.so", "plugin was built with a different version of package github.com/kuiperio/kuiper/sdk/api", "rebuild the plugin"}, listd: "mismatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.place(t, tc.kind, tc.so(t), tc.file)
			f.m.LoadAll()
			require.Equal(t, []string{tc.listd}, f.m.List(tc.kind))
			in, err := f.m.Describe(tc.kind, tc.listd)
			require.NoError(t, err)
			require.Equal(t, plugin.StatusFailed, in.Status)
			for _, w := range tc.want {
				require.Contains(t, in.Error, w)
			}
			require.Empty(t, f.env.Sources())
			require.Empty(t, f.env.Sinks())
			require.Empty(t, f.funcs.All())
		})
	}
}

func TestNative_PanicBecomesError(t *testing.T) {
	f := newFixture(t)
	f.place(t, plugin.Function, pluginbuild.Build(t, "./internal/plugin/native/testdata/panicky", "Panicky.so"), "Panicky.so")
	f.place(t, plugin.Sink, pluginbuild.Build(t, "./internal/plugin/native/testdata/panickysink", "PanickySink.so"), "PanickySink.so")
	f.m.LoadAll()
	spec, ok := f.funcs.Lookup("panicky")
	require.True(t, ok)
	v, err := exec(t, spec, "ok")
	require.NoError(t, err)
	require.Equal(t, value.StringValue("fine"), v)
	_, err = exec(t, spec, "no")
	var pe *plugin.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "boom", pe.Value)

	sf, _, ok := f.env.Sink("panickySink")
	require.True(t, ok)
	ctx := connector.NewContext(context.Background(), "r1", "sink", 0, nil)
	s := sf()
	require.NoError(t, s.Open(ctx))
	err = s.Collect(ctx, map[string]any{})
	require.ErrorAs(t, err, &pe)
	require.True(t, strings.Contains(err.Error(), "sink boom"))
	var _ api.Sink = s
}

func mustRoot(t *testing.T) string {
	t.Helper()
	r, err := pluginbuild.Root()
	require.NoError(t, err)
	return r
}

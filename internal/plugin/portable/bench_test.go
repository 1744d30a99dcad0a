package portable_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/plugin/pluginbuild"
	"github.com/kuiperio/kuiper/internal/plugin/portable"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pluginbuild.Cleanup()
	os.Exit(code)
}

// install copies the examples into dir/<name>/.
func install(t testing.TB, dir string) {
	t.Helper()
	root, err := pluginbuild.Root()
	if err != nil {
		t.Fatal(err)
	}
	exe := pluginbuild.BuildExe(t, "./examples/plugins/portable/gosample", "gosample")
	files := map[string]string{
		"gosample/gosample":         exe,
		"gosample/gosample.json":    filepath.Join(root, "examples/plugins/portable/gosample/gosample.json"),
		"pysample/pysample.py":      filepath.Join(root, "examples/plugins/portable/pysample/pysample.py"),
		"pysample/pysample.json":    filepath.Join(root, "examples/plugins/portable/pysample/pysample.json"),
		"pysample/kuiper_plugin.py": filepath.Join(root, "sdk/python/kuiper_plugin.py"),
	}
	for dst, src := range files {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, dst)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func newManager(t testing.TB) (*portable.Manager, *function.Registry) {
	t.Helper()
	dir := t.TempDir()
	install(t, dir)
	funcs := function.NewRegistry()
	m := portable.NewManager(portable.Options{Env: connector.NewEnv(), Funcs: funcs, Dir: dir})
	m.LoadAll()
	t.Cleanup(m.Close)
	return m, funcs
}

// BenchmarkPortableUDF measures a portable function call per row: one
// round trip per row, and rows sent in batches of 64 (ns/op is per row).
func BenchmarkPortableUDF(b *testing.B) {
	m, funcs := newManager(b)
	for _, c := range []struct{ plugin, fn string }{{"gosample", "double"}, {"pysample", "revert"}} {
		p, err := m.Plugin(c.plugin)
		if err != nil {
			b.Fatal(err)
		}
		arg := any(int64(21))
		if c.plugin == "pysample" {
			arg = "a reading"
		}
		b.Run(c.plugin+"/spec_per_row", func(b *testing.B) {
			spec, _ := funcs.Lookup(c.fn)
			ctx := &function.Context{RuleID: "r", FuncID: 1}
			args := []valueArg{{arg}}
			vals := toValues(args)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := spec.Exec(ctx, vals); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, batch := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/batch%d", c.plugin, batch), func(b *testing.B) {
				rows := make([][]any, batch)
				for i := range rows {
					rows[i] = []any{arg}
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i += batch {
					res, errs, err := p.Call(context.Background(), c.fn, "r", rows)
					if err != nil || len(res) != batch || (len(errs) > 0 && errs[0] != "") {
						b.Fatal(err, errs)
					}
				}
			})
		}
	}
}

package native_test

import (
	"testing"

	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/plugin"
	"github.com/kuiperio/kuiper/internal/plugin/pluginbuild"
	"github.com/kuiperio/kuiper/internal/value"
)

// BenchmarkUDF compares one call of a native plugin function (echo, which
// converts its argument to a Go value and back) with one call of a
// built-in (abs), both through their function.Spec as rules call them.
func BenchmarkUDF(b *testing.B) {
	f := newFixture(b)
	f.place(b, plugin.Function, pluginbuild.Build(b, "./examples/plugins/functions/echo", "Echo.so"), "Echo.so")
	f.m.LoadAll()
	echo, ok := f.funcs.Lookup("echo")
	if !ok {
		b.Fatal("echo is not registered")
	}
	abs, _ := function.Builtins().Lookup("abs")
	for _, c := range []struct {
		name string
		spec *function.Spec
		arg  value.Value
	}{
		{"builtin_abs/float", abs, value.FloatValue(-21.5)},
		{"native_echo/float", echo, value.FloatValue(-21.5)},
		{"native_echo/string", echo, value.StringValue("a reading")},
	} {
		b.Run(c.name, func(b *testing.B) {
			ctx := &function.Context{RuleID: "r", FuncID: 1}
			args := []value.Value{c.arg}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.spec.Exec(ctx, args); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package main

import (
	"testing"

	"github.com/kuiperio/kuiper/sdk/plugintest"
)

func TestMulti(t *testing.T) {
	tests := []struct {
		name string
		f    func() (any, error)
		want any
	}{
		{"add ints", func() (any, error) { return plugintest.Call(t, Add, int64(2), int64(3)) }, int64(5)},
		{"add floats", func() (any, error) { return plugintest.Call(t, Add, 2.5, int64(3)) }, 5.5},
		{"mul", func() (any, error) { return plugintest.Call(t, Mul, int64(6), int64(7)) }, int64(42)},
		{"shout", func() (any, error) { return plugintest.Call(t, Shout(), "hi") }, "HI!"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.f()
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	if _, err := plugintest.Call(t, Add, "a", int64(1)); err == nil {
		t.Fatal("add('a', 1) was accepted")
	}
}

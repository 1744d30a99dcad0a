package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kuiperio/kuiper/sdk/plugintest"
)

func TestFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.jsonl")
	plugintest.RunSink(t, File, map[string]any{"path": out},
		map[string]any{"a": 1},
		[]any{map[string]any{"a": 2}, map[string]any{"a": 3}})
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n" {
		t.Fatalf("file holds %q", b)
	}
	if err := File().Configure(map[string]any{}); err == nil {
		t.Fatal("a sink without path was accepted")
	}
}

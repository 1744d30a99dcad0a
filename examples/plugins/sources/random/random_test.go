package main

import (
	"testing"
	"time"

	"github.com/kuiperio/kuiper/sdk/plugintest"
)

func TestRandom(t *testing.T) {
	msgs := plugintest.RunSource(t, Random, "demo", map[string]any{
		"interval": "1ms", "seed": 7, "pattern": map[string]any{"t": 30.0, "h": 100, "name": "x"},
	}, 5, 5*time.Second)
	for _, m := range msgs {
		tv, ok := m.Data["t"].(float64)
		if !ok || tv < 0 || tv >= 30 {
			t.Fatalf("t = %v", m.Data["t"])
		}
		if h, ok := m.Data["h"].(int); !ok || h < 0 || h >= 100 {
			t.Fatalf("h = %v", m.Data["h"])
		}
		if m.Data["name"] != "x" {
			t.Fatalf("name = %v", m.Data["name"])
		}
	}
	// limit ends the source by itself.
	if got := plugintest.RunSource(t, Random, "", map[string]any{"interval": 1, "limit": 2}, 2, 5*time.Second); len(got) != 2 {
		t.Fatalf("got %d messages with limit 2", len(got))
	}
}

func TestRandom_BadProps(t *testing.T) {
	for _, props := range []map[string]any{{"interval": "soon"}, {"interval": -1}, {"pattern": 3}, {"limit": -2}} {
		if err := Random().Configure("", props); err == nil {
			t.Errorf("Configure(%v) accepted", props)
		}
	}
}

package main

import (
	"testing"

	"github.com/kuiperio/kuiper/sdk/plugintest"
)

func TestEcho(t *testing.T) {
	if v, err := plugintest.Call(t, Echo, 21.5); err != nil || v != 21.5 {
		t.Fatalf("echo(21.5) = %v, %v", v, err)
	}
	if _, err := plugintest.Call(t, Echo, 1, 2); err == nil {
		t.Fatal("echo(1, 2) was accepted")
	}
}

package main

import (
	"testing"

	"github.com/kuiperio/kuiper/sdk/plugintest"
)

func TestCountPlusOne(t *testing.T) {
	f := CountPlusOne()
	if !f.IsAggregate() {
		t.Fatal("countPlusOne must be an aggregate")
	}
	// An aggregate receives the group's values of each argument.
	if v, err := plugintest.Call(t, f, []any{1.0, 2.0, 3.0}); err != nil || v != 4 {
		t.Fatalf("countPlusOne over 3 rows = %v, %v", v, err)
	}
}

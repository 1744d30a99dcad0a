package topo_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/topo"
)

// TestSink_PanicIsCounted checks that a sink panicking on one result is
// counted as an exception and the rule goes on with the next results.
func TestSink_PanicIsCounted(t *testing.T) {
	f := start(t, `SELECT * FROM s`, topo.Options{})
	f.send("s", map[string]any{"panic": true}, map[string]any{"v": 2.0})
	require.JSONEq(t, `{"v":2}`, f.next())
	require.Eventually(t, func() bool {
		st := f.status()
		return st["sink_capture_0_0_exceptions_total"] == float64(1) &&
			st["sink_capture_0_0_last_exception"] == "sink panicked: sink exploded"
	}, 5*time.Second, time.Millisecond)
}

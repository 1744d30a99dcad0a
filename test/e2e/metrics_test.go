package e2e_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMetrics_Prometheus checks that GET /metrics exports the rules' node
// metrics under eKuiper's series names.
func TestMetrics_Prometheus(t *testing.T) {
	srv := startServer(t, "")
	cl := newClient(t)
	srv.mustCall("POST", "/streams", map[string]string{"sql": `CREATE STREAM pm () WITH (DATASOURCE="e2e/metrics/in", TYPE="mqtt")`}, 201)
	srv.mustCall("POST", "/rules", map[string]any{
		"id": "pm1", "sql": "SELECT a FROM pm WHERE a > 1",
		"actions": []any{map[string]any{"nop": map[string]any{}}},
	}, 201)
	srv.waitRunning("pm1")
	for _, p := range []string{`{"a":1}`, `{"a":2}`, `not json`} {
		cl.publish("e2e/metrics/in", []byte(p))
	}
	want := []string{
		`kuiper_rule_status{rule="pm1"} 1`,
		`kuiper_source_records_in_total{op="pm",op_instance="0",rule="pm1",type="source"} 3`,
		`kuiper_source_exceptions_total{op="pm",op_instance="0",rule="pm1",type="source"} 1`,
		`kuiper_op_records_out_total{op="3_filter",op_instance="0",rule="pm1",type="op"} 1`,
		`kuiper_sink_records_out_total{op="nop_0",op_instance="0",rule="pm1",type="sink"} 1`,
	}
	var body string
	require.Eventually(t, func() bool {
		_, body = srv.call("GET", "/metrics", nil)
		for _, w := range want {
			if !strings.Contains(body, w) {
				return false
			}
		}
		return true
	}, 10e9, 50e6, "metrics missing from:\n%s", func() string { return body }())
}

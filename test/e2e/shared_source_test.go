package e2e_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSharedSource runs several rules over one stream: each sees every
// message, with its own source metrics, through one MQTT subscription.
func TestSharedSource(t *testing.T) {
	t.Parallel()
	s := startServer(t, "")
	cl := newClient(t)
	in, outA, outB := topicFor(t, "in"), topicFor(t, "a"), topicFor(t, "b")
	cl.subscribe(outA)
	cl.subscribe(outB)
	s.createStream(fmt.Sprintf(`CREATE STREAM demo () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in))
	connecting := func() int { return len(s.logs.Lines(`msg="mqtt source connecting"`, "stream=demo")) }

	// The rules read different fields of the same messages.
	s.createRule(newRule("ra", "SELECT a FROM demo", mqttSink(t, outA, obj{"sendSingle": true, "qos": 1})))
	s.createRule(newRule("rb", "SELECT b, a + b AS s FROM demo WHERE b > 0", mqttSink(t, outB, obj{"sendSingle": true, "qos": 1})))
	s.createRule(newRule("rc", "SELECT * FROM demo", obj{"nop": obj{}}))
	require.Equal(t, 1, connecting(), "one source instance for the three rules")

	const n = 100
	var wantA, wantB []string
	for i := 0; i < n; i++ {
		cl.publish(in, []byte(fmt.Sprintf(`{"a":%d,"b":%d,"c":"x"}`, i, i%2)))
		wantA = append(wantA, fmt.Sprintf(`{"a":%d}`, i))
		if i%2 == 1 {
			wantB = append(wantB, fmt.Sprintf(`{"b":1,"s":%d}`, i+1))
		}
	}
	require.Equal(t, wantA, cl.waitMessages(outA, n))
	require.Equal(t, wantB, cl.waitMessages(outB, n/2))
	s.waitMetric("rc", "sink_nop_0_0_records_out_total", n)
	for _, id := range []string{"ra", "rb", "rc"} {
		st := s.ruleStatus(id)
		require.Equal(t, float64(n), st["source_demo_0_records_in_total"], id)
		require.Equal(t, float64(n), st["source_demo_0_records_out_total"], id)
		require.Equal(t, float64(0), st["source_demo_0_exceptions_total"], id)
	}
	require.Equal(t, float64(n/2), s.ruleStatus("rb")["op_3_filter_0_records_out_total"])

	// Stopping one rule leaves the others fed; starting it again reuses
	// the running source.
	s.mustCall("POST", "/rules/ra/stop", nil, 200)
	cl.publish(in, []byte(`{"a":500,"b":1}`))
	require.Equal(t, `{"b":1,"s":501}`, cl.waitMessages(outB, n/2+1)[n/2])
	cl.noMore(outA, n)
	s.mustCall("POST", "/rules/ra/start", nil, 200)
	s.ready("ra")
	cl.publish(in, []byte(`{"a":600,"b":1}`))
	require.Equal(t, `{"a":600}`, cl.waitMessages(outA, n+1)[n])
	require.Equal(t, `{"b":1,"s":601}`, cl.waitMessages(outB, n/2+2)[n/2+1])
	require.Equal(t, 1, connecting(), "the source kept running")

	// With its last rule gone the source stops; a new rule starts it anew.
	for _, id := range []string{"ra", "rb", "rc"} {
		s.mustCall("DELETE", "/rules/"+id, nil, 200)
	}
	s.createRule(newRule("rd", "SELECT c FROM demo", mqttSink(t, outA, obj{"sendSingle": true, "qos": 1})))
	require.Equal(t, 2, connecting())
	cl.publish(in, []byte(`{"a":1,"c":"again"}`))
	require.Equal(t, `{"c":"again"}`, cl.waitMessages(outA, n+2)[n+1])
}

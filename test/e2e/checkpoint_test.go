package e2e_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// windowIn is the key of the records_in metric of a rule's window node.
func windowIn(t testing.TB, st map[string]any) string {
	t.Helper()
	for k := range st {
		if strings.HasPrefix(k, "op_") && strings.HasSuffix(k, "_window_0_records_in_total") {
			return k
		}
	}
	t.Fatalf("no window metric in %v", st)
	return ""
}

// TestCheckpoint_GracefulRestart: a window open when the server shuts
// down goes on after it starts again (qos 0 keeps it across a graceful
// shutdown), while a restart of the rule over REST starts empty windows,
// as eKuiper does.
func TestCheckpoint_GracefulRestart(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cl := newClient(t)
	in, out := topicFor(t, "in"), topicFor(t, "out")
	cl.subscribe(out)

	s1 := startServer(t, home)
	s1.createStream(fmt.Sprintf(`CREATE STREAM demo () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in))
	s1.createRule(newRule("w", "SELECT count(*) AS c, collect(v) AS vs, avg(v) AS a FROM demo GROUP BY COUNTWINDOW(4)",
		mqttSink(t, out, obj{"sendSingle": true})))
	win := windowIn(t, s1.ruleStatus("w"))
	cl.publish(in, []byte(`{"v":1}`))
	cl.publish(in, []byte(`{"v":2}`))
	s1.waitMetric("w", win, 2)
	require.NoError(t, s1.Close())

	s2 := startServer(t, home)
	s2.ready("w")
	cl.publish(in, []byte(`{"v":3}`))
	cl.publish(in, []byte(`{"v":4}`))
	require.Equal(t, []string{`{"a":2.5,"c":4,"vs":[1,2,3,4]}`}, cl.waitMessages(out, 1))

	// A REST restart drops the open window.
	cl.publish(in, []byte(`{"v":5}`))
	s2.waitMetric("w", win, 3) // counted since s2 started
	s2.mustCall("POST", "/rules/w/restart", nil, 200)
	s2.ready("w")
	for _, v := range []int{6, 7, 8, 9} {
		cl.publish(in, []byte(fmt.Sprintf(`{"v":%d}`, v)))
	}
	require.Equal(t, `{"a":7.5,"c":4,"vs":[6,7,8,9]}`, cl.waitMessages(out, 2)[1])
}

// TestCheckpoint_Kill9 kills kuiperd with SIGKILL mid-window: a qos 1
// rule resumes its window from the last periodic checkpoint.
func TestCheckpoint_Kill9(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs kuiperd")
	}
	home := t.TempDir()
	port := freePort(t)
	env := []string{"KUIPER__MQTT__SERVER=" + brokerURL(t), "KUIPER__MQTT__EMBEDDEDBROKER=never"}
	cl := newClient(t)
	in, out := topicFor(t, "in"), topicFor(t, "out")
	cl.subscribe(out)

	d := startDaemon(t, home, port, env...)
	d.mustCall("POST", "/streams", obj{"sql": fmt.Sprintf(`CREATE STREAM demo () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in)}, 201)
	r := newRule("w", "SELECT k, sum(v) AS s FROM demo GROUP BY k, COUNTWINDOW(4)", mqttSink(t, out, obj{"sendSingle": true}))
	r["options"] = obj{"qos": 1, "checkpointInterval": 50}
	d.mustCall("POST", "/rules", r, 201)
	d.waitReady("w")
	cl.publish(in, []byte(`{"k":"a","v":1}`))
	cl.publish(in, []byte(`{"k":"b","v":2}`))
	cl.publish(in, []byte(`{"k":"a","v":3}`))
	require.Eventually(t, func() bool {
		_, body := d.call("GET", "/rules/w/status", nil)
		var st map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &st))
		return st[windowIn(t, st)] == 3.0
	}, 10*time.Second, 10*time.Millisecond)
	time.Sleep(500 * time.Millisecond) // several checkpoint intervals
	d.kill()

	d = startDaemon(t, home, port, env...)
	d.waitReady("w")
	cl.publish(in, []byte(`{"k":"b","v":4}`))
	require.Equal(t, []string{`{"k":"a","s":4}`, `{"k":"b","s":6}`}, cl.waitMessages(out, 2))
}

// TestCheckpoint_AnalyticAcrossRestart: the state of analytic functions
// of a rule without a window survives a graceful restart of the server.
func TestCheckpoint_AnalyticAcrossRestart(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cl := newClient(t)
	in, out := topicFor(t, "in"), topicFor(t, "out")
	cl.subscribe(out)

	s1 := startServer(t, home)
	s1.createStream(fmt.Sprintf(`CREATE STREAM demo () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in))
	s1.createRule(newRule("lag", "SELECT v, lag(v) AS p, acc_count(v) AS n FROM demo",
		mqttSink(t, out, obj{"sendSingle": true})))
	cl.publish(in, []byte(`{"v":1}`))
	require.Equal(t, []string{`{"n":1,"v":1}`}, cl.waitMessages(out, 1))
	require.NoError(t, s1.Close())

	s2 := startServer(t, home)
	s2.ready("lag")
	cl.publish(in, []byte(`{"v":2}`))
	require.Equal(t, `{"n":2,"p":1,"v":2}`, cl.waitMessages(out, 2)[1])
}

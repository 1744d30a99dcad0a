package e2e_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// ruleStates maps rule ids to their status in GET /rules.
func ruleStates(t testing.TB, body string) map[string]string {
	t.Helper()
	var list []struct{ ID, Status string }
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	out := map[string]string{}
	for _, r := range list {
		out[r.ID] = r.Status
	}
	return out
}

// TestRestart closes a server and starts a new one on the same home
// folder: streams are still there, running rules run again and produce
// output, stopped rules stay stopped.
func TestRestart(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cl := newClient(t)
	in, out1, out2, out3 := topicFor(t, "in"), topicFor(t, "out1"), topicFor(t, "out2"), topicFor(t, "out3")
	for _, o := range []string{out1, out2, out3} {
		cl.subscribe(o)
	}

	s1 := startServer(t, home)
	s1.createStream(fmt.Sprintf(`CREATE STREAM demo () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in))
	s1.createStream(fmt.Sprintf(`CREATE STREAM typed (device string, temperature float) WITH (DATASOURCE=%q, TYPE="mqtt")`, in))
	s1.mustCall("POST", "/streams", obj{"sql": `CREATE STREAM mem () WITH (DATASOURCE="m/1", TYPE="memory")`}, 201)
	s1.createRule(newRule("running", "SELECT device, temperature * 2 AS t2 FROM typed WHERE temperature > 10",
		mqttSink(t, out1, obj{"sendSingle": true})))
	s1.createRule(newRule("stopped", "SELECT * FROM demo", mqttSink(t, out2, obj{"sendSingle": true})))
	s1.mustCall("POST", "/rules/stopped/stop", nil, 200)
	untriggered := newRule("untriggered", "SELECT device FROM demo", mqttSink(t, out3, obj{"sendSingle": true}))
	untriggered["triggered"] = false
	s1.mustCall("POST", "/rules", untriggered, 201)

	cl.publish(in, []byte(`{"device":"a","temperature":11}`))
	require.Equal(t, []string{`{"device":"a","t2":22}`}, cl.waitMessages(out1, 1))
	require.NoError(t, s1.Close())

	s2 := startServer(t, home)
	require.Equal(t, `["demo","mem","typed"]`, sortedJSON(t, s2.mustCall("GET", "/streams", nil, 200)))
	require.Equal(t, map[string]string{"running": "running", "stopped": "stopped", "untriggered": "stopped"},
		ruleStates(t, s2.mustCall("GET", "/rules", nil, 200)))
	var desc struct {
		StreamFields []struct{ Name string }
	}
	require.NoError(t, json.Unmarshal([]byte(s2.mustCall("GET", "/streams/typed", nil, 200)), &desc))
	require.Len(t, desc.StreamFields, 2, "the typed stream keeps its columns")

	s2.ready("running")
	cl.publish(in, []byte(`{"device":"b","temperature":12.5}`))
	cl.publish(in, []byte(`{"device":"c","temperature":1}`))
	require.Equal(t, []string{`{"device":"a","t2":22}`, `{"device":"b","t2":25}`}, cl.waitMessages(out1, 2))
	cl.noMore(out2, 0)
	cl.noMore(out3, 0)
	require.Equal(t, "stopped", s2.ruleStatus("stopped")["status"])

	// The stopped rules still work when started by hand.
	s2.mustCall("POST", "/rules/stopped/start", nil, 200)
	s2.mustCall("POST", "/rules/untriggered/start", nil, 200)
	s2.ready("stopped")
	s2.ready("untriggered")
	cl.publish(in, []byte(`{"device":"d","temperature":3}`))
	require.Equal(t, []string{`{"device":"d","temperature":3}`}, cl.waitMessages(out2, 1))
	require.Equal(t, []string{`{"device":"d"}`}, cl.waitMessages(out3, 1))
}

// sortedJSON sorts a JSON array of strings.
func sortedJSON(t testing.TB, body string) string {
	t.Helper()
	var list []string
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	sort.Strings(list)
	b, err := json.Marshal(list)
	require.NoError(t, err)
	return string(b)
}

// TestKill9 runs kuiperd as a process, kills it with SIGKILL right after
// a rule is created and checks that the rule comes back running; then
// that a rule stopped before the kill comes back stopped.
func TestKill9(t *testing.T) {
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
	d.mustCall("POST", "/rules", newRule("hot", "SELECT device FROM demo WHERE temperature > 50",
		mqttSink(t, out, obj{"sendSingle": true})), 201)
	d.kill()

	d = startDaemon(t, home, port, env...)
	require.Equal(t, `["demo"]`, d.mustCall("GET", "/streams", nil, 200))
	require.Equal(t, map[string]string{"hot": "running"}, ruleStates(t, d.mustCall("GET", "/rules", nil, 200)))
	d.waitReady("hot")
	cl.publish(in, []byte(`{"device":"x","temperature":51}`))
	require.Equal(t, []string{`{"device":"x"}`}, cl.waitMessages(out, 1))

	d.mustCall("POST", "/rules/hot/stop", nil, 200)
	d.kill()
	d = startDaemon(t, home, port, env...)
	require.Equal(t, map[string]string{"hot": "stopped"}, ruleStates(t, d.mustCall("GET", "/rules", nil, 200)))
	d.mustCall("POST", "/rules/hot/start", nil, 200)
	d.waitReady("hot")
	cl.publish(in, []byte(`{"device":"y","temperature":52}`))
	require.Equal(t, `{"device":"y"}`, cl.waitMessages(out, 2)[1])
	d.stop()
	require.Contains(t, d.logs.String(), "kuiperd stopped", "SIGTERM shuts down gracefully")
}

package e2e_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/broker"
)

// TestBrokerRestart takes the broker of a stream (named by a CONF_KEY in
// etc/sources/mqtt.yaml) and of a sink away and brings it back: the rules
// keep running, report the lost connection, reconnect, subscribe again and
// produce output again.
func TestBrokerRestart(t *testing.T) {
	t.Parallel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	b, err := broker.Start(addr, quiet)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	flaky := b.URL()

	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "etc", "sources"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(home, "etc", "sources", "mqtt.yaml"),
		[]byte(fmt.Sprintf("flaky:\n  server: %s\n  qos: 1\n", flaky)), 0o644))
	s := startServer(t, home)
	cl := newClient(t)
	out := topicFor(t, "out")
	cl.subscribe(out)
	s.createStream(`CREATE STREAM demo () WITH (DATASOURCE="in", FORMAT="json", TYPE="mqtt", CONF_KEY="flaky")`)
	s.createStream(fmt.Sprintf(`CREATE STREAM stable () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, topicFor(t, "in")))
	s.createRule(newRule("src", "SELECT a FROM demo", mqttSink(t, out, obj{"sendSingle": true})))
	s.createRule(newRule("snk", "SELECT a FROM demo", obj{"mqtt": obj{"server": flaky, "topic": "back", "sendSingle": true, "qos": 1}}))

	fc := newClientAt(t, flaky)
	fc.subscribe("back")
	fc.publish("in", []byte(`{"a":1}`))
	require.Equal(t, []string{`{"a":1}`}, cl.waitMessages(out, 1))
	require.Equal(t, []string{`{"a":1}`}, fc.waitMessages("back", 1))

	subs := func() int { return len(s.logs.Lines(`msg="mqtt source subscribed"`, " stream=demo ")) }
	before := subs()
	require.NoError(t, b.Close())
	require.Eventually(t, func() bool {
		st := s.tryStatus("src")
		return st["source_demo_0_connection_status"] != float64(1) && st["status"] == "running"
	}, 10*time.Second, 20*time.Millisecond, "the rule reports the lost connection and keeps running")

	b, err = broker.Start(addr, quiet)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	s.waitRunning("src")
	require.Eventually(t, func() bool { return subs() > before }, 20*time.Second, 20*time.Millisecond,
		"the source subscribes again")
	s.waitRunning("snk")
	require.Eventually(t, func() bool {
		return s.tryStatus("snk")["sink_mqtt_0_0_connection_status"] == float64(1)
	}, 20*time.Second, 20*time.Millisecond, "the sink reconnects")

	fc2 := newClientAt(t, flaky)
	fc2.subscribe("back")
	fc2.publish("in", []byte(`{"a":2}`))
	require.Equal(t, `{"a":2}`, cl.waitMessages(out, 2)[1])
	require.Equal(t, []string{`{"a":2}`}, fc2.waitMessages("back", 1))
	require.Equal(t, "running", s.ruleStatus("src")["status"])
	require.Equal(t, "running", s.ruleStatus("snk")["status"])
}

package e2e_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/broker"
	"github.com/kuiperio/kuiper/internal/testkit"
)

// mqttEnv is set to a broker URL (tcp://127.0.0.1:1883) to run the tests
// against a real broker instead of the embedded one.
const mqttEnv = "KUIPER_TEST_MQTT"

var (
	sharedBrokerOnce sync.Once
	sharedBrokerURL  string
	sharedBrokerErr  error
)

// brokerURL returns the broker the tests use: $KUIPER_TEST_MQTT, or one
// embedded broker shared by the whole test binary.
func brokerURL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(mqttEnv); u != "" {
		return u
	}
	sharedBrokerOnce.Do(func() {
		b, err := broker.Start("127.0.0.1:0", slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			sharedBrokerErr = err
			return
		}
		sharedBrokerURL = b.URL()
	})
	require.NoError(t, sharedBrokerErr)
	return sharedBrokerURL
}

// server is a kuiperd running in-process.
type server struct {
	*testkit.Server
	home string
	t    testing.TB
	// logs holds what the server logged (Info and up).
	logs *logBuffer
}

// logBuffer collects log output; safe for concurrent use.
type logBuffer = testkit.LogBuffer

// startServer starts kuiperd on a free port with home as its home folder
// ("" for a fresh temporary one).
func startServer(t testing.TB, home string) *server {
	t.Helper()
	return startServerEnv(t, home)
}

// startServerEnv is startServer with extra KUIPER__ configuration
// overrides ("KUIPER__BASIC__MAXMESSAGESIZE=1024").
func startServerEnv(t testing.TB, home string, environ ...string) *server {
	t.Helper()
	ks := testkit.Start(t, testkit.Options{Home: home, Environ: environ, MQTTServer: brokerURL(t)})
	return &server{Server: ks, home: ks.Home, t: t, logs: ks.Logs}
}

// call sends a REST request and returns the status and body.
func (s *server) call(method, path string, body any) (int, string) {
	s.t.Helper()
	return s.Call(method, path, body)
}

// mustCall is call that requires the given status.
func (s *server) mustCall(method, path string, body any, status int) string {
	s.t.Helper()
	return s.MustCall(method, path, body, status)
}

// ruleStatus returns the decoded status object of a rule.
func (s *server) ruleStatus(id string) map[string]any {
	s.t.Helper()
	return s.RuleStatus(id)
}

// tryStatus returns the decoded status object of a rule, or nil when it
// cannot be had. Unlike ruleStatus it never fails the test, so conditions
// polled by require.Eventually (which may run after the test ended) can
// use it.
func (s *server) tryStatus(id string) map[string]any {
	resp, err := http.Get(s.RESTURL() + "/rules/" + id + "/status")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var m map[string]any
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&m) != nil {
		return nil
	}
	return m
}

// waitRunning waits until the rule runs and its sources are connected.
func (s *server) waitRunning(id string) {
	s.t.Helper()
	require.Eventually(s.t, func() bool {
		st := s.tryStatus(id)
		if st["status"] != "running" {
			return false
		}
		for k, v := range st {
			if strings.HasPrefix(k, "source_") && strings.HasSuffix(k, "_connection_status") && v != float64(1) {
				return false
			}
		}
		return true
	}, 10*time.Second, 20*time.Millisecond, "rule %s does not run", id)
}

// client is a test MQTT client that records what it receives.
type client struct {
	c  mqtt.Client
	mu sync.Mutex
	// msgs per topic filter
	got map[string][][]byte
	// qos of each message per topic filter, and the topics it came on
	qos    map[string][]byte
	topics map[string][]string
	t      testing.TB
}

var clientSeq struct {
	sync.Mutex
	n int
}

func newClient(t testing.TB) *client {
	t.Helper()
	return newClientAt(t, brokerURL(t))
}

// newClientAt is a test client of the broker at url.
func newClientAt(t testing.TB, url string) *client {
	t.Helper()
	clientSeq.Lock()
	clientSeq.n++
	id := fmt.Sprintf("kuiper-test-%d-%d", os.Getpid(), clientSeq.n)
	clientSeq.Unlock()
	opts := mqtt.NewClientOptions().AddBroker(url).SetClientID(id).SetCleanSession(true).SetOrderMatters(true)
	c := mqtt.NewClient(opts)
	tok := c.Connect()
	require.True(t, tok.WaitTimeout(10*time.Second), "connect timeout")
	require.NoError(t, tok.Error())
	cl := &client{c: c, got: map[string][][]byte{}, qos: map[string][]byte{}, topics: map[string][]string{}, t: t}
	t.Cleanup(func() { c.Disconnect(100) })
	return cl
}

func (c *client) subscribe(topic string) {
	c.t.Helper()
	c.subscribeQoS(topic, 1)
}

// subscribeQoS subscribes to a topic filter with the given QoS.
func (c *client) subscribeQoS(topic string, qos byte) {
	c.t.Helper()
	tok := c.c.Subscribe(topic, qos, func(_ mqtt.Client, m mqtt.Message) {
		c.mu.Lock()
		c.got[topic] = append(c.got[topic], append([]byte(nil), m.Payload()...))
		c.qos[topic] = append(c.qos[topic], m.Qos())
		c.topics[topic] = append(c.topics[topic], m.Topic())
		c.mu.Unlock()
	})
	require.True(c.t, tok.WaitTimeout(10*time.Second))
	require.NoError(c.t, tok.Error())
}

func (c *client) publish(topic string, payload []byte) {
	c.t.Helper()
	tok := c.c.Publish(topic, 1, false, payload)
	require.True(c.t, tok.WaitTimeout(10*time.Second))
	require.NoError(c.t, tok.Error())
}

func (c *client) received(topic string) [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.got[topic]...)
}

// waitMessages waits until n messages arrived on topic, then returns them.
func (c *client) waitMessages(topic string, n int) []string {
	c.t.Helper()
	require.Eventually(c.t, func() bool { return len(c.received(topic)) >= n }, 10*time.Second, 10*time.Millisecond,
		"waiting for %d messages on %s", n, topic)
	var out []string
	for _, m := range c.received(topic) {
		out = append(out, string(m))
	}
	return out
}

package mqtt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/broker"
	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/sdk/api"
)

const wait = 10 * time.Second

// target is a broker the tests run against.
type target struct {
	name string
	url  string
}

// targets returns the embedded broker (started for this test) and, when
// KUIPER_TEST_MQTT is set, that broker too.
func targets(t *testing.T) []target {
	t.Helper()
	b := startBroker(t, "127.0.0.1:0")
	ts := []target{{name: "embedded", url: b.URL()}}
	if ext := os.Getenv("KUIPER_TEST_MQTT"); ext != "" {
		ts = append(ts, target{name: "external", url: ext})
	}
	return ts
}

func startBroker(t *testing.T, addr string) *broker.Broker {
	t.Helper()
	b, err := broker.Start(addr, testLogger(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// prefix returns a topic prefix unique to this run, so tests sharing an
// external broker do not see each other's messages.
func prefix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "kuipertest/" + hex.EncodeToString(b[:]) + "/"
}

func newCtx(t *testing.T) (*connector.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return connector.NewContext(ctx, "rule1", "op", 0, testLogger(t)), cancel
}

// rawCollector receives a source's raw messages.
type rawCollector struct {
	ch chan api.RawMessage
}

func (c *rawCollector) consume(m api.RawMessage) { c.ch <- m }

func (c *rawCollector) next(t *testing.T) api.RawMessage {
	t.Helper()
	select {
	case m := <-c.ch:
		return m
	case <-time.After(wait):
		t.Fatal("no message received")
		return api.RawMessage{}
	}
}

func (c *rawCollector) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case m := <-c.ch:
		t.Fatalf("unexpected message on %q: %s", m.Topic, m.Payload)
	case <-time.After(d):
	}
}

// openSource configures and opens a source in bytes mode and waits for its
// first subscription.
func openSource(t *testing.T, datasource string, props map[string]any) (*Source, *rawCollector) {
	t.Helper()
	s := NewSource()
	require.NoError(t, s.Configure(datasource, props))
	ctx, cancel := newCtx(t)
	col := &rawCollector{ch: make(chan api.RawMessage, 1024)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.OpenBytes(ctx, col.consume)
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	waitSubscribed(t, s, 1)
	return s, col
}

func waitSubscribed(t *testing.T, s *Source, n int64) {
	t.Helper()
	require.Eventually(t, func() bool { return s.subscribes.Load() >= n }, wait, 5*time.Millisecond,
		"source did not subscribe %d times", n)
}

// publisher is a plain paho client, independent from the sink under test.
func publisher(t *testing.T, url string, opts ...func(*paho.ClientOptions)) paho.Client {
	t.Helper()
	o := paho.NewClientOptions().AddBroker(url).SetClientID(newClientID())
	for _, f := range opts {
		f(o)
	}
	c := paho.NewClient(o)
	tok := c.Connect()
	require.True(t, tok.WaitTimeout(wait))
	require.NoError(t, tok.Error())
	t.Cleanup(func() { c.Disconnect(50) })
	return c
}

func publish(t *testing.T, c paho.Client, topic string, qos byte, payload string) {
	t.Helper()
	tok := c.Publish(topic, qos, false, payload)
	require.True(t, tok.WaitTimeout(wait))
	require.NoError(t, tok.Error())
}

// subscriber subscribes a plain paho client and returns its messages.
func subscriber(t *testing.T, url, filter string, qos byte) <-chan paho.Message {
	t.Helper()
	ch := make(chan paho.Message, 1024)
	c := publisher(t, url)
	tok := c.Subscribe(filter, qos, func(_ paho.Client, m paho.Message) { ch <- m })
	require.True(t, tok.WaitTimeout(wait))
	require.NoError(t, tok.Error())
	return ch
}

func recv(t *testing.T, ch <-chan paho.Message) paho.Message {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(wait):
		t.Fatal("no message received")
		return nil
	}
}

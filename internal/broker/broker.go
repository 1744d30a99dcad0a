// Package broker runs the embedded MQTT broker (mochi-mqtt) that kuiperd
// starts when no broker answers at the configured address, and that tests
// use in place of a real one.
package broker

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// Options configure an embedded broker.
type Options struct {
	// Addr is the TCP address to listen on, e.g. "127.0.0.1:1883"; a port
	// of 0 picks a free one (see Broker.Addr).
	Addr string
	// Logger receives the broker's warnings and errors (less severe
	// records are dropped); nil discards.
	Logger *slog.Logger
	// TLS, when set, makes the listener speak TLS.
	TLS *tls.Config
	// Credentials, when non-nil, restricts connections to these
	// username → password pairs; nil allows every client.
	Credentials map[string]string
}

// Broker is a running embedded MQTT broker.
type Broker struct {
	srv  *mqtt.Server
	addr string
	once sync.Once
}

// Start starts a broker that allows every client, listening on TCP addr.
func Start(addr string, logger *slog.Logger) (*Broker, error) {
	return StartWith(Options{Addr: addr, Logger: logger})
}

// StartWith starts a broker with opts.
func StartWith(opts Options) (*Broker, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = slog.New(minLevel{h: logger.Handler(), min: slog.LevelWarn}).With("component", "mqtt-broker")
	srv := mqtt.New(&mqtt.Options{Logger: logger, InlineClient: false})
	var hook mqtt.Hook = new(auth.AllowHook)
	if opts.Credentials != nil {
		hook = &credHook{creds: opts.Credentials}
	}
	if err := srv.AddHook(hook, nil); err != nil {
		return nil, fmt.Errorf("embedded broker: add auth hook: %w", err)
	}
	l := listeners.NewTCP(listeners.Config{ID: "tcp", Address: opts.Addr, TLSConfig: opts.TLS})
	if err := srv.AddListener(l); err != nil {
		return nil, fmt.Errorf("embedded broker: listen on %s: %w", opts.Addr, err)
	}
	if err := srv.Serve(); err != nil {
		_ = srv.Close()
		return nil, fmt.Errorf("embedded broker: serve: %w", err)
	}
	return &Broker{srv: srv, addr: l.Address()}, nil
}

// Addr returns the bound address, host:port.
func (b *Broker) Addr() string { return b.addr }

// URL returns the address as a client server URL, tcp://host:port.
func (b *Broker) URL() string { return "tcp://" + b.addr }

// Close stops the listener and disconnects every client. It may be called
// more than once.
func (b *Broker) Close() error {
	var err error
	b.once.Do(func() { err = b.srv.Close() })
	return err
}

// credHook authenticates clients against a fixed set of credentials and
// lets authenticated clients read and write every topic.
type credHook struct {
	mqtt.HookBase
	creds map[string]string
}

func (h *credHook) ID() string { return "kuiper-credentials" }

func (h *credHook) Provides(b byte) bool {
	return b == mqtt.OnConnectAuthenticate || b == mqtt.OnACLCheck
}

func (h *credHook) OnConnectAuthenticate(_ *mqtt.Client, pk packets.Packet) bool {
	want, ok := h.creds[string(pk.Connect.Username)]
	return ok && bytes.Equal([]byte(want), pk.Connect.Password)
}

func (h *credHook) OnACLCheck(*mqtt.Client, string, bool) bool { return true }

// minLevel drops records below min before they reach h.
type minLevel struct {
	h   slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}
func (m minLevel) Handle(ctx context.Context, r slog.Record) error {
	if closedConnNoise(r) {
		return nil
	}
	return m.h.Handle(ctx, r)
}

// closedConnNoise reports whether r is mochi's warning about reading from a
// connection the broker itself closed while shutting down.
func closedConnNoise(r slog.Record) bool {
	noise := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" && strings.Contains(a.Value.String(), "use of closed network connection") {
			noise = true
			return false
		}
		return true
	})
	return noise
}
func (m minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h: m.h.WithAttrs(a), min: m.min}
}
func (m minLevel) WithGroup(g string) slog.Handler { return minLevel{h: m.h.WithGroup(g), min: m.min} }

// Probe reports whether an MQTT broker accepts connections at addr
// ("host:port", or a URL like tcp://host:port) within timeout: it dials,
// sends an MQTT 3.1.1 CONNECT and waits for a CONNACK. A broker that
// answers with a refusal (bad credentials) still counts as present.
func Probe(addr string, timeout time.Duration) bool {
	return probe(addr, timeout) == nil
}

var errNotMQTT = errors.New("no CONNACK")

func probe(addr string, timeout time.Duration) error {
	for _, p := range []string{"tcp://", "mqtt://"} {
		if strings.HasPrefix(addr, p) {
			addr = strings.TrimPrefix(addr, p)
		}
	}
	deadline := time.Now().Add(timeout)
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	if _, err := conn.Write(connectPacket("kuiper-probe")); err != nil {
		return err
	}
	var ack [4]byte
	if _, err := readFull(conn, ack[:]); err != nil {
		return err
	}
	if ack[0] != 0x20 || ack[1] != 0x02 {
		return errNotMQTT
	}
	_, _ = conn.Write([]byte{0xE0, 0x00}) // DISCONNECT
	return nil
}

func readFull(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := c.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// connectPacket encodes an MQTT 3.1.1 CONNECT with a clean session, a 10 s
// keep-alive and no credentials.
func connectPacket(clientID string) []byte {
	var body []byte
	body = append(body, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x0A)
	body = append(body, byte(len(clientID)>>8), byte(len(clientID)))
	body = append(body, clientID...)
	return append([]byte{0x10, byte(len(body))}, body...)
}

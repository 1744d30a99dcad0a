package mqtt

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// client is what the source and sink need from an MQTT client library, so
// that a leaner client can replace paho behind it (DESIGN decision 7).
type client interface {
	// Connect starts connecting in the background; it keeps retrying and,
	// once connected, reconnects after a loss. Events are reported to the
	// events given at construction.
	Connect()
	// Connected reports whether the connection is up now.
	Connected() bool
	// Subscribe subscribes to filters and waits for the SUBACK.
	Subscribe(filters []string, qos byte, timeout time.Duration) error
	// Publish sends payload; with qos > 0 it waits for the broker's
	// acknowledgement up to timeout. The client may keep payload until it
	// is sent.
	Publish(topic string, qos byte, retained bool, payload []byte, timeout time.Duration) error
	// Disconnect closes the connection and stops reconnecting.
	Disconnect()
}

// events are the callbacks of a client. Each may be nil.
type events struct {
	// connected runs after every successful (re)connection, in its own
	// goroutine: subscriptions are made (again) there.
	connected func()
	// failed runs when a connection attempt fails.
	failed func(err error)
	// lost runs when an established connection drops.
	lost func(err error)
	// trying runs before each connection attempt.
	trying func()
	// message receives each incoming message, in order, on one
	// goroutine; payload is the callee's to keep.
	message func(topic string, qos byte, id uint16, payload []byte)
}

// pahoClient implements client with github.com/eclipse/paho.mqtt.golang.
type pahoClient struct {
	c paho.Client
}

func newPahoClient(cf connConf, ev events) *pahoClient {
	o := paho.NewClientOptions().
		AddBroker(cf.server).
		SetClientID(cf.clientID).
		SetUsername(cf.username).
		SetPassword(cf.password).
		SetProtocolVersion(cf.protocolVersion).
		SetConnectTimeout(cf.connectTimeout).
		SetKeepAlive(cf.keepAlive).
		SetPingTimeout(cf.connectTimeout).
		SetWriteTimeout(cf.connectTimeout).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(connectRetryInterval).
		SetMaxReconnectInterval(cf.maxReconnectInterval).
		// A clean session with subscriptions made in OnConnect: every
		// reconnection subscribes again, whatever the broker kept.
		SetCleanSession(true).
		SetResumeSubs(false).
		// OrderMatters(false) would run every handler call in a new
		// goroutine, which costs more than it saves and reorders the
		// stream; handlers are called in order on paho's router goroutine.
		SetOrderMatters(true)
	if cf.tls != nil {
		o.SetTLSConfig(cf.tls)
	}
	if cf.scheme != "ws" && cf.scheme != "wss" {
		o.SetCustomOpenConnectionFn(dialer(cf.scheme, cf.tls, cf.readBufferSize))
	}
	if ev.connected != nil {
		o.SetOnConnectHandler(func(paho.Client) { ev.connected() })
	}
	if ev.message != nil {
		// Subscriptions have no callback of their own, so each message is
		// dispatched once here, however many filters it matches.
		o.SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) {
			ev.message(m.Topic(), m.Qos(), m.MessageID(), m.Payload())
		})
	}
	o.SetConnectionNotificationHandler(func(_ paho.Client, n paho.ConnectionNotification) {
		switch n := n.(type) {
		case paho.ConnectionNotificationConnecting:
			if ev.trying != nil {
				ev.trying()
			}
		case paho.ConnectionNotificationFailed:
			if ev.failed != nil {
				ev.failed(n.Reason)
			}
		case paho.ConnectionNotificationLost:
			if ev.lost != nil {
				ev.lost(n.Reason)
			}
		}
	})
	return &pahoClient{c: paho.NewClient(o)}
}

func (p *pahoClient) Connect()        { p.c.Connect() }
func (p *pahoClient) Connected() bool { return p.c.IsConnectionOpen() }
func (p *pahoClient) Disconnect()     { p.c.Disconnect(disconnectQuiesce) }

func (p *pahoClient) Subscribe(filters []string, qos byte, timeout time.Duration) error {
	m := make(map[string]byte, len(filters))
	for _, f := range filters {
		m[f] = qos
	}
	tok := p.c.SubscribeMultiple(m, nil)
	if !tok.WaitTimeout(timeout) {
		return fmt.Errorf("subscribe %v: no SUBACK within %v", filters, timeout)
	}
	if err := tok.Error(); err != nil {
		return fmt.Errorf("subscribe %v: %w", filters, err)
	}
	for f, code := range tok.(*paho.SubscribeToken).Result() {
		if code == 0x80 {
			return fmt.Errorf("subscribe %q: refused by the broker", f)
		}
	}
	return nil
}

func (p *pahoClient) Publish(topic string, qos byte, retained bool, payload []byte, timeout time.Duration) error {
	tok := p.c.Publish(topic, qos, retained, payload)
	if qos == 0 {
		select {
		case <-tok.Done():
			return tok.Error()
		default:
			return nil
		}
	}
	if !tok.WaitTimeout(timeout) {
		return fmt.Errorf("publish to %q: no acknowledgement within %v", topic, timeout)
	}
	return tok.Error()
}

// refused reports whether err is a refusal by the broker (credentials,
// client id, protocol) rather than a network failure: retrying will not
// help until the configuration changes.
func refused(err error) bool {
	return errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword) ||
		errors.Is(err, packets.ErrorRefusedNotAuthorised) ||
		errors.Is(err, packets.ErrorRefusedIDRejected) ||
		errors.Is(err, packets.ErrorRefusedBadProtocolVersion)
}

// dialer opens the network connection for paho. Reads go through a
// bufio.Reader of readBuf bytes: paho decodes packets with many small
// reads, each a system call on a bare net.Conn, which made it cost about
// 15 µs of CPU per received message.
func dialer(scheme string, tlsConf *tls.Config, readBuf int) paho.OpenConnectionFunc {
	return func(u *url.URL, o paho.ClientOptions) (net.Conn, error) {
		d := &net.Dialer{Timeout: o.ConnectTimeout}
		var conn net.Conn
		var err error
		switch {
		case tlsSchemes[scheme]:
			conn, err = tls.DialWithDialer(d, "tcp", u.Host, tlsConf)
		case scheme == "unix":
			addr := u.Host
			if addr == "" {
				addr = u.Path
			}
			conn, err = d.Dial("unix", addr)
		default:
			conn, err = d.Dial("tcp", u.Host)
		}
		if err != nil {
			return nil, err
		}
		if readBuf > 0 {
			conn = &bufConn{Conn: conn, r: bufio.NewReaderSize(conn, readBuf)}
		}
		return conn, nil
	}
}

// bufConn is a net.Conn whose reads are buffered.
type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufConn) Read(b []byte) (int, error) { return c.r.Read(b) }

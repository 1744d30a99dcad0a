package mqtt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

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
		o.SetCustomOpenConnectionFn(pahoDialer(cf))
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
				ev.failed(pahoFailure(n.Reason))
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
	// paho sends asynchronously and keeps the payload until then.
	tok := p.c.Publish(topic, qos, retained, append([]byte(nil), payload...))
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

// pahoFailure turns paho's refusal errors into refusedError.
func pahoFailure(err error) error {
	for code, e := range packets.ConnErrors {
		if code >= 1 && code <= 5 && errors.Is(err, e) {
			return fmt.Errorf("%w", refusedError{code: code})
		}
	}
	return err
}

// pahoDialer opens the network connection for paho. Reads go through a
// bufio.Reader of readBuf bytes: paho decodes packets with many small
// reads, each a system call on a bare net.Conn, which made it cost about
// 15 µs of CPU per received message.
func pahoDialer(cf connConf) paho.OpenConnectionFunc {
	return func(*url.URL, paho.ClientOptions) (net.Conn, error) {
		conn, err := dialConn(context.Background(), cf)
		if err != nil {
			return nil, err
		}
		if cf.readBufferSize > 0 {
			conn = &bufConn{Conn: conn, r: bufio.NewReaderSize(conn, cf.readBufferSize)}
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

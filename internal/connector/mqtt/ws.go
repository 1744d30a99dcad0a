package mqtt

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/gorilla/websocket"
)

// dialWebsocket connects to an MQTT broker over a WebSocket (subprotocol
// "mqtt") and returns the connection as a byte stream.
func dialWebsocket(ctx context.Context, u *url.URL, tlsConf *tls.Config, timeout time.Duration) (net.Conn, error) {
	d := websocket.Dialer{
		Subprotocols:     []string{"mqtt"},
		TLSClientConfig:  tlsConf,
		HandshakeTimeout: timeout,
	}
	c, resp, err := d.DialContext(ctx, u.String(), nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("websocket %s: %w", u.Redacted(), err)
	}
	return &wsConn{Conn: c.NetConn(), ws: c}, nil
}

// wsConn is a net.Conn over a WebSocket: each Write is one binary message
// and Read returns the bytes of consecutive messages. MQTT allows a packet
// to span messages and a message to hold several packets.
type wsConn struct {
	net.Conn // the underlying connection, for addresses and deadlines
	ws       *websocket.Conn
	r        io.Reader // the message being read, nil between messages
}

func (c *wsConn) Read(b []byte) (int, error) {
	for {
		if c.r == nil {
			typ, r, err := c.ws.NextReader()
			if err != nil {
				return 0, err
			}
			if typ != websocket.BinaryMessage {
				return 0, errors.New("websocket: broker sent a text message")
			}
			c.r = r
		}
		n, err := c.r.Read(b)
		if errors.Is(err, io.EOF) {
			c.r = nil
			err = nil
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}

func (c *wsConn) Write(b []byte) (int, error) {
	if err := c.ws.WriteMessage(websocket.BinaryMessage, b); err != nil {
		return 0, err
	}
	return len(b), nil
}

func (c *wsConn) Close() error { return c.ws.Close() }

package mqtt

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// client is what the source and sink need from an MQTT client, so that
// implementations can be swapped and measured behind it (DESIGN decision 7;
// docs/benchmarks.md, "MQTT client", has the measurements that chose
// leanClient over paho).
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
	// acknowledgement up to timeout. payload is not used after Publish
	// returns.
	Publish(topic string, qos byte, retained bool, payload []byte, timeout time.Duration) error
	// Disconnect closes the connection and stops reconnecting; no event
	// runs after it returns.
	Disconnect()
}

// newClientFunc makes the client of sources and sinks.
func newClientFunc(cf connConf, ev events) client { return newLeanClient(cf, ev) }

// events are the callbacks of a client. Each may be nil.
type events struct {
	// connected runs after every successful (re)connection, on a
	// goroutine that does not read the connection: subscriptions are made
	// (again) there.
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

// refusedError is a broker's refusal of a connection (the CONNACK return
// code of MQTT 3.1.1).
type refusedError struct{ code byte }

func (e refusedError) Error() string {
	switch e.code {
	case 1:
		return "connection refused: unacceptable protocol version"
	case 2:
		return "connection refused: identifier rejected"
	case 3:
		return "connection refused: server unavailable"
	case 4:
		return "connection refused: bad user name or password"
	case 5:
		return "connection refused: not authorized"
	}
	return fmt.Sprintf("connection refused: return code %d", e.code)
}

// refused reports whether err is a refusal by the broker (credentials,
// client id, protocol) rather than a network failure: retrying will not
// help until the configuration changes.
func refused(err error) bool {
	var r refusedError
	return errors.As(err, &r) && r.code != 3
}

// dialConn opens the network connection to cf.server: TCP, TLS, a Unix
// socket or a WebSocket.
func dialConn(ctx context.Context, cf connConf) (net.Conn, error) {
	u, err := url.Parse(cf.server)
	if err != nil {
		return nil, fmt.Errorf("server %q: %w", cf.server, err)
	}
	d := &net.Dialer{Timeout: cf.connectTimeout}
	switch {
	case cf.scheme == "ws" || cf.scheme == "wss":
		return dialWebsocket(ctx, u, cf.tls, cf.connectTimeout)
	case tlsSchemes[cf.scheme]:
		td := &tls.Dialer{NetDialer: d, Config: cf.tls}
		return td.DialContext(ctx, "tcp", u.Host)
	case cf.scheme == "unix":
		addr := u.Host
		if addr == "" {
			addr = u.Path
		}
		return d.DialContext(ctx, "unix", addr)
	default:
		return d.DialContext(ctx, "tcp", u.Host)
	}
}

// deadline returns the time d from now, or no deadline when d is 0.
func deadline(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

package mqtt

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/connector/topic"
	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/sdk/api"
)

// ErrNotConnected is returned by the sink while its connection is down.
var ErrNotConnected = errors.New("not connected")

// Sink publishes each result to a topic: the "topic" property, or the
// rendered "topic" template of the result (BytesSink dynamic props).
type Sink struct {
	conf           connConf
	topic          string
	templated      bool // topic is a template the host renders per result
	retained       bool
	publishTimeout time.Duration
	status         connector.StatusTracker

	newClient func(connConf, events) client // replaced in tests

	mu     sync.Mutex
	cli    client
	logger *slog.Logger
}

var (
	_ api.BytesSink            = (*Sink)(nil)
	_ connector.StatusReporter = (*Sink)(nil)
)

// NewSink returns an unconfigured mqtt sink.
func NewSink() *Sink {
	return &Sink{newClient: newClientFunc}
}

// Configure implements api.Sink.
func (k *Sink) Configure(props map[string]any) error {
	p := connector.Props(props)
	c, err := parseConnConf(p)
	if err != nil {
		return fmt.Errorf("mqtt sink: %w", err)
	}
	k.conf = c
	if k.topic, err = p.String(propTopic, ""); err != nil {
		return fmt.Errorf("mqtt sink: %w", err)
	}
	if k.topic == "" {
		return fmt.Errorf("mqtt sink: property %q is required", propTopic)
	}
	k.templated = strings.Contains(k.topic, "{{")
	if !k.templated {
		if err := topic.ValidateName(k.topic); err != nil {
			return fmt.Errorf("mqtt sink: property %q: %w", propTopic, err)
		}
	}
	if k.retained, err = p.Bool(propRetained, false); err != nil {
		return fmt.Errorf("mqtt sink: %w", err)
	}
	if k.publishTimeout, err = p.Duration(propPublishTimeout, defaultPublishTimeout); err != nil {
		return fmt.Errorf("mqtt sink: %w", err)
	}
	return nil
}

// Open implements api.Sink. It waits up to connectionTimeout for the first
// connection. A refusal by the broker (credentials, client id) is an
// error; a broker that cannot be reached is not: the sink keeps trying in
// the background and results fail with ErrNotConnected until it connects.
func (k *Sink) Open(ctx api.StreamContext) error {
	k.logger = ctx.Logger()
	connected := make(chan struct{}, 1)
	failed := make(chan error, 1)
	ev := events{
		connected: func() {
			k.status.Connected()
			k.logger.Info("mqtt sink connected", "server", k.conf.server)
			select {
			case connected <- struct{}{}:
			default:
			}
		},
		failed: func(err error) {
			k.status.Disconnected(err)
			k.logger.Debug("mqtt sink cannot connect", "server", k.conf.server, "error", err)
			select {
			case failed <- err:
			default:
			}
		},
		lost: func(err error) {
			k.status.Disconnected(err)
			k.logger.Warn("mqtt sink lost its connection, reconnecting", "server", k.conf.server, "error", err)
		},
		trying: k.status.Trying,
	}
	cli := k.newClient(k.conf, ev)
	k.mu.Lock()
	k.cli = cli
	k.mu.Unlock()
	cli.Connect()
	t := time.NewTimer(k.conf.connectTimeout)
	defer t.Stop()
	select {
	case <-connected:
	case err := <-failed:
		if refused(err) {
			cli.Disconnect()
			return errs.With(errs.IO, fmt.Errorf("mqtt sink: connect to %s: %w", k.conf.server, err))
		}
		k.logger.Warn("mqtt sink cannot connect yet, retrying", "server", k.conf.server, "error", err)
	case <-t.C:
		k.logger.Warn("mqtt sink not connected yet, retrying", "server", k.conf.server, "timeout", k.conf.connectTimeout)
	case <-ctx.Done():
		cli.Disconnect()
		return ctx.Err()
	}
	return nil
}

// CollectBytes implements api.BytesSink: payload goes to dynamic["topic"]
// when set, else to the topic property.
func (k *Sink) CollectBytes(_ api.StreamContext, payload []byte, dynamic map[string]string) error {
	t := k.topic
	if dt, ok := dynamic[propTopic]; ok {
		if err := topic.ValidateName(dt); err != nil {
			return fmt.Errorf("mqtt sink: %w", err)
		}
		t = dt
	} else if k.templated {
		return fmt.Errorf("mqtt sink: topic template %q was not rendered", k.topic)
	}
	return k.publish(t, payload)
}

// Collect implements api.Sink: data is encoded with encoding/json and sent
// to the topic property.
func (k *Sink) Collect(_ api.StreamContext, data any) error {
	if k.templated {
		return fmt.Errorf("mqtt sink: topic template %q needs the host to render it", k.topic)
	}
	b, err := json.Marshal(data)
	if err != nil {
		return errs.With(errs.Encoding, fmt.Errorf("mqtt sink: encode result: %w", err))
	}
	return k.publish(k.topic, b)
}

func (k *Sink) publish(t string, payload []byte) error {
	k.mu.Lock()
	cli := k.cli
	k.mu.Unlock()
	if cli == nil || !cli.Connected() {
		return errs.With(errs.IO, fmt.Errorf("mqtt sink: publish to %q: %w to %s", t, ErrNotConnected, k.conf.server))
	}
	if err := cli.Publish(t, k.conf.qos, k.retained, payload, k.publishTimeout); err != nil {
		return errs.With(errs.IO, fmt.Errorf("mqtt sink: %w", err))
	}
	return nil
}

// Close implements api.Sink.
func (k *Sink) Close(api.StreamContext) error {
	k.mu.Lock()
	cli := k.cli
	k.cli = nil
	k.mu.Unlock()
	if cli != nil {
		cli.Disconnect()
	}
	return nil
}

// ConnectionStatus implements connector.StatusReporter.
func (k *Sink) ConnectionStatus() connector.Status {
	st := k.status.ConnectionStatus()
	k.mu.Lock()
	cli := k.cli
	k.mu.Unlock()
	if cli != nil && cli.Connected() {
		st.State = connector.StateConnected
	} else if st.State == connector.StateConnected {
		st.State = connector.StateDisconnected
	}
	return st
}

// Package mqtt provides the mqtt source and sink, on an MQTT 3.1.1 client
// built on mochi-mqtt's packet codec (lean.go) behind the small client
// interface of client.go.
package mqtt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/connector/topic"
	"github.com/kuiperio/kuiper/sdk/api"
)

// Metadata keys of a received message, read by SQL meta(key).
const (
	MetaTopic     = "topic"
	MetaQoS       = "qos"
	MetaMessageID = "messageId"
)

// meta is the metadata of one received message: one small allocation
// instead of a map.
type meta struct {
	topic string
	id    uint16
	qos   byte
}

// Get implements api.Metadata.
func (m *meta) Get(key string) (any, bool) {
	switch key {
	case MetaTopic:
		return m.topic, true
	case MetaQoS:
		return int64(m.qos), true
	case MetaMessageID:
		return int64(m.id), true
	}
	return nil, false
}

// Keys lists the metadata keys, so rows in a checkpoint keep them.
func (m *meta) Keys() []string { return []string{MetaTopic, MetaQoS, MetaMessageID} }

// Source subscribes to one or more topic filters (the stream's DATASOURCE,
// comma-separated, + and # allowed) and emits each message's payload as a
// RawMessage. It reconnects and subscribes again after the broker goes
// away, for as long as it is open.
type Source struct {
	conf    connConf
	filters []string
	status  connector.StatusTracker

	newClient func(connConf, events) client // replaced in tests

	mu          sync.RWMutex // guards the consume funcs against Open returning
	consumeRaw  api.BytesConsumeFunc
	consumeRows api.ConsumeFunc
	logger      *slog.Logger

	cliMu      sync.Mutex
	cli        client
	done       chan struct{}
	closeOnce  sync.Once
	failing    atomic.Bool  // a failure was logged; quiet until connected
	subscribes atomic.Int64 // successful subscriptions, for tests
}

var (
	_ api.BytesSource          = (*Source)(nil)
	_ connector.StatusReporter = (*Source)(nil)
)

// NewSource returns an unconfigured mqtt source.
func NewSource() *Source {
	return &Source{newClient: newClientFunc, done: make(chan struct{})}
}

// Configure implements api.Source.
func (s *Source) Configure(datasource string, props map[string]any) error {
	s.filters = connector.SplitList(datasource)
	if len(s.filters) == 0 {
		return errors.New("mqtt source: DATASOURCE must name at least one topic")
	}
	for _, f := range s.filters {
		if err := topic.ValidateFilter(f); err != nil {
			return fmt.Errorf("mqtt source: %w", err)
		}
	}
	c, err := parseConnConf(connector.Props(props))
	if err != nil {
		return fmt.Errorf("mqtt source: %w", err)
	}
	s.conf = c
	return nil
}

// OpenBytes implements api.BytesSource: it connects and hands every
// message to consume until ctx is done or Close is called. consume runs on
// the client's reader goroutine, so a slow consume slows the connection
// down (and, past the keep-alive, makes it reconnect).
func (s *Source) OpenBytes(ctx api.StreamContext, consume api.BytesConsumeFunc) {
	s.mu.Lock()
	s.consumeRaw = consume
	s.mu.Unlock()
	s.run(ctx)
}

// Open implements api.Source for hosts that want rows: each payload is
// decoded as a JSON object (or an array of objects) with encoding/json.
// Kuiper's host uses OpenBytes and the stream's FORMAT instead.
func (s *Source) Open(ctx api.StreamContext, consume api.ConsumeFunc) {
	s.mu.Lock()
	s.consumeRows = consume
	s.mu.Unlock()
	s.run(ctx)
}

func (s *Source) run(ctx api.StreamContext) {
	s.logger = ctx.Logger()
	ev := events{
		connected: s.onConnected,
		failed:    s.onFailed,
		lost:      s.onLost,
		trying:    s.status.Trying,
		message:   s.onMessage,
	}
	cli := s.newClient(s.conf, ev)
	s.cliMu.Lock()
	s.cli = cli
	s.cliMu.Unlock()
	s.logger.Info("mqtt source connecting", "server", s.conf.server, "topics", s.filters)
	cli.Connect()
	select {
	case <-ctx.Done():
	case <-s.done:
	}
	cli.Disconnect()
	s.mu.Lock()
	s.consumeRaw, s.consumeRows = nil, nil
	s.mu.Unlock()
}

// Close implements api.Source; it makes a running Open return.
func (s *Source) Close(api.StreamContext) error {
	s.closeOnce.Do(func() { close(s.done) })
	return nil
}

// ConnectionStatus implements connector.StatusReporter.
func (s *Source) ConnectionStatus() connector.Status {
	st := s.status.ConnectionStatus()
	s.cliMu.Lock()
	cli := s.cli
	s.cliMu.Unlock()
	if cli != nil && cli.Connected() {
		st.State = connector.StateConnected
	} else if st.State == connector.StateConnected {
		st.State = connector.StateDisconnected
	}
	return st
}

func (s *Source) onConnected() {
	s.status.Connected()
	s.failing.Store(false)
	timeout := s.conf.connectTimeout
	if timeout <= 0 {
		timeout = subscribeTimeoutFallback
	}
	s.cliMu.Lock()
	cli := s.cli
	s.cliMu.Unlock()
	if err := cli.Subscribe(s.filters, s.conf.qos, timeout); err != nil {
		// The connection is most likely gone again; the next connection
		// subscribes anew.
		s.logger.Warn("mqtt source subscribe failed", "server", s.conf.server, "error", err)
		return
	}
	s.subscribes.Add(1)
	s.logger.Info("mqtt source subscribed", "server", s.conf.server, "topics", s.filters, "qos", s.conf.qos)
}

func (s *Source) onFailed(err error) {
	s.status.Disconnected(err)
	s.logOnce("mqtt source cannot connect", err)
}

func (s *Source) onLost(err error) {
	s.status.Disconnected(err)
	s.logOnce("mqtt source lost its connection, reconnecting", err)
}

// logOnce logs a connection problem at Warn once per run of failures.
func (s *Source) logOnce(msg string, err error) {
	if s.failing.CompareAndSwap(false, true) {
		s.logger.Warn(msg, "server", s.conf.server, "error", err)
	} else if s.logger.Enabled(context.Background(), slog.LevelDebug) {
		s.logger.Debug(msg, "server", s.conf.server, "error", err)
	}
}

func (s *Source) onMessage(t string, qos byte, id uint16, payload []byte) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch {
	case s.consumeRaw != nil:
		s.consumeRaw(api.RawMessage{Payload: payload, Topic: t, Meta: &meta{topic: t, qos: qos, id: id}})
	case s.consumeRows != nil:
		s.decodeRows(t, qos, id, payload)
	}
}

func (s *Source) decodeRows(t string, qos byte, id uint16, payload []byte) {
	md := map[string]any{MetaTopic: t, MetaQoS: int64(qos), MetaMessageID: int64(id)}
	trimmed := bytes.TrimLeft(payload, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var rows []map[string]any
		if err := json.Unmarshal(payload, &rows); err != nil {
			s.logger.Warn("mqtt source: drop message that is not JSON", "topic", t, "error", err)
			return
		}
		for _, r := range rows {
			s.consumeRows(r, md)
		}
		return
	}
	var row map[string]any
	if err := json.Unmarshal(payload, &row); err != nil {
		s.logger.Warn("mqtt source: drop message that is not JSON", "topic", t, "error", err)
		return
	}
	s.consumeRows(row, md)
}

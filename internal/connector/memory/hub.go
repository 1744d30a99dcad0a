// Package memory provides the in-process pub/sub hub and the memory source
// and sink that move rows between rules (rule pipelines). Topics are
// matched as in MQTT: "+" matches one level, a trailing "#" any number.
package memory

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/kuiperio/kuiper/internal/connector/topic"
)

// DefaultBufferLength is the channel length of a subscription when neither
// the hub nor the subscriber sets one.
const DefaultBufferLength = 1024

// Message is one row published to a topic. Rows are shared by every
// subscriber and must be treated as read-only.
type Message struct {
	Topic string
	Row   map[string]any
}

// HubOptions configure a Hub.
type HubOptions struct {
	// BufferLength is the default channel length of a subscription.
	BufferLength int
	// Logger receives a warning when a subscriber starts dropping rows;
	// nil discards.
	Logger *slog.Logger
}

// Hub routes rows from publishers to the subscriptions whose filter matches
// the topic. Publishing never blocks: a subscriber whose buffer is full
// loses the row, and the loss is counted. The app creates one Hub and
// passes it to Register.
type Hub struct {
	bufLen int
	logger *slog.Logger

	mu    sync.RWMutex
	exact map[string]map[*Subscription]struct{} // filters without wildcards
	wild  map[*Subscription]struct{}

	published atomic.Uint64
	dropped   atomic.Uint64

	tmu    sync.RWMutex
	tables map[string]*Table // keyed tables of lookup sources, by topic
}

// NewHub returns an empty hub.
func NewHub(opts HubOptions) *Hub {
	if opts.BufferLength <= 0 {
		opts.BufferLength = DefaultBufferLength
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Hub{
		bufLen: opts.BufferLength,
		logger: opts.Logger,
		exact:  map[string]map[*Subscription]struct{}{},
		wild:   map[*Subscription]struct{}{},
		tables: map[string]*Table{},
	}
}

// Subscription receives the rows published to topics matching its filter.
type Subscription struct {
	hub      *Hub
	filter   string
	ch       chan Message
	dropped  atomic.Uint64
	dropping atomic.Bool // a drop was logged; quiet until a row gets through
	closed   bool        // guarded by hub.mu
}

// Subscribe adds a subscription for filter with a channel of bufferLength
// rows (<= 0: the hub's default).
func (h *Hub) Subscribe(filter string, bufferLength int) (*Subscription, error) {
	if err := topic.ValidateFilter(filter); err != nil {
		return nil, fmt.Errorf("memory subscribe: %w", err)
	}
	if bufferLength <= 0 {
		bufferLength = h.bufLen
	}
	s := &Subscription{hub: h, filter: filter, ch: make(chan Message, bufferLength)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if topic.IsWildcard(filter) {
		h.wild[s] = struct{}{}
	} else {
		m := h.exact[filter]
		if m == nil {
			m = map[*Subscription]struct{}{}
			h.exact[filter] = m
		}
		m[s] = struct{}{}
	}
	return s, nil
}

// C returns the channel of rows; it is closed by Close.
func (s *Subscription) C() <-chan Message { return s.ch }

// Filter returns the subscription's topic filter.
func (s *Subscription) Filter() string { return s.filter }

// Dropped returns how many rows this subscription lost to a full buffer.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close removes the subscription and closes its channel. It may be called
// more than once.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if topic.IsWildcard(s.filter) {
		delete(h.wild, s)
	} else if m := h.exact[s.filter]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.exact, s.filter)
		}
	}
	close(s.ch)
}

// Publish delivers rows to every subscription matching topic t and returns
// how many deliveries were made (rows × subscribers, drops excluded). t
// must not contain wildcards. When t has a keyed table (OpenTable), the
// rows are also upserted into it by its key; rows it cannot store (no key
// value) are reported in the error, after every row was delivered.
func (h *Hub) Publish(t string, rows ...map[string]any) (int, error) {
	return h.PublishUpdates(t, Updates{}, rows...)
}

// Updates say how published rows change a topic's table.
type Updates struct {
	// RowkindField names the field holding the row kind: insert, update,
	// upsert or delete. "" or a row without the field: upsert.
	RowkindField string
	// KeyField names the key field; "" uses the table's key. A table
	// without a key yet is keyed by it.
	KeyField string
}

// PublishUpdates is Publish with the row kinds and key field of an
// updatable sink. Every row, deletes included, is delivered to the
// subscriptions as it is.
func (h *Hub) PublishUpdates(t string, u Updates, rows ...map[string]any) (int, error) {
	if err := validateTopic(t); err != nil {
		return 0, err
	}
	var terr error
	if tb := h.Table(t); tb != nil {
		if terr = tb.declareKey(u.KeyField); terr == nil {
			terr = tb.apply(u.RowkindField, u.KeyField, rows)
		}
	}
	n := 0
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, row := range rows {
		h.published.Add(1)
		m := Message{Topic: t, Row: row}
		for s := range h.exact[t] {
			n += h.deliver(s, m)
		}
		for s := range h.wild {
			if topic.Match(s.filter, t) {
				n += h.deliver(s, m)
			}
		}
	}
	return n, terr
}

func validateTopic(t string) error {
	if err := topic.ValidateName(t); err != nil {
		return fmt.Errorf("memory publish: %w", err)
	}
	return nil
}

func (h *Hub) deliver(s *Subscription, m Message) int {
	select {
	case s.ch <- m:
		if s.dropping.Load() {
			s.dropping.Store(false)
		}
		return 1
	default:
		s.dropped.Add(1)
		h.dropped.Add(1)
		if s.dropping.CompareAndSwap(false, true) {
			h.logger.Warn("memory subscriber buffer full, dropping rows", "filter", s.filter, "topic", m.Topic,
				"buffer_length", cap(s.ch), "dropped_total", s.dropped.Load())
		}
		return 0
	}
}

// Stats are a hub's counters.
type Stats struct {
	Subscriptions int    `json:"subscriptions"`
	Published     uint64 `json:"published"`
	Dropped       uint64 `json:"dropped"`
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.RLock()
	n := len(h.wild)
	for _, m := range h.exact {
		n += len(m)
	}
	h.mu.RUnlock()
	return Stats{Subscriptions: n, Published: h.published.Load(), Dropped: h.dropped.Load()}
}

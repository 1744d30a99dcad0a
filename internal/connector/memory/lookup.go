package memory

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/connector/topic"
	"github.com/kuiperio/kuiper/sdk/api"
)

// LookupSource serves a lookup table (KIND="lookup") from the keyed table
// of its DATASOURCE topic in the hub. Every lookup source on a topic shares
// that table; it holds the latest row per key written by memory sinks on
// the topic while at least one lookup source or keyed sink has it open.
type LookupSource struct {
	hub   *Hub
	topic string
	key   string

	mu    sync.Mutex            // serializes Open and Close
	table atomic.Pointer[Table] // read by Lookup without a lock
}

var _ api.LookupSource = (*LookupSource)(nil)

// NewLookupSource returns an unconfigured memory lookup source on hub.
func NewLookupSource(hub *Hub) *LookupSource { return &LookupSource{hub: hub} }

// Configure implements api.LookupSource: datasource is a topic without
// wildcards; the "key" property is the table's key field. Without it the
// table is keyed by the keyField of a memory sink writing to the topic.
func (s *LookupSource) Configure(datasource string, props map[string]any) error {
	s.topic = strings.TrimSpace(datasource)
	if err := topic.ValidateName(s.topic); err != nil {
		return fmt.Errorf("memory lookup source: DATASOURCE: %w", err)
	}
	k, err := connector.Props(props).String(propKey, "")
	if err != nil {
		return fmt.Errorf("memory lookup source: %w", err)
	}
	s.key = k
	return nil
}

// Open implements api.LookupSource: it opens the topic's table, which
// fails when the table is already keyed by another field.
func (s *LookupSource) Open(api.StreamContext) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.table.Load() != nil {
		return nil
	}
	tb, err := s.hub.OpenTable(s.topic, s.key)
	if err != nil {
		return fmt.Errorf("memory lookup source: %w", err)
	}
	s.table.Store(tb)
	return nil
}

// Lookup implements api.LookupSource: the rows whose fields equal values
// (see Table.Lookup). The rows are shared and must not be modified.
func (s *LookupSource) Lookup(_ api.StreamContext, fields []string, values []any) ([]map[string]any, error) {
	tb := s.table.Load()
	if tb == nil {
		return nil, errors.New("memory lookup source: not open")
	}
	return tb.Lookup(fields, values), nil
}

// Close implements api.LookupSource; it releases the table.
func (s *LookupSource) Close(api.StreamContext) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hub.CloseTable(s.table.Swap(nil))
	return nil
}

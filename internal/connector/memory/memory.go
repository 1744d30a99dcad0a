package memory

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/connector/topic"
	"github.com/kuiperio/kuiper/sdk/api"
)

// Name is the connector type name.
const Name = "memory"

// MetaTopic is the metadata key of the topic a row was published to.
const MetaTopic = "topic"

const (
	propBufferLength = "bufferLength"
	propTopic        = "topic"
	propRowkindField = "rowkindField"
	propKeyField     = "keyField"
	propKey          = "key"
	maxMetaCache     = 1024
)

// Register adds the memory source and sink, both bound to hub, to env.
func Register(env *connector.Env, hub *Hub) error {
	if hub == nil {
		return errors.New("register memory connector: nil hub")
	}
	err := env.RegisterSource(Name, connector.Spec{
		Description: "Rows published by memory sinks in this process; DATASOURCE is a topic or a filter with + and #",
		Props: []connector.PropSpec{
			{Name: propBufferLength, Type: "int", Default: hub.bufLen, Description: "rows buffered for this source; rows beyond are dropped and counted"},
		},
	}, func() api.Source { return NewSource(hub) })
	if err != nil {
		return err
	}
	err = env.RegisterLookupSource(Name, connector.Spec{
		Description: "Lookup table over the latest row per key published by memory sinks on DATASOURCE (a topic without wildcards)",
		Props: []connector.PropSpec{
			{Name: propKey, Type: "string", Description: "the key field (the table's KEY); may be left to the keyField of a memory sink on the topic"},
		},
	}, func() api.LookupSource { return NewLookupSource(hub) })
	if err != nil {
		return err
	}
	return env.RegisterSink(Name, connector.Spec{
		Description: "Publish result rows to an in-process topic, read by memory sources and lookup tables",
		Props: []connector.PropSpec{
			{Name: propTopic, Type: "string", Required: true, Description: "topic to publish to; may be a template"},
			{Name: propRowkindField, Type: "string", Description: "field holding the row kind for lookup tables on the topic: insert, update, upsert or delete (absent: upsert)"},
			{Name: propKeyField, Type: "string", Description: "key field of the rows; default: the KEY of the lookup table on the topic"},
		},
	}, func() api.Sink { return NewSink(hub) })
}

// Source reads the rows published to the topics matching its DATASOURCE.
type Source struct {
	hub    *Hub
	filter string
	bufLen int

	done      chan struct{}
	closeOnce sync.Once
	sub       *Subscription // set by Open, for tests
	subMu     sync.Mutex

	meta map[string]map[string]any // per-topic metadata, shared read-only
}

var _ api.Source = (*Source)(nil)

// NewSource returns an unconfigured memory source on hub.
func NewSource(hub *Hub) *Source {
	return &Source{hub: hub, done: make(chan struct{}), meta: map[string]map[string]any{}}
}

// Configure implements api.Source.
func (s *Source) Configure(datasource string, props map[string]any) error {
	s.filter = strings.TrimSpace(datasource)
	if err := topic.ValidateFilter(s.filter); err != nil {
		return fmt.Errorf("memory source: DATASOURCE: %w", err)
	}
	n, err := connector.Props(props).Int(propBufferLength, 0)
	if err != nil {
		return fmt.Errorf("memory source: %w", err)
	}
	s.bufLen = n
	return nil
}

// Open implements api.Source: it subscribes and calls consume with each
// row until ctx is done or Close is called. The row and the metadata map
// are shared (with other subscribers, and between rows of one topic) and
// must not be modified.
func (s *Source) Open(ctx api.StreamContext, consume api.ConsumeFunc) {
	sub, err := s.hub.Subscribe(s.filter, s.bufLen)
	if err != nil { // Configure validated the filter
		ctx.Logger().Error("memory source cannot subscribe", "error", err)
		return
	}
	s.subMu.Lock()
	s.sub = sub
	s.subMu.Unlock()
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.done:
			return
		case m, ok := <-sub.C():
			if !ok {
				return
			}
			consume(m.Row, s.metaFor(m.Topic))
		}
	}
}

func (s *Source) metaFor(t string) map[string]any {
	if md, ok := s.meta[t]; ok {
		return md
	}
	md := map[string]any{MetaTopic: t}
	if len(s.meta) < maxMetaCache {
		s.meta[t] = md
	}
	return md
}

// Dropped returns how many rows this source lost to a full buffer.
func (s *Source) Dropped() uint64 {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	if s.sub == nil {
		return 0
	}
	return s.sub.Dropped()
}

// Close implements api.Source; it makes a running Open return.
func (s *Source) Close(api.StreamContext) error {
	s.closeOnce.Do(func() { close(s.done) })
	return nil
}

// Sink publishes result rows to a topic of the hub.
//
// When the topic property is a template ("{{...}}"), the host renders it
// per result and calls CollectTopic; Collect then fails.
//
// With rowkindField and keyField it is an updatable sink: rows change the
// keyed table of their topic (see Table) by their row kind. A sink with
// keyField and a fixed topic holds the table open from Open to Close, so
// the rows it writes are kept even while no lookup rule runs.
type Sink struct {
	hub       *Hub
	topic     string
	templated bool
	updates   Updates
	table     *Table // held open when keyField is set and the topic is fixed
}

var _ api.Sink = (*Sink)(nil)

// NewSink returns an unconfigured memory sink on hub.
func NewSink(hub *Hub) *Sink { return &Sink{hub: hub} }

// Configure implements api.Sink.
func (k *Sink) Configure(props map[string]any) error {
	p := connector.Props(props)
	t, err := p.String(propTopic, "")
	if err != nil {
		return fmt.Errorf("memory sink: %w", err)
	}
	if t == "" {
		return fmt.Errorf("memory sink: property %q is required", propTopic)
	}
	k.topic, k.templated = t, strings.Contains(t, "{{")
	if !k.templated {
		if err := topic.ValidateName(t); err != nil {
			return fmt.Errorf("memory sink: property %q: %w", propTopic, err)
		}
	}
	if k.updates.RowkindField, err = p.String(propRowkindField, ""); err != nil {
		return fmt.Errorf("memory sink: %w", err)
	}
	if k.updates.KeyField, err = p.String(propKeyField, ""); err != nil {
		return fmt.Errorf("memory sink: %w", err)
	}
	return nil
}

// Templated reports whether the topic property is a template, so the host
// must render it and call CollectTopic.
func (k *Sink) Templated() bool { return k.templated }

// Open implements api.Sink. With keyField and a fixed topic it opens the
// topic's table, which fails when the table is keyed by another field.
func (k *Sink) Open(api.StreamContext) error {
	if k.updates.KeyField == "" || k.templated || k.table != nil {
		return nil
	}
	tb, err := k.hub.OpenTable(k.topic, k.updates.KeyField)
	if err != nil {
		return fmt.Errorf("memory sink: %w", err)
	}
	k.table = tb
	return nil
}

// Collect implements api.Sink: data is a map[string]any row or a
// []map[string]any (or []any of rows); each row is published to the topic
// property. The rows are handed to subscribers as they are: the caller
// must not modify them afterwards.
func (k *Sink) Collect(ctx api.StreamContext, data any) error {
	if k.templated {
		return fmt.Errorf("memory sink: topic template %q must be rendered by the host (CollectTopic)", k.topic)
	}
	return k.CollectTopic(ctx, k.topic, data)
}

// CollectTopic is Collect to topic t, the rendered topic template.
func (k *Sink) CollectTopic(_ api.StreamContext, t string, data any) error {
	var err error
	switch d := data.(type) {
	case map[string]any:
		_, err = k.hub.PublishUpdates(t, k.updates, d)
	case []map[string]any:
		_, err = k.hub.PublishUpdates(t, k.updates, d...)
	case []any:
		rows := make([]map[string]any, len(d))
		for i, r := range d {
			m, ok := r.(map[string]any)
			if !ok {
				return fmt.Errorf("memory sink: result item %d is a %T, want a row", i, r)
			}
			rows[i] = m
		}
		_, err = k.hub.PublishUpdates(t, k.updates, rows...)
	default:
		return fmt.Errorf("memory sink: result is a %T, want a row or a list of rows", data)
	}
	if err != nil {
		return fmt.Errorf("memory sink: %w", err)
	}
	return nil
}

// Close implements api.Sink.
func (k *Sink) Close(api.StreamContext) error {
	k.hub.CloseTable(k.table)
	k.table = nil
	return nil
}

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
	return env.RegisterSink(Name, connector.Spec{
		Description: "Publish result rows to an in-process topic, read by memory sources",
		Props: []connector.PropSpec{
			{Name: propTopic, Type: "string", Required: true, Description: "topic to publish to; may be a template"},
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
type Sink struct {
	hub       *Hub
	topic     string
	templated bool
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
	for _, unsupported := range []string{propRowkindField, propKeyField} {
		if p.Has(unsupported) {
			return fmt.Errorf("memory sink: property %q (updatable sink) is not supported yet", unsupported)
		}
	}
	return nil
}

// Templated reports whether the topic property is a template, so the host
// must render it and call CollectTopic.
func (k *Sink) Templated() bool { return k.templated }

// Open implements api.Sink.
func (k *Sink) Open(api.StreamContext) error { return nil }

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
		_, err = k.hub.Publish(t, d)
	case []map[string]any:
		_, err = k.hub.Publish(t, d...)
	case []any:
		rows := make([]map[string]any, len(d))
		for i, r := range d {
			m, ok := r.(map[string]any)
			if !ok {
				return fmt.Errorf("memory sink: result item %d is a %T, want a row", i, r)
			}
			rows[i] = m
		}
		_, err = k.hub.Publish(t, rows...)
	default:
		return fmt.Errorf("memory sink: result is a %T, want a row or a list of rows", data)
	}
	if err != nil {
		return fmt.Errorf("memory sink: %w", err)
	}
	return nil
}

// Close implements api.Sink.
func (k *Sink) Close(api.StreamContext) error { return nil }

package topo

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kuiperio/kuiper/internal/catalog"
	"github.com/kuiperio/kuiper/internal/clock"
	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/format"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/value"
	"github.com/kuiperio/kuiper/sdk/api"
)

// SourceManager runs one source instance per stream, shared by every rule
// that reads the stream: messages are received and decoded once, then
// handed to each subscribed rule.
type SourceManager struct {
	env    *connector.Env
	etcDir string
	logger *slog.Logger
	clock  clock.Clock
	// MaxMessageSize drops larger payloads (0: no limit).
	MaxMessageSize int
	// Defaults are per-type source properties under the connector's
	// configuration file (e.g. the MQTT server kuiperd uses).
	Defaults map[string]map[string]any

	mu      sync.Mutex
	sources map[string]*sharedSource
}

// NewSourceManager returns a manager creating sources from env, with
// connector configuration read from etcDir.
func NewSourceManager(env *connector.Env, etcDir string, logger *slog.Logger, clk clock.Clock) *SourceManager {
	return &SourceManager{env: env, etcDir: etcDir, logger: logger, clock: clk, sources: map[string]*sharedSource{}}
}

// Subscription is one rule's feed from a shared source.
type Subscription struct {
	C       <-chan *value.Row
	ch      chan *value.Row
	done    chan struct{}
	metrics *Metrics
	fields  []string
	block   bool
	src     *sharedSource
	once    sync.Once
}

// SubscribeOptions configure a subscription.
type SubscribeOptions struct {
	// Fields the rule reads; nil for all.
	Fields []string
	// BufferLength is the channel capacity (default 1024).
	BufferLength int
	// Block makes a full buffer block the source instead of dropping the
	// message (rule option disableBufferFullDiscard).
	Block bool
	// Metrics receive the rule's source counters.
	Metrics *Metrics
}

type sharedSource struct {
	m      *SourceManager
	key    string
	def    *catalog.Def
	src    api.Source
	ctx    *connector.Context
	cancel context.CancelFunc
	done   chan struct{}
	status connector.StatusReporter

	subsMu sync.RWMutex
	subs   []*Subscription

	decMu   sync.Mutex
	decoder format.Decoder
	schema  []value.Column

	errLog atomic.Int64 // unix ms of the last logged error
	errN   atomic.Int64 // errors since then
}

// Subscribe attaches a rule to the stream's shared source, starting it if
// this is the first rule.
func (m *SourceManager) Subscribe(def *catalog.Def, opts SubscribeOptions) (*Subscription, error) {
	if opts.BufferLength <= 0 {
		opts.BufferLength = 1024
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	key := def.Name + "\x00" + def.SQL
	s, ok := m.sources[key]
	if !ok {
		var err error
		if s, err = m.start(key, def); err != nil {
			return nil, err
		}
		m.sources[key] = s
	}
	ch := make(chan *value.Row, opts.BufferLength)
	sub := &Subscription{C: ch, ch: ch, done: make(chan struct{}), metrics: opts.Metrics, fields: opts.Fields, block: opts.Block, src: s}
	if sub.metrics != nil {
		sub.metrics.BufferLen = func() int { return len(ch) }
		if s.status != nil {
			sub.metrics.Conn = s.status.ConnectionStatus
		}
	}
	s.subsMu.Lock()
	s.subs = append(s.subs, sub)
	s.subsMu.Unlock()
	if err := s.rebuildDecoder(); err != nil {
		sub.closeLocked()
		return nil, err
	}
	return sub, nil
}

// Close detaches the subscription; the source stops with its last rule.
func (s *Subscription) Close() {
	s.src.m.mu.Lock()
	defer s.src.m.mu.Unlock()
	s.closeLocked()
}

func (s *Subscription) closeLocked() {
	s.once.Do(func() {
		close(s.done)
		src := s.src
		src.subsMu.Lock()
		for i, x := range src.subs {
			if x == s {
				src.subs = append(src.subs[:i:i], src.subs[i+1:]...)
				break
			}
		}
		n := len(src.subs)
		src.subsMu.Unlock()
		if n == 0 {
			src.stop()
			delete(src.m.sources, src.key)
			return
		}
		_ = src.rebuildDecoder()
	})
}

// sourceProps merges a source's properties: the per-type defaults, the
// connector's configuration file (default section, then CONF_KEY), then
// the definition's EXTRA. A table's KEY is passed on as "key".
func (m *SourceManager) sourceProps(def *catalog.Def) (map[string]any, error) {
	props, err := connector.LoadConf(m.etcDir, "sources", def.Props.Type, def.Props.ConfKey)
	if err != nil {
		return nil, err
	}
	if d := m.Defaults[def.Props.Type]; d != nil {
		props = connector.Merge(d, props)
	}
	if def.Props.Extra != "" {
		if props, err = connector.MergeExtra(props, def.Props.Extra); err != nil {
			return nil, err
		}
	}
	if def.Kind == ast.KindTable && def.Props.Key != "" {
		props = connector.Merge(props, map[string]any{"key": def.Props.Key})
	}
	return props, nil
}

func (m *SourceManager) start(key string, def *catalog.Def) (*sharedSource, error) {
	f, _, ok := m.env.Source(def.Props.Type)
	if !ok {
		return nil, fmt.Errorf("unknown source type %q", def.Props.Type)
	}
	props, err := m.sourceProps(def)
	if err != nil {
		return nil, err
	}
	src := f()
	if err := src.Configure(def.Props.Datasource, props); err != nil {
		return nil, fmt.Errorf("configure source of stream %s: %w", def.Name, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &sharedSource{m: m, key: key, def: def, src: src, cancel: cancel, done: make(chan struct{}), schema: def.Schema()}
	s.ctx = connector.NewContext(ctx, "", def.Name, 0, m.logger.With("stream", def.Name))
	if r, ok := src.(connector.StatusReporter); ok {
		s.status = r
	}
	go s.run()
	return s, nil
}

func (s *sharedSource) run() {
	defer close(s.done)
	defer func() {
		if r := recover(); r != nil {
			s.m.logger.Error("source panicked", "stream", s.def.Name, "panic", r)
		}
	}()
	if bs, ok := s.src.(api.BytesSource); ok {
		bs.OpenBytes(s.ctx, s.onBytes)
		return
	}
	s.src.Open(s.ctx, s.onTuple)
}

func (s *sharedSource) stop() {
	s.cancel()
	if err := s.src.Close(s.ctx); err != nil {
		s.m.logger.Warn("close source", "stream", s.def.Name, "error", err)
	}
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.m.logger.Warn("source did not stop within 5s", "stream", s.def.Name)
	}
}

// rebuildDecoder decodes the union of the fields the subscribed rules read.
func (s *sharedSource) rebuildDecoder() error {
	s.subsMu.RLock()
	var fields []string
	all := false
	seen := map[string]bool{}
	for _, sub := range s.subs {
		if sub.fields == nil {
			all = true
			break
		}
		for _, f := range sub.fields {
			if !seen[f] {
				seen[f] = true
				fields = append(fields, f)
			}
		}
	}
	s.subsMu.RUnlock()
	if all {
		fields = nil
	} else {
		sort.Strings(fields)
		if fields == nil {
			fields = []string{}
		}
	}
	if s.def.Props.Timestamp != "" && fields != nil && !seen[s.def.Props.Timestamp] {
		fields = append(fields, s.def.Props.Timestamp)
	}
	dec, err := format.NewDecoder(s.def.Props.Format, format.Options{
		Fields: fields,
		Schema: s.schema,
		Strict: s.def.Props.StrictValidation,
	})
	if err != nil {
		return err
	}
	s.decMu.Lock()
	s.decoder = dec
	s.decMu.Unlock()
	return nil
}

func (s *sharedSource) onBytes(msg api.RawMessage) {
	now := s.m.clock.Now()
	if max := s.m.MaxMessageSize; max > 0 && len(msg.Payload) > max {
		s.fail(fmt.Errorf("message of %d bytes exceeds the %d-byte limit", len(msg.Payload), max), now)
		return
	}
	s.decMu.Lock()
	err := s.decoder.Decode(msg.Payload, func(o *value.Object) {
		s.deliver(&value.Row{Msg: o, Topic: msg.Topic, Meta: msg.Meta, Ts: now.UnixMilli()}, now)
	})
	s.decMu.Unlock()
	if err != nil {
		s.fail(fmt.Errorf("decode message from %s: %w", msg.Topic, err), now)
	}
}

func (s *sharedSource) onTuple(message map[string]any, meta map[string]any) {
	now := s.m.clock.Now()
	o := value.FromAny(message).Object()
	if o == nil {
		o = value.NewObject(0)
	}
	if s.schema != nil {
		v, err := value.CoerceType(value.ObjectValue(o), &value.Type{Kind: value.Obj, Fields: s.schema})
		if err != nil {
			s.fail(err, now)
			return
		}
		o = v.Object()
	}
	row := &value.Row{Msg: o, Ts: now.UnixMilli()}
	if meta != nil {
		row.Meta = api.MapMetadata(meta)
		if t, ok := meta["topic"].(string); ok {
			row.Topic = t
		}
	}
	s.deliver(row, now)
}

// deliver hands a row to every subscribed rule. A rule whose buffer is full
// loses the row (counted in its dropped_total) unless it asked to block.
func (s *sharedSource) deliver(row *value.Row, now time.Time) {
	ms := now.UnixMilli()
	s.subsMu.RLock()
	for _, sub := range s.subs {
		if m := sub.metrics; m != nil {
			m.RecordsIn.Add(1)
			m.LastInvoke.Store(ms)
		}
		select {
		case sub.ch <- row:
			if m := sub.metrics; m != nil {
				m.RecordsOut.Add(1)
				m.Processed.Add(1)
			}
			continue
		default:
		}
		if sub.block {
			select {
			case sub.ch <- row:
				if m := sub.metrics; m != nil {
					m.RecordsOut.Add(1)
					m.Processed.Add(1)
				}
			case <-sub.done:
			}
			continue
		}
		if m := sub.metrics; m != nil {
			m.Dropped.Add(1)
		}
	}
	s.subsMu.RUnlock()
}

// fail counts a bad message against every subscribed rule and logs it, at
// most once a second with the count of the ones not logged.
func (s *sharedSource) fail(err error, now time.Time) {
	s.subsMu.RLock()
	for _, sub := range s.subs {
		if sub.metrics != nil {
			sub.metrics.RecordsIn.Add(1)
			sub.metrics.Exception(err, now)
		}
	}
	s.subsMu.RUnlock()
	n := s.errN.Add(1)
	last := s.errLog.Load()
	if ms := now.UnixMilli(); ms-last >= 1000 && s.errLog.CompareAndSwap(last, ms) {
		s.errN.Store(0)
		s.m.logger.Warn("bad message", "stream", s.def.Name, "error", err, "errors_since_last_log", n)
	}
}

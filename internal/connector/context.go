package connector

import (
	"context"
	"log/slog"
	"strconv"
	"sync"

	"github.com/kuiperio/kuiper/sdk/api"
)

// Logger attribute keys set on the loggers of contexts.
const (
	AttrRule     = "rule"
	AttrOp       = "op"
	AttrInstance = "instance"
	AttrFunc     = "func"
)

// StateStore holds the keyed state of one operator instance. The default is
// in memory; checkpointing plugs in a store it can snapshot and restore.
type StateStore interface {
	Put(key string, value any) error
	// Get returns the value under key, or nil when there is none.
	Get(key string) (any, error)
	Delete(key string) error
}

// MemState is an in-memory StateStore, safe for concurrent use.
type MemState struct {
	mu sync.RWMutex
	m  map[string]any
}

// NewMemState returns an empty MemState.
func NewMemState() *MemState { return &MemState{m: map[string]any{}} }

// Put implements StateStore.
func (s *MemState) Put(key string, value any) error {
	s.mu.Lock()
	s.m[key] = value
	s.mu.Unlock()
	return nil
}

// Get implements StateStore.
func (s *MemState) Get(key string) (any, error) {
	s.mu.RLock()
	v := s.m[key]
	s.mu.RUnlock()
	return v, nil
}

// Delete implements StateStore.
func (s *MemState) Delete(key string) error {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
	return nil
}

// Snapshot returns a shallow copy of the state, for checkpoints.
func (s *MemState) Snapshot() map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]any, len(s.m))
	for k, v := range s.m {
		out[k] = v
	}
	return out
}

// Restore replaces the state with a copy of m.
func (s *MemState) Restore(m map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m = make(map[string]any, len(m))
	for k, v := range m {
		s.m[k] = v
	}
}

// Context implements api.StreamContext over a parent context.Context.
type Context struct {
	context.Context
	ruleID   string
	opID     string
	instance int
	logger   *slog.Logger
	state    StateStore
}

var _ api.StreamContext = (*Context)(nil)

// ContextOption changes a Context made by NewContext.
type ContextOption func(*Context)

// WithState makes the context keep its keyed state in s instead of a new
// MemState.
func WithState(s StateStore) ContextOption { return func(c *Context) { c.state = s } }

// NewContext returns the StreamContext of one operator instance. It is done
// when parent is. The logger (nil: discard) gets rule, op and instance
// attributes; the rule attribute is left out when ruleID is "" (a shared
// source).
func NewContext(parent context.Context, ruleID, opID string, instance int, logger *slog.Logger, opts ...ContextOption) *Context {
	if parent == nil {
		parent = context.Background()
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	attrs := make([]any, 0, 6)
	if ruleID != "" {
		attrs = append(attrs, AttrRule, ruleID)
	}
	if opID != "" {
		attrs = append(attrs, AttrOp, opID)
	}
	attrs = append(attrs, AttrInstance, instance)
	c := &Context{
		Context:  parent,
		ruleID:   ruleID,
		opID:     opID,
		instance: instance,
		logger:   logger.With(attrs...),
	}
	for _, o := range opts {
		o(c)
	}
	if c.state == nil {
		c.state = NewMemState()
	}
	return c
}

// WithParent returns a copy of c (same ids, logger and state) whose done
// channel follows parent instead.
func (c *Context) WithParent(parent context.Context) *Context {
	cp := *c
	cp.Context = parent
	return &cp
}

// RuleID implements api.StreamContext.
func (c *Context) RuleID() string { return c.ruleID }

// OpID implements api.StreamContext.
func (c *Context) OpID() string { return c.opID }

// InstanceID implements api.StreamContext.
func (c *Context) InstanceID() int { return c.instance }

// Logger implements api.StreamContext.
func (c *Context) Logger() *slog.Logger { return c.logger }

// PutState implements api.StreamContext.
func (c *Context) PutState(key string, value any) error { return c.state.Put(key, value) }

// GetState implements api.StreamContext.
func (c *Context) GetState(key string) (any, error) { return c.state.Get(key) }

// DeleteState implements api.StreamContext.
func (c *Context) DeleteState(key string) error { return c.state.Delete(key) }

// State returns the context's state store.
func (c *Context) State() StateStore { return c.state }

// FuncContext implements api.FunctionContext: a StreamContext plus the id
// of one function call site. Its state is kept in the parent's state under
// keys prefixed with "$func<id>/", so checkpoints of the parent carry it.
type FuncContext struct {
	api.StreamContext
	funcID int
	prefix string
	logger *slog.Logger
}

var _ api.FunctionContext = (*FuncContext)(nil)

// NewFuncContext returns the context of function call site funcID within
// parent.
func NewFuncContext(parent api.StreamContext, funcID int) *FuncContext {
	return &FuncContext{
		StreamContext: parent,
		funcID:        funcID,
		prefix:        "$func" + strconv.Itoa(funcID) + "/",
		logger:        parent.Logger().With(AttrFunc, funcID),
	}
}

// FuncID implements api.FunctionContext.
func (f *FuncContext) FuncID() int { return f.funcID }

// Logger implements api.StreamContext; it adds a func attribute.
func (f *FuncContext) Logger() *slog.Logger { return f.logger }

// PutState implements api.StreamContext.
func (f *FuncContext) PutState(key string, value any) error {
	return f.StreamContext.PutState(f.prefix+key, value)
}

// GetState implements api.StreamContext.
func (f *FuncContext) GetState(key string) (any, error) {
	return f.StreamContext.GetState(f.prefix + key)
}

// DeleteState implements api.StreamContext.
func (f *FuncContext) DeleteState(key string) error {
	return f.StreamContext.DeleteState(f.prefix + key)
}

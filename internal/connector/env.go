// Package connector is the registry of sources and sinks (the Env), the
// StreamContext handed to them, connection status reporting and the
// loading of per-connector configuration files (etc/sources/<type>.yaml,
// etc/sinks/<type>.yaml).
//
// Built-in connectors live in sub-packages; each exposes a Register
// function, and package builtin registers them all. Plugins register into
// the same Env, so the engine cannot tell them apart.
package connector

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/kuiperio/kuiper/sdk/api"
)

// SourceFactory makes a new source instance. The instance may also
// implement api.BytesSource (the host then calls OpenBytes) or
// api.Rewindable.
type SourceFactory func() api.Source

// LookupSourceFactory makes a new lookup source instance. Lookup sources are
// registered apart from sources because api.LookupSource's Open differs
// from api.Source's.
type LookupSourceFactory func() api.LookupSource

// SinkFactory makes a new sink instance. The instance may also implement
// api.BytesSink (the host then calls CollectBytes).
type SinkFactory func() api.Sink

// PropSpec describes one property of a connector, for validation and the
// REST metadata endpoints.
type PropSpec struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // string, int, bool, float, duration, list, object
	Default     any    `json:"default,omitempty"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
}

// Spec describes a connector: what it does and which properties it takes.
type Spec struct {
	Description string     `json:"description,omitempty"`
	Props       []PropSpec `json:"props,omitempty"`
}

type sourceEntry struct {
	name string
	spec Spec
	f    SourceFactory
}

type lookupEntry struct {
	name string
	spec Spec
	f    LookupSourceFactory
}

type sinkEntry struct {
	name string
	spec Spec
	f    SinkFactory
}

// Env is a registry of source, lookup source and sink factories. It is
// safe for concurrent use: plugins may be installed and removed while
// rules run. Names are matched case-insensitively, and two names that
// differ only in case are duplicates.
type Env struct {
	mu      sync.RWMutex
	sources map[string]sourceEntry
	lookups map[string]lookupEntry
	sinks   map[string]sinkEntry
}

// NewEnv returns an empty registry.
func NewEnv() *Env {
	return &Env{
		sources: map[string]sourceEntry{},
		lookups: map[string]lookupEntry{},
		sinks:   map[string]sinkEntry{},
	}
}

// Clone returns a copy of e that can be changed without affecting e.
func (e *Env) Clone() *Env {
	e.mu.RLock()
	defer e.mu.RUnlock()
	c := NewEnv()
	for k, v := range e.sources {
		c.sources[k] = v
	}
	for k, v := range e.lookups {
		c.lookups[k] = v
	}
	for k, v := range e.sinks {
		c.sinks[k] = v
	}
	return c
}

func key(name string) string { return strings.ToLower(name) }

func checkName(kind, name string, nilFactory bool) error {
	if name == "" {
		return fmt.Errorf("register %s: empty name", kind)
	}
	if nilFactory {
		return fmt.Errorf("register %s %q: nil factory", kind, name)
	}
	return nil
}

// RegisterSource adds a source type. A name already registered (in any
// case) is an error.
func (e *Env) RegisterSource(name string, spec Spec, f SourceFactory) error {
	if err := checkName("source", name, f == nil); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if old, ok := e.sources[key(name)]; ok {
		return fmt.Errorf("register source %q: %w as %q", name, ErrDuplicate, old.name)
	}
	e.sources[key(name)] = sourceEntry{name: name, spec: spec, f: f}
	return nil
}

// RegisterLookupSource adds a lookup source type. A name already
// registered (in any case) is an error.
func (e *Env) RegisterLookupSource(name string, spec Spec, f LookupSourceFactory) error {
	if err := checkName("lookup source", name, f == nil); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if old, ok := e.lookups[key(name)]; ok {
		return fmt.Errorf("register lookup source %q: %w as %q", name, ErrDuplicate, old.name)
	}
	e.lookups[key(name)] = lookupEntry{name: name, spec: spec, f: f}
	return nil
}

// RegisterSink adds a sink type. A name already registered (in any case) is
// an error.
func (e *Env) RegisterSink(name string, spec Spec, f SinkFactory) error {
	if err := checkName("sink", name, f == nil); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if old, ok := e.sinks[key(name)]; ok {
		return fmt.Errorf("register sink %q: %w as %q", name, ErrDuplicate, old.name)
	}
	e.sinks[key(name)] = sinkEntry{name: name, spec: spec, f: f}
	return nil
}

// MustRegisterSource is RegisterSource that panics on error; for built-ins.
func (e *Env) MustRegisterSource(name string, spec Spec, f SourceFactory) {
	if err := e.RegisterSource(name, spec, f); err != nil {
		panic(err)
	}
}

// MustRegisterLookupSource is RegisterLookupSource that panics on error.
func (e *Env) MustRegisterLookupSource(name string, spec Spec, f LookupSourceFactory) {
	if err := e.RegisterLookupSource(name, spec, f); err != nil {
		panic(err)
	}
}

// MustRegisterSink is RegisterSink that panics on error; for built-ins.
func (e *Env) MustRegisterSink(name string, spec Spec, f SinkFactory) {
	if err := e.RegisterSink(name, spec, f); err != nil {
		panic(err)
	}
}

// Source returns the factory and spec of source type name.
func (e *Env) Source(name string) (SourceFactory, Spec, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s, ok := e.sources[key(name)]
	return s.f, s.spec, ok
}

// LookupSource returns the factory and spec of lookup source type name.
func (e *Env) LookupSource(name string) (LookupSourceFactory, Spec, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s, ok := e.lookups[key(name)]
	return s.f, s.spec, ok
}

// Sink returns the factory and spec of sink type name.
func (e *Env) Sink(name string) (SinkFactory, Spec, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s, ok := e.sinks[key(name)]
	return s.f, s.spec, ok
}

// Sources returns the registered source names, sorted, as registered.
func (e *Env) Sources() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return names(e.sources, func(s sourceEntry) string { return s.name })
}

// LookupSources returns the registered lookup source names, sorted.
func (e *Env) LookupSources() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return names(e.lookups, func(s lookupEntry) string { return s.name })
}

// Sinks returns the registered sink names, sorted, as registered.
func (e *Env) Sinks() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return names(e.sinks, func(s sinkEntry) string { return s.name })
}

// UnregisterSource removes source type name and reports whether it was
// registered. Running instances are not affected.
func (e *Env) UnregisterSource(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.sources[key(name)]
	delete(e.sources, key(name))
	return ok
}

// UnregisterLookupSource removes lookup source type name.
func (e *Env) UnregisterLookupSource(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.lookups[key(name)]
	delete(e.lookups, key(name))
	return ok
}

// UnregisterSink removes sink type name and reports whether it was
// registered. Running instances are not affected.
func (e *Env) UnregisterSink(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.sinks[key(name)]
	delete(e.sinks, key(name))
	return ok
}

func names[T any](m map[string]T, name func(T) string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, name(v))
	}
	sort.Strings(out)
	return out
}

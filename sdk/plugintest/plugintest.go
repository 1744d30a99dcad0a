// Package plugintest helps test sources, sinks and functions written
// against sdk/api without a Kuiper server: a StreamContext for tests and
// checks of the contract every implementation must keep (Open returns when
// its context is done, Close may be called while Open runs, Collect takes
// a row or a list of rows, Exec answers without panicking).
package plugintest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/kuiperio/kuiper/sdk/api"
)

// Context is an api.FunctionContext for tests, with in-memory state and a
// logger that writes through t.Log.
type Context struct {
	context.Context
	logger *slog.Logger
	mu     sync.Mutex
	state  map[string]any
}

var _ api.FunctionContext = (*Context)(nil)

// NewContext returns a context that is done when parent is, logging
// through t.
func NewContext(t testing.TB, parent context.Context) *Context {
	return &Context{Context: parent, logger: slog.New(slog.NewTextHandler(testWriter{t}, nil)), state: map[string]any{}}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// RuleID implements api.StreamContext.
func (c *Context) RuleID() string { return "test" }

// OpID implements api.StreamContext.
func (c *Context) OpID() string { return "op" }

// InstanceID implements api.StreamContext.
func (c *Context) InstanceID() int { return 0 }

// FuncID implements api.FunctionContext.
func (c *Context) FuncID() int { return 1 }

// Logger implements api.StreamContext.
func (c *Context) Logger() *slog.Logger { return c.logger }

// PutState implements api.StreamContext.
func (c *Context) PutState(key string, value any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state[key] = value
	return nil
}

// GetState implements api.StreamContext.
func (c *Context) GetState(key string) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state[key], nil
}

// DeleteState implements api.StreamContext.
func (c *Context) DeleteState(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.state, key)
	return nil
}

// Message is one message a source emitted.
type Message struct {
	Data map[string]any
	Meta map[string]any
}

// RunSource configures a new source, opens it, waits for n messages (at
// most timeout), then cancels its context and closes it. It fails the
// test when Configure fails, when fewer than n messages arrive, or when
// Open does not return within 5 seconds of the cancel. A source that ends
// by itself after emitting n messages or more is fine.
func RunSource(t testing.TB, newSource func() api.Source, datasource string, props map[string]any, n int, timeout time.Duration) []Message {
	t.Helper()
	src := newSource()
	if err := src.Configure(datasource, props); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sctx := NewContext(t, ctx)
	var mu sync.Mutex
	var got []Message
	enough := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		src.Open(sctx, func(msg, meta map[string]any) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, Message{Data: msg, Meta: meta})
			if len(got) == n {
				close(enough)
			}
		})
	}()
	select {
	case <-enough:
	case <-done:
	case <-time.After(timeout):
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("Open did not return within 5s after its context was done")
	}
	if err := src.Close(sctx); err != nil {
		t.Errorf("Close: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) < n {
		t.Fatalf("the source emitted %d messages, want at least %d", len(got), n)
	}
	return got
}

// RunSink configures and opens a new sink, collects each of results (a
// map[string]any row as with sendSingle, or a []any of rows) and closes
// it, failing the test on the first error.
func RunSink(t testing.TB, newSink func() api.Sink, props map[string]any, results ...any) {
	t.Helper()
	snk := newSink()
	if err := snk.Configure(props); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	ctx := NewContext(t, context.Background())
	if err := snk.Open(ctx); err != nil {
		t.Fatalf("Open: %v", err)
	}
	for i, r := range results {
		if err := snk.Collect(ctx, r); err != nil {
			t.Fatalf("Collect %d: %v", i, err)
		}
	}
	if err := snk.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// Call runs f.Validate, then f.Exec, turning a panic into an error, and
// returns the result or the error Exec reported.
func Call(t testing.TB, f api.Function, args ...any) (result any, err error) {
	t.Helper()
	if err := f.Validate(args); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("exec panicked: %v", r)
		}
	}()
	v, ok := f.Exec(args, NewContext(t, context.Background()))
	if !ok {
		if e, isErr := v.(error); isErr {
			return nil, e
		}
		return nil, fmt.Errorf("exec failed: %v", v)
	}
	return v, nil
}

package plugin

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/sdk/api"
)

// PanicError is the error a guarded call returns when plugin code
// panicked.
type PanicError struct {
	// Plugin names the plugin ("sources/Random", "portable/pyplugin").
	Plugin string
	// Call is the method that panicked ("Collect").
	Call  string
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("plugin %s panicked in %s: %v", e.Plugin, e.Call, e.Value)
}

// guard runs f and turns a panic into a *PanicError.
func guard(plugin, call string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Plugin: plugin, Call: call, Value: r, Stack: debug.Stack()}
		}
	}()
	return f()
}

// logPanic logs a panic that cannot be returned (a source's Open).
func logPanic(logger *slog.Logger, err error) {
	if pe, ok := err.(*PanicError); ok {
		logger.Error("plugin panicked", "plugin", pe.Plugin, "call", pe.Call, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
		return
	}
	logger.Error("plugin failed", "error", err)
}

// GuardSource wraps a plugin source so that a panic in any of its methods
// is recovered: Configure and Close return it as an error; a panic in Open
// is logged, reported as the source's connection status (disconnected,
// with the panic as the message, visible in the rule status) and Open is
// called again after a back-off (1s doubling to 30s) until the stream
// stops. The wrapper keeps api.BytesSource and api.Rewindable when src
// implements them, and always reports a connection status: src's own when
// it has one (connector.StatusReporter).
func GuardSource(plugin string, src api.Source) api.Source {
	g := &guardedSource{plugin: plugin, src: src}
	g.status, _ = src.(connector.StatusReporter)
	bs, isBytes := src.(api.BytesSource)
	rw, isRewind := src.(api.Rewindable)
	switch {
	case isBytes && isRewind:
		return &struct {
			*guardedBytes
			*guardedRewind
		}{&guardedBytes{g, bs}, &guardedRewind{plugin, rw}}
	case isBytes:
		return &guardedBytes{g, bs}
	case isRewind:
		return &struct {
			*guardedSource
			*guardedRewind
		}{g, &guardedRewind{plugin, rw}}
	}
	return g
}

// Open retry delays after a panic.
const (
	reopenDelay    = time.Second
	maxReopenDelay = 30 * time.Second
)

type guardedSource struct {
	plugin  string
	src     api.Source
	status  connector.StatusReporter // the source's own, if any
	tracker connector.StatusTracker  // otherwise
}

func (g *guardedSource) Configure(datasource string, props map[string]any) error {
	return guard(g.plugin, "Configure", func() error { return g.src.Configure(datasource, props) })
}

func (g *guardedSource) Open(ctx api.StreamContext, consume api.ConsumeFunc) {
	g.run(ctx, "Open", func() { g.src.Open(ctx, consume) })
}

// run calls open until it returns without panicking or ctx is done.
func (g *guardedSource) run(ctx api.StreamContext, call string, open func()) {
	delay := reopenDelay
	for {
		g.tracker.Connected()
		err := guard(g.plugin, call, func() error { open(); return nil })
		if err == nil {
			return
		}
		logPanic(ctx.Logger(), err)
		g.tracker.Disconnected(err)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(2*delay, maxReopenDelay)
	}
}

func (g *guardedSource) Close(ctx api.StreamContext) error {
	return guard(g.plugin, "Close", func() error { return g.src.Close(ctx) })
}

// ConnectionStatus implements connector.StatusReporter.
func (g *guardedSource) ConnectionStatus() connector.Status {
	if g.status != nil {
		var st connector.Status
		if err := guard(g.plugin, "ConnectionStatus", func() error { st = g.status.ConnectionStatus(); return nil }); err == nil {
			return st
		}
	}
	return g.tracker.ConnectionStatus()
}

type guardedBytes struct {
	*guardedSource
	bs api.BytesSource
}

func (g *guardedBytes) OpenBytes(ctx api.StreamContext, consume api.BytesConsumeFunc) {
	g.run(ctx, "OpenBytes", func() { g.bs.OpenBytes(ctx, consume) })
}

type guardedRewind struct {
	plugin string
	rw     api.Rewindable
}

func (g *guardedRewind) GetOffset() (off any, err error) {
	err = guard(g.plugin, "GetOffset", func() error {
		var e error
		off, e = g.rw.GetOffset()
		return e
	})
	return off, err
}

func (g *guardedRewind) Rewind(offset any) error {
	return guard(g.plugin, "Rewind", func() error { return g.rw.Rewind(offset) })
}

// GuardSink wraps a plugin sink so that a panic in any of its methods
// becomes an error of that call: the rule counts it as a sink exception
// and keeps running. The wrapper keeps api.BytesSink and
// connector.StatusReporter when snk implements them.
func GuardSink(plugin string, snk api.Sink) api.Sink {
	g := &guardedSink{plugin: plugin, snk: snk}
	bs, isBytes := snk.(api.BytesSink)
	st, isStatus := snk.(connector.StatusReporter)
	switch {
	case isBytes && isStatus:
		return &struct {
			*guardedBytesSink
			connector.StatusReporter
		}{&guardedBytesSink{g, bs}, st}
	case isBytes:
		return &guardedBytesSink{g, bs}
	case isStatus:
		return &struct {
			*guardedSink
			connector.StatusReporter
		}{g, st}
	}
	return g
}

type guardedSink struct {
	plugin string
	snk    api.Sink
}

func (g *guardedSink) Configure(props map[string]any) error {
	return guard(g.plugin, "Configure", func() error { return g.snk.Configure(props) })
}

func (g *guardedSink) Open(ctx api.StreamContext) error {
	return guard(g.plugin, "Open", func() error { return g.snk.Open(ctx) })
}

func (g *guardedSink) Collect(ctx api.StreamContext, data any) error {
	return guard(g.plugin, "Collect", func() error { return g.snk.Collect(ctx, data) })
}

func (g *guardedSink) Close(ctx api.StreamContext) error {
	return guard(g.plugin, "Close", func() error { return g.snk.Close(ctx) })
}

type guardedBytesSink struct {
	*guardedSink
	bs api.BytesSink
}

func (g *guardedBytesSink) CollectBytes(ctx api.StreamContext, payload []byte, dynamic map[string]string) error {
	return guard(g.plugin, "CollectBytes", func() error { return g.bs.CollectBytes(ctx, payload, dynamic) })
}

// GuardLookupSource wraps a plugin lookup source like GuardSource.
func GuardLookupSource(plugin string, src api.LookupSource) api.LookupSource {
	return &guardedLookup{plugin: plugin, src: src}
}

type guardedLookup struct {
	plugin string
	src    api.LookupSource
}

func (g *guardedLookup) Configure(datasource string, props map[string]any) error {
	return guard(g.plugin, "Configure", func() error { return g.src.Configure(datasource, props) })
}

func (g *guardedLookup) Open(ctx api.StreamContext) error {
	return guard(g.plugin, "Open", func() error { return g.src.Open(ctx) })
}

func (g *guardedLookup) Lookup(ctx api.StreamContext, fields []string, values []any) (rows []map[string]any, err error) {
	err = guard(g.plugin, "Lookup", func() error {
		var e error
		rows, e = g.src.Lookup(ctx, fields, values)
		return e
	})
	return rows, err
}

func (g *guardedLookup) Close(ctx api.StreamContext) error {
	return guard(g.plugin, "Close", func() error { return g.src.Close(ctx) })
}

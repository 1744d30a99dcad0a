// Package api is the contract between Kuiper and its extensions: sources,
// sinks and SQL functions. It needs only the standard library, so a plugin
// built against it shares as few packages as possible with the server.
//
// Built-in connectors implement the same interfaces and register in the same
// registry as plugins; nothing in the engine can tell them apart.
package api

import (
	"context"
	"log/slog"
)

// StreamContext is handed to every source, sink and function instance. It is
// done when the rule (or the shared source) stops.
type StreamContext interface {
	context.Context
	// RuleID is the id of the rule the instance runs in ("" for a source
	// shared by several rules).
	RuleID() string
	// OpID names the operator, e.g. the stream name for a source.
	OpID() string
	// InstanceID is the instance number when an operator runs concurrently.
	InstanceID() int
	// Logger returns a logger carrying rule, op and instance attributes.
	Logger() *slog.Logger
	// PutState stores keyed state for this instance; it is persisted by
	// checkpoints when the rule runs with qos > 0.
	PutState(key string, value any) error
	// GetState returns the state stored under key, or nil.
	GetState(key string) (any, error)
	// DeleteState removes key.
	DeleteState(key string) error
}

// FunctionContext is the context of a function call.
type FunctionContext interface {
	StreamContext
	// FuncID distinguishes several calls of the same function in one rule.
	FuncID() int
}

// ConsumeFunc receives one message and its metadata from a Source.
type ConsumeFunc func(message map[string]any, metadata map[string]any)

// Source produces messages for a stream or table.
//
// Configure is called once with the stream's DATASOURCE and the merged
// properties (conf key, then EXTRA). Open runs until ctx is done, calling
// consume for each message; it must not retain consume after returning.
// Close releases resources; it may be called while Open still runs.
type Source interface {
	Configure(datasource string, props map[string]any) error
	Open(ctx StreamContext, consume ConsumeFunc)
	Close(ctx StreamContext) error
}

// Metadata is per-message metadata, read by SQL meta(key).
type Metadata interface {
	// Get returns the metadata value of key.
	Get(key string) (any, bool)
}

// MapMetadata is a Metadata backed by a map.
type MapMetadata map[string]any

// Get implements Metadata.
func (m MapMetadata) Get(key string) (any, bool) {
	v, ok := m[key]
	return v, ok
}

// RawMessage is an undecoded message from a BytesSource.
type RawMessage struct {
	// Payload is decoded by the stream's FORMAT. The source must not reuse
	// the slice after handing it over.
	Payload []byte
	// Topic is where the message came from (MQTT topic, memory topic, file
	// name...); meta(topic) returns it.
	Topic string
	// Meta holds any further metadata; may be nil.
	Meta Metadata
}

// BytesConsumeFunc receives one raw message from a BytesSource.
type BytesConsumeFunc func(msg RawMessage)

// BytesSource is a Source whose messages are raw payloads that the host
// decodes with the stream's FORMAT (json, binary, delimited...). The host
// calls OpenBytes instead of Open when a source implements it.
type BytesSource interface {
	Source
	OpenBytes(ctx StreamContext, consume BytesConsumeFunc)
}

// LookupSource serves lookup tables: it answers key lookups on demand
// instead of streaming.
type LookupSource interface {
	Configure(datasource string, props map[string]any) error
	Open(ctx StreamContext) error
	// Lookup returns the rows whose fields equal values.
	Lookup(ctx StreamContext, fields []string, values []any) ([]map[string]any, error)
	Close(ctx StreamContext) error
}

// Rewindable is a Source that can resume from an offset saved by a
// checkpoint.
type Rewindable interface {
	GetOffset() (any, error)
	Rewind(offset any) error
}

// Sink consumes a rule's results.
//
// Collect receives one result: a map[string]any row when the action has
// sendSingle, otherwise a []map[string]any. Returning an error counts an
// exception in the rule's metrics; the rule keeps running.
type Sink interface {
	Configure(props map[string]any) error
	Open(ctx StreamContext) error
	Collect(ctx StreamContext, data any) error
	Close(ctx StreamContext) error
}

// BytesSink is a Sink that takes results already encoded by the host (format,
// fields and dataTemplate applied). The host calls CollectBytes instead of
// Collect when a sink implements it. dynamic holds the sink properties
// written as templates (e.g. "topic": "out/{{.device}}"), rendered for this
// result; it is nil when the sink has none.
type BytesSink interface {
	Sink
	CollectBytes(ctx StreamContext, payload []byte, dynamic map[string]string) error
}

// Function is a SQL function. Validate checks the arguments at rule
// creation (literals carry their value, other arguments are nil). Exec
// returns the result, or (error, false) on a runtime error. Aggregate
// functions receive one []any per argument holding the group's values.
//
// Arguments and results are plain Go values: nil, bool, int64, float64,
// string, []byte, time.Time, []any and map[string]any (results may also
// use int and the other scalar slice types). Exec must not keep args after
// it returns: the host reuses the slice. One instance serves every rule,
// possibly from several goroutines at once, so keep per-call state in
// ctx (PutState/GetState), not in the instance.
type Function interface {
	Validate(args []any) error
	Exec(args []any, ctx FunctionContext) (any, bool)
	IsAggregate() bool
}

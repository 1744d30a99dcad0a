// Package portable is the Go SDK of Kuiper's portable plugins: plugins
// that run as their own process, so they need not be built with the
// server's Go version and package versions. A portable plugin is a
// program that calls Serve with the sources, sinks and functions it
// provides; they implement the same sdk/api interfaces as native plugins.
//
// The host and the plugin talk over the plugin's standard input and
// output, one JSON object per line. The protocol is documented in
// docs/extensions/portable-protocol.md; Message is its only frame.
package portable

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ProtocolVersion is the protocol version this package speaks.
const ProtocolVersion = 1

// MaxLineBytes bounds one frame (one line) in either direction.
const MaxLineBytes = 16 << 20

// Environment variables the host sets for a plugin process.
const (
	// EnvProtocol holds the protocol versions the host speaks,
	// comma-separated ("1").
	EnvProtocol = "KUIPER_PLUGIN_PROTOCOL"
	// EnvName holds the plugin's name.
	EnvName = "KUIPER_PLUGIN_NAME"
)

// Message types.
const (
	// TypeHello is the handshake: the host sends Versions, the plugin
	// answers with the chosen Version and what it provides.
	TypeHello = "hello"
	// TypeOpen opens an instance of a source or sink (Kind, Symbol,
	// Datasource, Props); the instance id is the message ID.
	TypeOpen = "open"
	// TypeClose closes instance Instance.
	TypeClose = "close"
	// TypeCollect hands Data to sink instance Instance.
	TypeCollect = "collect"
	// TypeCall calls function Symbol once per entry of Args; the answer
	// is a TypeResult.
	TypeCall = "call"
	// TypeValidate checks the arguments of a function call at rule
	// creation (Args holds one entry; non-literal arguments are null).
	TypeValidate = "validate"
	// TypePing asks for a TypeAck; the host uses it as a health check.
	TypePing = "ping"
	// TypeShutdown asks the plugin to close everything and exit.
	TypeShutdown = "shutdown"

	// TypeAck answers open, close, collect, validate and ping; Error is
	// set on failure.
	TypeAck = "ack"
	// TypeResult answers call: Results and Errors have one entry per
	// call.
	TypeResult = "result"
	// TypeData carries one message (Data, Meta) of source instance
	// Instance.
	TypeData = "data"
	// TypeLog is a log record of the plugin (Level, Msg, Instance).
	TypeLog = "log"
)

// Kinds of instances in TypeOpen.
const (
	KindSource = "source"
	KindSink   = "sink"
)

// FunctionInfo describes a function in the plugin's hello.
type FunctionInfo struct {
	Name      string `json:"name"`
	Aggregate bool   `json:"aggregate,omitempty"`
}

// Message is the one frame of the protocol; which fields are set depends
// on Type.
type Message struct {
	Type string `json:"type"`
	// ID numbers a request; its answer carries the same ID.
	ID uint64 `json:"id,omitempty"`
	// Instance names an open source or sink instance (the ID of its
	// open request).
	Instance uint64 `json:"instance,omitempty"`

	// Handshake.
	Versions  []int          `json:"versions,omitempty"`
	Version   int            `json:"version,omitempty"`
	Name      string         `json:"name,omitempty"`
	Plugin    string         `json:"plugin,omitempty"` // the plugin's own version
	Sources   []string       `json:"sources,omitempty"`
	Sinks     []string       `json:"sinks,omitempty"`
	Functions []FunctionInfo `json:"functions,omitempty"`

	// Instances and calls.
	Kind       string         `json:"kind,omitempty"`
	Symbol     string         `json:"symbol,omitempty"`
	Rule       string         `json:"rule,omitempty"`
	Op         string         `json:"op,omitempty"`
	Datasource string         `json:"datasource,omitempty"`
	Props      map[string]any `json:"props,omitempty"`
	Data       any            `json:"data,omitempty"`
	Meta       map[string]any `json:"meta,omitempty"`
	Args       [][]any        `json:"args,omitempty"`
	Results    []any          `json:"results,omitempty"`
	Errors     []string       `json:"errors,omitempty"`
	Error      string         `json:"error,omitempty"`

	// Logs.
	Level string `json:"level,omitempty"`
	Msg   string `json:"msg,omitempty"`
}

// Decode parses one frame. Numbers become int64 when they are integers
// that fit, float64 otherwise, at any depth.
func Decode(line []byte) (*Message, error) {
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	var m Message
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode frame: %w", err)
	}
	if m.Type == "" {
		return nil, errors.New("decode frame: no type")
	}
	m.Props = Plain(m.Props).(map[string]any)
	m.Data = Plain(m.Data)
	if m.Meta != nil {
		m.Meta = Plain(m.Meta).(map[string]any)
	}
	for i, a := range m.Args {
		m.Args[i] = Plain(a).([]any)
	}
	for i, r := range m.Results {
		m.Results[i] = Plain(r)
	}
	return &m, nil
}

// Plain replaces the json.Numbers in v by int64 or float64.
func Plain(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		for k, e := range t {
			t[k] = Plain(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = Plain(e)
		}
		return t
	}
	return v
}

// Encode appends the frame of m and a newline to buf.
func Encode(buf []byte, m *Message) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return buf, fmt.Errorf("encode %s frame: %w", m.Type, err)
	}
	if len(b) > MaxLineBytes {
		return buf, fmt.Errorf("encode %s frame: %d bytes exceed the %d-byte limit", m.Type, len(b), MaxLineBytes)
	}
	buf = append(buf, b...)
	return append(buf, '\n'), nil
}

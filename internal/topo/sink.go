package topo

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"text/template"
	"time"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/value"
	"github.com/kuiperio/kuiper/sdk/api"
)

// Action is one entry of a rule's "actions": a sink type and its
// properties.
type Action struct {
	Type  string
	Props map[string]any
	// Sink, when set, is used instead of a sink made from the registry
	// (the CLI's query uses it to stream results back).
	Sink api.Sink
}

// WithDefaults returns the action's properties over the defaults of its
// sink type.
func WithDefaults(defaults map[string]map[string]any, a Action) map[string]any {
	d := defaults[a.Type]
	if d == nil {
		return a.Props
	}
	return connector.Merge(d, a.Props)
}

// CheckActions verifies that every action names a known sink whose
// properties configure, without opening anything.
func CheckActions(env *connector.Env, defaults map[string]map[string]any, actions []Action) error {
	for i, a := range actions {
		a.Props = WithDefaults(defaults, a)
		if a.Sink != nil {
			continue
		}
		f, _, ok := env.Sink(a.Type)
		if !ok {
			return fmt.Errorf("action %d: unknown sink type %q", i, a.Type)
		}
		if _, err := parseSinkOptions(a.Props); err != nil {
			return fmt.Errorf("action %d (%s): %w", i, a.Type, err)
		}
		if err := f().Configure(a.Props); err != nil {
			return fmt.Errorf("action %d (%s): %w", i, a.Type, err)
		}
	}
	return nil
}

// TopicCollector is implemented by sinks that take rows (not bytes) and a
// per-result topic, such as the memory sink with a templated topic.
type TopicCollector interface {
	CollectTopic(ctx api.StreamContext, topic string, data any) error
}

// sinkOptions are the host-side properties every sink accepts.
type sinkOptions struct {
	sendSingle    bool
	omitIfEmpty   bool
	fields        []string
	excludeFields map[string]bool
	dataField     string
	bufferLength  int
	format        string
	template      *template.Template
	dynamic       map[string]*template.Template
}

type sinkNode struct {
	typ     string
	index   int
	sink    api.Sink
	bytes   api.BytesSink
	topics  TopicCollector
	opts    sinkOptions
	ctx     *connector.Context
	in      chan []*value.Object
	logger  *slog.Logger // host-side logs, with the rule
	base    *slog.Logger // for the sink's context, which adds the rule itself
	now     func() time.Time
	open    atomic.Bool
	done    chan struct{}
	errLast int64

	transform *Metrics
	encode    *Metrics
	metrics   *Metrics

	buf bytes.Buffer
}

var templateFuncs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"base64": func(v any) string {
		switch t := v.(type) {
		case []byte:
			return base64.StdEncoding.EncodeToString(t)
		case string:
			return base64.StdEncoding.EncodeToString([]byte(t))
		}
		return base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(v)))
	},
}

func parseSinkOptions(props map[string]any) (sinkOptions, error) {
	o := sinkOptions{bufferLength: 1024, format: "json"}
	for k, v := range props {
		var err error
		switch k {
		case "sendSingle":
			o.sendSingle, err = propBool(k, v)
		case "omitIfEmpty":
			o.omitIfEmpty, err = propBool(k, v)
		case "fields":
			o.fields, err = propStrings(k, v)
		case "excludeFields":
			var ex []string
			ex, err = propStrings(k, v)
			if len(ex) > 0 {
				o.excludeFields = map[string]bool{}
				for _, f := range ex {
					o.excludeFields[f] = true
				}
			}
		case "dataField":
			o.dataField, err = propString(k, v)
		case "bufferLength":
			var n int
			n, err = propInt(k, v)
			if err == nil && n > 0 {
				o.bufferLength = n
			}
		case "format":
			o.format, err = propString(k, v)
			o.format = strings.ToLower(o.format)
			if err == nil && o.format != "json" {
				err = fmt.Errorf("property format: unsupported sink format %q (supported: json)", o.format)
			}
		case "dataTemplate":
			var s string
			if s, err = propString(k, v); err == nil && s != "" {
				o.template, err = template.New("dataTemplate").Funcs(templateFuncs).Parse(s)
				if err != nil {
					err = fmt.Errorf("property dataTemplate: %w", err)
				}
			}
		default:
			if s, ok := v.(string); ok && strings.Contains(s, "{{") {
				t, terr := template.New(k).Funcs(templateFuncs).Parse(s)
				if terr != nil {
					err = fmt.Errorf("property %s: %w", k, terr)
				} else {
					if o.dynamic == nil {
						o.dynamic = map[string]*template.Template{}
					}
					o.dynamic[k] = t
				}
			}
		}
		if err != nil {
			return o, err
		}
	}
	return o, nil
}

func propBool(k string, v any) (bool, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		switch strings.ToLower(t) {
		case "true":
			return true, nil
		case "false", "":
			return false, nil
		}
	}
	return false, fmt.Errorf("property %s: expected a boolean, got %v", k, v)
}

func propString(k string, v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("property %s: expected a string, got %v", k, v)
}

func propInt(k string, v any) (int, error) {
	switch t := v.(type) {
	case float64:
		if t == float64(int(t)) {
			return int(t), nil
		}
	case int:
		return t, nil
	case int64:
		return int(t), nil
	}
	return 0, fmt.Errorf("property %s: expected an integer, got %v", k, v)
}

func propStrings(k string, v any) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("property %s: expected a list of strings, got %v", k, v)
			}
			out = append(out, s)
		}
		return out, nil
	case []string:
		return t, nil
	}
	return nil, fmt.Errorf("property %s: expected a list of strings, got %v", k, v)
}

// newSinkNode creates and configures a sink; it is opened by run.
func newSinkNode(env *connector.Env, a Action, index int, ruleID string, logger *slog.Logger, now func() time.Time) (*sinkNode, error) {
	opts, err := parseSinkOptions(a.Props)
	if err != nil {
		return nil, fmt.Errorf("action %d (%s): %w", index, a.Type, err)
	}
	s := a.Sink
	if s == nil {
		f, _, ok := env.Sink(a.Type)
		if !ok {
			return nil, fmt.Errorf("unknown sink type %q", a.Type)
		}
		s = f()
	}
	if err := s.Configure(a.Props); err != nil {
		return nil, fmt.Errorf("action %d (%s): %w", index, a.Type, err)
	}
	n := &sinkNode{typ: a.Type, index: index, sink: s, opts: opts, base: logger, logger: logger.With("rule", ruleID), now: now, done: make(chan struct{})}
	n.bytes, _ = s.(api.BytesSink)
	n.topics, _ = s.(TopicCollector)
	prefix := fmt.Sprintf("%s_%d", a.Type, index)
	n.transform = &Metrics{Prefix: "op_" + prefix + "_0_transform_0"}
	n.encode = &Metrics{Prefix: "op_" + prefix + "_1_encode_0"}
	n.metrics = &Metrics{Prefix: "sink_" + prefix + "_0"}
	n.in = make(chan []*value.Object, opts.bufferLength)
	n.metrics.BufferLen = func() int { return len(n.in) }
	if r, ok := s.(connector.StatusReporter); ok {
		n.metrics.Conn = r.ConnectionStatus
	}
	return n, nil
}

// run opens the sink and consumes results until in is closed.
func (n *sinkNode) run(parent context.Context, ruleID string) {
	defer close(n.done)
	n.ctx = connector.NewContext(parent, ruleID, n.metrics.Prefix, 0, n.base.With("sink", n.typ))
	if err := n.sink.Open(n.ctx); err != nil {
		n.metrics.Exception(fmt.Errorf("open sink: %w", err), n.now())
		n.logger.Error("open sink", "sink", n.typ, "error", err)
	} else {
		n.open.Store(true)
	}
	for batch := range n.in {
		n.safeHandle(batch)
	}
	// Close with a fresh context: the rule's is already done.
	closeCtx := connector.NewContext(context.Background(), ruleID, n.metrics.Prefix, 0, n.base.With("sink", n.typ))
	if err := n.sink.Close(closeCtx); err != nil {
		n.logger.Warn("close sink", "sink", n.typ, "error", err)
	}
}

// safeHandle is handle with a panic in the sink (or its encoding) turned
// into a counted exception, so one bad result cannot take the server down.
func (n *sinkNode) safeHandle(rows []*value.Object) {
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("sink panicked: %v", r)
			n.metrics.Exception(err, n.now())
			n.logger.Error("sink panicked", "sink", n.typ, "panic", r)
		}
	}()
	n.handle(rows)
}

func (n *sinkNode) handle(rows []*value.Object) {
	start := n.now()
	ms := start.UnixMilli()
	n.transform.RecordsIn.Add(1)
	n.transform.LastInvoke.Store(ms)
	rows = n.transformRows(rows)
	if n.opts.omitIfEmpty && (len(rows) == 0 || (len(rows) == 1 && rows[0].Len() == 0)) {
		n.transform.Processed.Add(1)
		return
	}
	n.transform.RecordsOut.Add(1)
	n.transform.Processed.Add(1)
	if n.opts.sendSingle {
		for _, r := range rows {
			n.emit([]*value.Object{r}, true, start)
		}
		return
	}
	n.emit(rows, false, start)
}

// transformRows applies fields/excludeFields/dataField.
func (n *sinkNode) transformRows(rows []*value.Object) []*value.Object {
	o := &n.opts
	if o.fields == nil && o.excludeFields == nil && o.dataField == "" {
		return rows
	}
	out := make([]*value.Object, 0, len(rows))
	for _, r := range rows {
		if o.dataField != "" {
			v := r.Get(o.dataField)
			switch v.Kind() {
			case value.Obj:
				r = v.Object()
			case value.Array:
				for _, e := range v.Array() {
					if e.Kind() == value.Obj {
						out = append(out, e.Object())
					}
				}
				continue
			default:
				continue
			}
		}
		if o.fields != nil {
			p := value.NewObject(len(o.fields))
			for _, f := range o.fields {
				if v := r.Get(f); !v.IsMissing() {
					p.Append(f, v)
				}
			}
			r = p
		}
		if o.excludeFields != nil {
			p := value.NewObject(r.Len())
			for i, k := range r.Keys {
				if !o.excludeFields[k] {
					p.Append(k, r.Vals[i])
				}
			}
			r = p
		}
		out = append(out, r)
	}
	return out
}

// emit encodes one message (a row, or the result as an array) and hands it
// to the connector.
func (n *sinkNode) emit(rows []*value.Object, single bool, start time.Time) {
	n.encode.RecordsIn.Add(1)
	n.encode.LastInvoke.Store(start.UnixMilli())
	var data any // map or []map, for templates and row sinks
	needData := n.opts.template != nil || n.opts.dynamic != nil || n.bytes == nil
	if needData {
		if single {
			data = rows[0].ToMap()
		} else {
			list := make([]any, len(rows))
			for i, r := range rows {
				list[i] = r.ToMap()
			}
			data = list
		}
	}
	var dynamic map[string]string
	if n.opts.dynamic != nil {
		dynamic = make(map[string]string, len(n.opts.dynamic))
		tdata := data
		if list, ok := data.([]any); ok && len(list) > 0 {
			tdata = list[0]
		}
		for k, t := range n.opts.dynamic {
			n.buf.Reset()
			if err := t.Execute(&n.buf, tdata); err != nil {
				n.encode.Exception(fmt.Errorf("render property %s: %w", k, err), n.now())
				return
			}
			dynamic[k] = n.buf.String()
		}
	}
	var payload []byte
	if n.bytes != nil || n.opts.template != nil {
		n.buf.Reset()
		if n.opts.template != nil {
			if err := n.opts.template.Execute(&n.buf, data); err != nil {
				n.encode.Exception(fmt.Errorf("dataTemplate: %w", err), n.now())
				return
			}
			payload = append([]byte(nil), n.buf.Bytes()...)
		} else if single {
			payload = rows[0].AppendJSON(nil, value.SortKeys)
		} else {
			payload = append(payload, '[')
			for i, r := range rows {
				if i > 0 {
					payload = append(payload, ',')
				}
				payload = r.AppendJSON(payload, value.SortKeys)
			}
			payload = append(payload, ']')
		}
	}
	n.encode.RecordsOut.Add(1)
	n.encode.Processed.Add(1)

	m := n.metrics
	m.RecordsIn.Add(1)
	m.LastInvoke.Store(start.UnixMilli())
	var err error
	switch {
	case n.bytes != nil:
		err = n.bytes.CollectBytes(n.ctx, payload, dynamic)
	case n.topics != nil && dynamic["topic"] != "":
		err = n.topics.CollectTopic(n.ctx, dynamic["topic"], n.rowData(data, payload))
	default:
		err = n.sink.Collect(n.ctx, n.rowData(data, payload))
	}
	m.Processed.Add(1)
	if err != nil {
		m.Exception(err, n.now())
		if ms := n.now().UnixMilli(); ms-n.errLast >= 1000 {
			n.errLast = ms
			n.logger.Warn("sink failed", "sink", n.typ, "error", err)
		}
		return
	}
	m.RecordsOut.Add(1)
	m.LatencyUs.Store(n.now().Sub(start).Microseconds())
}

// rowData is what a row sink receives: the rendered template when there is
// one, otherwise the rows as maps.
func (n *sinkNode) rowData(data any, payload []byte) any {
	if n.opts.template != nil {
		return payload
	}
	return data
}

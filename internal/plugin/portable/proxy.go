package portable

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/sdk/api"
	"github.com/kuiperio/kuiper/sdk/portable"
)

// addInstance records a live instance; it is opened in the current
// process (if any) by the caller and in every restarted one by reopen.
func (p *Plugin) addInstance(open portable.Message, source bool) *instance {
	in := &instance{id: p.m.ids.Add(1), open: open}
	in.open.ID = in.id
	if source {
		in.data = make(chan dataFrame, p.m.o.SourceBuffer)
	}
	p.mu.Lock()
	p.instances[in.id] = in
	p.mu.Unlock()
	return in
}

func (p *Plugin) removeInstance(in *instance) error {
	p.mu.Lock()
	delete(p.instances, in.id)
	p.mu.Unlock()
	c, err := p.current()
	if err != nil {
		return nil // nothing to close in a process that is gone
	}
	return p.ack(c, &portable.Message{Type: portable.TypeClose, Instance: in.id})
}

// source is the host side of a portable source instance.
type source struct {
	p          *Plugin
	symbol     string
	datasource string
	props      map[string]any
	status     connector.StatusTracker
}

var _ api.BytesSource = (*source)(nil)

func (s *source) Configure(datasource string, props map[string]any) error {
	s.datasource, s.props = datasource, props
	return nil
}

// Open is not used: the host calls OpenBytes (source implements
// api.BytesSource). It decodes the messages itself for callers that do
// not know bytes sources.
func (s *source) Open(ctx api.StreamContext, consume api.ConsumeFunc) {
	s.OpenBytes(ctx, func(m api.RawMessage) {
		var msg map[string]any
		d := json.NewDecoder(bytes.NewReader(m.Payload))
		d.UseNumber()
		if err := d.Decode(&msg); err != nil || msg == nil {
			ctx.Logger().Warn("portable source sent a message that is not an object", "source", s.symbol)
			return
		}
		var meta map[string]any
		if mm, ok := m.Meta.(api.MapMetadata); ok {
			meta = mm
		}
		consume(portable.Plain(msg).(map[string]any), meta)
	})
}

// OpenBytes opens the instance in the plugin and hands its messages, as
// the JSON the plugin wrote, to the stream's decoder until ctx is done
// (streams over portable sources use FORMAT json). After a crash the
// instance is opened again in the new process; meanwhile the stream
// receives nothing and reports itself disconnected.
func (s *source) OpenBytes(ctx api.StreamContext, consume api.BytesConsumeFunc) {
	in := s.p.addInstance(portable.Message{Type: portable.TypeOpen, Kind: portable.KindSource, Symbol: s.symbol,
		Rule: ctx.RuleID(), Op: ctx.OpID(), Datasource: s.datasource, Props: s.props}, true)
	defer func() {
		if err := s.p.removeInstance(in); err != nil {
			ctx.Logger().Warn("close portable source", "error", err)
		}
	}()
	if c, err := s.p.current(); err == nil {
		open := in.open
		if err := s.p.ack(c, &open); err != nil {
			ctx.Logger().Error("open portable source", "plugin", s.p.man.Name, "source", s.symbol, "error", err)
			return
		}
	} else {
		ctx.Logger().Warn("portable source waits for its plugin", "plugin", s.p.man.Name, "error", err)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-in.data:
			m := api.RawMessage{Payload: d.Data, Topic: s.datasource}
			if d.Meta != nil {
				m.Meta = api.MapMetadata(portable.Plain(d.Meta).(map[string]any))
				if t, ok := d.Meta["topic"].(string); ok {
					m.Topic = t
				}
			}
			consume(m)
		}
	}
}

func (s *source) Close(api.StreamContext) error { return nil }

// ConnectionStatus reports the plugin process as the source's connection.
func (s *source) ConnectionStatus() connector.Status {
	st := s.p.Status()
	state := connector.StateDisconnected
	switch st.Status {
	case StatusRunning:
		state = connector.StateConnected
	case StatusStarting:
		state = connector.StateConnecting
	}
	return connector.Status{State: state, LastDisconnectedMessage: st.ErrMsg}
}

// sink is the host side of a portable sink instance.
type sink struct {
	p      *Plugin
	symbol string
	props  map[string]any
	in     *instance
}

var _ api.Sink = (*sink)(nil)

func (s *sink) Configure(props map[string]any) error {
	s.props = props
	return nil
}

func (s *sink) Open(ctx api.StreamContext) error {
	s.in = s.p.addInstance(portable.Message{Type: portable.TypeOpen, Kind: portable.KindSink, Symbol: s.symbol,
		Rule: ctx.RuleID(), Op: ctx.OpID(), Props: s.props}, false)
	c, err := s.p.current()
	if err != nil {
		return err // reopened when the plugin runs again
	}
	open := s.in.open
	if err := s.p.ack(c, &open); err != nil {
		_ = s.p.removeInstance(s.in)
		s.in = nil
		return fmt.Errorf("open portable sink %s: %w", s.symbol, err)
	}
	return nil
}

// Collect sends the result and waits for the plugin's answer, so a
// failure is counted as the sink's exception.
func (s *sink) Collect(ctx api.StreamContext, data any) error {
	if s.in == nil {
		return errors.New("portable sink is not open")
	}
	c, err := s.p.current()
	if err != nil {
		return err
	}
	return s.p.ack(c, &portable.Message{Type: portable.TypeCollect, Instance: s.in.id, Data: data})
}

func (s *sink) Close(api.StreamContext) error {
	if s.in == nil {
		return nil
	}
	err := s.p.removeInstance(s.in)
	s.in = nil
	return err
}

// remoteFunc is the host side of a portable function; it is shared by every
// call site.
type remoteFunc struct {
	p         *Plugin
	symbol    string
	aggregate bool
}

var _ api.Function = (*remoteFunc)(nil)

func (f *remoteFunc) Validate(args []any) error {
	c, err := f.p.current()
	if err != nil {
		return nil // checked again at run time
	}
	return f.p.ack(c, &portable.Message{Type: portable.TypeValidate, Symbol: f.symbol, Args: [][]any{args}})
}

func (f *remoteFunc) Exec(args []any, ctx api.FunctionContext) (any, bool) {
	res, errs, err := f.p.Call(context.Background(), f.symbol, ctx.RuleID(), [][]any{args})
	if err != nil {
		return err, false
	}
	if len(errs) > 0 && errs[0] != "" {
		return errors.New(errs[0]), false
	}
	return res[0], true
}

func (f *remoteFunc) IsAggregate() bool { return f.aggregate }

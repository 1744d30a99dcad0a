package portable

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kuiperio/kuiper/sdk/api"
)

// Plugin is what a portable plugin provides. Constructors make one
// instance per stream or rule action; functions are shared, so they must
// be safe for concurrent use.
type Plugin struct {
	// Name must match the manifest's name.
	Name string
	// Version is the plugin's own version, reported to the host.
	Version   string
	Sources   map[string]func() api.Source
	Sinks     map[string]func() api.Sink
	Functions map[string]api.Function
}

// Serve runs the plugin over standard input and output until the host
// closes input or asks it to shut down. Logs written through the
// contexts' loggers go to standard error, which the host re-logs.
//
// Standard output carries the protocol, so Serve points os.Stdout at
// standard error: a stray fmt.Println in plugin code ends up in the logs
// instead of breaking the protocol.
func Serve(p Plugin) error {
	out := os.Stdout
	os.Stdout = os.Stderr
	return ServeIO(p, os.Stdin, out, os.Stderr)
}

// ServeIO is Serve over the given streams (tests use pipes).
func ServeIO(p Plugin, in io.Reader, out, errOut io.Writer) error {
	s := &server{
		p:         p,
		out:       bufio.NewWriterSize(out, 64<<10),
		logger:    slog.New(slog.NewTextHandler(errOut, &slog.HandlerOptions{Level: slog.LevelDebug})),
		instances: map[uint64]*instance{},
		flush:     make(chan struct{}, 1),
		fdone:     make(chan struct{}),
	}
	go s.flusher()
	defer func() {
		s.closeAll()
		close(s.flush)
		<-s.fdone
	}()
	r := bufio.NewReaderSize(in, 64<<10)
	first := true
	for {
		line, err := readLine(r)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		m, err := Decode(line)
		if err != nil {
			return err
		}
		if first {
			if m.Type != TypeHello {
				return fmt.Errorf("expected a hello frame first, got %q", m.Type)
			}
			first = false
			if err := s.hello(m); err != nil {
				return err
			}
			continue
		}
		if m.Type == TypeShutdown {
			return nil
		}
		s.handle(m)
	}
}

// readLine reads one frame, refusing lines longer than MaxLineBytes.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > MaxLineBytes {
			return nil, fmt.Errorf("frame longer than %d bytes", MaxLineBytes)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(line) > 0 {
			return line, nil
		}
		return line, err
	}
}

type server struct {
	p      Plugin
	logger *slog.Logger

	// Answers are written and flushed at once. Source data is written
	// to the buffer and flushed by the flusher goroutine, so the messages
	// of a busy source share write calls.
	wmu   sync.Mutex
	out   *bufio.Writer
	flush chan struct{}
	fdone chan struct{}

	mu        sync.Mutex
	instances map[uint64]*instance
}

type instance struct {
	source api.Source
	sink   api.Sink
	ctx    *streamContext
	cancel context.CancelFunc
	done   chan struct{}
}

// send writes one frame; safe for concurrent use.
func (s *server) send(m *Message) {
	b, err := Encode(nil, m)
	if err != nil {
		s.logger.Error("drop frame", "error", err)
		if m.ID == 0 {
			return
		}
		// Answer requests anyway so the host does not wait.
		b, _ = Encode(nil, &Message{Type: TypeAck, ID: m.ID, Error: err.Error()})
	}
	s.wmu.Lock()
	_, _ = s.out.Write(b)
	if m.Type != TypeData {
		_ = s.out.Flush()
		s.wmu.Unlock()
		return
	}
	s.wmu.Unlock()
	select {
	case s.flush <- struct{}{}:
	default: // a flush is already due
	}
}

func (s *server) flusher() {
	defer close(s.fdone)
	for range s.flush {
		s.wmu.Lock()
		_ = s.out.Flush()
		s.wmu.Unlock()
	}
	s.wmu.Lock()
	_ = s.out.Flush()
	s.wmu.Unlock()
}

func (s *server) hello(m *Message) error {
	if !slices.Contains(m.Versions, ProtocolVersion) {
		s.send(&Message{Type: TypeHello, Error: fmt.Sprintf("the plugin speaks protocol %d, the host %v", ProtocolVersion, m.Versions)})
		return fmt.Errorf("no common protocol version (host %v, plugin %d)", m.Versions, ProtocolVersion)
	}
	h := &Message{Type: TypeHello, Version: ProtocolVersion, Name: s.p.Name, Plugin: s.p.Version}
	for n := range s.p.Sources {
		h.Sources = append(h.Sources, n)
	}
	for n := range s.p.Sinks {
		h.Sinks = append(h.Sinks, n)
	}
	for n, f := range s.p.Functions {
		agg := false
		_ = guard(func() error { agg = f.IsAggregate(); return nil })
		h.Functions = append(h.Functions, FunctionInfo{Name: n, Aggregate: agg})
	}
	slices.Sort(h.Sources)
	slices.Sort(h.Sinks)
	slices.SortFunc(h.Functions, func(a, b FunctionInfo) int { return strings.Compare(a.Name, b.Name) })
	s.send(h)
	return nil
}

// guard turns a panic of plugin code into an error, so one bad call does
// not kill the process.
func guard(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (s *server) handle(m *Message) {
	switch m.Type {
	case TypePing:
		s.send(&Message{Type: TypeAck, ID: m.ID})
	case TypeOpen:
		s.send(&Message{Type: TypeAck, ID: m.ID, Error: errString(s.open(m))})
	case TypeClose:
		s.send(&Message{Type: TypeAck, ID: m.ID, Error: errString(s.close(m.Instance))})
	case TypeCollect:
		s.mu.Lock()
		in := s.instances[m.Instance]
		s.mu.Unlock()
		var err error
		if in == nil || in.sink == nil {
			err = fmt.Errorf("no sink instance %d", m.Instance)
		} else {
			err = guard(func() error { return in.sink.Collect(in.ctx, m.Data) })
		}
		s.send(&Message{Type: TypeAck, ID: m.ID, Error: errString(err)})
	case TypeValidate:
		f, ok := s.p.Functions[m.Symbol]
		var err error
		if !ok {
			err = fmt.Errorf("no function %s", m.Symbol)
		} else {
			var args []any
			if len(m.Args) > 0 {
				args = m.Args[0]
			}
			err = guard(func() error { return f.Validate(args) })
		}
		s.send(&Message{Type: TypeAck, ID: m.ID, Error: errString(err)})
	case TypeCall:
		s.call(m)
	default:
		if m.ID != 0 {
			s.send(&Message{Type: TypeAck, ID: m.ID, Error: fmt.Sprintf("unknown frame type %q", m.Type)})
		}
	}
}

func (s *server) call(m *Message) {
	res := &Message{Type: TypeResult, ID: m.ID, Results: make([]any, len(m.Args))}
	f, ok := s.p.Functions[m.Symbol]
	setErr := func(i int, msg string) {
		if res.Errors == nil {
			res.Errors = make([]string, len(m.Args))
		}
		res.Errors[i] = msg
	}
	ctx := newContext(context.Background(), s, m.Rule, m.Op, 0)
	for i, args := range m.Args {
		if !ok {
			setErr(i, "no function "+m.Symbol)
			continue
		}
		var v any
		var good bool
		err := guard(func() error { v, good = f.Exec(args, ctx); return nil })
		switch {
		case err != nil:
			setErr(i, err.Error())
		case !good:
			if e, isErr := v.(error); isErr {
				setErr(i, e.Error())
			} else {
				setErr(i, fmt.Sprint(v))
			}
		default:
			res.Results[i] = v
		}
	}
	s.send(res)
}

func (s *server) open(m *Message) error {
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{cancel: cancel, done: make(chan struct{}), ctx: newContext(ctx, s, m.Rule, m.Op, m.ID)}
	switch m.Kind {
	case KindSource:
		mk, ok := s.p.Sources[m.Symbol]
		if !ok {
			cancel()
			return fmt.Errorf("no source %s", m.Symbol)
		}
		var src api.Source
		if err := guard(func() error { src = mk(); return src.Configure(m.Datasource, m.Props) }); err != nil {
			cancel()
			return err
		}
		in.source = src
		id := m.ID
		go func() {
			defer close(in.done)
			err := guard(func() error {
				src.Open(in.ctx, func(msg, meta map[string]any) {
					s.send(&Message{Type: TypeData, Instance: id, Data: msg, Meta: meta})
				})
				return nil
			})
			if err != nil {
				in.ctx.Logger().Error("source failed", "error", err)
			}
		}()
	case KindSink:
		mk, ok := s.p.Sinks[m.Symbol]
		if !ok {
			cancel()
			return fmt.Errorf("no sink %s", m.Symbol)
		}
		var snk api.Sink
		if err := guard(func() error {
			snk = mk()
			if err := snk.Configure(m.Props); err != nil {
				return err
			}
			return snk.Open(in.ctx)
		}); err != nil {
			cancel()
			return err
		}
		in.sink = snk
		close(in.done)
	default:
		cancel()
		return fmt.Errorf("unknown instance kind %q", m.Kind)
	}
	s.mu.Lock()
	s.instances[m.ID] = in
	s.mu.Unlock()
	return nil
}

func (s *server) close(id uint64) error {
	s.mu.Lock()
	in := s.instances[id]
	delete(s.instances, id)
	s.mu.Unlock()
	if in == nil {
		return nil
	}
	in.cancel()
	var err error
	if in.source != nil {
		err = guard(func() error { return in.source.Close(in.ctx) })
		<-in.done
	}
	if in.sink != nil {
		err = guard(func() error { return in.sink.Close(in.ctx) })
	}
	return err
}

func (s *server) closeAll() {
	s.mu.Lock()
	ids := make([]uint64, 0, len(s.instances))
	for id := range s.instances {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	for _, id := range ids {
		_ = s.close(id)
	}
}

// streamContext implements api.FunctionContext for plugin code; its state
// lives in the process (portable plugins have no checkpointed state).
type streamContext struct {
	context.Context
	rule, op string
	instance uint64
	logger   *slog.Logger
	mu       sync.Mutex
	state    map[string]any
}

func newContext(parent context.Context, s *server, rule, op string, instance uint64) *streamContext {
	l := s.logger
	if rule != "" {
		l = l.With("rule", rule)
	}
	if instance != 0 {
		l = l.With("instance", strconv.FormatUint(instance, 10))
	}
	return &streamContext{Context: parent, rule: rule, op: op, instance: instance, logger: l}
}

func (c *streamContext) RuleID() string       { return c.rule }
func (c *streamContext) OpID() string         { return c.op }
func (c *streamContext) InstanceID() int      { return int(c.instance) }
func (c *streamContext) Logger() *slog.Logger { return c.logger }
func (c *streamContext) FuncID() int          { return 0 }

func (c *streamContext) PutState(key string, value any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == nil {
		c.state = map[string]any{}
	}
	c.state[key] = value
	return nil
}

func (c *streamContext) GetState(key string) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state[key], nil
}

func (c *streamContext) DeleteState(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.state, key)
	return nil
}

var _ api.FunctionContext = (*streamContext)(nil)

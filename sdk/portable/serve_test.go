package portable_test

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kuiperio/kuiper/sdk/api"
	"github.com/kuiperio/kuiper/sdk/portable"
)

type ticker struct{ n int64 }

func (t *ticker) Configure(_ string, props map[string]any) error {
	t.n, _ = props["n"].(int64)
	return nil
}

func (t *ticker) Open(ctx api.StreamContext, consume api.ConsumeFunc) {
	for i := int64(1); i <= t.n; i++ {
		consume(map[string]any{"i": i}, nil)
	}
	<-ctx.Done()
}

func (t *ticker) Close(api.StreamContext) error { return nil }

type memSink struct{ got *[]any }

func (m memSink) Configure(props map[string]any) error {
	if props["fail"] == true {
		return errors.New("configured to fail")
	}
	return nil
}
func (m memSink) Open(api.StreamContext) error { return nil }
func (m memSink) Collect(_ api.StreamContext, data any) error {
	if s, ok := data.(string); ok && s == "boom" {
		panic("boom")
	}
	*m.got = append(*m.got, data)
	return nil
}
func (m memSink) Close(api.StreamContext) error { return nil }

type inc struct{}

func (inc) Validate(args []any) error {
	if len(args) != 1 {
		return errors.New("inc expects 1 argument")
	}
	return nil
}
func (inc) Exec(args []any, _ api.FunctionContext) (any, bool) {
	n, ok := args[0].(int64)
	if !ok {
		return errors.New("not an integer"), false
	}
	return n + 1, true
}
func (inc) IsAggregate() bool { return false }

// host drives ServeIO over pipes as kuiperd would.
type host struct {
	t   *testing.T
	in  *io.PipeWriter
	out *bufio.Reader
	err chan error
}

func newHost(t *testing.T, p portable.Plugin) *host {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	h := &host{t: t, in: inW, out: bufio.NewReader(outR), err: make(chan error, 1)}
	go func() {
		err := portable.ServeIO(p, inR, outW, io.Discard)
		outW.Close()
		h.err <- err
	}()
	return h
}

func (h *host) send(line string) {
	h.t.Helper()
	if _, err := io.WriteString(h.in, line+"\n"); err != nil {
		h.t.Fatal(err)
	}
}

func (h *host) recv() *portable.Message {
	h.t.Helper()
	line, err := h.out.ReadBytes('\n')
	if err != nil {
		h.t.Fatal(err)
	}
	m, err := portable.Decode(line)
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

func TestServe_Protocol(t *testing.T) {
	var got []any
	h := newHost(t, portable.Plugin{
		Name: "test", Version: "0.1",
		Sources:   map[string]func() api.Source{"tick": func() api.Source { return &ticker{} }},
		Sinks:     map[string]func() api.Sink{"mem": func() api.Sink { return memSink{&got} }},
		Functions: map[string]api.Function{"inc": inc{}},
	})
	h.send(`{"type":"hello","versions":[1]}`)
	hello := h.recv()
	if hello.Version != 1 || hello.Name != "test" || strings.Join(hello.Sources, ",") != "tick" || len(hello.Functions) != 1 {
		t.Fatalf("hello: %+v", hello)
	}

	h.send(`{"type":"call","id":2,"symbol":"inc","args":[[1],[2.5],[41]]}`)
	r := h.recv()
	if r.Type != "result" || r.ID != 2 || r.Results[0] != int64(2) || r.Errors[1] != "not an integer" || r.Results[2] != int64(42) {
		t.Fatalf("call: %+v", r)
	}
	h.send(`{"type":"validate","id":3,"symbol":"inc","args":[[1,2]]}`)
	if r := h.recv(); r.Error != "inc expects 1 argument" {
		t.Fatalf("validate: %+v", r)
	}

	h.send(`{"type":"open","id":4,"kind":"sink","symbol":"mem","props":{}}`)
	if r := h.recv(); r.Type != "ack" || r.ID != 4 || r.Error != "" {
		t.Fatalf("open sink: %+v", r)
	}
	h.send(`{"type":"collect","id":5,"instance":4,"data":{"a":1}}`)
	if r := h.recv(); r.ID != 5 || r.Error != "" {
		t.Fatalf("collect: %+v", r)
	}
	h.send(`{"type":"collect","id":6,"instance":4,"data":"boom"}`)
	if r := h.recv(); r.ID != 6 || r.Error != "panic: boom" {
		t.Fatalf("collect panic: %+v", r)
	}
	h.send(`{"type":"open","id":7,"kind":"sink","symbol":"mem","props":{"fail":true}}`)
	if r := h.recv(); r.Error != "configured to fail" {
		t.Fatalf("open failing sink: %+v", r)
	}

	h.send(`{"type":"open","id":8,"kind":"source","symbol":"tick","props":{"n":2}}`)
	var data []*portable.Message
	for len(data) < 2 {
		m := h.recv()
		switch m.Type {
		case "data":
			data = append(data, m)
		case "ack":
			if m.ID != 8 || m.Error != "" {
				t.Fatalf("open source: %+v", m)
			}
		default:
			t.Fatalf("unexpected %+v", m)
		}
	}
	if data[1].Instance != 8 || data[1].Data.(map[string]any)["i"] != int64(2) {
		t.Fatalf("data: %+v", data[1])
	}
	h.send(`{"type":"close","id":9,"instance":8}`)
	for {
		if m := h.recv(); m.Type == "ack" && m.ID == 9 {
			break
		}
	}
	h.send(`{"type":"ping","id":10}`)
	if r := h.recv(); r.ID != 10 {
		t.Fatalf("ping: %+v", r)
	}
	h.send(`{"type":"shutdown"}`)
	select {
	case err := <-h.err:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ServeIO did not return after shutdown")
	}
	if len(got) != 1 {
		t.Fatalf("sink got %v", got)
	}
}

func TestServe_NoCommonVersion(t *testing.T) {
	h := newHost(t, portable.Plugin{Name: "test"})
	h.send(`{"type":"hello","versions":[99]}`)
	if r := h.recv(); r.Error == "" {
		t.Fatalf("hello: %+v", r)
	}
	if err := <-h.err; err == nil || !strings.Contains(err.Error(), "no common protocol version") {
		t.Fatalf("err = %v", err)
	}
}

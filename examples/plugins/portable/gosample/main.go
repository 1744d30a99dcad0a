// Command gosample is an example portable plugin written in Go: it runs
// as its own process, so it needs neither the server's Go version nor its
// package versions. It provides
//
//   - the source gocounter, emitting {"n": 1}, {"n": 2}... every interval
//     (props: interval in milliseconds, default 1000, 0 for as fast as
//     possible; limit, 0 for none);
//   - the sink gofile, appending each result row to a file as a JSON line
//     (props: path);
//   - the scalar function double(x) and the aggregate function sumall(x).
//
// Build and install it by hand:
//
//	mkdir -p plugins/portable/gosample
//	go build -o plugins/portable/gosample/gosample ./examples/plugins/portable/gosample
//	cp examples/plugins/portable/gosample/gosample.json plugins/portable/gosample/
//
// or zip the executable and gosample.json and POST it to /plugins/portables.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/kuiperio/kuiper/sdk/api"
	"github.com/kuiperio/kuiper/sdk/portable"
)

func main() {
	err := portable.Serve(portable.Plugin{
		Name:    "gosample",
		Version: "1.0.0",
		Sources: map[string]func() api.Source{"gocounter": func() api.Source { return &counter{} }},
		Sinks:   map[string]func() api.Sink{"gofile": func() api.Sink { return &fileSink{} }},
		Functions: map[string]api.Function{
			"double": double{},
			"sumall": sumAll{},
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gosample:", err)
		os.Exit(1)
	}
}

type counter struct {
	interval time.Duration
	limit    int64
}

func (c *counter) Configure(_ string, props map[string]any) error {
	c.interval = time.Second
	if v, ok := props["interval"].(int64); ok && v >= 0 {
		c.interval = time.Duration(v) * time.Millisecond
	}
	if v, ok := props["limit"].(int64); ok {
		c.limit = v
	}
	return nil
}

func (c *counter) Open(ctx api.StreamContext, consume api.ConsumeFunc) {
	ctx.Logger().Info("gocounter started", "interval", c.interval)
	var tick <-chan time.Time
	if c.interval > 0 {
		t := time.NewTicker(c.interval)
		defer t.Stop()
		tick = t.C
	}
	for n := int64(1); c.limit == 0 || n <= c.limit; n++ {
		if tick != nil {
			select {
			case <-ctx.Done():
				return
			case <-tick:
			}
		} else if ctx.Err() != nil {
			return
		}
		consume(map[string]any{"n": n}, nil)
	}
}

func (c *counter) Close(api.StreamContext) error { return nil }

type fileSink struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

func (s *fileSink) Configure(props map[string]any) error {
	s.path, _ = props["path"].(string)
	if s.path == "" {
		return errors.New("property path is required")
	}
	return nil
}

func (s *fileSink) Open(api.StreamContext) error {
	f, err := os.OpenFile(s.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	s.f = f
	return err
}

func (s *fileSink) Collect(_ api.StreamContext, data any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, ok := data.([]any)
	if !ok {
		rows = []any{data}
	}
	w := bufio.NewWriter(s.f)
	for _, r := range rows {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		w.Write(append(b, '\n'))
	}
	return w.Flush()
}

func (s *fileSink) Close(api.StreamContext) error {
	if s.f == nil {
		return nil
	}
	return s.f.Close()
}

type double struct{}

func (double) Validate(args []any) error {
	if len(args) != 1 {
		return fmt.Errorf("double expects 1 argument, got %d", len(args))
	}
	return nil
}

func (double) Exec(args []any, _ api.FunctionContext) (any, bool) {
	switch v := args[0].(type) {
	case int64:
		return v * 2, true
	case float64:
		return v * 2, true
	case nil:
		return nil, true
	}
	return fmt.Errorf("double expects a number, got %v", args[0]), false
}

func (double) IsAggregate() bool { return false }

type sumAll struct{}

func (sumAll) Validate(args []any) error { return nil }

// Exec receives the group's values of the argument as one []any.
func (sumAll) Exec(args []any, _ api.FunctionContext) (any, bool) {
	vals, _ := args[0].([]any)
	var sum float64
	for _, v := range vals {
		switch n := v.(type) {
		case int64:
			sum += float64(n)
		case float64:
			sum += n
		}
	}
	return sum, true
}

func (sumAll) IsAggregate() bool { return true }

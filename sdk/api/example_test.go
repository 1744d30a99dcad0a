package api_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/kuiperio/kuiper/sdk/api"
)

// exampleContext is a minimal api.FunctionContext for the examples; Kuiper
// hands plugins its own.
type exampleContext struct {
	context.Context
	state map[string]any
}

func newExampleContext(ctx context.Context) *exampleContext {
	return &exampleContext{Context: ctx, state: map[string]any{}}
}

func (c *exampleContext) RuleID() string                 { return "rule1" }
func (c *exampleContext) OpID() string                   { return "demo" }
func (c *exampleContext) InstanceID() int                { return 0 }
func (c *exampleContext) Logger() *slog.Logger           { return slog.New(slog.DiscardHandler) }
func (c *exampleContext) PutState(k string, v any) error { c.state[k] = v; return nil }
func (c *exampleContext) GetState(k string) (any, error) { return c.state[k], nil }
func (c *exampleContext) DeleteState(k string) error     { delete(c.state, k); return nil }
func (c *exampleContext) FuncID() int                    { return 1 }

// countdown is a source that emits n, n-1, ..., 1 and stops.
type countdown struct{ n int }

func (s *countdown) Configure(_ string, props map[string]any) error {
	s.n = 3
	if v, ok := props["from"].(int); ok {
		s.n = v
	}
	return nil
}

func (s *countdown) Open(ctx api.StreamContext, consume api.ConsumeFunc) {
	for i := s.n; i > 0; i-- {
		if ctx.Err() != nil {
			return
		}
		consume(map[string]any{"left": i}, map[string]any{"topic": "countdown"})
	}
}

func (s *countdown) Close(api.StreamContext) error { return nil }

// A source calls consume for each message until its context is done.
func ExampleSource() {
	var src api.Source = &countdown{}
	if err := src.Configure("demo", map[string]any{"from": 2}); err != nil {
		panic(err)
	}
	ctx := newExampleContext(context.Background())
	src.Open(ctx, func(msg, meta map[string]any) {
		fmt.Println(msg["left"], meta["topic"])
	})
	_ = src.Close(ctx)
	// Output:
	// 2 countdown
	// 1 countdown
}

// printer is a sink that prints every result.
type printer struct{ prefix string }

func (p *printer) Configure(props map[string]any) error {
	p.prefix, _ = props["prefix"].(string)
	return nil
}

func (p *printer) Open(api.StreamContext) error { return nil }

// Collect gets one row with sendSingle, a list of rows otherwise.
func (p *printer) Collect(_ api.StreamContext, data any) error {
	switch t := data.(type) {
	case map[string]any:
		fmt.Println(p.prefix, t["t"])
	case []any:
		for _, r := range t {
			fmt.Println(p.prefix, r.(map[string]any)["t"])
		}
	}
	return nil
}

func (p *printer) Close(api.StreamContext) error { return nil }

// A sink receives each result of a rule.
func ExampleSink() {
	var snk api.Sink = &printer{}
	ctx := newExampleContext(context.Background())
	_ = snk.Configure(map[string]any{"prefix": "got"})
	_ = snk.Open(ctx)
	_ = snk.Collect(ctx, map[string]any{"t": 21.5})
	_ = snk.Collect(ctx, []any{map[string]any{"t": 1}, map[string]any{"t": 2}})
	_ = snk.Close(ctx)
	// Output:
	// got 21.5
	// got 1
	// got 2
}

// scale multiplies a number by a factor.
type scale struct{}

func (scale) Validate(args []any) error {
	if len(args) != 2 {
		return fmt.Errorf("scale expects 2 arguments, got %d", len(args))
	}
	return nil
}

func (scale) Exec(args []any, _ api.FunctionContext) (any, bool) {
	x, ok1 := args[0].(float64)
	f, ok2 := args[1].(int64)
	if !ok1 || !ok2 {
		return fmt.Errorf("scale expects a float and an integer"), false
	}
	return x * float64(f), true
}

func (scale) IsAggregate() bool { return false }

// total is an aggregate: it receives the group's values of each argument.
type total struct{}

func (total) Validate([]any) error { return nil }

func (total) Exec(args []any, _ api.FunctionContext) (any, bool) {
	var sum int64
	for _, v := range args[0].([]any) {
		sum += v.(int64)
	}
	return sum, true
}

func (total) IsAggregate() bool { return true }

// A scalar function maps one row's arguments to a value; an aggregate
// function gets one []any per argument holding the group's values.
func ExampleFunction() {
	ctx := newExampleContext(context.Background())
	var f api.Function = scale{}
	fmt.Println(f.Validate([]any{nil}))
	fmt.Println(f.Exec([]any{1.5, int64(4)}, ctx))
	fmt.Println(f.Exec([]any{"x", int64(4)}, ctx))
	var agg api.Function = total{}
	fmt.Println(agg.Exec([]any{[]any{int64(1), int64(2), int64(3)}}, ctx))
	// Output:
	// scale expects 2 arguments, got 1
	// 6 true
	// scale expects a float and an integer false
	// 6 true
}

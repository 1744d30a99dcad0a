package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/value"
	"github.com/kuiperio/kuiper/sdk/api"
)

// Category is the function.Spec category of plugin functions.
const Category = "plugin"

// FunctionSpec makes the function.Spec of a plugin function: a scalar
// whose Exec converts the arguments to plain Go values and calls f.Exec,
// or an aggregate whose group's values are handed to f.Exec as one []any
// per argument (api.Function's contract). Panics inside f become errors
// of the calling row. logger (nil: discard) is the parent of the loggers
// plugin code gets through its context.
func FunctionSpec(name, plugin string, f api.Function, logger *slog.Logger) *function.Spec {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &function.Spec{
		Name:        name,
		Category:    Category,
		Kind:        function.Scalar,
		Params:      []function.Param{{Name: "args", Type: function.TAny, Optional: true, Variadic: true}},
		Returns:     function.TAny,
		Description: fmt.Sprintf("Provided by plugin %s.", plugin),
	}
	s.Validate = func(args []function.Arg) error {
		plain := make([]any, len(args))
		for i, a := range args {
			if a.Const {
				plain[i] = a.Value.ToAny()
			}
		}
		return guard(plugin, "Validate", func() error { return f.Validate(plain) })
	}
	aggregate := false
	if err := guard(plugin, "IsAggregate", func() error { aggregate = f.IsAggregate(); return nil }); err != nil {
		logPanic(logger, err)
	}
	if aggregate {
		s.Kind = function.Aggregate
		s.NewAggregator = func(args []function.Arg) function.Aggregator {
			return &aggregator{name: name, plugin: plugin, f: f, logger: logger, cols: make([][]any, len(args))}
		}
		return s
	}
	s.Exec = func(ctx *function.Context, args []value.Value) (value.Value, error) {
		site, ok := ctx.State.(*callSite)
		if !ok {
			site = &callSite{ctx: newFuncContext(ctx.RuleID, ctx.FuncID, ctx.Logger, logger)}
			ctx.State = site
		}
		// The argument slice is reused from call to call: api.Function
		// says Exec must not keep it.
		if cap(site.args) < len(args) {
			site.args = make([]any, len(args))
		}
		plain := site.args[:len(args)]
		for i, a := range args {
			plain[i] = a.ToAny()
		}
		v, err := call(name, plugin, f, plain, site.ctx)
		clear(plain)
		return v, err
	}
	return s
}

func newFuncContext(ruleID string, funcID int, l, fallback *slog.Logger) *connector.FuncContext {
	if l == nil {
		l = fallback
	}
	parent := connector.NewContext(context.Background(), ruleID, "", 0, l)
	return connector.NewFuncContext(parent, funcID)
}

// callSite is the per-call-site state of a plugin scalar function.
type callSite struct {
	ctx  *connector.FuncContext
	args []any
}

// call runs f.Exec and converts its answer: (result, true) is a value,
// (error or message, false) a runtime error. A panic in f becomes a
// *PanicError.
func call(name, plugin string, f api.Function, args []any, ctx api.FunctionContext) (v value.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Plugin: plugin, Call: "Exec", Value: r, Stack: debug.Stack()}
		}
	}()
	res, ok := f.Exec(args, ctx)
	if !ok {
		if e, isErr := res.(error); isErr {
			return value.Value{}, fmt.Errorf("function %s: %w", name, e)
		}
		if res == nil {
			return value.Value{}, fmt.Errorf("function %s failed", name)
		}
		return value.Value{}, fmt.Errorf("function %s: %v", name, res)
	}
	return value.FromAny(res), nil
}

// aggregator collects a group's arguments column by column.
type aggregator struct {
	name, plugin string
	f            api.Function
	logger       *slog.Logger
	cols         [][]any
}

func (a *aggregator) Add(args []value.Value) error {
	if len(a.cols) < len(args) {
		a.cols = append(a.cols, make([][]any, len(args)-len(a.cols))...)
	}
	for i, v := range args {
		a.cols[i] = append(a.cols[i], v.ToAny())
	}
	return nil
}

func (a *aggregator) Result() (value.Value, error) {
	args := make([]any, len(a.cols))
	for i, c := range a.cols {
		if c == nil {
			c = []any{}
		}
		args[i] = c
	}
	return call(a.name, a.plugin, a.f, args, newFuncContext("", 0, nil, a.logger))
}

// ErrInUse is returned when a plugin cannot be removed or replaced because
// rules use it.
var ErrInUse = errors.New("in use")

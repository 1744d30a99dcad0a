// Command multi is an example of a function plugin that exports several
// functions. multi.json lists them; Kuiper looks up each function's symbol
// (the name with an upper-case first letter). Build and install it with
//
//	go build -buildmode=plugin -o plugins/functions/Multi.so ./examples/plugins/functions/multi
//	cp examples/plugins/functions/multi/multi.json etc/functions/multi.json
//
// and call add(a, b), mul(a, b) and shout(s) from SQL. A plugin function
// cannot take the name of a built-in (upper exists): loading would fail.
package main

import (
	"fmt"
	"strings"

	"github.com/kuiperio/kuiper/sdk/api"
)

// binary is a scalar function of two numbers.
type binary struct {
	name string
	op   func(a, b float64) float64
	iop  func(a, b int64) int64
}

func (f binary) Validate(args []any) error {
	if len(args) != 2 {
		return fmt.Errorf("%s expects 2 arguments, got %d", f.name, len(args))
	}
	return nil
}

func (f binary) Exec(args []any, _ api.FunctionContext) (any, bool) {
	if a, ok := args[0].(int64); ok {
		if b, ok := args[1].(int64); ok {
			return f.iop(a, b), true
		}
	}
	a, ok1 := num(args[0])
	b, ok2 := num(args[1])
	if !ok1 || !ok2 {
		return fmt.Errorf("%s expects numbers, got %v and %v", f.name, args[0], args[1]), false
	}
	return f.op(a, b), true
}

func (binary) IsAggregate() bool { return false }

func num(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	}
	return 0, false
}

type shout struct{}

func (shout) Validate(args []any) error {
	if len(args) != 1 {
		return fmt.Errorf("shout expects 1 argument, got %d", len(args))
	}
	return nil
}

func (shout) Exec(args []any, _ api.FunctionContext) (any, bool) {
	s, ok := args[0].(string)
	if !ok {
		return fmt.Errorf("shout expects a string, got %v", args[0]), false
	}
	return strings.ToUpper(s) + "!", true
}

func (shout) IsAggregate() bool { return false }

// Add, Mul and Shout are the exported symbols of the functions add, mul
// and shout.
var (
	Add   api.Function = binary{name: "add", op: func(a, b float64) float64 { return a + b }, iop: func(a, b int64) int64 { return a + b }}
	Mul   api.Function = binary{name: "mul", op: func(a, b float64) float64 { return a * b }, iop: func(a, b int64) int64 { return a * b }}
	Shout              = func() api.Function { return shout{} }
)

func main() {}

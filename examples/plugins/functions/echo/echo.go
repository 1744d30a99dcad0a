// Command echo is an example function plugin: echo(x) returns x. Build it
// with
//
//	go build -buildmode=plugin -o plugins/functions/Echo.so ./examples/plugins/functions/echo
//
// and call it from SQL: SELECT echo(temperature) AS t FROM demo.
package main

import (
	"fmt"

	"github.com/kuiperio/kuiper/sdk/api"
)

type echo struct{}

// Validate runs when a rule is created: echo takes exactly one argument.
func (echo) Validate(args []any) error {
	if len(args) != 1 {
		return fmt.Errorf("echo expects 1 argument, got %d", len(args))
	}
	return nil
}

// Exec returns its argument unchanged.
func (echo) Exec(args []any, _ api.FunctionContext) (any, bool) {
	return args[0], true
}

func (echo) IsAggregate() bool { return false }

// Echo is the exported symbol: a value (a singleton, shared by every rule;
// echo has no state, so that is safe).
var Echo echo

func main() {}

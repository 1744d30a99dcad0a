// Command countplusone is an example aggregate function plugin:
// countPlusOne(x) counts the rows of a group and adds one. Build it with
//
//	go build -buildmode=plugin -o plugins/functions/CountPlusOne.so ./examples/plugins/functions/countplusone
//
// and use it with GROUP BY:
//
//	SELECT countPlusOne(temperature) AS n FROM demo GROUP BY TumblingWindow(ss, 10)
package main

import (
	"fmt"

	"github.com/kuiperio/kuiper/sdk/api"
)

type countPlusOne struct{}

func (countPlusOne) Validate(args []any) error {
	if len(args) != 1 {
		return fmt.Errorf("countPlusOne expects 1 argument, got %d", len(args))
	}
	return nil
}

// Exec receives, for an aggregate, one []any per argument holding the
// values of the whole group.
func (countPlusOne) Exec(args []any, _ api.FunctionContext) (any, bool) {
	values, ok := args[0].([]any)
	if !ok {
		return fmt.Errorf("countPlusOne: expected the group's values, got %T", args[0]), false
	}
	return len(values) + 1, true
}

func (countPlusOne) IsAggregate() bool { return true }

// CountPlusOne is the exported symbol: a constructor returning the
// function.
func CountPlusOne() api.Function { return countPlusOne{} }

func main() {}

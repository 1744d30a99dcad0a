// Command panicky is a test plugin whose function panics.
package main

import "github.com/kuiperio/kuiper/sdk/api"

type boom struct{}

func (boom) Validate([]any) error { return nil }

// Exec panics unless its argument is "ok".
func (boom) Exec(args []any, _ api.FunctionContext) (any, bool) {
	if len(args) > 0 && args[0] == "ok" {
		return "fine", true
	}
	panic("boom")
}

func (boom) IsAggregate() bool { return false }

// Panicky is the function.
var Panicky boom

func main() {}

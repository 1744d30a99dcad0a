// Command mismatch is a test plugin that the test builds with other
// compiler flags for package sdk/api than the host, as a plugin built
// against another version of the package would be.
package main

import "github.com/kuiperio/kuiper/sdk/api"

type f struct{}

func (f) Validate([]any) error                               { return nil }
func (f) Exec(args []any, _ api.FunctionContext) (any, bool) { return nil, true }
func (f) IsAggregate() bool                                  { return false }

// Mismatch is the function.
var Mismatch f

func main() {}

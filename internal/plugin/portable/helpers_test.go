package portable_test

import "github.com/kuiperio/kuiper/internal/value"

type valueArg struct{ v any }

func toValues(args []valueArg) []value.Value {
	out := make([]value.Value, len(args))
	for i, a := range args {
		out[i] = value.FromAny(a.v)
	}
	return out
}

package function

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

var testRegistry = sync.OnceValue(Builtins)

// fnCase is one call of a scalar function. want is the JSON text of the
// result, or "missing" for a null result (the column is left out); err,
// when set, is a substring of the expected error.
type fnCase struct {
	name string
	fn   string
	args []value.Value
	want string
	err  string
}

// Value shorthands.
var (
	vnull = value.NullValue()
	vmiss = value.Value{}
)

func vi(i int64) value.Value          { return value.IntValue(i) }
func vf(f float64) value.Value        { return value.FloatValue(f) }
func vs(s string) value.Value         { return value.StringValue(s) }
func vb(b bool) value.Value           { return value.BoolValue(b) }
func va(e ...value.Value) value.Value { return value.ArrayValue(e) }

// vo builds an object from alternating keys and values.
func vo(kv ...any) value.Value {
	o := value.NewObject(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		o.Append(kv[i].(string), kv[i+1].(value.Value))
	}
	return value.ObjectValue(o)
}

// callFn runs a scalar function the way the engine does: one Context per
// call site.
func callFn(t *testing.T, ctx *Context, name string, args ...value.Value) (value.Value, error) {
	t.Helper()
	s, ok := testRegistry().Lookup(name)
	require.True(t, ok, "function %s is registered", name)
	require.NotNil(t, s.Exec, "function %s has Exec", name)
	if ctx == nil {
		ctx = exampleContext()
	}
	return s.Exec(ctx, args)
}

func runFnCases(t *testing.T, cases []fnCase) {
	t.Helper()
	for _, tc := range cases {
		name := tc.name
		if name == "" {
			name = tc.fn
		}
		t.Run(name, func(t *testing.T) {
			got, err := callFn(t, nil, tc.fn, tc.args...)
			if tc.err != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			if tc.want == "missing" {
				require.True(t, got.IsMissing(), "want a null result, got %s", got.String())
				return
			}
			js := string(got.AppendJSON(nil, value.SortKeys))
			require.True(t, jsonEqual(tc.want, js), "want %s, got %s (%s)", tc.want, js, got.String())
		})
	}
}

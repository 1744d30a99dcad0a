package function

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestExamples runs every example of every built-in spec.
func TestExamples(t *testing.T) {
	reg := Builtins()
	for _, s := range reg.All() {
		t.Run(s.Name, func(t *testing.T) {
			require.NotEmpty(t, s.Examples, "every function has an example")
			for _, ex := range s.Examples {
				var want any
				require.NoError(t, json.Unmarshal([]byte(ex.Result), &want), "result of %q is JSON", ex.SQL)
				got, ran, err := runExample(reg, ex)
				require.NoError(t, err, ex.SQL)
				if !ran {
					require.Contains(t, []Kind{Special, Window}, s.Kind, "%s: only planner-evaluated functions skip their examples", ex.SQL)
					continue
				}
				if ex.Varies {
					var g any
					require.NoError(t, json.Unmarshal([]byte(got), &g))
					require.Equal(t, reflect.TypeOf(want), reflect.TypeOf(g), "%s gave %s", ex.SQL, got)
					continue
				}
				require.True(t, jsonEqual(ex.Result, got), "%s: want %s, got %s", ex.SQL, ex.Result, got)
			}
		})
	}
}

// jsonEqual compares two JSON texts; numbers compare within a relative
// 1e-12, so 1 equals 1.0.
func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return anyEqual(x, y)
}

func anyEqual(x, y any) bool {
	switch xt := x.(type) {
	case float64:
		yt, ok := y.(float64)
		if !ok {
			return false
		}
		return xt == yt || math.Abs(xt-yt) <= 1e-12*math.Max(math.Abs(xt), math.Abs(yt))
	case []any:
		yt, ok := y.([]any)
		if !ok || len(xt) != len(yt) {
			return false
		}
		for i := range xt {
			if !anyEqual(xt[i], yt[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		yt, ok := y.(map[string]any)
		if !ok || len(xt) != len(yt) {
			return false
		}
		for k, v := range xt {
			w, ok := yt[k]
			if !ok || !anyEqual(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(x, y)
}

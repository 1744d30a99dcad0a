package e2e_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFunctions_Listing checks GET /functions and /functions/{name}.
func TestFunctions_Listing(t *testing.T) {
	srv := startServer(t, "")
	var list []struct {
		Name     string `json:"name"`
		Category string `json:"category"`
		Kind     string `json:"kind"`
	}
	require.NoError(t, json.Unmarshal([]byte(srv.mustCall("GET", "/functions", nil, 200)), &list))
	require.GreaterOrEqual(t, len(list), 170)
	names := map[string]string{}
	for _, f := range list {
		names[f.Name] = f.Kind
	}
	require.Equal(t, "scalar", names["abs"])
	require.Equal(t, "aggregate", names["avg"])
	require.Equal(t, "analytic", names["lag"])

	var agg []struct{ Name string }
	require.NoError(t, json.Unmarshal([]byte(srv.mustCall("GET", "/functions?category=aggregate", nil, 200)), &agg))
	require.NotEmpty(t, agg)
	for _, f := range agg {
		require.NotEqual(t, "abs", f.Name)
	}

	var one struct {
		Name      string `json:"name"`
		Signature string `json:"signature"`
		Examples  []struct {
			SQL    string `json:"sql"`
			Result string `json:"result"`
		} `json:"examples"`
	}
	require.NoError(t, json.Unmarshal([]byte(srv.mustCall("GET", "/functions/POW", nil, 200)), &one))
	require.Equal(t, "power", one.Name)
	require.NotEmpty(t, one.Examples)
	require.Contains(t, one.Signature, "power(")
	code, body := srv.call("GET", "/functions/nosuch", nil)
	require.Equal(t, 404, code)
	require.JSONEq(t, `{"error":1002,"message":"function nosuch not found"}`, body)
}

package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/server"
	"github.com/kuiperio/kuiper/internal/server/servertest"
)

func TestServer_PluginRoutes(t *testing.T) {
	streams := servertest.NewStreams()
	h := server.New(server.Options{Streams: streams, Rules: servertest.NewRules(streams), Plugins: servertest.NewPlugins()})
	steps := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/plugins/sources", `{"name":"random","file":"file:///tmp/random.zip"}`, 201, "source plugin random is created"},
		{"POST", "/plugins/sources", `{"name":"random","file":"file:///tmp/random.zip"}`, 400, `{"error":1000,"message":"source plugin create command error: source plugin random already exists"}`},
		{"POST", "/plugins/sinks", `{"name":"file","file":"file:///tmp/bad.zip"}`, 400, `not a zip file`},
		{"POST", "/plugins/sinks", `{"file":"file:///tmp/x.zip"}`, 400, `name is required`},
		{"POST", "/plugins/sinks", `{"name":"x"}`, 400, `file is required`},
		{"POST", "/plugins/sinks", `[1]`, 400, `Invalid body`},
		{"POST", "/plugins/widgets", `{"name":"x","file":"f"}`, 400, `invalid plugin type \"widgets\"`},
		{"GET", "/plugins/sources", "", 200, `["random"]`},
		{"GET", "/plugins/sinks", "", 200, `[]`},
		{"GET", "/plugins/sources/random", "", 200, `{"name":"random","status":"running","version":""}`},
		{"GET", "/plugins/sources/nope", "", 404, `{"error":1002,"message":"describe source plugin error: source plugin nope is not found"}`},
		{"POST", "/plugins/functions", `{"name":"multi","file":"file:///m.zip","functions":["add"]}`, 201, "function plugin multi is created"},
		{"POST", "/plugins/functions/multi/register", `{"functions":["add","mul"]}`, 200, "function plugin multi function list is registered"},
		{"POST", "/plugins/functions/multi/register", `{}`, 400, "functions is required"},
		{"GET", "/plugins/udfs", "", 200, `["add","mul"]`},
		{"GET", "/plugins/udfs/mul", "", 200, `{"name":"mul","plugin":"multi"}`},
		{"GET", "/plugins/udfs/nope", "", 404, `not provided by a plugin`},
		{"DELETE", "/plugins/sources/random", "", 200, "source plugin random is deleted"},
		{"DELETE", "/plugins/sources/random", "", 404, "not found"},
		{"POST", "/plugins/portables", `{"name":"py","file":"file:///py.zip"}`, 201, "portable plugin py is created"},
		{"GET", "/plugins/portables", "", 200, `[{"name":"py","version":"1.0.0"}]`},
		{"GET", "/plugins/portables/py/status", "", 200, `{"errMsg":"","pid":42,"refCount":0,"status":"running"}`},
		{"PUT", "/plugins/portables/py", `{"file":"file:///py2.zip"}`, 200, "portable plugin py is updated"},
		{"PUT", "/plugins/portables/py", `{"name":"other","file":"file:///py2.zip"}`, 400, "does not match"},
		{"PUT", "/plugins/portables/nope", `{"file":"file:///py2.zip"}`, 404, "not found"},
		{"DELETE", "/plugins/portables/py", "", 200, "portable plugin py is deleted"},
		{"PUT", "/plugins/sources/random", "{}", 405, "not allowed"},
	}
	for _, st := range steps {
		req := httptest.NewRequest(st.method, st.path, strings.NewReader(st.body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		b, _ := io.ReadAll(w.Result().Body)
		require.Equal(t, st.status, w.Code, "%s %s: %s", st.method, st.path, b)
		if strings.HasPrefix(st.want, "{") || strings.HasPrefix(st.want, "[") {
			require.JSONEq(t, st.want, string(b), "%s %s", st.method, st.path)
		} else {
			require.Contains(t, string(b), st.want, "%s %s", st.method, st.path)
		}
	}
}

// Without a plugin service the routes are not served.
func TestServer_NoPluginService(t *testing.T) {
	streams := servertest.NewStreams()
	h := server.New(server.Options{Streams: streams, Rules: servertest.NewRules(streams)})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/plugins/sources", nil))
	require.Equal(t, http.StatusNotFound, w.Code)
}

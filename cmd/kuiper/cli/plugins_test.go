package cli_test

import (
	"bytes"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/cmd/kuiper/cli"
	"github.com/kuiperio/kuiper/internal/server"
	"github.com/kuiperio/kuiper/internal/server/servertest"
)

// TestCLI_Plugins runs the plugin verbs in sequence against one server.
func TestCLI_Plugins(t *testing.T) {
	streams := servertest.NewStreams()
	ts := httptest.NewServer(server.New(server.Options{Streams: streams, Rules: servertest.NewRules(streams), Plugins: servertest.NewPlugins()}))
	t.Cleanup(ts.Close)
	zip := filepath.Join(t.TempDir(), "echo.zip")
	steps := []struct {
		args     []string
		out, err string
		code     int
	}{
		{args: []string{"show", "plugins", "source"}, out: "No source plugins are found.\n"},
		{args: []string{"create", "plugin", "source", "random", `{"file":"file:///tmp/random.zip"}`}, out: "source plugin random is created\n"},
		{args: []string{"create", "plugin", "function", "echo", "-z", zip}, out: "function plugin echo is created\n"},
		{args: []string{"create", "plugin", "function", "multi", `{"file":"file:///m.zip","functions":["add"]}`}, out: "function plugin multi is created\n"},
		{args: []string{"create", "plugin", "sink", "file"}, err: "Error: missing the package: give {\"file\": URL} as JSON or -z ZIP\n", code: 1},
		{args: []string{"create", "plugin", "gadget", "x", "{}"}, err: "Error: unknown plugin type \"gadget\": expected source, sink, function or portable\n", code: 1},
		{args: []string{"show", "plugins", "sources"}, out: "random\n"},
		{args: []string{"--json", "show", "plugins", "function"}, out: "[\"echo\",\"multi\"]\n"},
		{args: []string{"--json", "describe", "plugin", "source", "random"}, out: `{"name":"random","status":"running","version":""}` + "\n"},
		{args: []string{"describe", "plugin", "source", "nope"}, err: "Error: describe source plugin error: source plugin nope is not found\n", code: 1},
		{args: []string{"register", "plugin", "function", "multi", `{"functions":["add","mul"]}`}, out: "function plugin multi function list is registered\n"},
		{args: []string{"register", "plugin", "source", "random", `{"functions":["a"]}`}, err: "Error: only function plugins register functions, not \"source\"\n", code: 1},
		{args: []string{"show", "udfs"}, out: "add\necho\nmul\n"},
		{args: []string{"--json", "describe", "udf", "mul"}, out: `{"name":"mul","plugin":"multi"}` + "\n"},
		{args: []string{"drop", "plugin", "function", "echo"}, out: "function plugin echo is deleted\n"},
		{args: []string{"create", "plugin", "portable", "py", `{"file":"file:///py.zip"}`}, out: "portable plugin py is created\n"},
		{args: []string{"--json", "show", "plugins", "portable"}, out: `[{"name":"py","version":"1.0.0"}]` + "\n"},
	}
	for _, st := range steps {
		var out, errOut bytes.Buffer
		code := cli.Run(t.Context(), append([]string{"--host", ts.URL}, st.args...), cli.Env{Stdout: &out, Stderr: &errOut})
		require.Equal(t, st.err, errOut.String(), "%v", st.args)
		require.Equal(t, st.out, out.String(), "%v", st.args)
		require.Equal(t, st.code, code, "%v", st.args)
	}
}

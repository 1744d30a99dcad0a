package extensions_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/plugin/pluginbuild"
)

// randomConf makes the Random source emit quickly.
const randomConf = "default:\n  interval: 5\n  pattern:\n    temperature: 30.0\n    humidity: 100\n"

func exampleSO(t *testing.T, kind, pkg, file string) string {
	t.Helper()
	return pluginbuild.Build(t, "./examples/plugins/"+kind+"/"+pkg, file)
}

// The workflow: .so files dropped into plugins/ are loaded at boot
// and used by rules as any built-in.
func TestNative_LoadedAtBoot(t *testing.T) {
	home := t.TempDir()
	linkPlugin(t, home, "functions", exampleSO(t, "functions", "echo", "Echo.so"), "Echo.so")
	linkPlugin(t, home, "sources", exampleSO(t, "sources", "random", "Random.so"), "Random.so")
	linkPlugin(t, home, "sinks", exampleSO(t, "sinks", "file", "File.so"), "File.so")
	linkPlugin(t, home, "functions", exampleSO(t, "functions", "multi", "Multi.so"), "Multi@v1.0.0.so")
	writeFile(t, filepath.Join(home, "plugins", "functions", "multi.json"),
		readFile(t, filepath.Join(mustRoot(t), "examples/plugins/functions/multi/multi.json")), 0o644)
	writeFile(t, filepath.Join(home, "etc", "sources", "random.yaml"), []byte(randomConf), 0o644)
	s := startServer(t, home)

	require.JSONEq(t, `["random"]`, s.mustCall("GET", "/plugins/sources", nil, 200))
	require.JSONEq(t, `["file"]`, s.mustCall("GET", "/plugins/sinks", nil, 200))
	require.JSONEq(t, `["echo","multi"]`, s.mustCall("GET", "/plugins/functions", nil, 200))
	require.JSONEq(t, `{"name":"multi","version":"1.0.0","status":"running","file":"functions/Multi@v1.0.0.so","functions":["add","mul","shout"]}`,
		s.mustCall("GET", "/plugins/functions/multi", nil, 200))
	require.JSONEq(t, `["add","echo","mul","shout"]`, s.mustCall("GET", "/plugins/udfs", nil, 200))
	require.JSONEq(t, `{"name":"mul","plugin":"multi"}`, s.mustCall("GET", "/plugins/udfs/mul", nil, 200))

	s.mustCall("POST", "/streams", map[string]string{"sql": `CREATE STREAM demo () WITH (TYPE="random", DATASOURCE="demo", FORMAT="json")`}, 201)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	s.mustCall("POST", "/rules", map[string]any{
		"id":      "r1",
		"sql":     "SELECT echo(temperature) AS t, add(humidity, 1000) AS h, shout('x') AS u FROM demo WHERE temperature >= 0",
		"actions": []any{map[string]any{"file": map[string]any{"path": out, "sendSingle": true}}},
	}, 201)
	for _, l := range lines(t, out, 5) {
		var row struct {
			T float64
			H int64
			U string
		}
		require.NoError(t, json.Unmarshal([]byte(l), &row), l)
		require.True(t, row.T >= 0 && row.T < 30, l)
		require.True(t, row.H >= 1000 && row.H < 1100, l)
		require.Equal(t, "X!", row.U)
	}
	st := s.ruleStatus("r1")
	require.Equal(t, "running", st["status"])
	require.Zero(t, metric(st, "", "_exceptions_total"))

	// The plugins in use cannot be deleted.
	for _, p := range []string{"/plugins/functions/echo", "/plugins/sources/random", "/plugins/sinks/file", "/plugins/functions/multi"} {
		code, body := s.call("DELETE", p, nil)
		require.Equal(t, 400, code, p)
		require.Contains(t, body, "in use by rules r1", p)
	}
	s.mustCall("DELETE", "/rules/r1", nil, 200)
	require.Equal(t, "function plugin echo is deleted", s.mustCall("DELETE", "/plugins/functions/echo", nil, 200))
	require.JSONEq(t, `["add","mul","shout"]`, s.mustCall("GET", "/plugins/udfs", nil, 200))
	code, body := s.call("POST", "/rules", map[string]any{"id": "r2", "sql": "SELECT echo(temperature) FROM demo", "actions": []any{map[string]any{"log": map[string]any{}}}})
	require.Equal(t, 400, code)
	require.Contains(t, body, "echo")
	require.NoFileExists(t, filepath.Join(home, "plugins", "functions", "Echo.so"))
}

// Plugins are installed and removed at run time from zip packages.
func TestNative_InstallOverREST(t *testing.T) {
	s := startServer(t, "")
	echo := makeZip(t, zipEntry{name: "Echo.so", body: readFile(t, exampleSO(t, "functions", "echo", "Echo.so")), mode: 0o755})
	require.Equal(t, "function plugin echo is created",
		s.mustCall("POST", "/plugins/functions", map[string]any{"name": "echo", "file": echo}, 201))
	code, body := s.call("POST", "/plugins/functions", map[string]any{"name": "echo", "file": echo})
	require.Equal(t, 400, code)
	require.Contains(t, body, "already exists")

	random := makeZip(t,
		zipEntry{name: "Random@v1.2.0.so", body: readFile(t, exampleSO(t, "sources", "random", "Random.so")), mode: 0o755},
		zipEntry{name: "random.yaml", body: []byte(randomConf)},
		zipEntry{name: "random.json", body: []byte(`{"about":{"description":{"en_US":"random readings"}}}`)})
	s.mustCall("POST", "/plugins/sources", map[string]any{"name": "random", "file": random}, 201)
	require.FileExists(t, filepath.Join(s.home, "etc", "sources", "random.yaml"))
	require.JSONEq(t, `{"name":"random","version":"1.2.0","status":"running","file":"sources/Random@v1.2.0.so"}`,
		s.mustCall("GET", "/plugins/sources/random", nil, 200))

	file := makeZip(t, zipEntry{name: "File.so", body: readFile(t, exampleSO(t, "sinks", "file", "File.so"))})
	s.mustCall("POST", "/plugins/sinks", map[string]any{"name": "file", "file": file}, 201)

	multi := makeZip(t, zipEntry{name: "Multi.so", body: readFile(t, exampleSO(t, "functions", "multi", "Multi.so"))})
	s.mustCall("POST", "/plugins/functions", map[string]any{"name": "multi", "file": multi, "functions": []string{"add"}}, 201)
	require.JSONEq(t, `["add","echo"]`, s.mustCall("GET", "/plugins/udfs", nil, 200))
	require.Equal(t, "function plugin multi function list is registered",
		s.mustCall("POST", "/plugins/functions/multi/register", map[string]any{"functions": []string{"add", "mul"}}, 200))
	require.JSONEq(t, `["add","echo","mul"]`, s.mustCall("GET", "/plugins/udfs", nil, 200))

	s.mustCall("POST", "/streams", map[string]string{"sql": `CREATE STREAM demo () WITH (TYPE="random", DATASOURCE="demo", FORMAT="json")`}, 201)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	s.mustCall("POST", "/rules", map[string]any{
		"id":      "r1",
		"sql":     "SELECT echo(humidity) AS h, mul(2, 21) AS m FROM demo",
		"actions": []any{map[string]any{"file": map[string]any{"path": out, "sendSingle": true}}},
	}, 201)
	for _, l := range lines(t, out, 3) {
		require.Contains(t, l, `"m":42`)
	}
	s.mustCall("DELETE", "/rules/r1", nil, 200)
	for _, p := range []string{"/plugins/functions/echo", "/plugins/functions/multi", "/plugins/sources/random", "/plugins/sinks/file"} {
		s.mustCall("DELETE", p, nil, 200)
	}
	require.JSONEq(t, `[]`, s.mustCall("GET", "/plugins/functions", nil, 200))
	require.NoFileExists(t, filepath.Join(s.home, "etc", "sources", "random.yaml"))

	// Installing the same build again works: the loaded plugin is reused.
	s.mustCall("POST", "/plugins/functions", map[string]any{"name": "echo", "file": echo}, 201)
}

func TestNative_InstallRefused(t *testing.T) {
	echoSO := func(t *testing.T) []byte { return readFile(t, exampleSO(t, "functions", "echo", "Echo.so")) }
	tests := []struct {
		name    string
		kind    string
		plugin  string
		entries func(t *testing.T) []zipEntry
		url     string
		env     []string
		want    string
	}{
		{name: "path traversal", kind: "functions", plugin: "echo",
			entries: func(t *testing.T) []zipEntry {
				return []zipEntry{{name: "Echo.so", body: echoSO(t)}, {name: "../../evil.sh", body: []byte("x")}}
			},
			want: "leaves the package folder"},
		{name: "absolute path", kind: "functions", plugin: "echo",
			entries: func(t *testing.T) []zipEntry {
				return []zipEntry{{name: "/tmp/Echo.so", body: echoSO(t)}}
			},
			want: "absolute or unsafe path"},
		{name: "lower-case so", kind: "functions", plugin: "echo",
			entries: func(t *testing.T) []zipEntry { return []zipEntry{{name: "echo.so", body: echoSO(t)}} },
			want:    "must start with an upper-case letter"},
		{name: "so for another name", kind: "functions", plugin: "other",
			entries: func(t *testing.T) []zipEntry { return []zipEntry{{name: "Echo.so", body: echoSO(t)}} },
			want:    "expected Other.so"},
		{name: "no so", kind: "sources", plugin: "random",
			entries: func(t *testing.T) []zipEntry { return []zipEntry{{name: "random.yaml", body: []byte("a: 1")}} },
			want:    "no Random.so"},
		{name: "unexpected entry", kind: "functions", plugin: "echo",
			entries: func(t *testing.T) []zipEntry {
				return []zipEntry{{name: "Echo.so", body: echoSO(t)}, {name: "notes.txt", body: []byte("x")}}
			},
			want: `unexpected entry "notes.txt"`},
		{name: "install.sh not allowed", kind: "functions", plugin: "echo",
			entries: func(t *testing.T) []zipEntry {
				return []zipEntry{{name: "Echo.so", body: echoSO(t)}, {name: "install.sh", body: []byte("echo hi")}}
			},
			want: "plugin.allowInstallScript"},
		{name: "failing install.sh", kind: "functions", plugin: "echo", env: []string{"KUIPER__PLUGIN__ALLOWINSTALLSCRIPT=true"},
			entries: func(t *testing.T) []zipEntry {
				return []zipEntry{{name: "Echo.so", body: echoSO(t)}, {name: "install.sh", body: []byte("echo installing $1; exit 3")}}
			},
			want: "install.sh of plugin echo failed"},
		{name: "too large", kind: "functions", plugin: "echo", env: []string{"KUIPER__PLUGIN__MAXPACKAGESIZE=1000"},
			entries: func(t *testing.T) []zipEntry { return []zipEntry{{name: "Echo.so", body: echoSO(t)}} },
			want:    "1000-byte limit"},
		{name: "not a zip", kind: "functions", plugin: "echo", url: "file:///etc/hostname", want: "not a zip file"},
		{name: "missing file", kind: "functions", plugin: "echo", url: "file:///nonexistent/x.zip", want: "no such file"},
		{name: "bad scheme", kind: "functions", plugin: "echo", url: "ftp://x/y.zip", want: "only file://, http:// and https://"},
		{name: "bad type", kind: "widgets", plugin: "echo", url: "file:///x.zip", want: "invalid plugin type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, "", tc.env...)
			url := tc.url
			if tc.entries != nil {
				url = makeZip(t, tc.entries(t)...)
			}
			code, body := s.call("POST", "/plugins/"+tc.kind, map[string]any{"name": tc.plugin, "file": url, "shellParas": []string{"p1"}})
			require.Equal(t, 400, code, body)
			var e struct {
				Error   int
				Message string
			}
			require.NoError(t, json.Unmarshal([]byte(body), &e), body)
			require.NotZero(t, e.Error)
			require.Contains(t, e.Message, tc.want)
			// Nothing was left behind.
			require.NoFileExists(t, filepath.Join(s.home, "plugins", "functions", "Echo.so"))
			require.NoFileExists(t, filepath.Join(s.home, "evil.sh"))
			if tc.kind != "widgets" {
				require.JSONEq(t, `[]`, s.mustCall("GET", "/plugins/"+tc.kind, nil, 200))
			}
			if strings.Contains(tc.name, "install.sh") && len(tc.env) > 0 {
				require.Contains(t, s.logs.String(), "installing p1")
			}
		})
	}
}

// A package's install.sh runs with the shell parameters when allowed.
func TestNative_InstallScript(t *testing.T) {
	s := startServer(t, "", "KUIPER__PLUGIN__ALLOWINSTALLSCRIPT=true")
	url := makeZip(t,
		zipEntry{name: "Echo.so", body: readFile(t, exampleSO(t, "functions", "echo", "Echo.so"))},
		zipEntry{name: "install.sh", body: []byte("cat dep/data.txt; echo \"param $1\"; echo done > \"$KUIPER_ETC_DIR/installed.txt\"")},
		zipEntry{name: "dep/data.txt", body: []byte("dependency data")})
	s.mustCall("POST", "/plugins/functions", map[string]any{"name": "echo", "file": url, "shellParas": []string{"x1"}}, 201)
	require.Contains(t, s.logs.String(), "dependency data")
	require.Contains(t, s.logs.String(), "param x1")
	require.FileExists(t, filepath.Join(s.home, "etc", "installed.txt"))
}

// A plugin that fails to load is listed as failed; the server and the other
// plugins keep working.
func TestNative_BrokenPluginsAtBoot(t *testing.T) {
	home := t.TempDir()
	linkPlugin(t, home, "functions", exampleSO(t, "functions", "echo", "Echo.so"), "Echo.so")
	linkPlugin(t, home, "functions", exampleSO(t, "functions", "echo", "Echo.so"), "lower.so")
	linkPlugin(t, home, "sources", pluginbuild.Build(t, "./internal/plugin/native/testdata/bad", "Bad.so"), "Bad.so")
	var d struct{ Status, Error string }
	writeFile(t, filepath.Join(home, "plugins", "sinks", "Junk.so"), []byte("junk"), 0o755)
	linkPlugin(t, home, "functions", pluginbuild.Build(t, "./internal/plugin/native/testdata/mismatch", "Mismatch.so",
		"-gcflags=github.com/kuiperio/kuiper/sdk/api=-N -l"), "Mismatch.so")
	s := startServer(t, home)
	require.JSONEq(t, `["echo","lower","mismatch"]`, s.mustCall("GET", "/plugins/functions", nil, 200))
	require.NoError(t, json.Unmarshal([]byte(s.mustCall("GET", "/plugins/functions/mismatch", nil, 200)), &d))
	require.Equal(t, "failed", d.Status)
	require.Contains(t, d.Error, "Mismatch.so")
	require.Contains(t, d.Error, "plugin was built with a different version of package github.com/kuiperio/kuiper/sdk/api")
	require.NoError(t, json.Unmarshal([]byte(s.mustCall("GET", "/plugins/functions/lower", nil, 200)), &d))
	require.Equal(t, "failed", d.Status)
	require.Contains(t, d.Error, "must start with an upper-case letter")
	require.NoError(t, json.Unmarshal([]byte(s.mustCall("GET", "/plugins/sources/bad", nil, 200)), &d))
	require.Equal(t, "failed", d.Status)
	require.Contains(t, d.Error, "Bad.so")
	require.Contains(t, d.Error, "func() api.Source")
	require.NoError(t, json.Unmarshal([]byte(s.mustCall("GET", "/plugins/sinks/junk", nil, 200)), &d))
	require.Equal(t, "failed", d.Status)
	require.Contains(t, d.Error, "Junk.so")
	require.Contains(t, s.logs.String(), "load plugin")
	// A failed plugin can be deleted.
	s.mustCall("DELETE", "/plugins/sinks/junk", nil, 200)
	require.JSONEq(t, `["echo"]`, s.mustCall("GET", "/plugins/udfs", nil, 200))
}

// A panic in plugin code is an error of the rule that called it, counted
// in its metrics; the server and the rule keep running.
func TestNative_PanicStaysInTheRule(t *testing.T) {
	home := t.TempDir()
	linkPlugin(t, home, "sources", exampleSO(t, "sources", "random", "Random.so"), "Random.so")
	linkPlugin(t, home, "sinks", exampleSO(t, "sinks", "file", "File.so"), "File.so")
	linkPlugin(t, home, "functions", pluginbuild.Build(t, "./internal/plugin/native/testdata/panicky", "Panicky.so"), "Panicky.so")
	linkPlugin(t, home, "sinks", pluginbuild.Build(t, "./internal/plugin/native/testdata/panickysink", "PanickySink.so"), "PanickySink.so")
	writeFile(t, filepath.Join(home, "etc", "sources", "random.yaml"), []byte(randomConf), 0o644)
	s := startServer(t, home)
	s.mustCall("POST", "/streams", map[string]string{"sql": `CREATE STREAM demo () WITH (TYPE="random", DATASOURCE="demo", FORMAT="json")`}, 201)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	s.mustCall("POST", "/rules", map[string]any{
		"id":      "fn",
		"sql":     "SELECT panicky('no') AS p FROM demo",
		"actions": []any{map[string]any{"file": map[string]any{"path": out}}},
	}, 201)
	s.mustCall("POST", "/rules", map[string]any{
		"id":      "sink",
		"sql":     "SELECT temperature FROM demo",
		"actions": []any{map[string]any{"panickySink": map[string]any{}}},
	}, 201)
	s.mustCall("POST", "/rules", map[string]any{
		"id":      "fine",
		"sql":     "SELECT panicky('ok') AS p FROM demo",
		"actions": []any{map[string]any{"file": map[string]any{"path": out + ".fine", "sendSingle": true}}},
	}, 201)
	require.Eventually(t, func() bool {
		return metric(s.ruleStatus("fn"), "op_", "_exceptions_total") >= 3 &&
			metric(s.ruleStatus("sink"), "sink_", "_exceptions_total") >= 3
	}, 20*time.Second, 20*time.Millisecond)
	for _, id := range []string{"fn", "sink", "fine"} {
		require.Equal(t, "running", s.ruleStatus(id)["status"], id)
	}
	st := s.ruleStatus("fn")
	require.Contains(t, fmt.Sprint(st), "panicked in Exec: boom")
	require.Contains(t, fmt.Sprint(s.ruleStatus("sink")), "panicked in Collect: sink boom")
	require.Contains(t, lines(t, out+".fine", 3)[0], `"p":"fine"`)
	s.mustCall("GET", "/ping", nil, 200)
}

func mustRoot(t testing.TB) string {
	t.Helper()
	r, err := pluginbuild.Root()
	require.NoError(t, err)
	return r
}

// A native aggregate function gets the group's values.
func TestNative_AggregateFunction(t *testing.T) {
	home := t.TempDir()
	linkPlugin(t, home, "functions", exampleSO(t, "functions", "countplusone", "CountPlusOne.so"), "CountPlusOne.so")
	linkPlugin(t, home, "sources", exampleSO(t, "sources", "random", "Random.so"), "Random.so")
	linkPlugin(t, home, "sinks", exampleSO(t, "sinks", "file", "File.so"), "File.so")
	writeFile(t, filepath.Join(home, "etc", "sources", "random.yaml"), []byte(randomConf), 0o644)
	s := startServer(t, home)
	s.mustCall("POST", "/streams", map[string]string{"sql": `CREATE STREAM demo () WITH (TYPE="random", DATASOURCE="demo", FORMAT="json")`}, 201)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	s.mustCall("POST", "/rules", map[string]any{
		"id":      "agg",
		"sql":     "SELECT countPlusOne(temperature) AS n, count(*) AS c FROM demo GROUP BY COUNTWINDOW(4)",
		"actions": []any{map[string]any{"file": map[string]any{"path": out, "sendSingle": true}}},
	}, 201)
	for _, l := range lines(t, out, 2) {
		require.JSONEq(t, `{"n":5,"c":4}`, l)
	}
}

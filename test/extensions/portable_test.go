package extensions_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/plugin/pluginbuild"
)

// goSample returns the zip entries of the Go portable example.
func goSample(t *testing.T) []zipEntry { return goSampleTB(t) }

func goSampleTB(t testing.TB) []zipEntry {
	t.Helper()
	root := mustRoot(t)
	exe := pluginbuild.BuildExe(t, "./examples/plugins/portable/gosample", "gosample")
	return []zipEntry{
		{name: "gosample", body: readFile(t, exe), mode: 0o755},
		{name: "gosample.json", body: readFile(t, filepath.Join(root, "examples/plugins/portable/gosample/gosample.json"))},
	}
}

// pySample returns the zip entries of the Python portable example.
func pySample(t *testing.T) []zipEntry {
	t.Helper()
	root := mustRoot(t)
	return []zipEntry{
		{name: "pysample.py", body: readFile(t, filepath.Join(root, "examples/plugins/portable/pysample/pysample.py"))},
		{name: "pysample.json", body: readFile(t, filepath.Join(root, "examples/plugins/portable/pysample/pysample.json"))},
		{name: "kuiper_plugin.py", body: readFile(t, filepath.Join(root, "sdk/python/kuiper_plugin.py"))},
	}
}

type portableStatus struct {
	RefCount int
	Status   string
	ErrMsg   string
	Pid      int
}

func (s *server) portableStatus(name string) portableStatus {
	s.t.Helper()
	var st portableStatus
	require.NoError(s.t, json.Unmarshal([]byte(s.mustCall("GET", "/plugins/portables/"+name+"/status", nil, 200)), &st))
	return st
}

func decodeLines(t *testing.T, ls []string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range ls {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		out = append(out, m)
	}
	return out
}

// Both examples are installed over REST and used by rules: sources,
// sinks, scalar and aggregate functions, across languages.
func TestPortable_GoAndPythonExamples(t *testing.T) {
	s := startServer(t, "")
	writeFile(t, filepath.Join(s.home, "etc", "sources", "gocounter.yaml"), []byte("default:\n  interval: 5\n"), 0o644)
	writeFile(t, filepath.Join(s.home, "etc", "sources", "pycounter.yaml"), []byte("default:\n  interval: 5\n"), 0o644)
	require.Equal(t, "portable plugin gosample is created",
		s.mustCall("POST", "/plugins/portables", map[string]any{"name": "gosample", "file": makeZip(t, goSample(t)...)}, 201))
	s.mustCall("POST", "/plugins/portables", map[string]any{"name": "pysample", "file": makeZip(t, pySample(t)...)}, 201)
	require.JSONEq(t, `[
	  {"name":"gosample","version":"1.0.0","language":"go","executable":"gosample","sources":["gocounter"],"sinks":["gofile"],"functions":["double","sumall"]},
	  {"name":"pysample","version":"1.0.0","language":"python","executable":"pysample.py","sources":["pycounter"],"sinks":["pyfile"],"functions":["revert","pyavg"]}]`,
		s.mustCall("GET", "/plugins/portables", nil, 200))
	require.JSONEq(t, `["double","pyavg","revert","sumall"]`, s.mustCall("GET", "/plugins/udfs", nil, 200))
	require.JSONEq(t, `{"name":"revert","plugin":"pysample"}`, s.mustCall("GET", "/plugins/udfs/revert", nil, 200))
	st := s.portableStatus("pysample")
	require.Equal(t, "running", st.Status)
	require.NotZero(t, st.Pid)

	s.mustCall("POST", "/streams", map[string]string{"sql": `CREATE STREAM gs () WITH (TYPE="gocounter", DATASOURCE="x", FORMAT="json")`}, 201)
	s.mustCall("POST", "/streams", map[string]string{"sql": `CREATE STREAM ps () WITH (TYPE="pycounter", DATASOURCE="y", FORMAT="json")`}, 201)
	dir := t.TempDir()
	rule := func(id, sql, sink string) {
		s.mustCall("POST", "/rules", map[string]any{"id": id, "sql": sql,
			"actions": []any{map[string]any{sink: map[string]any{"path": filepath.Join(dir, id), "sendSingle": true}}}}, 201)
	}
	// Go source → Python function → Go sink, and the other way round.
	rule("go2py", "SELECT n, revert('abc') AS r, double(n) AS d FROM gs", "gofile")
	rule("py2go", "SELECT n, src, double(n) AS d, revert(src) AS r FROM ps", "pyfile")
	rule("agg", "SELECT sumall(n) AS s, pyavg(n) AS a, count(*) AS c FROM gs GROUP BY COUNTWINDOW(3)", "gofile")
	for _, row := range decodeLines(t, lines(t, filepath.Join(dir, "go2py"), 5)) {
		require.Equal(t, "cba", row["r"])
		require.Equal(t, row["n"].(float64)*2, row["d"])
	}
	for _, row := range decodeLines(t, lines(t, filepath.Join(dir, "py2go"), 5)) {
		require.Equal(t, "nohtyp", row["r"])
		require.Equal(t, "python", row["src"])
		require.Equal(t, row["n"].(float64)*2, row["d"])
	}
	for _, row := range decodeLines(t, lines(t, filepath.Join(dir, "agg"), 2)) {
		require.Equal(t, float64(3), row["c"])
		require.InDelta(t, row["s"].(float64), 3*row["a"].(float64), 1e-9)
	}
	for _, id := range []string{"go2py", "py2go", "agg"} {
		st := s.ruleStatus(id)
		require.Equal(t, "running", st["status"], id)
		require.Zero(t, metric(st, "", "_exceptions_total"), "%s: %v", id, st)
	}
	require.Equal(t, 3, s.portableStatus("gosample").RefCount) // the shared source, two sinks
	require.Contains(t, s.logs.String(), "plugin=pysample")
	require.Contains(t, s.logs.String(), "pycounter started")

	// In use: refused.
	code, body := s.call("DELETE", "/plugins/portables/pysample", nil)
	require.Equal(t, 400, code)
	require.Contains(t, body, "in use by rules")
	for _, id := range []string{"go2py", "py2go", "agg"} {
		s.mustCall("DELETE", "/rules/"+id, nil, 200)
	}
	require.Eventually(t, func() bool { return s.portableStatus("gosample").RefCount == 0 }, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, "portable plugin pysample is deleted", s.mustCall("DELETE", "/plugins/portables/pysample", nil, 200))
	require.NoDirExists(t, filepath.Join(s.home, "plugins", "portable", "pysample"))
	require.JSONEq(t, `["double","sumall"]`, s.mustCall("GET", "/plugins/udfs", nil, 200))
	code, _ = s.call("GET", "/plugins/portables/pysample/status", nil)
	require.Equal(t, 404, code)
}

// A crashed plugin is restarted with back-off; rules using it see errors
// meanwhile, and its sources resume afterwards.
func TestPortable_CrashAndRestart(t *testing.T) {
	s := startServer(t, "")
	writeFile(t, filepath.Join(s.home, "etc", "sources", "gocounter.yaml"), []byte("default:\n  interval: 5\n"), 0o644)
	s.mustCall("POST", "/plugins/portables", map[string]any{"name": "gosample", "file": makeZip(t, goSample(t)...)}, 201)
	s.mustCall("POST", "/plugins/portables", map[string]any{"name": "pysample", "file": makeZip(t, pySample(t)...)}, 201)
	s.mustCall("POST", "/streams", map[string]string{"sql": `CREATE STREAM gs () WITH (TYPE="gocounter", DATASOURCE="x", FORMAT="json")`}, 201)
	out := filepath.Join(t.TempDir(), "out")
	s.mustCall("POST", "/rules", map[string]any{"id": "r", "sql": "SELECT n, revert('ab') AS r FROM gs",
		"actions": []any{map[string]any{"gofile": map[string]any{"path": out, "sendSingle": true}}}}, 201)
	lines(t, out, 3)

	// Kill the Python plugin: the rule's function calls fail until it is
	// back.
	before := s.portableStatus("pysample")
	require.NoError(t, syscall.Kill(before.Pid, syscall.SIGKILL))
	require.Eventually(t, func() bool { return metric(s.ruleStatus("r"), "op_", "_exceptions_total") > 0 }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		st := s.portableStatus("pysample")
		return st.Status == "running" && st.Pid != before.Pid
	}, 20*time.Second, 20*time.Millisecond)
	require.Equal(t, "running", s.ruleStatus("r")["status"])
	require.Contains(t, s.logs.String(), "portable plugin crashed")

	// Kill the Go plugin, which runs the rule's source and sink: they are
	// opened again in the new process and rows flow again.
	before = s.portableStatus("gosample")
	require.NoError(t, syscall.Kill(before.Pid, syscall.SIGKILL))
	require.Eventually(t, func() bool {
		st := s.portableStatus("gosample")
		return st.Status == "running" && st.Pid != before.Pid
	}, 20*time.Second, 20*time.Millisecond)
	n := len(lines(t, out, 1))
	lines(t, out, n+5)
	require.Equal(t, "running", s.ruleStatus("r")["status"])
	s.mustCall("GET", "/ping", nil, 200)
}

// Plugins dropped into plugins/portable/<name>/ start with the server and
// stop with it.
func TestPortable_LoadedAtBoot(t *testing.T) {
	home := t.TempDir()
	for _, e := range pySample(t) {
		writeFile(t, filepath.Join(home, "plugins", "portable", "pysample", e.name), e.body, 0o644)
	}
	s := startServer(t, home)
	require.Equal(t, "running", s.portableStatus("pysample").Status)
	pid := s.portableStatus("pysample").Pid
	s.mustCall("POST", "/streams", map[string]string{"sql": `CREATE STREAM ps () WITH (TYPE="pycounter", DATASOURCE="y", FORMAT="json")`}, 201)
	writeFile(t, filepath.Join(home, "etc", "sources", "pycounter.yaml"), []byte("default:\n  interval: 5\n"), 0o644)
	out := filepath.Join(t.TempDir(), "out")
	s.mustCall("POST", "/rules", map[string]any{"id": "r", "sql": "SELECT revert('xy') AS r FROM ps",
		"actions": []any{map[string]any{"pyfile": map[string]any{"path": out}}}}, 201)
	require.Contains(t, lines(t, out, 2)[0], `"r": "yx"`)
	require.NoError(t, s.Close())
	// The process is gone after a clean shutdown.
	require.Eventually(t, func() bool { return syscall.Kill(pid, 0) != nil }, 5*time.Second, 10*time.Millisecond)
}

func TestPortable_InstallRefused(t *testing.T) {
	tests := []struct {
		name    string
		plugin  string
		entries func(t *testing.T) []zipEntry
		want    string
		timeout string
	}{
		{name: "path traversal", plugin: "pysample", want: "leaves the package folder",
			entries: func(t *testing.T) []zipEntry {
				return append(pySample(t), zipEntry{name: "../../../escape.py", body: []byte("x")})
			}},
		{name: "no manifest", plugin: "other", want: "no other.json manifest",
			entries: func(t *testing.T) []zipEntry { return pySample(t) }},
		{name: "manifest lists more", plugin: "pysample", want: "function nothere, which the plugin does not provide",
			entries: func(t *testing.T) []zipEntry {
				e := pySample(t)
				e[1].body = []byte(`{"name":"pysample","version":"1","language":"python","executable":"pysample.py","functions":["revert","nothere"]}`)
				return e
			}},
		{name: "missing executable", plugin: "pysample", want: "the executable pysample.py is not in the zip",
			entries: func(t *testing.T) []zipEntry { return pySample(t)[1:] }},
		{name: "not a plugin", plugin: "pysample", want: "no hello", timeout: "1s",
			entries: func(t *testing.T) []zipEntry {
				e := pySample(t)
				e[0].body = []byte("import time\ntime.sleep(60)\n")
				return e
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var env []string
			if tc.timeout != "" {
				env = append(env, "KUIPER__PORTABLE__INITTIMEOUT="+tc.timeout)
			}
			s := startServer(t, "", env...)
			code, body := s.call("POST", "/plugins/portables", map[string]any{"name": tc.plugin, "file": makeZip(t, tc.entries(t)...)})
			require.Equal(t, 400, code, body)
			require.Contains(t, body, tc.want)
			require.JSONEq(t, `[]`, s.mustCall("GET", "/plugins/portables", nil, 200))
			entries, _ := os.ReadDir(filepath.Join(s.home, "plugins", "portable"))
			require.Empty(t, entries)
			require.NoFileExists(t, filepath.Join(s.home, "escape.py"))
		})
	}
}

// PUT /plugins/portables/{name} swaps the plugin under running rules.
func TestPortable_UpdateWithoutStoppingRules(t *testing.T) {
	s := startServer(t, "")
	writeFile(t, filepath.Join(s.home, "etc", "sources", "gocounter.yaml"), []byte("default:\n  interval: 5\n"), 0o644)
	s.mustCall("POST", "/plugins/portables", map[string]any{"name": "gosample", "file": makeZip(t, goSample(t)...)}, 201)
	s.mustCall("POST", "/streams", map[string]string{"sql": `CREATE STREAM gs () WITH (TYPE="gocounter", DATASOURCE="x", FORMAT="json")`}, 201)
	out := filepath.Join(t.TempDir(), "out")
	s.mustCall("POST", "/rules", map[string]any{"id": "r", "sql": "SELECT n, double(n) AS d FROM gs",
		"actions": []any{map[string]any{"gofile": map[string]any{"path": out, "sendSingle": true}}}}, 201)
	lines(t, out, 3)
	before := s.portableStatus("gosample")

	v2 := goSample(t)
	v2[1].body = []byte(`{"name":"gosample","version":"2.0.0","language":"go","executable":"gosample","sources":["gocounter"],"sinks":["gofile"],"functions":["sumall","double"]}`)
	require.Equal(t, "portable plugin gosample is updated",
		s.mustCall("PUT", "/plugins/portables/gosample", map[string]any{"file": makeZip(t, v2...)}, 200))
	require.Contains(t, s.mustCall("GET", "/plugins/portables/gosample", nil, 200), `"version":"2.0.0"`)
	after := s.portableStatus("gosample")
	require.Equal(t, "running", after.Status)
	require.NotEqual(t, before.Pid, after.Pid)
	n := len(lines(t, out, 1))
	lines(t, out, n+5) // the source and the sink were opened in the new process
	require.Equal(t, "running", s.ruleStatus("r")["status"])

	// An update must keep what the plugin provides.
	v3 := goSample(t)
	v3[1].body = []byte(`{"name":"gosample","version":"3.0.0","language":"go","executable":"gosample","sources":["gocounter"],"functions":["double"]}`)
	code, body := s.call("PUT", "/plugins/portables/gosample", map[string]any{"file": makeZip(t, v3...)})
	require.Equal(t, 400, code)
	require.Contains(t, body, "must provide the same sources, sinks and functions")

	// A version that does not start is rolled back.
	v4 := goSample(t)
	v4[0].body = []byte("#!/bin/sh\nexit 3\n")
	code, body = s.call("PUT", "/plugins/portables/gosample", map[string]any{"file": makeZip(t, v4...)})
	require.Equal(t, 400, code)
	require.Contains(t, body, "the new version does not start")
	require.Equal(t, "running", s.portableStatus("gosample").Status)
	require.Contains(t, s.mustCall("GET", "/plugins/portables/gosample", nil, 200), `"version":"2.0.0"`)
	n = len(lines(t, out, 1))
	lines(t, out, n+3)
}

// Stray output on the plugin's standard output does not break the
// protocol: print() goes to the logs, raw writes are logged and skipped.
func TestPortable_StrayOutput(t *testing.T) {
	s := startServer(t, "")
	writeFile(t, filepath.Join(s.home, "etc", "sources", "gocounter.yaml"), []byte("default:\n  interval: 5\n"), 0o644)
	s.mustCall("POST", "/plugins/portables", map[string]any{"name": "gosample", "file": makeZip(t, goSample(t)...)}, 201)
	script := []byte(`import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuiper_plugin as kp

class Shout(kp.Function):
    def exec(self, args, ctx):
        print("shouting", args[0])
        os.write(1, b"raw junk\n")
        return str(args[0]).upper()

os.write(1, b"junk before the handshake\n")
kp.serve("noisy", "1", functions={"shout2": Shout()})
`)
	zip := makeZip(t,
		zipEntry{name: "noisy.py", body: script},
		zipEntry{name: "noisy.json", body: []byte(`{"name":"noisy","version":"1","language":"python","executable":"noisy.py","functions":["shout2"]}`)},
		zipEntry{name: "kuiper_plugin.py", body: readFile(t, filepath.Join(mustRoot(t), "sdk/python/kuiper_plugin.py"))})
	s.mustCall("POST", "/plugins/portables", map[string]any{"name": "noisy", "file": zip}, 201)
	s.mustCall("POST", "/streams", map[string]string{"sql": `CREATE STREAM gs () WITH (TYPE="gocounter", DATASOURCE="x", FORMAT="json")`}, 201)
	out := filepath.Join(t.TempDir(), "out")
	s.mustCall("POST", "/rules", map[string]any{"id": "r", "sql": "SELECT shout2('hey') AS s FROM gs",
		"actions": []any{map[string]any{"gofile": map[string]any{"path": out, "sendSingle": true}}}}, 201)
	for _, l := range lines(t, out, 3) {
		require.JSONEq(t, `{"s":"HEY"}`, l)
	}
	logs := s.logs.String()
	require.Contains(t, logs, "shouting hey")
	require.Contains(t, logs, "junk before the handshake")
	require.Contains(t, logs, "raw junk")
	require.Contains(t, logs, "not a protocol frame")
	require.Equal(t, "running", s.portableStatus("noisy").Status)
}

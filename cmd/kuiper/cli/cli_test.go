package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/cmd/kuiper/cli"
	"github.com/kuiperio/kuiper/internal/server"
	"github.com/kuiperio/kuiper/internal/server/servertest"
)

type fixture struct {
	url     string
	streams *servertest.Streams
	rules   *servertest.Rules
}

// newFixture serves the REST API over in-memory services holding the
// streams "demo" (read by rule "r1") and "free".
func newFixture(t *testing.T, setup ...func(*servertest.Rules)) *fixture {
	t.Helper()
	f := &fixture{streams: servertest.NewStreams()}
	f.rules = servertest.NewRules(f.streams)
	for _, sql := range []string{
		`CREATE STREAM demo (temperature float, ts bigint) WITH (DATASOURCE="demo", FORMAT="json")`,
		`CREATE STREAM free () WITH (DATASOURCE="free")`,
	} {
		_, err := f.streams.Exec(server.Streams, sql)
		require.NoError(t, err)
	}
	_, err := f.rules.Create(json.RawMessage(`{"id":"r1","sql":"SELECT * FROM demo","actions":[{"log":{}}]}`))
	require.NoError(t, err)
	for _, s := range setup {
		s(f.rules)
	}
	ts := httptest.NewServer(server.New(server.Options{Streams: f.streams, Rules: f.rules}))
	t.Cleanup(ts.Close)
	f.url = ts.URL
	return f
}

type result struct {
	out, err string
	code     int
}

// run executes the CLI with KUIPER_HOST pointing at the fixture.
func (f *fixture) run(t *testing.T, env cli.Env, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	if env.Stdout == nil {
		env.Stdout = &out
	}
	env.Stderr = &errOut
	if env.Getenv == nil {
		env.Getenv = func(k string) string {
			if k == cli.HostEnv {
				return f.url
			}
			return ""
		}
	}
	code := cli.Run(t.Context(), args, env)
	return result{out: out.String(), err: errOut.String(), code: code}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "def")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

type cliCase struct {
	name  string
	args  []string
	out   string // exact stdout
	err   string // exact stderr
	code  int
	check func(t *testing.T, f *fixture)
}

func runCLICases(t *testing.T, cases []cliCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			got := f.run(t, cli.Env{}, tc.args...)
			require.Equal(t, tc.err, got.err, "stderr")
			require.Equal(t, tc.out, got.out, "stdout")
			require.Equal(t, tc.code, got.code, "exit code")
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

func requireStream(t *testing.T, f *fixture, name string, fields ...string) {
	t.Helper()
	d, err := f.streams.Describe(server.Streams, name)
	require.NoError(t, err)
	var names []string
	for _, fd := range d.(servertest.Description).StreamFields {
		names = append(names, fd.Name)
	}
	require.Equal(t, fields, names)
}

func requireRule(t *testing.T, f *fixture, id, def string) {
	t.Helper()
	got, err := f.rules.Get(id)
	require.NoError(t, err)
	require.Equal(t, def, string(got))
}

func TestCLI_Streams(t *testing.T) {
	defFile := writeFile(t, `s5 (a float) WITH (DATASOURCE="x")`)
	bodyFile := writeFile(t, `(b float) WITH (DATASOURCE="x")`)
	stmtFile := writeFile(t, "CREATE STREAM s7 (c float) WITH (DATASOURCE=\"x\");\n")
	describeDemo := "Fields\n" + strings.Repeat("-", 80) + "\n" +
		"temperature  float\nts           bigint\n\nDATASOURCE: demo\nFORMAT: json\n"
	runCLICases(t, []cliCase{
		{name: "create", args: []string{"create", "stream", "s2", `(a bigint, b string) WITH (DATASOURCE="x")`},
			out:   "Stream s2 is created.\n",
			check: func(t *testing.T, f *fixture) { requireStream(t, f, "s2", "a", "b") }},
		{name: "create from a statement", args: []string{"create", "stream", `create stream s3 (a bigint) WITH (DATASOURCE="x")`},
			out:   "Stream s3 is created.\n",
			check: func(t *testing.T, f *fixture) { requireStream(t, f, "s3", "a") }},
		{name: "create from name and definition", args: []string{"create", "stream", `s4 (a bigint) WITH (DATASOURCE="x")`},
			out: "Stream s4 is created.\n"},
		{name: "create from file", args: []string{"create", "stream", "-f", defFile},
			out:   "Stream s5 is created.\n",
			check: func(t *testing.T, f *fixture) { requireStream(t, f, "s5", "a") }},
		{name: "create named from file", args: []string{"create", "stream", "s6", "--file", bodyFile},
			out:   "Stream s6 is created.\n",
			check: func(t *testing.T, f *fixture) { requireStream(t, f, "s6", "b") }},
		{name: "create from statement file", args: []string{"create", "stream", "-f", stmtFile},
			out: "Stream s7 is created.\n"},
		{name: "create json", args: []string{"--json", "create", "stream", "s2", `() WITH (DATASOURCE="x")`},
			out: `{"message":"Stream s2 is created."}` + "\n"},
		{name: "create table", args: []string{"create", "table", "t1", `(a bigint) WITH (DATASOURCE="t", TYPE="file")`},
			out: "Table t1 is created.\n"},
		{name: "create duplicate", args: []string{"create", "stream", "demo", `() WITH (DATASOURCE="x")`},
			err: "Error: Stream command error: Create stream fails: Item demo already exists.\n", code: 1},
		{name: "create duplicate json", args: []string{"create", "stream", "demo", `() WITH (DATASOURCE="x")`, "--json"},
			err:  `{"error":3000,"message":"Stream command error: Create stream fails: Item demo already exists.","status":400}` + "\n",
			code: 1},
		{name: "create without definition", args: []string{"create", "stream", "s2"},
			err: "Error: missing the stream definition: give it as an argument or with -f FILE\n", code: 1},
		{name: "create with both", args: []string{"create", "stream", "s2", "(a bigint)", "-f", defFile},
			err: "Error: give the stream definition either as an argument or with -f, not both\n", code: 1},
		{name: "create missing file", args: []string{"create", "stream", "-f", "/nonexistent/x"},
			err: "Error: read stream definition: open /nonexistent/x: no such file or directory\n", code: 1},
		{name: "create too many args", args: []string{"create", "stream", "a", "b", "c"},
			err: "Error: accepts at most 2 arg(s), received 3\n", code: 1},

		{name: "show", args: []string{"show", "streams"}, out: "demo\nfree\n"},
		{name: "show json", args: []string{"show", "streams", "--json"}, out: `["demo","free"]` + "\n"},
		{name: "show empty", args: []string{"show", "tables"}, out: "No table definitions are found.\n"},
		{name: "show empty json", args: []string{"--json", "show", "tables"}, out: "[]\n"},

		{name: "describe", args: []string{"describe", "stream", "demo"}, out: describeDemo},
		{name: "describe json", args: []string{"describe", "stream", "free", "--json"},
			out: `{"Name":"free","StreamFields":null,"Options":{"datasource":"free"},"StreamType":0,"Statement":null}` + "\n"},
		{name: "describe missing", args: []string{"describe", "table", "nosuch"},
			err: "Error: describe table error: table nosuch is not found\n", code: 1},

		{name: "drop", args: []string{"drop", "stream", "free"}, out: "Stream free is dropped.\n",
			check: func(t *testing.T, f *fixture) { require.False(t, f.streams.Has(server.Streams, "free")) }},
		{name: "drop in use", args: []string{"drop", "stream", "demo"},
			err: "Error: delete stream error: stream demo has been referenced by other rules\n", code: 1},
		{name: "drop missing table", args: []string{"drop", "table", "nosuch"},
			err: "Error: delete table error: table nosuch is not found\n", code: 1},
	})
}

func TestCLI_Rules(t *testing.T) {
	ruleFile := writeFile(t, `{"id":"fromfile","sql":"SELECT ts FROM demo"}`)
	r1Status := "{\n  \"status\": \"running\",\n  \"message\": \"\",\n  \"lastStartTimestamp\": 0,\n" +
		"  \"lastStopTimestamp\": 0,\n  \"nextStartTimestamp\": 0,\n  \"source_demo_0_records_in_total\": 0,\n" +
		"  \"source_demo_0_last_exception\": \"\"\n}\n"
	runCLICases(t, []cliCase{
		{name: "create", args: []string{"create", "rule", "r2", `{"sql":"SELECT * FROM demo","actions":[{"log":{}}]}`},
			out: "Rule r2 was created successfully.\n",
			check: func(t *testing.T, f *fixture) {
				requireRule(t, f, "r2", `{"id":"r2","sql":"SELECT * FROM demo","actions":[{"log":{}}]}`)
			}},
		{name: "create name wins over id", args: []string{"create", "rule", "r2", `{ "sql":"SELECT * FROM demo", "id" : "other" }`},
			out: "Rule r2 was created successfully.\n",
			check: func(t *testing.T, f *fixture) {
				requireRule(t, f, "r2", `{ "sql":"SELECT * FROM demo", "id" : "r2" }`)
			}},
		{name: "create from json only", args: []string{"create", "rule", `{"id":"r3","sql":"SELECT 1 FROM demo"}`},
			out: "Rule r3 was created successfully.\n"},
		{name: "create from file", args: []string{"create", "rule", "-f", ruleFile},
			out: "Rule fromfile was created successfully.\n"},
		{name: "create named from file", args: []string{"create", "rule", "r4", "-f", ruleFile},
			out: "Rule r4 was created successfully.\n",
			check: func(t *testing.T, f *fixture) {
				requireRule(t, f, "r4", `{"id":"r4","sql":"SELECT ts FROM demo"}`)
			}},
		{name: "create not json", args: []string{"create", "rule", "r2", `{"sql":`},
			err: "Error: the rule is not valid JSON: unexpected end of JSON input\n", code: 1},
		{name: "create not an object", args: []string{"create", "rule", "r2", `["x"]`},
			err: "Error: the rule must be a JSON object\n", code: 1},
		{name: "create invalid sql", args: []string{"create", "rule", "r2", `{"sql":"SELEC 1"}`},
			err: "Error: invalid rule json: SQL SELEC 1 is not a select statement.\n", code: 1},
		{name: "create without json", args: []string{"create", "rule", "r2"},
			err: "Error: missing the rule JSON: give it as an argument or with -f FILE\n", code: 1},

		{name: "show", args: []string{"show", "rules"},
			out: "ID  NAME  STATUS   TAGS\nr1  r1    running  \n"},
		{name: "show json", args: []string{"show", "rules", "--json"},
			out: `[{"id":"r1","name":"r1","status":"running","tags":null,"trace":false,"version":""}]` + "\n"},
		{name: "describe", args: []string{"describe", "rule", "r1"},
			out: "{\n  \"id\": \"r1\",\n  \"sql\": \"SELECT * FROM demo\",\n  \"actions\": [\n    {\n      \"log\": {}\n    }\n  ]\n}\n"},
		{name: "describe json", args: []string{"describe", "rule", "r1", "--json"},
			out: `{"id":"r1","sql":"SELECT * FROM demo","actions":[{"log":{}}]}` + "\n"},
		{name: "describe missing", args: []string{"describe", "rule", "nosuch"},
			err: "Error: Describe rule error: rule nosuch not found\n", code: 1},
		{name: "getstatus", args: []string{"getstatus", "rule", "r1"}, out: r1Status},
		{name: "getstatus json", args: []string{"--json", "getstatus", "rule", "r1"},
			out: `{"status":"running","message":"","lastStartTimestamp":0,"lastStopTimestamp":0,"nextStartTimestamp":0,"source_demo_0_records_in_total":0,"source_demo_0_last_exception":""}` + "\n"},
		{name: "getstatus missing", args: []string{"getstatus", "rule", "nosuch"},
			err: "Error: get rule status error: rule nosuch not found\n", code: 1},
		{name: "gettopo", args: []string{"gettopo", "rule", "r1", "--json"},
			out: `{"edges":{"op_project":["sink_log_0"],"source_demo":["op_project"]},"sources":["source_demo"]}` + "\n"},

		{name: "stop", args: []string{"stop", "rule", "r1"}, out: "Rule r1 was stopped.\n"},
		{name: "start", args: []string{"start", "rule", "r1"}, out: "Rule r1 was started\n"},
		{name: "restart", args: []string{"restart", "rule", "r1"}, out: "Rule r1 was restarted\n"},
		{name: "start missing", args: []string{"start", "rule", "nosuch"},
			err: "Error: start rule error: rule nosuch not found\n", code: 1},
		{name: "drop", args: []string{"drop", "rule", "r1"}, out: "Rule r1 is dropped.\n"},
		{name: "drop missing", args: []string{"drop", "rule", "nosuch"},
			err: "Error: Delete rule error: rule nosuch not found\n", code: 1},

		{name: "validate", args: []string{"validate", "rule", "v1", `{"sql":"SELECT * FROM demo"}`},
			out: "The rule is valid; it reads: demo\n"},
		{name: "validate json", args: []string{"validate", "rule", "v1", `{"sql":"SELECT * FROM demo"}`, "--json"},
			out: `{"valid":true,"sources":["demo"],"message":""}` + "\n"},
		{name: "validate invalid", args: []string{"validate", "rule", "v1", `{"sql":"SELECT * FROM nosuch"}`},
			err: "Error: the rule is invalid: fail to get stream nosuch, please check if stream is created\n", code: 1},
		{name: "validate invalid json", args: []string{"--json", "validate", "rule", "-f", writeFile(t, `{"id":"v","sql":"SELECT * FROM nosuch"}`)},
			out: `{"valid":false,"sources":[],"message":"fail to get stream nosuch, please check if stream is created"}` + "\n", code: 1},
	})
}

func TestCLI_Usage(t *testing.T) {
	runCLICases(t, []cliCase{
		{name: "unknown command", args: []string{"frob"},
			err: "Error: unknown command \"frob\" for \"kuiper\"\n\nDid you mean this?\n\tdrop\n", code: 1},
		{name: "verb without kind", args: []string{"drop"},
			err: "Error: drop needs one of: plugin, rule, stream, table; see 'kuiper drop --help'\n", code: 1},
		{name: "missing name", args: []string{"start", "rule"},
			err: "Error: accepts 1 arg(s), received 0\n", code: 1},
	})
}

func TestCLI_Host(t *testing.T) {
	f := newFixture(t)
	bad := func(string) string { return "http://127.0.0.1:1" }

	got := f.run(t, cli.Env{Getenv: bad}, "--host", f.url, "show", "streams")
	require.Equal(t, result{out: "demo\nfree\n"}, got, "--host wins over "+cli.HostEnv)

	got = f.run(t, cli.Env{Getenv: bad}, "show", "streams")
	require.Equal(t, 1, got.code)
	require.Contains(t, got.err, "Error: GET http://127.0.0.1:1/streams: ")
}

// lineWriter collects output and signals each write.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{}
}

func newLineWriter() *lineWriter { return &lineWriter{wrote: make(chan struct{}, 100)} }

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	select {
	case w.wrote <- struct{}{}:
	default:
	}
	return n, err
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitFor waits until the output contains s.
func (w *lineWriter) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(w.String(), s) {
		select {
		case <-w.wrote:
		case <-deadline:
			t.Fatalf("output never contained %q; got %q", s, w.String())
		}
	}
}

func TestCLI_Query(t *testing.T) {
	rows := []json.RawMessage{json.RawMessage(`{"a":1}`), json.RawMessage(`{"a":2}`), json.RawMessage(`{"a":3}`)}
	withRows := func(r *servertest.Rules) { r.QueryRows = rows }
	const printed = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n"

	t.Run("piped statements", func(t *testing.T) {
		f := newFixture(t, withRows)
		got := f.run(t, cli.Env{Stdin: strings.NewReader("SELECT a FROM demo;\n\n  \nSELECT a FROM demo\nquit\nSELECT never\n")}, "query")
		require.Equal(t, result{out: printed + printed}, got)
	})

	t.Run("end of input leaves", func(t *testing.T) {
		f := newFixture(t, withRows)
		got := f.run(t, cli.Env{Stdin: strings.NewReader("SELECT a FROM demo")}, "query")
		require.Equal(t, result{out: printed}, got)
	})

	t.Run("failed statement", func(t *testing.T) {
		f := newFixture(t, withRows)
		got := f.run(t, cli.Env{Stdin: strings.NewReader("SELECT a FROM nosuch\nSELECT a FROM demo\n")}, "query")
		require.Equal(t, result{
			out:  printed,
			err:  "Error: query error: fail to get stream nosuch, please check if stream is created\n",
			code: 1,
		}, got)
	})

	t.Run("prompt", func(t *testing.T) {
		f := newFixture(t, withRows)
		got := f.run(t, cli.Env{Stdin: strings.NewReader("SELECT a FROM demo\nEXIT\n"), Interactive: true}, "query")
		require.Equal(t, result{out: cli.Prompt + printed + cli.Prompt}, got)
	})

	t.Run("prompt at end of input", func(t *testing.T) {
		f := newFixture(t, withRows)
		got := f.run(t, cli.Env{Stdin: strings.NewReader(""), Interactive: true}, "query")
		require.Equal(t, result{out: cli.Prompt + "\n"}, got)
	})

	t.Run("limit", func(t *testing.T) {
		f := newFixture(t, func(r *servertest.Rules) {
			r.QueryRows = rows
			r.QueryWait = true
		})
		got := f.run(t, cli.Env{Stdin: strings.NewReader("SELECT a FROM demo\nSELECT a FROM demo\n")}, "query", "-n", "2")
		require.Equal(t, result{out: "{\"a\":1}\n{\"a\":2}\n{\"a\":1}\n{\"a\":2}\n"}, got)
	})

	t.Run("timeout", func(t *testing.T) {
		f := newFixture(t, func(r *servertest.Rules) {
			r.QueryRows = rows
			r.QueryWait = true
		})
		got := f.run(t, cli.Env{Stdin: strings.NewReader("SELECT a FROM demo\n")}, "query", "--timeout", "50ms")
		require.Equal(t, result{out: printed}, got)
	})

	t.Run("ctrl-c ends the query, not the session", func(t *testing.T) {
		f := newFixture(t, func(r *servertest.Rules) {
			r.QueryRows = rows
			r.QueryWait = true
		})
		stdin, feed := io.Pipe()
		t.Cleanup(func() { _ = feed.Close() })
		out := newLineWriter()
		interrupts := make(chan os.Signal, 1)
		stopped := make(chan struct{})
		env := cli.Env{
			Stdin: stdin, Stdout: out, Interactive: true,
			NotifyInterrupt: func() (<-chan os.Signal, func()) {
				return interrupts, func() { close(stopped) }
			},
		}
		done := make(chan result, 1)
		go func() { done <- f.run(t, env, "query") }()

		_, err := io.WriteString(feed, "SELECT a FROM demo\n")
		require.NoError(t, err)
		out.waitFor(t, printed)
		interrupts <- os.Interrupt
		out.waitFor(t, printed+cli.Prompt)

		interrupts <- os.Interrupt // at the prompt: a hint, the session goes on
		out.waitFor(t, "(type quit or exit to leave)")
		_, err = io.WriteString(feed, "quit\n")
		require.NoError(t, err)

		got := <-done
		require.Equal(t, 0, got.code)
		require.Empty(t, got.err)
		require.Equal(t, cli.Prompt+printed+cli.Prompt+"\n(type quit or exit to leave)\n"+cli.Prompt, out.String())
		<-stopped
	})

	t.Run("context ends the session", func(t *testing.T) {
		f := newFixture(t)
		stdin, feed := io.Pipe()
		t.Cleanup(func() { _ = feed.Close() })
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		code := cli.Run(ctx, []string{"--host", f.url, "query"}, cli.Env{Stdin: stdin})
		require.Equal(t, 1, code)
	})
}

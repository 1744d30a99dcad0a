package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCLI drives an in-process server with the built kuiper binary and
// checks its output and exit codes.
func TestCLI(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs kuiper")
	}
	s := startServer(t, "")
	host := s.RESTURL()
	cl := newClient(t)
	in, out := topicFor(t, "in"), topicFor(t, "out")
	cl.subscribe(out)
	ruleJSON := fmt.Sprintf(`{"sql":"SELECT a FROM demo WHERE a > 10","actions":[{"mqtt":{"server":%q,"topic":%q,"sendSingle":true}}]}`, brokerURL(t), out)
	ruleFile := filepath.Join(t.TempDir(), "r2.json")
	require.NoError(t, os.WriteFile(ruleFile, []byte(`{"sql":"SELECT * FROM demo","actions":[{"nop":{}}]}`), 0o644))

	steps := []struct {
		args   []string
		code   int
		stdout string // exact, or a regexp when it starts with "~"
		stderr string // regexp
	}{
		{[]string{"create", "stream", "demo", fmt.Sprintf(`() WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in)}, 0, "Stream demo is created.\n", ""},
		{[]string{"create", "stream", "demo", fmt.Sprintf(`() WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in)}, 1, "",
			`^Error: .*Item demo already exists\.\n$`},
		{[]string{"show", "streams"}, 0, "demo\n", ""},
		{[]string{"--json", "show", "streams"}, 0, "[\"demo\"]\n", ""},
		{[]string{"describe", "stream", "demo"}, 0, "~" + regexp.QuoteMeta(in), ""},
		{[]string{"show", "rules"}, 0, "No rule definitions are found.\n", ""},
		{[]string{"create", "rule", "r1", ruleJSON}, 0, "Rule r1 was created successfully.\n", ""},
		{[]string{"create", "rule", "r2", "-f", ruleFile}, 0, "Rule r2 was created successfully.\n", ""},
		{[]string{"create", "rule", "r3", `{"sql":"SELECT * FROM demo",`}, 1, "", `^Error: .*not valid JSON`},
		{[]string{"create", "rule", "r3", `{"sql":"SELECT * FROM nosuch","actions":[{"log":{}}]}`}, 1, "",
			`^Error: .*fail to get stream nosuch`},
		{[]string{"show", "rules"}, 0, `~^ID\s+NAME\s+STATUS\s+TAGS\s*\nr1\s+r1\s+running\s*\nr2\s+r2\s+running\s*\n$`, ""},
		{[]string{"getstatus", "rule", "r1"}, 0, `~(?s)^\{\n  "status": "running",\n  "message": "",\n.*"sink_mqtt_0_0_records_in_total": \d+,.*\}\n$`, ""},
		{[]string{"--json", "getstatus", "rule", "r1"}, 0, `~^\{"status":"running","message":"",.*\}\n$`, ""},
		{[]string{"describe", "rule", "r1"}, 0, `~"sql": "SELECT a FROM demo WHERE a > 10"`, ""},
		{[]string{"gettopo", "rule", "r1"}, 0, `~"sources": \[\n\s+"source_demo"`, ""},
		{[]string{"validate", "rule", "v", `{"sql":"SELECT * FROM demo","actions":[{"log":{}}]}`}, 0, "The rule is valid; it reads: demo\n", ""},
		{[]string{"stop", "rule", "r1"}, 0, "Rule r1 was stopped.\n", ""},
		{[]string{"getstatus", "rule", "r1"}, 0, `~"status": "stopped",\n  "message": "canceled manually"`, ""},
		{[]string{"start", "rule", "r1"}, 0, "Rule r1 was started\n", ""},
		{[]string{"restart", "rule", "r1"}, 0, "Rule r1 was restarted\n", ""},
		{[]string{"drop", "rule", "r2"}, 0, "Rule r2 is dropped.\n", ""},
		{[]string{"drop", "rule", "r2"}, 1, "", `^Error: .*rule r2 not found\n$`},
		{[]string{"getstatus", "rule", "nosuch"}, 1, "", `^Error: .*not found`},
		{[]string{"--json", "drop", "rule", "nosuch"}, 1, "", `^\{"error":1000,"message":"Delete rule error: rule nosuch not found","status":400\}\n$`},
		{[]string{"drop", "stream", "demo"}, 1, "", `^Error: .*r1`},
		{[]string{"frobnicate"}, 1, "", `unknown command`},
	}
	for _, st := range steps {
		r := runCLI(t, host, nil, st.args...)
		require.Equal(t, st.code, r.code, "kuiper %q\nstdout: %s\nstderr: %s", st.args, r.stdout, r.stderr)
		if strings.HasPrefix(st.stdout, "~") {
			require.Regexp(t, st.stdout[1:], r.stdout, "kuiper %q", st.args)
		} else {
			require.Equal(t, st.stdout, r.stdout, "kuiper %q", st.args)
		}
		if st.stderr == "" {
			require.Empty(t, r.stderr, "kuiper %q", st.args)
		} else {
			require.Regexp(t, st.stderr, r.stderr, "kuiper %q", st.args)
		}
	}

	// The rule made by the CLI runs.
	s.ready("r1")
	cl.publish(in, []byte(`{"a":11}`))
	cl.publish(in, []byte(`{"a":5}`))
	require.Equal(t, []string{`{"a":11}`}, cl.waitMessages(out, 1))

	t.Run("query", func(t *testing.T) {
		// A message from before the query starts is not printed.
		cl.publish(in, []byte(`{"a":-1,"b":"before"}`))
		rows := runQuery(t, host, "SELECT a, b FROM demo WHERE a >= 0\n", 3, func(i int) {
			cl.publish(in, []byte(fmt.Sprintf(`{"a":%d,"b":"after","c":true}`, i)))
		})
		require.Len(t, rows, 3)
		re := regexp.MustCompile(`^\{"a":\d+,"b":"after"\}$`)
		for _, r := range rows {
			require.Regexp(t, re, r)
		}
	})
	t.Run("query errors", func(t *testing.T) {
		r := runCLI(t, host, strings.NewReader("SELECT * FROM nosuch\n"), "query")
		require.Equal(t, 1, r.code, r.stdout)
		require.Regexp(t, `Error: .*fail to get stream nosuch`, r.stderr)
	})
	t.Run("unreachable server", func(t *testing.T) {
		r := runCLI(t, fmt.Sprintf("http://127.0.0.1:%d", freePort(t)), nil, "show", "streams")
		require.Equal(t, 1, r.code)
		require.True(t, strings.HasPrefix(r.stderr, "Error: "), r.stderr)
	})
}

// runQuery runs "kuiper query --limit N" with sql on stdin and calls
// publish (with a growing number) until the query ends, then returns the
// printed rows. Publishing until the end makes the test independent of
// when the query's subscription is in place.
func runQuery(t testing.TB, host, sql string, limit int, publish func(i int)) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binaries(t), "kuiper"), "--host", host, "query", "--limit", fmt.Sprint(limit))
	cmd.Env = append(os.Environ(), "KUIPER_HOST=")
	var stdout, stderr bytes.Buffer
	cmd.Stdin = strings.NewReader(sql)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for i := 1; ; i++ {
		select {
		case err := <-done:
			require.NoError(t, err, "kuiper query: %s", stderr.String())
			require.Empty(t, stderr.String())
			return readLines(stdout.String())
		case <-tick.C:
			publish(i)
		}
	}
}

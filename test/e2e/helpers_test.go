package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/testkit"
)

// TestMain removes the binaries built for the process tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// subscribed reports whether the MQTT sources of streams have subscribed:
// a source reports itself connected before its SUBACK arrives, and a
// message sent in between is lost. The last "connecting" line of each
// stream must be followed by a "subscribed" one.
func subscribed(logs *logBuffer, streams []string) bool {
	lines := strings.Split(logs.String(), "\n")
	for _, st := range streams {
		attr := " stream=" + st + " "
		state := ""
		for _, l := range lines {
			if !strings.Contains(l, attr) {
				continue
			}
			switch {
			case strings.Contains(l, `msg="mqtt source connecting"`):
				state = "connecting"
			case strings.Contains(l, `msg="mqtt source subscribed"`):
				state = "subscribed"
			}
		}
		if state == "connecting" {
			return false
		}
	}
	return true
}

// statusStreams returns the streams a rule's status reports sources of.
func statusStreams(st map[string]any) []string {
	var out []string
	for k := range st {
		if strings.HasPrefix(k, "source_") && strings.HasSuffix(k, "_0_connection_status") {
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(k, "source_"), "_0_connection_status"))
		}
	}
	return out
}

// ready waits until the rule runs and its MQTT sources are subscribed.
func (s *server) ready(id string) {
	s.t.Helper()
	s.waitRunning(id)
	streams := statusStreams(s.ruleStatus(id))
	require.Eventually(s.t, func() bool { return subscribed(s.logs, streams) }, 10*time.Second, 10*time.Millisecond,
		"waiting for the mqtt sources of %v to subscribe", streams)
}

var topicSeq struct {
	sync.Mutex
	n int
}

// topicFor returns an MQTT topic of its own for a test, so tests can run
// in parallel and against a broker other processes use too.
func topicFor(t testing.TB, name string) string {
	topicSeq.Lock()
	topicSeq.n++
	n := topicSeq.n
	topicSeq.Unlock()
	base := regexp.MustCompile(`[^A-Za-z0-9_]+`).ReplaceAllString(t.Name(), "_")
	return fmt.Sprintf("kt%d/%s/%d/%s", os.Getpid(), base, n, name)
}

// obj is a JSON object literal for request bodies.
type obj = map[string]any

// mqttSink is an mqtt action publishing to topic, with extra properties.
func mqttSink(t testing.TB, topic string, extra obj) obj {
	p := obj{"server": brokerURL(t), "topic": topic}
	for k, v := range extra {
		p[k] = v
	}
	return obj{"mqtt": p}
}

// newRule is a rule body.
func newRule(id, sql string, actions ...obj) obj {
	as := make([]any, len(actions))
	for i, a := range actions {
		as[i] = a
	}
	return obj{"id": id, "sql": sql, "actions": as}
}

// createStream creates a stream or fails the test.
func (s *server) createStream(sql string) {
	s.t.Helper()
	s.mustCall("POST", "/streams", obj{"sql": sql}, 201)
}

// createRule creates a rule and waits until it is ready.
func (s *server) createRule(r obj) {
	s.t.Helper()
	s.mustCall("POST", "/rules", r, 201)
	s.ready(r["id"].(string))
}

// metric returns a numeric metric of a rule's status.
func (s *server) metric(id, key string) float64 {
	s.t.Helper()
	st := s.ruleStatus(id)
	v, ok := st[key]
	require.True(s.t, ok, "rule %s has no metric %s", id, key)
	f, ok := v.(float64)
	require.True(s.t, ok, "metric %s is %T", key, v)
	return f
}

// waitMetric waits until a rule's metric reaches at least min.
func (s *server) waitMetric(id, key string, min float64) {
	s.t.Helper()
	require.Eventually(s.t, func() bool {
		v, ok := s.tryStatus(id)[key].(float64)
		return ok && v >= min
	}, 10*time.Second, 10*time.Millisecond, "waiting for %s of rule %s to reach %v", key, id, min)
}

// ruleIDs lists the ids GET /rules answers.
func (s *server) ruleIDs() []string {
	s.t.Helper()
	var list []struct {
		ID string `json:"id"`
	}
	require.NoError(s.t, json.Unmarshal([]byte(s.mustCall("GET", "/rules", nil, 200)), &list))
	ids := []string{}
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	return ids
}

// orderedKeys returns the keys of a JSON object in document order.
func orderedKeys(t testing.TB, body string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, k.(string))
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
	}
	return keys
}

// noMore asserts that topic receives nothing beyond n messages for a
// short while: a bounded check for unwanted output.
func (c *client) noMore(topic string, n int) {
	c.t.Helper()
	require.Never(c.t, func() bool { return len(c.received(topic)) > n }, 300*time.Millisecond, 20*time.Millisecond,
		"unexpected message on %s: %q", topic, c.received(topic))
}

// binDir holds kuiperd and kuiper, built once per test binary.
var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// binaries builds cmd/kuiperd and cmd/kuiper (once) and returns the
// directory that holds them.
func binaries(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kuiper-e2e-bin")
		if err != nil {
			binErr = err
			return
		}
		binDir = dir
		goBin, err := exec.LookPath("go")
		if err != nil {
			goBin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		}
		cmd := exec.Command(goBin, "build", "-o", dir+string(filepath.Separator), "./cmd/kuiperd", "./cmd/kuiper")
		cmd.Dir = filepath.Join("..", "..")
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binDir
}

// freePort returns a TCP port nothing listens on right now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// daemon is kuiperd running as a child process.
type daemon struct {
	t    testing.TB
	cmd  *exec.Cmd
	url  string
	logs *logBuffer
	done chan struct{}
}

// startDaemon runs the built kuiperd with home and the given environment
// (KUIPER__ overrides) and waits until its REST API answers.
func startDaemon(t testing.TB, home string, port int, env ...string) *daemon {
	t.Helper()
	bin := filepath.Join(binaries(t), "kuiperd")
	cmd := exec.Command(bin, "--home", home)
	cmd.Env = append(os.Environ(),
		"KUIPER__BASIC__RESTIP=127.0.0.1",
		fmt.Sprintf("KUIPER__BASIC__RESTPORT=%d", port),
		"KUIPER__BASIC__CONSOLELOG=true",
		"KUIPER__BASIC__LOGLEVEL=info",
	)
	cmd.Env = append(cmd.Env, env...)
	d := &daemon{t: t, cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port), logs: &logBuffer{}, done: make(chan struct{})}
	cmd.Stdout = d.logs
	cmd.Stderr = d.logs
	require.NoError(t, cmd.Start())
	go func() {
		_ = cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		select {
		case <-d.done:
			return
		default:
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-d.done
		}
	})
	require.Eventually(t, func() bool {
		select {
		case <-d.done:
			return true
		default:
		}
		resp, err := http.Get(d.url + "/ping")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, 20*time.Second, 20*time.Millisecond, "kuiperd did not answer")
	select {
	case <-d.done:
		t.Fatalf("kuiperd exited: %s\n%s", cmd.ProcessState, d.logs.String())
	default:
	}
	return d
}

// kill ends the daemon with SIGKILL and waits for it.
func (d *daemon) kill() {
	d.t.Helper()
	require.NoError(d.t, d.cmd.Process.Signal(syscall.SIGKILL))
	<-d.done
}

// stop ends the daemon with SIGTERM (graceful shutdown) and waits.
func (d *daemon) stop() {
	d.t.Helper()
	require.NoError(d.t, d.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		d.t.Fatal("kuiperd did not stop on SIGTERM")
	}
}

// call sends a REST request to the daemon.
func (d *daemon) call(method, path string, body any) (int, string) {
	d.t.Helper()
	return httpCall(d.t, d.url, method, path, body)
}

func (d *daemon) mustCall(method, path string, body any, status int) string {
	d.t.Helper()
	code, out := d.call(method, path, body)
	require.Equal(d.t, status, code, "%s %s: %s", method, path, out)
	return out
}

// waitReady waits until the rule runs and the daemon's MQTT sources are
// subscribed.
func (d *daemon) waitReady(id string) {
	d.t.Helper()
	require.Eventually(d.t, func() bool {
		code, out, _ := tryCall(d.url, "GET", "/rules/"+id+"/status", nil)
		var st map[string]any
		return code == 200 && json.Unmarshal([]byte(out), &st) == nil && st["status"] == "running" && sourcesConnected(st)
	}, 10*time.Second, 20*time.Millisecond, "rule %s does not run: %s", id, d.logs)
	_, out := d.call("GET", "/rules/"+id+"/status", nil)
	var st map[string]any
	require.NoError(d.t, json.Unmarshal([]byte(out), &st))
	streams := statusStreams(st)
	require.Eventually(d.t, func() bool { return subscribed(d.logs, streams) }, 10*time.Second, 10*time.Millisecond)
}

// httpCall sends a REST request to base and returns the status and body.
func httpCall(t testing.TB, base, method, path string, body any) (int, string) {
	t.Helper()
	code, out, err := tryCall(base, method, path, body)
	require.NoError(t, err)
	return code, out
}

// tryCall is httpCall for goroutines other than the test's: it returns
// the error instead of failing the test.
func tryCall(base, method, path string, body any) (int, string, error) {
	r, err := testkit.Body(body)
	if err != nil {
		return 0, "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, base+path, r)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), err
}

// cliResult is what one run of the kuiper CLI did.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs the built kuiper binary with args against host, stdin as
// its input.
func runCLI(t testing.TB, host string, stdin io.Reader, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binaries(t), "kuiper"), append([]string{"--host", host}, args...)...)
	cmd.Env = append(os.Environ(), "KUIPER_HOST=")
	var out, errb bytes.Buffer
	cmd.Stdin = stdin
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(t, ok, "run kuiper %v: %v", args, err)
		code = ee.ExitCode()
	}
	require.NoError(t, ctx.Err(), "kuiper %v did not end", args)
	return cliResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// readLines splits output into non-empty lines.
func readLines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out
}

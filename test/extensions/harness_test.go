// Package extensions_test runs kuiperd in-process with native and portable
// plugins and drives them through the REST API and real rules.
package extensions_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/app"
	"github.com/kuiperio/kuiper/internal/plugin/pluginbuild"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pluginbuild.Cleanup()
	os.Exit(code)
}

// logBuffer collects the server's log; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type server struct {
	*app.App
	home string
	logs *logBuffer
	t    testing.TB
}

// startServer starts kuiperd on a free port with home as its home folder
// ("" for a fresh one) and extra KUIPER__ settings.
func startServer(t testing.TB, home string, environ ...string) *server {
	t.Helper()
	if home == "" {
		home = t.TempDir()
	}
	logs := &logBuffer{}
	var w io.Writer = logs
	if os.Getenv("KUIPER_TEST_LOG") != "" {
		w = io.MultiWriter(logs, os.Stderr)
	}
	a, err := app.Start(app.Options{
		Home: home,
		// A loaded machine (CI under -race) can take seconds to start python.
		Environ:    append([]string{"KUIPER__MQTT__EMBEDDEDBROKER=never", "KUIPER__PORTABLE__INITTIMEOUT=20s"}, environ...),
		RESTAddr:   "127.0.0.1:0",
		MQTTServer: "tcp://127.0.0.1:1",
		Logger:     slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	return &server{App: a, home: home, logs: logs, t: t}
}

func (s *server) call(method, path string, body any) (int, string) {
	s.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(s.t, err)
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.RESTURL()+path, r)
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return resp.StatusCode, string(data)
}

func (s *server) mustCall(method, path string, body any, status int) string {
	s.t.Helper()
	code, out := s.call(method, path, body)
	require.Equal(s.t, status, code, "%s %s: %s", method, path, out)
	return out
}

func (s *server) ruleStatus(id string) map[string]any {
	s.t.Helper()
	var m map[string]any
	require.NoError(s.t, json.Unmarshal([]byte(s.mustCall("GET", "/rules/"+id+"/status", nil, 200)), &m))
	return m
}

// metric sums the status entries whose key has prefix and suffix.
func metric(st map[string]any, prefix, suffix string) float64 {
	var n float64
	for k, v := range st {
		if strings.HasPrefix(k, prefix) && strings.HasSuffix(k, suffix) {
			if f, ok := v.(float64); ok {
				n += f
			}
		}
	}
	return n
}

// lines waits until file holds at least n lines and returns them.
func lines(t testing.TB, file string, n int) []string {
	t.Helper()
	var out []string
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(file)
		if err != nil {
			return false
		}
		out = strings.Split(strings.TrimSpace(string(b)), "\n")
		return len(out) >= n && out[0] != ""
	}, 20*time.Second, 20*time.Millisecond, "waiting for %d lines in %s", n, file)
	return out
}

// writeFile writes content under the server home (creating folders).
func writeFile(t testing.TB, path string, content []byte, perm os.FileMode) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, content, perm))
}

// linkPlugin puts a built .so into home/plugins/<kind>/file as a symbolic
// link, so every server of the test binary opens the same file.
func linkPlugin(t testing.TB, home, kind, so, file string) {
	t.Helper()
	dir := filepath.Join(home, "plugins", kind)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.Symlink(so, filepath.Join(dir, file)))
}

// zipEntry is one file of a test package.
type zipEntry struct {
	name string
	body []byte
	mode os.FileMode
}

// makeZip writes a zip of entries and returns its file:// URL.
func makeZip(t testing.TB, entries ...zipEntry) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "plugin.zip")
	f, err := os.Create(p)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write(e.body)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	return "file://" + p
}

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return b
}

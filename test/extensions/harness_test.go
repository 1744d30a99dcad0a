// Package extensions_test runs kuiperd in-process with native and portable
// plugins and drives them through the REST API and real rules.
package extensions_test

import (
	"archive/zip"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/plugin/pluginbuild"
	"github.com/kuiperio/kuiper/internal/testkit"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pluginbuild.Cleanup()
	os.Exit(code)
}

type server struct {
	*testkit.Server
	home string
	logs *testkit.LogBuffer
	t    testing.TB
}

// startServer starts kuiperd on a free port with home as its home folder
// ("" for a fresh one) and extra KUIPER__ settings.
func startServer(t testing.TB, home string, environ ...string) *server {
	t.Helper()
	ks := testkit.Start(t, testkit.Options{
		Home: home,
		// A loaded machine (CI under -race) can take seconds to start python.
		Environ:    append([]string{"KUIPER__PORTABLE__INITTIMEOUT=20s"}, environ...),
		MQTTServer: "tcp://127.0.0.1:1",
		Level:      slog.LevelDebug,
	})
	return &server{Server: ks, home: ks.Home, logs: ks.Logs, t: t}
}

func (s *server) call(method, path string, body any) (int, string) {
	s.t.Helper()
	return s.Call(method, path, body)
}

func (s *server) mustCall(method, path string, body any, status int) string {
	s.t.Helper()
	return s.MustCall(method, path, body, status)
}

func (s *server) ruleStatus(id string) map[string]any {
	s.t.Helper()
	return s.RuleStatus(id)
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

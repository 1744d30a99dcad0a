package plugin_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/plugin"
)

type entry struct {
	name string
	body string
	mode os.FileMode
}

func zipFile(t *testing.T, entries ...entry) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write([]byte(e.body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	p := filepath.Join(t.TempDir(), "p.zip")
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o644))
	return p
}

func TestOpenPackage(t *testing.T) {
	tests := []struct {
		name    string
		entries []entry
		max     int64
		wantErr string
	}{
		{name: "ok", entries: []entry{{name: "A.so", body: "x"}, {name: "dir/", mode: os.ModeDir | 0o755}, {name: "dir/f", body: "y"}}},
		{name: "traversal", entries: []entry{{name: "a/../../x", body: "x"}}, wantErr: "leaves the package folder"},
		{name: "absolute", entries: []entry{{name: "/etc/x", body: "x"}}, wantErr: "absolute or unsafe"},
		{name: "backslash", entries: []entry{{name: `..\x`, body: "x"}}, wantErr: "absolute or unsafe"},
		{name: "symlink", entries: []entry{{name: "link", body: "/etc/passwd", mode: os.ModeSymlink | 0o777}}, wantErr: "not a regular file"},
		{name: "bomb", entries: []entry{{name: "big", body: strings.Repeat("0", 1<<20)}}, max: 1 << 10, wantErr: "unpacked size exceeds the 1024-byte limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := plugin.OpenPackage(zipFile(t, tc.entries...), tc.max)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, plugin.ErrPackage)
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			defer p.Close()
			dir := t.TempDir()
			require.NoError(t, p.ExtractAll(dir))
			require.FileExists(t, filepath.Join(dir, "dir", "f"))
		})
	}
}

func TestFetch(t *testing.T) {
	body := strings.Repeat("z", 2000)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing.zip" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	defer ts.Close()
	p, err := plugin.Fetch(context.Background(), ts.Client(), ts.URL+"/p.zip", 0)
	require.NoError(t, err)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, body, string(b))
	os.Remove(p)

	_, err = plugin.Fetch(context.Background(), ts.Client(), ts.URL+"/p.zip", 1000)
	require.ErrorContains(t, err, "larger than the 1000-byte limit")
	_, err = plugin.Fetch(context.Background(), ts.Client(), ts.URL+"/missing.zip", 0)
	require.ErrorContains(t, err, "HTTP 404")
	_, err = plugin.Fetch(context.Background(), nil, "gopher://x", 0)
	require.ErrorIs(t, err, plugin.ErrPackage)
}

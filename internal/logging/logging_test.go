package logging_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/logging"
)

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in      string
		want    slog.Level
		wantErr bool
	}{
		{in: "debug", want: slog.LevelDebug},
		{in: "DEBUG", want: slog.LevelDebug},
		{in: "info", want: slog.LevelInfo},
		{in: "", want: slog.LevelInfo},
		{in: "warn", want: slog.LevelWarn},
		{in: "Warning", want: slog.LevelWarn},
		{in: "error", want: slog.LevelError},
		{in: "trace", wantErr: true},
		{in: "loud", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := logging.ParseLevel(tc.in)
			if tc.wantErr {
				require.ErrorContains(t, err, "unknown log level")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestNew_Console(t *testing.T) {
	tests := []struct {
		name   string
		cfg    logging.LogConfig
		check  func(t *testing.T, out string)
		logged bool
	}{
		{
			name: "text at info",
			cfg:  logging.LogConfig{Console: true},
			check: func(t *testing.T, out string) {
				require.Contains(t, out, "level=INFO")
				require.Contains(t, out, `msg="rule started"`)
				require.Contains(t, out, "rule=r1")
				require.Contains(t, out, "time=")
				require.NotContains(t, out, "level=DEBUG")
			},
		},
		{
			name: "json at debug",
			cfg:  logging.LogConfig{Console: true, Format: "json", Level: "debug"},
			check: func(t *testing.T, out string) {
				lines := strings.Split(strings.TrimSpace(out), "\n")
				require.Len(t, lines, 4)
				var rec map[string]any
				require.NoError(t, json.Unmarshal([]byte(lines[0]), &rec))
				require.Equal(t, "DEBUG", rec["level"])
				require.Equal(t, "payload", rec["msg"])
				require.Equal(t, "r1", rec["rule"])
				require.Contains(t, rec, "time")
			},
		},
		{
			name: "warn hides info",
			cfg:  logging.LogConfig{Console: true, Level: "warn"},
			check: func(t *testing.T, out string) {
				require.NotContains(t, out, "rule started")
				require.Contains(t, out, "level=WARN")
				require.Contains(t, out, "level=ERROR")
			},
		},
		{
			name: "no timestamp",
			cfg:  logging.LogConfig{Console: true, DisableTimestamp: true, Format: "JSON"},
			check: func(t *testing.T, out string) {
				require.NotContains(t, out, `"time"`)
				require.Contains(t, out, `"msg":"rule started"`)
			},
		},
		{
			name: "console off",
			cfg:  logging.LogConfig{},
			check: func(t *testing.T, out string) {
				require.Empty(t, out)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			tc.cfg.ConsoleWriter = &buf
			logger, closer, err := logging.New(tc.cfg, t.TempDir())
			require.NoError(t, err)
			l := logger.With(logging.KeyRule, "r1")
			l.Debug("payload", "bytes", 12)
			l.Info("rule started")
			l.Warn("sink retry")
			l.Error("rule failed", logging.KeyError, "boom")
			require.NoError(t, closer.Close())
			tc.check(t, buf.String())
		})
	}
}

func TestNew_Errors(t *testing.T) {
	tests := []struct {
		name string
		cfg  logging.LogConfig
		dir  func(t *testing.T) string
		want string
	}{
		{name: "bad level", cfg: logging.LogConfig{Level: "chatty"}, want: `unknown log level "chatty"`},
		{name: "bad format", cfg: logging.LogConfig{Format: "xml"}, want: `unknown log format "xml"`},
		{
			name: "log dir is a file",
			cfg:  logging.LogConfig{File: true},
			dir: func(t *testing.T) string {
				p := filepath.Join(t.TempDir(), "log")
				require.NoError(t, os.WriteFile(p, nil, 0o600))
				return p
			},
			want: "create log directory",
		},
		{
			name: "log file is a directory",
			cfg:  logging.LogConfig{File: true},
			dir: func(t *testing.T) string {
				d := t.TempDir()
				require.NoError(t, os.Mkdir(filepath.Join(d, logging.FileName), 0o755))
				return d
			},
			want: "open log file",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.dir != nil {
				dir = tc.dir(t)
			}
			_, _, err := logging.New(tc.cfg, dir)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestNew_File(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "log") // created by New
	var console bytes.Buffer
	cfg := logging.LogConfig{File: true, Console: true, ConsoleWriter: &console}

	logger, closer, err := logging.New(cfg, dir)
	require.NoError(t, err)
	logger.Info("first run")
	require.NoError(t, closer.Close())
	require.NoError(t, closer.Close(), "closing twice is harmless")

	logger, closer, err = logging.New(cfg, dir)
	require.NoError(t, err)
	logger.Info("second run")
	require.NoError(t, closer.Close())

	data, err := os.ReadFile(filepath.Join(dir, logging.FileName))
	require.NoError(t, err)
	require.Contains(t, string(data), "first run", "the file is appended to")
	require.Contains(t, string(data), "second run")
	require.Equal(t, string(data), console.String(), "console and file get the same records")
}

func TestNew_LevelVar(t *testing.T) {
	var buf bytes.Buffer
	lv := new(slog.LevelVar)
	logger, _, err := logging.New(logging.LogConfig{Console: true, ConsoleWriter: &buf, Level: "error", LevelVar: lv}, t.TempDir())
	require.NoError(t, err)
	require.Equal(t, slog.LevelError, lv.Level())
	logger.Info("hidden")
	lv.Set(slog.LevelInfo) // PATCH /configs
	logger.Info("shown")
	require.NotContains(t, buf.String(), "hidden")
	require.Contains(t, buf.String(), "shown")
}

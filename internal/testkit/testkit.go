// Package testkit runs kuiperd in-process for end-to-end tests and talks
// to its REST API. Only tests import it.
package testkit

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/app"
)

// LogBuffer collects log output; it is safe for concurrent use.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Lines returns the logged lines that contain every one of subs.
func (b *LogBuffer) Lines(subs ...string) []string {
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		ok := l != ""
		for _, s := range subs {
			ok = ok && strings.Contains(l, s)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

// Options configure Start.
type Options struct {
	// Home is the home folder; "" for a fresh temporary one.
	Home string
	// Environ holds KUIPER__ overrides; the embedded broker is off
	// unless they turn it on.
	Environ    []string
	MQTTServer string
	// Level is the lowest level logged (Info when zero).
	Level slog.Level
}

// Server is a kuiperd running in-process on a free port; the test's
// cleanup closes it.
type Server struct {
	*app.App
	Home string
	// Logs holds what the server logged. With KUIPER_TEST_LOG set, it is
	// also written to stderr, at debug level.
	Logs *LogBuffer
	T    testing.TB
}

// Start starts kuiperd or fails the test.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Home == "" {
		o.Home = t.TempDir()
	}
	logs := &LogBuffer{}
	var w io.Writer = logs
	level := o.Level
	if os.Getenv("KUIPER_TEST_LOG") != "" {
		w = io.MultiWriter(logs, os.Stderr)
		level = slog.LevelDebug
	}
	a, err := app.Start(app.Options{
		Home:       o.Home,
		Environ:    append([]string{"KUIPER__MQTT__EMBEDDEDBROKER=never"}, o.Environ...),
		RESTAddr:   "127.0.0.1:0",
		MQTTServer: o.MQTTServer,
		Logger:     slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	return &Server{App: a, Home: o.Home, Logs: logs, T: t}
}

// Body is a request body: none for nil, a string as it is, anything else
// as JSON.
func Body(body any) (io.Reader, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case string:
		return strings.NewReader(b), nil
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(data), nil
}

// Call sends a REST request (body: nil, a string, or a value sent as
// JSON) and returns the status and body.
func (s *Server) Call(method, path string, body any) (int, string) {
	s.T.Helper()
	r, err := Body(body)
	require.NoError(s.T, err)
	req, err := http.NewRequest(method, s.RESTURL()+path, r)
	require.NoError(s.T, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.T, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(s.T, err)
	return resp.StatusCode, string(data)
}

// MustCall is Call that requires the given status.
func (s *Server) MustCall(method, path string, body any, status int) string {
	s.T.Helper()
	code, out := s.Call(method, path, body)
	require.Equal(s.T, status, code, "%s %s: %s", method, path, out)
	return out
}

// RuleStatus returns the decoded status object of a rule.
func (s *Server) RuleStatus(id string) map[string]any {
	s.T.Helper()
	var m map[string]any
	require.NoError(s.T, json.Unmarshal([]byte(s.MustCall("GET", "/rules/"+id+"/status", nil, 200)), &m))
	return m
}

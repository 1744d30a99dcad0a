package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/clock"
	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/internal/server"
	"github.com/kuiperio/kuiper/internal/server/servertest"
)

// fixture is a server over in-memory services holding the stream "demo"
// (read by the running rule "r1") and the unused stream "free".
type fixture struct {
	srv     *server.Server
	streams *servertest.Streams
	rules   *servertest.Rules
	clock   *clock.Fake
}

var t0 = time.Date(2024, 4, 1, 12, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, mutate ...func(*server.Options)) *fixture {
	t.Helper()
	f := &fixture{streams: servertest.NewStreams(), clock: clock.NewFake(t0)}
	f.rules = servertest.NewRules(f.streams)
	for _, sql := range []string{
		`CREATE STREAM demo (temperature float, ts bigint) WITH (DATASOURCE="demo", FORMAT="json", TYPE="mqtt")`,
		`CREATE STREAM free () WITH (DATASOURCE="free")`,
	} {
		_, err := f.streams.Exec(server.Streams, sql)
		require.NoError(t, err)
	}
	_, err := f.rules.Create(json.RawMessage(`{"id":"r1","sql":"SELECT * FROM demo","actions":[{"log":{}}]}`))
	require.NoError(t, err)
	opts := server.Options{
		Streams: f.streams, Rules: f.rules, Version: "1.2.3",
		StartTime: t0, Clock: f.clock, MaxBodyBytes: 256,
		Logger: slog.New(slog.DiscardHandler),
	}
	for _, m := range mutate {
		m(&opts)
	}
	f.srv = server.New(opts)
	return f
}

func (f *fixture) do(method, path, body string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return rec
}

type routeCase struct {
	name   string
	setup  func(*fixture)
	method string
	path   string
	body   string
	status int
	want   string // exact body
}

func runCases(t *testing.T, cases []routeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			rec := f.do(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, rec.Code, "body: %s", rec.Body.String())
			require.Equal(t, tc.want, rec.Body.String())
			if tc.status >= 400 {
				require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			}
		})
	}
}

func errBody(code int, msg string) string {
	b, _ := json.Marshal(map[string]any{"error": code, "message": msg})
	// json.Marshal sorts keys: error before message, as eKuiper writes.
	return string(b) + "\n"
}

const bigBody = `{"sql":"` + "CREATE STREAM x () WITH (DATASOURCE=\\\"................................................................................................................................................................................................................................................................\\\")" + `"}`

func TestServer_Root(t *testing.T) {
	f := newFixture(t)
	f.clock.Advance(90 * time.Second)
	rec := f.do("GET", "/", "")
	require.Equal(t, http.StatusOK, rec.Code)
	var got map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	require.Equal(t, "1.2.3", got["version"])
	require.Equal(t, float64(90), got["upTimeSeconds"])
	require.NotEmpty(t, got["os"])
	require.NotEmpty(t, got["arch"])
	require.Len(t, got, 4)

	rec = f.do("GET", "/ping", "")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Empty(t, rec.Body.String())
}

func TestServer_Streams(t *testing.T) {
	createDemo := `{"sql":"CREATE STREAM demo () WITH (DATASOURCE=\"demo\")"}`
	runCases(t, []routeCase{
		{name: "create", method: "POST", path: "/streams",
			body:   `{"sql":"CREATE STREAM s1 (a bigint) WITH (DATASOURCE=\"t\")"}`,
			status: 201, want: "Stream s1 is created."},
		{name: "create table", method: "POST", path: "/tables",
			body:   `{"sql":"CREATE TABLE t1 (a bigint) WITH (DATASOURCE=\"t\", TYPE=\"file\")"}`,
			status: 201, want: "Table t1 is created."},
		{name: "create duplicate", method: "POST", path: "/streams", body: createDemo,
			status: 400, want: errBody(3000, "Stream command error: Create stream fails: Item demo already exists.")},
		{name: "show", method: "POST", path: "/streams", body: `{"sql":"SHOW STREAMS"}`,
			status: 200, want: `["demo","free"]`},
		{name: "describe statement", method: "POST", path: "/streams", body: `{"sql":"DESCRIBE STREAM free"}`,
			status: 200, want: `{"Name":"free","StreamFields":null,"Options":{"datasource":"free"},"StreamType":0,"Statement":null}`},
		{name: "drop statement", method: "POST", path: "/streams", body: `{"sql":"DROP STREAM free"}`,
			status: 200, want: "Stream free is dropped."},
		{name: "drop statement in use", method: "POST", path: "/streams", body: `{"sql":"DROP STREAM demo"}`,
			status: 400, want: errBody(3000, "Stream command error: stream demo has been referenced by other rules")},
		{name: "parse error", method: "POST", path: "/tables", body: `{"sql":"SELEC x FROM y"}`,
			status: 400, want: errBody(2001, `Table command error: found "SELEC", expected a stream statement`)},
		{name: "body not json", method: "POST", path: "/streams", body: `{bad`,
			status: 400, want: errBody(1000, "Invalid body: invalid character 'b' looking for beginning of object key string (at offset 2)")},
		{name: "empty body", method: "POST", path: "/streams",
			status: 400, want: errBody(1000, "Invalid body: unexpected end of JSON input (at offset 0)")},
		{name: "sql not a string", method: "POST", path: "/streams", body: `{"sql":5}`,
			status: 400, want: errBody(1000, `Invalid body: field "sql": cannot use number as string`)},
		{name: "sql missing", method: "POST", path: "/streams", body: `{}`,
			status: 400, want: errBody(1000, `Invalid body: field "sql" is required`)},
		{name: "body an array", method: "POST", path: "/streams", body: `[]`,
			status: 400, want: errBody(1000, `Invalid body: expected a JSON object, got array`)},
		{name: "body too large", method: "POST", path: "/streams", body: bigBody,
			status: 413, want: errBody(1000, "Invalid body: request body too large, the limit is 256 bytes")},
		{name: "exec service error", method: "POST", path: "/streams", body: createDemo,
			setup:  func(f *fixture) { f.streams.Fail("Exec", errs.New(errs.IO, "disk full")) },
			status: 400, want: errBody(1003, "Stream command error: disk full")},

		{name: "list", method: "GET", path: "/streams", status: 200, want: `["demo","free"]`},
		{name: "list tables empty", method: "GET", path: "/tables", status: 200, want: `[]`},
		{name: "list error", method: "GET", path: "/tables",
			setup:  func(f *fixture) { f.streams.Fail("List", errors.New("boom")) },
			status: 400, want: errBody(1000, "Table command error: boom")},
		{name: "details", method: "GET", path: "/streamdetails", status: 200,
			want: `[{"name":"demo","type":"mqtt","format":"json"},{"name":"free","type":"mqtt","format":"json"}]`},
		{name: "table details empty", method: "GET", path: "/tabledetails", status: 200, want: `[]`},
		{name: "details error", method: "GET", path: "/streamdetails",
			setup:  func(f *fixture) { f.streams.Fail("Details", errs.New(errs.StreamTable, "boom")) },
			status: 400, want: errBody(3000, "Stream command error: boom")},

		{name: "describe", method: "GET", path: "/streams/demo", status: 200,
			want: `{"Name":"demo","StreamFields":[{"Name":"temperature","FieldType":{"Type":2}},{"Name":"ts","FieldType":{"Type":1}}],"Options":{"datasource":"demo","format":"json","type":"mqtt"},"StreamType":0,"Statement":null}`},
		{name: "describe missing", method: "GET", path: "/streams/nosuch",
			status: 404, want: errBody(1002, "describe stream error: stream nosuch is not found")},
		{name: "describe missing table", method: "GET", path: "/tables/nosuch",
			status: 404, want: errBody(1002, "describe table error: table nosuch is not found")},

		{name: "replace", method: "PUT", path: "/streams/demo",
			body:   `{"sql":"CREATE STREAM demo (a bigint) WITH (DATASOURCE=\"x\")"}`,
			status: 200, want: "Stream demo is replaced."},
		{name: "replace missing", method: "PUT", path: "/streams/nosuch",
			body:   `{"sql":"CREATE STREAM nosuch () WITH (DATASOURCE=\"x\")"}`,
			status: 404, want: errBody(1002, "Stream command error: stream nosuch is not found")},
		{name: "replace other name", method: "PUT", path: "/streams/demo",
			body:   `{"sql":"CREATE STREAM free () WITH (DATASOURCE=\"x\")"}`,
			status: 400, want: errBody(3000, "Stream command error: Replace stream fails: the statement defines free, not demo")},
		{name: "replace bad body", method: "PUT", path: "/streams/demo", body: `nope`,
			status: 400, want: errBody(1000, "Invalid body: invalid character 'o' in literal null (expecting 'u') (at offset 2)")},

		{name: "drop", method: "DELETE", path: "/streams/free", status: 200, want: "Stream free is dropped."},
		{name: "drop in use", method: "DELETE", path: "/streams/demo",
			status: 400, want: errBody(3000, "delete stream error: stream demo has been referenced by other rules")},
		{name: "drop missing", method: "DELETE", path: "/streams/nosuch",
			status: 404, want: errBody(1002, "delete stream error: stream nosuch is not found")},
		{name: "drop missing table", method: "DELETE", path: "/tables/nosuch",
			status: 404, want: errBody(1002, "delete table error: table nosuch is not found")},

		{name: "schema", method: "GET", path: "/streams/demo/schema", status: 200,
			want: `{"temperature":{"type":"float"},"ts":{"type":"bigint"}}`},
		{name: "schema missing", method: "GET", path: "/tables/nosuch/schema",
			status: 404, want: errBody(1002, "get schema of table error: table nosuch is not found")},
	})
}

func TestServer_Rules(t *testing.T) {
	r1Status := `{"status":"running","message":"","lastStartTimestamp":0,"lastStopTimestamp":0,"nextStartTimestamp":0,"source_demo_0_records_in_total":0,"source_demo_0_last_exception":""}`
	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, []byte(r1Status), "", "  "))
	notFound := errs.New(errs.NotFound, "rule r9 not found")
	runCases(t, []routeCase{
		{name: "create", method: "POST", path: "/rules",
			body:   `{"id":"r2","sql":"SELECT a FROM demo","actions":[{"log":{}}]}`,
			status: 201, want: "Rule r2 was created successfully."},
		{name: "create not select", method: "POST", path: "/rules",
			body:   `{"id":"bad","sql":"SELEC * FROM demo","actions":[{"log":{}}]}`,
			status: 400, want: errBody(1000, "invalid rule json: SQL SELEC * FROM demo is not a select statement.")},
		{name: "create unknown stream", method: "POST", path: "/rules",
			body:   `{"id":"bad2","sql":"SELECT * FROM nosuch","actions":[{"log":{}}]}`,
			status: 400, want: errBody(1000, "fail to get stream nosuch, please check if stream is created")},
		{name: "create duplicate", method: "POST", path: "/rules",
			body:   `{"id":"r1","sql":"SELECT * FROM demo","actions":[{"log":{}}]}`,
			status: 400, want: errBody(4000, "rule r1 already exists")},
		{name: "create not found error is 400", method: "POST", path: "/rules",
			body:   `{"id":"r2","sql":"SELECT * FROM demo"}`,
			setup:  func(f *fixture) { f.rules.Fail("Create", notFound) },
			status: 400, want: errBody(1000, "rule r9 not found")},
		{name: "create body not json", method: "POST", path: "/rules", body: `{"id":`,
			status: 400, want: errBody(1000, "Invalid body: unexpected end of JSON input (at offset 6)")},
		{name: "create body an array", method: "POST", path: "/rules", body: `[1]`,
			status: 400, want: errBody(1000, "Invalid body: expected a JSON object, got array")},
		{name: "create body null", method: "POST", path: "/rules", body: `null`,
			status: 400, want: errBody(1000, "Invalid body: expected a JSON object, got null")},
		{name: "create body too large", method: "POST", path: "/rules", body: bigBody,
			status: 413, want: errBody(1000, "Invalid body: request body too large, the limit is 256 bytes")},

		{name: "list", method: "GET", path: "/rules", status: 200,
			want: `[{"id":"r1","name":"r1","status":"running","tags":null,"trace":false,"version":""}]`},
		{name: "list error", method: "GET", path: "/rules",
			setup:  func(f *fixture) { f.rules.Fail("List", errs.New(errs.IO, "disk full")) },
			status: 400, want: errBody(1003, "Show rules error: disk full")},

		{name: "get", method: "GET", path: "/rules/r1", status: 200,
			want: `{"id":"r1","sql":"SELECT * FROM demo","actions":[{"log":{}}]}`},
		{name: "get missing", method: "GET", path: "/rules/r9",
			status: 404, want: errBody(1002, "Describe rule error: rule r9 not found")},

		{name: "update", method: "PUT", path: "/rules/r1",
			body:   `{"id":"r1","sql":"SELECT ts FROM demo","actions":[{"log":{}}]}`,
			status: 200, want: "Rule r1 was updated successfully."},
		{name: "update id mismatch", method: "PUT", path: "/rules/r1",
			body:   `{"id":"x","sql":"SELECT ts FROM demo"}`,
			status: 400, want: errBody(4000, "Update rule error: rule id x in the body does not match r1")},
		{name: "update bad body", method: "PUT", path: "/rules/r1", body: `"text"`,
			status: 400, want: errBody(1000, "Invalid body: expected a JSON object, got string")},

		{name: "delete", method: "DELETE", path: "/rules/r1", status: 200, want: "Rule r1 is dropped."},
		{name: "delete missing", method: "DELETE", path: "/rules/nosuch",
			status: 400, want: errBody(1000, "Delete rule error: rule nosuch not found")},
		{name: "delete other error", method: "DELETE", path: "/rules/r1",
			setup:  func(f *fixture) { f.rules.Fail("Delete", errs.New(errs.Rule, "busy")) },
			status: 400, want: errBody(4000, "Delete rule error: busy")},

		{name: "start", method: "POST", path: "/rules/r1/start", status: 200, want: "Rule r1 was started"},
		{name: "start missing", method: "POST", path: "/rules/r9/start",
			status: 404, want: errBody(1002, "start rule error: rule r9 not found")},
		{name: "stop", method: "POST", path: "/rules/r1/stop", status: 200, want: "Rule r1 was stopped."},
		{name: "stop missing", method: "POST", path: "/rules/r9/stop",
			status: 404, want: errBody(1002, "stop rule error: rule r9 not found")},
		{name: "restart", method: "POST", path: "/rules/r1/restart", status: 200, want: "Rule r1 was restarted"},
		{name: "restart missing", method: "POST", path: "/rules/r9/restart",
			status: 404, want: errBody(1002, "restart rule error: rule r9 not found")},

		{name: "status", method: "GET", path: "/rules/r1/status", status: 200, want: indented.String()},
		{name: "status missing", method: "GET", path: "/rules/r9/status",
			status: 404, want: errBody(1002, "get rule status error: rule r9 not found")},
		{name: "status v2", method: "GET", path: "/v2/rules/r1/status", status: 200, want: r1Status},
		{name: "status v2 missing", method: "GET", path: "/v2/rules/r9/status",
			status: 404, want: errBody(1002, "get rule status error: rule r9 not found")},
		{name: "status all", method: "GET", path: "/rules/status/all", status: 200, want: `{"r1":` + r1Status + `}`},
		{name: "status all error", method: "GET", path: "/rules/status/all",
			setup:  func(f *fixture) { f.rules.Fail("StatusAll", errors.New("boom")) },
			status: 400, want: errBody(1000, "get rules status error: boom")},

		{name: "topo", method: "GET", path: "/rules/r1/topo", status: 200,
			want: `{"edges":{"op_project":["sink_log_0"],"source_demo":["op_project"]},"sources":["source_demo"]}`},
		{name: "topo missing", method: "GET", path: "/rules/r9/topo",
			status: 404, want: errBody(1002, "get rule topo error: rule r9 not found")},
		{name: "explain", method: "GET", path: "/rules/r1/explain", status: 200,
			want: "ProjectPlan\n\tDataSourcePlan(demo)\n"},
		{name: "explain missing", method: "GET", path: "/rules/r9/explain",
			status: 404, want: errBody(1002, "explain rules error: rule r9 not found")},

		{name: "validate", method: "POST", path: "/rules/validate",
			body:   `{"id":"v1","sql":"SELECT * FROM demo","actions":[{"log":{}}]}`,
			status: 200, want: `{"sources":["demo"],"valid":true}`},
		{name: "validate no sources", method: "POST", path: "/rules/validate",
			body:   `{"id":"v1","sql":"SELECT 1"}`,
			status: 200, want: `{"sources":[],"valid":true}`},
		{name: "validate invalid", method: "POST", path: "/rules/validate",
			body:   `{"id":"v1","sql":"SELECT * FROM nosuch"}`,
			status: 422, want: `{"valid":false,"message":"fail to get stream nosuch, please check if stream is created"}`},
		{name: "validate bad body", method: "POST", path: "/rules/validate", body: `SELECT`,
			status: 400, want: errBody(1000, "Invalid body: invalid character 'S' looking for beginning of value (at offset 1)")},
	})
}

func TestServer_Routing(t *testing.T) {
	runCases(t, []routeCase{
		{name: "unknown path", method: "GET", path: "/nosuch",
			status: 404, want: errBody(1002, "no route for GET /nosuch")},
		{name: "unknown nested path", method: "GET", path: "/rules/r1/nosuch",
			status: 404, want: errBody(1002, "no route for GET /rules/r1/nosuch")},
		{name: "metrics not mounted", method: "GET", path: "/metrics",
			status: 404, want: errBody(1002, "no route for GET /metrics")},
		{name: "wrong method", method: "PATCH", path: "/streams",
			status: 405, want: errBody(1000, "method PATCH not allowed on /streams")},
	})

	f := newFixture(t)
	rec := f.do("DELETE", "/rules", "")
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	require.Contains(t, rec.Header().Get("Allow"), "POST")
	require.Contains(t, rec.Header().Get("Allow"), "GET")
}

func TestServer_Metrics(t *testing.T) {
	f := newFixture(t, func(o *server.Options) {
		o.Metrics = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "# metrics\n")
		})
	})
	rec := f.do("GET", "/metrics", "")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "# metrics\n", rec.Body.String())
}

// panicRules panics in List and works otherwise.
type panicRules struct{ *servertest.Rules }

func (panicRules) List() ([]server.RuleSummary, error) { panic("list exploded") }

func TestServer_RecoversPanics(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, func(o *server.Options) {
		o.Rules = panicRules{o.Rules.(*servertest.Rules)}
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	rec := f.do("GET", "/rules", "")
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Equal(t, errBody(1000, "internal server error"), rec.Body.String())
	require.Contains(t, logs.String(), "list exploded")

	rec = f.do("GET", "/rules/r1", "")
	require.Equal(t, http.StatusOK, rec.Code, "the server keeps serving")
}

func TestServer_DebugRequestLog(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, func(o *server.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	f.do("GET", "/streams", "")
	require.Contains(t, logs.String(), "http request")
	require.Contains(t, logs.String(), "path=/streams")
	require.Contains(t, logs.String(), "status=200")
}

func TestServer_NoBodyLimit(t *testing.T) {
	f := newFixture(t, func(o *server.Options) { o.MaxBodyBytes = -1 })
	rec := f.do("POST", "/streams", bigBody)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
}

func TestServer_DefaultBodyLimit(t *testing.T) {
	f := newFixture(t, func(o *server.Options) { o.MaxBodyBytes = 0 })
	body := `{"sql":"` + strings.Repeat(" ", server.DefaultMaxBodyBytes) + `"}`
	rec := f.do("POST", "/streams", body)
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
}

func TestNew_RequiresServices(t *testing.T) {
	require.Panics(t, func() { server.New(server.Options{}) })
}

// queryServer runs the API on a real listener, needed for streaming.
func queryServer(t *testing.T, setup func(*servertest.Rules)) *httptest.Server {
	t.Helper()
	f := newFixture(t)
	if setup != nil {
		setup(f.rules)
	}
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close)
	return ts
}

func postQuery(t *testing.T, ctx context.Context, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "POST", url+"/query", strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func TestServer_Query(t *testing.T) {
	rows := []json.RawMessage{json.RawMessage(`{"a":1}`), json.RawMessage(`{"a":2}`)}

	t.Run("rows until the query ends", func(t *testing.T) {
		ts := queryServer(t, func(r *servertest.Rules) { r.QueryRows = rows })
		resp := postQuery(t, t.Context(), ts.URL, `{"sql":"SELECT a FROM demo"}`)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, server.ContentTypeNDJSON, resp.Header.Get("Content-Type"))
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, "{\"a\":1}\n{\"a\":2}\n", string(body))
		require.Empty(t, resp.Trailer.Get(server.QueryErrorTrailer))
	})

	t.Run("multi-line rows are folded", func(t *testing.T) {
		ts := queryServer(t, func(r *servertest.Rules) {
			r.QueryRows = []json.RawMessage{json.RawMessage("{\n  \"a\": 1\n}")}
		})
		resp := postQuery(t, t.Context(), ts.URL, `{"sql":"SELECT a FROM demo"}`)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, "{\"a\":1}\n", string(body))
	})

	t.Run("no rows", func(t *testing.T) {
		ts := queryServer(t, nil)
		resp := postQuery(t, t.Context(), ts.URL, `{"sql":"SELECT a FROM demo"}`)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Empty(t, body)
	})

	t.Run("error before rows", func(t *testing.T) {
		ts := queryServer(t, func(r *servertest.Rules) { r.QueryRows = rows })
		resp := postQuery(t, t.Context(), ts.URL, `{"sql":"SELECT a FROM nosuch"}`)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, errBody(1000, "query error: fail to get stream nosuch, please check if stream is created"), string(body))
	})

	t.Run("bad body", func(t *testing.T) {
		ts := queryServer(t, nil)
		resp := postQuery(t, t.Context(), ts.URL, `{"sql":1}`)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, errBody(1000, `Invalid body: field "sql": cannot use number as string`), string(body))
	})

	t.Run("error after rows goes to the trailer", func(t *testing.T) {
		ts := queryServer(t, func(r *servertest.Rules) {
			r.QueryRows = rows
			r.QueryErrAfterRows = errs.New(errs.Executor, "sink broke")
		})
		resp := postQuery(t, t.Context(), ts.URL, `{"sql":"SELECT a FROM demo"}`)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, "{\"a\":1}\n{\"a\":2}\n", string(body))
		require.Equal(t, strings.TrimSuffix(errBody(2201, "query error: sink broke"), "\n"),
			resp.Trailer.Get(server.QueryErrorTrailer))
	})

	t.Run("rows are flushed while the query runs", func(t *testing.T) {
		ts := queryServer(t, func(r *servertest.Rules) {
			r.QueryRows = rows
			r.QueryWait = true
		})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		resp := postQuery(t, ctx, ts.URL, `{"sql":"SELECT a FROM demo"}`)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		buf := make([]byte, len("{\"a\":1}\n{\"a\":2}\n"))
		_, err := io.ReadFull(resp.Body, buf)
		require.NoError(t, err, "both rows arrive before the query ends")
		require.Equal(t, "{\"a\":1}\n{\"a\":2}\n", string(buf))
		cancel()
		_, err = io.ReadAll(resp.Body)
		require.Error(t, err)
	})
}

package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/client"
	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/internal/server"
	"github.com/kuiperio/kuiper/internal/server/servertest"
)

type fixture struct {
	c       *client.Client
	streams *servertest.Streams
	rules   *servertest.Rules
}

// newFixture serves the REST API over in-memory services holding the
// stream "demo" and the rule "r1" reading it.
func newFixture(t *testing.T, setup ...func(*servertest.Rules)) *fixture {
	t.Helper()
	f := &fixture{streams: servertest.NewStreams()}
	f.rules = servertest.NewRules(f.streams)
	_, err := f.streams.Exec(server.Streams, `CREATE STREAM demo (temperature float) WITH (DATASOURCE="demo", FORMAT="json")`)
	require.NoError(t, err)
	_, err = f.rules.Create(json.RawMessage(`{"id":"r1","sql":"SELECT * FROM demo","actions":[{"log":{}}]}`))
	require.NoError(t, err)
	for _, s := range setup {
		s(f.rules)
	}
	ts := httptest.NewServer(server.New(server.Options{Streams: f.streams, Rules: f.rules, Version: "9.9"}))
	t.Cleanup(ts.Close)
	f.c = client.New(ts.URL+"/", ts.Client())
	return f
}

func requireAPIError(t *testing.T, err error, status, code int, msg string) {
	t.Helper()
	var ae *client.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, client.APIError{Status: status, Code: code, Message: msg}, *ae)
}

func TestNew_BaseURL(t *testing.T) {
	require.Equal(t, "http://127.0.0.1:9081", client.New("127.0.0.1:9081", nil).BaseURL())
	require.Equal(t, "https://h:1", client.New(" https://h:1/ ", nil).BaseURL())
}

func TestClient_Server(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	info, err := f.c.Info(ctx)
	require.NoError(t, err)
	require.Equal(t, "9.9", info.Version)
	require.NotEmpty(t, info.OS)
	require.NotEmpty(t, info.Arch)
	require.NoError(t, f.c.Ping(ctx))
}

func TestClient_Streams(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()

	msg, err := f.c.Exec(ctx, client.Stream, `CREATE STREAM s2 (a bigint) WITH (DATASOURCE="s2")`)
	require.NoError(t, err)
	require.Equal(t, "Stream s2 is created.", msg)
	msg, err = f.c.Exec(ctx, client.Table, `CREATE TABLE t1 (a bigint) WITH (DATASOURCE="t1", TYPE="file")`)
	require.NoError(t, err)
	require.Equal(t, "Table t1 is created.", msg)
	msg, err = f.c.Exec(ctx, client.Stream, `SHOW STREAMS`)
	require.NoError(t, err)
	require.Equal(t, `["demo","s2"]`, msg)
	_, err = f.c.Exec(ctx, client.Stream, `CREATE STREAM s2 () WITH (DATASOURCE="s2")`)
	requireAPIError(t, err, 400, 3000, "Stream command error: Create stream fails: Item s2 already exists.")

	names, err := f.c.List(ctx, client.Stream)
	require.NoError(t, err)
	require.Equal(t, []string{"demo", "s2"}, names)
	names, err = f.c.List(ctx, client.Table)
	require.NoError(t, err)
	require.Equal(t, []string{"t1"}, names)

	details, err := f.c.Details(ctx, client.Table)
	require.NoError(t, err)
	require.Equal(t, []client.StreamDetail{{Name: "t1", Type: "file", Format: "json"}}, details)

	desc, err := f.c.Describe(ctx, client.Stream, "demo")
	require.NoError(t, err)
	require.JSONEq(t, `{"Name":"demo","StreamFields":[{"Name":"temperature","FieldType":{"Type":2}}],
		"Options":{"datasource":"demo","format":"json"},"StreamType":0,"Statement":null}`, string(desc))
	_, err = f.c.Describe(ctx, client.Table, "nosuch")
	requireAPIError(t, err, 404, 1002, "describe table error: table nosuch is not found")
	require.True(t, client.IsNotFound(err))

	schema, err := f.c.Schema(ctx, client.Stream, "demo")
	require.NoError(t, err)
	require.JSONEq(t, `{"temperature":{"type":"float"}}`, string(schema))

	msg, err = f.c.Replace(ctx, client.Stream, "s2", `CREATE STREAM s2 (b string) WITH (DATASOURCE="x")`)
	require.NoError(t, err)
	require.Equal(t, "Stream s2 is replaced.", msg)

	msg, err = f.c.Drop(ctx, client.Stream, "s2")
	require.NoError(t, err)
	require.Equal(t, "Stream s2 is dropped.", msg)
	_, err = f.c.Drop(ctx, client.Stream, "demo")
	requireAPIError(t, err, 400, 3000, "delete stream error: stream demo has been referenced by other rules")
	require.False(t, client.IsNotFound(err))
}

func TestClient_Rules(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	def := json.RawMessage(`{"id":"r2","sql":"SELECT temperature FROM demo","actions":[{"log":{}}]}`)

	msg, err := f.c.CreateRule(ctx, def)
	require.NoError(t, err)
	require.Equal(t, "Rule r2 was created successfully.", msg)
	_, err = f.c.CreateRule(ctx, json.RawMessage(`{"id":"bad","sql":"SELEC 1"}`))
	requireAPIError(t, err, 400, 1000, "invalid rule json: SQL SELEC 1 is not a select statement.")

	list, err := f.c.ListRules(ctx)
	require.NoError(t, err)
	require.Equal(t, []client.RuleSummary{
		{ID: "r1", Name: "r1", Status: "running"},
		{ID: "r2", Name: "r2", Status: "running"},
	}, list)

	got, err := f.c.GetRule(ctx, "r2")
	require.NoError(t, err)
	require.Equal(t, string(def), string(got))

	msg, err = f.c.UpdateRule(ctx, "r2", json.RawMessage(`{"id":"r2","sql":"SELECT 1 FROM demo"}`))
	require.NoError(t, err)
	require.Equal(t, "Rule r2 was updated successfully.", msg)

	msg, err = f.c.StopRule(ctx, "r2")
	require.NoError(t, err)
	require.Equal(t, "Rule r2 was stopped.", msg)
	msg, err = f.c.StartRule(ctx, "r2")
	require.NoError(t, err)
	require.Equal(t, "Rule r2 was started", msg)
	msg, err = f.c.RestartRule(ctx, "r2")
	require.NoError(t, err)
	require.Equal(t, "Rule r2 was restarted", msg)
	_, err = f.c.StartRule(ctx, "nosuch")
	requireAPIError(t, err, 404, 1002, "start rule error: rule nosuch not found")

	st, err := f.c.RuleStatus(ctx, "r1")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(st), "{\n  \"status\": \"running\",\n"), string(st))
	st2, err := f.c.RuleStatusV2(ctx, "r1")
	require.NoError(t, err)
	require.JSONEq(t, string(st), string(st2))
	all, err := f.c.AllRuleStatus(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	require.JSONEq(t, string(st), string(all["r1"]))

	topo, err := f.c.RuleTopo(ctx, "r1")
	require.NoError(t, err)
	require.JSONEq(t, `{"sources":["source_demo"],"edges":{"source_demo":["op_project"],"op_project":["sink_log_0"]}}`, string(topo))
	plan, err := f.c.ExplainRule(ctx, "r1")
	require.NoError(t, err)
	require.Contains(t, plan, "DataSourcePlan(demo)")

	v, err := f.c.ValidateRule(ctx, json.RawMessage(`{"id":"v","sql":"SELECT * FROM demo"}`))
	require.NoError(t, err)
	require.Equal(t, client.Validation{Valid: true, Sources: []string{"demo"}}, v)
	v, err = f.c.ValidateRule(ctx, json.RawMessage(`{"id":"v","sql":"SELECT * FROM nosuch"}`))
	require.NoError(t, err)
	require.Equal(t, client.Validation{Message: "fail to get stream nosuch, please check if stream is created"}, v)
	_, err = f.c.ValidateRule(ctx, json.RawMessage(`[`))
	requireAPIError(t, err, 400, 1000, "Invalid body: unexpected end of JSON input (at offset 1)")

	msg, err = f.c.DeleteRule(ctx, "r2")
	require.NoError(t, err)
	require.Equal(t, "Rule r2 is dropped.", msg)
	_, err = f.c.DeleteRule(ctx, "r2")
	requireAPIError(t, err, 400, 1000, "Delete rule error: rule r2 not found")
}

func TestClient_PathEscaping(t *testing.T) {
	f := newFixture(t)
	_, err := f.c.GetRule(t.Context(), "a/b c")
	requireAPIError(t, err, 404, 1002, "Describe rule error: rule a/b c not found")
}

func TestClient_NonJSONError(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "bad gateway here", http.StatusBadGateway)
	}))
	t.Cleanup(ts.Close)
	_, err := client.New(ts.URL, nil).ListRules(t.Context())
	requireAPIError(t, err, 502, 0, "bad gateway here")
}

func TestClient_Unreachable(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	url := ts.URL
	ts.Close()
	err := client.New(url, nil).Ping(t.Context())
	require.Error(t, err)
	require.Contains(t, err.Error(), "GET "+url+"/ping: ")
}

func TestClient_Query(t *testing.T) {
	rows := []json.RawMessage{json.RawMessage(`{"a":1}`), json.RawMessage(`{"a":2}`), json.RawMessage(`{"a":3}`)}
	collect := func(got *[]string) func(json.RawMessage) error {
		return func(row json.RawMessage) error {
			*got = append(*got, string(row))
			return nil
		}
	}

	t.Run("until the server ends", func(t *testing.T) {
		f := newFixture(t, func(r *servertest.Rules) { r.QueryRows = rows })
		var got []string
		require.NoError(t, f.c.Query(t.Context(), "SELECT a FROM demo", collect(&got)))
		require.Equal(t, []string{`{"a":1}`, `{"a":2}`, `{"a":3}`}, got)
	})

	t.Run("error before rows", func(t *testing.T) {
		f := newFixture(t)
		err := f.c.Query(t.Context(), "SELECT a FROM nosuch", collect(new([]string)))
		requireAPIError(t, err, 400, 1000, "query error: fail to get stream nosuch, please check if stream is created")
	})

	t.Run("error after rows", func(t *testing.T) {
		f := newFixture(t, func(r *servertest.Rules) {
			r.QueryRows = rows[:1]
			r.QueryErrAfterRows = errs.New(errs.Executor, "boom")
		})
		var got []string
		err := f.c.Query(t.Context(), "SELECT a FROM demo", collect(&got))
		requireAPIError(t, err, 200, 2201, "query error: boom")
		require.Equal(t, []string{`{"a":1}`}, got)
	})

	t.Run("callback stops the query", func(t *testing.T) {
		f := newFixture(t, func(r *servertest.Rules) {
			r.QueryRows = rows
			r.QueryWait = true
		})
		stop := errors.New("enough")
		n := 0
		err := f.c.Query(t.Context(), "SELECT a FROM demo", func(json.RawMessage) error {
			n++
			if n == 2 {
				return stop
			}
			return nil
		})
		require.ErrorIs(t, err, stop)
		require.Equal(t, 2, n)
	})

	t.Run("cancel ends a running query", func(t *testing.T) {
		f := newFixture(t, func(r *servertest.Rules) {
			r.QueryRows = rows
			r.QueryWait = true
		})
		ctx, cancel := context.WithCancel(t.Context())
		var got []string
		err := f.c.Query(ctx, "SELECT a FROM demo", func(row json.RawMessage) error {
			got = append(got, string(row))
			if len(got) == len(rows) {
				cancel()
			}
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		require.Len(t, got, 3)
	})
}

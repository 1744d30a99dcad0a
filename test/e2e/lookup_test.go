package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMemoryLookupTable feeds a memory lookup table from a rule writing
// inserts, updates and deletes to an updatable memory sink, and joins an
// MQTT stream with it (INNER and LEFT, with and without lookup.cache).
func TestMemoryLookupTable(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "etc", "sources"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(home, "etc", "sources", "memory.yaml"),
		[]byte("cached:\n  lookup:\n    cache: true\n    cacheTtl: 600\n"), 0o644))
	s := startServer(t, home)
	cl := newClient(t)
	feed, in := topicFor(t, "feed"), topicFor(t, "in")
	s.createStream(fmt.Sprintf(`CREATE STREAM feed () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, feed))
	s.createStream(fmt.Sprintf(`CREATE STREAM s () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in))
	s.mustCall("POST", "/tables", obj{"sql": `CREATE TABLE t (id bigint, name string) WITH (DATASOURCE="lk/devices", TYPE="memory", KIND="lookup", KEY="id")`}, 201)
	s.mustCall("POST", "/tables", obj{"sql": `CREATE TABLE tc (id bigint, name string) WITH (DATASOURCE="lk/devices", TYPE="memory", KIND="lookup", KEY="id", CONF_KEY="cached")`}, 201)

	// Rule writer keeps the table: the row kind is in "action".
	s.createRule(newRule("writer", "SELECT id, name, action FROM feed",
		obj{"memory": obj{"topic": "lk/devices", "rowkindField": "action", "sendSingle": true}})) // the key comes from the table's KEY
	joins := []struct{ id, sql string }{
		{"inner", "SELECT s.id, s.v, t.name FROM s INNER JOIN t ON s.id = t.id"},
		{"left", "SELECT s.id, s.v, t.name FROM s LEFT JOIN t ON s.id = t.id"},
		{"cached", "SELECT s.id, s.v, tc.name FROM s INNER JOIN tc ON s.id = tc.id"},
	}
	outs := map[string]string{}
	for _, j := range joins {
		outs[j.id] = topicFor(t, j.id)
		cl.subscribe(outs[j.id])
		s.createRule(newRule(j.id, j.sql, mqttSink(t, outs[j.id], obj{"sendSingle": true})))
	}

	write := func(n float64, rows ...string) {
		t.Helper()
		for _, r := range rows {
			cl.publish(feed, []byte(r))
		}
		s.waitMetric("writer", "sink_memory_0_0_records_out_total", n)
	}
	write(2, `{"action":"insert","id":1,"name":"a"}`, `{"action":"insert","id":2,"name":"b"}`)
	for _, p := range []string{`{"id":1,"v":10}`, `{"id":2,"v":20}`, `{"id":3,"v":30}`} {
		cl.publish(in, []byte(p))
	}
	want := map[string][]string{
		"inner":  {`{"id":1,"v":10,"name":"a"}`, `{"id":2,"v":20,"name":"b"}`},
		"left":   {`{"id":1,"v":10,"name":"a"}`, `{"id":2,"v":20,"name":"b"}`, `{"id":3,"v":30}`},
		"cached": {`{"id":1,"v":10,"name":"a"}`, `{"id":2,"v":20,"name":"b"}`},
	}
	for id, w := range want {
		requireMessages(t, w, cl.waitMessages(outs[id], len(w)))
	}

	// An update and a delete change what later rows join, except through
	// the cache, which still answers what it saw first.
	write(4, `{"action":"update","id":1,"name":"a2"}`, `{"action":"delete","id":2}`)
	for _, p := range []string{`{"id":1,"v":11}`, `{"id":2,"v":21}`} {
		cl.publish(in, []byte(p))
	}
	want["inner"] = append(want["inner"], `{"id":1,"v":11,"name":"a2"}`)
	want["left"] = append(want["left"], `{"id":1,"v":11,"name":"a2"}`, `{"id":2,"v":21}`)
	want["cached"] = append(want["cached"], `{"id":1,"v":11,"name":"a"}`, `{"id":2,"v":21,"name":"b"}`)
	for id, w := range want {
		requireMessages(t, w, cl.waitMessages(outs[id], len(w)))
	}
	// The inner join drops id 2 now: a later row shows nothing came between.
	cl.publish(in, []byte(`{"id":1,"v":12}`))
	w := append(want["inner"], `{"id":1,"v":12,"name":"a2"}`)
	requireMessages(t, w, cl.waitMessages(outs["inner"], len(w)))
	require.Equal(t, float64(0), s.metric("writer", "sink_memory_0_0_exceptions_total"))
	for _, id := range []string{"inner", "left", "cached"} {
		require.Equal(t, float64(0), s.metric(id, "op_3_join_0_exceptions_total"), id)
	}
}

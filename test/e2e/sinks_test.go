package e2e_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// requireMessages compares received payloads with the expected ones: as
// JSON when the expectation is JSON, as text otherwise.
func requireMessages(t testing.TB, want, got []string) {
	t.Helper()
	require.Len(t, got, len(want), "got %q", got)
	for i := range want {
		if json.Valid([]byte(want[i])) {
			require.JSONEq(t, want[i], got[i], "message %d", i)
		} else {
			require.Equal(t, want[i], got[i], "message %d", i)
		}
	}
}

// TestSinkOptions runs one rule per sink option over the same input and
// checks what each publishes.
func TestSinkOptions(t *testing.T) {
	t.Parallel()
	s := startServer(t, "")
	cl := newClient(t)
	in := topicFor(t, "in")
	s.createStream(fmt.Sprintf(`CREATE STREAM demo () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in))

	inputs := []string{
		`{"device":"d1","temperature":60,"humidity":10}`,
		`{"device":"d2","temperature":20,"humidity":30}`,
		`{"device":"d3","temperature":70}`,
	}
	cases := []struct {
		name  string
		sql   string
		props obj
		want  []string
	}{
		{"sendSingle false", "SELECT device, temperature FROM demo WHERE temperature > 50", obj{"sendSingle": false},
			[]string{`[{"device":"d1","temperature":60}]`, `[{"device":"d3","temperature":70}]`}},
		{"sendSingle true", "SELECT device, temperature FROM demo WHERE temperature > 50", obj{"sendSingle": true},
			[]string{`{"device":"d1","temperature":60}`, `{"device":"d3","temperature":70}`}},
		{"fields", "SELECT * FROM demo", obj{"sendSingle": true, "fields": []string{"temperature", "device"}},
			[]string{`{"temperature":60,"device":"d1"}`, `{"temperature":20,"device":"d2"}`, `{"temperature":70,"device":"d3"}`}},
		{"excludeFields", "SELECT * FROM demo", obj{"sendSingle": true, "excludeFields": []string{"humidity", "device"}},
			[]string{`{"temperature":60}`, `{"temperature":20}`, `{"temperature":70}`}},
		{"dataTemplate text", "SELECT * FROM demo", obj{"sendSingle": true, "dataTemplate": "{{.device}} is at {{.temperature}}"},
			[]string{"d1 is at 60", "d2 is at 20", "d3 is at 70"}},
		{"dataTemplate JSON", "SELECT * FROM demo", obj{"sendSingle": true, "dataTemplate": `{"id":"{{.device}}","hot":{{if gt .temperature 50.0}}true{{else}}false{{end}}}`},
			[]string{`{"id":"d1","hot":true}`, `{"id":"d2","hot":false}`, `{"id":"d3","hot":true}`}},
		{"dataTemplate over the result list", "SELECT device FROM demo", obj{"dataTemplate": `{{range .}}<{{.device}}>{{end}}`},
			[]string{"<d1>", "<d2>", "<d3>"}},
		{"omitIfEmpty", "SELECT humidity FROM demo", obj{"sendSingle": true, "omitIfEmpty": true},
			[]string{`{"humidity":10}`, `{"humidity":30}`}},
		{"without omitIfEmpty", "SELECT humidity FROM demo", obj{"sendSingle": true},
			[]string{`{"humidity":10}`, `{"humidity":30}`, `{}`}},
		{"omitIfEmpty over lists", "SELECT humidity FROM demo", obj{"omitIfEmpty": true},
			[]string{`[{"humidity":10}]`, `[{"humidity":30}]`}},
		{"qos 1", "SELECT device FROM demo", obj{"sendSingle": true, "qos": 1},
			[]string{`{"device":"d1"}`, `{"device":"d2"}`, `{"device":"d3"}`}},
		{"qos 2", "SELECT device FROM demo", obj{"sendSingle": true, "qos": 2},
			[]string{`{"device":"d1"}`, `{"device":"d2"}`, `{"device":"d3"}`}},
	}
	outs := make([]string, len(cases))
	for i, c := range cases {
		outs[i] = topicFor(t, fmt.Sprintf("out%d", i))
		cl.subscribeQoS(outs[i], 2)
		s.mustCall("POST", "/rules", newRule(fmt.Sprintf("r%d", i), c.sql, mqttSink(t, outs[i], c.props)), 201)
	}

	// A templated topic, several actions on one rule, and the nop sink.
	byDevice := topicFor(t, "dev")
	cl.subscribe(byDevice + "/+")
	s.mustCall("POST", "/rules", newRule("topics", "SELECT device, temperature FROM demo",
		mqttSink(t, byDevice+"/{{.device}}", obj{"sendSingle": true})), 201)
	multi, viaMemory := topicFor(t, "multi"), topicFor(t, "via_memory")
	cl.subscribe(multi)
	cl.subscribe(viaMemory)
	s.mustCall("POST", "/streams", obj{"sql": `CREATE STREAM fanout () WITH (DATASOURCE="fan/#", TYPE="memory")`}, 201)
	s.mustCall("POST", "/rules", newRule("frommem", "SELECT device, meta(topic) AS via FROM fanout",
		mqttSink(t, viaMemory, obj{"sendSingle": true})), 201)
	s.mustCall("POST", "/rules", newRule("multi", "SELECT device FROM demo WHERE temperature > 50",
		mqttSink(t, multi, obj{"sendSingle": true}),
		obj{"log": obj{"sendSingle": true}},
		obj{"memory": obj{"topic": "fan/{{.device}}", "sendSingle": true}},
		obj{"nop": obj{}}), 201)
	for i := range cases {
		s.ready(fmt.Sprintf("r%d", i))
	}
	for _, id := range []string{"topics", "frommem", "multi"} {
		s.ready(id)
	}

	for _, p := range inputs {
		cl.publish(in, []byte(p))
	}
	for i, c := range cases {
		cl.waitMessages(outs[i], len(c.want))
	}
	require.Never(t, func() bool {
		for i, c := range cases {
			if len(cl.received(outs[i])) > len(c.want) {
				return true
			}
		}
		return false
	}, 300*time.Millisecond, 20*time.Millisecond, "no rule publishes more than expected")
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			requireMessages(t, c.want, cl.waitMessages(outs[i], len(c.want)))
		})
	}
	t.Run("published with the sink's qos", func(t *testing.T) {
		for i, c := range cases {
			want := byte(0)
			if q, ok := c.props["qos"].(int); ok {
				want = byte(q)
			}
			cl.mu.Lock()
			got := append([]byte(nil), cl.qos[outs[i]]...)
			cl.mu.Unlock()
			for _, q := range got {
				require.Equal(t, want, q, c.name)
			}
		}
	})
	t.Run("templated topic", func(t *testing.T) {
		cl.waitMessages(byDevice+"/+", 3)
		cl.mu.Lock()
		got := map[string]string{}
		for j, tp := range cl.topics[byDevice+"/+"] {
			got[tp] = string(cl.got[byDevice+"/+"][j])
		}
		cl.mu.Unlock()
		require.Len(t, got, 3)
		for _, d := range []struct{ dev, temp string }{{"d1", "60"}, {"d2", "20"}, {"d3", "70"}} {
			require.JSONEq(t, fmt.Sprintf(`{"device":%q,"temperature":%s}`, d.dev, d.temp), got[byDevice+"/"+d.dev])
		}
	})
	t.Run("several actions", func(t *testing.T) {
		requireMessages(t, []string{`{"device":"d1"}`, `{"device":"d3"}`}, cl.waitMessages(multi, 2))
		requireMessages(t, []string{`{"device":"d1","via":"fan/d1"}`, `{"device":"d3","via":"fan/d3"}`}, cl.waitMessages(viaMemory, 2))
		require.Eventually(t, func() bool {
			return len(s.logs.Lines(`msg="sink result"`, "rule=multi", `{\"device\":\"d3\"}`)) == 1
		}, 10*time.Second, 10*time.Millisecond, "the log sink logs each result: %s", s.logs.Lines("sink result"))
		s.waitMetric("multi", "sink_nop_3_0_records_out_total", 2)
		st := s.ruleStatus("multi")
		for _, k := range []string{"sink_mqtt_0_0", "sink_log_1_0", "sink_memory_2_0", "sink_nop_3_0"} {
			require.Equal(t, float64(2), st[k+"_records_in_total"], k)
			require.Equal(t, float64(2), st[k+"_records_out_total"], k)
			require.Equal(t, float64(0), st[k+"_exceptions_total"], k)
		}
		require.JSONEq(t, `{"sources":["source_demo"],"edges":{"source_demo":["op_2_decoder"],"op_2_decoder":["op_3_filter"],"op_3_filter":["op_4_project"],"op_4_project":["sink_mqtt_0","sink_log_1","sink_memory_2","sink_nop_3"]}}`,
			s.mustCall("GET", "/rules/multi/topo", nil, 200))
	})
}

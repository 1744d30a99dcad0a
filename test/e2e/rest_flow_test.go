package e2e_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// recordedFilterStatusKeys are the keys of eKuiper's status answer for the
// rule "SELECT * FROM demo WHERE temperature > 50" with one mqtt action, in
// eKuiper's order (../shared/REST-SHAPES.md).
var recordedFilterStatusKeys = func() []string {
	keys := []string{"status", "message", "lastStartTimestamp", "lastStopTimestamp", "nextStartTimestamp"}
	metrics := []string{"records_in_total", "records_out_total", "messages_processed_total", "process_latency_us",
		"buffer_length", "last_invocation", "exceptions_total", "last_exception", "last_exception_time"}
	conn := []string{"connection_status", "connection_last_connected_time", "connection_last_disconnected_time",
		"connection_last_disconnected_message", "connection_last_try_time"}
	node := func(prefix string, withConn bool) {
		for _, m := range metrics {
			keys = append(keys, prefix+"_"+m)
		}
		if withConn {
			for _, m := range conn {
				keys = append(keys, prefix+"_"+m)
			}
		}
	}
	node("source_demo_0", true)
	node("op_2_decoder_0", false)
	node("op_3_filter_0", false)
	node("op_4_project_0", false)
	node("op_mqtt_0_0_transform_0", false)
	node("op_mqtt_0_1_encode_0", false)
	node("sink_mqtt_0_0", true)
	return keys
}()

// errBody is an error answer as eKuiper writes it.
func errBody(code int, msg string) string {
	b, _ := json.Marshal(struct {
		Error   int    `json:"error"`
		Message string `json:"message"`
	}{code, msg})
	return string(b) + "\n"
}

// TestRESTFlow replays the exchanges of REST-SHAPES.md against a real
// server, with real MQTT traffic in between, and compares the bodies where
// the recording fixes them.
func TestRESTFlow(t *testing.T) {
	t.Parallel()
	s := startServer(t, "")
	cl := newClient(t)
	demo, result, resultMem := topicFor(t, "demo"), topicFor(t, "result"), topicFor(t, "result_mem")
	cl.subscribe(result)
	cl.subscribe(resultMem)

	createDemo := obj{"sql": fmt.Sprintf(`CREATE STREAM demo () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, demo)}
	steps := []struct {
		method, path string
		body         any
		status       int
		want         string
	}{
		{"POST", "/streams", createDemo, 201, "Stream demo is created."},
		{"GET", "/streams", nil, 200, `["demo"]`},
		{"GET", "/streams/demo", nil, 200, fmt.Sprintf(`{"Name":"demo","StreamFields":null,"Options":{"datasource":%q,"format":"json","type":"mqtt"},"StreamType":0,"Statement":null}`, demo)},
		{"POST", "/streams", createDemo, 400, errBody(3000, "Stream command error: Create stream fails: Item demo already exists.")},
		{"POST", "/rules", newRule("filter1", "SELECT * FROM demo WHERE temperature > 50", mqttSink(t, result, nil)), 201, "Rule filter1 was created successfully."},
		{"GET", "/rules", nil, 200, `[{"id":"filter1","name":"filter1","status":"running","tags":null,"trace":false,"version":""}]`},
	}
	for _, st := range steps {
		code, out := s.call(st.method, st.path, st.body)
		require.Equal(t, st.status, code, "%s %s: %s", st.method, st.path, out)
		require.Equal(t, st.want, out, "%s %s", st.method, st.path)
	}
	s.ready("filter1")
	// The MQTT sink connects on its own goroutine.
	s.waitMetric("filter1", "sink_mqtt_0_0_connection_status", 1)

	t.Run("status keys before traffic", func(t *testing.T) {
		body := s.mustCall("GET", "/rules/filter1/status", nil, 200)
		require.True(t, strings.HasPrefix(body, "{\n  \"status\": \"running\",\n  \"message\": \"\",\n"), body)
		keys := orderedKeys(t, body)
		require.Equal(t, recordedFilterStatusKeys, filterKeys(keys, recordedFilterStatusKeys),
			"the recorded keys, in the recorded order")
		st := s.ruleStatus("filter1")
		require.Greater(t, st["lastStartTimestamp"], float64(0))
		require.Equal(t, float64(0), st["lastStopTimestamp"])
		require.Equal(t, float64(1), st["source_demo_0_connection_status"])
		require.Equal(t, float64(1), st["sink_mqtt_0_0_connection_status"])
		require.Equal(t, float64(0), st["source_demo_0_records_in_total"])
	})
	t.Run("status key set is eKuiper's", func(t *testing.T) {
		keys := orderedKeys(t, s.mustCall("GET", "/rules/filter1/status", nil, 200))
		require.Equal(t, recordedFilterStatusKeys, keys)
	})

	for _, p := range []string{`{"temperature":60,"ts":1}`, `{"temperature":20,"ts":2}`, `{"temperature":70.5,"ts":3}`} {
		cl.publish(demo, []byte(p))
	}
	require.Equal(t, []string{`[{"temperature":60,"ts":1}]`, `[{"temperature":70.5,"ts":3}]`}, cl.waitMessages(result, 2))
	s.waitMetric("filter1", "sink_mqtt_0_0_records_out_total", 2)
	t.Run("metrics after traffic", func(t *testing.T) {
		st := s.ruleStatus("filter1")
		want := map[string]float64{
			"source_demo_0_records_in_total":                3,
			"source_demo_0_records_out_total":               3,
			"source_demo_0_exceptions_total":                0,
			"op_2_decoder_0_records_in_total":               3,
			"op_2_decoder_0_records_out_total":              3,
			"op_3_filter_0_records_in_total":                3,
			"op_3_filter_0_records_out_total":               2,
			"op_3_filter_0_messages_processed_total":        3,
			"op_4_project_0_records_in_total":               2,
			"op_4_project_0_records_out_total":              2,
			"op_mqtt_0_0_transform_0_records_in_total":      2,
			"op_mqtt_0_1_encode_0_records_out_total":        2,
			"sink_mqtt_0_0_records_in_total":                2,
			"sink_mqtt_0_0_records_out_total":               2,
			"sink_mqtt_0_0_exceptions_total":                0,
			"sink_mqtt_0_0_messages_processed_total":        2,
			"op_mqtt_0_0_transform_0_records_out_total":     2,
			"op_mqtt_0_1_encode_0_messages_processed_total": 2,
		}
		for k, v := range want {
			require.Equal(t, v, st[k], k)
		}
		require.Greater(t, st["source_demo_0_last_invocation"], float64(0))
		require.Equal(t, "", st["sink_mqtt_0_0_last_exception"])
	})

	t.Run("get topo explain", func(t *testing.T) {
		var def map[string]any
		require.NoError(t, json.Unmarshal([]byte(s.mustCall("GET", "/rules/filter1", nil, 200)), &def))
		require.Equal(t, "filter1", def["id"])
		require.Equal(t, "SELECT * FROM demo WHERE temperature > 50", def["sql"])
		require.JSONEq(t, `{"sources":["source_demo"],"edges":{"source_demo":["op_2_decoder"],"op_2_decoder":["op_3_filter"],"op_3_filter":["op_4_project"],"op_4_project":["sink_mqtt_0"]}}`,
			s.mustCall("GET", "/rules/filter1/topo", nil, 200))
		explain := s.mustCall("GET", "/rules/filter1/explain", nil, 200)
		for _, want := range []string{"ProjectPlan", "FilterPlan", "temperature > 50", "DataSourcePlan", "StreamName: demo"} {
			require.Contains(t, explain, want)
		}
		code, out := s.call("GET", "/rules/nosuch/topo", nil)
		require.Equal(t, 404, code, out)
	})

	t.Run("stop start restart", func(t *testing.T) {
		require.Equal(t, "Rule filter1 was stopped.", s.mustCall("POST", "/rules/filter1/stop", nil, 200))
		st := s.ruleStatus("filter1")
		require.Equal(t, "stopped", st["status"])
		require.Equal(t, "canceled manually", st["message"])
		require.Greater(t, st["lastStopTimestamp"], float64(0))
		require.Equal(t, float64(2), st["sink_mqtt_0_0_records_out_total"], "a stopped rule keeps its last metrics")
		require.Equal(t, `[{"id":"filter1","name":"filter1","status":"stopped","tags":null,"trace":false,"version":""}]`,
			s.mustCall("GET", "/rules", nil, 200))
		cl.publish(demo, []byte(`{"temperature":99,"ts":4}`))
		cl.noMore(result, 2)

		require.Equal(t, "Rule filter1 was started", s.mustCall("POST", "/rules/filter1/start", nil, 200))
		s.ready("filter1")
		cl.publish(demo, []byte(`{"temperature":81,"ts":5}`))
		require.Equal(t, `[{"temperature":81,"ts":5}]`, cl.waitMessages(result, 3)[2])

		require.Equal(t, "Rule filter1 was restarted", s.mustCall("POST", "/rules/filter1/restart", nil, 200))
		s.ready("filter1")
		cl.publish(demo, []byte(`{"temperature":82,"ts":6}`))
		require.Equal(t, `[{"temperature":82,"ts":6}]`, cl.waitMessages(result, 4)[3])

		var all map[string]map[string]any
		require.NoError(t, json.Unmarshal([]byte(s.mustCall("GET", "/rules/status/all", nil, 200)), &all))
		require.Equal(t, "running", all["filter1"]["status"])
	})

	t.Run("refused rules", func(t *testing.T) {
		code, out := s.call("POST", "/rules", newRule("bad", "SELEC * FROM demo", obj{"log": obj{}}))
		require.Equal(t, 400, code, out)
		require.Regexp(t, `^\{"error":\d+,"message":".*SELEC.*line 1, col 1.*"\}\n$`, out)

		code, out = s.call("POST", "/rules", newRule("bad2", "SELECT * FROM nosuch", obj{"log": obj{}}))
		require.Equal(t, 400, code, out)
		require.Equal(t, errBody(1000, "fail to get stream nosuch, please check if stream is created"), out)

		require.Equal(t, `{"sources":["demo"],"valid":true}`,
			s.mustCall("POST", "/rules/validate", newRule("v1", "SELECT * FROM demo", obj{"log": obj{}}), 200))
		code, out = s.call("POST", "/rules/validate", newRule("v2", "SELECT * FROM nosuch", obj{"log": obj{}}))
		require.Equal(t, 422, code, out)
		require.Equal(t, `{"valid":false,"message":"fail to get stream nosuch, please check if stream is created"}`, out)

		require.Equal(t, []string{"filter1"}, s.ruleIDs(), "refused and validated rules are not stored")
	})

	t.Run("memory pipeline", func(t *testing.T) {
		require.Equal(t, "Stream memin is created.", s.mustCall("POST", "/streams",
			obj{"sql": `CREATE STREAM memin () WITH (DATASOURCE="mem/t", FORMAT="json", TYPE="memory")`}, 201))
		require.Equal(t, "Rule frommem was created successfully.", s.mustCall("POST", "/rules",
			newRule("frommem", "SELECT temperature * 2 AS t2, ts FROM memin",
				mqttSink(t, resultMem, obj{"sendSingle": true}), obj{"log": obj{}}), 201))
		require.Equal(t, "Rule tomem was created successfully.", s.mustCall("POST", "/rules",
			newRule("tomem", "SELECT temperature, ts FROM demo", obj{"memory": obj{"topic": "mem/t"}}), 201))
		s.ready("frommem")
		s.ready("tomem")
		cl.publish(demo, []byte(`{"temperature":21.5,"ts":1}`))
		cl.publish(demo, []byte(`{"temperature":30,"ts":2}`))
		require.Equal(t, []string{`{"t2":43,"ts":1}`, `{"t2":60,"ts":2}`}, cl.waitMessages(resultMem, 2))
		require.Eventually(t, func() bool {
			return len(s.logs.Lines(`msg="sink result"`, "rule=frommem", `{\"t2\":60,\"ts\":2}`)) == 1
		}, 10*time.Second, 10*time.Millisecond, "the log sink logs each result")

		code, out := s.call("DELETE", "/streams/memin", nil)
		require.Equal(t, 400, code, "a stream in use cannot be dropped: %s", out)
		require.Contains(t, out, "frommem")

		require.Equal(t, "Rule frommem is dropped.", s.mustCall("DELETE", "/rules/frommem", nil, 200))
		require.Equal(t, "Rule tomem is dropped.", s.mustCall("DELETE", "/rules/tomem", nil, 200))
		require.Equal(t, "Stream memin is dropped.", s.mustCall("DELETE", "/streams/memin", nil, 200))
		require.Equal(t, `["demo"]`, s.mustCall("GET", "/streams", nil, 200))
	})

	t.Run("delete", func(t *testing.T) {
		require.Equal(t, "Rule filter1 is dropped.", s.mustCall("DELETE", "/rules/filter1", nil, 200))
		code, out := s.call("DELETE", "/rules/nosuch", nil)
		require.Equal(t, 400, code)
		require.Equal(t, errBody(1000, "Delete rule error: rule nosuch not found"), out)
		require.Equal(t, "[]", s.mustCall("GET", "/rules", nil, 200))
		code, out = s.call("GET", "/rules/filter1/status", nil)
		require.Equal(t, 404, code, out)
		n := len(cl.received(result))
		cl.publish(demo, []byte(`{"temperature":90,"ts":7}`))
		cl.noMore(result, n)
		require.Equal(t, "Stream demo is dropped.", s.mustCall("DELETE", "/streams/demo", nil, 200))
		require.Equal(t, "[]", s.mustCall("GET", "/streams", nil, 200))
	})
}

// filterKeys keeps the keys of got that are in want, in got's order.
func filterKeys(got, want []string) []string {
	in := map[string]bool{}
	for _, k := range want {
		in[k] = true
	}
	var out []string
	for _, k := range got {
		if in[k] {
			out = append(out, k)
		}
	}
	return out
}

// missingFrom returns the keys of got that are not in want.
func missingFrom(got, want []string) []string {
	in := map[string]bool{}
	for _, k := range want {
		in[k] = true
	}
	var out []string
	for _, k := range got {
		if !in[k] {
			out = append(out, k)
		}
	}
	return out
}

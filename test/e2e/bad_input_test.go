package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// exceptions sums the exceptions of every node of a rule's status.
func exceptions(st map[string]any) float64 {
	var n float64
	for k, v := range st {
		if strings.HasSuffix(k, "_exceptions_total") {
			n += v.(float64)
		}
	}
	return n
}

// wideObject is a JSON object with n numbered fields followed by tail's.
func wideObject(n int, tail string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `"f%d":%d,`, i, i)
	}
	b.WriteString(strings.TrimPrefix(tail, "{"))
	return b.Bytes()
}

// TestBadPayloads sends payloads a rule cannot use: each is counted as an
// exception of the rule, the rule keeps running and later messages still
// produce output, and the server keeps answering.
func TestBadPayloads(t *testing.T) {
	t.Parallel()
	const maxSize = 256 << 10
	s := startServerEnv(t, "", fmt.Sprintf("KUIPER__BASIC__MAXMESSAGESIZE=%d", maxSize))
	cl := newClient(t)
	in, typedIn, out, typedOut := topicFor(t, "in"), topicFor(t, "typed_in"), topicFor(t, "out"), topicFor(t, "typed_out")
	cl.subscribe(out)
	cl.subscribe(typedOut)
	s.createStream(fmt.Sprintf(`CREATE STREAM demo () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in))
	s.createStream(fmt.Sprintf(`CREATE STREAM typed (device string, temperature float) WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, typedIn))
	s.createRule(newRule("free", "SELECT device, temperature FROM demo WHERE temperature > 0", mqttSink(t, out, obj{"sendSingle": true})))
	s.createRule(newRule("typed", "SELECT device, temperature FROM typed", mqttSink(t, typedOut, obj{"sendSingle": true})))

	oversized := wideObject(0, fmt.Sprintf(`{"pad":%q,"device":"big","temperature":1}`, strings.Repeat("x", maxSize)))
	cases := []struct {
		name    string
		topic   string
		payload []byte
		rule    string
	}{
		{"not JSON", in, []byte("temperature=20"), "free"},
		{"JSON number", in, []byte("42"), "free"},
		{"JSON string", in, []byte(`"hot"`), "free"},
		{"truncated object", in, []byte(`{"device":"t","temperature":`), "free"},
		{"oversized", in, oversized, "free"},
		{"wrong type for a typed stream", typedIn, []byte(`{"device":"w","temperature":"hot"}`), "typed"},
		{"object for a typed string", typedIn, []byte(`{"device":{"a":1},"temperature":1}`), "typed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := exceptions(s.ruleStatus(c.rule))
			cl.publish(c.topic, c.payload)
			require.Eventually(t, func() bool { return exceptions(s.tryStatus(c.rule)) == before+1 }, 10*time.Second,
				10*time.Millisecond, "the bad payload is counted once as an exception")
			st := s.ruleStatus(c.rule)
			require.Equal(t, "running", st["status"])
			var last string
			for k, v := range st {
				if strings.HasSuffix(k, "_last_exception") && v != "" {
					last = v.(string)
				}
			}
			require.NotEmpty(t, last, "the exception is described")
			s.mustCall("GET", "/ping", nil, 200)
		})
	}
	require.Less(t, len(s.logs.Lines("bad message")), len(cases), "bad messages are logged once per burst: %s", s.logs.Lines("bad message"))

	// A payload with 10k fields is a valid message; the rule picks its
	// fields and keeps going.
	cl.publish(in, wideObject(10000, `{"device":"wide","temperature":5}`))
	cl.publish(typedIn, wideObject(10000, `{"device":"wide","temperature":5}`))
	// Arrays are several rows.
	cl.publish(in, []byte(`[{"device":"a1","temperature":1},{"device":"a2","temperature":2}]`))
	cl.publish(in, []byte(`{"device":"good","temperature":7}`))
	cl.publish(typedIn, []byte(`{"device":"good","temperature":7}`))
	require.Equal(t, []string{
		`{"device":"wide","temperature":5}`,
		`{"device":"a1","temperature":1}`,
		`{"device":"a2","temperature":2}`,
		`{"device":"good","temperature":7}`,
	}, cl.waitMessages(out, 4))
	require.Equal(t, []string{`{"device":"wide","temperature":5}`, `{"device":"good","temperature":7}`}, cl.waitMessages(typedOut, 2))
	cl.noMore(out, 4)
	s.waitMetric("free", "sink_mqtt_0_0_records_out_total", 4)
	st := s.ruleStatus("free")
	require.Equal(t, float64(5), exceptions(st))
	require.Equal(t, float64(4), st["sink_mqtt_0_0_records_out_total"])
}

// TestBadRuleBodies posts rule definitions the server must refuse: each
// gets a clear 4xx naming the field or position, and nothing is stored, so
// a later create with the same id works.
func TestBadRuleBodies(t *testing.T) {
	t.Parallel()
	s := startServer(t, "")
	s.createStream(fmt.Sprintf(`CREATE STREAM demo (temperature float, device string) WITH (DATASOURCE=%q, TYPE="mqtt")`, topicFor(t, "in")))
	good := func(id string) obj { return newRule(id, "SELECT * FROM demo", obj{"nop": obj{}}) }
	cases := []struct {
		name   string
		id     string
		body   string
		status int
		code   int
		msg    []string // substrings of the message
	}{
		{"invalid JSON", "b1", `{"id":"b1","sql":"SELECT * FROM demo",`, 400, 1000, []string{"Invalid body", "offset 38"}},
		{"not an object", "b2", `["b2"]`, 400, 1000, []string{"expected a JSON object"}},
		{"unknown sink type", "b3", `{"id":"b3","sql":"SELECT * FROM demo","actions":[{"nosuch":{}}]}`, 400, 1000, []string{`unknown sink type "nosuch"`}},
		{"actions missing", "b4", `{"id":"b4","sql":"SELECT * FROM demo"}`, 400, 1000, []string{"actions"}},
		{"empty actions", "b5", `{"id":"b5","sql":"SELECT * FROM demo","actions":[]}`, 400, 1000, []string{"actions"}},
		{"id missing", "", `{"sql":"SELECT * FROM demo","actions":[{"log":{}}]}`, 400, 1000, []string{"id"}},
		{"sql missing", "b6", `{"id":"b6","actions":[{"log":{}}]}`, 400, 1000, []string{"sql"}},
		{"sql not a string", "b7", `{"id":"b7","sql":42,"actions":[{"log":{}}]}`, 400, 1000, []string{"sql"}},
		{"action not an object", "b8", `{"id":"b8","sql":"SELECT * FROM demo","actions":[{"log":1}]}`, 400, 1000, []string{"actions[0]"}},
		{"bad sink property", "b9", `{"id":"b9","sql":"SELECT * FROM demo","actions":[{"log":{"sendSingle":"maybe"}}]}`, 400, 1000, []string{"sendSingle"}},
		{"bad options", "b10", `{"id":"b10","sql":"SELECT * FROM demo","actions":[{"log":{}}],"options":{"qos":7}}`, 400, 1000, []string{"qos"}},
		{"SQL error position", "b11", `{"id":"b11","sql":"SELECT temperature FROM demo WHERE","actions":[{"log":{}}]}`, 400, 1000, []string{"line 1, col 35"}},
		{"unknown field of a typed stream", "b12", `{"id":"b12","sql":"SELECT humidity FROM demo","actions":[{"log":{}}]}`, 400, 1000, []string{"humidity"}},
		{"unknown function", "b13", `{"id":"b13","sql":"SELECT nosuchfn(temperature) FROM demo","actions":[{"log":{}}]}`, 400, 1000, []string{"nosuchfn"}},
		{"bad window unit", "b14", `{"id":"b14","sql":"SELECT count(*) FROM demo GROUP BY TUMBLINGWINDOW(parsecs, 1)","actions":[{"log":{}}]}`, 400, 1000, []string{"parsecs"}},
		{"event time without TIMESTAMP", "b16", `{"id":"b16","sql":"SELECT count(*) FROM demo GROUP BY TUMBLINGWINDOW(ss, 1)","actions":[{"log":{}}],"options":{"isEventTime":true}}`, 400, 1000, []string{"no TIMESTAMP"}},
		{"oversized body", "b15", `{"id":"b15","sql":"SELECT * FROM demo","actions":[{"log":{}}],"pad":"` + strings.Repeat("x", 2<<20) + `"}`, 413, 1000, []string{"too large"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out := s.call("POST", "/rules", c.body)
			require.Equal(t, c.status, code, out)
			var e struct {
				Error   int    `json:"error"`
				Message string `json:"message"`
			}
			require.NoError(t, json.Unmarshal([]byte(out), &e), out)
			require.Equal(t, c.code, e.Error, out)
			t.Log(e.Message)
			for _, m := range c.msg {
				require.Contains(t, e.Message, m)
			}
			require.Empty(t, s.ruleIDs(), "a refused rule leaves nothing behind")
			if c.id != "" {
				code, out := s.call("GET", "/rules/"+c.id, nil)
				require.Equal(t, 404, code, out)
				s.mustCall("POST", "/rules", good(c.id), 201)
				s.mustCall("DELETE", "/rules/"+c.id, nil, 200)
			}
		})
	}
	// A refused update leaves the old rule as it was.
	s.mustCall("POST", "/rules", good("keep"), 201)
	code, out := s.call("PUT", "/rules/keep", `{"id":"keep","sql":"SELECT * FROM nosuch","actions":[{"log":{}}]}`)
	require.Equal(t, 400, code, out)
	require.Equal(t, "running", s.ruleStatus("keep")["status"])
	require.Contains(t, s.mustCall("GET", "/rules/keep", nil, 200), `"SELECT * FROM demo"`)
	// A duplicate id is refused and the first rule stays.
	code, out = s.call("POST", "/rules", good("keep"))
	require.Equal(t, 400, code, out)
	require.Contains(t, out, "already exists")
	require.Equal(t, []string{"keep"}, s.ruleIDs())
}

// TestBadStreamBodies posts stream statements the server must refuse;
// nothing is stored.
func TestBadStreamBodies(t *testing.T) {
	t.Parallel()
	s := startServer(t, "")
	cases := []struct {
		name   string
		body   string
		status int
		code   int
		msg    string
	}{
		{"invalid JSON", `{"sql":`, 400, 1000, "Invalid body"},
		{"sql missing", `{}`, 400, 1000, `"sql"`},
		{"SQL error position", `{"sql":"CREATE STREAM s1 (a bigint WITH (DATASOURCE=\"x\")"}`, 400, 2001, "line 1, col"},
		{"unknown type", `{"sql":"CREATE STREAM s2 () WITH (DATASOURCE=\"x\", TYPE=\"nosuch\")"}`, 400, 3000, "nosuch"},
		{"unknown column type", `{"sql":"CREATE STREAM s3 (a nosuchtype) WITH (DATASOURCE=\"x\")"}`, 400, 0, "nosuchtype"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out := s.call("POST", "/streams", c.body)
			require.Equal(t, c.status, code, out)
			var e struct {
				Error   int    `json:"error"`
				Message string `json:"message"`
			}
			require.NoError(t, json.Unmarshal([]byte(out), &e), out)
			if c.code != 0 {
				require.Equal(t, c.code, e.Error, out)
			}
			require.Contains(t, e.Message, c.msg)
			require.Equal(t, "[]", s.mustCall("GET", "/streams", nil, 200))
		})
	}
}

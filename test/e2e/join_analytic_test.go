package e2e_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestJoinAnalytic runs lag() on both sides of an INNER JOIN of two MQTT
// streams in an event-time tumbling window: each call is evaluated on the
// rows of its stream as they arrive (a row that joins nothing still moves
// it) and its value travels with the row into the joined result.
func TestJoinAnalytic(t *testing.T) {
	t.Parallel()
	s := startServer(t, "")
	cl := newClient(t)
	inL, inR, out := topicFor(t, "l"), topicFor(t, "r"), topicFor(t, "out")
	cl.subscribe(out)
	s.createStream(fmt.Sprintf(`CREATE STREAM jl (id bigint, v bigint, ts bigint) WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt", TIMESTAMP="ts")`, inL))
	s.createStream(fmt.Sprintf(`CREATE STREAM jr (id bigint, w bigint, ts bigint) WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt", TIMESTAMP="ts")`, inR))
	rule := newRule("jlag", `SELECT jl.id AS id, jl.v AS v, lag(jl.v) AS lv, jr.w AS w, lag(jr.w) AS lw
		FROM jl INNER JOIN jr ON jl.id = jr.id GROUP BY TUMBLINGWINDOW(ss, 10)`, mqttSink(t, out, nil))
	rule["options"] = obj{"isEventTime": true}
	s.createRule(rule)

	for _, m := range []string{`{"id":1,"v":1,"ts":1000}`, `{"id":2,"v":2,"ts":2000}`, `{"id":3,"v":3,"ts":11000}`, `{"id":9,"v":9,"ts":25000}`} {
		cl.publish(inL, []byte(m))
	}
	// id 5 joins nothing but is the row before id 3 in jr.
	for _, m := range []string{`{"id":1,"w":10,"ts":1500}`, `{"id":2,"w":20,"ts":2500}`, `{"id":5,"w":50,"ts":3000}`, `{"id":3,"w":30,"ts":12000}`, `{"id":9,"w":90,"ts":25000}`} {
		cl.publish(inR, []byte(m))
	}
	got := cl.waitMessages(out, 2)
	require.JSONEq(t, `[{"id":1,"v":1,"w":10},{"id":2,"lv":1,"lw":10,"v":2,"w":20}]`, got[0])
	require.JSONEq(t, `[{"id":3,"lv":2,"lw":50,"v":3,"w":30}]`, got[1])
	s.waitMetric("jlag", "op_3_analytic_0_records_out_total", 9)
}

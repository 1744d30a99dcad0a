package e2e_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTimezone_ConfiguredZone runs date functions with basic.timezone set
// by the environment: wall-clock values are rendered in that zone.
func TestTimezone_ConfiguredZone(t *testing.T) {
	t.Parallel()
	s := startServerEnv(t, "", "KUIPER__BASIC__TIMEZONE=Asia/Shanghai")
	cl := newClient(t)
	in, out := topicFor(t, "in"), topicFor(t, "out")
	cl.subscribe(out)
	s.createStream(fmt.Sprintf(`CREATE STREAM demo () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in))
	s.createRule(newRule("tz", "SELECT format_time(ts, 'yyyy-MM-dd HH:mm') AS t, hour(ts) AS h FROM demo",
		mqttSink(t, out, obj{"sendSingle": true})))
	// 2023-11-15T16:00:00Z is midnight of the 16th in Shanghai.
	cl.publish(in, []byte(`{"ts":1700064000000}`))
	require.Equal(t, []string{`{"h":0,"t":"2023-11-16 00:00"}`}, cl.waitMessages(out, 1))
}

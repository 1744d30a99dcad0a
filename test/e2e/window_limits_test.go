package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWindowLimits_ServerDefaults sets rule.windowMaxRows in kuiper.yaml
// and rule.windowMaxGroups through the environment: rules that leave the
// options out (or set them to 0) get them, a rule's own options override
// them.
func TestWindowLimits_ServerDefaults(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "etc"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(home, "etc", "kuiper.yaml"), []byte("rule:\n  windowMaxRows: 2\n"), 0o644))
	s := startServerEnv(t, home, "KUIPER__RULE__WINDOWMAXGROUPS=2")
	cl := newClient(t)
	in := topicFor(t, "in")
	s.createStream(fmt.Sprintf(`CREATE STREAM demo () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in))

	groups := "SELECT k, count(*) AS c FROM demo GROUP BY k, COUNTWINDOW(4)"
	rows := "SELECT k FROM demo GROUP BY COUNTWINDOW(4)"
	outs := map[string]string{}
	for _, r := range []struct {
		id, sql string
		options obj
	}{
		{"groups_default", groups, nil},
		{"groups_own", groups, obj{"windowMaxGroups": 10}},
		{"rows_default", rows, obj{"windowMaxRows": 0}}, // 0: the default
		{"rows_own", rows, obj{"windowMaxRows": 10}},
	} {
		outs[r.id] = topicFor(t, r.id)
		cl.subscribe(outs[r.id])
		rule := newRule(r.id, r.sql, mqttSink(t, outs[r.id], nil))
		if r.options != nil {
			rule["options"] = r.options
		}
		s.createRule(rule)
	}
	for _, k := range []string{"a", "b", "c", "a", "a"} {
		cl.publish(in, []byte(fmt.Sprintf(`{"k":%q}`, k)))
	}

	// Two groups fit by default: c is dropped and counted; it still
	// counts towards the window's four rows.
	require.Equal(t, []string{`[{"c":2,"k":"a"},{"c":1,"k":"b"}]`}, cl.waitMessages(outs["groups_default"], 1))
	require.Equal(t, float64(1), s.metricLike("groups_default", "_aggregate_0_dropped_total"))
	require.Equal(t, []string{`[{"c":2,"k":"a"},{"c":1,"k":"b"},{"c":1,"k":"c"}]`}, cl.waitMessages(outs["groups_own"], 1))
	require.Equal(t, float64(0), s.metricLike("groups_own", "_aggregate_0_dropped_total"))

	// Two rows fit by default: the window still closes at its fourth
	// row, the two rows beyond the limit are dropped and counted.
	require.Equal(t, []string{`[{"k":"a"},{"k":"b"},{"k":"c"},{"k":"a"}]`}, cl.waitMessages(outs["rows_own"], 1))
	require.Equal(t, []string{`[{"k":"a"},{"k":"b"}]`}, cl.waitMessages(outs["rows_default"], 1))
	require.Equal(t, float64(2), s.metricLike("rows_default", "_window_0_dropped_total"))
	require.Equal(t, float64(0), s.metricLike("rows_own", "_window_0_dropped_total"))
}

// metricLike returns the rule's metric whose name ends with suffix (0
// when there is none).
func (s *server) metricLike(id, suffix string) float64 {
	s.t.Helper()
	for k, v := range s.ruleStatus(id) {
		if strings.HasPrefix(k, "op_") && strings.HasSuffix(k, suffix) {
			f, _ := v.(float64)
			return f
		}
	}
	return 0
}

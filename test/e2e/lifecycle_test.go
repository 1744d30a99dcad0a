package e2e_test

import (
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRuleLifecycleRaces hammers one rule with concurrent start, stop and
// restart calls, and others with concurrent creates and deletes: every
// call answers, nothing deadlocks, and the rule ends in a state that works.
func TestRuleLifecycleRaces(t *testing.T) {
	t.Parallel()
	s := startServer(t, "")
	cl := newClient(t)
	in, out := topicFor(t, "in"), topicFor(t, "out")
	cl.subscribe(out)
	s.createStream(fmt.Sprintf(`CREATE STREAM demo () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in))
	s.createRule(newRule("r", "SELECT a FROM demo", mqttSink(t, out, obj{"sendSingle": true})))

	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				op := []string{"start", "stop", "restart"}[(w+i)%3]
				code, body, err := tryCall(s.RESTURL(), "POST", "/rules/r/"+op, nil)
				if err != nil || code != 200 {
					t.Errorf("%s: %d %s %v", op, code, body, err)
				}
				id := fmt.Sprintf("tmp%d", w%3)
				for _, c := range []struct {
					method, path string
					body         any
				}{
					{"POST", "/rules", newRule(id, "SELECT * FROM demo", obj{"nop": obj{}})},
					{"GET", "/rules/" + id + "/status", nil},
					{"DELETE", "/rules/" + id, nil},
				} {
					if code, body, err := tryCall(s.RESTURL(), c.method, c.path, c.body); err != nil || code >= 500 {
						t.Errorf("%s %s: %d %s %v", c.method, c.path, code, body, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, id := range s.ruleIDs() {
		require.Contains(t, []string{"r", "tmp0", "tmp1", "tmp2"}, id)
	}
	// Whatever the last call was, starting the rule makes it work.
	s.mustCall("POST", "/rules/r/start", nil, 200)
	s.ready("r")
	require.Equal(t, "running", s.ruleStatus("r")["status"])
	cl.publish(in, []byte(`{"a":1}`))
	require.Equal(t, `{"a":1}`, cl.waitMessages(out, 1)[0])
	cl.noMore(out, 1)
}

// TestRuleIDsAndUpdate checks ids with the punctuation eKuiper allows
// through every rule route, and PUT /rules/{id}.
func TestRuleIDsAndUpdate(t *testing.T) {
	t.Parallel()
	s := startServer(t, "")
	cl := newClient(t)
	in, out1, out2 := topicFor(t, "in"), topicFor(t, "out1"), topicFor(t, "out2")
	cl.subscribe(out1)
	cl.subscribe(out2)
	s.createStream(fmt.Sprintf(`CREATE STREAM demo () WITH (DATASOURCE=%q, FORMAT="json", TYPE="mqtt")`, in))

	t.Run("ids", func(t *testing.T) {
		for _, id := range []string{"a.b", "r-1_x", "ns:rule@v$1"} {
			p := "/rules/" + url.PathEscape(id)
			require.Equal(t, fmt.Sprintf("Rule %s was created successfully.", id),
				s.mustCall("POST", "/rules", newRule(id, "SELECT * FROM demo", obj{"nop": obj{}}), 201))
			s.mustCall("GET", p, nil, 200)
			s.mustCall("GET", p+"/status", nil, 200)
			s.mustCall("GET", p+"/topo", nil, 200)
			s.mustCall("POST", p+"/stop", nil, 200)
			s.mustCall("POST", p+"/start", nil, 200)
			require.Equal(t, fmt.Sprintf("Rule %s is dropped.", id), s.mustCall("DELETE", p, nil, 200))
		}
		for _, id := range []string{"a/b", "a b", "", "ü"} {
			code, body := s.call("POST", "/rules", newRule(id, "SELECT * FROM demo", obj{"nop": obj{}}))
			require.Equal(t, 400, code, "id %q: %s", id, body)
		}
		require.Empty(t, s.ruleIDs())
	})

	t.Run("update of a missing rule creates it", func(t *testing.T) {
		// docs/rest-api.md: PUT replaces a rule, or creates it.
		require.Equal(t, "Rule fresh was updated successfully.",
			s.mustCall("PUT", "/rules/fresh", newRule("fresh", "SELECT * FROM demo", obj{"nop": obj{}}), 200))
		require.Equal(t, "running", s.ruleStatus("fresh")["status"])
		require.Contains(t, s.ruleIDs(), "fresh")
		s.mustCall("DELETE", "/rules/fresh", nil, 200)
	})

	t.Run("update", func(t *testing.T) {
		s.createRule(newRule("u", "SELECT a FROM demo", mqttSink(t, out1, obj{"sendSingle": true})))
		cl.publish(in, []byte(`{"a":1,"b":2}`))
		require.Equal(t, []string{`{"a":1}`}, cl.waitMessages(out1, 1))

		require.Equal(t, "Rule u was updated successfully.", s.mustCall("PUT", "/rules/u",
			newRule("u", "SELECT b FROM demo", mqttSink(t, out2, obj{"sendSingle": true})), 200))
		s.ready("u")
		cl.publish(in, []byte(`{"a":3,"b":4}`))
		require.Equal(t, []string{`{"b":4}`}, cl.waitMessages(out2, 1))
		cl.noMore(out1, 1)
		require.Contains(t, s.mustCall("GET", "/rules/u", nil, 200), "SELECT b FROM demo")

		// The update survives a restart of the server.
		require.NoError(t, s.Close())
		s2 := startServer(t, s.home)
		s2.ready("u")
		cl.publish(in, []byte(`{"a":5,"b":6}`))
		require.Equal(t, `{"b":6}`, cl.waitMessages(out2, 2)[1])
	})

}

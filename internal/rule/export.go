package rule

import "github.com/kuiperio/kuiper/internal/topo"

// RuleView is a rule's state and, when it has run, its topology.
type RuleView struct {
	ID    string
	State string
	Topo  *topo.Topo // the running or last topology; nil if it never ran
}

// Views returns every rule's state, for metric exporters.
func (m *Manager) Views() []RuleView {
	m.mu.Lock()
	entries := make([]*entry, 0, len(m.rules))
	for _, e := range m.rules {
		entries = append(entries, e)
	}
	m.mu.Unlock()
	out := make([]RuleView, 0, len(entries))
	for _, e := range entries {
		e.mu.Lock()
		t := e.topo
		if t == nil {
			t = e.last
		}
		out = append(out, RuleView{ID: e.def.ID, State: e.state, Topo: t})
		e.mu.Unlock()
	}
	return out
}

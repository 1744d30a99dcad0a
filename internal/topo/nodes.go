package topo

// Node is a read-only view of one node's metrics, for exporters.
type Node struct {
	// Kind is "source", "op" or "sink".
	Kind string
	// Name is the node name without kind and instance, e.g. "demo",
	// "3_filter", "mqtt_0".
	Name string
	*Metrics
}

// Nodes lists the rule's nodes in topology order.
func (t *Topo) Nodes() []Node {
	var out []Node
	add := func(kind string, m *Metrics) {
		name := m.Prefix[len(kind)+1:]
		if i := lastUnderscore(name); i > 0 {
			name = name[:i] // drop the instance number
		}
		out = append(out, Node{Kind: kind, Name: name, Metrics: m})
	}
	for _, m := range t.sourceMetrics {
		add("source", m)
	}
	for _, m := range t.ops {
		add("op", m)
	}
	for _, n := range t.sinks {
		add("op", n.transform)
		add("op", n.encode)
		add("sink", n.metrics)
	}
	return out
}

func lastUnderscore(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '_' {
			return i
		}
	}
	return -1
}

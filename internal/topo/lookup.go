package topo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/kuiperio/kuiper/internal/catalog"
	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/exec"
	"github.com/kuiperio/kuiper/internal/value"
	"github.com/kuiperio/kuiper/sdk/api"
)

// lookupConn is an open lookup source of a rule's lookup table.
type lookupConn struct {
	src    api.LookupSource
	ctx    *connector.Context
	schema []value.Column
	name   string
}

// Lookup implements exec.Lookuper over the plugin contract.
func (c *lookupConn) Lookup(fields []string, values []value.Value) ([]*value.Row, error) {
	vals := make([]any, len(values))
	for i, v := range values {
		vals[i] = v.ToAny()
	}
	maps, err := c.src.Lookup(c.ctx, fields, vals)
	if err != nil {
		return nil, fmt.Errorf("lookup table %s: %w", c.name, err)
	}
	rows := make([]*value.Row, 0, len(maps))
	for _, m := range maps {
		o := value.FromAny(m).Object()
		if o == nil {
			continue
		}
		if c.schema != nil {
			v, err := value.CoerceType(value.ObjectValue(o), &value.Type{Kind: value.Obj, Fields: c.schema})
			if err != nil {
				return nil, fmt.Errorf("lookup table %s: %w", c.name, err)
			}
			o = v.Object()
		}
		rows = append(rows, &value.Row{Msg: o})
	}
	return rows, nil
}

// OpenLookup creates, configures and opens the lookup source of a lookup
// table (KIND="lookup"); it returns the source with its merged
// properties. Lookup sources are per rule: each rule opens its own.
func (m *SourceManager) OpenLookup(ctx context.Context, def *catalog.Def, ruleID string) (api.LookupSource, *connector.Context, map[string]any, error) {
	f, _, ok := m.env.LookupSource(def.Props.Type)
	if !ok {
		return nil, nil, nil, fmt.Errorf("table %s: source type %q cannot serve a lookup table", def.Name, def.Props.Type)
	}
	props, err := m.sourceProps(def)
	if err != nil {
		return nil, nil, nil, err
	}
	src := f()
	if err := src.Configure(def.Props.Datasource, props); err != nil {
		return nil, nil, nil, fmt.Errorf("configure lookup table %s: %w", def.Name, err)
	}
	sctx := connector.NewContext(ctx, ruleID, def.Name, 0, m.logger.With("table", def.Name))
	if err := src.Open(sctx); err != nil {
		return nil, nil, nil, fmt.Errorf("open lookup table %s: %w", def.Name, err)
	}
	return src, sctx, props, nil
}

// openLookups opens the rule's lookup tables and connects them to its
// operator, behind a cache when the source's "lookup" properties ask for
// one (cache, cacheTtl in seconds, cacheMissingKey).
func (t *Topo) openLookups(ctx context.Context) error {
	for i, s := range t.plan.Sources {
		if !s.Lookup {
			continue
		}
		src, sctx, props, err := t.deps.Sources.OpenLookup(ctx, s.Def, t.id)
		if err != nil {
			return err
		}
		c := &lookupConn{src: src, ctx: sctx, schema: s.Def.Schema(), name: s.Name}
		t.lookups = append(t.lookups, c)
		var l exec.Lookuper = c
		if lc, ok := props["lookup"].(map[string]any); ok && truthy(lc["cache"]) {
			ttl := time.Duration(number(lc["cacheTtl"]) * float64(time.Second))
			l = exec.NewLookupCache(c, ttl, truthy(lc["cacheMissingKey"]), 0, t.deps.Clock.Now)
		}
		t.op.SetLookup(i, l)
	}
	return nil
}

func (t *Topo) closeLookups() {
	for _, c := range t.lookups {
		if err := c.src.Close(c.ctx); err != nil {
			t.logger.Warn("close lookup table", "table", c.name, "error", err)
		}
	}
	t.lookups = nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		b, _ := strconv.ParseBool(x)
		return b
	}
	return false
}

func number(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	}
	return 0
}

package exec

import (
	"sync"
	"time"

	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/value"
)

// Lookuper answers the key lookups of a lookup table: the rows whose
// fields equal values.
type Lookuper interface {
	Lookup(fields []string, values []value.Value) ([]*value.Row, error)
}

// SetLookup connects the lookup table at source index src.
func (o *Operator) SetLookup(src int, l Lookuper) {
	if o.lookups == nil {
		o.lookups = make([]Lookuper, o.nSrc)
	}
	o.lookups[src] = l
}

// lookupJoin joins the tuples built so far with the rows a lookup table
// returns for each tuple's key (INNER or LEFT).
func (o *Operator) lookupJoin(left [][]*value.Row, j *plan.Join) [][]*value.Row {
	var l Lookuper
	if o.lookups != nil {
		l = o.lookups[j.Src]
	}
	ctx := o.ctx
	out := make([][]*value.Row, 0, len(left))
	vals := make([]value.Value, len(j.LeftKeys))
	for _, lt := range left {
		hit := false
		copy(ctx.Rows, lt)
		o.loadAnalytics()
		var rows []*value.Row
		ok := l != nil
		for i, k := range j.LeftKeys {
			if !ok {
				break
			}
			v, err := k(ctx)
			if err != nil {
				o.fail(o.m.Join, err)
				ok = false
				break
			}
			if v.IsNil() {
				ok = false // nil never equals anything
				break
			}
			vals[i] = v
		}
		if ok {
			var err error
			if rows, err = l.Lookup(j.LookupFields, vals); err != nil {
				o.fail(o.m.Join, err)
			}
		}
		for _, r := range rows {
			copy(ctx.Rows, lt)
			ctx.Rows[j.Src] = r
			if j.On != nil {
				o.loadAnalytics()
				ok, err := cond(j.On, ctx)
				if err != nil {
					o.fail(o.m.Join, err)
					continue
				}
				if !ok {
					continue
				}
			}
			hit = true
			t := o.tuple()
			copy(t, lt)
			t[j.Src] = r
			out = append(out, t)
		}
		if !hit && j.Type == ast.LeftJoin {
			out = append(out, lt)
		}
	}
	return out
}

// LookupCache remembers the answers of a Lookuper for a while (the
// lookup.cache, cacheTtl and cacheMissingKey properties of eKuiper's
// lookup sources). It is safe for concurrent use.
type LookupCache struct {
	l       Lookuper
	ttl     time.Duration
	missing bool // also cache keys that found no row
	now     func() time.Time
	max     int

	mu      sync.Mutex
	entries map[string]cacheEntry
	key     []byte
}

type cacheEntry struct {
	rows    []*value.Row
	expires time.Time
}

// NewLookupCache caches l's answers for ttl (0: until evicted), keeping at
// most max keys (0: 100000); cacheMissing also caches empty answers.
func NewLookupCache(l Lookuper, ttl time.Duration, cacheMissing bool, max int, now func() time.Time) *LookupCache {
	if max <= 0 {
		max = 100_000
	}
	return &LookupCache{l: l, ttl: ttl, missing: cacheMissing, now: now, max: max, entries: map[string]cacheEntry{}}
}

// Lookup implements Lookuper.
func (c *LookupCache) Lookup(fields []string, values []value.Value) ([]*value.Row, error) {
	c.mu.Lock()
	c.key = c.key[:0]
	for i, f := range fields {
		c.key = append(c.key, f...)
		c.key = append(c.key, 0)
		c.key = value.AppendKey(c.key, values[i])
	}
	now := c.now()
	if e, ok := c.entries[string(c.key)]; ok && (c.ttl == 0 || now.Before(e.expires)) {
		c.mu.Unlock()
		return e.rows, nil
	}
	key := string(c.key)
	c.mu.Unlock()
	rows, err := c.l.Lookup(fields, values)
	if err != nil {
		return nil, err
	}
	if len(rows) > 0 || c.missing {
		c.mu.Lock()
		if len(c.entries) >= c.max {
			for k := range c.entries { // evict an arbitrary key
				delete(c.entries, k)
				break
			}
		}
		c.entries[key] = cacheEntry{rows: rows, expires: now.Add(c.ttl)}
		c.mu.Unlock()
	}
	return rows, nil
}

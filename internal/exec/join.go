package exec

import (
	"sync"

	"github.com/kuiperio/kuiper/internal/expr"
	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/value"
)

// join pairs the rows of a window (and the table snapshots) clause by
// clause, left to right, then applies WHERE to the joined rows. A tuple
// has one row per source; a source without a match is nil.
func (o *Operator) join(items []Item) [][]*value.Row {
	n := o.nSrc
	o.arena = o.arena[:0]
	if o.bySrc == nil {
		o.bySrc = make([][]*value.Row, n)
		o.index = make([]map[string][]int, n)
	}
	bySrc, index := o.bySrc, o.index
	for k := range bySrc {
		bySrc[k] = bySrc[k][:0]
		index[k] = nil
	}
	for i := range items {
		it := &items[i]
		bySrc[it.Src] = append(bySrc[it.Src], it.Row)
	}
	o.indexAnalytics(items)
	for k, t := range o.tables {
		if t != nil {
			c := o.tableCache(k, t)
			bySrc[k], index[k] = c.rows, c.index
		}
	}
	tuples := make([][]*value.Row, 0, len(bySrc[0]))
	for _, r := range bySrc[0] {
		t := o.tuple()
		t[0] = r
		tuples = append(tuples, t)
	}
	in := len(tuples)
	for _, j := range o.p.Joins {
		if o.p.Sources[j.Src].Lookup {
			tuples = o.lookupJoin(tuples, j)
			continue
		}
		idx := index[j.Src]
		if idx == nil && j.LeftKeys != nil {
			idx = o.buildIndex(j, bySrc[j.Src])
		}
		tuples = o.joinOne(tuples, j, bySrc[j.Src], idx)
	}
	o.m.Join.Add(in, len(tuples))
	if o.p.Where == nil {
		return tuples
	}
	kept := tuples[:0]
	for _, t := range tuples {
		copy(o.ctx.Rows, t)
		o.loadAnalytics()
		ok, err := cond(o.p.Where, o.ctx)
		if err != nil {
			o.fail(o.m.Filter, err)
			continue
		}
		if ok {
			kept = append(kept, t)
		}
	}
	o.m.Filter.Add(len(tuples), len(kept))
	return kept
}

// tuple returns an empty tuple from the operator's arena; tuples live
// until the next join.
func (o *Operator) tuple() []*value.Row {
	n := o.nSrc
	if len(o.arena)+n > cap(o.arena) {
		o.arena = make([]*value.Row, 0, max(64*n, 2*cap(o.arena)))
	}
	o.arena = o.arena[:len(o.arena)+n]
	t := o.arena[len(o.arena)-n : len(o.arena) : len(o.arena)]
	clear(t)
	return t
}

// tableCache is a table snapshot and its join index, rebuilt when the
// table changed.
type tableCache struct {
	version uint64
	rows    []*value.Row
	index   map[string][]int
}

func (o *Operator) tableCache(k int, t *Table) *tableCache {
	if o.tcache == nil {
		o.tcache = make([]*tableCache, o.nSrc)
	}
	c := o.tcache[k]
	if c == nil {
		c = &tableCache{version: ^uint64(0)}
		o.tcache[k] = c
	}
	if v := t.Version(); v != c.version {
		c.rows, c.version = t.appendRows(c.rows[:0])
		c.index = nil
		for _, j := range o.p.Joins {
			if j.Src == k && j.LeftKeys != nil {
				c.index = o.buildIndex(j, c.rows)
			}
		}
	}
	return c
}

// buildIndex maps the join key of each right row to its positions.
func (o *Operator) buildIndex(j *plan.Join, right []*value.Row) map[string][]int {
	ctx := o.ctx
	idx := make(map[string][]int, len(right))
	for i, r := range right {
		clear(ctx.Rows)
		ctx.Rows[j.Src] = r
		o.loadAnalytics()
		key, err := o.joinKey(j.RightKeys)
		if err != nil {
			o.fail(o.m.Join, err)
			continue
		}
		idx[string(key)] = append(idx[string(key)], i)
	}
	return idx
}

// joinKey evaluates join key expressions for the current row into
// o.jkey.
func (o *Operator) joinKey(keys []expr.Eval) ([]byte, error) {
	o.jkey = o.jkey[:0]
	for _, k := range keys {
		v, err := k(o.ctx)
		if err != nil {
			return nil, err
		}
		o.jkey = value.AppendKey(o.jkey, v)
		o.jkey = append(o.jkey, 0)
	}
	return o.jkey, nil
}

// joinOne joins the tuples built so far with the rows of one more source;
// idx, when not nil, indexes right by the join keys.
func (o *Operator) joinOne(left [][]*value.Row, j *plan.Join, right []*value.Row, idx map[string][]int) [][]*value.Row {
	ctx := o.ctx
	out := make([][]*value.Row, 0, len(left))
	var rightHit []bool
	if j.Type == ast.RightJoin || j.Type == ast.FullJoin {
		rightHit = make([]bool, len(right))
	}
	var cands []int
	for _, lt := range left {
		hit := false
		if idx != nil {
			copy(ctx.Rows, lt)
			o.loadAnalytics()
			key, err := o.joinKey(j.LeftKeys)
			if err != nil {
				o.fail(o.m.Join, err)
				cands = nil
			} else {
				cands = idx[string(key)]
			}
		}
		for c := 0; ; c++ {
			ri := c
			if idx != nil {
				if c >= len(cands) {
					break
				}
				ri = cands[c]
			} else if c >= len(right) {
				break
			}
			r := right[ri]
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
			if rightHit != nil {
				rightHit[ri] = true
			}
			t := o.tuple()
			copy(t, lt)
			t[j.Src] = r
			out = append(out, t)
		}
		if !hit && (j.Type == ast.LeftJoin || j.Type == ast.FullJoin) {
			out = append(out, lt)
		}
	}
	for ri, hit := range rightHit {
		if !hit {
			t := o.tuple()
			t[j.Src] = right[ri]
			out = append(out, t)
		}
	}
	return out
}

// Table is the snapshot of a scan table one rule keeps: the newest
// RETAIN_SIZE rows (the newest row only without RETAIN_SIZE). The table's
// source goroutine adds rows while the rule reads them, so it is locked.
type Table struct {
	mu      sync.Mutex
	rows    []*value.Row // ring buffer
	next    int
	full    bool
	version uint64 // bumps on every Add
}

// NewTable returns a snapshot keeping the newest retain rows (at least 1).
func NewTable(retain int) *Table {
	if retain <= 0 {
		retain = 1
	}
	return &Table{rows: make([]*value.Row, retain)}
}

// Add puts a row into the snapshot, evicting the oldest when full.
func (t *Table) Add(r *value.Row) {
	t.mu.Lock()
	t.rows[t.next] = r
	t.version++
	t.next++
	if t.next == len(t.rows) {
		t.next, t.full = 0, true
	}
	t.mu.Unlock()
}

// Len returns how many rows the snapshot holds.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.full {
		return len(t.rows)
	}
	return t.next
}

// Version changes whenever the content does.
func (t *Table) Version() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.version
}

// appendRows appends the rows, oldest first, and returns the version they
// are of.
func (t *Table) appendRows(dst []*value.Row) ([]*value.Row, uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.full {
		dst = append(dst, t.rows[t.next:]...)
	}
	return append(dst, t.rows[:t.next]...), t.version
}

package exec

import (
	"sync"

	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/value"
)

// join pairs the rows of a window (and the table snapshots) clause by
// clause, left to right, then applies WHERE to the joined rows. A tuple
// has one row per source; a source without a match is nil.
func (o *Operator) join(items []Item) [][]*value.Row {
	n := o.nSrc
	bySrc := make([][]*value.Row, n)
	for i := range items {
		it := &items[i]
		bySrc[it.Src] = append(bySrc[it.Src], it.Row)
	}
	for k, t := range o.tables {
		if t != nil {
			bySrc[k] = t.appendRows(bySrc[k][:0])
		}
	}
	tuples := make([][]*value.Row, 0, len(bySrc[0]))
	for _, r := range bySrc[0] {
		t := make([]*value.Row, n)
		t[0] = r
		tuples = append(tuples, t)
	}
	in := len(tuples)
	for _, j := range o.p.Joins {
		tuples = o.joinOne(tuples, j, bySrc[j.Src])
	}
	o.m.Join.Add(in, len(tuples))
	if o.p.Where == nil {
		return tuples
	}
	kept := tuples[:0]
	for _, t := range tuples {
		copy(o.ctx.Rows, t)
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

// joinOne joins the tuples built so far with the rows of one more source.
func (o *Operator) joinOne(left [][]*value.Row, j *plan.Join, right []*value.Row) [][]*value.Row {
	ctx := o.ctx
	out := make([][]*value.Row, 0, len(left))
	var rightHit []bool
	if j.Type == ast.RightJoin || j.Type == ast.FullJoin {
		rightHit = make([]bool, len(right))
	}
	for _, lt := range left {
		hit := false
		for ri, r := range right {
			copy(ctx.Rows, lt)
			ctx.Rows[j.Src] = r
			if j.On != nil {
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
			t := make([]*value.Row, len(lt))
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
			t := make([]*value.Row, o.nSrc)
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
	mu   sync.Mutex
	rows []*value.Row // ring buffer
	next int
	full bool
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

// appendRows appends the rows, oldest first.
func (t *Table) appendRows(dst []*value.Row) []*value.Row {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.full {
		dst = append(dst, t.rows[t.next:]...)
	}
	return append(dst, t.rows[:t.next]...)
}

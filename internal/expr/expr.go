// Package expr compiles bound SQL expressions into evaluators: closures
// over the row, built once per rule instance, that run without reflection
// or maps on the hot path.
package expr

import (
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/sql/token"
	"github.com/kuiperio/kuiper/internal/value"
)

// Ctx is what an evaluator reads: the current row (one per source in
// joins), the values of select-list aliases computed so far, and slots the
// operators fill before evaluation (analytic and aggregate results).
//
// A Ctx and the evaluators compiled for it belong to one goroutine.
type Ctx struct {
	Rows    []*value.Row
	Aliases []value.Value
	Slots   []value.Value
	// WindowStart and WindowEnd are the bounds, in Unix ms, of the window
	// being emitted (0 outside windows).
	WindowStart int64
	WindowEnd   int64
	// RowNumber is the 1-based position of the row being projected in its
	// result set (row_number()).
	RowNumber int64
	// HitCount and HitTime (Unix ms) count the rows that passed WHERE so
	// far (last_hit_count(), last_hit_time()); AggHitCount and AggHitTime
	// the groups that passed HAVING (last_agg_hit_count(),
	// last_agg_hit_time()). The runner updates them.
	HitCount, HitTime       int64
	AggHitCount, AggHitTime int64

	expanded value.Value // the set-returning field's value of the current row
}

// Row returns the row of source i, or nil.
func (c *Ctx) Row(i int) *value.Row {
	if i < len(c.Rows) {
		return c.Rows[i]
	}
	return nil
}

// Eval evaluates an expression for the current row.
type Eval func(c *Ctx) (value.Value, error)

// Const returns an evaluator of a constant.
func Const(v value.Value) Eval {
	return func(*Ctx) (value.Value, error) { return v, nil }
}

// Analytic is a stateful analytic call (lag, latest, changed_col...). The
// rule evaluates every analytic call of a rule for each incoming row,
// before WHERE, as eKuiper does, and stores the result in Ctx.Slots[Slot].
// In a join, a call is evaluated only on the rows of the stream it reads
// (see Sources).
type Analytic struct {
	Spec      *function.Spec
	Args      []Eval
	ConstArgs []function.Arg
	Partition []Eval
	When      Eval
	Slot      int
	// Pos is where the call is in the SQL.
	Pos token.Pos
	// Sources are the sources whose columns the call (its arguments,
	// PARTITION BY and WHEN, and the analytic calls nested in them)
	// reads, in order of first use; AnySource stands for an unqualified
	// column of a join that more than one source may hold.
	Sources []int

	buf    []value.Value
	states map[string]any
	single any
	key    []byte
}

// Update evaluates the call for the current row and stores the result in
// its slot.
func (a *Analytic) Update(c *Ctx) error {
	if a.buf == nil {
		a.buf = make([]value.Value, len(a.Args))
	}
	for i, e := range a.Args {
		v, err := e(c)
		if err != nil {
			return err
		}
		a.buf[i] = v
	}
	when := true
	if a.When != nil {
		w, err := a.When(c)
		if err != nil {
			return err
		}
		when = w.Kind() == value.Bool && w.Bool()
	}
	var state any
	if len(a.Partition) == 0 {
		if a.single == nil {
			a.single = a.Spec.NewState(a.ConstArgs)
		}
		state = a.single
	} else {
		key, err := partitionKey(c, a.Partition, a.key[:0])
		if err != nil {
			return err
		}
		a.key = key
		if a.states == nil {
			a.states = make(map[string]any)
		}
		s, ok := a.states[string(key)]
		if !ok {
			s = a.Spec.NewState(a.ConstArgs)
			a.states[string(key)] = s
		}
		state = s
	}
	v, err := a.Spec.ExecAnalytic(state, a.buf, when)
	if err != nil {
		return err
	}
	c.Slots[a.Slot] = v
	return nil
}

// partitionKey appends an encoding of the partition values to dst.
func partitionKey(c *Ctx, parts []Eval, dst []byte) ([]byte, error) {
	for _, p := range parts {
		v, err := p(c)
		if err != nil {
			return nil, err
		}
		dst = value.AppendKey(dst, v)
		dst = append(dst, 0)
	}
	return dst, nil
}

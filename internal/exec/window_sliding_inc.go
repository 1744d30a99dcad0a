package exec

import (
	"math/bits"
	"slices"
	"strings"
	"sync"

	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/value"
)

// Incremental sliding windows.
//
// A sliding window emits, for a trigger at t, the rows in (t-size,
// t+delay]. Re-aggregating those rows on every trigger costs O(rows in
// the window) per row. When every aggregate of the rule is count, sum,
// avg, min or max and the aggregate arguments, their FILTERs and the
// GROUP BY keys depend only on the row, slideState keeps, next to the
// buffered rows (slidingWindow.items stays the source of truth), the
// prepared values of each row and per-group accumulators of the rows in
// the range of the last trigger. A trigger moves the range: rows that
// fall out leave the accumulators, rows that come in enter them. Each row
// enters and leaves once while time moves forwards, so a trigger costs
// O(groups) plus the rows that moved.
//
// Results equal re-aggregation (emitItems) except in the last bits of a
// float sum or average: those are the exact sum of the values rounded
// once, not the rounding of a left-to-right float sum (which cannot be
// maintained when rows leave). Whenever the window holds something the
// accumulators cannot answer exactly as emitItems would (a row whose
// keys or arguments failed to evaluate, a value an aggregate rejects,
// min/max over values of different types, a bigint sum whose running
// total could overflow, floats too large to sum exactly, more groups
// than MaxGroups), the trigger falls back to emitItems over the rows.

// Aggregate kinds slideState maintains.
const (
	slideCount = iota
	slideSum
	slideAvg
	slideMin
	slideMax
)

// slideRow is the prepared form of one buffered row; slideState.rows
// parallels slidingWindow.items.
type slideRow struct {
	ts  int64
	seq uint64 // insertion order, to order rows of the same time
	row *value.Row
	an  []value.Value
	g   *slideGroup // nil when preparing the row failed
	// vals holds one argument per aggregate call; nil values (and rows
	// an aggregate's FILTER rejects) are skipped by every kind.
	// count(*) has a non-nil marker.
	vals []value.Value
}

// slideGroup is one GROUP BY group: its rows in the current range, in
// window order, and its accumulators.
type slideGroup struct {
	key  string
	refs int // buffered rows of the group
	rows []*slideRow
	head int // rows[head:] are in range
	live int // index in slideState.live, -1 when no row is in range
	acc  []slideAcc
	res  []function.Aggregator // result views of acc for emitGroups
	out  group
}

func (g *slideGroup) first() *slideRow { return g.rows[g.head] }
func (g *slideGroup) size() int        { return len(g.rows) - g.head }

// slideState is the incremental state of a sliding window.
type slideState struct {
	kinds  []int // per plan aggregate call
	rows   []*slideRow
	free   []*slideRow
	seq    uint64
	groups map[string]*slideGroup
	live   []*slideGroup

	// The accumulators hold exactly the buffered rows with lo < ts <= hi.
	set    bool
	lo, hi int64
	nIn    int // rows in range
	nErr   int // rows in range whose preparation failed

	// emission scratch
	list []*group
	gs   groupSet
}

var slideBuiltins = sync.OnceValue(function.Builtins)

// slidingKinds returns the aggregate kinds of a plan whose sliding window
// can be maintained incrementally, or ok false.
func slidingKinds(p *plan.Plan) (kinds []int, ok bool) {
	if !p.Aggregating() || len(p.Joins) > 0 || len(p.Sources) != 1 || p.Stmt == nil {
		return nil, false
	}
	kinds = make([]int, len(p.Aggs))
	for i, a := range p.Aggs {
		k := -1
		switch strings.ToLower(a.Spec.Name) {
		case "count":
			k = slideCount
		case "sum":
			k = slideSum
		case "avg":
			k = slideAvg
		case "min":
			k = slideMin
		case "max":
			k = slideMax
		}
		switch {
		case k < 0, k == slideCount && len(a.Args) > 1, k != slideCount && len(a.Args) != 1:
			return nil, false
		}
		if b, ok := slideBuiltins().Lookup(a.Spec.Name); !ok || b.Name != a.Spec.Name {
			return nil, false
		}
		kinds[i] = k
	}
	if !rowPure(p.Stmt) {
		return nil, false
	}
	return kinds, true
}

// rowPure reports whether the GROUP BY keys and the arguments and FILTERs
// of every aggregate call of stmt depend only on the row, so that they
// can be evaluated once when the row arrives instead of at every trigger.
func rowPure(stmt *ast.SelectStatement) bool {
	for _, d := range stmt.Dimensions {
		if !pureExpr(d, nil) {
			return false
		}
	}
	var all []string
	for _, f := range stmt.Fields {
		if f.Alias != "" {
			all = append(all, f.Alias)
		}
	}
	check := func(e ast.Expr, aliases []string) bool {
		ok := true
		ast.Inspect(e, func(n ast.Node) bool {
			c, isCall := n.(*ast.Call)
			if !ok || !isCall {
				return ok
			}
			if s, found := slideBuiltins().Lookup(c.Name); found && s.Kind == function.Aggregate {
				for _, a := range c.Args {
					ok = ok && pureExpr(a, aliases)
				}
				if c.Filter != nil {
					ok = ok && pureExpr(c.Filter, aliases)
				}
				return false
			}
			return true
		})
		return ok
	}
	for i, f := range stmt.Fields {
		// A field sees the aliases of the fields before it.
		var vis []string
		for _, g := range stmt.Fields[:i] {
			if g.Alias != "" {
				vis = append(vis, g.Alias)
			}
		}
		if !check(f.Expr, vis) {
			return false
		}
	}
	if stmt.Having != nil && !check(stmt.Having, nil) {
		return false
	}
	for _, s := range stmt.SortFields {
		if !check(s.Expr, all) {
			return false
		}
	}
	return true
}

// pureExpr reports whether e depends only on the current row: no alias
// (its value is set by the projection), no window or rule-state function,
// no non-deterministic or unknown (plugin) function.
func pureExpr(e ast.Expr, aliases []string) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		if !ok {
			return false
		}
		switch n := n.(type) {
		case *ast.Ident:
			if slices.Contains(aliases, n.Name) {
				ok = false
			}
		case *ast.Call:
			switch strings.ToLower(n.Name) {
			case "meta", "mqtt", "rule_id", "rule_start":
				return true
			case "window_start", "window_end", "row_number", "event_time",
				"last_hit_count", "last_hit_time", "last_agg_hit_count", "last_agg_hit_time":
				ok = false
				return false
			}
			s, found := slideBuiltins().Lookup(n.Name)
			if !found || !(s.Deterministic || s.Kind == function.Analytic) {
				ok = false
			}
		}
		return ok
	})
	return ok
}

func newSlideState(kinds []int) *slideState {
	return &slideState{kinds: kinds, groups: map[string]*slideGroup{}}
}

// newRow prepares the operator's current row (it) for the state. It
// does not add it to the accumulators.
func (s *slideState) newRow(o *Operator, it *Item) *slideRow {
	var r *slideRow
	if n := len(s.free); n > 0 {
		r = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		r = &slideRow{vals: make([]value.Value, len(s.kinds))}
	}
	r.ts, r.row, r.an, r.seq = it.Ts, it.Row, it.An, s.seq
	s.seq++
	if err := o.prepare(); err != nil {
		r.g = nil
		return r
	}
	g := s.groups[string(o.key)]
	if g == nil {
		g = s.newGroup(string(o.key))
	}
	g.refs++
	r.g = g
	for i, k := range s.kinds {
		v := value.Value{}
		if o.aggOn[i] {
			if k == slideCount && len(o.argVals[i]) == 0 {
				v = value.IntValue(1)
			} else {
				v = o.argVals[i][0]
			}
		}
		r.vals[i] = v
	}
	return r
}

func (s *slideState) newGroup(key string) *slideGroup {
	g := &slideGroup{key: key, live: -1, acc: make([]slideAcc, len(s.kinds)), res: make([]function.Aggregator, len(s.kinds))}
	for i, k := range s.kinds {
		g.acc[i] = slideAcc{kind: k, idx: i}
		g.res[i] = &g.acc[i]
	}
	s.groups[key] = g
	return g
}

// insert puts r at index i of the rows (as its item went to index i of
// the window's items) and into the accumulators if it is in range.
func (s *slideState) insert(i int, r *slideRow) {
	s.rows = append(s.rows, nil)
	copy(s.rows[i+1:], s.rows[i:])
	s.rows[i] = r
	if s.inRange(r.ts) {
		s.enter(r)
	}
}

// dropFront forgets the first n rows, as the window drops its first n
// items.
func (s *slideState) dropFront(n int) {
	for _, r := range s.rows[:n] {
		if s.inRange(r.ts) {
			s.leave(r)
		}
		if g := r.g; g != nil {
			g.refs--
			if g.refs == 0 {
				delete(s.groups, g.key)
			}
		}
		r.row, r.an, r.g = nil, nil, nil
		clear(r.vals)
		s.free = append(s.free, r)
	}
	clear(s.rows[:n])
	s.rows = s.rows[n:]
}

func (s *slideState) inRange(ts int64) bool { return s.set && ts > s.lo && ts <= s.hi }

// enter adds a row of the range to the accumulators.
func (s *slideState) enter(r *slideRow) {
	s.nIn++
	g := r.g
	if g == nil {
		s.nErr++
		return
	}
	// Rows of the same time keep their arrival order, so r goes after
	// every row not later than it.
	pos := len(g.rows)
	for pos > g.head && g.rows[pos-1].ts > r.ts {
		pos--
	}
	atEnd := pos == len(g.rows)
	g.rows = slices.Insert(g.rows, pos, r)
	if g.live < 0 {
		g.live = len(s.live)
		s.live = append(s.live, g)
	}
	for i := range g.acc {
		g.acc[i].add(r, atEnd)
	}
}

// leave removes a row from the accumulators. Rows leave in window order,
// so r is the first of its group.
func (s *slideState) leave(r *slideRow) {
	s.nIn--
	g := r.g
	if g == nil {
		s.nErr--
		return
	}
	if g.rows[g.head] == r {
		g.rows[g.head] = nil
		g.head++
	} else {
		i := slices.Index(g.rows[g.head:], r)
		g.rows = slices.Delete(g.rows, g.head+i, g.head+i+1)
	}
	for i := range g.acc {
		g.acc[i].remove(r)
	}
	switch {
	case g.size() == 0:
		g.rows, g.head = g.rows[:0], 0
		for i := range g.acc {
			g.acc[i].reset()
		}
		last := s.live[len(s.live)-1]
		s.live[g.live] = last
		last.live = g.live
		s.live = s.live[:len(s.live)-1]
		g.live = -1
	case g.head > 32 && g.head > len(g.rows)/2:
		n := copy(g.rows, g.rows[g.head:])
		clear(g.rows[n:])
		g.rows, g.head = g.rows[:n], 0
	}
}

// reset empties the accumulators.
func (s *slideState) reset() {
	for _, g := range s.live {
		clear(g.rows)
		g.rows, g.head, g.live = g.rows[:0], 0, -1
		for i := range g.acc {
			g.acc[i].reset()
		}
	}
	s.live = s.live[:0]
	s.nIn, s.nErr = 0, 0
	s.set = false
}

// move makes the range (lo, hi]; items are the window's rows.
func (s *slideState) move(items []Item, lo, hi int64) {
	if s.set && (lo < s.lo || hi < s.hi) {
		s.reset()
	}
	if !s.set {
		s.set, s.lo, s.hi = true, lo, lo
	}
	search := func(t int64) int {
		n, _ := slices.BinarySearchFunc(items, t, func(it Item, t int64) int {
			if it.Ts <= t {
				return -1
			}
			return 1
		})
		return n
	}
	if lo > s.lo {
		for i, end := search(s.lo), search(min(lo, s.hi)); i < end; i++ {
			s.leave(s.rows[i])
		}
	}
	// Rows after the old range are later than every row in it, so they
	// enter at the end of their groups.
	for i, end := search(max(s.hi, lo)), search(hi); i < end; i++ {
		s.enter(s.rows[i])
	}
	s.lo, s.hi = lo, hi
}

// emit sends the window (lo, hi] from the accumulators; it reports false
// when they cannot give emitItems's result.
func (s *slideState) emit(o *Operator, items []Item, lo, hi int64) bool {
	s.move(items, lo, hi)
	if s.nErr > 0 || len(s.live) > o.opts.MaxGroups {
		return false
	}
	if len(s.live) > 1 {
		// Groups come in the order of their first row in the window.
		slices.SortFunc(s.live, func(a, b *slideGroup) int {
			x, y := a.first(), b.first()
			if x.ts != y.ts {
				return cmpInt64(x.ts, y.ts)
			}
			return cmpInt64(int64(x.seq), int64(y.seq))
		})
	}
	for i, g := range s.live {
		g.live = i
	}
	s.list = s.list[:0]
	for _, g := range s.live {
		for j := range g.acc {
			if !g.acc[j].exact(g) {
				return false
			}
		}
		f := g.first()
		g.out.rows = g.out.rowBuf[:1]
		g.out.rows[0] = f.row
		g.out.an = f.an
		g.out.aggs = g.res
		s.list = append(s.list, &g.out)
	}
	o.m.Aggregate.Add(s.nIn, len(s.list))
	s.gs.list = s.list
	o.emitGroups(&s.gs, lo, hi)
	s.gs.list = nil
	clear(s.list)
	return true
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// slideAcc is the accumulator of one aggregate call for one group over
// the rows in range.
type slideAcc struct {
	kind int
	idx  int   // the call's index in slideRow.vals
	n    int64 // values counted (count) or folded (the others)
	bad  int64 // values the aggregate rejects
	// sum and avg: bigints exactly in 128 bits, with the sum of their
	// absolute values (below 2^63 no running total can overflow), and
	// floats as an exact expansion (see expAdd).
	nf       int64
	huge     int64 // floats too large (or not finite) for the expansion
	isumHi   int64
	isumLo   uint64
	absHi    uint64
	absLo    uint64
	partials []float64
	// min and max: how many numbers, strings and datetimes; and the rows
	// that can still become the result (monotonic deque: each is at
	// least as good as every later one).
	nNum, nStr, nTime int64
	dq                []*slideRow
	dqHead            int
	dirty             bool // dq must be rebuilt from the group's rows
}

func (a *slideAcc) reset() {
	p := a.partials[:0]
	dq := a.dq[:0]
	clear(a.dq)
	*a = slideAcc{kind: a.kind, idx: a.idx, partials: p, dq: dq}
}

// hugeFloat is the magnitude from which float values are not summed
// exactly: a window of them could overflow the expansion.
const hugeFloat = 0x1p1000

func (a *slideAcc) add(r *slideRow, atEnd bool) { a.update(r, 1, atEnd) }
func (a *slideAcc) remove(r *slideRow)          { a.update(r, -1, false) }

// update adds (d = 1) or removes (d = -1) the value of r.
func (a *slideAcc) update(r *slideRow, d int64, atEnd bool) {
	v := r.vals[a.idx]
	if v.IsNil() {
		return
	}
	switch a.kind {
	case slideCount:
		a.n += d
	case slideSum, slideAvg:
		switch v.Kind() {
		case value.Int:
			a.n += d
			x := v.Int()
			ux := uint64(x)
			if x < 0 {
				ux = -ux
			}
			ext := uint64(x >> 63)
			var c uint64
			if d > 0 {
				a.isumLo, c = bits.Add64(a.isumLo, uint64(x), 0)
				a.isumHi = int64(uint64(a.isumHi) + ext + c)
				a.absLo, c = bits.Add64(a.absLo, ux, 0)
				a.absHi += c
			} else {
				a.isumLo, c = bits.Sub64(a.isumLo, uint64(x), 0)
				a.isumHi = int64(uint64(a.isumHi) - ext - c)
				a.absLo, c = bits.Sub64(a.absLo, ux, 0)
				a.absHi -= c
			}
		case value.Float:
			a.n += d
			a.nf += d
			f := v.Float()
			if !(f > -hugeFloat && f < hugeFloat) {
				a.huge += d
				return
			}
			a.partials = expAdd(a.partials, float64(d)*f)
		default:
			a.bad += d
		}
	case slideMin, slideMax:
		switch v.Kind() {
		case value.Int, value.Float:
			a.nNum += d
		case value.String:
			a.nStr += d
		case value.Time:
			a.nTime += d
		default:
			a.bad += d
			return
		}
		a.n += d
		if a.classes() > 1 {
			a.dirty = true
		}
		if a.dirty {
			return
		}
		if d < 0 {
			if a.dqHead < len(a.dq) && a.dq[a.dqHead] == r {
				a.dq[a.dqHead] = nil
				a.dqHead++
				if a.dqHead == len(a.dq) {
					a.dq, a.dqHead = a.dq[:0], 0
				}
			}
			return
		}
		a.push(r, atEnd)
	}
}

func (a *slideAcc) classes() int {
	n := 0
	for _, c := range [...]int64{a.nNum, a.nStr, a.nTime} {
		if c > 0 {
			n++
		}
	}
	return n
}

// better reports whether x beats y as the result; values are of one
// class, so they compare.
func (a *slideAcc) better(x, y *slideRow) bool {
	c, _ := value.Compare(x.vals[a.idx], y.vals[a.idx])
	if a.kind == slideMin {
		c = -c
	}
	return c > 0
}

// push adds r to the deque. At the end it evicts the rows it beats; in
// the middle (a row older than the group's newest) it enters only if no
// later row beats it, and evicts the earlier rows it beats.
func (a *slideAcc) push(r *slideRow, atEnd bool) {
	q := a.dq[a.dqHead:]
	pos := len(q)
	if !atEnd {
		for pos > 0 && q[pos-1].ts > r.ts {
			pos--
		}
		if pos < len(q) && a.better(q[pos], r) {
			return
		}
	}
	k := pos
	for k > 0 && a.better(r, q[k-1]) {
		k--
	}
	// q[k:pos] are beaten by r.
	a.dq = slices.Replace(a.dq, a.dqHead+k, a.dqHead+pos, r)
	if a.dqHead > 32 && a.dqHead > len(a.dq)/2 {
		n := copy(a.dq, a.dq[a.dqHead:])
		clear(a.dq[n:])
		a.dq, a.dqHead = a.dq[:n], 0
	}
}

// exact reports whether Result gives what a function.Aggregator folding
// the group's rows in order would; it rebuilds a stale deque.
func (a *slideAcc) exact(g *slideGroup) bool {
	if a.bad > 0 {
		return false
	}
	switch a.kind {
	case slideSum, slideAvg:
		if a.huge > 0 {
			return false
		}
		// Bigints only: emitItems turns the sum into a float when a
		// running total overflows, which cannot happen below 2^63.
		return a.nf > 0 || (a.absHi == 0 && a.absLo < 1<<63)
	case slideMin, slideMax:
		if a.classes() > 1 {
			return false
		}
		if a.dirty {
			clear(a.dq)
			a.dq, a.dqHead, a.dirty = a.dq[:0], 0, false
			for _, r := range g.rows[g.head:] {
				if !r.vals[a.idx].IsNil() {
					a.push(r, true)
				}
			}
		}
	}
	return true
}

// Add is not used: slideAcc is fed through update.
func (a *slideAcc) Add([]value.Value) error { return nil }

// Result is the aggregate over the rows in range (exact must have said
// true).
func (a *slideAcc) Result() (value.Value, error) {
	switch a.kind {
	case slideCount:
		return value.IntValue(a.n), nil
	case slideSum, slideAvg:
		if a.n == 0 {
			return value.Value{}, nil
		}
		var total float64
		if a.nf == 0 {
			if a.kind == slideSum {
				return value.IntValue(int64(a.isumLo)), nil
			}
			total = float64(int64(a.isumLo))
		} else {
			total = a.floatTotal()
		}
		if a.kind == slideAvg {
			total /= float64(a.n)
		}
		return floatValue(total), nil
	default:
		if a.dqHead == len(a.dq) {
			return value.Value{}, nil
		}
		return a.dq[a.dqHead].vals[a.idx], nil
	}
}

// floatTotal is the exact sum of the floats and bigints, rounded once.
func (a *slideAcc) floatTotal() float64 {
	if a.isumHi == 0 && a.isumLo == 0 {
		return expRound(a.partials)
	}
	p := make([]float64, len(a.partials), len(a.partials)+4)
	copy(p, a.partials)
	// The 128-bit bigint sum in 32-bit pieces, each exact as a float.
	const two32 = 1 << 32
	lo, hi := a.isumLo, a.isumHi
	for _, x := range [...]float64{
		float64(lo & (two32 - 1)),
		float64(lo>>32) * two32,
		float64(uint64(hi)&(two32-1)) * two32 * two32,
		float64(hi>>32) * two32 * two32 * two32,
	} {
		if x != 0 {
			p = expAdd(p, x)
		}
	}
	return expRound(p)
}

// floatValue is a float result as the aggregate functions give it: nil
// for NaN and infinities.
func floatValue(f float64) value.Value {
	if f != f || f > 1.7976931348623157e308 || f < -1.7976931348623157e308 {
		return value.Value{}
	}
	return value.FloatValue(f)
}

// expAdd adds x exactly to p, a sum held as floats of increasing
// magnitude whose significant bits do not overlap (Shewchuk's expansion,
// as in Python's math.fsum). Magnitudes must stay far from overflow.
func expAdd(p []float64, x float64) []float64 {
	i := 0
	for _, y := range p {
		if abs(x) < abs(y) {
			x, y = y, x
		}
		hi := x + y
		lo := y - (hi - x)
		if lo != 0 {
			p[i] = lo
			i++
		}
		x = hi
	}
	p = p[:i]
	if x != 0 {
		p = append(p, x)
	}
	return p
}

// expRound returns the float nearest the sum an expansion holds (ties to
// even).
func expRound(p []float64) float64 {
	n := len(p)
	if n == 0 {
		return 0
	}
	n--
	hi := p[n]
	lo := 0.0
	for n > 0 {
		x := hi
		n--
		y := p[n]
		hi = x + y
		lo = y - (hi - x)
		if lo != 0 {
			break
		}
	}
	// Half-way cases: the partials below decide the direction.
	if n > 0 && ((lo < 0 && p[n-1] < 0) || (lo > 0 && p[n-1] > 0)) {
		y := lo * 2
		x := hi + y
		if y == x-hi {
			hi = x
		}
	}
	return hi
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

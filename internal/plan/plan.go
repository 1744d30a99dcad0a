// Package plan binds a rule's SELECT statement against the catalog and the
// function registry and compiles it into the parts the operators run:
// sources, joins, analytic calls, the WHERE condition, the window, the
// grouping and aggregate calls, HAVING, ORDER BY, LIMIT and the select
// list.
//
// A Plan holds compiled, stateful evaluators, so each running rule instance
// builds its own; validation builds one and throws it away.
package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kuiperio/kuiper/internal/catalog"
	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/internal/expr"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/parser"
	"github.com/kuiperio/kuiper/internal/sql/token"
	"github.com/kuiperio/kuiper/internal/value"
)

// Catalog is what the binder needs from the catalog.
type Catalog interface {
	Lookup(name string) (*catalog.Def, bool)
}

// Source is one stream or table the rule reads. Sources[0] is the FROM
// stream; joined streams and tables follow in JOIN order.
type Source struct {
	Name  string // as in the catalog
	Alias string // FROM ... AS alias; "" when none
	Def   *catalog.Def
	// Fields lists the top-level fields the rule references; nil when it
	// needs them all (SELECT *), so the decoder can skip the rest.
	Fields []string
	// Table is set for a table joined to the rule's stream (scan or
	// lookup); tables feed a snapshot instead of triggering the rule.
	Table bool
	// Lookup is set for a lookup table (KIND="lookup").
	Lookup bool

	fieldSet map[string]bool // Fields as a set; nil for all
}

// ref is the name SQL refers to the source by: its alias, else its name.
func (s *Source) ref() string {
	if s.Alias != "" {
		return s.Alias
	}
	return s.Name
}

// Join is one JOIN clause: the source it joins (an index into
// Plan.Sources) and its ON condition.
type Join struct {
	Type ast.JoinType
	Src  int
	On   expr.Eval // nil for none (CROSS JOIN)
	// LeftKeys and RightKeys are the sides of the equalities of ON
	// ("l.a = r.b AND ...") between the sources joined so far and this
	// one, for a hash join; nil when ON has none. On is still checked for
	// every pair the keys match.
	LeftKeys, RightKeys []expr.Eval
	// LookupFields are the lookup table's columns RightKeys name, for a
	// join with a lookup table: each left row looks up the rows whose
	// LookupFields equal its LeftKeys.
	LookupFields []string
}

// Window is the compiled window of GROUP BY. Durations are milliseconds.
type Window struct {
	Type ast.WindowType
	Unit token.Token // DD, HH, MI, SS or MS for time windows
	// Length is the size of tumbling, hopping and sliding windows and the
	// maximum duration of a session window.
	Length int64
	// Interval is the hop of hopping windows (Length for tumbling ones)
	// and the timeout of session windows.
	Interval int64
	// Delay is the optional delay of a sliding window.
	Delay int64
	// Count and Step define a count window (Step is Count when omitted).
	Count, Step int
	// Filter is FILTER (WHERE ...) after the window: rows that fail it do
	// not enter the window.
	Filter expr.Eval
	// When is OVER (WHEN ...) after a sliding window: only rows that meet
	// it trigger the window.
	When expr.Eval
	// Begin and Emit are the conditions of a state window (the same
	// evaluator for the one-condition form); Partition its OVER
	// (PARTITION BY ...) keys.
	Begin, Emit expr.Eval
	Partition   []expr.Eval
}

// AggCall is one aggregate call of the rule. The aggregation operator
// evaluates Args (and Filter) for every row of a group, folds them into an
// Aggregator per group, and stores the result in Ctx.Slots[Slot] before
// the select list, HAVING and ORDER BY read it.
type AggCall struct {
	Name   string // the call as written, e.g. "count(*)"
	Spec   *function.Spec
	Consts []function.Arg
	Args   []expr.Eval
	Filter expr.Eval // FILTER (WHERE ...) on the call; nil when none
	Slot   int
}

// SortKey is one ORDER BY key.
type SortKey struct {
	Eval expr.Eval
	Desc bool
}

// Plan is a compiled rule query.
type Plan struct {
	SQL        string
	Stmt       *ast.SelectStatement
	Sources    []*Source
	Joins      []*Join
	Analytics  []*expr.Analytic
	Where      expr.Eval
	Window     *Window
	Dims       []expr.Eval
	Aggs       []*AggCall
	Having     expr.Eval
	Sort       []SortKey
	Limit      int // -1 when there is no LIMIT
	Fields     []*expr.Field
	NumAliases int
	NumSlots   int

	// AnalyticSrc is, for each of Analytics, the stream whose rows
	// evaluate it: the one whose columns it reads, or expr.AnySource
	// when it reads none (or only unqualified columns any stream of a
	// join may hold), so that every stream row does.
	AnalyticSrc []int
}

// Aggregating reports whether the rule folds rows into groups: it has
// aggregate calls or GROUP BY keys.
func (p *Plan) Aggregating() bool { return len(p.Aggs) > 0 || len(p.Dims) > 0 }

// Stateful reports whether the rule needs the window/join operator rather
// than the stateless row pipeline.
func (p *Plan) Stateful() bool { return p.Window != nil || len(p.Joins) > 0 }

// Streams returns the indexes of the sources that are streams (not
// tables).
func (p *Plan) Streams() []int {
	var out []int
	for i, s := range p.Sources {
		if !s.Table {
			out = append(out, i)
		}
	}
	return out
}

// Options tune binding.
type Options struct {
	RuleID string
	Now    func() time.Time
	// Location is the configured time zone (basic.timezone) date and
	// time functions work in; nil means UTC.
	Location *time.Location
}

// Parse parses rule SQL, which must be a SELECT statement.
func Parse(sql string) (*ast.SelectStatement, error) {
	stmt, err := parser.ParseStatement(sql)
	if err != nil {
		return nil, errs.With(errs.Parser, err)
	}
	sel, ok := stmt.(*ast.SelectStatement)
	if !ok {
		return nil, errs.New(errs.Parser, fmt.Sprintf("SQL %s is not a select statement", sql))
	}
	return sel, nil
}

// StreamNames returns the streams and tables a SELECT reads, without
// binding.
func StreamNames(stmt *ast.SelectStatement) []string {
	var names []string
	for _, t := range stmt.Sources {
		names = append(names, t.Name)
	}
	for _, j := range stmt.Joins {
		names = append(names, j.Table.Name)
	}
	return names
}

// Build binds and compiles stmt.
func Build(sql string, stmt *ast.SelectStatement, cat Catalog, funcs *function.Registry, opts Options) (*Plan, error) {
	p, err := build(sql, stmt, cat, funcs, opts)
	if err != nil {
		if errs.CodeOf(err) == errs.Undefined {
			err = errs.With(errs.Plan, err)
		}
		return nil, err
	}
	return p, nil
}

func build(sql string, stmt *ast.SelectStatement, cat Catalog, funcs *function.Registry, opts Options) (*Plan, error) {
	p := &Plan{SQL: sql, Stmt: stmt, Limit: -1}
	if err := p.bindSources(stmt, cat); err != nil {
		return nil, err
	}
	hasTable := false
	for _, s := range p.Sources {
		hasTable = hasTable || s.Table
	}
	if len(p.Sources) > 1 && stmt.Window == nil && !hasTable {
		return nil, errs.New(errs.Plan, "a join of streams needs a window in GROUP BY (e.g. GROUP BY COUNTWINDOW(5))")
	}
	b := &binder{plan: p, aliases: map[string]int{}, refs: make([]map[string]bool, len(p.Sources)), all: make([]bool, len(p.Sources))}
	comp := &expr.Compiler{Resolver: b, Funcs: funcs, RuleID: opts.RuleID, Now: opts.Now, Location: opts.Location}
	aggOK := stmt.Window != nil || hasTable
	ag := &aggregates{plan: p, binder: b, slots: map[string]int{}}
	comp.Aggregate = func(c *expr.Compiler, call *ast.Call, spec *function.Spec) (expr.Eval, error) {
		if !aggOK {
			return nil, &expr.CompileError{Pos: call.NamePos, Msg: fmt.Sprintf("aggregate function %s needs GROUP BY with a window (or a join with a table)", call.Name)}
		}
		if b.noAgg != "" {
			return nil, &expr.CompileError{Pos: call.NamePos, Msg: fmt.Sprintf("aggregate function %s is not allowed in %s", call.Name, b.noAgg)}
		}
		return ag.compile(c, call, spec)
	}

	// Aliases are assigned slots up front so later fields can refer to
	// earlier ones; visibility is controlled by b.visible.
	nextSlot := 0
	slots := make([]int, len(stmt.Fields))
	for i, f := range stmt.Fields {
		slots[i] = -1
		if f.Alias != "" {
			slots[i] = nextSlot
			nextSlot++
		}
	}
	p.NumAliases = nextSlot

	compileNoAgg := func(e ast.Expr, where string) (expr.Eval, error) {
		b.noAgg = where
		defer func() { b.noAgg = "" }()
		return comp.Compile(e)
	}
	for i, j := range stmt.Joins {
		pj := &Join{Type: j.Type, Src: i + 1}
		if j.On != nil {
			on, err := compileNoAgg(j.On, "ON")
			if err != nil {
				return nil, err
			}
			pj.On = on
			b.noAgg = "ON"
			var rightAST []ast.Expr
			pj.LeftKeys, pj.RightKeys, rightAST, err = b.equiKeys(comp, j.On, pj.Src)
			b.noAgg = ""
			if err != nil {
				return nil, err
			}
			if p.Sources[pj.Src].Lookup {
				for _, e := range rightAST {
					name := ""
					switch n := e.(type) {
					case *ast.Ident:
						name = n.Name
					case *ast.MemberExpr:
						if _, ok := n.X.(*ast.Ident); ok && !n.Arrow {
							name = n.Name
						}
					}
					if name == "" {
						pj.LookupFields = nil
						break
					}
					pj.LookupFields = append(pj.LookupFields, name)
				}
			}
		}
		if s := p.Sources[pj.Src]; s.Lookup {
			if j.Type != ast.InnerJoin && j.Type != ast.LeftJoin {
				return nil, errs.New(errs.Plan, fmt.Sprintf("lookup table %s supports INNER and LEFT JOIN only (at %s)", s.Name, j.JoinPos))
			}
			if len(pj.LookupFields) == 0 {
				return nil, errs.New(errs.Plan, fmt.Sprintf("a join with lookup table %s needs ON equalities between the stream and columns of the table, e.g. ON s.id = %s.id (at %s)", s.Name, s.Name, j.JoinPos))
			}
		}
		p.Joins = append(p.Joins, pj)
	}
	if stmt.Condition != nil {
		w, err := compileNoAgg(stmt.Condition, "WHERE")
		if err != nil {
			return nil, err
		}
		p.Where = w
	}
	if stmt.Window != nil {
		w, err := compileWindow(stmt.Window, func(e ast.Expr) (expr.Eval, error) { return compileNoAgg(e, "a window") })
		if err != nil {
			return nil, err
		}
		p.Window = w
	}
	if len(stmt.Dimensions) > 0 && !aggOK {
		return nil, errs.New(errs.Plan, fmt.Sprintf("GROUP BY without a window needs a join with a table (at %s)", stmt.Dimensions[0].Pos()))
	}
	for _, d := range stmt.Dimensions {
		e, err := compileNoAgg(d, "GROUP BY")
		if err != nil {
			return nil, err
		}
		p.Dims = append(p.Dims, e)
	}
	for i, f := range stmt.Fields {
		b.visible = i
		b.fieldAliases = stmt.Fields
		b.slots = slots
		if w, ok := f.Expr.(*ast.Wildcard); ok {
			star, err := b.star(w, comp)
			if err != nil {
				return nil, err
			}
			p.Fields = append(p.Fields, &expr.Field{Star: star, AliasSlot: -1})
			continue
		}
		e, err := comp.Compile(f.Expr)
		if err != nil {
			return nil, err
		}
		pf := &expr.Field{
			Name:      fieldName(f, i),
			Eval:      e,
			Invisible: f.Invisible,
			KeepNull:  expr.IsColumnRef(f.Expr, b),
			AliasSlot: slots[i],
		}
		if call, ok := f.Expr.(*ast.Call); ok {
			if spec, ok := funcs.Lookup(call.Name); ok {
				switch {
				case spec.SetReturning:
					if expr.HasExpand(p.Fields) {
						return nil, &expr.CompileError{Pos: call.NamePos, Msg: "only one set-returning function is allowed in the select list"}
					}
					pf.Expand = true
				case spec.Columns && f.Alias == "":
					pf.Merge = true
				}
			}
		}
		p.Fields = append(p.Fields, pf)
	}
	b.visible = 0
	if stmt.Having != nil {
		if !aggOK {
			return nil, errs.New(errs.Plan, fmt.Sprintf("HAVING needs GROUP BY with a window (or a join with a table) (at %s)", stmt.Having.Pos()))
		}
		h, err := comp.Compile(stmt.Having)
		if err != nil {
			return nil, err
		}
		p.Having = h
	}
	for _, sf := range stmt.SortFields {
		e, err := comp.Compile(substituteAliases(sf.Expr, stmt.Fields))
		if err != nil {
			return nil, err
		}
		p.Sort = append(p.Sort, SortKey{Eval: e, Desc: sf.Desc})
	}
	if stmt.Limit != nil {
		if stmt.Limit.Value < 0 {
			return nil, errs.New(errs.Plan, fmt.Sprintf("LIMIT must not be negative (at %s)", stmt.Limit.Pos()))
		}
		p.Limit = int(stmt.Limit.Value)
	}
	p.Analytics = comp.Analytics
	if err := p.bindAnalytics(); err != nil {
		return nil, err
	}
	p.NumSlots = comp.Slots()
	for i, s := range p.Sources {
		if b.all[i] {
			continue
		}
		for name := range b.refs[i] {
			s.Fields = append(s.Fields, name)
		}
		if s.Fields == nil {
			s.Fields = []string{}
		}
		s.fieldSet = make(map[string]bool, len(s.Fields))
		for _, f := range s.Fields {
			s.fieldSet[f] = true
		}
	}
	return p, nil
}

// bindAnalytics decides which rows evaluate each analytic call. A join
// has one row at a time arriving: a call is evaluated on the rows of the
// stream whose columns it reads, and its value travels with that row into
// the joined tuples. It may therefore read one stream only, and no table
// (table rows do not arrive one by one).
func (p *Plan) bindAnalytics() error {
	p.AnalyticSrc = make([]int, len(p.Analytics))
	for i, a := range p.Analytics {
		src := expr.AnySource
		if len(p.Sources) == 1 {
			src = 0
		}
		for _, s := range a.Sources {
			if s == expr.AnySource || s == src {
				continue
			}
			if p.Sources[s].Table {
				return errs.New(errs.Plan, fmt.Sprintf("analytic function %s reads table %s: analytic functions are evaluated on the rows of a stream (at %s)", a.Spec.Name, p.Sources[s].ref(), a.Pos))
			}
			if src != expr.AnySource {
				return errs.New(errs.Plan, fmt.Sprintf("analytic function %s reads streams %s and %s: in a join, an analytic function may read the columns of one stream only (at %s)", a.Spec.Name, p.Sources[src].ref(), p.Sources[s].ref(), a.Pos))
			}
			src = s
		}
		p.AnalyticSrc[i] = src
	}
	return nil
}

// bindSources looks up the FROM stream and the joined streams and tables.
func (p *Plan) bindSources(stmt *ast.SelectStatement, cat Catalog) error {
	tables := make([]*ast.Table, 0, len(stmt.Sources)+len(stmt.Joins))
	tables = append(tables, stmt.Sources...)
	for _, j := range stmt.Joins {
		tables = append(tables, j.Table)
	}
	seen := map[string]bool{}
	for i, t := range tables {
		d, ok := cat.Lookup(t.Name)
		if !ok {
			return errs.New(errs.StreamTable, fmt.Sprintf("fail to get stream %s, please check if stream is created", t.Name))
		}
		s := &Source{Name: t.Name, Alias: t.Alias, Def: d}
		if d.Kind == ast.KindTable {
			if i == 0 {
				return notYet(t.NamePos, "reading a table without a join")
			}
			s.Table = true
			s.Lookup = strings.EqualFold(d.Props.Kind, "lookup")
		}
		ref := s.ref()
		if seen[ref] {
			return errs.New(errs.Plan, fmt.Sprintf("source %s appears twice; give one of them an alias (at %s)", ref, t.NamePos))
		}
		seen[ref] = true
		p.Sources = append(p.Sources, s)
	}
	return nil
}

// unitMillis is the length of a window time unit.
func unitMillis(u token.Token) int64 {
	switch u {
	case token.DD:
		return 24 * 3600 * 1000
	case token.HH:
		return 3600 * 1000
	case token.MI:
		return 60 * 1000
	case token.SS:
		return 1000
	}
	return 1
}

func compileWindow(w *ast.WindowExpr, compile func(ast.Expr) (expr.Eval, error)) (*Window, error) {
	pw := &Window{Type: w.Type}
	ints := func(args []ast.Expr) []int64 {
		var out []int64
		for _, a := range args {
			if n, ok := a.(*ast.IntegerLit); ok {
				out = append(out, n.Value)
			}
		}
		return out
	}
	var unit int64 = 1
	args := w.Args
	if len(args) > 0 {
		if u, ok := args[0].(*ast.TimeUnitLit); ok {
			pw.Unit = u.Unit
			unit = unitMillis(u.Unit)
			args = args[1:]
		}
	}
	n := ints(args)
	bad := func(msg string) error {
		return errs.New(errs.Plan, fmt.Sprintf("%s: %s (at %s)", w.Type, msg, w.NamePos))
	}
	switch w.Type {
	case ast.TumblingWindow:
		if len(n) != 1 {
			return nil, bad("expects a time unit and a size")
		}
		pw.Length, pw.Interval = n[0]*unit, n[0]*unit
	case ast.HoppingWindow:
		if len(n) != 2 {
			return nil, bad("expects a time unit, a size and a hop")
		}
		pw.Length, pw.Interval = n[0]*unit, n[1]*unit
		if pw.Interval > pw.Length {
			return nil, bad("the hop must not be greater than the size")
		}
	case ast.SlidingWindow:
		if len(n) < 1 || len(n) > 2 {
			return nil, bad("expects a time unit, a size and an optional delay")
		}
		pw.Length = n[0] * unit
		if len(n) == 2 {
			pw.Delay = n[1] * unit
		}
	case ast.SessionWindow:
		if len(n) != 2 {
			return nil, bad("expects a time unit, a maximum duration and a timeout")
		}
		pw.Length, pw.Interval = n[0]*unit, n[1]*unit
	case ast.CountWindow:
		if len(n) < 1 || len(n) > 2 {
			return nil, bad("expects a count and an optional step")
		}
		pw.Count, pw.Step = int(n[0]), int(n[0])
		if len(n) == 2 {
			pw.Step = int(n[1])
		}
		if pw.Count <= 0 || pw.Step <= 0 || pw.Step > pw.Count {
			return nil, bad("the count must be positive and the step between 1 and the count")
		}
	case ast.StateWindow:
		if len(w.Args) < 1 || len(w.Args) > 2 {
			return nil, bad("expects one or two conditions")
		}
		var err error
		if pw.Begin, err = compile(w.Args[0]); err != nil {
			return nil, err
		}
		pw.Emit = pw.Begin
		if len(w.Args) == 2 {
			if pw.Emit, err = compile(w.Args[1]); err != nil {
				return nil, err
			}
		}
	default:
		return nil, bad("unknown window")
	}
	if w.Filter != nil {
		f, err := compile(w.Filter)
		if err != nil {
			return nil, err
		}
		pw.Filter = f
	}
	if w.Over != nil {
		if w.Over.When != nil {
			if w.Type != ast.SlidingWindow {
				return nil, bad("OVER (WHEN ...) is only allowed after SLIDINGWINDOW")
			}
			e, err := compile(w.Over.When)
			if err != nil {
				return nil, err
			}
			pw.When = e
		}
		if len(w.Over.Partition) > 0 {
			if w.Type != ast.StateWindow {
				return nil, bad("OVER (PARTITION BY ...) is only allowed after STATEWINDOW")
			}
			for _, e := range w.Over.Partition {
				pe, err := compile(e)
				if err != nil {
					return nil, err
				}
				pw.Partition = append(pw.Partition, pe)
			}
		}
	}
	return pw, nil
}

// substituteAliases replaces select-list aliases in an ORDER BY key with
// the aliased expressions, so the key can be evaluated before projection.
func substituteAliases(e ast.Expr, fields []*ast.Field) ast.Expr {
	return ast.RewriteExpr(e, func(x ast.Expr) ast.Expr {
		id, ok := x.(*ast.Ident)
		if !ok {
			return x
		}
		for _, f := range fields {
			if f.Alias == id.Name {
				if _, star := f.Expr.(*ast.Wildcard); !star {
					return f.Expr
				}
			}
		}
		return x
	})
}

func notYet(pos token.Pos, what string) error {
	return errs.New(errs.Plan, fmt.Sprintf("%s is %v (at %s)", what, expr.ErrNotSupported, pos))
}

// fieldName is the output name of an unaliased field, as eKuiper names
// it: the column for a column reference, the function for a call,
// kuiper_field_<index> otherwise.
func fieldName(f *ast.Field, i int) string {
	if f.Alias != "" {
		return f.Alias
	}
	switch e := f.Expr.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.MemberExpr:
		if _, ok := e.X.(*ast.Ident); ok && !e.Arrow {
			return e.Name
		}
	case *ast.Call:
		return strings.ToLower(e.Name)
	}
	return "kuiper_field_" + strconv.Itoa(i)
}

// aggregates compiles aggregate calls into AggCalls and slot readers.
type aggregates struct {
	plan   *Plan
	binder *binder
	slots  map[string]int // call text -> slot, so repeated calls share one
}

func (a *aggregates) compile(c *expr.Compiler, call *ast.Call, spec *function.Spec) (expr.Eval, error) {
	key := call.String()
	if slot, ok := a.slots[key]; ok {
		return slotReader(slot), nil
	}
	b := a.binder
	if b.noAgg == "" {
		// Nested aggregates are refused while the arguments compile.
		b.noAgg = "the arguments of an aggregate function"
		defer func() { b.noAgg = "" }()
	}
	noAn := c.NoAnalytic
	c.NoAnalytic = true
	defer func() { c.NoAnalytic = noAn }()
	ac := &AggCall{Name: key, Spec: spec}
	name := strings.ToLower(spec.Name)
	for _, arg := range call.Args {
		if w, ok := arg.(*ast.Wildcard); ok {
			if name == "count" {
				continue
			}
			ev, err := b.rowObject(w)
			if err != nil {
				return nil, err
			}
			ac.Args = append(ac.Args, ev)
			ac.Consts = append(ac.Consts, function.Arg{})
			continue
		}
		e, err := c.Compile(arg)
		if err != nil {
			return nil, err
		}
		v, isConst := expr.IsConst(arg)
		ac.Args = append(ac.Args, e)
		ac.Consts = append(ac.Consts, function.Arg{Const: isConst, Value: v})
	}
	if err := spec.CheckArgs(ac.Consts); err != nil {
		return nil, &expr.CompileError{Pos: call.NamePos, Msg: err.Error()}
	}
	if spec.NewAggregator == nil {
		return nil, &expr.CompileError{Pos: call.NamePos, Msg: fmt.Sprintf("aggregate function %s has no implementation", call.Name)}
	}
	if spec.RowArg {
		ev, err := b.rowObject(&ast.Wildcard{Star: call.NamePos})
		if err != nil {
			return nil, err
		}
		ac.Args = append(ac.Args, ev)
	}
	if call.Filter != nil {
		f, err := c.Compile(call.Filter)
		if err != nil {
			return nil, err
		}
		ac.Filter = f
	}
	ac.Slot = c.NewSlot()
	a.slots[key] = ac.Slot
	a.plan.Aggs = append(a.plan.Aggs, ac)
	return slotReader(ac.Slot), nil
}

func slotReader(slot int) expr.Eval {
	return func(ctx *expr.Ctx) (value.Value, error) { return ctx.Slots[slot], nil }
}

type binder struct {
	plan         *Plan
	aliases      map[string]int
	fieldAliases []*ast.Field
	slots        []int
	visible      int // aliases of fields before this index are visible
	refs         []map[string]bool
	all          []bool       // the rule reads every field of the source
	noAgg        string       // where aggregates are refused, "" when allowed
	track        map[int]bool // when set, the sources columns resolve to
}

func (b *binder) IsSource(name string) bool {
	_, ok := b.source(name)
	return ok
}

func (b *binder) source(name string) (int, bool) {
	for i, s := range b.plan.Sources {
		if s.Alias != "" {
			if s.Alias == name {
				return i, true
			}
			continue
		}
		if s.Name == name {
			return i, true
		}
	}
	return 0, false
}

// equiKeys finds the equalities of an ON condition (conjuncts of AND)
// whose one side reads only sources before src and the other only src,
// and compiles both sides as hash-join keys.
func (b *binder) equiKeys(c *expr.Compiler, on ast.Expr, src int) (left, right []expr.Eval, rightAST []ast.Expr, err error) {
	var conj []ast.Expr
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		switch n := e.(type) {
		case *ast.ParenExpr:
			walk(n.X)
		case *ast.BinaryExpr:
			if n.Op == token.AND {
				walk(n.LHS)
				walk(n.RHS)
				return
			}
			conj = append(conj, n)
		}
	}
	walk(on)
	side := func(e ast.Expr) (expr.Eval, map[int]bool, error) {
		b.track = map[int]bool{}
		defer func() { b.track = nil }()
		ev, err := c.Compile(e)
		return ev, b.track, err
	}
	// only reports whether the sources of a side are all before src
	// (before) or all src (!before), and not none.
	only := func(set map[int]bool, before bool) bool {
		if len(set) == 0 {
			return false
		}
		for i := range set {
			if before && (i < 0 || i >= src) || !before && i != src {
				return false
			}
		}
		return true
	}
	for _, e := range conj {
		eq, ok := e.(*ast.BinaryExpr)
		if !ok || eq.Op != token.EQ {
			continue
		}
		l, ls, err := side(eq.LHS)
		if err != nil {
			return nil, nil, nil, err
		}
		r, rs, err := side(eq.RHS)
		if err != nil {
			return nil, nil, nil, err
		}
		switch {
		case only(ls, true) && only(rs, false):
			left, right, rightAST = append(left, l), append(right, r), append(rightAST, eq.RHS)
		case only(rs, true) && only(ls, false):
			left, right, rightAST = append(left, r), append(right, l), append(rightAST, eq.LHS)
		}
	}
	return left, right, rightAST, nil
}

func (b *binder) ref(src int, name string) {
	if b.track != nil {
		b.track[src] = true
	}
	if b.refs[src] == nil {
		b.refs[src] = map[string]bool{}
	}
	b.refs[src][name] = true
}

func (b *binder) Column(qualifier, name string, pos token.Pos) (int, error) {
	srcs := b.plan.Sources
	if qualifier != "" {
		i, ok := b.source(qualifier)
		if !ok {
			return 0, &expr.CompileError{Pos: pos, Msg: fmt.Sprintf("unknown stream %s", qualifier)}
		}
		s := srcs[i]
		if !s.Def.Schemaless() && s.Def.Column(name) == nil {
			return 0, &expr.CompileError{Pos: pos, Msg: fmt.Sprintf("unknown field %s of stream %s", name, s.Name)}
		}
		b.ref(i, name)
		return i, nil
	}
	if len(srcs) == 1 {
		s := srcs[0]
		if !s.Def.Schemaless() && s.Def.Column(name) == nil {
			return 0, &expr.CompileError{Pos: pos, Msg: fmt.Sprintf("unknown field %s of stream %s", name, s.Name)}
		}
		b.ref(0, name)
		return 0, nil
	}
	// Several sources: a declared column names its source; otherwise the
	// schemaless sources may hold it.
	typed, schemaless := -1, []int(nil)
	for i, s := range srcs {
		if s.Def.Schemaless() {
			schemaless = append(schemaless, i)
			continue
		}
		if s.Def.Column(name) != nil {
			if typed >= 0 {
				return 0, &expr.CompileError{Pos: pos, Msg: fmt.Sprintf("ambiguous field %s: streams %s and %s both have it; qualify it", name, srcs[typed].Name, s.Name)}
			}
			typed = i
		}
	}
	switch {
	case typed >= 0:
		b.ref(typed, name)
		return typed, nil
	case len(schemaless) == 1:
		b.ref(schemaless[0], name)
		return schemaless[0], nil
	case len(schemaless) > 1:
		for _, i := range schemaless {
			b.ref(i, name)
		}
		if b.track != nil {
			b.track[expr.AnySource] = true
		}
		return expr.AnySource, nil
	}
	return 0, &expr.CompileError{Pos: pos, Msg: fmt.Sprintf("unknown field %s", name)}
}

func (b *binder) Alias(name string) (int, bool) {
	for i := b.visible - 1; i >= 0; i-- {
		if i < len(b.fieldAliases) && b.fieldAliases[i].Alias == name && b.slots[i] >= 0 {
			return b.slots[i], true
		}
	}
	return 0, false
}

func (b *binder) star(w *ast.Wildcard, comp *expr.Compiler) (*expr.Star, error) {
	st := &expr.Star{Src: -1}
	if w.Qualifier != "" {
		i, ok := b.source(w.Qualifier)
		if !ok {
			return nil, &expr.CompileError{Pos: w.Star, Msg: fmt.Sprintf("unknown stream %s", w.Qualifier)}
		}
		st.Src = i
		b.all[i] = true
	} else {
		for i := range b.all {
			b.all[i] = true
		}
	}
	if len(w.Except) > 0 {
		st.Except = make(map[string]bool, len(w.Except))
		for _, n := range w.Except {
			st.Except[n] = true
		}
	}
	for _, r := range w.Replace {
		e, err := comp.Compile(r.Expr)
		if err != nil {
			return nil, err
		}
		st.Replace = append(st.Replace, &expr.Field{Name: r.Alias, Eval: e, AliasSlot: -1})
	}
	return st, nil
}

// rowObject compiles "*" as an aggregate argument (collect(*),
// merge_agg(*), the row deduplicate appends): the row as an object,
// limited to the fields the rule references, as eKuiper's rows are. In a
// join the rows of every source are merged.
func (b *binder) rowObject(w *ast.Wildcard) (expr.Eval, error) {
	srcs := b.plan.Sources
	only := -1
	if w.Qualifier != "" {
		i, ok := b.source(w.Qualifier)
		if !ok {
			return nil, &expr.CompileError{Pos: w.Star, Msg: fmt.Sprintf("unknown stream %s", w.Qualifier)}
		}
		only = i
	}
	return func(ctx *expr.Ctx) (value.Value, error) {
		if len(ctx.Rows) == 1 && only <= 0 {
			return value.ObjectValue(restrict(ctx.Rows[0], srcs[0].fieldSet, nil)), nil
		}
		out := value.NewObject(8)
		for i, r := range ctx.Rows {
			if only >= 0 && i != only {
				continue
			}
			restrict(r, srcs[i].fieldSet, out)
		}
		return value.ObjectValue(out), nil
	}, nil
}

// restrict returns the fields of r's message that are in set (all when
// set is nil), merged into out when out is not nil. Without out, the
// message itself is returned when nothing needs to be left out.
func restrict(r *value.Row, set map[string]bool, out *value.Object) *value.Object {
	if r == nil || r.Msg == nil {
		if out == nil {
			return value.NewObject(0)
		}
		return out
	}
	m := r.Msg
	if out == nil {
		whole := true
		if set != nil {
			for _, k := range m.Keys {
				if !set[k] {
					whole = false
					break
				}
			}
		}
		if whole {
			return m
		}
		out = value.NewObject(len(set))
	}
	for i, k := range m.Keys {
		if set == nil || set[k] {
			out.Set(k, m.Vals[i])
		}
	}
	return out
}

// Package plan binds a rule's SELECT statement against the catalog and the
// function registry and compiles it into the parts the operators run:
// sources, analytic calls, the WHERE condition and the select list.
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
)

// Catalog is what the binder needs from the catalog.
type Catalog interface {
	Lookup(name string) (*catalog.Def, bool)
}

// Source is one stream or table the rule reads.
type Source struct {
	Name  string // as in the catalog
	Alias string // FROM ... AS alias; "" when none
	Def   *catalog.Def
	// Fields lists the top-level fields the rule references; nil when it
	// needs them all (SELECT *), so the decoder can skip the rest.
	Fields []string
}

// Plan is a compiled rule query.
type Plan struct {
	SQL        string
	Stmt       *ast.SelectStatement
	Sources    []*Source
	Analytics  []*expr.Analytic
	Where      expr.Eval
	Fields     []*expr.Field
	NumAliases int
	NumSlots   int
}

// Options tune binding.
type Options struct {
	RuleID string
	Now    func() time.Time
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
	p := &Plan{SQL: sql, Stmt: stmt}
	if len(stmt.Joins) > 0 {
		return nil, notYet(stmt.Joins[0].JoinPos, "JOIN")
	}
	if stmt.Window != nil {
		return nil, notYet(stmt.Window.NamePos, "window "+stmt.Window.Type.String())
	}
	if len(stmt.Dimensions) > 0 {
		return nil, notYet(stmt.Dimensions[0].Pos(), "GROUP BY")
	}
	if stmt.Having != nil {
		return nil, notYet(stmt.Having.Pos(), "HAVING")
	}
	if len(stmt.SortFields) > 0 {
		return nil, notYet(stmt.SortFields[0].Pos(), "ORDER BY")
	}
	if stmt.Limit != nil {
		return nil, notYet(stmt.Limit.Pos(), "LIMIT")
	}
	for _, t := range stmt.Sources {
		d, ok := cat.Lookup(t.Name)
		if !ok {
			return nil, errs.New(errs.StreamTable, fmt.Sprintf("fail to get stream %s, please check if stream is created", t.Name))
		}
		if d.Kind == ast.KindTable {
			return nil, notYet(t.NamePos, "reading a table without a join")
		}
		p.Sources = append(p.Sources, &Source{Name: t.Name, Alias: t.Alias, Def: d})
	}
	b := &binder{plan: p, aliases: map[string]int{}, refs: make([]map[string]bool, len(p.Sources))}
	comp := &expr.Compiler{Resolver: b, Funcs: funcs, RuleID: opts.RuleID, Now: opts.Now}

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

	if stmt.Condition != nil {
		b.visible = 0
		w, err := comp.Compile(stmt.Condition)
		if err != nil {
			return nil, err
		}
		p.Where = w
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
	p.Analytics = comp.Analytics
	p.NumSlots = comp.Slots()
	for i, s := range p.Sources {
		if b.all {
			continue
		}
		for name := range b.refs[i] {
			s.Fields = append(s.Fields, name)
		}
		if s.Fields == nil {
			s.Fields = []string{}
		}
	}
	return p, nil
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

type binder struct {
	plan         *Plan
	aliases      map[string]int
	fieldAliases []*ast.Field
	slots        []int
	visible      int // aliases of fields before this index are visible
	refs         []map[string]bool
	all          bool
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

func (b *binder) Column(qualifier, name string, pos token.Pos) (int, error) {
	src := 0
	if qualifier != "" {
		i, ok := b.source(qualifier)
		if !ok {
			return 0, &expr.CompileError{Pos: pos, Msg: fmt.Sprintf("unknown stream %s", qualifier)}
		}
		src = i
	}
	s := b.plan.Sources[src]
	if !s.Def.Schemaless() && s.Def.Column(name) == nil {
		return 0, &expr.CompileError{Pos: pos, Msg: fmt.Sprintf("unknown field %s of stream %s", name, s.Name)}
	}
	if b.refs[src] == nil {
		b.refs[src] = map[string]bool{}
	}
	b.refs[src][name] = true
	return src, nil
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
	}
	b.all = true
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

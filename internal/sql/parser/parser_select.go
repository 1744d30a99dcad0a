package parser

import (
	"strings"

	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/token"
)

// parseSelect parses a SELECT statement; SELECT is next.
func (p *parser) parseSelect() (*ast.SelectStatement, error) {
	stmt := &ast.SelectStatement{Select: p.next().pos}
	for {
		f, err := p.parseField()
		if err != nil {
			return nil, err
		}
		stmt.Fields = append(stmt.Fields, f)
		if _, ok := p.accept(token.COMMA); !ok {
			break
		}
	}
	if _, err := p.expect(token.FROM); err != nil {
		return nil, err
	}
	src, err := p.parseTable()
	if err != nil {
		return nil, err
	}
	stmt.Sources = []*ast.Table{src}
	if stmt.Joins, err = p.parseJoins(); err != nil {
		return nil, err
	}
	if _, ok := p.accept(token.WHERE); ok {
		if stmt.Condition, err = p.parseExpr(); err != nil {
			return nil, err
		}
	}
	if _, ok := p.accept(token.GROUP); ok {
		if err := p.parseGroupBy(stmt); err != nil {
			return nil, err
		}
	}
	if _, ok := p.accept(token.HAVING); ok {
		if stmt.Having, err = p.parseExpr(); err != nil {
			return nil, err
		}
	}
	if _, ok := p.accept(token.ORDER); ok {
		if stmt.SortFields, err = p.parseSortFields(); err != nil {
			return nil, err
		}
	}
	if _, ok := p.accept(token.LIMIT); ok {
		it := p.peek()
		if it.tok != token.INTEGER {
			return nil, p.unexpected(it, "integer")
		}
		p.next()
		lit, err := p.numberLit(it, it.pos, false)
		if err != nil {
			return nil, err
		}
		stmt.Limit = lit.(*ast.IntegerLit)
	}
	if it := p.peek(); it.tok != token.EOF && it.tok != token.SEMICOLON {
		return nil, p.unexpected(it, selectTail(stmt)...)
	}
	return stmt, nil
}

// selectTail lists the clauses that could still follow a parsed SELECT.
func selectTail(stmt *ast.SelectStatement) []string {
	var clauses []string
	if stmt.Condition == nil && stmt.Dimensions == nil && stmt.Window == nil &&
		stmt.Having == nil && stmt.SortFields == nil && stmt.Limit == nil {
		if stmt.Joins == nil {
			clauses = append(clauses, "INNER JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "CROSS JOIN")
		}
		clauses = append(clauses, "WHERE")
	}
	if stmt.Dimensions == nil && stmt.Window == nil && stmt.Having == nil && stmt.SortFields == nil && stmt.Limit == nil {
		clauses = append(clauses, "GROUP BY")
	}
	if stmt.Having == nil && stmt.SortFields == nil && stmt.Limit == nil {
		clauses = append(clauses, "HAVING")
	}
	if stmt.SortFields == nil && stmt.Limit == nil {
		clauses = append(clauses, "ORDER BY")
	}
	if stmt.Limit == nil {
		clauses = append(clauses, "LIMIT")
	}
	return append(clauses, "EOF")
}

// parseField parses "expr [AS alias] [INVISIBLE]".
func (p *parser) parseField() (*ast.Field, error) {
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	f := &ast.Field{Expr: e}
	if as, ok := p.accept(token.AS); ok {
		if _, ok := e.(*ast.Wildcard); ok {
			return nil, errorf(as.pos, "alias is not supported for *")
		}
		alias, err := p.parseName("identifier")
		if err != nil {
			return nil, err
		}
		f.Alias, f.AliasPos = alias.lit, alias.pos
	}
	if _, ok := p.accept(token.INVISIBLE); ok {
		f.Invisible = true
	}
	return f, nil
}

// parseTable parses a source name with an optional alias, written
// "name AS alias" or "name alias".
func (p *parser) parseTable() (*ast.Table, error) {
	name, pos, err := p.parseSourceName("stream name")
	if err != nil {
		return nil, err
	}
	t := &ast.Table{NamePos: pos, Name: name}
	_, as := p.accept(token.AS)
	if it := p.peek(); as || isName(it) {
		alias, err := p.parseName("identifier")
		if err != nil {
			return nil, err
		}
		t.Alias = alias.lit
	}
	return t, nil
}

var joinTypes = map[token.Token]ast.JoinType{
	token.INNER: ast.InnerJoin,
	token.LEFT:  ast.LeftJoin,
	token.RIGHT: ast.RightJoin,
	token.FULL:  ast.FullJoin,
	token.CROSS: ast.CrossJoin,
}

// parseJoins parses any number of "kind JOIN table [ON cond]". As in
// eKuiper, the kind is required and CROSS JOIN takes no ON.
func (p *parser) parseJoins() ([]*ast.Join, error) {
	var joins []*ast.Join
	for {
		it := p.peek()
		if it.tok == token.JOIN {
			return nil, p.unexpected(it, "INNER JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "CROSS JOIN")
		}
		jt, ok := joinTypes[it.tok]
		if !ok {
			return joins, nil
		}
		p.next()
		if _, err := p.expect(token.JOIN); err != nil {
			return nil, err
		}
		t, err := p.parseTable()
		if err != nil {
			return nil, err
		}
		j := &ast.Join{JoinPos: it.pos, Type: jt, Table: t}
		if on, ok := p.accept(token.ON); ok {
			if jt == ast.CrossJoin {
				return nil, errorf(on.pos, "CROSS JOIN takes no ON condition")
			}
			if j.On, err = p.parseExpr(); err != nil {
				return nil, err
			}
		}
		joins = append(joins, j)
	}
}

// parseGroupBy parses the items after GROUP: BY, then expressions and at
// most one window call.
func (p *parser) parseGroupBy(stmt *ast.SelectStatement) error {
	if _, err := p.expect(token.BY); err != nil {
		return err
	}
	for {
		if wt, ok := p.windowAhead(); ok {
			pos := p.peek().pos
			w, err := p.parseWindow(wt)
			if err != nil {
				return err
			}
			if stmt.Window != nil {
				return errorf(pos, "only one window is allowed in GROUP BY")
			}
			stmt.Window = w
		} else {
			e, err := p.parseExpr()
			if err != nil {
				return err
			}
			stmt.Dimensions = append(stmt.Dimensions, e)
		}
		if _, ok := p.accept(token.COMMA); !ok {
			return nil
		}
	}
}

// parseSortFields parses the keys after ORDER: BY, then "expr [ASC|DESC]"
// items.
func (p *parser) parseSortFields() ([]*ast.SortField, error) {
	if _, err := p.expect(token.BY); err != nil {
		return nil, err
	}
	var sorts []*ast.SortField
	for {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		sf := &ast.SortField{Expr: e}
		if _, ok := p.accept(token.DESC); ok {
			sf.Desc = true
		} else {
			p.accept(token.ASC)
		}
		sorts = append(sorts, sf)
		if _, ok := p.accept(token.COMMA); !ok {
			return sorts, nil
		}
	}
}

// windowType maps a window function name (any case) to its kind.
func windowType(name string) ast.WindowType {
	switch strings.ToLower(name) {
	case "tumblingwindow":
		return ast.TumblingWindow
	case "hoppingwindow":
		return ast.HoppingWindow
	case "slidingwindow":
		return ast.SlidingWindow
	case "sessionwindow":
		return ast.SessionWindow
	case "countwindow":
		return ast.CountWindow
	case "statewindow":
		return ast.StateWindow
	}
	return 0
}

// windowAhead reports whether a window call starts here.
func (p *parser) windowAhead() (ast.WindowType, bool) {
	it := p.peek()
	if it.tok != token.IDENT || p.peekAt(1).tok != token.LPAREN {
		return 0, false
	}
	wt := windowType(it.lit)
	return wt, wt != 0
}

// parseWindow parses a window call with its optional FILTER and OVER. The
// arguments are checked here because they are syntax, not expressions: a
// time unit and integer literals, or conditions for STATEWINDOW.
func (p *parser) parseWindow(wt ast.WindowType) (*ast.WindowExpr, error) {
	name := p.next()
	p.next() // '('
	w := &ast.WindowExpr{NamePos: name.pos, Type: wt, Name: name.lit}
	var err error
	switch wt {
	case ast.TumblingWindow:
		w.Args, err = p.parseWindowArgs(true, 1, 0)
	case ast.HoppingWindow, ast.SessionWindow:
		w.Args, err = p.parseWindowArgs(true, 2, 0)
	case ast.SlidingWindow:
		w.Args, err = p.parseWindowArgs(true, 1, 1)
	case ast.CountWindow:
		w.Args, err = p.parseWindowArgs(false, 1, 1)
		if err == nil && len(w.Args) == 2 {
			n, step := w.Args[0].(*ast.IntegerLit), w.Args[1].(*ast.IntegerLit)
			if step.Value > n.Value {
				return nil, errorf(step.ValuePos, "COUNTWINDOW step %d is greater than its length %d", step.Value, n.Value)
			}
		}
	case ast.StateWindow:
		w.Args, err = p.parseStateWindowArgs()
	}
	if err != nil {
		return nil, err
	}
	if w.Filter, err = p.parseFilter(); err != nil {
		return nil, err
	}
	if w.Over, err = p.parseOver(); err != nil {
		return nil, err
	}
	return w, nil
}

// parseWindowArgs parses "[unit,] n {, n}" and the closing ")": a time
// unit when unit is set, then required positive integers, then up to
// optional more integers (a sliding delay may be zero).
func (p *parser) parseWindowArgs(unit bool, required, optional int) ([]ast.Expr, error) {
	var args []ast.Expr
	if unit {
		it := p.peek()
		if !it.tok.IsTimeUnit() {
			return nil, p.unexpected(it, "DD", "HH", "MI", "SS", "MS")
		}
		p.next()
		args = append(args, &ast.TimeUnitLit{ValuePos: it.pos, Unit: it.tok})
		if _, err := p.expect(token.COMMA); err != nil {
			return nil, err
		}
	}
	for i := 0; i < required+optional; i++ {
		if i > 0 {
			if i >= required {
				if _, ok := p.accept(token.COMMA); !ok {
					break
				}
			} else if _, err := p.expect(token.COMMA); err != nil {
				return nil, err
			}
		}
		it := p.peek()
		if it.tok != token.INTEGER {
			return nil, p.unexpected(it, "integer")
		}
		p.next()
		lit, err := p.numberLit(it, it.pos, false)
		if err != nil {
			return nil, err
		}
		n := lit.(*ast.IntegerLit)
		if n.Value == 0 && !(unit && i >= required) {
			return nil, errorf(it.pos, "window size must be positive")
		}
		args = append(args, n)
	}
	if it := p.peek(); it.tok != token.RPAREN {
		if len(args) < required+optional+btoi(unit) {
			return nil, p.unexpected(it, ",", ")")
		}
		return nil, p.unexpected(it, ")")
	}
	p.next()
	return args, nil
}

// parseStateWindowArgs parses "cond [, cond] )".
func (p *parser) parseStateWindowArgs() ([]ast.Expr, error) {
	args, err := p.parseExprList()
	if err != nil {
		return nil, err
	}
	if it := p.peek(); it.tok != token.RPAREN || len(args) > 2 {
		if len(args) > 2 {
			return nil, errorf(args[2].Pos(), "STATEWINDOW takes one or two conditions")
		}
		return nil, p.unexpected(it, ",", ")")
	}
	p.next()
	return args, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

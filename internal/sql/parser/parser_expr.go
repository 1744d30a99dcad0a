package parser

import (
	"strconv"

	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/token"
)

// Binding powers used below token.Precedence's 1..5.
const (
	precCompare = 3 // = != < ... IN BETWEEN LIKE; also the operand of NOT
	precAdd     = 4 // + - | ^
)

// parseExpr parses a full expression.
func (p *parser) parseExpr() (ast.Expr, error) { return p.parseBinary(1) }

// binaryOp returns the binary operator at the head of the input, the number
// of tokens it spans (NOT IN, NOT BETWEEN and NOT LIKE span two) and its
// precedence; prec is 0 when no binary operator follows.
func (p *parser) binaryOp() (op token.Token, ntok, prec int) {
	it := p.peek()
	switch it.tok {
	case token.ARROW:
		return 0, 0, 0 // member access, handled as a postfix operator
	case token.NOT:
		switch p.peekAt(1).tok {
		case token.IN:
			return token.NOTIN, 2, precCompare
		case token.BETWEEN:
			return token.NOTBETWEEN, 2, precCompare
		case token.LIKE:
			return token.NOTLIKE, 2, precCompare
		}
		return 0, 0, 0
	}
	if prec := it.tok.Precedence(); prec > 0 {
		return it.tok, 1, prec
	}
	return 0, 0, 0
}

// parseBinary parses operators of precedence >= minPrec by precedence
// climbing. Operators are left-associative. After an operator whose right
// side is closed (an IN list), only operators of the same or lower
// precedence may follow: "a IN (1) + 1" is an error rather than a tree
// that prints back differently.
func (p *parser) parseBinary(minPrec int) (ast.Expr, error) {
	lhs, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	nested := 0
	defer func() { p.depth -= nested }()
	maxPrec := 6
	for {
		op, ntok, prec := p.binaryOp()
		if prec == 0 || prec < minPrec || prec > maxPrec {
			return lhs, nil
		}
		opItem := p.next()
		if ntok == 2 {
			p.next()
		}
		nested++
		if err := p.enter(opItem.pos); err != nil {
			return nil, err
		}
		switch op {
		case token.IN, token.NOTIN:
			lhs, err = p.parseIn(lhs, op == token.NOTIN)
		case token.BETWEEN, token.NOTBETWEEN:
			lhs, err = p.parseBetween(lhs, op == token.NOTBETWEEN)
		case token.LIKE, token.NOTLIKE:
			var pat ast.Expr
			pat, err = p.parseBinary(precAdd)
			lhs = &ast.LikeExpr{X: lhs, Not: op == token.NOTLIKE, Pattern: pat}
		default:
			var rhs ast.Expr
			rhs, err = p.parseBinary(prec + 1)
			lhs = &ast.BinaryExpr{Op: op, LHS: lhs, RHS: rhs}
		}
		if err != nil {
			return nil, err
		}
		maxPrec = prec
	}
}

// parseIn parses the part after [NOT] IN: a parenthesized list or an
// expression yielding an array.
func (p *parser) parseIn(x ast.Expr, not bool) (ast.Expr, error) {
	if _, ok := p.accept(token.LPAREN); !ok {
		arr, err := p.parseBinary(precAdd)
		if err != nil {
			return nil, err
		}
		return &ast.InExpr{X: x, Not: not, Array: arr}, nil
	}
	list, err := p.parseExprList()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(token.RPAREN); err != nil {
		return nil, err
	}
	return &ast.InExpr{X: x, Not: not, List: list}, nil
}

// parseBetween parses the part after [NOT] BETWEEN: low AND high.
func (p *parser) parseBetween(x ast.Expr, not bool) (ast.Expr, error) {
	low, err := p.parseBinary(precAdd)
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(token.AND); err != nil {
		return nil, err
	}
	high, err := p.parseBinary(precAdd)
	if err != nil {
		return nil, err
	}
	return &ast.BetweenExpr{X: x, Not: not, Low: low, High: high}, nil
}

// parseExprList parses expr {, expr}.
func (p *parser) parseExprList() ([]ast.Expr, error) {
	var list []ast.Expr
	for {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		list = append(list, e)
		if _, ok := p.accept(token.COMMA); !ok {
			return list, nil
		}
	}
}

// parseUnary parses prefix operators. A minus directly before a number is
// folded into a negative literal (-1, -2.5); before anything else it is a
// UnaryExpr. NOT takes a comparison-level operand: "NOT a = b" is
// NOT (a = b), "NOT a AND b" is (NOT a) AND b.
func (p *parser) parseUnary() (ast.Expr, error) {
	it := p.peek()
	if err := p.enter(it.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	switch it.tok {
	case token.SUB, token.ADD:
		p.next()
		if nt := p.peek(); it.tok == token.SUB && (nt.tok == token.INTEGER || nt.tok == token.NUMBER) {
			p.next()
			lit, err := p.numberLit(nt, it.pos, true)
			if err != nil {
				return nil, err
			}
			return p.parsePostfix(lit)
		}
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &ast.UnaryExpr{OpPos: it.pos, Op: it.tok, X: x}, nil
	case token.NOT:
		p.next()
		x, err := p.parseBinary(precCompare)
		if err != nil {
			return nil, err
		}
		return &ast.UnaryExpr{OpPos: it.pos, Op: token.NOT, X: x}, nil
	}
	x, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	return p.parsePostfix(x)
}

// numberLit converts an INTEGER or NUMBER token, negated when neg is set.
func (p *parser) numberLit(it item, pos token.Pos, neg bool) (ast.Expr, error) {
	raw := it.lit
	if neg {
		raw = "-" + raw
	}
	if it.tok == token.INTEGER {
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, errorf(pos, "integer %s out of range", raw)
		}
		return &ast.IntegerLit{ValuePos: pos, Value: v, Raw: raw}, nil
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return nil, errorf(pos, "number %s out of range", raw)
	}
	return &ast.NumberLit{ValuePos: pos, Value: v, Raw: raw}, nil
}

// parsePrimary parses a literal, name, call, wildcard, CASE or
// parenthesized expression.
func (p *parser) parsePrimary() (ast.Expr, error) {
	it := p.peek()
	switch it.tok {
	case token.INTEGER, token.NUMBER:
		p.next()
		return p.numberLit(it, it.pos, false)
	case token.STRING:
		p.next()
		return &ast.StringLit{ValuePos: it.pos, Value: it.lit}, nil
	case token.TRUE, token.FALSE:
		p.next()
		return &ast.BooleanLit{ValuePos: it.pos, Value: it.tok == token.TRUE}, nil
	case token.LPAREN:
		p.next()
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(token.RPAREN); err != nil {
			return nil, err
		}
		return &ast.ParenExpr{Lparen: it.pos, X: x}, nil
	case token.CASE:
		return p.parseCase()
	case token.MUL:
		p.next()
		return p.parseWildcard(it.pos, "")
	}
	if isName(it) {
		p.next()
		if p.peek().tok == token.LPAREN {
			return p.parseCall(it)
		}
		return &ast.Ident{NamePos: it.pos, Name: it.lit, Quoted: p.isQuoted(it)}, nil
	}
	return nil, p.unexpected(it, "expression")
}

// parsePostfix applies member access (. and ->), indexes and slices.
func (p *parser) parsePostfix(x ast.Expr) (ast.Expr, error) {
	nested := 0
	defer func() { p.depth -= nested }()
	for {
		it := p.peek()
		switch it.tok {
		case token.DOT, token.ARROW:
			p.next()
			nt := p.peek()
			if it.tok == token.DOT && nt.tok == token.MUL {
				if id, ok := x.(*ast.Ident); ok {
					p.next()
					return p.parseWildcard(id.NamePos, id.Name)
				}
			}
			if !isName(nt) {
				return nil, p.unexpected(nt, "identifier")
			}
			p.next()
			x = &ast.MemberExpr{X: x, Name: nt.lit, NamePos: nt.pos, Arrow: it.tok == token.ARROW, Quoted: p.isQuoted(nt)}
		case token.LBRACKET:
			p.next()
			var err error
			if x, err = p.parseBracket(x, it.pos); err != nil {
				return nil, err
			}
		default:
			return x, nil
		}
		nested++
		if err := p.enter(it.pos); err != nil {
			return nil, err
		}
	}
}

// parseBracket parses the rest of x[i], x[lo:hi], x[:hi], x[lo:] or x[:].
func (p *parser) parseBracket(x ast.Expr, lbrack token.Pos) (ast.Expr, error) {
	var low ast.Expr
	if p.peek().tok != token.COLON {
		var err error
		if low, err = p.parseExpr(); err != nil {
			return nil, err
		}
		if _, ok := p.accept(token.RBRACKET); ok {
			return &ast.IndexExpr{X: x, Lbrack: lbrack, Index: low}, nil
		}
		if it := p.peek(); it.tok != token.COLON {
			return nil, p.unexpected(it, "]", ":")
		}
	}
	p.next() // ':'
	var high ast.Expr
	if p.peek().tok != token.RBRACKET {
		var err error
		if high, err = p.parseExpr(); err != nil {
			return nil, err
		}
	}
	if _, err := p.expect(token.RBRACKET); err != nil {
		return nil, err
	}
	return &ast.SliceExpr{X: x, Lbrack: lbrack, Low: low, High: high}, nil
}

// parseWildcard parses the optional EXCEPT(...) and REPLACE(...) after
// "*" or "s.*", in either order, each at most once.
func (p *parser) parseWildcard(pos token.Pos, qualifier string) (ast.Expr, error) {
	w := &ast.Wildcard{Star: pos, Qualifier: qualifier}
	for {
		it := p.peek()
		switch {
		case it.tok == token.EXCEPT && w.Except == nil:
			p.next()
			if _, err := p.expect(token.LPAREN); err != nil {
				return nil, err
			}
			for {
				name, err := p.parseName("identifier")
				if err != nil {
					return nil, err
				}
				w.Except = append(w.Except, name.lit)
				if _, ok := p.accept(token.COMMA); !ok {
					break
				}
			}
			if _, err := p.expect(token.RPAREN); err != nil {
				return nil, err
			}
		case it.tok == token.REPLACE && w.Replace == nil:
			p.next()
			if _, err := p.expect(token.LPAREN); err != nil {
				return nil, err
			}
			for {
				e, err := p.parseExpr()
				if err != nil {
					return nil, err
				}
				if _, err := p.expect(token.AS); err != nil {
					return nil, err
				}
				alias, err := p.parseName("identifier")
				if err != nil {
					return nil, err
				}
				w.Replace = append(w.Replace, &ast.Field{Expr: e, Alias: alias.lit, AliasPos: alias.pos})
				if _, ok := p.accept(token.COMMA); !ok {
					break
				}
			}
			if _, err := p.expect(token.RPAREN); err != nil {
				return nil, err
			}
		default:
			return w, nil
		}
	}
}

// parseCall parses name(args) [FILTER (WHERE cond)] [OVER (...)]; the name
// has been consumed and "(" is next.
func (p *parser) parseCall(name item) (ast.Expr, error) {
	p.next() // '('
	c := &ast.Call{NamePos: name.pos, Name: name.lit}
	if p.peek().tok != token.RPAREN {
		args, err := p.parseExprList()
		if err != nil {
			return nil, err
		}
		c.Args = args
	}
	if it := p.peek(); it.tok != token.RPAREN {
		return nil, p.unexpected(it, ",", ")")
	}
	p.next()
	var err error
	if c.Filter, err = p.parseFilter(); err != nil {
		return nil, err
	}
	if c.Over, err = p.parseOver(); err != nil {
		return nil, err
	}
	return c, nil
}

// parseFilter parses an optional "FILTER (WHERE cond)".
func (p *parser) parseFilter() (ast.Expr, error) {
	if _, ok := p.accept(token.FILTER); !ok {
		return nil, nil
	}
	if _, err := p.expect(token.LPAREN); err != nil {
		return nil, err
	}
	if _, err := p.expect(token.WHERE); err != nil {
		return nil, err
	}
	cond, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(token.RPAREN); err != nil {
		return nil, err
	}
	return cond, nil
}

// parseOver parses an optional
// "OVER ([PARTITION BY e, ...] [ORDER BY k, ...] [WHEN cond])" with at
// least one part.
func (p *parser) parseOver() (*ast.OverClause, error) {
	over, ok := p.accept(token.OVER)
	if !ok {
		return nil, nil
	}
	if _, err := p.expect(token.LPAREN); err != nil {
		return nil, err
	}
	o := &ast.OverClause{Over: over.pos}
	if _, ok := p.accept(token.PARTITION); ok {
		if _, err := p.expect(token.BY); err != nil {
			return nil, err
		}
		list, err := p.parseExprList()
		if err != nil {
			return nil, err
		}
		o.Partition = list
	}
	if _, ok := p.accept(token.ORDER); ok {
		sorts, err := p.parseSortFields()
		if err != nil {
			return nil, err
		}
		o.OrderBy = sorts
	}
	if _, ok := p.accept(token.WHEN); ok {
		cond, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		o.When = cond
	}
	it := p.peek()
	if it.tok == token.RPAREN && (o.Partition != nil || o.OrderBy != nil || o.When != nil) {
		p.next()
		return o, nil
	}
	var expected []string
	if o.Partition == nil && o.OrderBy == nil && o.When == nil {
		expected = append(expected, "PARTITION BY")
	}
	if o.OrderBy == nil && o.When == nil {
		expected = append(expected, "ORDER BY")
	}
	if o.When == nil {
		expected = append(expected, "WHEN")
	}
	if o.Partition != nil || o.OrderBy != nil || o.When != nil {
		expected = append(expected, ")")
	}
	return nil, p.unexpected(it, expected...)
}

// parseCase parses both CASE forms; CASE is next.
func (p *parser) parseCase() (ast.Expr, error) {
	c := &ast.CaseExpr{Case: p.next().pos}
	if p.peek().tok != token.WHEN {
		v, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		c.Value = v
	}
	for {
		when, ok := p.accept(token.WHEN)
		if !ok {
			break
		}
		cond, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(token.THEN); err != nil {
			return nil, err
		}
		res, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		c.Whens = append(c.Whens, &ast.WhenClause{When: when.pos, Cond: cond, Result: res})
	}
	if len(c.Whens) == 0 {
		return nil, p.unexpected(p.peek(), "WHEN")
	}
	if _, ok := p.accept(token.ELSE); ok {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		c.Else = e
	}
	if it := p.peek(); it.tok != token.END {
		if c.Else == nil {
			return nil, p.unexpected(it, "WHEN", "ELSE", "END")
		}
		return nil, p.unexpected(it, "END")
	}
	p.next()
	return c, nil
}

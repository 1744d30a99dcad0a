package parser

import (
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/token"
)

// maxDepth bounds the nesting of the parsed tree, so hostile input cannot
// exhaust the stack in the parser or in later recursive passes.
const maxDepth = 1000

// ParseStatement parses exactly one statement, optionally followed by
// semicolons.
func ParseStatement(sql string) (ast.Statement, error) {
	return newParser(sql).parseOne()
}

// ParseStatements parses semicolon-separated statements. Empty statements
// are skipped; empty input gives no statements and no error.
func ParseStatements(sql string) ([]ast.Statement, error) {
	p := newParser(sql)
	var stmts []ast.Statement
	for {
		p.skipSemicolons()
		if p.peek().tok == token.EOF {
			return stmts, nil
		}
		stmt, err := p.parseStatement()
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, stmt)
		if it := p.peek(); it.tok != token.SEMICOLON && it.tok != token.EOF {
			return nil, p.unexpected(it, ";", "EOF")
		}
	}
}

// ParseSelect parses one SELECT statement.
func ParseSelect(sql string) (*ast.SelectStatement, error) {
	p := newParser(sql)
	if it := p.peek(); it.tok != token.SELECT {
		return nil, p.unexpected(it, "SELECT")
	}
	stmt, err := p.parseOne()
	if err != nil {
		return nil, err
	}
	return stmt.(*ast.SelectStatement), nil
}

// ParseExpr parses a single expression, such as a WHERE condition.
func ParseExpr(s string) (ast.Expr, error) {
	p := newParser(s)
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if it := p.peek(); it.tok != token.EOF {
		return nil, p.unexpected(it, "EOF")
	}
	return e, nil
}

// MustParseStatement is ParseStatement that panics on error; for tests and
// constants.
func MustParseStatement(sql string) ast.Statement {
	stmt, err := ParseStatement(sql)
	if err != nil {
		panic(err)
	}
	return stmt
}

// MustParseStatements is ParseStatements that panics on error.
func MustParseStatements(sql string) []ast.Statement {
	stmts, err := ParseStatements(sql)
	if err != nil {
		panic(err)
	}
	return stmts
}

// MustParseSelect is ParseSelect that panics on error.
func MustParseSelect(sql string) *ast.SelectStatement {
	stmt, err := ParseSelect(sql)
	if err != nil {
		panic(err)
	}
	return stmt
}

// MustParseExpr is ParseExpr that panics on error.
func MustParseExpr(s string) ast.Expr {
	e, err := ParseExpr(s)
	if err != nil {
		panic(err)
	}
	return e
}

// statementParsers dispatches on a statement's leading token.
var statementParsers = map[token.Token]func(*parser) (ast.Statement, error){
	token.SELECT:   func(p *parser) (ast.Statement, error) { return p.parseSelect() },
	token.CREATE:   (*parser).parseCreate,
	token.DROP:     (*parser).parseDrop,
	token.DESCRIBE: (*parser).parseDescribe,
	token.EXPLAIN:  (*parser).parseExplain,
	token.SHOW:     (*parser).parseShow,
}

// statementStarts lists the leading tokens for error messages, in order.
var statementStarts = []string{"SELECT", "CREATE", "DROP", "DESCRIBE", "EXPLAIN", "SHOW"}

// parseOne parses the only statement of the input.
func (p *parser) parseOne() (ast.Statement, error) {
	stmt, err := p.parseStatement()
	if err != nil {
		return nil, err
	}
	p.skipSemicolons()
	if it := p.peek(); it.tok != token.EOF {
		return nil, p.unexpected(it, "EOF")
	}
	return stmt, nil
}

func (p *parser) parseStatement() (ast.Statement, error) {
	it := p.peek()
	if fn, ok := statementParsers[it.tok]; ok {
		return fn(p)
	}
	return nil, p.unexpected(it, statementStarts...)
}

// item is one scanned token.
type item struct {
	tok    token.Token
	pos    token.Pos
	lit    string
	end    int    // byte offset after the token
	reason string // scanner's reason for an ILLEGAL token
}

// parser is a recursive-descent parser over a Scanner with a small
// lookahead buffer.
type parser struct {
	src   string
	s     *Scanner
	buf   [3]item
	n     int // tokens in buf
	depth int
}

func newParser(src string) *parser {
	return &parser{src: src, s: NewScanner(src)}
}

// fill makes sure n tokens are buffered, skipping whitespace and comments.
func (p *parser) fill(n int) {
	for p.n < n {
		tok, pos, lit := p.s.Scan()
		if tok == token.WS || tok == token.COMMENT {
			continue
		}
		p.buf[p.n] = item{tok: tok, pos: pos, lit: lit, end: p.s.Offset(), reason: p.s.Reason()}
		p.n++
	}
}

// peek returns the next token without consuming it.
func (p *parser) peek() item { return p.peekAt(0) }

// peekAt returns the token i places ahead (0 is the next one); i < 3.
func (p *parser) peekAt(i int) item {
	p.fill(i + 1)
	return p.buf[i]
}

// next consumes and returns the next token.
func (p *parser) next() item {
	p.fill(1)
	it := p.buf[0]
	copy(p.buf[:], p.buf[1:p.n])
	p.n--
	return it
}

// accept consumes the next token if it is tok.
func (p *parser) accept(tok token.Token) (item, bool) {
	if it := p.peek(); it.tok == tok {
		return p.next(), true
	}
	return item{}, false
}

// expect consumes the next token, which must be tok.
func (p *parser) expect(tok token.Token) (item, error) {
	it := p.peek()
	if it.tok != tok {
		return it, p.unexpected(it, tok.String())
	}
	return p.next(), nil
}

func (p *parser) skipSemicolons() {
	for p.peek().tok == token.SEMICOLON {
		p.next()
	}
}

// raw returns the token's text as written.
func (p *parser) raw(it item) string { return p.src[it.pos.Offset:it.end] }

// unexpected reports that it is not what the grammar allows here. An
// ILLEGAL token with a scanner reason (unterminated string, bad escape...)
// reports that reason instead.
func (p *parser) unexpected(it item, expected ...string) error {
	if it.tok == token.ILLEGAL && it.reason != "" {
		return &ParseError{Pos: it.pos, Msg: it.reason}
	}
	found := "EOF"
	if it.tok != token.EOF {
		found = p.raw(it)
	}
	return &ParseError{Pos: it.pos, Found: found, Expected: expected}
}

// isQuoted reports whether it is a backquoted identifier.
func (p *parser) isQuoted(it item) bool {
	return it.tok == token.IDENT && p.src[it.pos.Offset] == '`'
}

// isName reports whether it can be used as a name: an identifier or a
// keyword that is not reserved.
func isName(it item) bool {
	return it.tok == token.IDENT || it.tok.IsKeyword() && !it.tok.IsReserved()
}

// isWord reports whether it is any bare word (identifier, keyword or a
// word operator such as AND) or a quoted identifier. Words are accepted
// where only a name can follow, such as a WITH option key.
func (p *parser) isWord(it item) bool {
	if it.tok == token.IDENT {
		return true
	}
	if it.tok == token.ILLEGAL || it.tok == token.EOF {
		return false
	}
	c := p.src[it.pos.Offset]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// parseName consumes a name (identifier or non-reserved keyword).
func (p *parser) parseName(what string) (item, error) {
	it := p.peek()
	if !isName(it) {
		return it, p.unexpected(it, what)
	}
	return p.next(), nil
}

// parseSourceName consumes a stream or table name. Unquoted names may
// contain '/', '#' and '+' (MQTT-topic-like names); they are scanned in a
// raw mode, so any lookahead is discarded and rescanned.
func (p *parser) parseSourceName(what string) (string, token.Pos, error) {
	if p.n > 0 {
		p.s.reset(p.buf[0].pos)
		p.n = 0
	}
	p.s.skipSpace()
	if pos, name := p.s.scanSourceName(); name != "" {
		if !token.Lookup(name).IsReserved() {
			return name, pos, nil
		}
		p.s.reset(pos) // a reserved word is not a name: rescan it as a token
	}
	it := p.peek()
	if !p.isQuoted(it) {
		return "", it.pos, p.unexpected(it, what)
	}
	p.next()
	return it.lit, it.pos, nil
}

// enter records one more level of nesting and fails past maxDepth.
func (p *parser) enter(pos token.Pos) error {
	p.depth++
	if p.depth > maxDepth {
		return errorf(pos, "expression nested too deeply")
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

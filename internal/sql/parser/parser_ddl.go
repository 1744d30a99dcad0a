package parser

import (
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/token"
)

// parseKind parses STREAM or TABLE.
func (p *parser) parseKind() (ast.StreamKind, error) {
	it := p.peek()
	switch it.tok {
	case token.STREAM:
		p.next()
		return ast.KindStream, nil
	case token.TABLE:
		p.next()
		return ast.KindTable, nil
	}
	return 0, p.unexpected(it, "STREAM", "TABLE")
}

// parseKindAndName parses "STREAM|TABLE name".
func (p *parser) parseKindAndName() (ast.StreamKind, string, token.Pos, error) {
	kind, err := p.parseKind()
	if err != nil {
		return 0, "", token.Pos{}, err
	}
	what := "stream name"
	if kind == ast.KindTable {
		what = "table name"
	}
	name, pos, err := p.parseSourceName(what)
	return kind, name, pos, err
}

// parseCreate parses
// CREATE STREAM|TABLE name ([col type [DEFAULT lit], ...]) WITH (KEY="v", ...).
func (p *parser) parseCreate() (ast.Statement, error) {
	stmt := &ast.CreateStreamStatement{Create: p.next().pos}
	var err error
	if stmt.Kind, stmt.Name, stmt.NamePos, err = p.parseKindAndName(); err != nil {
		return nil, err
	}
	if _, err := p.expect(token.LPAREN); err != nil {
		return nil, err
	}
	if p.peek().tok != token.RPAREN {
		if stmt.Columns, err = p.parseColumnDefs(); err != nil {
			return nil, err
		}
	}
	if _, err := p.expect(token.RPAREN); err != nil {
		return nil, err
	}
	if _, err := p.expect(token.WITH); err != nil {
		return nil, err
	}
	if stmt.Options, err = p.parseOptions(); err != nil {
		return nil, err
	}
	return stmt, nil
}

// parseColumnDefs parses coldef {, coldef}.
func (p *parser) parseColumnDefs() ([]*ast.ColumnDef, error) {
	var cols []*ast.ColumnDef
	for {
		c, err := p.parseColumnDef()
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
		if _, ok := p.accept(token.COMMA); !ok {
			if it := p.peek(); it.tok != token.RPAREN {
				return nil, p.unexpected(it, ",", ")")
			}
			return cols, nil
		}
	}
}

// parseColumnDef parses "name type [DEFAULT literal]".
func (p *parser) parseColumnDef() (*ast.ColumnDef, error) {
	name, err := p.parseName("column name")
	if err != nil {
		return nil, err
	}
	c := &ast.ColumnDef{NamePos: name.pos, Name: name.lit}
	if c.Type, err = p.parseDataType(); err != nil {
		return nil, err
	}
	if _, ok := p.accept(token.DEFAULT); ok {
		if c.Default, err = p.parseLiteral(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

var typeKinds = map[token.Token]ast.TypeKind{
	token.XBIGINT:   ast.TypeBigint,
	token.XFLOAT:    ast.TypeFloat,
	token.XSTRING:   ast.TypeString,
	token.XDATETIME: ast.TypeDatetime,
	token.XBOOLEAN:  ast.TypeBoolean,
	token.XBYTEA:    ast.TypeBytea,
	token.XARRAY:    ast.TypeArray,
	token.XSTRUCT:   ast.TypeStruct,
}

// parseDataType parses a column type: a simple type, ARRAY(type) or
// STRUCT(name type, ...), nested to any depth.
func (p *parser) parseDataType() (*ast.DataType, error) {
	it := p.peek()
	kind, ok := typeKinds[it.tok]
	if !ok {
		return nil, p.unexpected(it, "BIGINT", "FLOAT", "STRING", "DATETIME", "BOOLEAN", "BYTEA", "ARRAY", "STRUCT")
	}
	if err := p.enter(it.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	p.next()
	t := &ast.DataType{TypePos: it.pos, Kind: kind}
	if kind != ast.TypeArray && kind != ast.TypeStruct {
		return t, nil
	}
	if _, err := p.expect(token.LPAREN); err != nil {
		return nil, err
	}
	var err error
	if kind == ast.TypeArray {
		t.Elem, err = p.parseDataType()
	} else {
		t.Fields, err = p.parseColumnDefs()
	}
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(token.RPAREN); err != nil {
		return nil, err
	}
	return t, nil
}

// parseLiteral parses a DEFAULT value: a string, a boolean or a possibly
// negative number.
func (p *parser) parseLiteral() (ast.Expr, error) {
	it := p.peek()
	switch it.tok {
	case token.STRING, token.TRUE, token.FALSE, token.INTEGER, token.NUMBER:
		return p.parsePrimary()
	case token.SUB:
		if nt := p.peekAt(1); nt.tok == token.INTEGER || nt.tok == token.NUMBER {
			p.next()
			p.next()
			return p.numberLit(nt, it.pos, true)
		}
	}
	return nil, p.unexpected(it, "literal")
}

// parseOptions parses "(KEY="value", ...)". Keys are any word, kept as
// written; values are strings. As in eKuiper, a missing comma between two
// options is tolerated.
func (p *parser) parseOptions() ([]*ast.Option, error) {
	if _, err := p.expect(token.LPAREN); err != nil {
		return nil, err
	}
	var opts []*ast.Option
	if _, ok := p.accept(token.RPAREN); ok {
		return nil, nil
	}
	for {
		key := p.peek()
		if !p.isWord(key) {
			return nil, p.unexpected(key, "option name")
		}
		p.next()
		if _, err := p.expect(token.EQ); err != nil {
			return nil, err
		}
		val := p.peek()
		if val.tok != token.STRING {
			return nil, p.unexpected(val, "string")
		}
		p.next()
		opts = append(opts, &ast.Option{KeyPos: key.pos, Key: key.lit, Value: val.lit})
		if _, ok := p.accept(token.COMMA); ok {
			continue
		}
		if _, ok := p.accept(token.RPAREN); ok {
			return opts, nil
		}
		if it := p.peek(); !p.isWord(it) {
			return nil, p.unexpected(it, ",", ")")
		}
	}
}

// parseDrop parses DROP STREAM|TABLE name.
func (p *parser) parseDrop() (ast.Statement, error) {
	stmt := &ast.DropStatement{Drop: p.next().pos}
	var err error
	stmt.Kind, stmt.Name, stmt.NamePos, err = p.parseKindAndName()
	if err != nil {
		return nil, err
	}
	return stmt, nil
}

// parseDescribe parses DESCRIBE STREAM|TABLE name.
func (p *parser) parseDescribe() (ast.Statement, error) {
	stmt := &ast.DescribeStatement{Describe: p.next().pos}
	var err error
	stmt.Kind, stmt.Name, stmt.NamePos, err = p.parseKindAndName()
	if err != nil {
		return nil, err
	}
	return stmt, nil
}

// parseExplain parses EXPLAIN STREAM|TABLE name.
func (p *parser) parseExplain() (ast.Statement, error) {
	stmt := &ast.ExplainStatement{Explain: p.next().pos}
	var err error
	stmt.Kind, stmt.Name, stmt.NamePos, err = p.parseKindAndName()
	if err != nil {
		return nil, err
	}
	return stmt, nil
}

// parseShow parses SHOW STREAMS|TABLES.
func (p *parser) parseShow() (ast.Statement, error) {
	stmt := &ast.ShowStatement{Show: p.next().pos}
	it := p.peek()
	switch it.tok {
	case token.STREAMS:
		stmt.Kind = ast.KindStream
	case token.TABLES:
		stmt.Kind = ast.KindTable
	default:
		return nil, p.unexpected(it, "STREAMS", "TABLES")
	}
	p.next()
	return stmt, nil
}

package ast_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/parser"
	"github.com/kuiperio/kuiper/internal/sql/token"
)

func id(name string) *ast.Ident   { return &ast.Ident{Name: name} }
func num(v int64) *ast.IntegerLit { return &ast.IntegerLit{Value: v} }
func bin(op token.Token, l, r ast.Expr) *ast.BinaryExpr {
	return &ast.BinaryExpr{Op: op, LHS: l, RHS: r}
}

// TestString_HandBuilt checks the parentheses and quoting String adds for
// trees that did not come from the parser.
func TestString_HandBuilt(t *testing.T) {
	tests := []struct {
		name string
		expr ast.Expr
		want string
	}{
		{name: "left assoc", expr: bin(token.SUB, bin(token.SUB, id("a"), id("b")), id("c")), want: "a - b - c"},
		{name: "right nested", expr: bin(token.SUB, id("a"), bin(token.SUB, id("b"), id("c"))), want: "a - (b - c)"},
		{name: "lower on left", expr: bin(token.MUL, bin(token.ADD, id("a"), id("b")), id("c")), want: "(a + b) * c"},
		{name: "higher on right", expr: bin(token.ADD, id("a"), bin(token.MUL, id("b"), id("c"))), want: "a + b * c"},
		{name: "or under and", expr: bin(token.AND, bin(token.OR, id("a"), id("b")), id("c")), want: "(a OR b) AND c"},
		{name: "not of and", expr: &ast.UnaryExpr{Op: token.NOT, X: bin(token.AND, id("a"), id("b"))}, want: "NOT (a AND b)"},
		{name: "not left of compare", expr: bin(token.EQ, &ast.UnaryExpr{Op: token.NOT, X: id("a")}, id("b")), want: "(NOT a) = b"},
		{name: "neg of sum", expr: &ast.UnaryExpr{Op: token.SUB, X: bin(token.ADD, id("a"), id("b"))}, want: "-(a + b)"},
		{name: "neg of negative", expr: &ast.UnaryExpr{Op: token.SUB, X: &ast.IntegerLit{Value: -1}}, want: "- -1"},
		{name: "member of sum", expr: &ast.MemberExpr{X: bin(token.ADD, id("a"), id("b")), Name: "c", Arrow: true}, want: "(a + b)->c"},
		{name: "index of neg", expr: &ast.IndexExpr{X: &ast.UnaryExpr{Op: token.SUB, X: id("a")}, Index: num(0)}, want: "(-a)[0]"},
		{name: "in of or", expr: &ast.InExpr{X: bin(token.OR, id("a"), id("b")), List: []ast.Expr{num(1)}}, want: "(a OR b) IN (1)"},
		{name: "between of compare", expr: &ast.BetweenExpr{X: id("a"), Low: bin(token.EQ, id("b"), id("c")), High: num(2)}, want: "a BETWEEN (b = c) AND 2"},
		{name: "reserved ident", expr: id("select"), want: "`select`"},
		{name: "odd ident", expr: id("a b`c"), want: "`a b``c`"},
		{name: "keyword ident", expr: id("stream"), want: "stream"},
		{name: "number without raw", expr: &ast.NumberLit{Value: 2}, want: "2.0"},
		{name: "number exponent", expr: &ast.NumberLit{Value: 1e21}, want: "1e+21"},
		{name: "string", expr: &ast.StringLit{Value: "a\"b\n"}, want: `"a\"b\n"`},
		{name: "window without name", expr: &ast.WindowExpr{Type: ast.CountWindow, Args: []ast.Expr{num(3)}}, want: "COUNTWINDOW(3)"},
		{name: "time unit", expr: &ast.TimeUnitLit{Unit: token.MS}, want: "MS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.expr.String())
			_, err := parser.ParseExpr(tc.want)
			require.NoError(t, err)
		})
	}
}

func TestString_Names(t *testing.T) {
	require.Equal(t, "a", ast.QuoteName("a", false))
	require.Equal(t, "`a`", ast.QuoteName("a", true))
	require.Equal(t, "`from`", ast.QuoteName("from", false))
	require.Equal(t, "`1a`", ast.QuoteName("1a", false))
	require.Equal(t, "topic/+/#", ast.SourceName("topic/+/#"))
	require.Equal(t, "`a-b`", ast.SourceName("a-b"))
	require.Equal(t, "`select`", ast.SourceName("select"))
	require.Equal(t, "``", ast.SourceName(""))

	stmts := []ast.Statement{
		&ast.DropStatement{Kind: ast.KindTable, Name: "t"},
		&ast.DescribeStatement{Name: "s"},
		&ast.ExplainStatement{Kind: ast.KindTable, Name: "a/b"},
		&ast.ShowStatement{Kind: ast.KindTable},
		&ast.CreateStreamStatement{Name: "s", Columns: []*ast.ColumnDef{
			{Name: "a", Type: &ast.DataType{Kind: ast.TypeArray, Elem: &ast.DataType{Kind: ast.TypeBigint}}},
		}, Options: []*ast.Option{{Key: "a-b", Value: "x"}}},
	}
	var got []string
	for _, s := range stmts {
		got = append(got, s.String())
	}
	require.Equal(t, []string{
		"DROP TABLE t",
		"DESCRIBE STREAM s",
		"EXPLAIN TABLE a/b",
		"SHOW TABLES",
		"CREATE STREAM s (a ARRAY(BIGINT)) WITH (`a-b`=\"x\")",
	}, got)
}

// TestString_NodeParts checks String on nodes that are not statements or
// expressions.
func TestString_NodeParts(t *testing.T) {
	stmt := parser.MustParseSelect("SELECT a AS x INVISIBLE FROM s AS t LEFT JOIN r ON t.id = r.id " +
		"ORDER BY a DESC")
	require.Equal(t, "a AS x INVISIBLE", stmt.Fields[0].String())
	require.Equal(t, "s AS t", stmt.Sources[0].String())
	require.Equal(t, "LEFT JOIN r ON t.id = r.id", stmt.Joins[0].String())
	require.Equal(t, "a DESC", stmt.SortFields[0].String())

	c := parser.MustParseExpr("lag(a) OVER (PARTITION BY k WHEN a > 1)").(*ast.Call)
	require.Equal(t, "OVER (PARTITION BY k WHEN a > 1)", c.Over.String())
	ce := parser.MustParseExpr("CASE WHEN a THEN 1 END").(*ast.CaseExpr)
	require.Equal(t, "WHEN a THEN 1", ce.Whens[0].String())

	ddl := parser.MustParseStatement(`CREATE STREAM s (a STRUCT(b BIGINT) DEFAULT 1) WITH (K="v")`).(*ast.CreateStreamStatement)
	require.Equal(t, "a STRUCT(b BIGINT) DEFAULT 1", ddl.Columns[0].String())
	require.Equal(t, "STRUCT(b BIGINT)", ddl.Columns[0].Type.String())
	require.Equal(t, `K="v"`, ddl.Options[0].String())
}

// collect walks n and returns the visited nodes as "Type" or "Type:name".
func collect(n ast.Node) []string {
	var out []string
	ast.Inspect(n, func(n ast.Node) bool {
		s := strings.TrimPrefix(fmt.Sprintf("%T", n), "*ast.")
		switch n := n.(type) {
		case *ast.Ident:
			s += ":" + n.Name
		case *ast.Call:
			s += ":" + n.Name
		case *ast.IntegerLit:
			s += ":" + n.Raw
		}
		out = append(out, s)
		return true
	})
	return out
}

func TestWalk_Select(t *testing.T) {
	stmt := parser.MustParseStatement("SELECT a, f(b) FILTER (WHERE c) OVER (PARTITION BY d ORDER BY e WHEN g) " +
		"FROM s LEFT JOIN r ON h WHERE i GROUP BY j, STATEWINDOW(k) HAVING l ORDER BY m LIMIT 3")
	require.Equal(t, []string{
		"SelectStatement",
		"Field", "Ident:a",
		"Field", "Call:f", "Ident:b", "Ident:c", "OverClause", "Ident:d", "SortField", "Ident:e", "Ident:g",
		"Table",
		"Join", "Table", "Ident:h",
		"Ident:i",
		"Ident:j",
		"WindowExpr", "Ident:k",
		"Ident:l",
		"SortField", "Ident:m",
		"IntegerLit:3",
	}, collect(stmt))
}

func TestWalk_Exprs(t *testing.T) {
	e := parser.MustParseExpr("CASE v WHEN a.b THEN x[1:2] ELSE -y[i] END IN (p, q) " +
		"AND z NOT BETWEEN 1 AND 2 OR w LIKE 'x' OR u IN arr OR (* EXCEPT(a) REPLACE(o AS o2))")
	require.Equal(t, []string{
		"BinaryExpr", "BinaryExpr", "BinaryExpr", "BinaryExpr",
		"InExpr", "CaseExpr", "Ident:v",
		"WhenClause", "MemberExpr", "Ident:a", "SliceExpr", "Ident:x", "IntegerLit:1", "IntegerLit:2",
		"UnaryExpr", "IndexExpr", "Ident:y", "Ident:i",
		"Ident:p", "Ident:q",
		"BetweenExpr", "Ident:z", "IntegerLit:1", "IntegerLit:2",
		"LikeExpr", "Ident:w", "StringLit",
		"InExpr", "Ident:u", "Ident:arr",
		"ParenExpr", "Wildcard", "Field", "Ident:o",
	}, collect(e))

	ddl := parser.MustParseStatement(`CREATE STREAM s (a ARRAY(STRUCT(b BIGINT DEFAULT 1))) WITH (K="v")`)
	require.Equal(t, []string{
		"CreateStreamStatement", "ColumnDef", "DataType", "DataType", "ColumnDef", "DataType", "IntegerLit:1", "Option",
	}, collect(ddl))
}

type countVisitor struct{ enter, leave int }

func (v *countVisitor) Visit(n ast.Node) ast.Visitor {
	if n == nil {
		v.leave++
		return nil
	}
	v.enter++
	if _, ok := n.(*ast.Call); ok {
		return nil // skip call arguments
	}
	return v
}

func TestWalk_SkipAndLeave(t *testing.T) {
	v := &countVisitor{}
	ast.Walk(v, parser.MustParseExpr("a + f(b, c)"))
	require.Equal(t, 3, v.enter) // BinaryExpr, a, f
	require.Equal(t, 2, v.leave) // a and BinaryExpr; f's children were skipped
}

func TestRewriteExpr(t *testing.T) {
	src := "a + f(a, b) FILTER (WHERE a) OVER (PARTITION BY a ORDER BY a WHEN a) + CASE a WHEN a THEN a ELSE a END + " +
		"a.x + a[a] + a[a:a] + -a + (a) + (a IN (a)) + (a IN a) + (a BETWEEN a AND a) + (a LIKE a) + (* REPLACE(a AS c))"
	e := parser.MustParseExpr(src)
	before := e.String()
	renamed := ast.RewriteExpr(e, func(x ast.Expr) ast.Expr {
		if i, ok := x.(*ast.Ident); ok && i.Name == "a" {
			return &ast.Ident{NamePos: i.NamePos, Name: "z"}
		}
		return x
	})
	require.Equal(t, before, e.String(), "input must not change")
	require.Equal(t, strings.ReplaceAll(before, "a", "z"), renamed.String())

	// Nothing to rewrite: the same tree comes back.
	same := ast.RewriteExpr(e, func(x ast.Expr) ast.Expr { return x })
	require.Same(t, e, same)

	// Post-order: children are rewritten before the parent sees them.
	folded := ast.RewriteExpr(parser.MustParseExpr("1 + 2 * 3"), func(x ast.Expr) ast.Expr {
		b, ok := x.(*ast.BinaryExpr)
		if !ok {
			return x
		}
		l, lok := b.LHS.(*ast.IntegerLit)
		r, rok := b.RHS.(*ast.IntegerLit)
		if !lok || !rok {
			return x
		}
		switch b.Op {
		case token.ADD:
			return num(l.Value + r.Value)
		case token.MUL:
			return num(l.Value * r.Value)
		}
		return x
	})
	require.Equal(t, "7", folded.String())
	require.Nil(t, ast.RewriteExpr(nil, func(x ast.Expr) ast.Expr { return x }))
}

func TestRewrite_Statements(t *testing.T) {
	sql := "SELECT a, * REPLACE(a AS b) FROM s INNER JOIN t ON a = t.a WHERE a GROUP BY a, STATEWINDOW(a) FILTER (WHERE a) " +
		"HAVING a ORDER BY a LIMIT 1"
	stmt := parser.MustParseStatement(sql)
	before := stmt.String()
	toZ := func(x ast.Expr) ast.Expr {
		if i, ok := x.(*ast.Ident); ok && i.Name == "a" {
			return id("z")
		}
		return x
	}
	out := ast.Rewrite(stmt, toZ)
	require.Equal(t, before, stmt.String())
	require.Equal(t, "SELECT z, * REPLACE(z AS b) FROM s INNER JOIN t ON z = t.a WHERE z GROUP BY z, STATEWINDOW(z) FILTER (WHERE z) "+
		"HAVING z ORDER BY z LIMIT 1", out.String())
	require.Same(t, stmt, ast.Rewrite(stmt, func(x ast.Expr) ast.Expr { return x }))

	ddl := parser.MustParseStatement(`CREATE STREAM s (a BIGINT DEFAULT 1, b STRUCT(c BIGINT DEFAULT 2)) WITH ()`)
	out = ast.Rewrite(ddl, func(x ast.Expr) ast.Expr {
		if n, ok := x.(*ast.IntegerLit); ok {
			return num(n.Value * 10)
		}
		return x
	})
	require.Equal(t, "CREATE STREAM s (a BIGINT DEFAULT 10, b STRUCT(c BIGINT DEFAULT 20)) WITH ()", out.String())
	require.Equal(t, "CREATE STREAM s (a BIGINT DEFAULT 1, b STRUCT(c BIGINT DEFAULT 2)) WITH ()", ddl.String())

	show := parser.MustParseStatement("SHOW STREAMS")
	require.Same(t, show, ast.Rewrite(show, toZ))

	sel := stmt.(*ast.SelectStatement)
	require.Equal(t, "z AS q", ast.Rewrite(&ast.Field{Expr: id("a"), Alias: "q"}, toZ).String())
	require.Equal(t, "INNER JOIN t ON z = t.a", ast.Rewrite(sel.Joins[0], toZ).String())
	require.Equal(t, "z", ast.Rewrite(sel.SortFields[0], toZ).String())
	require.Equal(t, "z", ast.Rewrite(id("a"), toZ).String())

	require.Panics(t, func() {
		ast.Rewrite(stmt, func(x ast.Expr) ast.Expr {
			if _, ok := x.(*ast.WindowExpr); ok {
				return id("w")
			}
			return x
		})
	})
}

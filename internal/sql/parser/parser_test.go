package parser_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/parser"
	"github.com/kuiperio/kuiper/internal/sql/token"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestParser_Exprs(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want string
	}{
		// literals
		{name: "integer", sql: "42", want: "42"},
		{name: "negative integer", sql: "-1", want: "-1"},
		{name: "negative with space", sql: "- 1", want: "-1"},
		{name: "min int64", sql: "-9223372036854775808", want: "-9223372036854775808"},
		{name: "decimal", sql: "2.5", want: "2.5"},
		{name: "negative decimal", sql: "-2.5", want: "-2.5"},
		{name: "exponent", sql: "1e20", want: "1e20"},
		{name: "exponent negative", sql: "1.5E-3", want: "1.5E-3"},
		{name: "leading dot", sql: ".5", want: ".5"},
		{name: "double string", sql: `"abc"`, want: `"abc"`},
		{name: "single string", sql: `'abc'`, want: `"abc"`},
		{name: "true", sql: "true", want: "TRUE"},
		{name: "false", sql: "False", want: "FALSE"},

		// names
		{name: "ident", sql: "a", want: "a"},
		{name: "quoted ident", sql: "`a-b`", want: "`a-b`"},
		{name: "unicode ident", sql: "`中文`", want: "`中文`"},
		{name: "quoted reserved", sql: "`select`", want: "`select`"},
		{name: "keyword stream as name", sql: "stream", want: "stream"},
		{name: "type as name", sql: "string", want: "string"},
		{name: "time unit as name", sql: "ms + mi", want: "(+ ms mi)"},
		{name: "null is a name", sql: "null", want: "null"},

		// arithmetic and precedence
		{name: "mul binds tighter", sql: "a + b * c", want: "(+ a (* b c))"},
		{name: "left assoc", sql: "a - b - c", want: "(- (- a b) c)"},
		{name: "div mul", sql: "a / b * c", want: "(* (/ a b) c)"},
		{name: "mod", sql: "a % 2", want: "(% a 2)"},
		{name: "parens kept", sql: "(a + b) * c", want: "(* (paren (+ a b)) c)"},
		{name: "bitwise", sql: "a & b | c ^ d", want: "(^ (| (& a b) c) d)"},
		{name: "comparison over arithmetic", sql: "a + b > c", want: "(> (+ a b) c)"},
		{name: "and over or", sql: "a OR b AND c", want: "(OR a (AND b c))"},
		{name: "and chain", sql: "a > 1 AND b < 5 OR c = 'x'", want: `(OR (AND (> a 1) (< b 5)) (= c "x"))`},
		{name: "neq bang", sql: "a != b", want: "(!= a b)"},
		{name: "neq sql", sql: "a <> b", want: "(!= a b)"},
		{name: "comparisons", sql: "a <= b", want: "(<= a b)"},
		{name: "gte", sql: "a >= b", want: "(>= a b)"},
		{name: "times negative", sql: "a * -1", want: "(* a -1)"},
		{name: "minus negative", sql: "a - -1", want: "(- a -1)"},
		{name: "minus no space", sql: "a-1", want: "(- a 1)"},

		// unary
		{name: "neg name", sql: "-a", want: "(- a)"},
		{name: "neg paren", sql: "-(a + b)", want: "(- (paren (+ a b)))"},
		{name: "plus name", sql: "+a", want: "(+ a)"},
		{name: "plus number", sql: "+1", want: "(+ 1)"},
		{name: "double neg", sql: "- -a", want: "(- (- a))"},
		{name: "neg neg literal", sql: "- -1", want: "(- -1)"},
		{name: "neg member", sql: "-a.b", want: "(- (. a b))"},
		{name: "neg binds tighter", sql: "-a * b", want: "(* (- a) b)"},
		{name: "not", sql: "NOT a", want: "(NOT a)"},
		{name: "not paren", sql: "NOT (a > 1 AND a < 3)", want: "(NOT (paren (AND (> a 1) (< a 3))))"},
		{name: "not comparison", sql: "NOT a = b", want: "(NOT (= a b))"},
		{name: "not then and", sql: "NOT a AND b", want: "(AND (NOT a) b)"},
		{name: "not not", sql: "NOT NOT a", want: "(NOT (NOT a))"},
		{name: "not in", sql: "NOT a IN (1)", want: "(NOT (in a (list 1)))"},

		// member access, index, slice
		{name: "dot", sql: "a.b", want: "(. a b)"},
		{name: "dot chain", sql: "a.b.c", want: "(. (. a b) c)"},
		{name: "arrow", sql: "a->b", want: "(-> a b)"},
		{name: "arrow chain", sql: "dev->loc->room", want: "(-> (-> dev loc) room)"},
		{name: "arrow then dot", sql: "ops->functionA.numArgs", want: "(. (-> ops functionA) numArgs)"},
		{name: "member keyword", sql: "a.stream->ms", want: "(-> (. a stream) ms)"},
		{name: "member quoted reserved", sql: "a.`end`", want: "(. a end)"},
		{name: "member quoted", sql: "a->`x y`", want: "(-> a x y)"},
		{name: "index", sql: "arr[0]", want: "([] arr 0)"},
		{name: "negative index", sql: "arr[-1]", want: "([] arr -1)"},
		{name: "expr index", sql: "arr[i + 1]", want: "([] arr (+ i 1))"},
		{name: "slice", sql: "arr[1:3]", want: "([:] arr 1 3)"},
		{name: "slice open high", sql: "arr[2:]", want: "([:] arr 2 _)"},
		{name: "slice open low", sql: "arr[:-1]", want: "([:] arr _ -1)"},
		{name: "slice all", sql: "arr[:]", want: "([:] arr _ _)"},
		{name: "slice exprs", sql: "arr[x+1:y]", want: "([:] arr (+ x 1) y)"},
		{name: "slice chain", sql: "followers->Group1[:1]->first", want: "(-> ([:] (-> followers Group1) _ 1) first)"},
		{name: "index then arrow", sql: "items[1]->name", want: "(-> ([] items 1) name)"},
		{name: "call then arrow", sql: "parse_json(txt)->a", want: "(-> (call parse_json txt) a)"},
		{name: "arrow binds tighter than mul", sql: "a * b->c", want: "(* a (-> b c))"},

		// wildcards
		{name: "star", sql: "*", want: "*"},
		{name: "qualified star", sql: "s.*", want: "s.*"},
		{name: "star except", sql: "* EXCEPT(a, b)", want: "(* (except a b))"},
		{name: "star replace", sql: "* REPLACE(a * 10 AS a, b AS c)", want: "(* (replace (* a 10) a) (replace b c))"},
		{name: "star except replace", sql: "* EXCEPT(a) REPLACE(b AS c)", want: "(* (except a) (replace b c))"},
		{name: "star replace except", sql: "* REPLACE(b AS c) EXCEPT(a)", want: "(* (except a) (replace b c))"},

		// calls
		{name: "call", sql: "abs(a)", want: "(call abs a)"},
		{name: "call no args", sql: "window_start()", want: "(call window_start)"},
		{name: "call case kept", sql: "ABS(a, 1)", want: "(call ABS a 1)"},
		{name: "count star", sql: "count(*)", want: "(call count *)"},
		{name: "meta", sql: "meta(topic)", want: "(call meta topic)"},
		{name: "meta nested", sql: "meta(src.a.b)", want: "(call meta (. (. src a) b))"},
		{name: "call filter", sql: "avg(a) FILTER (WHERE a > 1)", want: "(call avg a (filter (> a 1)))"},
		{name: "call over partition", sql: "lag(v) OVER (PARTITION BY a, b)", want: "(call lag v (over (partition a b)))"},
		{name: "call over when", sql: "lag(v) OVER (WHEN v > 1)", want: "(call lag v (over (when (> v 1))))"},
		{name: "call over both", sql: "lag(v) OVER (PARTITION BY a WHEN c)", want: "(call lag v (over (partition a) (when c)))"},
		{name: "call over order", sql: "row_number() OVER (PARTITION BY k ORDER BY v DESC, w)", want: "(call row_number (over (partition k) (order v desc) (order w)))"},
		{name: "call filter over", sql: "acc_sum(v) FILTER (WHERE v > 0) OVER (PARTITION BY k)", want: "(call acc_sum v (filter (> v 0)) (over (partition k)))"},
		{name: "keyword named call", sql: "string(a)", want: "(call string a)"},
		{name: "window name outside group by", sql: "tumblingwindow(ss, 10)", want: "(call tumblingwindow ss 10)"},
		{name: "quoted call", sql: "`my-fn`(1)", want: "(call my-fn 1)"},

		// CASE
		{name: "case searched", sql: "CASE WHEN a > 0 THEN 'p' ELSE 'n' END", want: `(case (when (> a 0) "p") (else "n"))`},
		{name: "case simple", sql: "CASE c WHEN 'r' THEN 1 WHEN 'g' THEN 2 END", want: `(case c (when "r" 1) (when "g" 2))`},
		{name: "case nested", sql: "CASE WHEN a THEN CASE WHEN b THEN 1 END END", want: "(case (when a (case (when b 1))))"},

		// IN, BETWEEN, LIKE
		{name: "in list", sql: "a IN (1, 2)", want: "(in a (list 1 2))"},
		{name: "not in list", sql: `color NOT IN ("red", "blue")`, want: `(notin color (list "red" "blue"))`},
		{name: "in array", sql: "a IN arr", want: "(in a arr)"},
		{name: "not in array expr", sql: "a NOT IN b->c[0:2]", want: "(notin a ([:] (-> b c) 0 2))"},
		{name: "in single", sql: "a IN (b)", want: "(in a (list b))"},
		{name: "in then and", sql: "a IN (1) AND b", want: "(AND (in a (list 1)) b)"},
		{name: "in then eq", sql: "a IN (1) = TRUE", want: "(= (in a (list 1)) TRUE)"},
		{name: "in lhs arith", sql: "a + 1 IN (2)", want: "(in (+ a 1) (list 2))"},
		{name: "between", sql: "t BETWEEN lo AND hi", want: "(between t lo hi)"},
		{name: "not between", sql: "t NOT BETWEEN 10 AND 20", want: "(notbetween t 10 20)"},
		{name: "between arith", sql: "a BETWEEN b + 1 AND c * 2", want: "(between a (+ b 1) (* c 2))"},
		{name: "between then and", sql: "a BETWEEN 1 AND 2 AND b", want: "(AND (between a 1 2) b)"},
		{name: "like", sql: `name LIKE "a%c"`, want: `(like name "a%c")`},
		{name: "not like", sql: `name NOT LIKE "a_"`, want: `(notlike name "a_")`},
		{name: "like then or", sql: `a LIKE "x" OR b`, want: `(OR (like a "x") b)`},

		// comments and case
		{name: "comments", sql: "a /* x */ + -- y\n b", want: "(+ a b)"},
		{name: "keyword case", sql: "a aNd b", want: "(AND a b)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := parser.ParseExpr(tc.sql)
			require.NoError(t, err)
			require.Equal(t, tc.want, sexpr(e))
			again, err := parser.ParseExpr(e.String())
			require.NoError(t, err, "reparse %q", e.String())
			require.Equal(t, e.String(), again.String())
			requireSameTree(t, e, again)
		})
	}
}

func TestParser_Statements(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want string // String() of the tree
	}{
		{name: "select", sql: "select a, b from s", want: "SELECT a, b FROM s"},
		{name: "select alias", sql: "SELECT a AS x, b + 1 AS y FROM s", want: "SELECT a AS x, b + 1 AS y FROM s"},
		{name: "alias keyword", sql: "SELECT a AS mi, b AS stream, c AS `from` FROM s", want: "SELECT a AS mi, b AS stream, c AS `from` FROM s"},
		{name: "keywords as fields", sql: "SELECT ms, stream, string, table, with FROM s", want: "SELECT ms, stream, string, table, with FROM s"},
		{name: "invisible", sql: "SELECT a AS x INVISIBLE, x + 1 AS y FROM s", want: "SELECT a AS x INVISIBLE, x + 1 AS y FROM s"},
		{name: "from alias as", sql: "SELECT x.a FROM s AS x", want: "SELECT x.a FROM s AS x"},
		{name: "from alias bare", sql: "SELECT x.a FROM s x WHERE x.a > 1", want: "SELECT x.a FROM s AS x WHERE x.a > 1"},
		{name: "from topic", sql: "SELECT * FROM topic/sensor1", want: "SELECT * FROM topic/sensor1"},
		{name: "from wildcards", sql: "SELECT * FROM a/+/# AS t", want: "SELECT * FROM a/+/# AS t"},
		{name: "from quoted", sql: "SELECT * FROM `my-stream`", want: "SELECT * FROM `my-stream`"},
		{name: "from keyword", sql: "SELECT * FROM stream", want: "SELECT * FROM stream"},
		{name: "from comment", sql: "SELECT * FROM s/* c */WHERE a", want: "SELECT * FROM s WHERE a"},
		{name: "inner join", sql: "SELECT * FROM l INNER JOIN r ON l.id = r.id", want: "SELECT * FROM l INNER JOIN r ON l.id = r.id"},
		{name: "join kinds", sql: "SELECT * FROM a LEFT JOIN b ON a.x = b.x RIGHT JOIN c ON a.x = c.x FULL JOIN d ON TRUE CROSS JOIN e",
			want: "SELECT * FROM a LEFT JOIN b ON a.x = b.x RIGHT JOIN c ON a.x = c.x FULL JOIN d ON TRUE CROSS JOIN e"},
		{name: "join alias", sql: "SELECT * FROM s AS a INNER JOIN t b ON a.id = b.id", want: "SELECT * FROM s AS a INNER JOIN t AS b ON a.id = b.id"},
		{name: "join without on", sql: "SELECT * FROM a INNER JOIN b", want: "SELECT * FROM a INNER JOIN b"},
		{name: "where", sql: "SELECT a FROM s WHERE a > 1", want: "SELECT a FROM s WHERE a > 1"},
		{name: "group by window", sql: "SELECT count(*) FROM s GROUP BY TUMBLINGWINDOW(ss, 10)", want: "SELECT count(*) FROM s GROUP BY TUMBLINGWINDOW(SS, 10)"},
		{name: "group by window lower", sql: "SELECT count(*) FROM s GROUP BY tumblingwindow(mi, 1)", want: "SELECT count(*) FROM s GROUP BY tumblingwindow(MI, 1)"},
		{name: "group by dims and window", sql: "SELECT k FROM s GROUP BY k, a.b, COUNTWINDOW(4)", want: "SELECT k FROM s GROUP BY k, a.b, COUNTWINDOW(4)"},
		{name: "group by window first", sql: "SELECT k FROM s GROUP BY COUNTWINDOW(4), k", want: "SELECT k FROM s GROUP BY k, COUNTWINDOW(4)"},
		{name: "group by no window", sql: "SELECT k FROM s GROUP BY k", want: "SELECT k FROM s GROUP BY k"},
		{name: "hopping", sql: "SELECT 1 FROM s GROUP BY HOPPINGWINDOW(ss, 10, 5)", want: "SELECT 1 FROM s GROUP BY HOPPINGWINDOW(SS, 10, 5)"},
		{name: "sliding", sql: "SELECT 1 FROM s GROUP BY SLIDINGWINDOW(ms, 10)", want: "SELECT 1 FROM s GROUP BY SLIDINGWINDOW(MS, 10)"},
		{name: "sliding delay", sql: "SELECT 1 FROM s GROUP BY SLIDINGWINDOW(ss, 10, 0)", want: "SELECT 1 FROM s GROUP BY SLIDINGWINDOW(SS, 10, 0)"},
		{name: "session", sql: "SELECT 1 FROM s GROUP BY SESSIONWINDOW(hh, 1, 5)", want: "SELECT 1 FROM s GROUP BY SESSIONWINDOW(HH, 1, 5)"},
		{name: "count step", sql: "SELECT 1 FROM s GROUP BY COUNTWINDOW(4, 2)", want: "SELECT 1 FROM s GROUP BY COUNTWINDOW(4, 2)"},
		{name: "state", sql: "SELECT 1 FROM s GROUP BY STATEWINDOW(a > 1, a < 0)", want: "SELECT 1 FROM s GROUP BY STATEWINDOW(a > 1, a < 0)"},
		{name: "state partition", sql: "SELECT 1 FROM s GROUP BY STATEWINDOW(a) OVER (PARTITION BY k)", want: "SELECT 1 FROM s GROUP BY STATEWINDOW(a) OVER (PARTITION BY k)"},
		{name: "window filter", sql: `SELECT 1 FROM s GROUP BY TUMBLINGWINDOW(ss, 10) FILTER(WHERE k = "a")`, want: `SELECT 1 FROM s GROUP BY TUMBLINGWINDOW(SS, 10) FILTER (WHERE k = "a")`},
		{name: "window filter over", sql: "SELECT 1 FROM s GROUP BY SLIDINGWINDOW(ss, 10) FILTER (WHERE a > 1) OVER (WHEN a > 3)", want: "SELECT 1 FROM s GROUP BY SLIDINGWINDOW(SS, 10) FILTER (WHERE a > 1) OVER (WHEN a > 3)"},
		{name: "dd unit", sql: "SELECT 1 FROM s GROUP BY TUMBLINGWINDOW(dd, 1)", want: "SELECT 1 FROM s GROUP BY TUMBLINGWINDOW(DD, 1)"},
		{name: "having", sql: "SELECT k FROM s GROUP BY k, COUNTWINDOW(6) HAVING count(*) > 1", want: "SELECT k FROM s GROUP BY k, COUNTWINDOW(6) HAVING count(*) > 1"},
		{name: "order by", sql: "SELECT a FROM s ORDER BY a DESC, b ASC, c", want: "SELECT a FROM s ORDER BY a DESC, b, c"},
		{name: "order by expr", sql: "SELECT a FROM s ORDER BY a.b + 1 DESC", want: "SELECT a FROM s ORDER BY a.b + 1 DESC"},
		{name: "limit", sql: "SELECT a FROM s LIMIT 2", want: "SELECT a FROM s LIMIT 2"},
		{name: "all clauses", sql: "SELECT k, count(*) AS c FROM s WHERE v > 1 GROUP BY k, COUNTWINDOW(4) HAVING c > 1 ORDER BY c DESC LIMIT 3",
			want: "SELECT k, count(*) AS c FROM s WHERE v > 1 GROUP BY k, COUNTWINDOW(4) HAVING c > 1 ORDER BY c DESC LIMIT 3"},
		{name: "trailing semicolon", sql: "SELECT a FROM s;", want: "SELECT a FROM s"},
		{name: "comments", sql: "/* head */ SELECT a -- line\nFROM s -- tail", want: "SELECT a FROM s"},

		{name: "create stream", sql: `CREATE STREAM demo (a bigint, b float, c string, d datetime, e boolean, f bytea) WITH (DATASOURCE="t/1", FORMAT="json")`,
			want: `CREATE STREAM demo (a BIGINT, b FLOAT, c STRING, d DATETIME, e BOOLEAN, f BYTEA) WITH (DATASOURCE="t/1", FORMAT="json")`},
		{name: "create schemaless", sql: `create stream s () WITH (TYPE="mqtt")`, want: `CREATE STREAM s () WITH (TYPE="mqtt")`},
		{name: "create table", sql: `CREATE TABLE t (id BIGINT) WITH (KIND="lookup", key="id", RETAIN_SIZE='10')`, want: `CREATE TABLE t (id BIGINT) WITH (KIND="lookup", key="id", RETAIN_SIZE="10")`},
		{name: "create nested", sql: `CREATE STREAM s (a ARRAY(STRUCT(x BIGINT, y ARRAY(ARRAY(FLOAT)))), b STRUCT(c STRUCT(d STRING))) WITH ()`,
			want: `CREATE STREAM s (a ARRAY(STRUCT(x BIGINT, y ARRAY(ARRAY(FLOAT)))), b STRUCT(c STRUCT(d STRING))) WITH ()`},
		{name: "create default", sql: `CREATE STREAM s (a bigint DEFAULT 5, b string DEFAULT 'none', c float DEFAULT -1.5, d boolean DEFAULT true, e bigint DEFAULT -3) WITH (STRICT_VALIDATION="true")`,
			want: `CREATE STREAM s (a BIGINT DEFAULT 5, b STRING DEFAULT "none", c FLOAT DEFAULT -1.5, d BOOLEAN DEFAULT TRUE, e BIGINT DEFAULT -3) WITH (STRICT_VALIDATION="true")`},
		{name: "create keyword columns", sql: `CREATE STREAM s (stream string, string bigint, ms float, ` + "`select`" + ` bigint) WITH (FORMAT="json")`,
			want: "CREATE STREAM s (stream STRING, string BIGINT, ms FLOAT, `select` BIGINT) WITH (FORMAT=\"json\")"},
		{name: "create missing comma", sql: `CREATE STREAM s () WITH (FORMAT="JSON", DATASOURCE="demo" TYPE="edgex")`, want: `CREATE STREAM s () WITH (FORMAT="JSON", DATASOURCE="demo", TYPE="edgex")`},
		{name: "create escaped value", sql: `CREATE STREAM s () WITH (EXTRA="{\"qos\":1}")`, want: `CREATE STREAM s () WITH (EXTRA="{\"qos\":1}")`},
		{name: "create option reserved key", sql: `CREATE STREAM s () WITH (default="x", Key="k")`, want: `CREATE STREAM s () WITH (default="x", Key="k")`},
		{name: "drop stream", sql: "drop stream s", want: "DROP STREAM s"},
		{name: "drop table", sql: "DROP TABLE t;", want: "DROP TABLE t"},
		{name: "describe", sql: "DESCRIBE STREAM s", want: "DESCRIBE STREAM s"},
		{name: "describe table", sql: "describe table t", want: "DESCRIBE TABLE t"},
		{name: "explain", sql: "EXPLAIN STREAM s", want: "EXPLAIN STREAM s"},
		{name: "explain table", sql: "EXPLAIN TABLE t", want: "EXPLAIN TABLE t"},
		{name: "show streams", sql: "SHOW STREAMS", want: "SHOW STREAMS"},
		{name: "show tables", sql: "show tables", want: "SHOW TABLES"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stmt, err := parser.ParseStatement(tc.sql)
			require.NoError(t, err)
			require.Equal(t, tc.want, stmt.String())
			requireRoundTrip(t, stmt)
		})
	}
}

func TestParser_SelectShape(t *testing.T) {
	stmt := parser.MustParseSelect("SELECT a AS x INVISIBLE, s.* FROM s AS t LEFT JOIN r ON t.id = r.id " +
		"WHERE a > 1 GROUP BY k, TUMBLINGWINDOW(ss, 10) HAVING count(*) > 1 ORDER BY a DESC LIMIT 5")
	require.Len(t, stmt.Fields, 2)
	require.Equal(t, "x", stmt.Fields[0].Alias)
	require.True(t, stmt.Fields[0].Invisible)
	require.Equal(t, &ast.Wildcard{Star: token.Pos{Offset: 25, Line: 1, Col: 26}, Qualifier: "s"}, stmt.Fields[1].Expr)
	require.Equal(t, &ast.Table{NamePos: token.Pos{Offset: 34, Line: 1, Col: 35}, Name: "s", Alias: "t"}, stmt.Sources[0])
	require.Len(t, stmt.Joins, 1)
	require.Equal(t, ast.LeftJoin, stmt.Joins[0].Type)
	require.Equal(t, "r", stmt.Joins[0].Table.Name)
	require.Equal(t, "(> a 1)", sexpr(stmt.Condition))
	require.Len(t, stmt.Dimensions, 1)
	require.Equal(t, ast.TumblingWindow, stmt.Window.Type)
	require.Equal(t, "TUMBLINGWINDOW", stmt.Window.Name)
	require.Equal(t, []ast.Expr{
		&ast.TimeUnitLit{ValuePos: token.Pos{Offset: 107, Line: 1, Col: 108}, Unit: token.SS},
		&ast.IntegerLit{ValuePos: token.Pos{Offset: 111, Line: 1, Col: 112}, Value: 10, Raw: "10"},
	}, stmt.Window.Args)
	require.Equal(t, "(> (call count *) 1)", sexpr(stmt.Having))
	require.True(t, stmt.SortFields[0].Desc)
	require.Equal(t, int64(5), stmt.Limit.Value)
}

func TestParser_MemberIsNotResolved(t *testing.T) {
	e := parser.MustParseExpr("a.b")
	require.Equal(t, &ast.MemberExpr{
		X:       &ast.Ident{NamePos: token.Pos{Offset: 0, Line: 1, Col: 1}, Name: "a"},
		Name:    "b",
		NamePos: token.Pos{Offset: 2, Line: 1, Col: 3},
	}, e)
}

func TestParser_Statements_Multiple(t *testing.T) {
	stmts, err := parser.ParseStatements(";SELECT a FROM s; ; CREATE STREAM s () WITH ();\nSHOW STREAMS")
	require.NoError(t, err)
	require.Len(t, stmts, 3)
	require.IsType(t, &ast.SelectStatement{}, stmts[0])
	require.IsType(t, &ast.CreateStreamStatement{}, stmts[1])
	require.IsType(t, &ast.ShowStatement{}, stmts[2])

	stmts, err = parser.ParseStatements("  -- nothing\n")
	require.NoError(t, err)
	require.Empty(t, stmts)

	_, err = parser.ParseStatements("SHOW STREAMS SHOW TABLES")
	require.EqualError(t, err, "found SHOW, expected ;, EOF at line 1, col 14")
}

func TestParser_Errors(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		err  string
	}{
		{name: "misspelled select", sql: "SELEC * FROM demo", err: "found SELEC, expected SELECT, CREATE, DROP, DESCRIBE, EXPLAIN, SHOW at line 1, col 1"},
		{name: "empty", sql: "", err: "found EOF, expected SELECT, CREATE, DROP, DESCRIBE, EXPLAIN, SHOW at line 1, col 1"},
		{name: "missing from", sql: "SELECT a", err: "found EOF, expected FROM at line 1, col 9"},
		{name: "missing from before where", sql: "SELECT a WHERE a > 1", err: "found WHERE, expected FROM at line 1, col 10"},
		{name: "missing field", sql: "SELECT FROM s", err: "found FROM, expected expression at line 1, col 8"},
		{name: "missing stream", sql: "SELECT a FROM WHERE", err: "found WHERE, expected stream name at line 1, col 15"},
		{name: "trailing comma", sql: "SELECT a, FROM s", err: "found FROM, expected expression at line 1, col 11"},
		{name: "junk after select", sql: "SELECT a FROM s foo bar", err: "found bar, expected INNER JOIN, LEFT JOIN, RIGHT JOIN, FULL JOIN, CROSS JOIN, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, EOF at line 1, col 21"},
		{name: "junk after where", sql: "SELECT a FROM s WHERE a b", err: "found b, expected GROUP BY, HAVING, ORDER BY, LIMIT, EOF at line 1, col 25"},
		{name: "junk after limit", sql: "SELECT a FROM s LIMIT 1 2", err: "found 2, expected EOF at line 1, col 25"},
		{name: "second line", sql: "SELECT a\nFROM s\nWHERE >", err: "found >, expected expression at line 3, col 7"},
		{name: "bare join", sql: "SELECT * FROM a JOIN b ON a.id = b.id", err: "found JOIN, expected INNER JOIN, LEFT JOIN, RIGHT JOIN, FULL JOIN, CROSS JOIN at line 1, col 17"},
		{name: "outer join", sql: "SELECT * FROM a LEFT OUTER JOIN b ON a.id = b.id", err: "found OUTER, expected JOIN at line 1, col 22"},
		{name: "cross join on", sql: "SELECT * FROM a CROSS JOIN b ON a.id = b.id", err: "CROSS JOIN takes no ON condition at line 1, col 30"},
		{name: "group without by", sql: "SELECT a FROM s GROUP a", err: "found a, expected BY at line 1, col 23"},
		{name: "order without by", sql: "SELECT a FROM s ORDER a", err: "found a, expected BY at line 1, col 23"},
		{name: "limit not integer", sql: "SELECT a FROM s LIMIT a", err: "found a, expected integer at line 1, col 23"},
		{name: "limit negative", sql: "SELECT a FROM s LIMIT -1", err: "found -, expected integer at line 1, col 23"},
		{name: "alias on star", sql: "SELECT * AS x FROM s", err: "alias is not supported for * at line 1, col 10"},
		{name: "alias reserved", sql: "SELECT a AS from FROM s", err: "found from, expected identifier at line 1, col 13"},
		{name: "reserved as field", sql: "SELECT select FROM s", err: "found select, expected expression at line 1, col 8"},
		{name: "unterminated string", sql: `SELECT "abc FROM s`, err: "unterminated string at line 1, col 8"},
		{name: "unterminated single string", sql: "SELECT a FROM s WHERE b = 'x", err: "unterminated string at line 1, col 27"},
		{name: "unterminated quoted", sql: "SELECT `abc FROM s", err: "unterminated quoted identifier at line 1, col 8"},
		{name: "unterminated comment", sql: "SELECT a /* x FROM s", err: "unterminated comment at line 1, col 10"},
		{name: "bad escape", sql: `SELECT "\q" FROM s`, err: `invalid escape sequence \q at line 1, col 8`},
		{name: "illegal char", sql: "SELECT a # b FROM s", err: "found #, expected FROM at line 1, col 10"},
		{name: "unicode name", sql: "SELECT 温度 FROM s", err: "found 温, expected expression at line 1, col 8"},
		{name: "lone bang", sql: "SELECT a ! b FROM s", err: "found !, expected FROM at line 1, col 10"},
		{name: "integer overflow", sql: "SELECT 99999999999999999999 FROM s", err: "integer 99999999999999999999 out of range at line 1, col 8"},
		{name: "number overflow", sql: "SELECT 1e400 FROM s", err: "number 1e400 out of range at line 1, col 8"},
		{name: "unclosed paren", sql: "SELECT (a + 1 FROM s", err: "found FROM, expected ) at line 1, col 15"},
		{name: "unclosed call", sql: "SELECT abs(a FROM s", err: "found FROM, expected ,, ) at line 1, col 14"},
		{name: "unclosed index", sql: "SELECT a[1 FROM s", err: "found FROM, expected ], : at line 1, col 12"},
		{name: "empty index", sql: "SELECT a[] FROM s", err: "found ], expected expression at line 1, col 10"},
		{name: "member needs name", sql: "SELECT a. FROM s", err: "found FROM, expected identifier at line 1, col 11"},
		{name: "projection unsupported", sql: "SELECT ops->*->n FROM s", err: "found *, expected identifier at line 1, col 13"},
		{name: "case without when", sql: "SELECT CASE a END FROM s", err: "found END, expected WHEN at line 1, col 15"},
		{name: "case without end", sql: "SELECT CASE WHEN a THEN 1 FROM s", err: "found FROM, expected WHEN, ELSE, END at line 1, col 27"},
		{name: "case else without end", sql: "SELECT CASE WHEN a THEN 1 ELSE 2 FROM s", err: "found FROM, expected END at line 1, col 34"},
		{name: "case without then", sql: "SELECT CASE WHEN a 1 END FROM s", err: "found 1, expected THEN at line 1, col 20"},
		{name: "between without and", sql: "SELECT a BETWEEN 1 OR 2 FROM s", err: "found OR, expected AND at line 1, col 20"},
		{name: "not alone", sql: "SELECT a NOT b FROM s", err: "found NOT, expected FROM at line 1, col 10"},
		{name: "empty in list", sql: "SELECT a IN () FROM s", err: "found ), expected expression at line 1, col 14"},
		{name: "in list then arith", sql: "SELECT a IN (1) + 1 FROM s", err: "found +, expected FROM at line 1, col 17"},
		{name: "except empty", sql: "SELECT * EXCEPT() FROM s", err: "found ), expected identifier at line 1, col 17"},
		{name: "replace without alias", sql: "SELECT * REPLACE(a) FROM s", err: "found ), expected AS at line 1, col 19"},
		{name: "filter without where", sql: "SELECT avg(a) FILTER (a > 1) FROM s", err: "found a, expected WHERE at line 1, col 23"},
		{name: "empty over", sql: "SELECT lag(a) OVER () FROM s", err: "found ), expected PARTITION BY, ORDER BY, WHEN at line 1, col 21"},
		{name: "over unclosed", sql: "SELECT lag(a) OVER (PARTITION BY k FROM s", err: "found FROM, expected ORDER BY, WHEN, ) at line 1, col 36"},

		{name: "two windows", sql: "SELECT a FROM s GROUP BY COUNTWINDOW(3), TUMBLINGWINDOW(ss, 1)", err: "only one window is allowed in GROUP BY at line 1, col 42"},
		{name: "window unit missing", sql: "SELECT a FROM s GROUP BY TUMBLINGWINDOW(10, ss)", err: "found 10, expected DD, HH, MI, SS, MS at line 1, col 41"},
		{name: "window quoted unit", sql: "SELECT a FROM s GROUP BY TUMBLINGWINDOW(`ss`, 10)", err: "found `ss`, expected DD, HH, MI, SS, MS at line 1, col 41"},
		{name: "window size missing", sql: "SELECT a FROM s GROUP BY TUMBLINGWINDOW(ss)", err: "found ), expected , at line 1, col 43"},
		{name: "window size not literal", sql: "SELECT a FROM s GROUP BY TUMBLINGWINDOW(ss, a)", err: "found a, expected integer at line 1, col 45"},
		{name: "window size zero", sql: "SELECT a FROM s GROUP BY TUMBLINGWINDOW(ss, 0)", err: "window size must be positive at line 1, col 45"},
		{name: "window too many args", sql: "SELECT a FROM s GROUP BY TUMBLINGWINDOW(ss, 10, 5)", err: "found ,, expected ) at line 1, col 47"},
		{name: "hopping missing hop", sql: "SELECT a FROM s GROUP BY HOPPINGWINDOW(ss, 10)", err: "found ), expected , at line 1, col 46"},
		{name: "count step too big", sql: "SELECT a FROM s GROUP BY COUNTWINDOW(3, 4)", err: "COUNTWINDOW step 4 is greater than its length 3 at line 1, col 41"},
		{name: "count unclosed", sql: "SELECT a FROM s GROUP BY COUNTWINDOW(3 x", err: "found x, expected ,, ) at line 1, col 40"},
		{name: "state too many", sql: "SELECT a FROM s GROUP BY STATEWINDOW(a, b, c)", err: "STATEWINDOW takes one or two conditions at line 1, col 44"},
		{name: "window in expression", sql: "SELECT a FROM s GROUP BY COUNTWINDOW(3) + 1", err: "found +, expected HAVING, ORDER BY, LIMIT, EOF at line 1, col 41"},

		{name: "create without kind", sql: "CREATE s () WITH ()", err: "found s, expected STREAM, TABLE at line 1, col 8"},
		{name: "create without name", sql: "CREATE STREAM (a bigint) WITH ()", err: "found (, expected stream name at line 1, col 15"},
		{name: "create table without name", sql: "CREATE TABLE ;", err: "found ;, expected table name at line 1, col 14"},
		{name: "create without columns", sql: `CREATE STREAM s WITH (FORMAT="json")`, err: "found WITH, expected ( at line 1, col 17"},
		{name: "create without with", sql: "CREATE STREAM s ()", err: "found EOF, expected WITH at line 1, col 19"},
		{name: "with without paren", sql: `CREATE STREAM s () WITH DATASOURCE="x"`, err: "found DATASOURCE, expected ( at line 1, col 25"},
		{name: "with value not string", sql: "CREATE STREAM s () WITH (DATASOURCE=1)", err: "found 1, expected string at line 1, col 37"},
		{name: "with missing equals", sql: `CREATE STREAM s () WITH (DATASOURCE "x")`, err: `found "x", expected = at line 1, col 37`},
		{name: "with trailing comma", sql: `CREATE STREAM s () WITH (A="x",)`, err: "found ), expected option name at line 1, col 32"},
		{name: "with unclosed", sql: `CREATE STREAM s () WITH (A="x"`, err: "found EOF, expected ,, ) at line 1, col 31"},
		{name: "bad type", sql: "CREATE STREAM s (a int) WITH ()", err: "found int, expected BIGINT, FLOAT, STRING, DATETIME, BOOLEAN, BYTEA, ARRAY, STRUCT at line 1, col 20"},
		{name: "column without type", sql: "CREATE STREAM s (a, b bigint) WITH ()", err: "found ,, expected BIGINT, FLOAT, STRING, DATETIME, BOOLEAN, BYTEA, ARRAY, STRUCT at line 1, col 19"},
		{name: "reserved column", sql: "CREATE STREAM s (from bigint) WITH ()", err: "found from, expected column name at line 1, col 18"},
		{name: "array without paren", sql: "CREATE STREAM s (a array) WITH ()", err: "found ), expected ( at line 1, col 25"},
		{name: "empty struct", sql: "CREATE STREAM s (a struct()) WITH ()", err: "found ), expected column name at line 1, col 27"},
		{name: "default not literal", sql: "CREATE STREAM s (a bigint DEFAULT b) WITH ()", err: "found b, expected literal at line 1, col 35"},
		{name: "columns unclosed", sql: "CREATE STREAM s (a bigint b string) WITH ()", err: "found b, expected ,, ) at line 1, col 27"},
		{name: "drop without kind", sql: "DROP s", err: "found s, expected STREAM, TABLE at line 1, col 6"},
		{name: "drop junk", sql: "DROP STREAM s t", err: "found t, expected EOF at line 1, col 15"},
		{name: "show what", sql: "SHOW STREAM", err: "found STREAM, expected STREAMS, TABLES at line 1, col 6"},
		{name: "two statements", sql: "SHOW STREAMS; SHOW TABLES", err: "found SHOW, expected EOF at line 1, col 15"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stmt, err := parser.ParseStatement(tc.sql)
			require.Nil(t, stmt)
			require.EqualError(t, err, tc.err)
			var pe *parser.ParseError
			require.True(t, errors.As(err, &pe))
			require.True(t, pe.Pos.IsValid())
		})
	}
}

func TestParser_ParseErrorFields(t *testing.T) {
	_, err := parser.ParseStatement("SELECT a\n  FROM s WHERE")
	var pe *parser.ParseError
	require.True(t, errors.As(err, &pe))
	require.Equal(t, &parser.ParseError{
		Pos:      token.Pos{Offset: 23, Line: 2, Col: 15},
		Found:    "EOF",
		Expected: []string{"expression"},
	}, pe)
}

func TestParser_EntryPoints(t *testing.T) {
	sel, err := parser.ParseSelect("SELECT a FROM s")
	require.NoError(t, err)
	require.Equal(t, "SELECT a FROM s", sel.String())

	_, err = parser.ParseSelect("SHOW STREAMS")
	require.EqualError(t, err, "found SHOW, expected SELECT at line 1, col 1")

	_, err = parser.ParseExpr("a +")
	require.EqualError(t, err, "found EOF, expected expression at line 1, col 4")
	_, err = parser.ParseExpr("a b")
	require.EqualError(t, err, "found b, expected EOF at line 1, col 3")

	require.Panics(t, func() { parser.MustParseStatement("SELEC") })
	require.Panics(t, func() { parser.MustParseStatements("SELEC") })
	require.Panics(t, func() { parser.MustParseSelect("SHOW STREAMS") })
	require.Panics(t, func() { parser.MustParseExpr("(") })
	require.Len(t, parser.MustParseStatements("SHOW STREAMS; SHOW TABLES"), 2)
	require.IsType(t, &ast.ShowStatement{}, parser.MustParseStatement("SHOW STREAMS"))
}

func TestParser_DeepNesting(t *testing.T) {
	for _, sql := range []string{
		strings.Repeat("(", 100000) + "a" + strings.Repeat(")", 100000),
		strings.Repeat("- ", 100000) + "a",
		strings.Repeat("NOT ", 100000) + "a",
		"a" + strings.Repeat(".b", 100000),
		"a" + strings.Repeat(" + b", 100000),
		strings.Repeat("f(", 100000) + strings.Repeat(")", 100000),
	} {
		_, err := parser.ParseExpr(sql)
		require.ErrorContains(t, err, "expression nested too deeply")
	}
	_, err := parser.ParseStatement("CREATE STREAM s (a " + strings.Repeat("ARRAY(", 10000) + "BIGINT" + strings.Repeat(")", 10000) + ") WITH ()")
	require.ErrorContains(t, err, "expression nested too deeply")

	e, err := parser.ParseExpr(strings.Repeat("(", 200) + "a" + strings.Repeat(")", 200))
	require.NoError(t, err)
	require.NotNil(t, e)
}

// TestParser_Conformance parses every statement of the shared conformance
// cases and checks that it round-trips through String.
func TestParser_Conformance(t *testing.T) {
	all := conformanceSQL(t)
	for _, key := range sortedKeys(all) {
		t.Run(key, func(t *testing.T) {
			stmt, err := parser.ParseStatement(all[key])
			require.NoError(t, err, all[key])
			requireRoundTrip(t, stmt)
		})
	}
}

// TestParser_Golden parses testdata/*.sql and compares the AST dumps with
// testdata/*.golden; run with -update to rewrite them.
func TestParser_Golden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			stmts, err := parser.ParseStatements(string(src))
			require.NoError(t, err)
			var b strings.Builder
			for i, stmt := range stmts {
				if i > 0 {
					b.WriteString("\n")
				}
				b.WriteString("-- " + stmt.String() + "\n")
				b.WriteString(dump(stmt) + "\n")
				requireRoundTrip(t, stmt)
			}
			golden := strings.TrimSuffix(file, ".sql") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -update to create it")
			require.Equal(t, string(want), b.String())
		})
	}
}

// seedSQL returns the fuzz seeds: the golden inputs, their statements one
// by one, and the conformance SQL.
func seedSQL(tb testing.TB) []string {
	var seeds []string
	files, err := filepath.Glob("testdata/*.sql")
	require.NoError(tb, err)
	for _, file := range files {
		src, err := os.ReadFile(file)
		require.NoError(tb, err)
		seeds = append(seeds, string(src))
		for _, s := range strings.Split(string(src), ";") {
			seeds = append(seeds, strings.TrimSpace(s))
		}
	}
	all := conformanceSQL(tb)
	for _, k := range sortedKeys(all) {
		seeds = append(seeds, all[k])
	}
	return append(seeds, "SELECT a[1:] FROM s", "SELECT `a``b` FROM `x y`", "SELECT 'it\\'s' FROM s", "SELECT - -1, -a.b[0] FROM s")
}

func FuzzParse(f *testing.F) {
	for _, s := range seedSQL(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		stmts, err := parser.ParseStatements(sql)
		if err != nil {
			var pe *parser.ParseError
			require.True(t, errors.As(err, &pe), "error type %T", err)
			require.True(t, pe.Pos.IsValid(), "error position")
		}
		for _, stmt := range stmts {
			requireRoundTrip(t, stmt)
		}
		if e, err := parser.ParseExpr(sql); err == nil {
			s := e.String()
			again, err := parser.ParseExpr(s)
			require.NoError(t, err, "reparse %q", s)
			require.Equal(t, s, again.String())
			requireSameTree(t, e, again)
		}
	})
}

// BenchmarkParse_Rule parses a typical rule.
func BenchmarkParse_Rule(b *testing.B) {
	const sql = `SELECT k, count(*) AS c, avg(v) AS av, dev->loc->room AS room, arr[0] AS first
		FROM s WHERE v > 10 AND meta(topic) = "sensors/a" AND name LIKE "a%"
		GROUP BY k, TUMBLINGWINDOW(ss, 10) HAVING count(*) > 1 ORDER BY c DESC LIMIT 10`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parser.ParseStatement(sql); err != nil {
			b.Fatal(err)
		}
	}
}

package plan_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/catalog"
	"github.com/kuiperio/kuiper/internal/expr"
	"github.com/kuiperio/kuiper/internal/format"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/plan"
	"github.com/kuiperio/kuiper/internal/value"
)

type fakeCatalog map[string]*catalog.Def

func (f fakeCatalog) Lookup(name string) (*catalog.Def, bool) {
	d, ok := f[name]
	return d, ok
}

func newCatalog(t *testing.T, stmts ...string) fakeCatalog {
	t.Helper()
	c := fakeCatalog{}
	for _, s := range stmts {
		d, err := catalog.Parse(s)
		require.NoError(t, err)
		c[d.Name] = d
	}
	return c
}

var funcs = function.Builtins()

// run builds sql over cat and feeds it the JSON messages; it returns one
// output per message: the projected row as JSON, "-" when WHERE dropped
// it, or "error: ..." for a runtime error.
func run(t *testing.T, cat fakeCatalog, sql string, msgs ...string) []string {
	t.Helper()
	stmt, err := plan.Parse(sql)
	require.NoError(t, err)
	p, err := plan.Build(sql, stmt, cat, funcs, plan.Options{RuleID: "r"})
	require.NoError(t, err)
	dec, err := format.NewDecoder("json", format.Options{Fields: p.Sources[0].Fields, Schema: p.Sources[0].Def.Schema()})
	require.NoError(t, err)
	ctx := &expr.Ctx{Rows: make([]*value.Row, 1), Aliases: make([]value.Value, p.NumAliases), Slots: make([]value.Value, p.NumSlots)}
	var out []string
	for _, m := range msgs {
		err := dec.Decode([]byte(m), func(o *value.Object) {
			ctx.Rows[0] = &value.Row{Msg: o, Topic: "t/1"}
			for _, a := range p.Analytics {
				if err := a.Update(ctx); err != nil {
					out = append(out, "error: "+err.Error())
					return
				}
			}
			if p.Where != nil {
				v, err := p.Where(ctx)
				if err != nil {
					out = append(out, "error: "+err.Error())
					return
				}
				if ok, _ := value.ToBool(v); !ok {
					out = append(out, "-")
					return
				}
			}
			o, err := expr.Project(p.Fields, ctx, false)
			if err != nil {
				out = append(out, "error: "+err.Error())
				return
			}
			out = append(out, string(o.AppendJSON(nil, value.SortKeys)))
		})
		if err != nil {
			out = append(out, "decode error: "+err.Error())
		}
	}
	return out
}

func TestPlan_Eval(t *testing.T) {
	cat := newCatalog(t,
		`CREATE STREAM s () WITH (DATASOURCE="s")`,
		`CREATE STREAM typed (a bigint, b string, f float) WITH (DATASOURCE="typed")`,
	)
	tests := []struct {
		name string
		sql  string
		msgs []string
		want []string
	}{
		{"star", `SELECT * FROM s`, []string{`{"b":1,"a":null}`}, []string{`{"a":null,"b":1}`}},
		{"where", `SELECT a FROM s WHERE a > 2`, []string{`{"a":1}`, `{"a":3}`}, []string{"-", `{"a":3}`}},
		{"missing field left out", `SELECT a, nosuch FROM s`, []string{`{"a":1}`}, []string{`{"a":1}`}},
		{"null column kept, null expression dropped", `SELECT a, a + 1 AS b FROM s`, []string{`{"a":null}`}, []string{`{"a":null}`}},
		{"alias reuse", `SELECT a + 1 AS s1, s1 * 2 AS s2 FROM s`, []string{`{"a":1}`}, []string{`{"s1":2,"s2":4}`}},
		{"alias shadows own column", `SELECT a * 10 AS a, b FROM s`, []string{`{"a":1,"b":2}`}, []string{`{"a":10,"b":2}`}},
		{"invisible", `SELECT a * 2 AS d INVISIBLE, d + 1 AS e FROM s`, []string{`{"a":1}`}, []string{`{"e":3}`}},
		{"unaliased names", `SELECT a + 1, abs(b), a FROM s`, []string{`{"a":1,"b":-2}`}, []string{`{"a":1,"abs":2,"kuiper_field_0":2}`}},
		{"qualified", `SELECT s.a, s.b AS bb FROM s`, []string{`{"a":1,"b":2}`}, []string{`{"a":1,"bb":2}`}},
		{"from alias", `SELECT x.a AS a FROM s AS x WHERE x.a > 1`, []string{`{"a":2}`, `{"a":1}`}, []string{`{"a":2}`, "-"}},
		{"except", `SELECT * EXCEPT(b) FROM s`, []string{`{"a":1,"b":2,"c":3}`}, []string{`{"a":1,"c":3}`}},
		{"replace", `SELECT * REPLACE(a * 10 AS a) FROM s`, []string{`{"a":1,"b":2}`}, []string{`{"a":10,"b":2}`}},
		{"nested arrow", `SELECT a->b->c AS x, a->nosuch AS y FROM s`, []string{`{"a":{"b":{"c":42}}}`, `{"a":5}`}, []string{`{"x":42}`, `{}`}},
		{"dot path", `SELECT dev.loc.room AS r FROM s`, []string{`{"dev":{"loc":{"room":"k"}}}`}, []string{`{"r":"k"}`}},
		{"index and slice", `SELECT arr[0] AS f, arr[-1] AS l, arr[1:3] AS m, arr[:-1] AS i FROM s`, []string{`{"arr":[1,2,3,4]}`}, []string{`{"f":1,"i":[1,2,3],"l":4,"m":[2,3]}`}},
		{"index out of range is an error", `SELECT arr[5] AS x FROM s`, []string{`{"arr":[1]}`}, []string{"error: array index 5 out of range [0, 1)"}},
		{"index on non-array is an error", `SELECT a[0] AS x FROM s`, []string{`{"a":1}`}, []string{"error: cannot index float(1)"}},
		{"case searched", `SELECT CASE WHEN t > 30 THEN "hot" WHEN t > 10 THEN "warm" ELSE "cold" END AS l FROM s`, []string{`{"t":35}`, `{"t":20}`, `{"t":1}`}, []string{`{"l":"hot"}`, `{"l":"warm"}`, `{"l":"cold"}`}},
		{"case simple no else", `SELECT CASE c WHEN "red" THEN 1 END AS code FROM s`, []string{`{"c":"red"}`, `{"c":"blue"}`}, []string{`{"code":1}`, `{}`}},
		{"in list", `SELECT id FROM s WHERE c NOT IN ("red", "blue")`, []string{`{"id":1,"c":"red"}`, `{"id":2,"c":"green"}`}, []string{"-", `{"id":2}`}},
		{"in array", `SELECT 2 IN arr AS x FROM s`, []string{`{"arr":[1,2]}`, `{"arr":[3]}`}, []string{`{"x":true}`, `{"x":false}`}},
		{"between", `SELECT t BETWEEN 0 AND 10 AS x, t NOT BETWEEN 0 AND 10 AS y FROM s`, []string{`{"t":5}`, `{"t":15}`}, []string{`{"x":true,"y":false}`, `{"x":false,"y":true}`}},
		{"like", `SELECT n LIKE "a%c" AS m, n LIKE "a_c" AS u, n LIKE "a.c%" AS d FROM s`, []string{`{"n":"abc"}`, `{"n":"abbc"}`, `{"n":"a.cde"}`}, []string{`{"d":false,"m":true,"u":true}`, `{"d":false,"m":true,"u":false}`, `{"d":true,"m":false,"u":false}`}},
		{"like newline", `SELECT n LIKE "a%b" AS p, n LIKE "a_b" AS q FROM s`, []string{`{"n":"a\nb"}`}, []string{`{"p":true,"q":true}`}},
		{"null compare is false", `SELECT n > 1 AS x, nosuch < 1 AS z FROM s`, []string{`{"n":null}`}, []string{`{"x":false,"z":false}`}},
		{"and or precedence", `SELECT id FROM s WHERE a > 1 AND b < 5 OR c = "x"`, []string{`{"id":1,"a":2,"b":1}`, `{"id":2,"a":0,"b":1,"c":"x"}`, `{"id":3,"a":0,"b":1,"c":"y"}`}, []string{`{"id":1}`, `{"id":2}`, "-"}},
		{"not paren", `SELECT a FROM s WHERE NOT (a > 1 AND a < 3)`, []string{`{"a":2}`, `{"a":5}`}, []string{"-", `{"a":5}`}},
		{"type mismatch drops row", `SELECT id FROM s WHERE a > 1`, []string{`{"id":1,"a":"x"}`}, []string{`error: invalid operation string(x) > bigint(1)`}},
		{"meta topic", `SELECT meta(topic) AS t, mqtt(topic) AS u FROM s`, []string{`{"a":1}`}, []string{`{"t":"t/1","u":"t/1"}`}},
		{"typed int division", `SELECT a / 2 AS h, f / 2 AS g FROM typed`, []string{`{"a":7,"f":3}`}, []string{`{"g":1.5,"h":3.5}`}},
		{"typed bitwise", `SELECT a & 6 AS x, a | 8 AS y, a ^ 1 AS z FROM typed`, []string{`{"a":3}`}, []string{`{"x":2,"y":11,"z":2}`}},
		{"constant folding", `SELECT abs(-3) AS x FROM s`, []string{`{}`}, []string{`{"x":3}`}},
		{"rule id", `SELECT rule_id() AS r FROM s`, []string{`{}`}, []string{`{"r":"r"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, cat, tc.sql, tc.msgs...)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestPlan_BindErrors(t *testing.T) {
	cat := newCatalog(t,
		`CREATE STREAM s () WITH (DATASOURCE="s")`,
		`CREATE STREAM typed (a bigint) WITH (DATASOURCE="typed")`,
	)
	tests := []struct {
		name, sql, err string
	}{
		{"unknown stream", `SELECT * FROM nosuch`, "fail to get stream nosuch, please check if stream is created"},
		{"unknown field of typed stream", `SELECT b FROM typed`, "unknown field b of stream typed at line 1, col 8"},
		{"unknown function", `SELECT nosuchfn(a) FROM s`, "unknown function nosuchfn at line 1, col 8"},
		{"arity", `SELECT abs(a, 1) FROM s`, "abs"},
		{"join of streams without window", `SELECT * FROM s INNER JOIN typed ON s.a = typed.a`, "needs a window"},
		{"group by without window", `SELECT a FROM s GROUP BY a`, "GROUP BY without a window"},
		{"aggregate in where", `SELECT a FROM s WHERE count(*) > 1 GROUP BY COUNTWINDOW(2)`, "not allowed in WHERE"},
		{"nested aggregate", `SELECT sum(count(*)) FROM s GROUP BY COUNTWINDOW(2)`, "not allowed in the arguments of an aggregate"},
		{"having without window", `SELECT a FROM s HAVING a > 1`, "HAVING needs"},
		{"aggregate without window", `SELECT count(*) FROM s`, "aggregate function count needs GROUP BY"},
		{"unknown qualifier", `SELECT x.* FROM s`, "unknown stream x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stmt, err := plan.Parse(tc.sql)
			require.NoError(t, err)
			_, err = plan.Build(tc.sql, stmt, cat, funcs, plan.Options{})
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.err)
		})
	}
}

func TestPlan_ParseNotSelect(t *testing.T) {
	_, err := plan.Parse("SELEC * FROM demo")
	require.Error(t, err)
	require.Contains(t, err.Error(), "line 1, col 1")
	_, err = plan.Parse(`CREATE STREAM s () WITH (DATASOURCE="s")`)
	require.EqualError(t, err, `SQL CREATE STREAM s () WITH (DATASOURCE="s") is not a select statement`)
}

func TestPlan_FieldPushDown(t *testing.T) {
	cat := newCatalog(t, `CREATE STREAM s () WITH (DATASOURCE="s")`)
	stmt, err := plan.Parse(`SELECT a, b + 1 AS c FROM s WHERE d > 1`)
	require.NoError(t, err)
	p, err := plan.Build("", stmt, cat, funcs, plan.Options{})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"a", "b", "d"}, p.Sources[0].Fields)

	stmt, err = plan.Parse(`SELECT * FROM s`)
	require.NoError(t, err)
	p, err = plan.Build("", stmt, cat, funcs, plan.Options{})
	require.NoError(t, err)
	require.Nil(t, p.Sources[0].Fields)
}

func TestPlan_JoinBinding(t *testing.T) {
	cat := newCatalog(t,
		`CREATE STREAM l () WITH (DATASOURCE="l")`,
		`CREATE STREAM r () WITH (DATASOURCE="r")`,
		`CREATE STREAM a (id bigint, x string) WITH (DATASOURCE="a")`,
		`CREATE STREAM b (id bigint, y string) WITH (DATASOURCE="b")`,
		`CREATE TABLE t (id bigint, name string) WITH (DATASOURCE="t", RETAIN_SIZE="3")`,
		`CREATE TABLE lk () WITH (DATASOURCE="lk", KIND="lookup", TYPE="memory")`,
	)
	build := func(sql string) (*plan.Plan, error) {
		stmt, err := plan.Parse(sql)
		require.NoError(t, err)
		return plan.Build(sql, stmt, cat, funcs, plan.Options{})
	}
	p, err := build(`SELECT x, y, a.id AS id FROM a INNER JOIN b ON a.id = b.id GROUP BY COUNTWINDOW(2)`)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"id", "x"}, p.Sources[0].Fields)
	require.ElementsMatch(t, []string{"id", "y"}, p.Sources[1].Fields)

	p, err = build(`SELECT l.*, r.w FROM l LEFT JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(2)`)
	require.NoError(t, err)
	require.Nil(t, p.Sources[0].Fields, "l.* reads all of l")
	require.ElementsMatch(t, []string{"id", "w"}, p.Sources[1].Fields)

	p, err = build(`SELECT s.v, t.name FROM l AS s INNER JOIN t ON s.id = t.id`)
	require.NoError(t, err)
	require.True(t, p.Sources[1].Table)
	require.True(t, p.Stateful())
	require.Nil(t, p.Window)

	p, err = build(`SELECT l.v, lk.name FROM l INNER JOIN lk ON lk.id = l.id AND l.k = lk.kind AND lk.n > 1`)
	require.NoError(t, err)
	require.Equal(t, []string{"id", "kind"}, p.Joins[0].LookupFields)
	require.Len(t, p.Joins[0].LeftKeys, 2)

	// An analytic call is evaluated on the rows of the stream it reads;
	// one that reads no stream, or unqualified columns of schemaless
	// streams, on the rows of every stream.
	for _, tc := range []struct {
		sql  string
		want []int
	}{
		{`SELECT lag(l.v) AS a, r.w FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(2)`, []int{0}},
		{`SELECT lag(r.w) AS a, acc_count(1) AS n FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(2)`, []int{1, expr.AnySource}},
		{`SELECT lag(y) OVER (PARTITION BY b.id) AS a FROM a INNER JOIN b ON a.id = b.id GROUP BY COUNTWINDOW(2)`, []int{1}},
		{`SELECT lag(v) AS a FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(2)`, []int{expr.AnySource}},
		{`SELECT lag(v + l.w) AS a FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(2)`, []int{0}},
		{`SELECT had_changed(true, x) AS c, t.name FROM a INNER JOIN t ON a.id = t.id`, []int{0}},
		{`SELECT lag(meta(r.topic)) AS a FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(2)`, []int{1}},
		{`SELECT lag(latest(r.v)) AS a FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(2)`, []int{1, 1}},
		{`SELECT lag(v) AS a FROM l GROUP BY COUNTWINDOW(2)`, []int{0}},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			p, err := build(tc.sql)
			require.NoError(t, err)
			require.Equal(t, tc.want, p.AnalyticSrc)
		})
	}

	for _, tc := range []struct{ name, sql, err string }{
		{"ambiguous typed column", `SELECT id FROM a INNER JOIN b ON a.id = b.id GROUP BY COUNTWINDOW(2)`, "ambiguous field id"},
		{"unknown typed column", `SELECT z FROM a INNER JOIN b ON a.id = b.id GROUP BY COUNTWINDOW(2)`, "unknown field z"},
		{"unknown qualified column", `SELECT a.y FROM a INNER JOIN b ON a.id = b.id GROUP BY COUNTWINDOW(2)`, "unknown field y of stream a"},
		{"same source twice", `SELECT * FROM l INNER JOIN l ON l.id = l.id GROUP BY COUNTWINDOW(2)`, "appears twice"},
		{"lookup table right join", `SELECT * FROM l RIGHT JOIN lk ON l.id = lk.id`, "INNER and LEFT JOIN only"},
		{"lookup table without key", `SELECT * FROM l INNER JOIN lk ON l.id > lk.id`, "needs ON equalities"},
		{"lookup table key not a column", `SELECT * FROM l INNER JOIN lk ON l.id = lk.id + 1`, "needs ON equalities"},
		{"table first", `SELECT * FROM t`, "reading a table without a join"},
		{"analytic over two streams", `SELECT lag(l.v + r.v) FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(2)`, "analytic function lag reads streams l and r: in a join, an analytic function may read the columns of one stream only"},
		{"analytic over two streams by partition", `SELECT lag(l.v) OVER (PARTITION BY r.k) FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(2)`, "reads streams l and r"},
		{"nested analytic over two streams", `SELECT lag(l.v + latest(r.v)) FROM l INNER JOIN r ON l.id = r.id GROUP BY COUNTWINDOW(2)`, "reads streams l and r"},
		{"analytic over a table", `SELECT latest(t.name) FROM a INNER JOIN t ON a.id = t.id`, "analytic function latest reads table t"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := build(tc.sql)
			require.ErrorContains(t, err, tc.err)
		})
	}
}

func TestPlan_Window(t *testing.T) {
	cat := newCatalog(t, `CREATE STREAM s () WITH (DATASOURCE="s")`)
	for _, tc := range []struct {
		sql  string
		want plan.Window
	}{
		{`SELECT count(*) FROM s GROUP BY TUMBLINGWINDOW(mi, 2)`, plan.Window{Length: 120000, Interval: 120000}},
		{`SELECT count(*) FROM s GROUP BY HOPPINGWINDOW(ss, 10, 5)`, plan.Window{Length: 10000, Interval: 5000}},
		{`SELECT count(*) FROM s GROUP BY SLIDINGWINDOW(ms, 10, 5)`, plan.Window{Length: 10, Delay: 5}},
		{`SELECT count(*) FROM s GROUP BY SESSIONWINDOW(hh, 1, 2)`, plan.Window{Length: 3600000, Interval: 7200000}},
		{`SELECT count(*) FROM s GROUP BY SESSIONWINDOW(dd, 1, 1)`, plan.Window{Length: 86400000, Interval: 86400000}},
		{`SELECT count(*) FROM s GROUP BY COUNTWINDOW(5)`, plan.Window{Count: 5, Step: 5}},
		{`SELECT count(*) FROM s GROUP BY COUNTWINDOW(5, 2)`, plan.Window{Count: 5, Step: 2}},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			stmt, err := plan.Parse(tc.sql)
			require.NoError(t, err)
			p, err := plan.Build(tc.sql, stmt, cat, funcs, plan.Options{})
			require.NoError(t, err)
			w := p.Window
			require.Equal(t, tc.want.Length, w.Length)
			require.Equal(t, tc.want.Interval, w.Interval)
			require.Equal(t, tc.want.Delay, w.Delay)
			require.Equal(t, tc.want.Count, w.Count)
			require.Equal(t, tc.want.Step, w.Step)
		})
	}
}

func TestPlan_ExplainWindowJoin(t *testing.T) {
	cat := newCatalog(t,
		`CREATE STREAM l () WITH (DATASOURCE="l")`,
		`CREATE STREAM r () WITH (DATASOURCE="r")`,
	)
	sql := `SELECT l.k AS k, count(*) AS c FROM l INNER JOIN r ON l.id = r.id WHERE r.w > 1 GROUP BY l.k, TUMBLINGWINDOW(ss, 10) HAVING count(*) > 1 ORDER BY c DESC LIMIT 3`
	stmt, err := plan.Parse(sql)
	require.NoError(t, err)
	p, err := plan.Build(sql, stmt, cat, funcs, plan.Options{})
	require.NoError(t, err)
	want := `{"op":"ProjectPlan_0","info":"Fields:[ l.k AS k, count(*) AS c ], Limit: 3"}
	{"op":"OrderPlan_1","info":"SortFields:[ c DESC ]"}
		{"op":"HavingPlan_2","info":"Condition:{ count(*) > 1 }"}
			{"op":"AggregatePlan_3","info":"Dimensions:[ l.k ], Aggregates:[ count(*) ]"}
				{"op":"FilterPlan_4","info":"Condition:{ r.w > 1 }"}
					{"op":"JoinPlan_5","info":"Joins:[ { joinType:INNER JOIN, table:r, on:l.id = r.id } ]"}
						{"op":"WindowPlan_6","info":"{ windowType:TUMBLINGWINDOW, length:10000ms }"}
							{"op":"DataSourcePlan_7","info":"StreamName: l, Type: mqtt, Fields:[ id, k ]"}
							{"op":"DataSourcePlan_8","info":"StreamName: r, Type: mqtt, Fields:[ id, w ]"}
`
	require.Equal(t, want, plan.Explain(p))
}

package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kuiperio/kuiper/internal/sql/ast"
)

// Explain renders the plan as an indented operator tree, one JSON object
// per line, sinks side last, in the spirit of eKuiper's explain output.
func Explain(p *Plan) string {
	var lines []string
	depth := 0
	n := 0
	add := func(op, info string) {
		lines = append(lines, fmt.Sprintf("%s{\"op\":%q,\"info\":%q}", strings.Repeat("\t", depth), fmt.Sprintf("%s_%d", op, n), info))
		depth++
		n++
	}
	var fields []string
	for i, f := range p.Stmt.Fields {
		name := ""
		if pf := p.Fields[i]; pf.Star == nil {
			name = pf.Name
		}
		s := f.Expr.String()
		if name != "" && name != s {
			s += " AS " + name
		}
		if f.Invisible {
			s += " INVISIBLE"
		}
		fields = append(fields, s)
	}
	info := "Fields:[ " + strings.Join(fields, ", ") + " ]"
	if p.Limit >= 0 {
		info += fmt.Sprintf(", Limit: %d", p.Limit)
	}
	add("ProjectPlan", info)
	stmt := p.Stmt
	if len(stmt.SortFields) > 0 {
		var keys []string
		for _, s := range stmt.SortFields {
			k := s.Expr.String()
			if s.Desc {
				k += " DESC"
			} else {
				k += " ASC"
			}
			keys = append(keys, k)
		}
		add("OrderPlan", "SortFields:[ "+strings.Join(keys, ", ")+" ]")
	}
	if stmt.Having != nil {
		add("HavingPlan", "Condition:{ "+stmt.Having.String()+" }")
	}
	if p.Aggregating() {
		var dims, calls []string
		for _, d := range stmt.Dimensions {
			dims = append(dims, d.String())
		}
		for _, a := range p.Aggs {
			calls = append(calls, a.Name)
		}
		add("AggregatePlan", "Dimensions:[ "+strings.Join(dims, ", ")+" ], Aggregates:[ "+strings.Join(calls, ", ")+" ]")
	}
	joined := len(p.Joins) > 0
	if joined && stmt.Condition != nil {
		add("FilterPlan", "Condition:{ "+stmt.Condition.String()+" }")
	}
	if joined {
		var js []string
		for i, j := range p.Joins {
			s := fmt.Sprintf("{ joinType:%s, table:%s", j.Type, p.Sources[j.Src].Name)
			if on := stmt.Joins[i].On; on != nil {
				s += ", on:" + on.String()
			}
			js = append(js, s+" }")
		}
		add("JoinPlan", "Joins:[ "+strings.Join(js, ", ")+" ]")
	}
	if w := p.Window; w != nil {
		add("WindowPlan", windowInfo(w, stmt.Window))
	}
	if !joined && stmt.Condition != nil {
		add("FilterPlan", "Condition:{ "+stmt.Condition.String()+" }")
	}
	if len(p.Analytics) > 0 {
		var calls []string
		for _, a := range p.Analytics {
			calls = append(calls, a.Spec.Name)
		}
		add("AnalyticFuncsPlan", "Funcs:[ "+strings.Join(calls, ", ")+" ]")
	}
	base := depth
	for _, s := range p.Sources {
		depth = base
		fs := "*"
		if s.Fields != nil {
			f := append([]string(nil), s.Fields...)
			sort.Strings(f)
			fs = strings.Join(f, ", ")
		}
		kind := "StreamName"
		if s.Table {
			kind = "TableName"
		}
		add("DataSourcePlan", fmt.Sprintf("%s: %s, Type: %s, Fields:[ %s ]", kind, s.Name, s.Def.Props.Type, fs))
	}
	return strings.Join(lines, "\n") + "\n"
}

func windowInfo(w *Window, we *ast.WindowExpr) string {
	var parts []string
	switch w.Type {
	case ast.CountWindow:
		parts = append(parts, fmt.Sprintf("count:%d", w.Count), fmt.Sprintf("step:%d", w.Step))
	case ast.StateWindow:
		parts = append(parts, "begin:"+we.Args[0].String())
		if len(we.Args) > 1 {
			parts = append(parts, "emit:"+we.Args[1].String())
		}
	case ast.SessionWindow:
		parts = append(parts, fmt.Sprintf("maxDuration:%dms", w.Length), fmt.Sprintf("timeout:%dms", w.Interval))
	default:
		parts = append(parts, fmt.Sprintf("length:%dms", w.Length))
		if w.Type == ast.HoppingWindow {
			parts = append(parts, fmt.Sprintf("hop:%dms", w.Interval))
		}
		if w.Delay > 0 {
			parts = append(parts, fmt.Sprintf("delay:%dms", w.Delay))
		}
	}
	if we.Filter != nil {
		parts = append(parts, "filter:"+we.Filter.String())
	}
	if we.Over != nil {
		if we.Over.When != nil {
			parts = append(parts, "when:"+we.Over.When.String())
		}
		for _, e := range we.Over.Partition {
			parts = append(parts, "partition:"+e.String())
		}
	}
	return "{ windowType:" + w.Type.String() + ", " + strings.Join(parts, ", ") + " }"
}

package plan

import (
	"fmt"
	"sort"
	"strings"
)

// Explain renders the plan as an indented operator tree, one JSON object
// per line, sinks side last, in the spirit of eKuiper's explain output.
func Explain(p *Plan) string {
	var lines []string
	depth := 0
	add := func(op, info string) {
		lines = append(lines, fmt.Sprintf("%s{\"op\":%q,\"info\":%q}", strings.Repeat("\t", depth), op, info))
		depth++
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
	n := 0
	add(fmt.Sprintf("ProjectPlan_%d", n), "Fields:[ "+strings.Join(fields, ", ")+" ]")
	n++
	if p.Stmt.Condition != nil {
		add(fmt.Sprintf("FilterPlan_%d", n), "Condition:{ "+p.Stmt.Condition.String()+" }")
		n++
	}
	if len(p.Analytics) > 0 {
		var calls []string
		for _, a := range p.Analytics {
			calls = append(calls, a.Spec.Name)
		}
		add(fmt.Sprintf("AnalyticFuncsPlan_%d", n), "Funcs:[ "+strings.Join(calls, ", ")+" ]")
		n++
	}
	for _, s := range p.Sources {
		fs := "*"
		if s.Fields != nil {
			f := append([]string(nil), s.Fields...)
			sort.Strings(f)
			fs = strings.Join(f, ", ")
		}
		add(fmt.Sprintf("DataSourcePlan_%d", n), fmt.Sprintf("StreamName: %s, Type: %s, Fields:[ %s ]", s.Name, s.Def.Props.Type, fs))
		n++
	}
	return strings.Join(lines, "\n") + "\n"
}

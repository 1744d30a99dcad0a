package function

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/kuiperio/kuiper/internal/value"
)

// This file holds a tiny evaluator for spec examples: a call whose
// arguments are literals ("str", 'str', 12, -1.5, true, false, null), bare
// column names read from the example's input rows, `*` (the row) and
// nested calls of scalar functions.

// exNode is a parsed example expression.
type exNode struct {
	lit    value.Value
	isLit  bool
	column string
	star   bool
	call   string
	args   []*exNode
}

type exParser struct {
	src string
	pos int
}

func parseExample(src string) (*exNode, error) {
	p := &exParser{src: src}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.src) {
		return nil, fmt.Errorf("unexpected %q at %d", p.src[p.pos:], p.pos)
	}
	return n, nil
}

func (p *exParser) space() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

func (p *exParser) expr() (*exNode, error) {
	p.space()
	if p.pos >= len(p.src) {
		return nil, fmt.Errorf("unexpected end")
	}
	c := p.src[p.pos]
	switch {
	case c == '*':
		p.pos++
		return &exNode{star: true}, nil
	case c == '"' || c == '\'':
		return p.str(c)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case unicode.IsLetter(rune(c)) || c == '_':
		start := p.pos
		for p.pos < len(p.src) && (unicode.IsLetter(rune(p.src[p.pos])) || unicode.IsDigit(rune(p.src[p.pos])) || p.src[p.pos] == '_') {
			p.pos++
		}
		name := p.src[start:p.pos]
		p.space()
		if p.pos < len(p.src) && p.src[p.pos] == '(' {
			p.pos++
			n := &exNode{call: name}
			p.space()
			if p.pos < len(p.src) && p.src[p.pos] == ')' {
				p.pos++
				return n, nil
			}
			for {
				a, err := p.expr()
				if err != nil {
					return nil, err
				}
				n.args = append(n.args, a)
				p.space()
				if p.pos >= len(p.src) {
					return nil, fmt.Errorf("unclosed call %s", name)
				}
				if p.src[p.pos] == ')' {
					p.pos++
					return n, nil
				}
				if p.src[p.pos] != ',' {
					return nil, fmt.Errorf("want , or ) at %d", p.pos)
				}
				p.pos++
			}
		}
		switch strings.ToLower(name) {
		case "true":
			return &exNode{isLit: true, lit: value.BoolValue(true)}, nil
		case "false":
			return &exNode{isLit: true, lit: value.BoolValue(false)}, nil
		case "null":
			return &exNode{isLit: true, lit: value.NullValue()}, nil
		}
		return &exNode{column: name}, nil
	}
	return nil, fmt.Errorf("unexpected %q at %d", c, p.pos)
}

func (p *exParser) str(q byte) (*exNode, error) {
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == q:
			p.pos++
			return &exNode{isLit: true, lit: value.StringValue(b.String())}, nil
		case c == '\\' && p.pos+1 < len(p.src):
			p.pos++
			switch e := p.src[p.pos]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
		p.pos++
	}
	return nil, fmt.Errorf("unclosed string")
}

func (p *exParser) number() (*exNode, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	isFloat := false
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '.' || c == 'e' || c == 'E' {
			isFloat = true
		} else if !(c >= '0' && c <= '9') && !((c == '-' || c == '+') && (p.src[p.pos-1] == 'e' || p.src[p.pos-1] == 'E')) {
			break
		}
		p.pos++
	}
	text := p.src[start:p.pos]
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, err
		}
		return &exNode{isLit: true, lit: value.FloatValue(f)}, nil
	}
	i, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, err
	}
	return &exNode{isLit: true, lit: value.IntValue(i)}, nil
}

// exampleClock is the time examples run at: 2024-01-02T03:04:05.678Z.
var exampleClock = time.Date(2024, 1, 2, 3, 4, 5, 678000000, time.UTC)

// exampleState is the external key-value store examples see.
var exampleState = map[string]value.Value{"limit": value.StringValue("42")}

func exampleContext() *Context {
	return &Context{
		RuleID: "rule1",
		Now:    func() time.Time { return exampleClock },
		KeyedState: func(key string) (value.Value, bool, error) {
			v, ok := exampleState[key]
			return v, ok, nil
		},
		Sleep: func(time.Duration) {},
	}
}

// exEnv evaluates example expressions.
type exEnv struct {
	reg  *Registry
	ctxs map[*exNode]*Context
}

func (e *exEnv) ctx(n *exNode) *Context {
	if e.ctxs == nil {
		e.ctxs = map[*exNode]*Context{}
	}
	c, ok := e.ctxs[n]
	if !ok {
		c = exampleContext()
		e.ctxs[n] = c
	}
	return c
}

// eval evaluates a scalar expression against row (which may be nil).
func (e *exEnv) eval(n *exNode, row *value.Object) (value.Value, error) {
	switch {
	case n.isLit:
		return n.lit, nil
	case n.star:
		return value.ObjectValue(row), nil
	case n.column != "":
		return row.Get(n.column), nil
	}
	s, ok := e.reg.Lookup(n.call)
	if !ok {
		return value.Value{}, fmt.Errorf("unknown function %s", n.call)
	}
	if s.Exec == nil {
		return value.Value{}, fmt.Errorf("function %s has no Exec", n.call)
	}
	if err := s.CheckArgs(e.argSpecs(n)); err != nil {
		return value.Value{}, err
	}
	args := make([]value.Value, len(n.args))
	for i, a := range n.args {
		v, err := e.eval(a, row)
		if err != nil {
			return value.Value{}, err
		}
		args[i] = v
	}
	return s.Exec(e.ctx(n), args)
}

// argSpecs describes the arguments of a call as the planner would.
func (e *exEnv) argSpecs(n *exNode) []Arg {
	out := make([]Arg, len(n.args))
	for i, a := range n.args {
		out[i] = Arg{Const: a.isLit, Value: a.lit, Name: a.column}
	}
	return out
}

// evalArgs evaluates the arguments of an aggregate or analytic call for
// one row; `*` in count(*) is dropped.
func (e *exEnv) evalArgs(s *Spec, n *exNode, row *value.Object) ([]value.Value, error) {
	var args []value.Value
	for _, a := range n.args {
		if a.star && s.Name == "count" {
			continue
		}
		v, err := e.eval(a, row)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	if s.RowArg {
		args = append(args, value.ObjectValue(row))
	}
	return args, nil
}

// runExample evaluates an example and returns its result as JSON.
// ran is false for specs the planner evaluates itself.
func runExample(reg *Registry, ex Example) (result string, ran bool, err error) {
	n, err := parseExample(ex.SQL)
	if err != nil {
		return "", false, fmt.Errorf("parse %q: %w", ex.SQL, err)
	}
	if n.call == "" {
		return "", false, fmt.Errorf("example %q is not a call", ex.SQL)
	}
	var rows []*value.Object
	if ex.Input != "" {
		dec := json.NewDecoder(strings.NewReader(ex.Input))
		dec.UseNumber()
		var raw []any
		if err := dec.Decode(&raw); err != nil {
			return "", false, fmt.Errorf("input of %q: %w", ex.SQL, err)
		}
		for _, r := range raw {
			rows = append(rows, value.FromAny(r).Object())
		}
	}
	s, ok := reg.Lookup(n.call)
	if !ok {
		return "", false, fmt.Errorf("unknown function %s", n.call)
	}
	env := &exEnv{reg: reg}
	switch {
	case s.Kind == Aggregate && s.NewAggregator != nil:
		if err := s.CheckArgs(env.argSpecs(n)); err != nil {
			return "", false, err
		}
		agg := s.NewAggregator(env.argSpecs(n))
		for _, row := range rows {
			args, err := env.evalArgs(s, n, row)
			if err != nil {
				return "", false, err
			}
			if err := agg.Add(args); err != nil {
				return "", true, err
			}
		}
		v, err := agg.Result()
		if err != nil {
			return "", true, err
		}
		return string(v.AppendJSON(nil, value.SortKeys)), true, nil
	case s.Kind == Analytic && s.ExecAnalytic != nil:
		if err := s.CheckArgs(env.argSpecs(n)); err != nil {
			return "", false, err
		}
		state := s.NewState(env.argSpecs(n))
		out := make([]value.Value, 0, len(rows))
		for _, row := range rows {
			args, err := env.evalArgs(s, n, row)
			if err != nil {
				return "", false, err
			}
			v, err := s.ExecAnalytic(state, args, true)
			if err != nil {
				return "", true, err
			}
			if v.IsMissing() {
				v = value.NullValue()
			}
			out = append(out, v)
		}
		return string(value.ArrayValue(out).AppendJSON(nil, value.SortKeys)), true, nil
	case s.Exec != nil:
		var row *value.Object
		if len(rows) > 0 {
			row = rows[0]
		}
		v, err := env.eval(n, row)
		if err != nil {
			return "", true, err
		}
		return string(v.AppendJSON(nil, value.SortKeys)), true, nil
	}
	return "", false, nil
}

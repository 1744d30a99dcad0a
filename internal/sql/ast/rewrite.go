package ast

import "fmt"

// RewriteExpr rewrites e bottom-up: the children first, then f is called on
// the node and its result replaces the node. The input tree is never
// modified: a node whose children changed is shallow-copied before the new
// children are set, and unchanged subtrees are shared. f must not return
// nil; returning its argument keeps the node.
func RewriteExpr(e Expr, f func(Expr) Expr) Expr {
	if e == nil {
		return nil
	}
	return f(rewriteChildren(e, f))
}

// Rewrite applies RewriteExpr to every expression inside n (a statement,
// field, join, ...) and returns n, or a copy of n where an expression
// changed. The GROUP BY window of a SELECT must stay a *WindowExpr; the LIMIT
// literal is not rewritten.
func Rewrite(n Node, f func(Expr) Expr) Node {
	switch n := n.(type) {
	case Expr:
		return RewriteExpr(n, f)
	case *SelectStatement:
		return rewriteSelect(n, f)
	case *CreateStreamStatement:
		cols, ok := rewriteColumns(n.Columns, f)
		if !ok {
			return n
		}
		c := *n
		c.Columns = cols
		return &c
	case *Field:
		return rewriteField(n, f)
	case *Join:
		return rewriteJoin(n, f)
	case *SortField:
		return rewriteSort(n, f)
	case *OverClause:
		return rewriteOver(n, f)
	case *WhenClause:
		return rewriteWhen(n, f)
	case *ColumnDef:
		return rewriteColumn(n, f)
	case *DataType:
		return rewriteType(n, f)
	}
	return n
}

func rewriteSelect(n *SelectStatement, f func(Expr) Expr) *SelectStatement {
	c := *n
	changed := false
	if fields, ok := rewriteFields(n.Fields, f); ok {
		c.Fields, changed = fields, true
	}
	if n.Joins != nil {
		joins := make([]*Join, len(n.Joins))
		jchanged := false
		for i, j := range n.Joins {
			joins[i] = rewriteJoin(j, f)
			jchanged = jchanged || joins[i] != j
		}
		if jchanged {
			c.Joins, changed = joins, true
		}
	}
	if e, ok := rewriteOpt(n.Condition, f); ok {
		c.Condition, changed = e, true
	}
	if list, ok := rewriteList(n.Dimensions, f); ok {
		c.Dimensions, changed = list, true
	}
	if n.Window != nil {
		e := RewriteExpr(n.Window, f)
		w, ok := e.(*WindowExpr)
		if !ok {
			panic(fmt.Sprintf("ast.Rewrite: window rewritten to %T", e))
		}
		if w != n.Window {
			c.Window, changed = w, true
		}
	}
	if e, ok := rewriteOpt(n.Having, f); ok {
		c.Having, changed = e, true
	}
	if sorts, ok := rewriteSorts(n.SortFields, f); ok {
		c.SortFields, changed = sorts, true
	}
	if !changed {
		return n
	}
	return &c
}

func rewriteField(n *Field, f func(Expr) Expr) *Field {
	e := RewriteExpr(n.Expr, f)
	if e == n.Expr {
		return n
	}
	c := *n
	c.Expr = e
	return &c
}

func rewriteFields(list []*Field, f func(Expr) Expr) ([]*Field, bool) {
	out := make([]*Field, len(list))
	changed := false
	for i, x := range list {
		out[i] = rewriteField(x, f)
		changed = changed || out[i] != x
	}
	return out, changed
}

func rewriteJoin(n *Join, f func(Expr) Expr) *Join {
	e, ok := rewriteOpt(n.On, f)
	if !ok {
		return n
	}
	c := *n
	c.On = e
	return &c
}

func rewriteSort(n *SortField, f func(Expr) Expr) *SortField {
	e := RewriteExpr(n.Expr, f)
	if e == n.Expr {
		return n
	}
	c := *n
	c.Expr = e
	return &c
}

func rewriteSorts(list []*SortField, f func(Expr) Expr) ([]*SortField, bool) {
	out := make([]*SortField, len(list))
	changed := false
	for i, x := range list {
		out[i] = rewriteSort(x, f)
		changed = changed || out[i] != x
	}
	return out, changed
}

func rewriteOver(n *OverClause, f func(Expr) Expr) *OverClause {
	if n == nil {
		return nil
	}
	part, pok := rewriteList(n.Partition, f)
	sorts, sok := rewriteSorts(n.OrderBy, f)
	when, wok := rewriteOpt(n.When, f)
	if !pok && !sok && !wok {
		return n
	}
	c := *n
	if pok {
		c.Partition = part
	}
	if sok {
		c.OrderBy = sorts
	}
	if wok {
		c.When = when
	}
	return &c
}

func rewriteWhen(n *WhenClause, f func(Expr) Expr) *WhenClause {
	cond := RewriteExpr(n.Cond, f)
	res := RewriteExpr(n.Result, f)
	if cond == n.Cond && res == n.Result {
		return n
	}
	return &WhenClause{When: n.When, Cond: cond, Result: res}
}

func rewriteColumn(n *ColumnDef, f func(Expr) Expr) *ColumnDef {
	def, dok := rewriteOpt(n.Default, f)
	t := n.Type
	if t != nil {
		t = rewriteType(t, f)
	}
	if !dok && t == n.Type {
		return n
	}
	c := *n
	c.Type = t
	if dok {
		c.Default = def
	}
	return &c
}

func rewriteColumns(list []*ColumnDef, f func(Expr) Expr) ([]*ColumnDef, bool) {
	out := make([]*ColumnDef, len(list))
	changed := false
	for i, x := range list {
		out[i] = rewriteColumn(x, f)
		changed = changed || out[i] != x
	}
	return out, changed
}

func rewriteType(n *DataType, f func(Expr) Expr) *DataType {
	elem := n.Elem
	if elem != nil {
		elem = rewriteType(elem, f)
	}
	fields, fok := rewriteColumns(n.Fields, f)
	if elem == n.Elem && !fok {
		return n
	}
	c := *n
	c.Elem = elem
	if fok {
		c.Fields = fields
	}
	return &c
}

// rewriteOpt rewrites an optional expression; ok reports a change.
func rewriteOpt(e Expr, f func(Expr) Expr) (Expr, bool) {
	if e == nil {
		return nil, false
	}
	r := RewriteExpr(e, f)
	return r, r != e
}

// rewriteList rewrites a list; ok reports a change (then out is new).
func rewriteList(list []Expr, f func(Expr) Expr) ([]Expr, bool) {
	if list == nil {
		return nil, false
	}
	out := make([]Expr, len(list))
	changed := false
	for i, e := range list {
		out[i] = RewriteExpr(e, f)
		changed = changed || out[i] != e
	}
	return out, changed
}

// rewriteChildren returns e with its children rewritten, copying e only if
// a child changed.
func rewriteChildren(e Expr, f func(Expr) Expr) Expr {
	switch n := e.(type) {
	case *Wildcard:
		fields, ok := rewriteFields(n.Replace, f)
		if !ok {
			return n
		}
		c := *n
		c.Replace = fields
		return &c
	case *MemberExpr:
		if x, ok := rewriteOpt(n.X, f); ok {
			c := *n
			c.X = x
			return &c
		}
	case *IndexExpr:
		x, xok := rewriteOpt(n.X, f)
		i, iok := rewriteOpt(n.Index, f)
		if xok || iok {
			c := *n
			c.X, c.Index = x, i
			return &c
		}
	case *SliceExpr:
		x, xok := rewriteOpt(n.X, f)
		lo, lok := rewriteOpt(n.Low, f)
		hi, hok := rewriteOpt(n.High, f)
		if xok || lok || hok {
			c := *n
			c.X, c.Low, c.High = x, lo, hi
			return &c
		}
	case *BinaryExpr:
		l, lok := rewriteOpt(n.LHS, f)
		r, rok := rewriteOpt(n.RHS, f)
		if lok || rok {
			c := *n
			c.LHS, c.RHS = l, r
			return &c
		}
	case *UnaryExpr:
		if x, ok := rewriteOpt(n.X, f); ok {
			c := *n
			c.X = x
			return &c
		}
	case *ParenExpr:
		if x, ok := rewriteOpt(n.X, f); ok {
			c := *n
			c.X = x
			return &c
		}
	case *Call:
		args, aok := rewriteList(n.Args, f)
		filter, fok := rewriteOpt(n.Filter, f)
		over := rewriteOver(n.Over, f)
		if aok || fok || over != n.Over {
			c := *n
			if aok {
				c.Args = args
			}
			if fok {
				c.Filter = filter
			}
			c.Over = over
			return &c
		}
	case *WindowExpr:
		args, aok := rewriteList(n.Args, f)
		filter, fok := rewriteOpt(n.Filter, f)
		over := rewriteOver(n.Over, f)
		if aok || fok || over != n.Over {
			c := *n
			if aok {
				c.Args = args
			}
			if fok {
				c.Filter = filter
			}
			c.Over = over
			return &c
		}
	case *CaseExpr:
		v, vok := rewriteOpt(n.Value, f)
		els, eok := rewriteOpt(n.Else, f)
		whens := make([]*WhenClause, len(n.Whens))
		wok := false
		for i, w := range n.Whens {
			whens[i] = rewriteWhen(w, f)
			wok = wok || whens[i] != w
		}
		if vok || eok || wok {
			c := *n
			c.Value, c.Else = v, els
			if wok {
				c.Whens = whens
			}
			return &c
		}
	case *InExpr:
		x, xok := rewriteOpt(n.X, f)
		list, lok := rewriteList(n.List, f)
		arr, aok := rewriteOpt(n.Array, f)
		if xok || lok || aok {
			c := *n
			c.X, c.Array = x, arr
			if lok {
				c.List = list
			}
			return &c
		}
	case *BetweenExpr:
		x, xok := rewriteOpt(n.X, f)
		lo, lok := rewriteOpt(n.Low, f)
		hi, hok := rewriteOpt(n.High, f)
		if xok || lok || hok {
			c := *n
			c.X, c.Low, c.High = x, lo, hi
			return &c
		}
	case *LikeExpr:
		x, xok := rewriteOpt(n.X, f)
		p, pok := rewriteOpt(n.Pattern, f)
		if xok || pok {
			c := *n
			c.X, c.Pattern = x, p
			return &c
		}
	}
	return e
}

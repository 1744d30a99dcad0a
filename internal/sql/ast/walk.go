package ast

// Visitor's Visit is called for each node met by Walk. If it returns a
// non-nil visitor w, Walk visits the node's children with w, then calls
// w.Visit(nil).
type Visitor interface {
	Visit(n Node) (w Visitor)
}

// Walk traverses the tree rooted at n in depth-first, source order. Absent
// optional parts (nil expressions, clauses, windows) are skipped.
func Walk(v Visitor, n Node) {
	if v = v.Visit(n); v == nil {
		return
	}
	switch n := n.(type) {
	case *SelectStatement:
		for _, f := range n.Fields {
			Walk(v, f)
		}
		for _, t := range n.Sources {
			Walk(v, t)
		}
		for _, j := range n.Joins {
			Walk(v, j)
		}
		walkExpr(v, n.Condition)
		walkExprs(v, n.Dimensions)
		if n.Window != nil {
			Walk(v, n.Window)
		}
		walkExpr(v, n.Having)
		walkSorts(v, n.SortFields)
		if n.Limit != nil {
			Walk(v, n.Limit)
		}
	case *CreateStreamStatement:
		for _, c := range n.Columns {
			Walk(v, c)
		}
		for _, o := range n.Options {
			Walk(v, o)
		}
	case *Field:
		walkExpr(v, n.Expr)
	case *Join:
		if n.Table != nil {
			Walk(v, n.Table)
		}
		walkExpr(v, n.On)
	case *SortField:
		walkExpr(v, n.Expr)
	case *ColumnDef:
		if n.Type != nil {
			Walk(v, n.Type)
		}
		walkExpr(v, n.Default)
	case *DataType:
		if n.Elem != nil {
			Walk(v, n.Elem)
		}
		for _, f := range n.Fields {
			Walk(v, f)
		}
	case *Wildcard:
		for _, f := range n.Replace {
			Walk(v, f)
		}
	case *MemberExpr:
		walkExpr(v, n.X)
	case *IndexExpr:
		walkExpr(v, n.X)
		walkExpr(v, n.Index)
	case *SliceExpr:
		walkExpr(v, n.X)
		walkExpr(v, n.Low)
		walkExpr(v, n.High)
	case *BinaryExpr:
		walkExpr(v, n.LHS)
		walkExpr(v, n.RHS)
	case *UnaryExpr:
		walkExpr(v, n.X)
	case *ParenExpr:
		walkExpr(v, n.X)
	case *Call:
		walkExprs(v, n.Args)
		walkExpr(v, n.Filter)
		if n.Over != nil {
			Walk(v, n.Over)
		}
	case *OverClause:
		walkExprs(v, n.Partition)
		walkSorts(v, n.OrderBy)
		walkExpr(v, n.When)
	case *WindowExpr:
		walkExprs(v, n.Args)
		walkExpr(v, n.Filter)
		if n.Over != nil {
			Walk(v, n.Over)
		}
	case *CaseExpr:
		walkExpr(v, n.Value)
		for _, w := range n.Whens {
			Walk(v, w)
		}
		walkExpr(v, n.Else)
	case *WhenClause:
		walkExpr(v, n.Cond)
		walkExpr(v, n.Result)
	case *InExpr:
		walkExpr(v, n.X)
		walkExprs(v, n.List)
		walkExpr(v, n.Array)
	case *BetweenExpr:
		walkExpr(v, n.X)
		walkExpr(v, n.Low)
		walkExpr(v, n.High)
	case *LikeExpr:
		walkExpr(v, n.X)
		walkExpr(v, n.Pattern)
	}
	v.Visit(nil)
}

func walkExpr(v Visitor, e Expr) {
	if e != nil {
		Walk(v, e)
	}
}

func walkExprs(v Visitor, list []Expr) {
	for _, e := range list {
		walkExpr(v, e)
	}
}

func walkSorts(v Visitor, sorts []*SortField) {
	for _, s := range sorts {
		Walk(v, s)
	}
}

type inspector func(Node) bool

func (f inspector) Visit(n Node) Visitor {
	if n != nil && f(n) {
		return f
	}
	return nil
}

// Inspect traverses the tree rooted at n, calling f for each node. If f
// returns false, the node's children are skipped.
func Inspect(n Node, f func(Node) bool) {
	Walk(inspector(f), n)
}

package ast

import (
	"strconv"
	"strings"

	"github.com/kuiperio/kuiper/internal/sql/token"
)

// This file renders nodes back to SQL. The output of a tree produced by the
// parser parses back to an equal tree (positions aside): keywords are
// upper-case, names are backquoted only where needed (or where they were
// quoted), literals keep their raw text and ParenExpr keeps the author's
// parentheses. For hand-built trees parentheses are added where precedence
// requires them.

func (n *SelectStatement) String() string       { return render(n) }
func (n *CreateStreamStatement) String() string { return render(n) }
func (n *DropStatement) String() string         { return render(n) }
func (n *DescribeStatement) String() string     { return render(n) }
func (n *ExplainStatement) String() string      { return render(n) }
func (n *ShowStatement) String() string         { return render(n) }
func (n *Field) String() string                 { return render(n) }
func (n *Table) String() string                 { return render(n) }
func (n *Join) String() string                  { return render(n) }
func (n *SortField) String() string             { return render(n) }
func (n *Option) String() string                { return render(n) }
func (n *ColumnDef) String() string             { return render(n) }
func (n *DataType) String() string              { return render(n) }
func (n *Ident) String() string                 { return render(n) }
func (n *Wildcard) String() string              { return render(n) }
func (n *MemberExpr) String() string            { return render(n) }
func (n *IndexExpr) String() string             { return render(n) }
func (n *SliceExpr) String() string             { return render(n) }
func (n *IntegerLit) String() string            { return render(n) }
func (n *NumberLit) String() string             { return render(n) }
func (n *StringLit) String() string             { return render(n) }
func (n *BooleanLit) String() string            { return render(n) }
func (n *TimeUnitLit) String() string           { return render(n) }
func (n *BinaryExpr) String() string            { return render(n) }
func (n *UnaryExpr) String() string             { return render(n) }
func (n *ParenExpr) String() string             { return render(n) }
func (n *Call) String() string                  { return render(n) }
func (n *OverClause) String() string            { return render(n) }
func (n *WindowExpr) String() string            { return render(n) }
func (n *CaseExpr) String() string              { return render(n) }
func (n *WhenClause) String() string            { return render(n) }
func (n *InExpr) String() string                { return render(n) }
func (n *BetweenExpr) String() string           { return render(n) }
func (n *LikeExpr) String() string              { return render(n) }

func render(n Node) string {
	var b strings.Builder
	write(&b, n)
	return b.String()
}

// write appends the SQL form of n to b.
func write(b *strings.Builder, n Node) {
	switch n := n.(type) {
	case *SelectStatement:
		writeSelect(b, n)
	case *CreateStreamStatement:
		b.WriteString("CREATE ")
		b.WriteString(n.Kind.String())
		b.WriteByte(' ')
		b.WriteString(SourceName(n.Name))
		b.WriteString(" (")
		for i, c := range n.Columns {
			if i > 0 {
				b.WriteString(", ")
			}
			write(b, c)
		}
		b.WriteString(") WITH (")
		for i, o := range n.Options {
			if i > 0 {
				b.WriteString(", ")
			}
			write(b, o)
		}
		b.WriteByte(')')
	case *DropStatement:
		writeKindName(b, "DROP", n.Kind, n.Name)
	case *DescribeStatement:
		writeKindName(b, "DESCRIBE", n.Kind, n.Name)
	case *ExplainStatement:
		writeKindName(b, "EXPLAIN", n.Kind, n.Name)
	case *ShowStatement:
		if n.Kind == KindTable {
			b.WriteString("SHOW TABLES")
		} else {
			b.WriteString("SHOW STREAMS")
		}
	case *Field:
		write(b, n.Expr)
		if n.Alias != "" {
			b.WriteString(" AS ")
			b.WriteString(QuoteName(n.Alias, false))
		}
		if n.Invisible {
			b.WriteString(" INVISIBLE")
		}
	case *Table:
		b.WriteString(SourceName(n.Name))
		if n.Alias != "" {
			b.WriteString(" AS ")
			b.WriteString(QuoteName(n.Alias, false))
		}
	case *Join:
		b.WriteString(n.Type.String())
		b.WriteByte(' ')
		if n.Table != nil {
			write(b, n.Table)
		}
		if n.On != nil {
			b.WriteString(" ON ")
			write(b, n.On)
		}
	case *SortField:
		write(b, n.Expr)
		if n.Desc {
			b.WriteString(" DESC")
		}
	case *Option:
		b.WriteString(quoteWord(n.Key))
		b.WriteByte('=')
		b.WriteString(strconv.Quote(n.Value))
	case *ColumnDef:
		b.WriteString(QuoteName(n.Name, false))
		b.WriteByte(' ')
		if n.Type != nil {
			write(b, n.Type)
		}
		if n.Default != nil {
			b.WriteString(" DEFAULT ")
			write(b, n.Default)
		}
	case *DataType:
		b.WriteString(n.Kind.String())
		switch n.Kind {
		case TypeArray:
			b.WriteByte('(')
			if n.Elem != nil {
				write(b, n.Elem)
			}
			b.WriteByte(')')
		case TypeStruct:
			b.WriteByte('(')
			for i, f := range n.Fields {
				if i > 0 {
					b.WriteString(", ")
				}
				write(b, f)
			}
			b.WriteByte(')')
		}
	case *OverClause:
		writeOver(b, n)
	case *WhenClause:
		b.WriteString("WHEN ")
		write(b, n.Cond)
		b.WriteString(" THEN ")
		write(b, n.Result)
	case Expr:
		writeExpr(b, n)
	}
}

func writeKindName(b *strings.Builder, verb string, kind StreamKind, name string) {
	b.WriteString(verb)
	b.WriteByte(' ')
	b.WriteString(kind.String())
	b.WriteByte(' ')
	b.WriteString(SourceName(name))
}

func writeSelect(b *strings.Builder, n *SelectStatement) {
	b.WriteString("SELECT ")
	for i, f := range n.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		write(b, f)
	}
	for i, t := range n.Sources {
		if i == 0 {
			b.WriteString(" FROM ")
		} else {
			b.WriteString(", ")
		}
		write(b, t)
	}
	for _, j := range n.Joins {
		b.WriteByte(' ')
		write(b, j)
	}
	if n.Condition != nil {
		b.WriteString(" WHERE ")
		write(b, n.Condition)
	}
	if len(n.Dimensions) > 0 || n.Window != nil {
		b.WriteString(" GROUP BY ")
		for i, d := range n.Dimensions {
			if i > 0 {
				b.WriteString(", ")
			}
			write(b, d)
		}
		if n.Window != nil {
			if len(n.Dimensions) > 0 {
				b.WriteString(", ")
			}
			write(b, n.Window)
		}
	}
	if n.Having != nil {
		b.WriteString(" HAVING ")
		write(b, n.Having)
	}
	writeSortFields(b, " ORDER BY ", n.SortFields)
	if n.Limit != nil {
		b.WriteString(" LIMIT ")
		write(b, n.Limit)
	}
}

func writeSortFields(b *strings.Builder, prefix string, sorts []*SortField) {
	for i, s := range sorts {
		if i == 0 {
			b.WriteString(prefix)
		} else {
			b.WriteString(", ")
		}
		write(b, s)
	}
}

func writeOver(b *strings.Builder, n *OverClause) {
	b.WriteString("OVER (")
	sep := ""
	if len(n.Partition) > 0 {
		b.WriteString("PARTITION BY ")
		writeExprList(b, n.Partition)
		sep = " "
	}
	if len(n.OrderBy) > 0 {
		writeSortFields(b, sep+"ORDER BY ", n.OrderBy)
		sep = " "
	}
	if n.When != nil {
		b.WriteString(sep)
		b.WriteString("WHEN ")
		write(b, n.When)
	}
	b.WriteByte(')')
}

func writeExprList(b *strings.Builder, list []Expr) {
	for i, e := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		write(b, e)
	}
}

// Binding strengths used to decide on parentheses; 1..5 are the binary
// operator precedences of token.Precedence.
const (
	precCompare = 3 // comparisons, IN, BETWEEN, LIKE
	precUnary   = 6 // -x, +x
	precPostfix = 7 // primaries and x.a, x->a, x[i]
)

// exprPrec returns how tightly e binds when printed without parentheses.
// NOT is special-cased by the callers.
func exprPrec(e Expr) int {
	switch e := e.(type) {
	case *BinaryExpr:
		if p := e.Op.Precedence(); p > 0 {
			return p
		}
		return precCompare
	case *InExpr, *BetweenExpr, *LikeExpr:
		return precCompare
	case *UnaryExpr:
		return precUnary
	}
	return precPostfix
}

func isNot(e Expr) bool {
	u, ok := e.(*UnaryExpr)
	return ok && u.Op == token.NOT
}

// writeLeft writes the left operand of an operator of precedence prec.
// "NOT x" extends over comparisons, so it needs parentheses on the left of
// one.
func writeLeft(b *strings.Builder, x Expr, prec int) {
	if isNot(x) {
		writeParen(b, x, prec >= precCompare)
		return
	}
	writeParen(b, x, exprPrec(x) < prec)
}

// writeRight writes the right operand of a left-associative operator of
// precedence prec.
func writeRight(b *strings.Builder, x Expr, prec int) {
	if isNot(x) {
		writeParen(b, x, false)
		return
	}
	writeParen(b, x, exprPrec(x) <= prec)
}

func writeParen(b *strings.Builder, x Expr, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	write(b, x)
	if paren {
		b.WriteByte(')')
	}
}

func writeNot(b *strings.Builder, not bool, op string) {
	if not {
		b.WriteString(" NOT")
	}
	b.WriteString(op)
}

func writeExpr(b *strings.Builder, e Expr) {
	switch n := e.(type) {
	case *Ident:
		b.WriteString(QuoteName(n.Name, n.Quoted))
	case *Wildcard:
		if n.Qualifier != "" {
			b.WriteString(QuoteName(n.Qualifier, false))
			b.WriteByte('.')
		}
		b.WriteByte('*')
		if len(n.Except) > 0 {
			b.WriteString(" EXCEPT(")
			for i, name := range n.Except {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(QuoteName(name, false))
			}
			b.WriteByte(')')
		}
		if len(n.Replace) > 0 {
			b.WriteString(" REPLACE(")
			for i, f := range n.Replace {
				if i > 0 {
					b.WriteString(", ")
				}
				write(b, f)
			}
			b.WriteByte(')')
		}
	case *MemberExpr:
		writeParen(b, n.X, exprPrec(n.X) < precPostfix)
		if n.Arrow {
			b.WriteString("->")
		} else {
			b.WriteByte('.')
		}
		b.WriteString(QuoteName(n.Name, n.Quoted))
	case *IndexExpr:
		writeParen(b, n.X, exprPrec(n.X) < precPostfix)
		b.WriteByte('[')
		write(b, n.Index)
		b.WriteByte(']')
	case *SliceExpr:
		writeParen(b, n.X, exprPrec(n.X) < precPostfix)
		b.WriteByte('[')
		if n.Low != nil {
			write(b, n.Low)
		}
		b.WriteByte(':')
		if n.High != nil {
			write(b, n.High)
		}
		b.WriteByte(']')
	case *IntegerLit:
		if n.Raw != "" {
			b.WriteString(n.Raw)
		} else {
			b.WriteString(strconv.FormatInt(n.Value, 10))
		}
	case *NumberLit:
		if n.Raw != "" {
			b.WriteString(n.Raw)
		} else {
			s := strconv.FormatFloat(n.Value, 'g', -1, 64)
			b.WriteString(s)
			if !strings.ContainsAny(s, ".eEIN") {
				b.WriteString(".0")
			}
		}
	case *StringLit:
		b.WriteString(strconv.Quote(n.Value))
	case *BooleanLit:
		if n.Value {
			b.WriteString("TRUE")
		} else {
			b.WriteString("FALSE")
		}
	case *TimeUnitLit:
		b.WriteString(n.Unit.String())
	case *BinaryExpr:
		prec := exprPrec(n)
		writeLeft(b, n.LHS, prec)
		b.WriteByte(' ')
		b.WriteString(n.Op.String())
		b.WriteByte(' ')
		writeRight(b, n.RHS, prec)
	case *UnaryExpr:
		if n.Op == token.NOT {
			b.WriteString("NOT ")
			writeParen(b, n.X, !isNot(n.X) && exprPrec(n.X) < precCompare)
			return
		}
		b.WriteString(n.Op.String())
		paren := !isNot(n.X) && exprPrec(n.X) < precUnary
		if !paren {
			// Keep "- -1" from turning into a "--" comment.
			var inner strings.Builder
			write(&inner, n.X)
			if s := inner.String(); strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
				b.WriteByte(' ')
			}
			b.WriteString(inner.String())
			return
		}
		writeParen(b, n.X, true)
	case *ParenExpr:
		b.WriteByte('(')
		write(b, n.X)
		b.WriteByte(')')
	case *Call:
		b.WriteString(QuoteName(n.Name, false))
		b.WriteByte('(')
		writeExprList(b, n.Args)
		b.WriteByte(')')
		writeFilterOver(b, n.Filter, n.Over)
	case *WindowExpr:
		name := n.Name
		if name == "" {
			name = n.Type.String()
		}
		b.WriteString(QuoteName(name, false))
		b.WriteByte('(')
		writeExprList(b, n.Args)
		b.WriteByte(')')
		writeFilterOver(b, n.Filter, n.Over)
	case *CaseExpr:
		b.WriteString("CASE")
		if n.Value != nil {
			b.WriteByte(' ')
			write(b, n.Value)
		}
		for _, w := range n.Whens {
			b.WriteByte(' ')
			write(b, w)
		}
		if n.Else != nil {
			b.WriteString(" ELSE ")
			write(b, n.Else)
		}
		b.WriteString(" END")
	case *InExpr:
		writeLeft(b, n.X, precCompare)
		writeNot(b, n.Not, " IN ")
		if n.Array != nil {
			writeRight(b, n.Array, precCompare)
			return
		}
		b.WriteByte('(')
		writeExprList(b, n.List)
		b.WriteByte(')')
	case *BetweenExpr:
		writeLeft(b, n.X, precCompare)
		writeNot(b, n.Not, " BETWEEN ")
		writeRight(b, n.Low, precCompare)
		b.WriteString(" AND ")
		writeRight(b, n.High, precCompare)
	case *LikeExpr:
		writeLeft(b, n.X, precCompare)
		writeNot(b, n.Not, " LIKE ")
		writeRight(b, n.Pattern, precCompare)
	}
}

func writeFilterOver(b *strings.Builder, filter Expr, over *OverClause) {
	if filter != nil {
		b.WriteString(" FILTER (WHERE ")
		write(b, filter)
		b.WriteByte(')')
	}
	if over != nil {
		b.WriteByte(' ')
		writeOver(b, over)
	}
}

// isPlainWord reports whether s is spelled like a bare identifier:
// a letter or '_' followed by letters, digits and '_'.
func isPlainWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}

func quoteIdent(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// QuoteName renders a column, alias or function name: bare when it is
// spelled like an identifier and is not a reserved word, backquoted
// otherwise or when quoted is set.
func QuoteName(name string, quoted bool) string {
	if quoted || !isPlainWord(name) || token.Lookup(name).IsReserved() {
		return quoteIdent(name)
	}
	return name
}

// quoteWord renders a WITH option key: any bare word is accepted there.
func quoteWord(s string) string {
	if isPlainWord(s) {
		return s
	}
	return quoteIdent(s)
}

// SourceName renders a stream or table name: bare when it only holds
// letters, digits, '_', '/', '#' and '+' (as in FROM topic/sensor1) and is
// not a reserved word, backquoted otherwise.
func SourceName(name string) string {
	if name == "" || token.Lookup(name).IsReserved() {
		return quoteIdent(name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '/' || c == '#' || c == '+') {
			return quoteIdent(name)
		}
	}
	return name
}

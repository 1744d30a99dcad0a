// Package ast declares the syntax tree of Kuiper's SQL dialect.
//
// The tree is sealed (only this package's types implement Node), every node
// carries the position of its first token, and every node's String() form
// parses back to an equal tree. The tree is pure syntax: names are not
// resolved and nothing here is mutated by later phases; the planner builds
// its own bound representation.
package ast

import "github.com/kuiperio/kuiper/internal/sql/token"

// Node is any syntax node.
type Node interface {
	node()
	// Pos returns the position of the node's first token.
	Pos() token.Pos
	// String renders the node as SQL that parses back to an equal node.
	String() string
}

// Statement is a top-level SQL statement.
type Statement interface {
	Node
	stmt()
}

// Expr is an expression.
type Expr interface {
	Node
	expr()
}

// ---- statements -----------------------------------------------------------

// SelectStatement is a SELECT query, the body of a rule.
type SelectStatement struct {
	Select     token.Pos
	Fields     []*Field
	Sources    []*Table // FROM source; Sources[0] is the FROM table
	Joins      []*Join
	Condition  Expr         // WHERE; nil when absent
	Dimensions []Expr       // GROUP BY expressions other than the window
	Window     *WindowExpr  // window in GROUP BY; nil when absent
	Having     Expr         // nil when absent
	SortFields []*SortField // ORDER BY
	Limit      *IntegerLit  // nil when absent
}

// Field is one item of the select list.
type Field struct {
	Expr      Expr // *Wildcard for "*" / "s.*"
	Alias     string
	AliasPos  token.Pos
	Invisible bool
}

// Table names a stream or table in FROM or JOIN, with an optional alias.
type Table struct {
	NamePos token.Pos
	Name    string // may contain '/', '#', '+'
	Alias   string
}

// JoinType is the kind of a JOIN.
type JoinType int

// Join kinds. eKuiper requires one of these words before JOIN.
const (
	InnerJoin JoinType = iota
	LeftJoin
	RightJoin
	FullJoin
	CrossJoin
)

// String returns the SQL keyword(s) of the join kind.
func (t JoinType) String() string {
	switch t {
	case LeftJoin:
		return "LEFT JOIN"
	case RightJoin:
		return "RIGHT JOIN"
	case FullJoin:
		return "FULL JOIN"
	case CrossJoin:
		return "CROSS JOIN"
	}
	return "INNER JOIN"
}

// Join is one "<kind> JOIN table ON cond" clause.
type Join struct {
	JoinPos token.Pos
	Type    JoinType
	Table   *Table
	On      Expr // nil for CROSS JOIN without ON
}

// SortField is one ORDER BY key.
type SortField struct {
	Expr Expr
	Desc bool
}

// StreamKind distinguishes streams from tables in DDL statements.
type StreamKind int

// Stream kinds.
const (
	KindStream StreamKind = iota
	KindTable
)

// String returns "STREAM" or "TABLE".
func (k StreamKind) String() string {
	if k == KindTable {
		return "TABLE"
	}
	return "STREAM"
}

// CreateStreamStatement is CREATE STREAM|TABLE name (cols) WITH (opts).
type CreateStreamStatement struct {
	Create  token.Pos
	Kind    StreamKind
	Name    string
	NamePos token.Pos
	Columns []*ColumnDef // empty: schemaless
	Options []*Option    // in source order; keys as written
}

// Option is one KEY="value" of a WITH clause. Values are always strings.
type Option struct {
	KeyPos token.Pos
	Key    string
	Value  string
}

// ColumnDef declares a typed column.
type ColumnDef struct {
	NamePos token.Pos
	Name    string
	Type    *DataType
	Default Expr // literal after DEFAULT; nil when absent
}

// TypeKind is a column data type.
type TypeKind int

// Column data types.
const (
	TypeUnknown TypeKind = iota
	TypeBigint
	TypeFloat
	TypeString
	TypeDatetime
	TypeBoolean
	TypeBytea
	TypeArray
	TypeStruct
)

// String returns the SQL name of the type kind.
func (k TypeKind) String() string {
	switch k {
	case TypeBigint:
		return "BIGINT"
	case TypeFloat:
		return "FLOAT"
	case TypeString:
		return "STRING"
	case TypeDatetime:
		return "DATETIME"
	case TypeBoolean:
		return "BOOLEAN"
	case TypeBytea:
		return "BYTEA"
	case TypeArray:
		return "ARRAY"
	case TypeStruct:
		return "STRUCT"
	}
	return "UNKNOWN"
}

// DataType is a (possibly nested) column type.
type DataType struct {
	TypePos token.Pos
	Kind    TypeKind
	Elem    *DataType    // ARRAY element type
	Fields  []*ColumnDef // STRUCT fields
}

// DropStatement is DROP STREAM|TABLE name.
type DropStatement struct {
	Drop    token.Pos
	Kind    StreamKind
	Name    string
	NamePos token.Pos
}

// DescribeStatement is DESCRIBE STREAM|TABLE name.
type DescribeStatement struct {
	Describe token.Pos
	Kind     StreamKind
	Name     string
	NamePos  token.Pos
}

// ExplainStatement is EXPLAIN STREAM|TABLE name.
type ExplainStatement struct {
	Explain token.Pos
	Kind    StreamKind
	Name    string
	NamePos token.Pos
}

// ShowStatement is SHOW STREAMS|TABLES.
type ShowStatement struct {
	Show token.Pos
	Kind StreamKind
}

// ---- expressions ----------------------------------------------------------

// Ident is a bare name: a column, a stream qualifier or a nested key. The
// parser does not decide which; the binder does.
type Ident struct {
	NamePos token.Pos
	Name    string
	Quoted  bool // written with backquotes
}

// Wildcard is "*", "s.*", or "* EXCEPT(a, b) REPLACE(expr AS c)".
type Wildcard struct {
	Star      token.Pos // the node's first token: "*", or the qualifier of "s.*"
	Qualifier string    // stream name or alias for "s.*"
	Except    []string
	Replace   []*Field
}

// MemberExpr is nested access by name: "x.name" (Arrow=false) or
// "x->name" (Arrow=true). "s.col" where s names a source is resolved to a
// qualified column by the binder.
type MemberExpr struct {
	X       Expr
	Name    string
	NamePos token.Pos
	Arrow   bool
	Quoted  bool
}

// IndexExpr is "x[i]"; negative indexes count from the end.
type IndexExpr struct {
	X      Expr
	Lbrack token.Pos
	Index  Expr
}

// SliceExpr is "x[lo:hi]"; Low or High may be nil.
type SliceExpr struct {
	X      Expr
	Lbrack token.Pos
	Low    Expr
	High   Expr
}

// IntegerLit is an integer literal.
type IntegerLit struct {
	ValuePos token.Pos
	Value    int64
	Raw      string
}

// NumberLit is a floating-point literal.
type NumberLit struct {
	ValuePos token.Pos
	Value    float64
	Raw      string
}

// StringLit is a string literal.
type StringLit struct {
	ValuePos token.Pos
	Value    string
}

// BooleanLit is TRUE or FALSE.
type BooleanLit struct {
	ValuePos token.Pos
	Value    bool
}

// TimeUnitLit is a window time unit (DD, HH, MI, SS, MS).
type TimeUnitLit struct {
	ValuePos token.Pos
	Unit     token.Token
}

// BinaryExpr is "LHS op RHS" for arithmetic, bitwise, comparison, AND and
// OR. The parser never builds one for IN, BETWEEN or LIKE: those are
// InExpr, BetweenExpr and LikeExpr.
type BinaryExpr struct {
	Op  token.Token
	LHS Expr
	RHS Expr
}

// UnaryExpr is "-x", "+x" or "NOT x".
type UnaryExpr struct {
	OpPos token.Pos
	Op    token.Token // SUB, ADD or NOT
	X     Expr
}

// ParenExpr is "(x)". Kept so String() reproduces the author's grouping.
type ParenExpr struct {
	Lparen token.Pos
	X      Expr
}

// Call is a function call, including aggregates, analytic functions and
// meta(). count(*) has a single *Wildcard argument.
type Call struct {
	NamePos token.Pos
	Name    string // as written
	Args    []Expr
	Filter  Expr        // FILTER (WHERE cond) after the call; nil when absent
	Over    *OverClause // OVER (PARTITION BY ... WHEN ...); nil when absent
}

// OverClause is "OVER (PARTITION BY e, ... ORDER BY k, ... WHEN cond)"
// after an analytic call or a window. Each part is optional, but at least
// one is present. OrderBy is only meaningful for window functions such as
// row_number().
type OverClause struct {
	Over      token.Pos
	Partition []Expr
	OrderBy   []*SortField
	When      Expr
}

// WindowType is the kind of a window function in GROUP BY.
type WindowType int

// Window kinds.
const (
	TumblingWindow WindowType = iota + 1
	HoppingWindow
	SlidingWindow
	SessionWindow
	CountWindow
	StateWindow
)

// String returns the SQL function name of the window kind.
func (w WindowType) String() string {
	switch w {
	case TumblingWindow:
		return "TUMBLINGWINDOW"
	case HoppingWindow:
		return "HOPPINGWINDOW"
	case SlidingWindow:
		return "SLIDINGWINDOW"
	case SessionWindow:
		return "SESSIONWINDOW"
	case CountWindow:
		return "COUNTWINDOW"
	case StateWindow:
		return "STATEWINDOW"
	}
	return "UNKNOWNWINDOW"
}

// WindowExpr is a window call in GROUP BY with its optional FILTER and OVER.
type WindowExpr struct {
	NamePos token.Pos
	Type    WindowType
	Name    string // as written
	Args    []Expr // *TimeUnitLit first for time windows; conditions for STATEWINDOW
	Filter  Expr   // FILTER (WHERE cond)
	Over    *OverClause
}

// CaseExpr is both CASE forms; Value is nil for the searched form.
type CaseExpr struct {
	Case  token.Pos
	Value Expr
	Whens []*WhenClause
	Else  Expr
}

// WhenClause is one WHEN cond THEN result.
type WhenClause struct {
	When   token.Pos
	Cond   Expr
	Result Expr
}

// InExpr is "x [NOT] IN (a, b, ...)" (List) or "x [NOT] IN arrayExpr" (Array).
type InExpr struct {
	X     Expr
	Not   bool
	List  []Expr
	Array Expr
}

// BetweenExpr is "x [NOT] BETWEEN low AND high".
type BetweenExpr struct {
	X    Expr
	Not  bool
	Low  Expr
	High Expr
}

// LikeExpr is "x [NOT] LIKE pattern".
type LikeExpr struct {
	X       Expr
	Not     bool
	Pattern Expr
}

func (*SelectStatement) node()       {}
func (*CreateStreamStatement) node() {}
func (*DropStatement) node()         {}
func (*DescribeStatement) node()     {}
func (*ExplainStatement) node()      {}
func (*ShowStatement) node()         {}
func (*Field) node()                 {}
func (*Table) node()                 {}
func (*Join) node()                  {}
func (*SortField) node()             {}
func (*Option) node()                {}
func (*ColumnDef) node()             {}
func (*DataType) node()              {}
func (*Ident) node()                 {}
func (*Wildcard) node()              {}
func (*MemberExpr) node()            {}
func (*IndexExpr) node()             {}
func (*SliceExpr) node()             {}
func (*IntegerLit) node()            {}
func (*NumberLit) node()             {}
func (*StringLit) node()             {}
func (*BooleanLit) node()            {}
func (*TimeUnitLit) node()           {}
func (*BinaryExpr) node()            {}
func (*UnaryExpr) node()             {}
func (*ParenExpr) node()             {}
func (*Call) node()                  {}
func (*OverClause) node()            {}
func (*WindowExpr) node()            {}
func (*CaseExpr) node()              {}
func (*WhenClause) node()            {}
func (*InExpr) node()                {}
func (*BetweenExpr) node()           {}
func (*LikeExpr) node()              {}

func (*SelectStatement) stmt()       {}
func (*CreateStreamStatement) stmt() {}
func (*DropStatement) stmt()         {}
func (*DescribeStatement) stmt()     {}
func (*ExplainStatement) stmt()      {}
func (*ShowStatement) stmt()         {}

func (*Ident) expr()       {}
func (*Wildcard) expr()    {}
func (*MemberExpr) expr()  {}
func (*IndexExpr) expr()   {}
func (*SliceExpr) expr()   {}
func (*IntegerLit) expr()  {}
func (*NumberLit) expr()   {}
func (*StringLit) expr()   {}
func (*BooleanLit) expr()  {}
func (*TimeUnitLit) expr() {}
func (*BinaryExpr) expr()  {}
func (*UnaryExpr) expr()   {}
func (*ParenExpr) expr()   {}
func (*Call) expr()        {}
func (*WindowExpr) expr()  {}
func (*CaseExpr) expr()    {}
func (*InExpr) expr()      {}
func (*BetweenExpr) expr() {}
func (*LikeExpr) expr()    {}

// Pos implementations.
func (n *SelectStatement) Pos() token.Pos       { return n.Select }
func (n *CreateStreamStatement) Pos() token.Pos { return n.Create }
func (n *DropStatement) Pos() token.Pos         { return n.Drop }
func (n *DescribeStatement) Pos() token.Pos     { return n.Describe }
func (n *ExplainStatement) Pos() token.Pos      { return n.Explain }
func (n *ShowStatement) Pos() token.Pos         { return n.Show }
func (n *Field) Pos() token.Pos                 { return n.Expr.Pos() }
func (n *Table) Pos() token.Pos                 { return n.NamePos }
func (n *Join) Pos() token.Pos                  { return n.JoinPos }
func (n *SortField) Pos() token.Pos             { return n.Expr.Pos() }
func (n *Option) Pos() token.Pos                { return n.KeyPos }
func (n *ColumnDef) Pos() token.Pos             { return n.NamePos }
func (n *DataType) Pos() token.Pos              { return n.TypePos }
func (n *Ident) Pos() token.Pos                 { return n.NamePos }
func (n *Wildcard) Pos() token.Pos              { return n.Star }
func (n *MemberExpr) Pos() token.Pos            { return n.X.Pos() }
func (n *IndexExpr) Pos() token.Pos             { return n.X.Pos() }
func (n *SliceExpr) Pos() token.Pos             { return n.X.Pos() }
func (n *IntegerLit) Pos() token.Pos            { return n.ValuePos }
func (n *NumberLit) Pos() token.Pos             { return n.ValuePos }
func (n *StringLit) Pos() token.Pos             { return n.ValuePos }
func (n *BooleanLit) Pos() token.Pos            { return n.ValuePos }
func (n *TimeUnitLit) Pos() token.Pos           { return n.ValuePos }
func (n *BinaryExpr) Pos() token.Pos            { return n.LHS.Pos() }
func (n *UnaryExpr) Pos() token.Pos             { return n.OpPos }
func (n *ParenExpr) Pos() token.Pos             { return n.Lparen }
func (n *Call) Pos() token.Pos                  { return n.NamePos }
func (n *OverClause) Pos() token.Pos            { return n.Over }
func (n *WindowExpr) Pos() token.Pos            { return n.NamePos }
func (n *CaseExpr) Pos() token.Pos              { return n.Case }
func (n *WhenClause) Pos() token.Pos            { return n.When }
func (n *InExpr) Pos() token.Pos                { return n.X.Pos() }
func (n *BetweenExpr) Pos() token.Pos           { return n.X.Pos() }
func (n *LikeExpr) Pos() token.Pos              { return n.X.Pos() }

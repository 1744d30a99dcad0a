// Package token defines the lexical tokens of Kuiper's SQL dialect and the
// source positions attached to every token and syntax node.
package token

import (
	"fmt"
	"strings"
)

// Pos is a position in SQL text. Line and Col are 1-based; Offset is the
// 0-based byte offset.
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// String renders the position as "line L, col C".
func (p Pos) String() string { return fmt.Sprintf("line %d, col %d", p.Line, p.Col) }

// IsValid reports whether the position was set.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Token is a lexical token.
type Token int

// The tokens. Literal, operator and keyword groups are delimited by the
// unexported *Beg/*End markers so the predicates below stay cheap.
const (
	ILLEGAL Token = iota
	EOF
	WS
	COMMENT

	literalBeg
	IDENT   // name or `quoted name`
	INTEGER // 12345
	NUMBER  // 123.45, 1e10
	STRING  // "abc" or 'abc'
	TRUE    // TRUE
	FALSE   // FALSE
	literalEnd

	operatorBeg
	ADD    // +
	SUB    // -
	MUL    // *
	DIV    // /
	MOD    // %
	BITAND // &
	BITOR  // |
	BITXOR // ^
	ARROW  // ->

	AND // AND
	OR  // OR

	EQ  // =
	NEQ // != or <>
	LT  // <
	LTE // <=
	GT  // >
	GTE // >=

	IN      // IN
	NOTIN   // NOT IN (only as BinaryExpr op produced by the parser)
	BETWEEN // BETWEEN
	NOTBETWEEN
	LIKE // LIKE
	NOTLIKE
	operatorEnd

	LPAREN    // (
	RPAREN    // )
	LBRACKET  // [
	RBRACKET  // ]
	COMMA     // ,
	SEMICOLON // ;
	DOT       // .
	COLON     // :

	keywordBeg
	SELECT
	FROM
	JOIN
	INNER
	LEFT
	RIGHT
	FULL
	CROSS
	ON
	WHERE
	GROUP
	ORDER
	HAVING
	BY
	ASC
	DESC
	LIMIT
	NOT
	CASE
	WHEN
	THEN
	ELSE
	END
	AS
	OVER
	PARTITION
	FILTER
	EXCEPT
	REPLACE
	INVISIBLE
	DEFAULT

	CREATE
	DROP
	DESCRIBE
	EXPLAIN
	SHOW
	STREAM
	STREAMS
	TABLE
	TABLES
	WITH

	// column types
	XBIGINT
	XFLOAT
	XSTRING
	XDATETIME
	XBOOLEAN
	XBYTEA
	XARRAY
	XSTRUCT

	// time units used by window functions
	DD
	HH
	MI
	SS
	MS
	keywordEnd
)

var names = [...]string{
	ILLEGAL: "ILLEGAL",
	EOF:     "EOF",
	WS:      "WS",
	COMMENT: "COMMENT",

	IDENT:   "IDENT",
	INTEGER: "INTEGER",
	NUMBER:  "NUMBER",
	STRING:  "STRING",
	TRUE:    "TRUE",
	FALSE:   "FALSE",

	ADD:    "+",
	SUB:    "-",
	MUL:    "*",
	DIV:    "/",
	MOD:    "%",
	BITAND: "&",
	BITOR:  "|",
	BITXOR: "^",
	ARROW:  "->",

	AND: "AND",
	OR:  "OR",

	EQ:  "=",
	NEQ: "!=",
	LT:  "<",
	LTE: "<=",
	GT:  ">",
	GTE: ">=",

	IN:         "IN",
	NOTIN:      "NOT IN",
	BETWEEN:    "BETWEEN",
	NOTBETWEEN: "NOT BETWEEN",
	LIKE:       "LIKE",
	NOTLIKE:    "NOT LIKE",

	LPAREN:    "(",
	RPAREN:    ")",
	LBRACKET:  "[",
	RBRACKET:  "]",
	COMMA:     ",",
	SEMICOLON: ";",
	DOT:       ".",
	COLON:     ":",

	SELECT:    "SELECT",
	FROM:      "FROM",
	JOIN:      "JOIN",
	INNER:     "INNER",
	LEFT:      "LEFT",
	RIGHT:     "RIGHT",
	FULL:      "FULL",
	CROSS:     "CROSS",
	ON:        "ON",
	WHERE:     "WHERE",
	GROUP:     "GROUP",
	ORDER:     "ORDER",
	HAVING:    "HAVING",
	BY:        "BY",
	ASC:       "ASC",
	DESC:      "DESC",
	LIMIT:     "LIMIT",
	NOT:       "NOT",
	CASE:      "CASE",
	WHEN:      "WHEN",
	THEN:      "THEN",
	ELSE:      "ELSE",
	END:       "END",
	AS:        "AS",
	OVER:      "OVER",
	PARTITION: "PARTITION",
	FILTER:    "FILTER",
	EXCEPT:    "EXCEPT",
	REPLACE:   "REPLACE",
	INVISIBLE: "INVISIBLE",
	DEFAULT:   "DEFAULT",

	CREATE:   "CREATE",
	DROP:     "DROP",
	DESCRIBE: "DESCRIBE",
	EXPLAIN:  "EXPLAIN",
	SHOW:     "SHOW",
	STREAM:   "STREAM",
	STREAMS:  "STREAMS",
	TABLE:    "TABLE",
	TABLES:   "TABLES",
	WITH:     "WITH",

	XBIGINT:   "BIGINT",
	XFLOAT:    "FLOAT",
	XSTRING:   "STRING",
	XDATETIME: "DATETIME",
	XBOOLEAN:  "BOOLEAN",
	XBYTEA:    "BYTEA",
	XARRAY:    "ARRAY",
	XSTRUCT:   "STRUCT",

	DD: "DD",
	HH: "HH",
	MI: "MI",
	SS: "SS",
	MS: "MS",
}

// String returns the token's text form (operators and keywords) or its
// class name (literals).
func (t Token) String() string {
	if t >= 0 && int(t) < len(names) && names[t] != "" {
		return names[t]
	}
	return fmt.Sprintf("token(%d)", int(t))
}

// IsLiteral reports whether t is a literal or identifier token.
func (t Token) IsLiteral() bool { return t > literalBeg && t < literalEnd }

// IsOperator reports whether t is a binary operator.
func (t Token) IsOperator() bool { return t > operatorBeg && t < operatorEnd }

// IsKeyword reports whether t is a keyword (including type names and time
// units, which the parser also accepts as identifiers where unambiguous).
func (t Token) IsKeyword() bool { return t > keywordBeg && t < keywordEnd }

// Precedence returns the binding power of a binary operator: higher binds
// tighter. Non-operators return 0.
//
//	1 OR
//	2 AND
//	3 = != <> < <= > >= IN BETWEEN LIKE (and their NOT forms)
//	4 + - | ^
//	5 * / % & ->
func (t Token) Precedence() int {
	switch t {
	case OR:
		return 1
	case AND:
		return 2
	case EQ, NEQ, LT, LTE, GT, GTE, IN, NOTIN, BETWEEN, NOTBETWEEN, LIKE, NOTLIKE:
		return 3
	case ADD, SUB, BITOR, BITXOR:
		return 4
	case MUL, DIV, MOD, BITAND, ARROW:
		return 5
	}
	return 0
}

var keywords map[string]Token

func init() {
	keywords = make(map[string]Token)
	for t := keywordBeg + 1; t < keywordEnd; t++ {
		keywords[strings.ToLower(names[t])] = t
	}
	for _, t := range []Token{AND, OR, IN, BETWEEN, LIKE, TRUE, FALSE} {
		keywords[strings.ToLower(names[t])] = t
	}
}

// Lookup returns the keyword token for ident (case-insensitive), or IDENT.
func Lookup(ident string) Token {
	if t, ok := keywords[strings.ToLower(ident)]; ok {
		return t
	}
	return IDENT
}

// IsTimeUnit reports whether t is one of the window time units.
func (t Token) IsTimeUnit() bool { return t >= DD && t <= MS }

// IsReserved reports whether t is a reserved word: it can never be used as
// a bare identifier and needs backquotes when a name is spelled like it.
// These are the words eKuiper reserves (SELECT ... PARTITION, RIGHT, FULL,
// CROSS, LIMIT, FILTER, EXCEPT, REPLACE, INVISIBLE, DEFAULT) plus AS and the
// boolean literals. Every other keyword (STREAM, TABLE, WITH, type names,
// time units, ...) is also accepted as a name where that is unambiguous.
func (t Token) IsReserved() bool {
	switch t {
	case SELECT, FROM, JOIN, INNER, LEFT, RIGHT, FULL, CROSS, ON, WHERE,
		GROUP, ORDER, HAVING, BY, ASC, DESC, LIMIT, NOT, CASE, WHEN, THEN,
		ELSE, END, AS, OVER, PARTITION, FILTER, EXCEPT, REPLACE, INVISIBLE,
		DEFAULT, AND, OR, IN, BETWEEN, LIKE, TRUE, FALSE:
		return true
	}
	return false
}

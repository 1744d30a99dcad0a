package parser_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/sql/parser"
	"github.com/kuiperio/kuiper/internal/sql/token"
)

type scanCase struct {
	name   string
	src    string
	tok    token.Token
	lit    string
	reason string
}

func TestScanner_Tokens(t *testing.T) {
	tests := []scanCase{
		{name: "eof", src: "", tok: token.EOF},
		{name: "ws", src: " \t\r\n", tok: token.WS, lit: " \t\r\n"},
		{name: "line comment", src: "-- hi\n", tok: token.COMMENT, lit: "-- hi"},
		{name: "block comment", src: "/* a\n* b */", tok: token.COMMENT, lit: "/* a\n* b */"},
		{name: "unterminated comment", src: "/* a", tok: token.ILLEGAL, lit: "/* a", reason: "unterminated comment"},

		{name: "ident", src: "abc_1", tok: token.IDENT, lit: "abc_1"},
		{name: "underscore ident", src: "_x", tok: token.IDENT, lit: "_x"},
		{name: "quoted ident", src: "`a-b`", tok: token.IDENT, lit: "a-b"},
		{name: "quoted unicode", src: "`中文`", tok: token.IDENT, lit: "中文"},
		{name: "quoted reserved", src: "`select`", tok: token.IDENT, lit: "select"},
		{name: "quoted doubled backquote", src: "`a``b`", tok: token.IDENT, lit: "a`b"},
		{name: "unterminated quoted", src: "`ab", tok: token.ILLEGAL, lit: "`ab", reason: "unterminated quoted identifier"},

		{name: "integer", src: "123", tok: token.INTEGER, lit: "123"},
		{name: "decimal", src: "123.45", tok: token.NUMBER, lit: "123.45"},
		{name: "leading dot", src: ".5", tok: token.NUMBER, lit: ".5"},
		{name: "exponent", src: "1e20", tok: token.NUMBER, lit: "1e20"},
		{name: "exponent sign", src: "1.5E-3", tok: token.NUMBER, lit: "1.5E-3"},
		{name: "exponent plus", src: "2e+3", tok: token.NUMBER, lit: "2e+3"},
		{name: "no exponent digits", src: "1e", tok: token.INTEGER, lit: "1"},
		{name: "dot without digit", src: "1.x", tok: token.INTEGER, lit: "1"},

		{name: "double string", src: `"a b"`, tok: token.STRING, lit: "a b"},
		{name: "single string", src: `'a b'`, tok: token.STRING, lit: "a b"},
		{name: "escapes", src: `"\n\t\\\"\'\x41\u00e9"`, tok: token.STRING, lit: "\n\t\\\"'Aé"},
		{name: "single escapes", src: `'it\'s "x"'`, tok: token.STRING, lit: `it's "x"`},
		{name: "raw newline", src: "'a\nb'", tok: token.STRING, lit: "a\nb"},
		{name: "byte escape", src: `"\xff"`, tok: token.STRING, lit: "\xff"},
		{name: "unterminated string", src: `"abc`, tok: token.ILLEGAL, lit: `"abc`, reason: "unterminated string"},
		{name: "unterminated escape", src: `"abc\`, tok: token.ILLEGAL, lit: `"abc\`, reason: "unterminated string"},
		{name: "bad escape", src: `"a\qb"`, tok: token.ILLEGAL, lit: `"a\q`, reason: `invalid escape sequence \q`},

		{name: "add", src: "+", tok: token.ADD, lit: "+"},
		{name: "sub", src: "-", tok: token.SUB, lit: "-"},
		{name: "mul", src: "*", tok: token.MUL, lit: "*"},
		{name: "div", src: "/", tok: token.DIV, lit: "/"},
		{name: "mod", src: "%", tok: token.MOD, lit: "%"},
		{name: "bitand", src: "&", tok: token.BITAND, lit: "&"},
		{name: "bitor", src: "|", tok: token.BITOR, lit: "|"},
		{name: "bitxor", src: "^", tok: token.BITXOR, lit: "^"},
		{name: "arrow", src: "->", tok: token.ARROW, lit: "->"},
		{name: "eq", src: "=", tok: token.EQ, lit: "="},
		{name: "neq", src: "!=", tok: token.NEQ, lit: "!="},
		{name: "neq sql", src: "<>", tok: token.NEQ, lit: "<>"},
		{name: "lt", src: "<", tok: token.LT, lit: "<"},
		{name: "lte", src: "<=", tok: token.LTE, lit: "<="},
		{name: "gt", src: ">", tok: token.GT, lit: ">"},
		{name: "gte", src: ">=", tok: token.GTE, lit: ">="},
		{name: "lparen", src: "(", tok: token.LPAREN, lit: "("},
		{name: "rparen", src: ")", tok: token.RPAREN, lit: ")"},
		{name: "lbracket", src: "[", tok: token.LBRACKET, lit: "["},
		{name: "rbracket", src: "]", tok: token.RBRACKET, lit: "]"},
		{name: "comma", src: ",", tok: token.COMMA, lit: ","},
		{name: "semicolon", src: ";", tok: token.SEMICOLON, lit: ";"},
		{name: "dot", src: ".", tok: token.DOT, lit: "."},
		{name: "colon", src: ":", tok: token.COLON, lit: ":"},
		{name: "bang", src: "!", tok: token.ILLEGAL, lit: "!"},
		{name: "hash", src: "#", tok: token.ILLEGAL, lit: "#"},
		{name: "unicode", src: "é", tok: token.ILLEGAL, lit: "é"},

		{name: "true", src: "True", tok: token.TRUE, lit: "True"},
		{name: "false", src: "FALSE", tok: token.FALSE, lit: "FALSE"},
		{name: "and", src: "and", tok: token.AND, lit: "and"},
		{name: "or", src: "OR", tok: token.OR, lit: "OR"},
		{name: "in", src: "in", tok: token.IN, lit: "in"},
		{name: "between", src: "Between", tok: token.BETWEEN, lit: "Between"},
		{name: "like", src: "LIKE", tok: token.LIKE, lit: "LIKE"},
	}
	// Every keyword scans to itself in any case.
	for tok := token.SELECT; tok <= token.MS; tok++ {
		if !tok.IsKeyword() {
			continue
		}
		name := tok.String()
		lower := strings.ToLower(name)
		tests = append(tests,
			scanCase{name: "keyword " + name, src: name, tok: tok, lit: name},
			scanCase{name: "keyword lower " + name, src: lower, tok: tok, lit: lower},
		)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := parser.NewScanner(tc.src)
			tok, pos, lit := s.Scan()
			require.Equal(t, tc.tok, tok, "token")
			require.Equal(t, tc.lit, lit, "literal")
			require.Equal(t, tc.reason, s.Reason(), "reason")
			require.Equal(t, token.Pos{Offset: 0, Line: 1, Col: 1}, pos)
		})
	}
}

func TestScanner_Positions(t *testing.T) {
	type tk struct {
		tok       token.Token
		lit       string
		line, col int
	}
	src := "SELECT a,\n  `中文`->b -- c\n/* x */ FROM s"
	want := []tk{
		{token.SELECT, "SELECT", 1, 1},
		{token.IDENT, "a", 1, 8},
		{token.COMMA, ",", 1, 9},
		{token.IDENT, "中文", 2, 3},
		{token.ARROW, "->", 2, 7},
		{token.IDENT, "b", 2, 9},
		{token.COMMENT, "-- c", 2, 11},
		{token.COMMENT, "/* x */", 3, 1},
		{token.FROM, "FROM", 3, 9},
		{token.IDENT, "s", 3, 14},
		{token.EOF, "", 3, 15},
	}
	s := parser.NewScanner(src)
	var got []tk
	for {
		tok, pos, lit := s.Scan()
		if tok == token.WS {
			continue
		}
		got = append(got, tk{tok, lit, pos.Line, pos.Col})
		if tok == token.EOF {
			break
		}
	}
	require.Equal(t, want, got)
}

// scanAll scans src to EOF and checks the scanner's invariants: tokens
// tile the input without gaps, every token but EOF consumes input, and
// each position's line and column agree with its offset.
func scanAll(t testing.TB, src string) {
	s := parser.NewScanner(src)
	off, line, col := 0, 1, 1
	for i := 0; ; i++ {
		if i > len(src)+1 {
			t.Fatalf("scanner does not terminate on %q", src)
		}
		tok, pos, _ := s.Scan()
		if want := (token.Pos{Offset: off, Line: line, Col: col}); pos != want {
			t.Fatalf("token %s at %+v, want %+v (input %q)", tok, pos, want, src)
		}
		if tok == token.EOF {
			require.Equal(t, len(src), off)
			return
		}
		end := s.Offset()
		if end <= off {
			t.Fatalf("token %s at %d consumes no input (input %q)", tok, off, src)
		}
		for _, r := range src[off:end] {
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		off = end
	}
}

func TestScanner_Invariants(t *testing.T) {
	for _, src := range []string{"", "SELECT * FROM s", "a\n\nb", "'\n'\n`\n`x", "/*", "\"\\", "é\xffx"} {
		scanAll(t, src)
	}
}

func FuzzScan(f *testing.F) {
	for _, s := range seedSQL(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		scanAll(t, src)
	})
}

package parser

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kuiperio/kuiper/internal/sql/token"
)

// Scanner splits SQL text into tokens. It works on a string held in memory
// and never fails: malformed input comes back as ILLEGAL tokens, with the
// reason available from Reason.
type Scanner struct {
	src    string
	off    int // byte offset of the next rune
	line   int
	col    int
	reason string // why the last ILLEGAL token is illegal
}

// NewScanner returns a scanner positioned at the start of src.
func NewScanner(src string) *Scanner {
	return &Scanner{src: src, line: 1, col: 1}
}

// Offset returns the byte offset just after the last scanned token, so
// src[pos.Offset:s.Offset()] is the token's text as written.
func (s *Scanner) Offset() int { return s.off }

// Reason explains the last ILLEGAL token: "unterminated string",
// "unterminated quoted identifier", "unterminated comment", an invalid
// escape or number, or "" for a character that starts no token.
func (s *Scanner) Reason() string { return s.reason }

// pos returns the position of the next rune.
func (s *Scanner) pos() token.Pos { return token.Pos{Offset: s.off, Line: s.line, Col: s.col} }

// reset moves the scanner back to pos, a position it returned earlier.
func (s *Scanner) reset(pos token.Pos) { s.off, s.line, s.col = pos.Offset, pos.Line, pos.Col }

// peek returns the next rune and its width without consuming it; width 0
// means end of input. Invalid UTF-8 comes back as utf8.RuneError, width 1.
func (s *Scanner) peek() (rune, int) {
	if s.off >= len(s.src) {
		return 0, 0
	}
	if c := s.src[s.off]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s.src[s.off:])
}

// peekByte returns the byte at off bytes past the current offset, or 0.
func (s *Scanner) peekByte(off int) byte {
	if s.off+off < len(s.src) {
		return s.src[s.off+off]
	}
	return 0
}

// advance consumes one rune of width w.
func (s *Scanner) advance(r rune, w int) {
	s.off += w
	if r == '\n' {
		s.line++
		s.col = 1
	} else {
		s.col++
	}
}

// next consumes and returns the next rune.
func (s *Scanner) next() rune {
	r, w := s.peek()
	if w > 0 {
		s.advance(r, w)
	}
	return r
}

// Scan returns the next token, its position and its literal. Whitespace and
// comments are returned as WS and COMMENT tokens. The literal is the text as
// written, except for STRING (the unescaped value) and quoted IDENT (the
// name without backquotes). EOF is returned forever at the end.
func (s *Scanner) Scan() (tok token.Token, pos token.Pos, lit string) {
	s.reason = ""
	pos = s.pos()
	r, w := s.peek()
	switch {
	case w == 0:
		return token.EOF, pos, ""
	case isSpace(r):
		return s.scanSpace(pos)
	case isIdentStart(r):
		return s.scanIdent(pos)
	case isDigit(r):
		return s.scanNumber(pos)
	case r == '.' && isDigit(rune(s.peekByte(1))):
		return s.scanNumber(pos)
	case r == '"' || r == '\'':
		return s.scanString(pos)
	case r == '`':
		return s.scanQuotedIdent(pos)
	}
	s.advance(r, w)
	switch r {
	case '+':
		return token.ADD, pos, "+"
	case '-':
		switch s.peekByte(0) {
		case '-':
			return s.scanLineComment(pos)
		case '>':
			s.next()
			return token.ARROW, pos, "->"
		}
		return token.SUB, pos, "-"
	case '*':
		return token.MUL, pos, "*"
	case '/':
		if s.peekByte(0) == '*' {
			return s.scanBlockComment(pos)
		}
		return token.DIV, pos, "/"
	case '%':
		return token.MOD, pos, "%"
	case '&':
		return token.BITAND, pos, "&"
	case '|':
		return token.BITOR, pos, "|"
	case '^':
		return token.BITXOR, pos, "^"
	case '=':
		return token.EQ, pos, "="
	case '!':
		if s.peekByte(0) == '=' {
			s.next()
			return token.NEQ, pos, "!="
		}
	case '<':
		switch s.peekByte(0) {
		case '=':
			s.next()
			return token.LTE, pos, "<="
		case '>':
			s.next()
			return token.NEQ, pos, "<>"
		}
		return token.LT, pos, "<"
	case '>':
		if s.peekByte(0) == '=' {
			s.next()
			return token.GTE, pos, ">="
		}
		return token.GT, pos, ">"
	case '(':
		return token.LPAREN, pos, "("
	case ')':
		return token.RPAREN, pos, ")"
	case '[':
		return token.LBRACKET, pos, "["
	case ']':
		return token.RBRACKET, pos, "]"
	case ',':
		return token.COMMA, pos, ","
	case ';':
		return token.SEMICOLON, pos, ";"
	case '.':
		return token.DOT, pos, "."
	case ':':
		return token.COLON, pos, ":"
	}
	return token.ILLEGAL, pos, s.src[pos.Offset:s.off]
}

func (s *Scanner) scanSpace(pos token.Pos) (token.Token, token.Pos, string) {
	for {
		r, w := s.peek()
		if w == 0 || !isSpace(r) {
			break
		}
		s.advance(r, w)
	}
	return token.WS, pos, s.src[pos.Offset:s.off]
}

func (s *Scanner) scanLineComment(pos token.Pos) (token.Token, token.Pos, string) {
	for {
		r, w := s.peek()
		if w == 0 || r == '\n' {
			break
		}
		s.advance(r, w)
	}
	return token.COMMENT, pos, s.src[pos.Offset:s.off]
}

func (s *Scanner) scanBlockComment(pos token.Pos) (token.Token, token.Pos, string) {
	s.next() // '*'
	for {
		r, w := s.peek()
		if w == 0 {
			s.reason = "unterminated comment"
			return token.ILLEGAL, pos, s.src[pos.Offset:s.off]
		}
		s.advance(r, w)
		if r == '*' && s.peekByte(0) == '/' {
			s.next()
			return token.COMMENT, pos, s.src[pos.Offset:s.off]
		}
	}
}

func (s *Scanner) scanIdent(pos token.Pos) (token.Token, token.Pos, string) {
	for {
		r, w := s.peek()
		if w == 0 || !(isIdentStart(r) || isDigit(r)) {
			break
		}
		s.advance(r, w)
	}
	lit := s.src[pos.Offset:s.off]
	return token.Lookup(lit), pos, lit
}

// scanQuotedIdent scans `name`. A doubled backquote stands for one.
func (s *Scanner) scanQuotedIdent(pos token.Pos) (token.Token, token.Pos, string) {
	s.next() // opening backquote
	var b strings.Builder
	for {
		r, w := s.peek()
		if w == 0 {
			s.reason = "unterminated quoted identifier"
			return token.ILLEGAL, pos, s.src[pos.Offset:s.off]
		}
		s.advance(r, w)
		if r == '`' {
			if s.peekByte(0) != '`' {
				return token.IDENT, pos, b.String()
			}
			s.next()
		}
		b.WriteString(s.src[s.off-w : s.off])
	}
}

// scanNumber scans digits [. digits] [(e|E) [+|-] digits], or a number
// starting with a dot (.5). A dot not followed by a digit ends the number,
// so "1.x" is INTEGER DOT IDENT.
func (s *Scanner) scanNumber(pos token.Pos) (token.Token, token.Pos, string) {
	tok := token.INTEGER
	s.digits()
	if s.peekByte(0) == '.' && isDigit(rune(s.peekByte(1))) {
		tok = token.NUMBER
		s.next()
		s.digits()
	}
	if c := s.peekByte(0); c == 'e' || c == 'E' {
		n := 1
		if c1 := s.peekByte(1); c1 == '+' || c1 == '-' {
			n = 2
		}
		if isDigit(rune(s.peekByte(n))) {
			tok = token.NUMBER
			for range n {
				s.next()
			}
			s.digits()
		}
	}
	return tok, pos, s.src[pos.Offset:s.off]
}

func (s *Scanner) digits() {
	for isDigit(rune(s.peekByte(0))) {
		s.next()
	}
}

// scanString scans a '...' or "..." string. Backslash escapes follow Go
// (\n, \t, \\, \xHH, \uHHHH, ...); both \' and \" are accepted in either
// kind of string. Raw newlines are allowed inside.
func (s *Scanner) scanString(pos token.Pos) (token.Token, token.Pos, string) {
	quote, _ := s.peek()
	s.next()
	var b strings.Builder
	for {
		r, w := s.peek()
		switch {
		case w == 0:
			s.reason = "unterminated string"
			return token.ILLEGAL, pos, s.src[pos.Offset:s.off]
		case r == quote:
			s.next()
			return token.STRING, pos, b.String()
		case r == '\\':
			if !s.scanEscape(&b) {
				return token.ILLEGAL, pos, s.src[pos.Offset:s.off]
			}
		default:
			s.advance(r, w)
			// Copy the bytes, not r: invalid UTF-8 stays as it was.
			b.WriteString(s.src[s.off-w : s.off])
		}
	}
}

// scanEscape consumes one backslash escape and writes its value to b.
func (s *Scanner) scanEscape(b *strings.Builder) bool {
	start := s.off
	s.next() // backslash
	switch c := s.peekByte(0); c {
	case 0:
		if s.off >= len(s.src) {
			s.reason = "unterminated string"
			return false
		}
	case '\'', '"':
		s.next()
		b.WriteByte(c)
		return true
	}
	// Let strconv decode the escape; it needs the rest of the input.
	value, multibyte, tail, err := strconv.UnquoteChar(s.src[start:], 0)
	if err != nil {
		r, w := s.peek()
		s.advance(r, w)
		s.reason = "invalid escape sequence " + s.src[start:s.off]
		return false
	}
	end := len(s.src) - len(tail)
	for s.off < end {
		s.next()
	}
	if multibyte || value < utf8.RuneSelf {
		b.WriteRune(value)
	} else {
		b.WriteByte(byte(value))
	}
	return true
}

// scanSourceName scans the name of a stream in FROM or JOIN: a run of
// letters, digits, '_', '/', '#' and '+' (MQTT-topic-like names such as
// topic/sensor1 or a/+/#), written without spaces. It returns "" when no
// such character follows; the caller then scans normally (for a quoted
// name or an error).
func (s *Scanner) scanSourceName() (token.Pos, string) {
	pos := s.pos()
	for {
		c := s.peekByte(0)
		if !isSourceNameChar(c) {
			break
		}
		// Stop before a comment opener: "s/*c*/" is s then a comment.
		if c == '/' && s.peekByte(1) == '*' {
			break
		}
		s.next()
	}
	return pos, s.src[pos.Offset:s.off]
}

// skipSpace skips whitespace and comments; it stops at anything else,
// including an unterminated comment (left for Scan to report).
func (s *Scanner) skipSpace() {
	for {
		start := s.pos()
		tok, _, _ := s.Scan()
		if tok != token.WS && tok != token.COMMENT {
			s.reset(start)
			return
		}
	}
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v'
}
func isDigit(r rune) bool      { return r >= '0' && r <= '9' }
func isIdentStart(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' }

// isSourceNameChar reports whether c may appear in an unquoted stream name.
func isSourceNameChar(c byte) bool {
	return isIdentStart(rune(c)) || isDigit(rune(c)) || c == '/' || c == '#' || c == '+'
}

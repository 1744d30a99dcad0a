package parser

import (
	"fmt"
	"strings"

	"github.com/kuiperio/kuiper/internal/sql/token"
)

// ParseError is the one error type returned by the parser. Either Found and
// Expected are set (a token was not one the grammar allows there) or Msg is.
type ParseError struct {
	Pos      token.Pos
	Found    string   // the offending token as written, or "EOF"
	Expected []string // what the grammar would have accepted
	Msg      string   // any other error
}

// Error renders "found X, expected Y at line L, col C" or
// "<msg> at line L, col C".
func (e *ParseError) Error() string {
	if e.Msg != "" {
		return fmt.Sprintf("%s at line %d, col %d", e.Msg, e.Pos.Line, e.Pos.Col)
	}
	return fmt.Sprintf("found %s, expected %s at line %d, col %d",
		e.Found, strings.Join(e.Expected, ", "), e.Pos.Line, e.Pos.Col)
}

// errorf returns a ParseError with a message at pos.
func errorf(pos token.Pos, format string, args ...any) *ParseError {
	return &ParseError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

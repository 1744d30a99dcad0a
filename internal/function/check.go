package function

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kuiperio/kuiper/internal/value"
)

// Arity returns the least and the most number of arguments s accepts; max
// is -1 when the last parameter is variadic.
func (s *Spec) Arity() (minArgs, maxArgs int) {
	for _, p := range s.Params {
		if !p.Optional {
			minArgs++
		}
	}
	maxArgs = len(s.Params)
	if n := len(s.Params); n > 0 && s.Params[n-1].Variadic {
		maxArgs = -1
	}
	return minArgs, maxArgs
}

// Param returns the parameter that argument i (0-based) binds to: the
// last parameter repeats when it is variadic. ok is false past the end.
func (s *Spec) Param(i int) (p Param, ok bool) {
	if i < len(s.Params) {
		return s.Params[i], true
	}
	if n := len(s.Params); n > 0 && s.Params[n-1].Variadic {
		return s.Params[n-1], true
	}
	return Param{}, false
}

// CheckArgs validates the arguments of a call at rule creation: their
// number against the parameters (optional and variadic ones included), the
// kind of every literal against its parameter's type, then s.Validate.
// Errors name the function and the argument, e.g.
// `function abs expects 1 argument, got 2` or
// `function substring: argument 2 (start) must be bigint, got string("a")`.
func (s *Spec) CheckArgs(args []Arg) error {
	minArgs, maxArgs := s.Arity()
	if len(args) < minArgs || (maxArgs >= 0 && len(args) > maxArgs) {
		return &ArityError{Func: s.Name, Min: minArgs, Max: maxArgs, Got: len(args)}
	}
	for i, a := range args {
		if !a.Const {
			continue
		}
		p, _ := s.Param(i)
		if !p.Type.Accepts(a.Value.Kind()) {
			return &ArgError{Func: s.Name, Index: i, Param: p.Name, Want: p.Type.String(), Got: a.Value}
		}
	}
	if s.Validate != nil {
		if err := s.Validate(args); err != nil {
			return fmt.Errorf("function %s: %w", s.Name, err)
		}
	}
	return nil
}

// Signature renders the call shape for docs, e.g.
// `substring(str string, start bigint[, end bigint])`.
func (s *Spec) Signature() string {
	var b strings.Builder
	b.WriteString(s.Name)
	b.WriteByte('(')
	closing := 0
	for i, p := range s.Params {
		switch {
		case p.Optional && i > 0:
			b.WriteString("[, ")
			closing++
		case p.Optional:
			b.WriteByte('[')
			closing++
		case i > 0:
			b.WriteString(", ")
		}
		b.WriteString(p.Name)
		b.WriteByte(' ')
		b.WriteString(p.Type.String())
		if p.Variadic {
			b.WriteString("...")
		}
	}
	b.WriteString(strings.Repeat("]", closing))
	b.WriteByte(')')
	return b.String()
}

// ArityError reports a call with the wrong number of arguments.
type ArityError struct {
	Func     string
	Min, Max int // Max is -1 for variadic functions
	Got      int
}

func (e *ArityError) Error() string {
	var want string
	switch {
	case e.Max < 0:
		want = "at least " + plural(e.Min, "argument")
	case e.Min == e.Max:
		want = plural(e.Min, "argument")
	default:
		want = strconv.Itoa(e.Min) + " to " + plural(e.Max, "argument")
	}
	return "function " + e.Func + " expects " + want + ", got " + strconv.Itoa(e.Got)
}

// ArgError reports an argument of the wrong type, at rule creation (a
// literal) or at run time (an evaluated value).
type ArgError struct {
	Func  string
	Index int    // 0-based
	Param string // parameter name, may be empty
	Want  string // the accepted type, e.g. "bigint" or "a number"
	Got   value.Value
}

func (e *ArgError) Error() string {
	var b strings.Builder
	b.WriteString("function ")
	b.WriteString(e.Func)
	b.WriteString(": argument ")
	b.WriteString(strconv.Itoa(e.Index + 1))
	if e.Param != "" {
		b.WriteString(" (")
		b.WriteString(e.Param)
		b.WriteByte(')')
	}
	b.WriteString(" must be ")
	b.WriteString(e.Want)
	b.WriteString(", got ")
	b.WriteString(describe(e.Got))
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// describe renders a value with its kind for error messages:
// string("a"), bigint(1), null.
func describe(v value.Value) string {
	switch v.Kind() {
	case value.Missing, value.Null:
		return "null"
	case value.String:
		s := v.Str()
		if len(s) > 64 {
			s = s[:61] + "..."
		}
		return `string(` + strconv.Quote(s) + `)`
	}
	s := v.String()
	if len(s) > 80 {
		s = s[:76] + "...)"
	}
	return s
}

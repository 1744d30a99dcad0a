// Package errs maps errors onto eKuiper's REST error codes. Packages wrap
// their errors with a Code so the REST layer can answer with the same
// {"error": code, "message": ...} body eKuiper gives.
package errs

import "errors"

// Code is an eKuiper-compatible error code.
type Code int

// Error codes, numbered as eKuiper numbers them.
const (
	Undefined   Code = 1000
	NotFound    Code = 1002
	IO          Code = 1003
	Encoding    Code = 1004
	Parser      Code = 2001
	Plan        Code = 2101
	Executor    Code = 2201
	StreamTable Code = 3000
	Rule        Code = 4000
	Conf        Code = 5000
)

// Error is an error with a code.
type Error struct {
	Code Code
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// With wraps err with code; a nil err stays nil.
func With(code Code, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// New returns a coded error with message msg.
func New(code Code, msg string) error { return &Error{Code: code, Err: errors.New(msg)} }

// CodeOf returns the code of the outermost coded error in err's chain, or
// Undefined.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Undefined
}

// IsNotFound reports whether err carries the NotFound code.
func IsNotFound(err error) bool { return CodeOf(err) == NotFound }

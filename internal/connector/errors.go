package connector

import "errors"

// ErrDuplicate is returned when a connector name is registered twice.
var ErrDuplicate = errors.New("already registered")

// ErrConfKeyNotFound is returned by LoadConf for a conf key that the file
// does not define.
var ErrConfKeyNotFound = errors.New("conf key not found")

//go:build !(cgo && (linux || darwin || freebsd))

package native

import "errors"

// Supported reports whether this build can load native plugins.
const Supported = false

// ErrNotSupported is returned by Lookup on platforms without Go plugins.
var ErrNotSupported = errors.New("native plugins are not supported on this platform (they need cgo on Linux, macOS or FreeBSD); use a portable plugin")

// Lookup always fails: this build cannot load Go plugins.
func Lookup(path, symbol string) (any, error) { return nil, ErrNotSupported }

//go:build cgo && (linux || darwin || freebsd)

package pluginbuild

// Supported reports whether this platform can build and load Go plugins.
const Supported = true

// Package plugin manages Kuiper's extensions: native Go plugins (.so files
// loaded with the standard plugin package, see subpackage native) and
// portable plugins (executables speaking a small protocol over stdio, see
// subpackage portable). Both end up in the same registries as the
// built-ins: sources and sinks in a connector.Env, functions in a
// function.Registry, so rules cannot tell them apart.
//
// Everything that calls plugin code goes through the adapters of this
// package, which turn a panic inside the plugin into an error of the
// calling rule instead of a crash of the server.
package plugin

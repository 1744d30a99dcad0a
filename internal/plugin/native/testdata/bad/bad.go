// Command bad is a test plugin whose symbol has the wrong type.
package main

// Bad is not a function, source or sink.
var Bad = 42

func main() {}

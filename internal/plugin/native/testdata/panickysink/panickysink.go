// Command panickysink is a test plugin whose sink panics in Collect.
package main

import "github.com/kuiperio/kuiper/sdk/api"

type sink struct{}

func (sink) Configure(map[string]any) error       { return nil }
func (sink) Open(api.StreamContext) error         { return nil }
func (sink) Collect(api.StreamContext, any) error { panic("sink boom") }
func (sink) Close(api.StreamContext) error        { return nil }

// PanickySink panics in Collect.
func PanickySink() api.Sink { return sink{} }

func main() {}

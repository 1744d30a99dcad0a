// Package log provides the log sink: it writes each result at Info level
// to the rule's logger.
package log

import (
	"encoding/json"
	"fmt"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/sdk/api"
)

// Name is the connector type name.
const Name = "log"

// Msg is the log message of every result; the result is in the "data"
// attribute.
const Msg = "sink result"

// Register adds the log sink to env.
func Register(env *connector.Env) error {
	return env.RegisterSink(Name, connector.Spec{Description: "Log each result at Info level"},
		func() api.Sink { return &Sink{} })
}

// Sink logs results. As a BytesSink it logs the payload the host encoded
// (format, fields, dataTemplate applied); Collect logs data as JSON.
type Sink struct{}

var _ api.BytesSink = (*Sink)(nil)

// Configure implements api.Sink; the log sink has no properties.
func (*Sink) Configure(map[string]any) error { return nil }

// Open implements api.Sink.
func (*Sink) Open(api.StreamContext) error { return nil }

// Collect implements api.Sink.
func (*Sink) Collect(ctx api.StreamContext, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return errs.With(errs.Encoding, fmt.Errorf("log sink: encode result: %w", err))
	}
	ctx.Logger().Info(Msg, "data", string(b))
	return nil
}

// CollectBytes implements api.BytesSink.
func (*Sink) CollectBytes(ctx api.StreamContext, payload []byte, _ map[string]string) error {
	ctx.Logger().Info(Msg, "data", string(payload))
	return nil
}

// Close implements api.Sink.
func (*Sink) Close(api.StreamContext) error { return nil }

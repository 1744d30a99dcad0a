// Package nop provides the nop sink: it discards results, and logs them
// when its "log" property is true. It is meant for benchmarks.
package nop

import (
	"encoding/json"
	"fmt"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/sdk/api"
)

// Name is the connector type name.
const Name = "nop"

const propLog = "log"

// Register adds the nop sink to env.
func Register(env *connector.Env) error {
	return env.RegisterSink(Name, connector.Spec{
		Description: "Discard results",
		Props:       []connector.PropSpec{{Name: propLog, Type: "bool", Default: false, Description: "log each result at Info level"}},
	}, func() api.Sink { return &Sink{} })
}

// Sink discards results.
type Sink struct {
	log bool
}

var _ api.BytesSink = (*Sink)(nil)

// Configure implements api.Sink.
func (k *Sink) Configure(props map[string]any) error {
	var err error
	if k.log, err = connector.Props(props).Bool(propLog, false); err != nil {
		return fmt.Errorf("nop sink: %w", err)
	}
	return nil
}

// Open implements api.Sink.
func (*Sink) Open(api.StreamContext) error { return nil }

// Collect implements api.Sink.
func (k *Sink) Collect(ctx api.StreamContext, data any) error {
	if !k.log {
		return nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return errs.With(errs.Encoding, fmt.Errorf("nop sink: encode result: %w", err))
	}
	ctx.Logger().Info("sink result", "data", string(b))
	return nil
}

// CollectBytes implements api.BytesSink.
func (k *Sink) CollectBytes(ctx api.StreamContext, payload []byte, _ map[string]string) error {
	if k.log {
		ctx.Logger().Info("sink result", "data", string(payload))
	}
	return nil
}

// Close implements api.Sink.
func (*Sink) Close(api.StreamContext) error { return nil }

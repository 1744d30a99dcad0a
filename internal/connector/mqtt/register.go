package mqtt

import (
	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/sdk/api"
)

// Name is the connector type name.
const Name = "mqtt"

// Register adds the mqtt source and sink to env.
func Register(env *connector.Env) error {
	srcSpec := connector.Spec{
		Description: "Subscribe to MQTT topics; DATASOURCE is one or more comma-separated topic filters (+ and # allowed)",
		Props:       connSpecProps(),
	}
	sinkProps := append(connSpecProps(),
		connector.PropSpec{Name: propTopic, Type: "string", Required: true, Description: "topic to publish to; may be a template"},
		connector.PropSpec{Name: propRetained, Type: "bool", Default: false, Description: "publish retained messages"},
		connector.PropSpec{Name: propPublishTimeout, Type: "duration", Default: "5s", Description: "wait for the acknowledgement of a qos 1 or 2 publish"},
	)
	if err := env.RegisterSource(Name, srcSpec, func() api.Source { return NewSource() }); err != nil {
		return err
	}
	return env.RegisterSink(Name, connector.Spec{Description: "Publish results to an MQTT topic", Props: sinkProps},
		func() api.Sink { return NewSink() })
}

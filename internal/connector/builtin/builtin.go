// Package builtin registers every built-in connector into an Env.
package builtin

import (
	"errors"
	"fmt"

	"github.com/kuiperio/kuiper/internal/connector"
	logsink "github.com/kuiperio/kuiper/internal/connector/log"
	"github.com/kuiperio/kuiper/internal/connector/memory"
	"github.com/kuiperio/kuiper/internal/connector/mqtt"
	"github.com/kuiperio/kuiper/internal/connector/nop"
)

// Options carry what the built-ins need from the app.
type Options struct {
	// Hub is the process's memory hub, shared by memory sources and sinks.
	Hub *memory.Hub
}

// Register registers all built-in sources and sinks into env.
func Register(env *connector.Env, opts Options) error {
	if opts.Hub == nil {
		return errors.New("register built-in connectors: no memory hub")
	}
	regs := []struct {
		name string
		f    func() error
	}{
		{mqtt.Name, func() error { return mqtt.Register(env) }},
		{memory.Name, func() error { return memory.Register(env, opts.Hub) }},
		{logsink.Name, func() error { return logsink.Register(env) }},
		{nop.Name, func() error { return nop.Register(env) }},
	}
	for _, r := range regs {
		if err := r.f(); err != nil {
			return fmt.Errorf("register built-in %s: %w", r.name, err)
		}
	}
	return nil
}

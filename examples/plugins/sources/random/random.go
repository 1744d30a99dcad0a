// Command random is an example source plugin: it emits generated
// readings on an interval. Build it as a plugin with
//
//	go build -buildmode=plugin -o plugins/sources/Random.so ./examples/plugins/sources/random
//
// and use it from a stream with TYPE="random":
//
//	CREATE STREAM demo () WITH (TYPE="random", DATASOURCE="demo", FORMAT="json")
//
// Properties (etc/sources/random.yaml or the stream's CONF_KEY):
//
//	interval: 1000      # milliseconds between two messages, or a duration like "10ms"
//	pattern:            # the message; every number is replaced by a random
//	  temperature: 30.0 # number in [0, value): a float for a float (30.0),
//	  humidity: 100     # an integer for an integer (100)
//	limit: 0            # stop after this many messages; 0 never stops
//	seed: 0             # random seed; 0 seeds from the clock
package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kuiperio/kuiper/sdk/api"
)

type random struct {
	interval time.Duration
	pattern  map[string]any
	limit    int
	rnd      *rand.Rand
}

// Random is the exported symbol Kuiper looks up: a constructor, so every
// stream gets its own instance.
func Random() api.Source { return &random{} }

func (r *random) Configure(_ string, props map[string]any) error {
	r.interval = time.Second
	r.pattern = map[string]any{"count": 50}
	seed := uint64(time.Now().UnixNano())
	for k, v := range props {
		switch k {
		case "interval":
			switch t := v.(type) {
			case int:
				r.interval = time.Duration(t) * time.Millisecond
			case int64:
				r.interval = time.Duration(t) * time.Millisecond
			case float64:
				r.interval = time.Duration(t * float64(time.Millisecond))
			case string:
				d, err := time.ParseDuration(t)
				if err != nil {
					return fmt.Errorf("property interval: %w", err)
				}
				r.interval = d
			default:
				return fmt.Errorf("property interval: expected milliseconds or a duration, got %v", v)
			}
			if r.interval <= 0 {
				return fmt.Errorf("property interval must be positive, got %v", v)
			}
		case "pattern":
			p, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("property pattern: expected an object, got %T", v)
			}
			r.pattern = p
		case "limit":
			n, ok := toInt(v)
			if !ok || n < 0 {
				return fmt.Errorf("property limit: expected a non-negative integer, got %v", v)
			}
			r.limit = n
		case "seed":
			n, ok := toInt(v)
			if !ok {
				return fmt.Errorf("property seed: expected an integer, got %v", v)
			}
			if n != 0 {
				seed = uint64(n)
			}
		}
	}
	r.rnd = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return nil
}

func toInt(v any) (int, bool) {
	switch t := v.(type) {
	case int:
		return t, true
	case int64:
		return int(t), true
	case float64:
		return int(t), t == float64(int(t))
	}
	return 0, false
}

// Open emits one message per interval until the rule stops.
func (r *random) Open(ctx api.StreamContext, consume api.ConsumeFunc) {
	ctx.Logger().Info("random source started", "interval", r.interval)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for n := 0; r.limit == 0 || n < r.limit; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		msg := make(map[string]any, len(r.pattern))
		for k, v := range r.pattern {
			msg[k] = r.randomize(v)
		}
		consume(msg, map[string]any{"seq": n})
	}
}

func (r *random) randomize(v any) any {
	switch t := v.(type) {
	case int:
		if t > 0 {
			return r.rnd.IntN(t)
		}
	case int64:
		if t > 0 {
			return r.rnd.Int64N(t)
		}
	case float64:
		return r.rnd.Float64() * t
	}
	return v
}

func (r *random) Close(api.StreamContext) error { return nil }

func main() {}

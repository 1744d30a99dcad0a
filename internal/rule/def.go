// Package rule manages rules: their JSON definitions, validation, storage,
// lifecycle (start, stop, restart with a restart strategy) and status, and
// restores them after a restart of the server.
package rule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/internal/topo"
)

// Def is a rule definition as eKuiper accepts it.
type Def struct {
	ID        string           `json:"id"`
	Name      string           `json:"name,omitempty"`
	SQL       string           `json:"sql"`
	Actions   []map[string]any `json:"actions"`
	Options   Options          `json:"-"`
	Triggered bool             `json:"-"`
	Tags      []string         `json:"tags,omitempty"`
	Version   string           `json:"version,omitempty"`
	Graph     json.RawMessage  `json:"graph,omitempty"`
}

// Options are the rule options (eKuiper names).
type Options struct {
	IsEventTime              bool            `json:"isEventTime"`
	LateTolerance            Duration        `json:"lateTolerance"`
	Concurrency              int             `json:"concurrency"`
	BufferLength             int             `json:"bufferLength"`
	SendMetaToSink           bool            `json:"sendMetaToSink"`
	SendError                bool            `json:"sendError"`
	SendNilField             bool            `json:"sendNilField"`
	Qos                      int             `json:"qos"`
	CheckpointInterval       Duration        `json:"checkpointInterval"`
	RestartStrategy          RestartStrategy `json:"restartStrategy"`
	DisableBufferFullDiscard bool            `json:"disableBufferFullDiscard"`
	Debug                    bool            `json:"debug"`
	// WindowMaxRows and WindowMaxGroups bound the rows one window
	// instance buffers and the groups it keeps (0: the server's defaults,
	// rule.windowMaxRows and rule.windowMaxGroups of kuiper.yaml); the
	// excess is dropped and counted in the window's dropped_total.
	// Kuiper's own options, not eKuiper's.
	WindowMaxRows   int `json:"windowMaxRows"`
	WindowMaxGroups int `json:"windowMaxGroups"`
}

// RestartStrategy says how a rule that stopped by error is restarted.
type RestartStrategy struct {
	Attempts     int      `json:"attempts"`
	Delay        Duration `json:"delay"`
	Multiplier   float64  `json:"multiplier"`
	MaxDelay     Duration `json:"maxDelay"`
	JitterFactor float64  `json:"jitterFactor"`
}

// DefaultOptions are eKuiper 2's defaults.
func DefaultOptions() Options {
	return Options{
		Concurrency:              1,
		BufferLength:             1024,
		CheckpointInterval:       Duration(300 * time.Second),
		DisableBufferFullDiscard: true,
		RestartStrategy: RestartStrategy{
			Attempts:   0,
			Delay:      Duration(time.Second),
			Multiplier: 2,
			MaxDelay:   Duration(30 * time.Second),
		},
	}
}

// Duration reads a JSON number of milliseconds or a Go duration string.
type Duration time.Duration

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
			*d = Duration(time.Duration(ms) * time.Millisecond)
			return nil
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("invalid duration %q", s)
		}
		*d = Duration(v)
		return nil
	}
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return fmt.Errorf("invalid duration %s", b)
	}
	*d = Duration(time.Duration(ms * float64(time.Millisecond)))
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_\-.:@$]+$`)

// ParseDef reads rule JSON. id, when not empty, overrides the id in the
// body (PUT /rules/{id}). Options not given take the defaults.
func ParseDef(raw []byte, id string, defaults Options) (*Def, error) {
	var d Def
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, errs.With(errs.Undefined, fmt.Errorf("invalid rule json: %w", jsonError(err)))
	}
	var extra struct {
		Options   json.RawMessage `json:"options"`
		Triggered *bool           `json:"triggered"`
	}
	if err := json.Unmarshal(raw, &extra); err != nil {
		return nil, errs.With(errs.Undefined, fmt.Errorf("invalid rule json: %w", jsonError(err)))
	}
	d.Options = defaults
	if len(extra.Options) > 0 && string(extra.Options) != "null" {
		if err := json.Unmarshal(extra.Options, &d.Options); err != nil {
			return nil, errs.With(errs.Undefined, fmt.Errorf("invalid rule json: options: %w", jsonError(err)))
		}
	}
	d.Triggered = extra.Triggered == nil || *extra.Triggered
	if id != "" {
		d.ID = id
	}
	if d.ID == "" {
		return nil, errs.New(errs.Undefined, "invalid rule json: rule id is required")
	}
	if !idPattern.MatchString(d.ID) {
		return nil, errs.New(errs.Undefined, fmt.Sprintf("invalid rule json: rule id %q may contain only letters, digits and _-.:@$", d.ID))
	}
	if d.Name == "" {
		d.Name = d.ID
	}
	if len(d.Graph) > 0 && string(d.Graph) != "null" {
		return nil, errs.New(errs.Undefined, "invalid rule json: graph rules are not supported yet")
	}
	if strings.TrimSpace(d.SQL) == "" {
		return nil, errs.New(errs.Undefined, "invalid rule json: sql is required")
	}
	if len(d.Actions) == 0 {
		return nil, errs.New(errs.Undefined, "invalid rule json: actions are required")
	}
	for i, a := range d.Actions {
		if len(a) != 1 {
			return nil, errs.New(errs.Undefined, fmt.Sprintf("invalid rule json: actions[%d] must have exactly one sink type", i))
		}
		for typ, p := range a {
			if p == nil {
				continue
			}
			if _, ok := p.(map[string]any); !ok {
				return nil, errs.New(errs.Undefined, fmt.Sprintf("invalid rule json: actions[%d].%s must be an object", i, typ))
			}
		}
	}
	o := &d.Options
	if o.BufferLength <= 0 {
		o.BufferLength = 1024
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.WindowMaxRows <= 0 {
		o.WindowMaxRows = defaults.WindowMaxRows
	}
	if o.WindowMaxGroups <= 0 {
		o.WindowMaxGroups = defaults.WindowMaxGroups
	}
	if o.Qos < 0 || o.Qos > 2 {
		return nil, errs.New(errs.Undefined, "invalid rule json: options.qos must be 0, 1 or 2")
	}
	return &d, nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%v at offset %d", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %s: expected %s, got %s", te.Field, te.Type, te.Value)
	}
	return err
}

// Actions returns the sink actions in order.
func (d *Def) actions() []topo.Action {
	out := make([]topo.Action, 0, len(d.Actions))
	for _, a := range d.Actions {
		keys := make([]string, 0, len(a))
		for k := range a {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p, _ := a[k].(map[string]any)
			if p == nil {
				p = map[string]any{}
			}
			out = append(out, topo.Action{Type: k, Props: p})
		}
	}
	return out
}

package conf

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration that reads as a Go duration string ("10s",
// "1m30s") or as an integer number of milliseconds (10000), the two forms
// eKuiper's kuiper.yaml and rule options use.
type Duration time.Duration

// ParseDuration reads s as a Go duration string or an integer number of
// milliseconds.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("invalid duration %q: empty", s)
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		if ms > int64(time.Duration(1<<63-1)/time.Millisecond) || ms < -int64(time.Duration(1<<63-1)/time.Millisecond) {
			return 0, fmt.Errorf("invalid duration %q: out of range", s)
		}
		return Duration(time.Duration(ms) * time.Millisecond), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: want a duration like \"10s\" or integer milliseconds", s)
	}
	return Duration(d), nil
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats d as a Go duration string.
func (d Duration) String() string { return time.Duration(d).String() }

// Milliseconds returns d in whole milliseconds, the unit eKuiper's REST
// answers use.
func (d Duration) Milliseconds() int64 { return time.Duration(d).Milliseconds() }

// UnmarshalYAML accepts "10s" or integer milliseconds.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("invalid duration: want a scalar, found a %s", kindName(n.Kind))
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalYAML writes d as a duration string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalJSON accepts a number of milliseconds or a duration string, as
// eKuiper's rule options do ("lateTolerance": 1000 or "1s").
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else {
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("invalid duration %s: want milliseconds or a string like \"10s\"", b)
		}
		if f != float64(int64(f)) {
			return fmt.Errorf("invalid duration %s: want whole milliseconds", b)
		}
		s = strconv.FormatInt(int64(f), 10)
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes d as integer milliseconds, as eKuiper's REST API does.
func (d Duration) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, d.Milliseconds(), 10), nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	case yaml.DocumentNode:
		return "document"
	}
	return "node"
}

package connector

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Props are a connector's merged properties with typed readers. Keys are
// matched exactly first, then case-insensitively (eKuiper accepts
// "clientId" for "clientid"). Each reader returns def when the key is
// absent or nil, and an error naming the property when the value has the
// wrong type.
type Props map[string]any

// Get returns the value of key and whether it is set (non-nil).
func (p Props) Get(key string) (any, bool) {
	if v, ok := p[key]; ok {
		return v, v != nil
	}
	for k, v := range p {
		if strings.EqualFold(k, key) {
			return v, v != nil
		}
	}
	return nil, false
}

// Has reports whether key is set.
func (p Props) Has(key string) bool {
	_, ok := p.Get(key)
	return ok
}

func propErr(key string, v any, want string) error {
	return fmt.Errorf("property %q: want %s, got %T %v", key, want, v, v)
}

// String reads a string property. Numbers and booleans are formatted (yaml
// reads "protocolVersion: 3.1" as a number).
func (p Props) String(key, def string) (string, error) {
	v, ok := p.Get(key)
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case json.Number:
		return x.String(), nil
	}
	return "", propErr(key, v, "a string")
}

// Int reads an integer property; whole floats and numeric strings are
// accepted.
func (p Props) Int(key string, def int) (int, error) {
	v, ok := p.Get(key)
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case uint64:
		if x <= math.MaxInt64 {
			return int(x), nil
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<62 {
			return int(x), nil
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i), nil
		}
	case string:
		if i, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			return i, nil
		}
	}
	return 0, propErr(key, v, "an integer")
}

// Float reads a number property; numeric strings are accepted.
func (p Props) Float(key string, def float64) (float64, error) {
	v, ok := p.Get(key)
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case float64:
		return x, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f, nil
		}
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return f, nil
		}
	}
	return 0, propErr(key, v, "a number")
}

// Bool reads a boolean property; "true"/"false" strings are accepted.
func (p Props) Bool(key string, def bool) (bool, error) {
	v, ok := p.Get(key)
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
			return b, nil
		}
	}
	return false, propErr(key, v, "a boolean")
}

// Duration reads a duration property: a Go duration string ("5s",
// "200ms") or a number of milliseconds (as eKuiper's interval properties).
func (p Props) Duration(key string, def time.Duration) (time.Duration, error) {
	v, ok := p.Get(key)
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case string:
		s := strings.TrimSpace(x)
		if d, err := time.ParseDuration(s); err == nil {
			return d, nil
		}
		if ms, err := strconv.ParseFloat(s, 64); err == nil {
			return msDuration(ms), nil
		}
	case int:
		return time.Duration(x) * time.Millisecond, nil
	case int64:
		return time.Duration(x) * time.Millisecond, nil
	case float64:
		return msDuration(x), nil
	case json.Number:
		if ms, err := x.Float64(); err == nil {
			return msDuration(ms), nil
		}
	case time.Duration:
		return x, nil
	}
	return 0, propErr(key, v, `a duration ("5s") or milliseconds`)
}

func msDuration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// Strings reads a list of strings: a yaml/JSON list or a comma-separated
// string (items trimmed, empty items dropped).
func (p Props) Strings(key string, def []string) ([]string, error) {
	v, ok := p.Get(key)
	if !ok {
		return def, nil
	}
	switch x := v.(type) {
	case string:
		return SplitList(x), nil
	case []string:
		return x, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, propErr(key, v, "a list of strings")
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, propErr(key, v, "a list of strings")
}

// SplitList splits a comma-separated list, trimming items and dropping
// empty ones.
func SplitList(s string) []string {
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

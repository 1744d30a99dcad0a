// Package topic validates and matches MQTT-style topic names and filters.
// The mqtt connector uses it to check DATASOURCE filters, the memory hub to
// route rows: "+" matches exactly one level, a trailing "#" matches the
// parent level and any number of levels below it.
package topic

import (
	"errors"
	"fmt"
	"strings"
)

// ErrEmpty is returned for an empty topic or filter.
var ErrEmpty = errors.New("empty topic")

// ValidateFilter checks that f is a well-formed subscription filter: "+"
// and "#" must fill a whole level and "#" may only be the last level.
func ValidateFilter(f string) error {
	if f == "" {
		return ErrEmpty
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		switch {
		case l == "#":
			if i != len(levels)-1 {
				return fmt.Errorf("topic filter %q: '#' must be the last level", f)
			}
		case l == "+":
		case strings.ContainsAny(l, "+#"):
			return fmt.Errorf("topic filter %q: wildcards must fill a whole level", f)
		}
	}
	return nil
}

// ValidateName checks that t is a topic a message can be published to: not
// empty and without wildcards.
func ValidateName(t string) error {
	if t == "" {
		return ErrEmpty
	}
	if strings.ContainsAny(t, "+#") {
		return fmt.Errorf("topic %q: wildcards are not allowed in a publish topic", t)
	}
	return nil
}

// IsWildcard reports whether filter f contains "+" or "#".
func IsWildcard(f string) bool { return strings.ContainsAny(f, "+#") }

// Match reports whether topic t matches filter f. It does not allocate.
// Topics starting with "$" are not matched by a filter starting with a
// wildcard, as in MQTT.
func Match(f, t string) bool {
	if len(t) > 0 && t[0] == '$' && len(f) > 0 && (f[0] == '+' || f[0] == '#') {
		return false
	}
	for {
		fl, frest, fmore := cut(f)
		if fl == "#" {
			return true
		}
		tl, trest, tmore := cut(t)
		if fl != "+" && fl != tl {
			return false
		}
		switch {
		case !fmore && !tmore:
			return true
		case !tmore:
			// "a/#" matches "a": the filter's next and last level is "#".
			return frest == "#"
		case !fmore:
			return false
		}
		f, t = frest, trest
	}
}

// cut splits s at its first "/".
func cut(s string) (level, rest string, more bool) {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

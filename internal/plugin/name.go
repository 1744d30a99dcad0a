package plugin

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Kind is the kind of extension a native plugin provides; it names the
// folder under plugins/ and the REST collection.
type Kind string

// Plugin kinds.
const (
	Source   Kind = "sources"
	Sink     Kind = "sinks"
	Function Kind = "functions"
)

// Kinds lists the native plugin kinds in display order.
func Kinds() []Kind { return []Kind{Source, Sink, Function} }

// ParseKind accepts the plural (REST path) and singular (CLI) spellings.
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(s) {
	case "sources", "source":
		return Source, nil
	case "sinks", "sink":
		return Sink, nil
	case "functions", "function":
		return Function, nil
	}
	return "", fmt.Errorf("unknown plugin type %q: expected sources, sinks or functions", s)
}

// Singular is "source", "sink" or "function".
func (k Kind) Singular() string { return strings.TrimSuffix(string(k), "s") }

// NameRule states the file naming rule of native plugins; errors about
// names quote it.
const NameRule = "a plugin file is named after its exported symbol: CamelCase with an upper-case first letter, " +
	"letters and digits only, optionally followed by @vX.Y.Z, then .so (MySource.so, MySource@v1.2.0.so)"

// SoFile is a parsed native plugin file name.
type SoFile struct {
	// Symbol is the name before the version: the exported symbol.
	Symbol string
	// Version is the version without its leading "v", "" when the file
	// has none.
	Version string
}

// ParseSoName checks a plugin file name (without directory) against
// NameRule.
func ParseSoName(file string) (SoFile, error) {
	base, ok := strings.CutSuffix(file, ".so")
	if !ok {
		return SoFile{}, fmt.Errorf("plugin file %q: not a .so file; %s", file, NameRule)
	}
	sym, ver, hasVer := strings.Cut(base, "@")
	if err := CheckSymbol(sym); err != nil {
		return SoFile{}, fmt.Errorf("plugin file %q: %w", file, err)
	}
	f := SoFile{Symbol: sym}
	if hasVer {
		v, ok := strings.CutPrefix(ver, "v")
		if !ok || parseVersion(v) == nil {
			return SoFile{}, fmt.Errorf("plugin file %q: version %q is not like v1.2.3; %s", file, ver, NameRule)
		}
		f.Version = v
	}
	return f, nil
}

// CheckSymbol checks that name can be an exported symbol and a plugin file
// name.
func CheckSymbol(name string) error {
	if name == "" {
		return fmt.Errorf("empty name; %s", NameRule)
	}
	for i, r := range name {
		if i == 0 && !unicode.IsUpper(r) {
			return fmt.Errorf("name %q must start with an upper-case letter; %s", name, NameRule)
		}
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return fmt.Errorf("name %q has the character %q; %s", name, r, NameRule)
		}
	}
	return nil
}

// UcFirst upper-cases the first letter of s: the symbol of a plugin or
// function named s.
func UcFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// LcFirst lower-cases the first letter of s: the SQL name of a function
// exported as symbol s.
func LcFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// CheckName checks a plugin name given over REST: letters, digits and
// underscores, starting with a letter. The plugin's file and symbol are
// UcFirst(name).
func CheckName(name string) error {
	if name == "" {
		return fmt.Errorf("plugin name is empty")
	}
	for i, r := range name {
		ok := r < unicode.MaxASCII && (unicode.IsLetter(r) || (i > 0 && (unicode.IsDigit(r) || r == '_')))
		if !ok {
			return fmt.Errorf("plugin name %q: only ASCII letters, digits and '_' are allowed, starting with a letter", name)
		}
	}
	return nil
}

// parseVersion splits "1.2.3" into numbers; nil when it is not a version.
func parseVersion(v string) []int {
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ".")
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil
		}
		out[i] = n
	}
	return out
}

// CompareVersions orders two versions numerically ("1.10.0" > "1.9.2");
// "" (no version) is the lowest.
func CompareVersions(a, b string) int {
	va, vb := parseVersion(a), parseVersion(b)
	for i := 0; i < len(va) || i < len(vb); i++ {
		var x, y int
		if i < len(va) {
			x = va[i]
		}
		if i < len(vb) {
			y = vb[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(va) < len(vb):
		return -1
	case len(va) > len(vb):
		return 1
	}
	return 0
}

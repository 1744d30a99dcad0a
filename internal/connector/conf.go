package connector

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kuiperio/kuiper/internal/errs"
)

// DefaultConfKey is the section every conf key is merged over.
const DefaultConfKey = "default"

// ConfFile is a per-connector configuration file after environment
// overrides: a "default" section and named sections (conf keys, or
// resource ids for sinks).
type ConfFile struct {
	// Path is the file read, or the path looked for when it is absent.
	Path string
	// Exists tells whether the file was found.
	Exists bool
	// Sections maps section names to their properties, values keeping
	// their yaml types.
	Sections map[string]map[string]any
}

// Keys returns the section names, sorted, "default" included when present.
func (f *ConfFile) Keys() []string {
	out := make([]string, 0, len(f.Sections))
	for k := range f.Sections {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Conf returns the default section merged with section confKey (a shallow
// merge: the named section's values replace the default's). confKey "" or
// "default" gives the default section alone. The result is a fresh map.
func (f *ConfFile) Conf(confKey string) (map[string]any, error) {
	out := Merge(nil, f.section(DefaultConfKey))
	if confKey == "" || strings.EqualFold(confKey, DefaultConfKey) {
		return out, nil
	}
	sec, ok := f.Sections[confKey]
	if !ok {
		if name, found := findKey(f.Sections, confKey); found {
			sec, ok = f.Sections[name], true
		}
	}
	if !ok {
		return nil, errs.With(errs.Conf, fmt.Errorf("%w: %q in %s", ErrConfKeyNotFound, confKey, f.Path))
	}
	return Merge(out, sec), nil
}

func (f *ConfFile) section(name string) map[string]any {
	if s, ok := f.Sections[name]; ok {
		return s
	}
	if k, ok := findKey(f.Sections, name); ok {
		return f.Sections[k]
	}
	return nil
}

// LoadConf reads etc/<kind>/<typ>.yaml under etcDir (kind is "sources" or
// "sinks"), applies environment overrides and returns the default section
// merged with section confKey. A missing file is an empty default section;
// an unknown confKey is an error (code errs.Conf) naming the file and key.
//
// For mqtt sources, eKuiper's legacy etc/mqtt_source.yaml is read when
// etc/sources/mqtt.yaml is absent.
//
// Environment overrides take the form <FILE>__<SECTION>__<KEY>=value, where
// FILE is the file's base name without extension in upper case:
// MQTT__DEFAULT__SERVER=tcp://b:1883 sets server in the default section of
// etc/sources/mqtt.yaml (and of etc/sinks/mqtt.yaml: the two share the
// prefix, as in eKuiper). MQTT_SOURCE__<SECTION>__<KEY> (eKuiper's name for
// the legacy file) also applies to the mqtt source, whichever file is read;
// MQTT__... wins when both are set. SECTION and KEY are matched to existing
// names case-insensitively (KEY also to the names in the default section);
// new sections and keys are created in lower case. Further __-separated
// parts address nested maps. A value replacing an existing int, float, bool,
// list or map is parsed to that type (lists from JSON or a comma-separated
// string, maps from JSON); any other value stays a string.
func LoadConf(etcDir, kind, typ, confKey string) (map[string]any, error) {
	f, err := LoadConfFile(etcDir, kind, typ)
	if err != nil {
		return nil, err
	}
	return f.Conf(confKey)
}

// LoadConfFile reads and overrides the whole file of connector typ; see
// LoadConf.
func LoadConfFile(etcDir, kind, typ string) (*ConfFile, error) {
	return loadConfFile(etcDir, kind, typ, os.Environ())
}

func validName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, `/\`) && !strings.Contains(s, "..")
}

func loadConfFile(etcDir, kind, typ string, environ []string) (*ConfFile, error) {
	if !validName(kind) || !validName(typ) {
		return nil, errs.With(errs.Conf, fmt.Errorf("invalid connector conf name %q/%q", kind, typ))
	}
	paths := []string{filepath.Join(etcDir, kind, typ+".yaml")}
	if lt := strings.ToLower(typ); lt != typ {
		paths = append(paths, filepath.Join(etcDir, kind, lt+".yaml"))
	}
	legacyMQTT := kind == "sources" && strings.EqualFold(typ, "mqtt")
	if legacyMQTT {
		paths = append(paths, filepath.Join(etcDir, "mqtt_source.yaml"))
	}
	f := &ConfFile{Path: paths[0], Sections: map[string]map[string]any{}}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, errs.With(errs.IO, fmt.Errorf("read %s: %w", p, err))
		}
		f.Path, f.Exists = p, true
		if err := parseSections(b, f); err != nil {
			return nil, err
		}
		break
	}
	prefixes := []string{fileEnvPrefix(f.Path)}
	if legacyMQTT {
		prefixes = []string{"MQTT_SOURCE", "MQTT"}
	}
	for _, pre := range prefixes {
		if err := applyEnv(f, pre, environ); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func fileEnvPrefix(path string) string {
	base := filepath.Base(path)
	return strings.ToUpper(strings.TrimSuffix(base, filepath.Ext(base)))
}

func parseSections(b []byte, f *ConfFile) error {
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return errs.With(errs.Conf, fmt.Errorf("parse %s: %w", f.Path, err))
	}
	for name, v := range raw {
		switch s := v.(type) {
		case nil:
			f.Sections[name] = map[string]any{}
		case map[string]any:
			f.Sections[name] = s
		default:
			return errs.With(errs.Conf, fmt.Errorf("parse %s: section %q is a %T, want a map", f.Path, name, v))
		}
	}
	return nil
}

// applyEnv applies the PREFIX__SECTION__KEY[__SUBKEY...] variables of
// environ to f, in sorted order.
func applyEnv(f *ConfFile, prefix string, environ []string) error {
	var vars []string
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		head, _, ok := strings.Cut(name, "__")
		if ok && head == prefix {
			vars = append(vars, kv)
		}
	}
	sort.Strings(vars)
	for _, kv := range vars {
		name, val, _ := strings.Cut(kv, "=")
		parts := strings.Split(name, "__")[1:]
		if len(parts) < 2 {
			continue
		}
		for _, p := range parts {
			if p == "" {
				return errs.With(errs.Conf, fmt.Errorf("environment variable %s: empty name part", name))
			}
		}
		secName, ok := findKey(f.Sections, parts[0])
		if !ok {
			secName = strings.ToLower(parts[0])
			f.Sections[secName] = map[string]any{}
		}
		sec := f.Sections[secName]
		def := f.section(DefaultConfKey)
		if err := setPath(sec, def, parts[1:], val); err != nil {
			return errs.With(errs.Conf, fmt.Errorf("environment variable %s: %w", name, err))
		}
	}
	return nil
}

// setPath sets m[path...] = val, matching names case-insensitively against
// m (and hint, the default section, for spelling and type).
func setPath(m, hint map[string]any, path []string, val string) error {
	k, ok := findKey(m, path[0])
	if !ok {
		if hk, hok := findKey(hint, path[0]); hok {
			k = hk
		} else {
			k = strings.ToLower(path[0])
		}
	}
	var hv any
	if hint != nil {
		hv = hint[k]
	}
	if len(path) > 1 {
		sub, _ := m[k].(map[string]any)
		if sub == nil {
			if cur, exists := m[k]; exists && cur != nil {
				return fmt.Errorf("key %q is a %T, not a map", k, cur)
			}
			sub = map[string]any{}
			m[k] = sub
		}
		subHint, _ := hv.(map[string]any)
		return setPath(sub, subHint, path[1:], val)
	}
	old, exists := m[k]
	if !exists || old == nil {
		old = hv
	}
	v, err := convertLike(old, val)
	if err != nil {
		return fmt.Errorf("key %q: %w", k, err)
	}
	m[k] = v
	return nil
}

// convertLike parses s to the type of old; s stays a string when old is a
// string, nil or of another type.
func convertLike(old any, s string) (any, error) {
	switch old.(type) {
	case int:
		i, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("want an integer, got %q", s)
		}
		return i, nil
	case float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("want a number, got %q", s)
		}
		return f, nil
	case bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("want a boolean, got %q", s)
		}
		return b, nil
	case []any:
		if t := strings.TrimSpace(s); strings.HasPrefix(t, "[") {
			var l []any
			if err := json.Unmarshal([]byte(t), &l); err != nil {
				return nil, fmt.Errorf("want a JSON list: %w", err)
			}
			return l, nil
		}
		items := SplitList(s)
		l := make([]any, len(items))
		for i, it := range items {
			l[i] = it
		}
		return l, nil
	case map[string]any:
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("want a JSON object: %w", err)
		}
		return m, nil
	}
	return s, nil
}

func findKey[T any](m map[string]T, name string) (string, bool) {
	if _, ok := m[name]; ok {
		return name, true
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

// Merge returns a new map with base's entries replaced and extended by
// over's (shallow). Either may be nil.
func Merge(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		if ek, ok := findKey(out, k); ok && ek != k {
			delete(out, ek)
		}
		out[k] = v
	}
	return out
}

// MergeExtra merges the JSON object extra (a stream's EXTRA property) on top
// of props and returns a new map. Blank extra returns a copy of props.
func MergeExtra(props map[string]any, extra string) (map[string]any, error) {
	if strings.TrimSpace(extra) == "" {
		return Merge(props, nil), nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(extra), &m); err != nil {
		return nil, errs.With(errs.StreamTable, fmt.Errorf("parse EXTRA %q: want a JSON object: %w", extra, err))
	}
	return Merge(props, m), nil
}

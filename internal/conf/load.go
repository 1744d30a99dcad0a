package conf

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// EnvPrefix starts the environment variables that override kuiper.yaml:
// KUIPER__<SECTION>__<KEY>[__<KEY>...].
const EnvPrefix = "KUIPER__"

// ConfigFile is the server configuration's file name in the etc directory.
const ConfigFile = "kuiper.yaml"

// Load reads <home>/etc/kuiper.yaml (a missing file means the defaults),
// applies the KUIPER__SECTION__KEY variables of environ, and validates the
// result. See LoadFile.
func Load(home string, environ []string) (*Config, error) {
	return LoadFile(filepath.Join(home, "etc", ConfigFile), environ)
}

// LoadFile reads the configuration file at path over the defaults (a
// missing file is not an error), then applies the environment overrides
// from environ (os.Environ() form, "NAME=value"; later entries win), then
// validates. Key names match without regard to case. Errors name the key
// and the file line or the variable; all problems are reported together.
func LoadFile(path string, environ []string) (*Config, error) {
	c := Default()
	c.origins = map[string]string{}
	var errs []error

	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read config: %w", err)
	default:
		errs = append(errs, c.applyYAML(filepath.Base(path), data)...)
	}
	errs = append(errs, c.applyEnv(environ)...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("load config %s: %w", path, errors.Join(errs...))
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("invalid config %s: %w", path, err)
	}
	return c, nil
}

// Parse reads configuration yaml over the defaults, without environment
// overrides, and validates it; name is used in messages.
func Parse(name string, data []byte) (*Config, error) {
	c := Default()
	c.origins = map[string]string{}
	if errs := c.applyYAML(name, data); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Origin returns where the value of key ("basic.restPort") came from: a
// "kuiper.yaml line N" position, an environment variable name, or "" for a
// default.
func (c *Config) Origin(key string) string { return c.origins[key] }

func (c *Config) applyYAML(name string, data []byte) []error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return []error{fmt.Errorf("%s: %w", name, err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 { // empty file
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	d := yamlDecoder{file: name, cfg: c}
	d.node(root, reflect.ValueOf(c).Elem(), "")
	return d.errs
}

// yamlDecoder walks a yaml tree along the Config struct.
type yamlDecoder struct {
	file string
	cfg  *Config
	errs []error
}

func (d *yamlDecoder) fail(n *yaml.Node, path string, err error) {
	d.errs = append(d.errs, fmt.Errorf("%s line %d: %s: %w", d.file, n.Line, path, err))
}

// node decodes n into v, whose key path is path ("" for the root).
func (d *yamlDecoder) node(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		// "restTls:" with nothing after it: an absent optional section;
		// an empty value otherwise keeps the default.
		if v.Kind() == reflect.Pointer {
			v.SetZero()
		}
		return
	}
	if v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct && v.Type() != durationType {
		if n.Kind != yaml.MappingNode {
			label := path
			if label == "" {
				label = "top level"
			}
			d.fail(n, label, fmt.Errorf("want a mapping of keys, found a %s", kindName(n.Kind)))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			f, name, ok := fieldByName(v, k.Value)
			if !ok {
				d.cfg.Unknown = append(d.cfg.Unknown, joinKey(path, k.Value))
				continue
			}
			d.node(val, f, joinKey(path, name))
		}
		return
	}
	d.cfg.origins[path] = fmt.Sprintf("%s line %d", d.file, n.Line)
	switch n.Kind {
	case yaml.ScalarNode:
		if err := setScalar(v, n.Value); err != nil {
			d.fail(n, path, err)
		}
	case yaml.SequenceNode:
		if v.Kind() != reflect.Slice {
			d.fail(n, path, fmt.Errorf("want a single value, found a list"))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				d.fail(item, fmt.Sprintf("%s[%d]", path, i), fmt.Errorf("want a single value, found a %s", kindName(item.Kind)))
				return
			}
			if err := setScalar(s.Index(i), item.Value); err != nil {
				d.fail(item, fmt.Sprintf("%s[%d]", path, i), err)
				return
			}
		}
		v.Set(s)
	default:
		d.fail(n, path, fmt.Errorf("want a single value, found a %s", kindName(n.Kind)))
	}
}

// applyEnv applies the KUIPER__ variables.
func (c *Config) applyEnv(environ []string) []error {
	var errs []error
	for _, kv := range environ {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || len(name) <= len(EnvPrefix) || !strings.EqualFold(name[:len(EnvPrefix)], EnvPrefix) {
			continue
		}
		parts := strings.Split(name[len(EnvPrefix):], "__")
		v := reflect.ValueOf(c).Elem()
		path := ""
		known := true
		for i, part := range parts {
			if v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct {
				if v.IsNil() {
					v.Set(reflect.New(v.Type().Elem()))
				}
				v = v.Elem()
			}
			if v.Kind() != reflect.Struct || v.Type() == durationType {
				errs = append(errs, fmt.Errorf("%s: %s is a single value, it has no key %q", name, path, strings.Join(parts[i:], "__")))
				known = false
				break
			}
			f, fname, ok := fieldByName(v, part)
			if !ok {
				c.Unknown = append(c.Unknown, name)
				known = false
				break
			}
			v, path = f, joinKey(path, fname)
		}
		if !known {
			continue
		}
		if isSection(v) {
			errs = append(errs, fmt.Errorf("%s: %s is a section; name one of its keys (%s__<KEY>)", name, path, name))
			continue
		}
		if v.Kind() == reflect.Slice {
			var items []string
			for _, it := range strings.Split(val, ",") {
				if it = strings.TrimSpace(it); it != "" {
					items = append(items, it)
				}
			}
			s := reflect.MakeSlice(v.Type(), len(items), len(items))
			var err error
			for i, it := range items {
				if err = setScalar(s.Index(i), it); err != nil {
					break
				}
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s (%s): %w", name, path, err))
				continue
			}
			v.Set(s)
		} else if err := setScalar(v, val); err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): %w", name, path, err))
			continue
		}
		c.origins[path] = name
	}
	return errs
}

func isSection(v reflect.Value) bool {
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && t != durationType
}

var durationType = reflect.TypeFor[Duration]()

// fieldByName finds the field of struct v whose yaml name equals name
// without regard to case, returning it and its canonical name.
func fieldByName(v reflect.Value, name string) (reflect.Value, string, bool) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" || !sf.IsExported() {
			continue
		}
		if strings.EqualFold(tag, name) {
			return v.Field(i), tag, true
		}
	}
	return reflect.Value{}, "", false
}

func joinKey(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// setScalar converts s to v's type and stores it.
func setScalar(v reflect.Value, s string) error {
	if v.Type() == durationType {
		d, err := ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := parseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return fmt.Errorf("invalid integer %q", s)
		}
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || v.OverflowFloat(f) {
			return fmt.Errorf("invalid number %q", s)
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("cannot set a %s from %q", v.Type(), s)
	}
	return nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "t", "1", "yes", "y", "on":
		return true, nil
	case "false", "f", "0", "no", "n", "off":
		return false, nil
	}
	return false, fmt.Errorf("invalid boolean %q: want true or false", s)
}

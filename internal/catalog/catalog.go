// Package catalog keeps the definitions of streams and tables: parsed,
// validated and persisted in the store so they survive restarts.
package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/parser"
)

// Errors returned by the catalog.
var (
	// ErrNotFound is returned for an unknown stream or table.
	ErrNotFound = errors.New("not found")
	// ErrExists is returned when creating a name that is taken.
	ErrExists = errors.New("already exists")
)

// KV is the persistence the catalog needs; *store.Table implements it.
type KV interface {
	PutIfAbsent(key string, val []byte) (bool, error)
	Put(key string, val []byte) error
	Delete(key string) (bool, error)
	ForEach(fn func(key string, val []byte) error) error
}

// Props are the parsed WITH properties of a stream or table.
type Props struct {
	Datasource       string
	Format           string // lower case; default json
	Type             string // connector name; default mqtt
	Key              string
	ConfKey          string
	StrictValidation bool
	Timestamp        string
	TimestampFormat  string
	Shared           bool
	SchemaID         string
	Delimiter        string
	RetainSize       int
	Kind             string // tables: scan (default) or lookup
	Extra            string // JSON object overriding conf-key values
	Version          string
	Temp             bool
	// Raw holds every property as written, keyed by lower-case name, for
	// DESCRIBE and for connector-specific keys.
	Raw map[string]string
}

// Def is a stream or table definition.
type Def struct {
	Name    string
	Kind    ast.StreamKind
	SQL     string
	Columns []*ast.ColumnDef // empty: schemaless
	Props   Props
}

// Schemaless reports whether the definition declares no columns.
func (d *Def) Schemaless() bool { return len(d.Columns) == 0 }

// Column returns the declared column called name (case-sensitive), if any.
func (d *Def) Column(name string) *ast.ColumnDef {
	for _, c := range d.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Validator checks connector-level facts the catalog cannot know, such as
// whether the connector type exists.
type Validator func(d *Def) error

// Catalog holds the definitions. It is safe for concurrent use.
type Catalog struct {
	mu       sync.RWMutex
	kv       KV
	defs     [2]map[string]*Def
	validate Validator
	// InUse, when set, names the rules still reading a stream; drop and
	// replace are refused while it returns any.
	InUse func(kind ast.StreamKind, name string) []string
}

type record struct {
	Kind ast.StreamKind `json:"kind"`
	SQL  string         `json:"sql"`
}

// Open loads every persisted definition from kv.
func Open(kv KV, validate Validator) (*Catalog, error) {
	c := &Catalog{kv: kv, validate: validate, defs: [2]map[string]*Def{{}, {}}}
	err := kv.ForEach(func(key string, val []byte) error {
		var r record
		if err := json.Unmarshal(val, &r); err != nil {
			return fmt.Errorf("stored stream %q: %w", key, err)
		}
		d, err := Parse(r.SQL)
		if err != nil {
			return fmt.Errorf("stored stream %q: %w", key, err)
		}
		c.defs[d.Kind][d.Name] = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func storeKey(kind ast.StreamKind, name string) string {
	if kind == ast.KindTable {
		return "table:" + name
	}
	return "stream:" + name
}

// Parse parses a CREATE STREAM/TABLE statement into a definition, checking
// its properties.
func Parse(sql string) (*Def, error) {
	stmt, err := parser.ParseStatement(sql)
	if err != nil {
		return nil, errs.With(errs.Parser, err)
	}
	cs, ok := stmt.(*ast.CreateStreamStatement)
	if !ok {
		return nil, errs.New(errs.StreamTable, "statement is not a CREATE STREAM or CREATE TABLE")
	}
	return FromStatement(cs, sql)
}

// FromStatement builds a definition from a parsed CREATE statement.
func FromStatement(cs *ast.CreateStreamStatement, sql string) (*Def, error) {
	d := &Def{Name: cs.Name, Kind: cs.Kind, SQL: sql, Columns: cs.Columns}
	p := &d.Props
	p.Raw = make(map[string]string, len(cs.Options))
	p.Format = "json"
	p.Type = "mqtt"
	for _, o := range cs.Options {
		k := strings.ToLower(o.Key)
		p.Raw[k] = o.Value
		var err error
		switch k {
		case "datasource":
			p.Datasource = o.Value
		case "format":
			p.Format = strings.ToLower(o.Value)
		case "type":
			p.Type = o.Value
		case "key":
			p.Key = o.Value
		case "conf_key":
			p.ConfKey = o.Value
		case "strict_validation", "strictvalidation":
			p.StrictValidation, err = parseBool(o.Value)
		case "timestamp":
			p.Timestamp = o.Value
		case "timestamp_format":
			p.TimestampFormat = o.Value
		case "shared":
			p.Shared, err = parseBool(o.Value)
		case "schemaid":
			p.SchemaID = o.Value
		case "delimiter":
			p.Delimiter = o.Value
		case "retain_size":
			p.RetainSize, err = strconv.Atoi(o.Value)
			if err == nil && p.RetainSize < 0 {
				err = errors.New("must not be negative")
			}
		case "kind":
			p.Kind = strings.ToLower(o.Value)
			if p.Kind != "scan" && p.Kind != "lookup" {
				err = errors.New(`must be "scan" or "lookup"`)
			}
		case "extra":
			p.Extra = o.Value
			var m map[string]any
			if e := json.Unmarshal([]byte(o.Value), &m); e != nil {
				err = fmt.Errorf("must be a JSON object: %v", e)
			}
		case "version":
			p.Version = o.Value
		case "temp":
			p.Temp, err = parseBool(o.Value)
		default:
			err = errors.New("unknown property")
		}
		if err != nil {
			return nil, errs.With(errs.StreamTable, fmt.Errorf("property %s at %s: %w", o.Key, o.KeyPos, err))
		}
	}
	if d.Kind == ast.KindStream && (p.Kind != "" || p.RetainSize != 0) {
		return nil, errs.New(errs.StreamTable, "KIND and RETAIN_SIZE apply to tables only")
	}
	if d.Kind == ast.KindTable && p.Kind == "" {
		p.Kind = "scan"
	}
	if p.Format != "json" && p.Format != "binary" && p.Format != "delimited" {
		return nil, errs.New(errs.StreamTable, fmt.Sprintf("unsupported format %q (supported: json, binary, delimited)", p.Format))
	}
	if p.Timestamp != "" && !d.Schemaless() && d.Column(p.Timestamp) == nil {
		return nil, errs.New(errs.StreamTable, fmt.Sprintf("timestamp field %q is not a declared column", p.Timestamp))
	}
	return d, nil
}

func parseBool(s string) (bool, error) {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return false, fmt.Errorf("%q is not a boolean", s)
	}
	return b, nil
}

// Create validates and stores a new definition. Temporary definitions are
// kept in memory only.
func (c *Catalog) Create(d *Def) error {
	if c.validate != nil {
		if err := c.validate(d); err != nil {
			return errs.With(errs.StreamTable, err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.defs[d.Kind][d.Name]; ok {
		return errs.With(errs.StreamTable, fmt.Errorf("%s %s: %w", strings.ToLower(d.Kind.String()), d.Name, ErrExists))
	}
	if !d.Props.Temp {
		b, _ := json.Marshal(record{Kind: d.Kind, SQL: d.SQL})
		ok, err := c.kv.PutIfAbsent(storeKey(d.Kind, d.Name), b)
		if err != nil {
			return errs.With(errs.IO, err)
		}
		if !ok {
			return errs.With(errs.StreamTable, fmt.Errorf("%s %s: %w", strings.ToLower(d.Kind.String()), d.Name, ErrExists))
		}
	}
	c.defs[d.Kind][d.Name] = d
	return nil
}

// Replace swaps the definition of an existing stream or table.
func (c *Catalog) Replace(d *Def) error {
	if c.validate != nil {
		if err := c.validate(d); err != nil {
			return errs.With(errs.StreamTable, err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.defs[d.Kind][d.Name]
	if !ok {
		return c.notFound(d.Kind, d.Name)
	}
	if old.Props.Temp {
		return errs.New(errs.StreamTable, "a temporary stream cannot be replaced")
	}
	if old.Props.Version != "" || d.Props.Version != "" {
		if d.Props.Version <= old.Props.Version {
			return errs.New(errs.StreamTable, fmt.Sprintf("version %q is not newer than %q", d.Props.Version, old.Props.Version))
		}
	}
	if c.InUse != nil {
		if rules := c.InUse(d.Kind, d.Name); len(rules) > 0 {
			return errs.New(errs.StreamTable, fmt.Sprintf("%s %s is used by rules %s; stop or delete them first", strings.ToLower(d.Kind.String()), d.Name, strings.Join(rules, ", ")))
		}
	}
	if !d.Props.Temp {
		b, _ := json.Marshal(record{Kind: d.Kind, SQL: d.SQL})
		if err := c.kv.Put(storeKey(d.Kind, d.Name), b); err != nil {
			return errs.With(errs.IO, err)
		}
	}
	c.defs[d.Kind][d.Name] = d
	return nil
}

// Drop removes a definition; it is refused while rules read it.
func (c *Catalog) Drop(kind ast.StreamKind, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.defs[kind][name]
	if !ok {
		return c.notFound(kind, name)
	}
	if c.InUse != nil {
		if rules := c.InUse(kind, name); len(rules) > 0 {
			return errs.New(errs.StreamTable, fmt.Sprintf("%s %s is used by rules %s; stop or delete them first", strings.ToLower(kind.String()), name, strings.Join(rules, ", ")))
		}
	}
	if !d.Props.Temp {
		if _, err := c.kv.Delete(storeKey(kind, name)); err != nil {
			return errs.With(errs.IO, err)
		}
	}
	delete(c.defs[kind], name)
	return nil
}

// Get returns a definition.
func (c *Catalog) Get(kind ast.StreamKind, name string) (*Def, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, ok := c.defs[kind][name]
	if !ok {
		return nil, c.notFound(kind, name)
	}
	return d, nil
}

// Lookup finds a stream or a table by name; streams win.
func (c *Catalog) Lookup(name string) (*Def, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if d, ok := c.defs[ast.KindStream][name]; ok {
		return d, true
	}
	d, ok := c.defs[ast.KindTable][name]
	return d, ok
}

// List returns the sorted names of a kind.
func (c *Catalog) List(kind ast.StreamKind) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	names := make([]string, 0, len(c.defs[kind]))
	for n := range c.defs[kind] {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Defs returns the definitions of a kind sorted by name.
func (c *Catalog) Defs(kind ast.StreamKind) []*Def {
	names := c.List(kind)
	out := make([]*Def, 0, len(names))
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, n := range names {
		if d, ok := c.defs[kind][n]; ok {
			out = append(out, d)
		}
	}
	return out
}

func (c *Catalog) notFound(kind ast.StreamKind, name string) error {
	return errs.With(errs.NotFound, fmt.Errorf("%s %s: %w", strings.ToLower(kind.String()), name, ErrNotFound))
}

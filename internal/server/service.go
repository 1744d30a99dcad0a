package server

import (
	"context"
	"encoding/json"
)

// Kind selects the streams or the tables collection of the REST API.
type Kind int

// Collections.
const (
	Streams Kind = iota
	Tables
)

// StreamService manages stream and table definitions. Errors carry
// internal/errs codes (errs.NotFound for unknown names, errs.Parser for SQL
// errors, errs.StreamTable for the rest).
type StreamService interface {
	// Exec runs any stream or table statement sent to POST /streams or
	// /tables: CREATE, DROP, DESCRIBE, SHOW, EXPLAIN. It returns the
	// plain-text answer eKuiper gives ("Stream demo is created.") or, for
	// DESCRIBE and SHOW, a JSON-marshalable value.
	Exec(kind Kind, sql string) (any, error)
	// List returns the names of the collection, sorted.
	List(kind Kind) ([]string, error)
	// Details answers GET /streamdetails and /tabledetails.
	Details(kind Kind) ([]StreamDetail, error)
	// Describe answers GET /streams/{name}: eKuiper's
	// {Name, StreamFields, Options, StreamType, Statement} shape.
	Describe(kind Kind, name string) (any, error)
	// Replace answers PUT /streams/{name} with a CREATE statement for the
	// same name.
	Replace(kind Kind, name, sql string) error
	// Drop answers DELETE /streams/{name}; it fails while rules use it.
	Drop(kind Kind, name string) error
	// Schema answers GET /streams/{name}/schema.
	Schema(kind Kind, name string) (any, error)
}

// StreamDetail is one entry of GET /streamdetails.
type StreamDetail struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Format string `json:"format"`
}

// RuleSummary is one entry of GET /rules.
type RuleSummary struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Status  string   `json:"status"`
	Tags    []string `json:"tags"`
	Trace   bool     `json:"trace"`
	Version string   `json:"version"`
}

// RuleService manages rules. Errors carry internal/errs codes.
type RuleService interface {
	// Create validates, stores and (unless "triggered": false) starts the
	// rule given as eKuiper rule JSON, returning its id. A failed create
	// leaves nothing behind.
	Create(def json.RawMessage) (string, error)
	// Validate checks a rule without creating it and returns the names of
	// the streams it reads.
	Validate(def json.RawMessage) ([]string, error)
	List() ([]RuleSummary, error)
	// Get returns the stored rule JSON.
	Get(id string) (json.RawMessage, error)
	// Update replaces a rule (upsert); if the new definition is invalid the
	// old rule keeps running.
	Update(id string, def json.RawMessage) error
	Delete(id string) error
	Start(id string) error
	Stop(id string) error
	Restart(id string) error
	// Status returns the flat, ordered status object of GET
	// /rules/{id}/status, already encoded as JSON.
	Status(id string) (json.RawMessage, error)
	// StatusAll returns every rule's status object, keyed by rule id.
	StatusAll() (map[string]json.RawMessage, error)
	// Topo returns {"sources": [...], "edges": {...}} as JSON.
	Topo(id string) (json.RawMessage, error)
	// Explain returns the rule's plan as text.
	Explain(id string) (string, error)
	// Query runs sql as a temporary rule until ctx is done, calling emit
	// with each result row encoded as JSON. It backs the CLI's interactive
	// query and POST /query.
	Query(ctx context.Context, sql string, emit func(row []byte) error) error
}

// PluginInstall is the body of POST /plugins/{type} and
// /plugins/portables.
type PluginInstall struct {
	Name string `json:"name"`
	// File is the package URL (file://, http://, https://).
	File string `json:"file"`
	// ShellParas are the arguments of the package's install.sh.
	ShellParas []string `json:"shellParas,omitempty"`
	// Functions lists the functions of a function plugin.
	Functions []string `json:"functions,omitempty"`
}

// PluginService manages native plugins (kind "sources", "sinks" or
// "functions", already checked by the server) and portable plugins.
// Errors carry internal/errs codes.
type PluginService interface {
	InstallPlugin(ctx context.Context, kind string, req PluginInstall) error
	ListPlugins(kind string) ([]string, error)
	// DescribePlugin answers GET /plugins/{type}/{name}: a
	// JSON-marshalable value with at least name and version.
	DescribePlugin(kind, name string) (any, error)
	DeletePlugin(kind, name string) error
	// RegisterFunctions sets the functions a function plugin exports.
	RegisterFunctions(plugin string, functions []string) error
	// UDFs lists the names of every plugin function.
	UDFs() ([]string, error)
	// UDF answers GET /plugins/udfs/{name}: {name, plugin}.
	UDF(name string) (any, error)

	InstallPortable(ctx context.Context, req PluginInstall) error
	// ListPortables answers GET /plugins/portables: one object per
	// plugin.
	ListPortables() (any, error)
	DescribePortable(name string) (any, error)
	// UpdatePortable replaces an installed portable plugin by a new
	// package (PUT /plugins/portables/{name}) without stopping rules.
	UpdatePortable(ctx context.Context, req PluginInstall) error
	DeletePortable(name string) error
	// PortableStatus answers GET /plugins/portables/{name}/status:
	// {refCount, status, errMsg, pid}.
	PortableStatus(name string) (any, error)
}

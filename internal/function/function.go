// Package function holds Kuiper's SQL function library: one Spec per
// function (name, aliases, parameters, kind, description, examples) in a
// Registry that the planner binds calls against. The spec drives validation
// at rule creation, the generated docs/functions.md, the example tests and
// the REST listing.
package function

import (
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kuiperio/kuiper/internal/value"
)

// Kind tells how the planner must evaluate a function.
type Kind int

// Function kinds.
const (
	// Scalar functions map one row's arguments to one value.
	Scalar Kind = iota
	// Aggregate functions fold a group of rows (GROUP BY, windows).
	Aggregate
	// Analytic functions keep state across rows of a stream
	// (lag, latest, changed_col...), optionally per OVER (PARTITION BY).
	Analytic
	// Window functions read the window being emitted (row_number).
	Window
	// Special functions are compiled by the planner itself (meta,
	// window_start, window_end, event_time, rule_id...); their spec exists
	// for validation and docs only.
	Special
)

// String names the kind as the docs do.
func (k Kind) String() string {
	switch k {
	case Aggregate:
		return "aggregate"
	case Analytic:
		return "analytic"
	case Window:
		return "window"
	case Special:
		return "special"
	}
	return "scalar"
}

// Type is a parameter or result type, as a set of accepted kinds.
type Type uint16

// Types. Any accepts every kind.
const (
	TBool Type = 1 << iota
	TInt
	TFloat
	TString
	TBytes
	TTime
	TArray
	TObject
	TNull

	TNumber = TInt | TFloat
	TAny    = TBool | TInt | TFloat | TString | TBytes | TTime | TArray | TObject | TNull
)

// Accepts reports whether a value of kind k fits t. Nil values fit every
// type (functions decide what nil means).
func (t Type) Accepts(k value.Kind) bool {
	switch k {
	case value.Missing, value.Null:
		return true
	case value.Bool:
		return t&TBool != 0
	case value.Int:
		return t&TInt != 0
	case value.Float:
		return t&TFloat != 0
	case value.String:
		return t&TString != 0
	case value.Bytes:
		return t&TBytes != 0
	case value.Time:
		return t&TTime != 0
	case value.Array:
		return t&TArray != 0
	case value.Obj:
		return t&TObject != 0
	}
	return false
}

// String renders the type for docs and error messages.
func (t Type) String() string {
	if t == TAny {
		return "any"
	}
	var parts []string
	for _, p := range []struct {
		t Type
		n string
	}{{TBool, "bool"}, {TInt, "bigint"}, {TFloat, "float"}, {TString, "string"}, {TBytes, "bytea"}, {TTime, "datetime"}, {TArray, "array"}, {TObject, "struct"}, {TNull, "null"}} {
		if t&p.t != 0 {
			parts = append(parts, p.n)
		}
	}
	return strings.Join(parts, "|")
}

// Param describes one parameter.
type Param struct {
	Name     string
	Type     Type
	Optional bool // may be left out (only trailing parameters)
	Variadic bool // repeats; only the last parameter
}

// Example is a SQL fragment and its expected result, written as JSON
// (e.g. `abs(-2)` → `2`). Tests run every example.
//
// Arguments are literals, bare column names and nested calls of scalar
// functions. Input, when set, is a JSON array of rows (objects) the
// column names are read from: aggregates fold all rows into Result, and
// analytic functions give one result per row, so their Result is a JSON
// array. Scalar examples with Input are evaluated on the first row.
type Example struct {
	SQL    string
	Result string
	Input  string
	// Varies marks a result that changes from call to call (rand(),
	// newuuid()); tests then check only its JSON type.
	Varies bool
}

// Arg is an argument as the planner sees it at rule creation: a literal
// has Const set; any other expression has Const false.
type Arg struct {
	Const bool
	Value value.Value
	// Name is the output name of a plain column reference (`a` for `a`
	// and `s.a`), empty for other expressions. changed_cols names its
	// columns after it.
	Name string
}

// Context is what a function call can see at run time. One Context exists
// per call site per rule instance, so State is private to that call site.
type Context struct {
	RuleID string
	FuncID int
	Now    func() time.Time
	Logger *slog.Logger
	// State is per-call-site state for stateful functions (compress,
	// analytic functions keyed by partition).
	State any
	// Location is the time zone datetime functions render and read wall
	// clock times in (eKuiper's basic.timezone); nil means UTC.
	Location *time.Location
	// KeyedState reads the external key-value store behind
	// get_keyed_state; nil means no store is configured.
	KeyedState func(key string) (value.Value, bool, error)
	// Sleep pauses the calling goroutine (delay()); nil means time.Sleep.
	Sleep func(d time.Duration)
}

// Aggregator folds the rows of one group. Add receives the evaluated
// arguments of one row.
type Aggregator interface {
	Add(args []value.Value) error
	Result() (value.Value, error)
}

// Spec is one function's definition.
type Spec struct {
	Name        string
	Aliases     []string
	Category    string
	Kind        Kind
	Params      []Param
	Returns     Type
	Description string
	Examples    []Example
	// Deterministic functions called with constant arguments are folded at
	// plan time.
	Deterministic bool
	// Validate, if set, checks arguments at rule creation beyond arity and
	// literal types (e.g. a regex literal that does not compile).
	Validate func(args []Arg) error
	// Exec evaluates a scalar (and the per-row step of an analytic)
	// function.
	Exec func(ctx *Context, args []value.Value) (value.Value, error)
	// NewAggregator creates the state of an aggregate function for one
	// group. Args are the constant arguments, if any (e.g. percentile).
	NewAggregator func(args []Arg) Aggregator
	// NewState creates the state of an analytic function for one call site
	// and partition (OVER (PARTITION BY ...)); the planner keeps one per
	// partition key.
	NewState func(args []Arg) any
	// ExecAnalytic evaluates an analytic function for one row. when is the
	// value of the OVER (WHEN ...) condition (true when there is none); the
	// function decides what a false condition means (eKuiper: the state is
	// not updated and the last result is returned).
	ExecAnalytic func(state any, args []value.Value, when bool) (value.Value, error)
	// RowArg asks the planner to append the current row, as an object
	// value, after the declared arguments of every call (deduplicate).
	RowArg bool
	// Columns marks a function whose object result is spread into output
	// columns instead of becoming one column (changed_cols; the objects
	// unnest and extract produce).
	Columns bool
	// SetReturning marks a function whose array result turns one input row
	// into one output row per element (unnest, extract).
	SetReturning bool
}

// Registry maps function names (case-insensitive) to specs. It is safe for
// concurrent use; plugins add functions at run time.
type Registry struct {
	mu    sync.RWMutex
	specs map[string]*Spec
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{specs: make(map[string]*Spec)} }

// Register adds s under its name and aliases; a taken name is an error.
func (r *Registry) Register(s *Spec) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := append([]string{s.Name}, s.Aliases...)
	for _, n := range names {
		if _, ok := r.specs[strings.ToLower(n)]; ok {
			return &DuplicateError{Name: n}
		}
	}
	for _, n := range names {
		r.specs[strings.ToLower(n)] = s
	}
	return nil
}

// MustRegister is Register for built-ins; it panics on a duplicate.
func (r *Registry) MustRegister(specs ...*Spec) {
	for _, s := range specs {
		if err := r.Register(s); err != nil {
			panic(err)
		}
	}
}

// Unregister removes a function and its aliases.
func (r *Registry) Unregister(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.specs[strings.ToLower(name)]
	if !ok {
		return
	}
	for k, v := range r.specs {
		if v == s {
			delete(r.specs, k)
		}
	}
}

// Lookup returns the spec registered under name, ignoring case.
func (r *Registry) Lookup(name string) (*Spec, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.specs[strings.ToLower(name)]
	return s, ok
}

// All returns every spec once, sorted by name.
func (r *Registry) All() []*Spec {
	r.mu.RLock()
	defer r.mu.RUnlock()
	seen := make(map[*Spec]bool)
	var out []*Spec
	for _, s := range r.specs {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// DuplicateError reports a name registered twice.
type DuplicateError struct{ Name string }

func (e *DuplicateError) Error() string { return "function " + e.Name + " is already registered" }

// Package servertest provides in-memory stand-ins for the services the REST
// API drives, so the server, the client and the CLI can be tested without an
// engine. They answer with eKuiper's messages for the cases recorded in
// REST-SHAPES; their SQL handling is a crude word match, not a parser.
package servertest

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/internal/server"
)

// failures holds injected errors by method name.
type failures struct {
	mu  sync.Mutex
	err map[string]error
}

// Fail makes every later call of the named method (for example "Create" or
// "Exec") return err; a nil err clears it.
func (f *failures) Fail(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = map[string]error{}
	}
	if err == nil {
		delete(f.err, method)
		return
	}
	f.err[method] = err
}

func (f *failures) failure(method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err[method]
}

// Streams is an in-memory server.StreamService.
type Streams struct {
	failures
	mu   sync.Mutex
	defs [2]map[string]*streamDef
	// inUse reports whether a rule reads the stream; set by NewRules.
	inUse func(name string) bool
}

type streamDef struct {
	name    string
	sql     string
	fields  []Field
	options map[string]string
}

// Field is one column of a described stream, shaped like eKuiper's.
type Field struct {
	Name      string
	FieldType struct{ Type int }
}

// Description is the answer of Describe, shaped like eKuiper's.
type Description struct {
	Name         string
	StreamFields []Field
	Options      map[string]string
	StreamType   int
	Statement    *string
}

var _ server.StreamService = (*Streams)(nil)

// NewStreams returns an empty catalog.
func NewStreams() *Streams {
	return &Streams{defs: [2]map[string]*streamDef{{}, {}}}
}

func words(k server.Kind) (lower, title string) {
	if k == server.Tables {
		return "table", "Table"
	}
	return "stream", "Stream"
}

var (
	optionRE = regexp.MustCompile(`(?i)(\w+)\s*=\s*"([^"]*)"`)
	typeIDs  = map[string]int{"bigint": 1, "float": 2, "string": 3, "bytea": 4, "datetime": 5, "boolean": 6, "array": 7, "struct": 8}
)

// parseCreate reads "CREATE STREAM name (fields) WITH (options)".
func parseCreate(sql string) (kind server.Kind, def *streamDef, err error) {
	rest := strings.TrimSpace(sql)
	f := strings.Fields(rest)
	if len(f) < 3 || !strings.EqualFold(f[0], "CREATE") {
		return 0, nil, errs.New(errs.Parser, fmt.Sprintf("found %q, expected CREATE", firstWord(sql)))
	}
	switch strings.ToUpper(f[1]) {
	case "STREAM":
		kind = server.Streams
	case "TABLE":
		kind = server.Tables
	default:
		return 0, nil, errs.New(errs.Parser, fmt.Sprintf("found %q, expected STREAM or TABLE", f[1]))
	}
	after := strings.TrimSpace(rest[strings.Index(strings.ToUpper(rest), strings.ToUpper(f[1]))+len(f[1]):])
	name := after
	if i := strings.IndexAny(after, " (\t\n"); i >= 0 {
		name = after[:i]
	}
	def = &streamDef{name: name, sql: sql, options: map[string]string{}}
	body := after[len(name):]
	if open := strings.IndexByte(body, '('); open >= 0 {
		if cl := strings.IndexByte(body[open:], ')'); cl > 0 {
			for _, col := range strings.Split(body[open+1:open+cl], ",") {
				cf := strings.Fields(col)
				if len(cf) < 2 {
					continue
				}
				fd := Field{Name: cf[0]}
				fd.FieldType.Type = typeIDs[strings.ToLower(cf[1])]
				def.fields = append(def.fields, fd)
			}
		}
	}
	if i := strings.Index(strings.ToUpper(body), "WITH"); i >= 0 {
		for _, m := range optionRE.FindAllStringSubmatch(body[i:], -1) {
			def.options[strings.ToLower(m[1])] = m[2]
		}
	}
	return kind, def, nil
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// Exec runs CREATE, DROP, SHOW and DESCRIBE statements.
func (s *Streams) Exec(k server.Kind, sql string) (any, error) {
	if err := s.failure("Exec"); err != nil {
		return nil, err
	}
	f := strings.Fields(sql)
	if len(f) < 2 {
		return nil, errs.New(errs.Parser, fmt.Sprintf("found %q, expected a statement", sql))
	}
	switch strings.ToUpper(f[0]) {
	case "CREATE":
		kind, def, err := parseCreate(sql)
		if err != nil {
			return nil, err
		}
		lower, title := words(kind)
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.defs[kind][def.name]; ok {
			return nil, errs.New(errs.StreamTable,
				fmt.Sprintf("Create %s fails: Item %s already exists.", lower, def.name))
		}
		s.defs[kind][def.name] = def
		return fmt.Sprintf("%s %s is created.", title, def.name), nil
	case "DROP":
		if len(f) < 3 {
			return nil, errs.New(errs.Parser, "found EOF, expected a name")
		}
		kind := kindWord(f[1])
		if err := s.Drop(kind, f[2]); err != nil {
			return nil, err
		}
		_, title := words(kind)
		return fmt.Sprintf("%s %s is dropped.", title, f[2]), nil
	case "SHOW":
		return s.List(kindWord(strings.TrimSuffix(strings.ToUpper(f[1]), "S")))
	case "DESCRIBE":
		if len(f) < 3 {
			return nil, errs.New(errs.Parser, "found EOF, expected a name")
		}
		return s.Describe(kindWord(f[1]), f[2])
	}
	return nil, errs.New(errs.Parser, fmt.Sprintf("found %q, expected a stream statement", f[0]))
}

func kindWord(w string) server.Kind {
	if strings.EqualFold(w, "TABLE") {
		return server.Tables
	}
	return server.Streams
}

// Has reports whether a stream or table exists.
func (s *Streams) Has(k server.Kind, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.defs[k][name]
	return ok
}

// List returns the sorted names.
func (s *Streams) List(k server.Kind) ([]string, error) {
	if err := s.failure("List"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.defs[k]))
	for n := range s.defs[k] {
		names = append(names, n)
	}
	slices.Sort(names)
	return names, nil
}

// Details lists name, type and format.
func (s *Streams) Details(k server.Kind) ([]server.StreamDetail, error) {
	if err := s.failure("Details"); err != nil {
		return nil, err
	}
	names, _ := s.List(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]server.StreamDetail, 0, len(names))
	for _, n := range names {
		d := s.defs[k][n]
		typ, format := d.options["type"], d.options["format"]
		if typ == "" {
			typ = "mqtt"
		}
		if format == "" {
			format = "json"
		}
		out = append(out, server.StreamDetail{Name: n, Type: typ, Format: format})
	}
	return out, nil
}

func (s *Streams) lookup(k server.Kind, name string) (*streamDef, error) {
	d, ok := s.defs[k][name]
	if !ok {
		lower, _ := words(k)
		return nil, errs.New(errs.NotFound, fmt.Sprintf("%s %s is not found", lower, name))
	}
	return d, nil
}

// Describe returns eKuiper's description shape.
func (s *Streams) Describe(k server.Kind, name string) (any, error) {
	if err := s.failure("Describe"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.lookup(k, name)
	if err != nil {
		return nil, err
	}
	return Description{Name: d.name, StreamFields: d.fields, Options: d.options, StreamType: int(k)}, nil
}

// Replace swaps the definition of an existing stream.
func (s *Streams) Replace(k server.Kind, name, sql string) error {
	if err := s.failure("Replace"); err != nil {
		return err
	}
	kind, def, err := parseCreate(sql)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.lookup(k, name); err != nil {
		return err
	}
	if kind != k || def.name != name {
		lower, _ := words(k)
		return errs.New(errs.StreamTable, fmt.Sprintf("Replace %s fails: the statement defines %s, not %s", lower, def.name, name))
	}
	s.defs[k][name] = def
	return nil
}

// Drop removes a stream no rule reads.
func (s *Streams) Drop(k server.Kind, name string) error {
	if err := s.failure("Drop"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.lookup(k, name); err != nil {
		return err
	}
	if s.inUse != nil && s.inUse(name) {
		lower, _ := words(k)
		return errs.New(errs.StreamTable, fmt.Sprintf("%s %s has been referenced by other rules", lower, name))
	}
	delete(s.defs[k], name)
	return nil
}

// Schema returns {field: {"type": name}}.
func (s *Streams) Schema(k server.Kind, name string) (any, error) {
	if err := s.failure("Schema"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.lookup(k, name)
	if err != nil {
		return nil, err
	}
	names := map[int]string{}
	for n, id := range typeIDs {
		names[id] = n
	}
	out := map[string]map[string]string{}
	for _, f := range d.fields {
		out[f.Name] = map[string]string{"type": names[f.FieldType.Type]}
	}
	return out, nil
}

// Rules is an in-memory server.RuleService. Set the Query fields before
// serving.
type Rules struct {
	failures
	streams *Streams
	mu      sync.Mutex
	rules   map[string]*ruleState

	// QueryRows are emitted, in order, by every Query.
	QueryRows []json.RawMessage
	// QueryWait makes Query wait for its context after the rows.
	QueryWait bool
	// QueryErrAfterRows is returned by Query after the rows.
	QueryErrAfterRows error
}

type ruleState struct {
	def     json.RawMessage
	name    string
	status  string
	sources []string
	tags    []string
}

var _ server.RuleService = (*Rules)(nil)

// NewRules returns an empty rule set whose rules read from streams, which
// may be nil to accept any source. Streams read by a rule cannot be
// dropped.
func NewRules(streams *Streams) *Rules {
	r := &Rules{streams: streams, rules: map[string]*ruleState{}}
	if streams != nil {
		streams.inUse = r.reads
	}
	return r
}

func (r *Rules) reads(stream string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, st := range r.rules {
		if slices.Contains(st.sources, stream) {
			return true
		}
	}
	return false
}

type ruleJSON struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	SQL       string   `json:"sql"`
	Triggered *bool    `json:"triggered"`
	Tags      []string `json:"tags"`
}

// check validates a rule's SQL like eKuiper and returns what it reads.
func (r *Rules) check(sql string) ([]string, error) {
	f := strings.Fields(sql)
	if len(f) == 0 || !strings.EqualFold(f[0], "SELECT") {
		return nil, fmt.Errorf("invalid rule json: SQL %s is not a select statement.", sql)
	}
	var sources []string
	for i := 0; i+1 < len(f); i++ {
		if strings.EqualFold(f[i], "FROM") || strings.EqualFold(f[i], "JOIN") {
			src := strings.TrimRight(f[i+1], ",;")
			if r.streams != nil && !r.streams.Has(server.Streams, src) && !r.streams.Has(server.Tables, src) {
				return nil, fmt.Errorf("fail to get stream %s, please check if stream is created", src)
			}
			sources = append(sources, src)
		}
	}
	return sources, nil
}

func (r *Rules) parse(def json.RawMessage) (ruleJSON, []string, error) {
	var rj ruleJSON
	if err := json.Unmarshal(def, &rj); err != nil {
		return rj, nil, fmt.Errorf("invalid rule json: %v", err)
	}
	if rj.ID == "" {
		return rj, nil, errs.New(errs.Rule, "invalid rule json: missing rule id")
	}
	sources, err := r.check(rj.SQL)
	return rj, sources, err
}

func newState(def json.RawMessage, rj ruleJSON, sources []string) *ruleState {
	st := &ruleState{def: def, name: rj.Name, status: "running", sources: sources, tags: rj.Tags}
	if st.name == "" {
		st.name = rj.ID
	}
	if rj.Triggered != nil && !*rj.Triggered {
		st.status = "stopped"
	}
	return st
}

// Create stores and "starts" a rule.
func (r *Rules) Create(def json.RawMessage) (string, error) {
	if err := r.failure("Create"); err != nil {
		return "", err
	}
	rj, sources, err := r.parse(def)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.rules[rj.ID]; ok {
		return "", errs.New(errs.Rule, fmt.Sprintf("rule %s already exists", rj.ID))
	}
	r.rules[rj.ID] = newState(slices.Clone(def), rj, sources)
	return rj.ID, nil
}

// Validate checks a rule and returns its sources.
func (r *Rules) Validate(def json.RawMessage) ([]string, error) {
	if err := r.failure("Validate"); err != nil {
		return nil, err
	}
	_, sources, err := r.parse(def)
	return sources, err
}

// List returns the rules sorted by id.
func (r *Rules) List() ([]server.RuleSummary, error) {
	if err := r.failure("List"); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, 0, len(r.rules))
	for id := range r.rules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]server.RuleSummary, 0, len(ids))
	for _, id := range ids {
		st := r.rules[id]
		out = append(out, server.RuleSummary{ID: id, Name: st.name, Status: st.status, Tags: st.tags})
	}
	return out, nil
}

func (r *Rules) lookup(id string) (*ruleState, error) {
	st, ok := r.rules[id]
	if !ok {
		return nil, errs.New(errs.NotFound, fmt.Sprintf("rule %s not found", id))
	}
	return st, nil
}

// Get returns the stored JSON.
func (r *Rules) Get(id string) (json.RawMessage, error) {
	if err := r.failure("Get"); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.lookup(id)
	if err != nil {
		return nil, err
	}
	return st.def, nil
}

// Update replaces or creates a rule.
func (r *Rules) Update(id string, def json.RawMessage) error {
	if err := r.failure("Update"); err != nil {
		return err
	}
	rj, sources, err := r.parse(def)
	if err != nil {
		return err
	}
	if rj.ID != id {
		return errs.New(errs.Rule, fmt.Sprintf("rule id %s in the body does not match %s", rj.ID, id))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rules[id] = newState(slices.Clone(def), rj, sources)
	return nil
}

// Delete removes a rule.
func (r *Rules) Delete(id string) error {
	if err := r.failure("Delete"); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.lookup(id); err != nil {
		return err
	}
	delete(r.rules, id)
	return nil
}

func (r *Rules) setStatus(method, id, status string) error {
	if err := r.failure(method); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.lookup(id)
	if err != nil {
		return err
	}
	st.status = status
	return nil
}

// Start marks a rule running.
func (r *Rules) Start(id string) error { return r.setStatus("Start", id, "running") }

// Stop marks a rule stopped.
func (r *Rules) Stop(id string) error { return r.setStatus("Stop", id, "stopped") }

// Restart marks a rule running.
func (r *Rules) Restart(id string) error { return r.setStatus("Restart", id, "running") }

func (r *Rules) status(id string) (json.RawMessage, error) {
	st, err := r.lookup(id)
	if err != nil {
		return nil, err
	}
	msg := ""
	if st.status == "stopped" {
		msg = "canceled manually"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `{"status":%q,"message":%q,"lastStartTimestamp":0,"lastStopTimestamp":0,"nextStartTimestamp":0`, st.status, msg)
	for _, src := range st.sources {
		fmt.Fprintf(&b, `,"source_%s_0_records_in_total":0,"source_%s_0_last_exception":""`, src, src)
	}
	b.WriteString("}")
	return json.RawMessage(b.String()), nil
}

// Status returns a small flat status object.
func (r *Rules) Status(id string) (json.RawMessage, error) {
	if err := r.failure("Status"); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status(id)
}

// StatusAll returns every rule's status.
func (r *Rules) StatusAll() (map[string]json.RawMessage, error) {
	if err := r.failure("StatusAll"); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]json.RawMessage, len(r.rules))
	for id := range r.rules {
		out[id], _ = r.status(id)
	}
	return out, nil
}

// Topo returns sources feeding a project node feeding a log sink.
func (r *Rules) Topo(id string) (json.RawMessage, error) {
	if err := r.failure("Topo"); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.lookup(id)
	if err != nil {
		return nil, err
	}
	srcs := make([]string, len(st.sources))
	edges := map[string][]string{"op_project": {"sink_log_0"}}
	for i, s := range st.sources {
		srcs[i] = "source_" + s
		edges[srcs[i]] = []string{"op_project"}
	}
	return json.Marshal(map[string]any{"sources": srcs, "edges": edges})
}

// Explain returns a one-line plan per source.
func (r *Rules) Explain(id string) (string, error) {
	if err := r.failure("Explain"); err != nil {
		return "", err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.lookup(id)
	if err != nil {
		return "", err
	}
	return "ProjectPlan\n\tDataSourcePlan(" + strings.Join(st.sources, ", ") + ")\n", nil
}

// Query checks sql like Create, emits QueryRows, then waits for ctx when
// QueryWait is set, and returns QueryErrAfterRows.
func (r *Rules) Query(ctx context.Context, sql string, emit func(row []byte) error) error {
	if err := r.failure("Query"); err != nil {
		return err
	}
	if _, err := r.check(sql); err != nil {
		return err
	}
	for _, row := range r.QueryRows {
		if err := emit(row); err != nil {
			return err
		}
	}
	if r.QueryWait {
		<-ctx.Done()
		return nil
	}
	return r.QueryErrAfterRows
}

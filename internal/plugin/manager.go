package plugin

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/sdk/api"
)

// Plugin states shown in listings.
const (
	StatusRunning = "running"
	StatusFailed  = "failed"
)

// LookupFunc opens a plugin file and returns one exported symbol
// (native.Lookup; tests pass a fake).
type LookupFunc func(path, symbol string) (any, error)

// UDF is a function provided by a plugin, as GET /plugins/udfs/{fn}
// answers it.
type UDF struct {
	Name   string `json:"name"`
	Plugin string `json:"plugin"`
}

// UDFProvider is another source of plugin functions (the portable plugin
// manager), listed with the native ones.
type UDFProvider interface {
	UDFs() []UDF
}

// Options configure a Manager.
type Options struct {
	// Env and Funcs receive the plugins' sources, sinks and functions.
	Env   *connector.Env
	Funcs *function.Registry
	// PluginsDir holds sources/, sinks/ and functions/ with the .so files.
	PluginsDir string
	// EtcDir receives the default configuration (sources/<name>.yaml) and
	// metadata (functions/<name>.json) of installed plugins.
	EtcDir string
	// Logger; nil discards.
	Logger *slog.Logger
	// Lookup opens plugins; nil makes every load fail (no native support).
	Lookup LookupFunc
	// AllowInstallScript lets packages run their install.sh
	// (plugin.allowInstallScript).
	AllowInstallScript bool
	// MaxPackageBytes bounds downloaded and unpacked packages; 0 means
	// DefaultMaxPackageBytes.
	MaxPackageBytes int64
	// InstallScriptTimeout bounds install.sh; 0 means 5 minutes.
	InstallScriptTimeout time.Duration
	// HTTPClient downloads http(s) packages; nil is http.DefaultClient.
	HTTPClient *http.Client
	// InUse names the rules that use a plugin's source, sink or function;
	// nil means none do.
	InUse func(kind Kind, names []string) []string
}

// Info describes a native plugin, as GET /plugins/{type}/{name} answers.
type Info struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Status is "running" (registered) or "failed" (Error says why).
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// File is the .so file, relative to the plugins folder.
	File string `json:"file"`
	// Functions lists the SQL functions of a function plugin.
	Functions []string `json:"functions,omitempty"`
}

type record struct {
	kind    Kind
	name    string // registry name: LcFirst(symbol)
	symbol  string
	version string
	path    string
	err     error
	funcs   []string // function plugins: registered functions
}

func (r *record) info(pluginsDir string) Info {
	rel, err := filepath.Rel(pluginsDir, r.path)
	if err != nil {
		rel = r.path
	}
	in := Info{Name: r.name, Version: r.version, Status: StatusRunning, File: filepath.ToSlash(rel), Functions: slices.Clone(r.funcs)}
	if r.err != nil {
		in.Status = StatusFailed
		in.Error = r.err.Error()
	}
	return in
}

// Manager loads, installs and removes native plugins.
type Manager struct {
	o      Options
	logger *slog.Logger

	mu      sync.Mutex
	plugins map[Kind]map[string]*record // by lower-case name
	others  []UDFProvider
}

// NewManager returns a manager; call LoadAll to load the plugins found on
// disk.
func NewManager(o Options) *Manager {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxPackageBytes <= 0 {
		o.MaxPackageBytes = DefaultMaxPackageBytes
	}
	if o.InstallScriptTimeout <= 0 {
		o.InstallScriptTimeout = 5 * time.Minute
	}
	if o.Lookup == nil {
		o.Lookup = func(string, string) (any, error) {
			return nil, errors.New("native plugins are not supported by this build")
		}
	}
	m := &Manager{o: o, logger: o.Logger, plugins: map[Kind]map[string]*record{}}
	for _, k := range Kinds() {
		m.plugins[k] = map[string]*record{}
	}
	return m
}

// AddUDFProvider lists the functions of p with the native ones.
func (m *Manager) AddUDFProvider(p UDFProvider) {
	m.mu.Lock()
	m.others = append(m.others, p)
	m.mu.Unlock()
}

func (m *Manager) dir(k Kind) string { return filepath.Join(m.o.PluginsDir, string(k)) }

// LoadAll loads every plugin under the plugins folder. A plugin that fails
// is logged and listed as failed; the others load regardless.
func (m *Manager) LoadAll() {
	for _, k := range Kinds() {
		entries, err := os.ReadDir(m.dir(k))
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				m.logger.Error("read plugin folder", "folder", m.dir(k), "error", err)
			}
			continue
		}
		best := map[string]*record{}
		var order []string
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".so") {
				continue
			}
			path := filepath.Join(m.dir(k), e.Name())
			so, err := ParseSoName(e.Name())
			if err != nil {
				name := strings.TrimSuffix(e.Name(), ".so")
				name, _, _ = strings.Cut(name, "@")
				r := &record{kind: k, name: name, symbol: name, path: path, err: err}
				m.logger.Error("plugin refused", "type", k.Singular(), "file", path, "error", err)
				m.mu.Lock()
				if _, ok := m.plugins[k][strings.ToLower(name)]; !ok {
					m.plugins[k][strings.ToLower(name)] = r
				}
				m.mu.Unlock()
				continue
			}
			key := strings.ToLower(so.Symbol)
			old, ok := best[key]
			if !ok {
				order = append(order, key)
			}
			if !ok || CompareVersions(so.Version, old.version) > 0 {
				best[key] = &record{kind: k, name: LcFirst(so.Symbol), symbol: so.Symbol, version: so.Version, path: path}
			}
		}
		for _, key := range order {
			r := best[key]
			if err := m.load(r); err != nil {
				r.err = err
				m.logger.Error("load plugin", "type", k.Singular(), "file", r.path, "error", err)
			} else {
				m.logger.Info("plugin loaded", "type", k.Singular(), "name", r.name, "version", r.version, "file", r.path)
			}
			m.mu.Lock()
			m.plugins[k][key] = r
			m.mu.Unlock()
		}
	}
}

// load opens r's file and registers what it exports. On error nothing
// stays registered.
func (m *Manager) load(r *record) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("plugin file %s: %w", r.path, err)
		}
	}()
	lookup := func(symbol string) (sym any, err error) {
		err = guard(r.kind.Singular()+"s/"+r.symbol, "load", func() error {
			var e error
			sym, e = m.o.Lookup(r.path, symbol)
			return e
		})
		return sym, err
	}
	label := string(r.kind) + "/" + r.symbol
	switch r.kind {
	case Source:
		sym, err := lookup(r.symbol)
		if err != nil {
			return err
		}
		fs, err := sourceFromSymbol(sym)
		if err != nil {
			return fmt.Errorf("symbol %s: %w", r.symbol, err)
		}
		spec := connector.Spec{Description: "Source plugin " + r.name}
		if fs.source != nil {
			f := fs.source
			return m.o.Env.RegisterSource(r.name, spec, func() api.Source {
				var s api.Source
				if err := guard(label, "constructor", func() error { s = f(); return nil }); err != nil || s == nil {
					return &failedSource{err: fmt.Errorf("plugin %s: constructor: %v", label, err)}
				}
				return GuardSource(label, s)
			})
		}
		f := fs.lookup
		return m.o.Env.RegisterLookupSource(r.name, spec, func() api.LookupSource {
			return GuardLookupSource(label, f())
		})
	case Sink:
		sym, err := lookup(r.symbol)
		if err != nil {
			return err
		}
		f, err := sinkFromSymbol(sym)
		if err != nil {
			return fmt.Errorf("symbol %s: %w", r.symbol, err)
		}
		return m.o.Env.RegisterSink(r.name, connector.Spec{Description: "Sink plugin " + r.name}, func() api.Sink {
			var s api.Sink
			if err := guard(label, "constructor", func() error { s = f(); return nil }); err != nil || s == nil {
				return &failedSink{err: fmt.Errorf("plugin %s: constructor: %v", label, err)}
			}
			return GuardSink(label, s)
		})
	case Function:
		names, err := m.functionList(r)
		if err != nil {
			return err
		}
		var done []string
		for _, fn := range names {
			if err := m.registerFunction(r, fn, lookup); err != nil {
				for _, d := range done {
					m.o.Funcs.Unregister(d)
				}
				return err
			}
			done = append(done, fn)
		}
		r.funcs = done
		return nil
	}
	return fmt.Errorf("unknown plugin kind %q", r.kind)
}

func (m *Manager) registerFunction(r *record, fn string, lookup func(string) (any, error)) error {
	symbol := UcFirst(fn)
	sym, err := lookup(symbol)
	if err != nil {
		return fmt.Errorf("function %s: %w", fn, err)
	}
	var f api.Function
	err = guard("functions/"+r.symbol, "constructor", func() error {
		var e error
		f, e = functionFromSymbol(sym)
		return e
	})
	if err != nil {
		return fmt.Errorf("symbol %s: %w", symbol, err)
	}
	if err := m.o.Funcs.Register(FunctionSpec(fn, r.name, f, m.logger.With("plugin", r.name))); err != nil {
		return fmt.Errorf("function %s: %w", fn, err)
	}
	return nil
}

// functionList returns the functions a function plugin exports: the
// "functions" list of its metadata (etc/functions/<name>.json or .yaml, or
// a <Symbol>.json/.yaml beside the .so), or the plugin's own name.
func (m *Manager) functionList(r *record) ([]string, error) {
	dirs := []string{filepath.Join(m.o.EtcDir, "functions"), filepath.Dir(r.path)}
	for _, d := range dirs {
		for _, base := range []string{r.name, r.symbol} {
			for _, ext := range []string{".json", ".yaml", ".yml"} {
				p := filepath.Join(d, base+ext)
				b, err := os.ReadFile(p)
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				if err != nil {
					return nil, err
				}
				names, err := parseFunctionList(b, ext == ".json")
				if err != nil {
					return nil, fmt.Errorf("metadata %s: %w", p, err)
				}
				if len(names) > 0 {
					return names, nil
				}
			}
		}
	}
	return []string{r.name}, nil
}

// parseFunctionList reads {"functions": ["a", "b"]} or
// {"functions": [{"name": "a", ...}]} (eKuiper's UI metadata).
func parseFunctionList(b []byte, isJSON bool) ([]string, error) {
	var doc struct {
		Functions []any `json:"functions" yaml:"functions"`
	}
	var err error
	if isJSON {
		err = json.Unmarshal(b, &doc)
	} else {
		err = yaml.Unmarshal(b, &doc)
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range doc.Functions {
		var name string
		switch t := f.(type) {
		case string:
			name = t
		case map[string]any:
			name, _ = t["name"].(string)
		}
		if name == "" {
			return nil, fmt.Errorf("functions: entry %v has no name", f)
		}
		if err := CheckSymbol(UcFirst(name)); err != nil {
			return nil, fmt.Errorf("function %q: %w", name, err)
		}
		out = append(out, name)
	}
	return out, nil
}

// unregister removes what r registered.
func (m *Manager) unregister(r *record) {
	if r.err != nil {
		return
	}
	switch r.kind {
	case Source:
		if !m.o.Env.UnregisterSource(r.name) {
			m.o.Env.UnregisterLookupSource(r.name)
		}
	case Sink:
		m.o.Env.UnregisterSink(r.name)
	case Function:
		for _, f := range r.funcs {
			m.o.Funcs.Unregister(f)
		}
	}
}

// List returns the names of the plugins of kind k, sorted, failed ones
// included.
func (m *Manager) List(k Kind) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.plugins[k]))
	for _, r := range m.plugins[k] {
		out = append(out, r.name)
	}
	sort.Strings(out)
	return out
}

// Describe returns a plugin's information.
func (m *Manager) Describe(k Kind, name string) (Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.plugins[k][strings.ToLower(name)]
	if !ok {
		return Info{}, errs.With(errs.NotFound, fmt.Errorf("%s plugin %s is not found", k.Singular(), name))
	}
	return r.info(m.o.PluginsDir), nil
}

// InstallRequest is the body of POST /plugins/{type}.
type InstallRequest struct {
	Name string `json:"name"`
	// File is the package URL: file:///path/x.zip, http(s)://.../x.zip.
	File string `json:"file"`
	// ShellParas are the arguments of install.sh.
	ShellParas []string `json:"shellParas,omitempty"`
	// Functions lists the functions of a function plugin, when its
	// package has no metadata saying so.
	Functions []string `json:"functions,omitempty"`
}

// Install downloads, checks, unpacks and loads a plugin package. The zip
// holds Name.so (or Name@vX.Y.Z.so) where Name is UcFirst(name), and may
// hold name.yaml (default configuration of a source or sink, installed
// under etc/<type>/), name.json (metadata, installed beside it) and
// install.sh (run only when allowed). On failure nothing is left behind.
func (m *Manager) Install(ctx context.Context, k Kind, req InstallRequest) error {
	if err := CheckName(req.Name); err != nil {
		return errs.With(errs.Undefined, err)
	}
	name := req.Name
	symbol := UcFirst(name)
	if err := CheckSymbol(symbol); err != nil {
		return errs.With(errs.Undefined, err)
	}
	m.mu.Lock()
	old, exists := m.plugins[k][strings.ToLower(LcFirst(symbol))]
	m.mu.Unlock()
	if exists && old.err == nil {
		return errs.With(errs.Undefined, fmt.Errorf("%s plugin %s already exists: delete it first", k.Singular(), old.name))
	}
	if req.File == "" {
		return errs.With(errs.Undefined, fmt.Errorf("%w: the file URL is missing", ErrPackage))
	}
	zipPath, err := Fetch(ctx, m.o.HTTPClient, req.File, m.o.MaxPackageBytes)
	if err != nil {
		return errs.With(errs.IO, err)
	}
	defer os.Remove(zipPath)
	pkg, err := OpenPackage(zipPath, m.o.MaxPackageBytes)
	if err != nil {
		return errs.With(errs.Undefined, err)
	}
	defer pkg.Close()

	// Check the entries before writing anything.
	var so *Entry
	var soFile SoFile
	var conf, meta, script *Entry
	var extra []Entry
	lname := LcFirst(name)
	for i := range pkg.Entries {
		e := &pkg.Entries[i]
		switch {
		case strings.HasSuffix(e.Name, ".so") && !strings.Contains(e.Name, "/"):
			f, err := ParseSoName(e.Name)
			if err != nil {
				return errs.With(errs.Undefined, fmt.Errorf("%w: %v", ErrPackage, err))
			}
			if f.Symbol != symbol {
				return errs.With(errs.Undefined, fmt.Errorf("%w: %s does not match the plugin name %s: expected %s.so", ErrPackage, e.Name, name, symbol))
			}
			if so != nil {
				return errs.With(errs.Undefined, fmt.Errorf("%w: more than one .so file (%s, %s)", ErrPackage, so.Name, e.Name))
			}
			so, soFile = e, f
		case (e.Name == lname+".yaml" || e.Name == lname+".yml" || e.Name == name+".yaml") && k != Function:
			conf = e
		case e.Name == lname+".json" || e.Name == name+".json":
			meta = e
		case e.Name == "install.sh":
			script = e
		default:
			extra = append(extra, *e)
		}
	}
	if so == nil {
		return errs.With(errs.Undefined, fmt.Errorf("%w: no %s.so (or %s@vX.Y.Z.so) at the root of the zip", ErrPackage, symbol, symbol))
	}
	if len(extra) > 0 && script == nil {
		return errs.With(errs.Undefined, fmt.Errorf("%w: unexpected entry %q: a package holds %s.so, %s.yaml, %s.json and install.sh with its files", ErrPackage, extra[0].Name, symbol, lname, lname))
	}
	if script != nil && !m.o.AllowInstallScript {
		return errs.With(errs.Undefined, fmt.Errorf("%w: the package has an install.sh, which this server does not run: set plugin.allowInstallScript to true", ErrPackage))
	}

	var written []string
	cleanup := func() {
		for _, p := range written {
			os.Remove(p)
		}
	}
	soPath := filepath.Join(m.dir(k), so.Name)
	if err := pkg.Extract(*so, soPath, 0o755); err != nil {
		cleanup()
		return errs.With(errs.IO, err)
	}
	written = append(written, soPath)
	if conf != nil {
		p := filepath.Join(m.o.EtcDir, string(k), lname+".yaml")
		if err := pkg.Extract(*conf, p, 0o644); err != nil {
			cleanup()
			return errs.With(errs.IO, err)
		}
		written = append(written, p)
	}
	if meta != nil {
		p := filepath.Join(m.o.EtcDir, string(k), lname+".json")
		if err := pkg.Extract(*meta, p, 0o644); err != nil {
			cleanup()
			return errs.With(errs.IO, err)
		}
		written = append(written, p)
	} else if k == Function && len(req.Functions) > 0 {
		p, err := m.writeFunctionList(lname, req.Functions)
		if err != nil {
			cleanup()
			return errs.With(errs.IO, err)
		}
		written = append(written, p)
	}
	if script != nil {
		if err := m.runInstallScript(ctx, pkg, lname, req.ShellParas); err != nil {
			cleanup()
			return errs.With(errs.Undefined, err)
		}
	}
	r := &record{kind: k, name: LcFirst(symbol), symbol: symbol, version: soFile.Version, path: soPath}
	if err := m.load(r); err != nil {
		cleanup()
		return errs.With(errs.Undefined, err)
	}
	m.mu.Lock()
	m.plugins[k][strings.ToLower(r.name)] = r
	m.mu.Unlock()
	m.logger.Info("plugin installed", "type", k.Singular(), "name", r.name, "version", r.version, "file", soPath)
	return nil
}

func (m *Manager) writeFunctionList(lname string, fns []string) (string, error) {
	for _, f := range fns {
		if err := CheckSymbol(UcFirst(f)); err != nil {
			return "", fmt.Errorf("function %q: %w", f, err)
		}
	}
	p := filepath.Join(m.o.EtcDir, "functions", lname+".json")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	b, _ := json.MarshalIndent(map[string]any{"functions": fns}, "", "  ")
	return p, os.WriteFile(p, b, 0o644)
}

// runInstallScript unpacks the whole package into a temporary folder and
// runs install.sh there with the shell parameters, logging its output
// line by line.
func (m *Manager) runInstallScript(ctx context.Context, pkg *Package, name string, args []string) error {
	dir, err := os.MkdirTemp("", "kuiper-install-"+name+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := pkg.ExtractAll(dir); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.o.InstallScriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", append([]string{"install.sh"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KUIPER_PLUGINS_DIR="+m.o.PluginsDir, "KUIPER_ETC_DIR="+m.o.EtcDir)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			m.logger.Info("install.sh", "plugin", name, "line", sc.Text())
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	err = cmd.Run()
	pw.Close()
	<-logged
	if err != nil {
		return fmt.Errorf("install.sh of plugin %s failed: %w", name, err)
	}
	return nil
}

// Delete unregisters a plugin and removes its files. It is refused while a
// rule uses the plugin's source, sink or functions. The code of a loaded
// .so stays in memory until kuiperd restarts (Go cannot unload plugins),
// but nothing can use it any more.
func (m *Manager) Delete(k Kind, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.plugins[k][strings.ToLower(name)]
	if !ok {
		return errs.With(errs.NotFound, fmt.Errorf("%s plugin %s is not found", k.Singular(), name))
	}
	names := []string{r.name}
	if k == Function {
		names = r.funcs
	}
	if m.o.InUse != nil && r.err == nil {
		if rules := m.o.InUse(k, names); len(rules) > 0 {
			return errs.With(errs.Undefined, fmt.Errorf("%s plugin %s is %w by rules %s: delete or change them first", k.Singular(), r.name, ErrInUse, strings.Join(rules, ", ")))
		}
	}
	m.unregister(r)
	delete(m.plugins[k], strings.ToLower(name))
	os.Remove(r.path)
	lname := LcFirst(r.name)
	for _, ext := range []string{".yaml", ".json"} {
		os.Remove(filepath.Join(m.o.EtcDir, string(k), lname+ext))
	}
	m.logger.Info("plugin deleted", "type", k.Singular(), "name", r.name)
	return nil
}

// RegisterFunctions sets the functions a function plugin exports (POST
// /plugins/functions/{name}/register): it saves the list in
// etc/functions/<name>.json and registers the functions not registered
// yet.
func (m *Manager) RegisterFunctions(name string, fns []string) error {
	if len(fns) == 0 {
		return errs.With(errs.Undefined, errors.New("the functions list is empty"))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.plugins[Function][strings.ToLower(name)]
	if !ok {
		return errs.With(errs.NotFound, fmt.Errorf("function plugin %s is not found", name))
	}
	if r.err != nil {
		return errs.With(errs.Undefined, fmt.Errorf("function plugin %s failed to load: %v", name, r.err))
	}
	if _, err := m.writeFunctionList(LcFirst(r.name), fns); err != nil {
		return errs.With(errs.IO, err)
	}
	lookup := func(symbol string) (any, error) { return m.o.Lookup(r.path, symbol) }
	for _, fn := range fns {
		if slices.ContainsFunc(r.funcs, func(s string) bool { return strings.EqualFold(s, fn) }) {
			continue
		}
		if err := m.registerFunction(r, fn, lookup); err != nil {
			return errs.With(errs.Undefined, fmt.Errorf("plugin file %s: %w", r.path, err))
		}
		r.funcs = append(r.funcs, fn)
	}
	return nil
}

// UDFs lists every plugin function (native and from the providers),
// sorted by name.
func (m *Manager) UDFs() []UDF {
	m.mu.Lock()
	var out []UDF
	for _, r := range m.plugins[Function] {
		for _, f := range r.funcs {
			out = append(out, UDF{Name: f, Plugin: r.name})
		}
	}
	others := slices.Clone(m.others)
	m.mu.Unlock()
	for _, p := range others {
		out = append(out, p.UDFs()...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// UDF returns the plugin providing function fn.
func (m *Manager) UDF(fn string) (UDF, error) {
	for _, u := range m.UDFs() {
		if strings.EqualFold(u.Name, fn) {
			return u, nil
		}
	}
	return UDF{}, errs.With(errs.NotFound, fmt.Errorf("function %s is not provided by a plugin", fn))
}

// failedSource stands in for a source whose constructor failed; the rule
// sees the error when it configures the source.
type failedSource struct{ err error }

func (s *failedSource) Configure(string, map[string]any) error  { return s.err }
func (s *failedSource) Open(api.StreamContext, api.ConsumeFunc) {}
func (s *failedSource) Close(api.StreamContext) error           { return nil }

type failedSink struct{ err error }

func (s *failedSink) Configure(map[string]any) error       { return s.err }
func (s *failedSink) Open(api.StreamContext) error         { return s.err }
func (s *failedSink) Collect(api.StreamContext, any) error { return s.err }
func (s *failedSink) Close(api.StreamContext) error        { return nil }

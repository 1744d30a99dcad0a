// Package portable runs Kuiper's out-of-process ("portable") plugins: an
// executable and a JSON manifest in plugins/portable/<name>/, started and
// supervised by the host and spoken to over its standard input and output
// with the line-delimited JSON protocol of sdk/portable
// (docs/extensions/portable-protocol.md). Their sources, sinks and
// functions are registered in the same registries as the built-ins.
package portable

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/plugin"
	"github.com/kuiperio/kuiper/sdk/api"
)

// Options configure a Manager.
type Options struct {
	Env   *connector.Env
	Funcs *function.Registry
	// Dir holds one folder per plugin (plugins/portable).
	Dir    string
	Logger *slog.Logger
	// PythonBin runs Python plugins (portable.pythonBin).
	PythonBin string
	// InitTimeout bounds the start and handshake (portable.initTimeout);
	// 0 means 5s.
	InitTimeout time.Duration
	// CallTimeout bounds one request (open, collect, call, ping); 0 means
	// 10s.
	CallTimeout time.Duration
	// RestartBackoff is the first wait before restarting a crashed
	// plugin, doubled up to MaxBackoff; 0 means 1s and 30s.
	RestartBackoff, MaxBackoff time.Duration
	// HealthInterval is how often a running plugin is pinged; 0 means
	// 10s.
	HealthInterval time.Duration
	// SourceBuffer is the number of source messages buffered per
	// instance; 0 means 1024.
	SourceBuffer int
	// MaxPackageBytes bounds installed packages.
	MaxPackageBytes int64
	HTTPClient      *http.Client
	// InUse names the rules using any of the given source types, sink
	// types or functions; nil means none.
	InUse func(sources, sinks, functions []string) []string
}

// Info describes a portable plugin, as GET /plugins/portables/{name}
// answers.
type Info struct {
	Name       string   `json:"name"`
	Version    string   `json:"version"`
	Language   string   `json:"language"`
	Executable string   `json:"executable"`
	Sources    []string `json:"sources"`
	Sinks      []string `json:"sinks"`
	Functions  []string `json:"functions"`
}

// Manager installs, runs and removes portable plugins.
type Manager struct {
	o      Options
	logger *slog.Logger
	ids    atomic.Uint64

	mu      sync.Mutex
	plugins map[string]*Plugin
}

// NewManager returns a manager; LoadAll starts the installed plugins.
func NewManager(o Options) *Manager {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.PythonBin == "" {
		o.PythonBin = "python3"
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.InitTimeout, 5*time.Second)
	def(&o.CallTimeout, 10*time.Second)
	def(&o.RestartBackoff, time.Second)
	def(&o.MaxBackoff, 30*time.Second)
	def(&o.HealthInterval, 10*time.Second)
	if o.SourceBuffer <= 0 {
		o.SourceBuffer = 1024
	}
	return &Manager{o: o, logger: o.Logger, plugins: map[string]*Plugin{}}
}

// LoadAll starts every plugin folder under Dir; a plugin that fails is
// logged, and retried with back-off when its process fails.
func (m *Manager) LoadAll() {
	entries, err := os.ReadDir(m.o.Dir)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			m.logger.Error("read portable plugin folder", "folder", m.o.Dir, "error", err)
		}
		return
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if err := m.load(e.Name()); err != nil {
			m.logger.Error("load portable plugin", "plugin", e.Name(), "error", err)
		}
	}
}

// load reads a plugin's manifest, starts it, waits for the first start
// attempt and registers what it provides.
func (m *Manager) load(name string) error {
	dir := filepath.Join(m.o.Dir, name)
	man, err := readManifest(dir, name)
	if err != nil {
		return err
	}
	p := newPlugin(m, man, dir)
	m.mu.Lock()
	if _, ok := m.plugins[name]; ok {
		m.mu.Unlock()
		return fmt.Errorf("portable plugin %s already exists", name)
	}
	m.plugins[name] = p
	m.mu.Unlock()
	go p.supervise()
	select {
	case <-p.started:
	case <-time.After(m.o.InitTimeout + time.Second):
	}
	if err := m.register(p); err != nil {
		p.Stop()
		m.mu.Lock()
		delete(m.plugins, name)
		m.mu.Unlock()
		return err
	}
	return nil
}

// register adds the plugin's sources, sinks and functions to the
// registries; on error nothing stays registered.
func (m *Manager) register(p *Plugin) (err error) {
	var undo []func()
	defer func() {
		if err != nil {
			for _, u := range undo {
				u()
			}
		}
	}()
	label := "portable/" + p.man.Name
	for _, s := range p.man.Sources {
		sym := s
		if err := m.o.Env.RegisterSource(s, connector.Spec{Description: "Portable plugin " + p.man.Name}, func() api.Source {
			return plugin.GuardSource(label, &source{p: p, symbol: sym})
		}); err != nil {
			return err
		}
		undo = append(undo, func() { m.o.Env.UnregisterSource(sym) })
	}
	for _, s := range p.man.Sinks {
		sym := s
		if err := m.o.Env.RegisterSink(s, connector.Spec{Description: "Portable plugin " + p.man.Name}, func() api.Sink {
			return plugin.GuardSink(label, &sink{p: p, symbol: sym})
		}); err != nil {
			return err
		}
		undo = append(undo, func() { m.o.Env.UnregisterSink(sym) })
	}
	p.mu.Lock()
	infos := p.functions
	p.mu.Unlock()
	for _, f := range p.man.Functions {
		fn := &remoteFunc{p: p, symbol: f}
		for _, i := range infos {
			if i.Name == f {
				fn.aggregate = i.Aggregate
			}
		}
		if err := m.o.Funcs.Register(plugin.FunctionSpec(f, p.man.Name, fn, p.logger)); err != nil {
			return fmt.Errorf("portable plugin %s: %w", p.man.Name, err)
		}
		name := f
		undo = append(undo, func() { m.o.Funcs.Unregister(name) })
	}
	return nil
}

func (m *Manager) unregister(p *Plugin) {
	for _, s := range p.man.Sources {
		m.o.Env.UnregisterSource(s)
	}
	for _, s := range p.man.Sinks {
		m.o.Env.UnregisterSink(s)
	}
	for _, f := range p.man.Functions {
		m.o.Funcs.Unregister(f)
	}
}

func (m *Manager) get(name string) (*Plugin, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.plugins[name]
	if !ok {
		return nil, errs.With(errs.NotFound, fmt.Errorf("portable plugin %s is not found", name))
	}
	return p, nil
}

// Plugin returns a running plugin by name.
func (m *Manager) Plugin(name string) (*Plugin, error) { return m.get(name) }

func (p *Plugin) info() Info {
	nz := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return Info{Name: p.man.Name, Version: p.man.Version, Language: p.man.Language, Executable: p.man.Executable,
		Sources: nz(p.man.Sources), Sinks: nz(p.man.Sinks), Functions: nz(p.man.Functions)}
}

// List describes every plugin, sorted by name.
func (m *Manager) List() []Info {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Info, 0, len(m.plugins))
	for _, p := range m.plugins {
		out = append(out, p.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Describe describes one plugin.
func (m *Manager) Describe(name string) (Info, error) {
	p, err := m.get(name)
	if err != nil {
		return Info{}, err
	}
	return p.info(), nil
}

// Status returns a plugin's process status.
func (m *Manager) Status(name string) (Status, error) {
	p, err := m.get(name)
	if err != nil {
		return Status{}, err
	}
	return p.Status(), nil
}

// UDFs lists the portable functions for GET /plugins/udfs.
func (m *Manager) UDFs() []plugin.UDF {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []plugin.UDF
	for _, p := range m.plugins {
		for _, f := range p.man.Functions {
			out = append(out, plugin.UDF{Name: f, Plugin: p.man.Name})
		}
	}
	return out
}

// Install downloads a package (a zip holding <name>.json, the executable
// and its files), unpacks it into Dir/<name>/ and starts it.
func (m *Manager) Install(ctx context.Context, req plugin.InstallRequest) error {
	if err := plugin.CheckName(req.Name); err != nil {
		return errs.With(errs.Undefined, err)
	}
	m.mu.Lock()
	_, exists := m.plugins[req.Name]
	m.mu.Unlock()
	if exists {
		return errs.With(errs.Undefined, fmt.Errorf("portable plugin %s already exists: delete it first", req.Name))
	}
	dir := filepath.Join(m.o.Dir, req.Name)
	if _, err := os.Stat(dir); err == nil {
		return errs.With(errs.Undefined, fmt.Errorf("the folder %s already exists", dir))
	}
	tmp, man, err := m.prepare(ctx, req)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Rename(tmp, dir); err != nil {
		return errs.With(errs.IO, err)
	}
	if err := m.load(req.Name); err != nil {
		os.RemoveAll(dir)
		return errs.With(errs.Undefined, err)
	}
	p, _ := m.get(req.Name)
	if st := p.Status(); st.Status != StatusRunning {
		m.Delete(req.Name)
		return errs.With(errs.Undefined, fmt.Errorf("portable plugin %s does not start: %s", req.Name, st.ErrMsg))
	}
	m.logger.Info("portable plugin installed", "plugin", req.Name, "version", man.Version)
	return nil
}

// prepare downloads and checks a package and unpacks it into a temporary
// folder under Dir, which the caller removes or renames.
func (m *Manager) prepare(ctx context.Context, req plugin.InstallRequest) (string, *Manifest, error) {
	zipPath, err := plugin.Fetch(ctx, m.o.HTTPClient, req.File, m.o.MaxPackageBytes)
	if err != nil {
		return "", nil, errs.With(errs.IO, err)
	}
	defer os.Remove(zipPath)
	pkg, err := plugin.OpenPackage(zipPath, m.o.MaxPackageBytes)
	if err != nil {
		return "", nil, errs.With(errs.Undefined, err)
	}
	defer pkg.Close()
	if _, ok := pkg.Find(req.Name + ".json"); !ok {
		return "", nil, errs.With(errs.Undefined, fmt.Errorf("%w: no %s.json manifest at the root of the zip", plugin.ErrPackage, req.Name))
	}
	if err := os.MkdirAll(m.o.Dir, 0o755); err != nil {
		return "", nil, errs.With(errs.IO, err)
	}
	tmp, err := os.MkdirTemp(m.o.Dir, "."+req.Name+"-")
	if err != nil {
		return "", nil, errs.With(errs.IO, err)
	}
	fail := func(err error) (string, *Manifest, error) {
		os.RemoveAll(tmp)
		return "", nil, err
	}
	if err := pkg.ExtractAll(tmp); err != nil {
		return fail(errs.With(errs.Undefined, err))
	}
	man, err := readManifest(tmp, req.Name)
	if err != nil {
		return fail(errs.With(errs.Undefined, fmt.Errorf("%w: %v", plugin.ErrPackage, err)))
	}
	exe := filepath.Join(tmp, filepath.FromSlash(man.Executable))
	if _, err := os.Stat(exe); err != nil {
		return fail(errs.With(errs.Undefined, fmt.Errorf("%w: the executable %s is not in the zip", plugin.ErrPackage, man.Executable)))
	}
	if !man.isPython() {
		if err := os.Chmod(exe, 0o755); err != nil {
			return fail(errs.With(errs.IO, err))
		}
	}
	return tmp, man, nil
}

// Update replaces an installed plugin by a new package of the same name
// providing the same sources, sinks and functions, without touching the
// rules: the running process is stopped, the new one started, and the open
// source and sink instances are opened in it. If the new version does not
// start, the old one is put back.
func (m *Manager) Update(ctx context.Context, req plugin.InstallRequest) error {
	p, err := m.get(req.Name)
	if err != nil {
		return err
	}
	tmp, man, err := m.prepare(ctx, req)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	same := func(a, b []string) bool {
		a, b = slices.Clone(a), slices.Clone(b)
		slices.Sort(a)
		slices.Sort(b)
		return slices.Equal(a, b)
	}
	if !same(man.Sources, p.man.Sources) || !same(man.Sinks, p.man.Sinks) || !same(man.Functions, p.man.Functions) {
		return errs.With(errs.Undefined, fmt.Errorf("an update of portable plugin %s must provide the same sources, sinks and functions; delete it and install the new one instead", req.Name))
	}
	old := tmp + ".old"
	if err := os.Rename(p.dir, old); err != nil {
		return errs.With(errs.IO, err)
	}
	defer os.RemoveAll(old)
	if err := os.Rename(tmp, p.dir); err != nil {
		_ = os.Rename(old, p.dir)
		return errs.With(errs.IO, err)
	}
	p.mu.Lock()
	prev := p.man
	p.man.Version, p.man.Language, p.man.Executable = man.Version, man.Language, man.Executable
	p.mu.Unlock()
	if err := p.restartAndWait(); err != nil {
		m.logger.Error("updated portable plugin does not start; putting the previous version back", "plugin", req.Name, "error", err)
		_ = os.RemoveAll(p.dir)
		_ = os.Rename(old, p.dir)
		p.mu.Lock()
		p.man.Version, p.man.Language, p.man.Executable = prev.Version, prev.Language, prev.Executable
		p.mu.Unlock()
		_ = p.restartAndWait()
		return errs.With(errs.Undefined, fmt.Errorf("portable plugin %s: the new version does not start: %v", req.Name, err))
	}
	m.logger.Info("portable plugin updated", "plugin", req.Name, "version", man.Version)
	return nil
}

// Delete stops a plugin, unregisters it and removes its folder. It is
// refused while rules use it or instances are open.
func (m *Manager) Delete(name string) error {
	p, err := m.get(name)
	if err != nil {
		return err
	}
	if m.o.InUse != nil {
		if rules := m.o.InUse(p.man.Sources, p.man.Sinks, p.man.Functions); len(rules) > 0 {
			return errs.With(errs.Undefined, fmt.Errorf("portable plugin %s is %w by rules %s: delete or change them first", name, plugin.ErrInUse, strings.Join(rules, ", ")))
		}
	}
	if n := p.Status().RefCount; n > 0 {
		return errs.With(errs.Undefined, fmt.Errorf("portable plugin %s is %w: %d instances are open", name, plugin.ErrInUse, n))
	}
	m.unregister(p)
	p.Stop()
	m.mu.Lock()
	delete(m.plugins, name)
	m.mu.Unlock()
	if err := os.RemoveAll(p.dir); err != nil {
		return errs.With(errs.IO, err)
	}
	m.logger.Info("portable plugin deleted", "plugin", name)
	return nil
}

// Close stops every plugin process.
func (m *Manager) Close() {
	m.mu.Lock()
	list := make([]*Plugin, 0, len(m.plugins))
	for _, p := range m.plugins {
		list = append(list, p)
	}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Stop()
		}()
	}
	wg.Wait()
}

package servertest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/internal/server"
)

// Plugins is an in-memory server.PluginService: installing records the
// request, nothing is downloaded or loaded. A file URL containing "bad"
// fails the install.
type Plugins struct {
	failures
	mu        sync.Mutex
	installed map[string]server.PluginInstall // kind/name
	funcs     map[string]string               // function -> plugin
}

// NewPlugins returns an empty Plugins.
func NewPlugins() *Plugins {
	return &Plugins{installed: map[string]server.PluginInstall{}, funcs: map[string]string{}}
}

var _ server.PluginService = (*Plugins)(nil)

// InstallPlugin implements server.PluginService.
func (p *Plugins) InstallPlugin(_ context.Context, kind string, req server.PluginInstall) error {
	if err := p.failure("InstallPlugin"); err != nil {
		return err
	}
	if strings.Contains(req.File, "bad") {
		return errs.New(errs.Undefined, "invalid plugin package: not a zip file")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	key := kind + "/" + req.Name
	if _, ok := p.installed[key]; ok {
		return errs.New(errs.Undefined, fmt.Sprintf("%s plugin %s already exists", strings.TrimSuffix(kind, "s"), req.Name))
	}
	p.installed[key] = req
	if kind == "functions" {
		fns := req.Functions
		if len(fns) == 0 {
			fns = []string{req.Name}
		}
		for _, f := range fns {
			p.funcs[f] = req.Name
		}
	}
	return nil
}

// ListPlugins implements server.PluginService.
func (p *Plugins) ListPlugins(kind string) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for k := range p.installed {
		if name, ok := strings.CutPrefix(k, kind+"/"); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (p *Plugins) notFound(kind, name string) error {
	return errs.New(errs.NotFound, fmt.Sprintf("%s plugin %s is not found", strings.TrimSuffix(kind, "s"), name))
}

// DescribePlugin implements server.PluginService.
func (p *Plugins) DescribePlugin(kind, name string) (any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.installed[kind+"/"+name]; !ok {
		return nil, p.notFound(kind, name)
	}
	return map[string]string{"name": name, "version": "", "status": "running"}, nil
}

// DeletePlugin implements server.PluginService.
func (p *Plugins) DeletePlugin(kind, name string) error {
	if err := p.failure("DeletePlugin"); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.installed[kind+"/"+name]; !ok {
		return p.notFound(kind, name)
	}
	delete(p.installed, kind+"/"+name)
	for f, pl := range p.funcs {
		if pl == name && kind == "functions" {
			delete(p.funcs, f)
		}
	}
	return nil
}

// RegisterFunctions implements server.PluginService.
func (p *Plugins) RegisterFunctions(name string, fns []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.installed["functions/"+name]; !ok {
		return p.notFound("functions", name)
	}
	for _, f := range fns {
		p.funcs[f] = name
	}
	return nil
}

// UDFs implements server.PluginService.
func (p *Plugins) UDFs() ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for f := range p.funcs {
		out = append(out, f)
	}
	sort.Strings(out)
	return out, nil
}

// UDF implements server.PluginService.
func (p *Plugins) UDF(name string) (any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pl, ok := p.funcs[name]
	if !ok {
		return nil, errs.New(errs.NotFound, "function "+name+" is not provided by a plugin")
	}
	return map[string]string{"name": name, "plugin": pl}, nil
}

// InstallPortable implements server.PluginService.
func (p *Plugins) InstallPortable(ctx context.Context, req server.PluginInstall) error {
	return p.InstallPlugin(ctx, "portables", req)
}

// ListPortables implements server.PluginService.
func (p *Plugins) ListPortables() (any, error) {
	names, _ := p.ListPlugins("portables")
	out := []map[string]any{}
	for _, n := range names {
		out = append(out, map[string]any{"name": n, "version": "1.0.0"})
	}
	return out, nil
}

// DescribePortable implements server.PluginService.
func (p *Plugins) DescribePortable(name string) (any, error) {
	return p.DescribePlugin("portables", name)
}

// UpdatePortable implements server.PluginService.
func (p *Plugins) UpdatePortable(_ context.Context, req server.PluginInstall) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.installed["portables/"+req.Name]; !ok {
		return p.notFound("portables", req.Name)
	}
	p.installed["portables/"+req.Name] = req
	return nil
}

// DeletePortable implements server.PluginService.
func (p *Plugins) DeletePortable(name string) error { return p.DeletePlugin("portables", name) }

// PortableStatus implements server.PluginService.
func (p *Plugins) PortableStatus(name string) (any, error) {
	if _, err := p.DescribePlugin("portables", name); err != nil {
		return nil, err
	}
	return map[string]any{"refCount": 0, "status": "running", "errMsg": "", "pid": 42}, nil
}

package app

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/plugin"
	"github.com/kuiperio/kuiper/internal/plugin/native"
	"github.com/kuiperio/kuiper/internal/plugin/portable"
	"github.com/kuiperio/kuiper/internal/server"
	"github.com/kuiperio/kuiper/internal/sql/ast"
	"github.com/kuiperio/kuiper/internal/sql/parser"
)

// startPlugins loads the native plugins found under the plugins folder
// into env and funcs. Failures are logged and listed; they never stop the
// server.
func (a *App) startPlugins(env *connector.Env, funcs *function.Registry) {
	a.plugins = plugin.NewManager(plugin.Options{
		Env:                env,
		Funcs:              funcs,
		PluginsDir:         a.home.Plugins(),
		EtcDir:             a.home.Etc(),
		Logger:             a.logger,
		Lookup:             native.Lookup,
		AllowInstallScript: a.cfg.Plugin.AllowInstallScript,
		MaxPackageBytes:    a.cfg.Plugin.MaxPackageSize,
		InUse:              a.rulesUsingPlugin,
	})
	a.plugins.LoadAll()
	a.portables = portable.NewManager(portable.Options{
		Env:             env,
		Funcs:           funcs,
		Dir:             filepath.Join(a.home.Plugins(), "portable"),
		Logger:          a.logger,
		PythonBin:       a.cfg.Portable.PythonBin,
		InitTimeout:     time.Duration(a.cfg.Portable.InitTimeout),
		MaxPackageBytes: a.cfg.Plugin.MaxPackageSize,
		InUse: func(sources, sinks, functions []string) []string {
			ids := a.rulesUsingPlugin(plugin.Source, sources)
			ids = append(ids, a.rulesUsingPlugin(plugin.Sink, sinks)...)
			ids = append(ids, a.rulesUsingPlugin(plugin.Function, functions)...)
			slices.Sort(ids)
			return slices.Compact(ids)
		},
	})
	a.portables.LoadAll()
	a.plugins.AddUDFProvider(a.portables)
}

// stopPlugins stops the portable plugin processes.
func (a *App) stopPlugins() {
	if a.portables != nil {
		a.portables.Close()
		a.portables = nil
	}
}

// rulesUsingPlugin names the rules whose SQL or actions use one of names
// as a source type (through their streams), sink type or function.
func (a *App) rulesUsingPlugin(kind plugin.Kind, names []string) []string {
	if a.rules == nil {
		return nil
	}
	list, err := a.rules.List()
	if err != nil {
		return nil
	}
	uses := func(n string) bool {
		for _, x := range names {
			if strings.EqualFold(x, n) {
				return true
			}
		}
		return false
	}
	var ids []string
	for _, r := range list {
		raw, err := a.rules.Get(r.ID)
		if err != nil {
			continue
		}
		var def struct {
			SQL     string                       `json:"sql"`
			Actions []map[string]json.RawMessage `json:"actions"`
		}
		if json.Unmarshal(raw, &def) != nil {
			continue
		}
		used := false
		switch kind {
		case plugin.Sink:
			for _, act := range def.Actions {
				for typ := range act {
					used = used || uses(typ)
				}
			}
		case plugin.Source, plugin.Function:
			stmt, err := parser.ParseSelect(def.SQL)
			if err != nil {
				continue
			}
			if kind == plugin.Function {
				ast.Inspect(stmt, func(n ast.Node) bool {
					if c, ok := n.(*ast.Call); ok && uses(c.Name) {
						used = true
					}
					return !used
				})
				break
			}
			tables := append([]*ast.Table(nil), stmt.Sources...)
			for _, j := range stmt.Joins {
				tables = append(tables, j.Table)
			}
			for _, t := range tables {
				if d, ok := a.catalog.Lookup(t.Name); ok && uses(d.Props.Type) {
					used = true
				}
			}
		}
		if used {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// pluginService adapts the plugin managers to the REST layer.
type pluginService struct {
	native   *plugin.Manager
	portable *portable.Manager
}

var _ server.PluginService = pluginService{}

func (p pluginService) InstallPlugin(ctx context.Context, kind string, req server.PluginInstall) error {
	k, err := plugin.ParseKind(kind)
	if err != nil {
		return err
	}
	return p.native.Install(ctx, k, plugin.InstallRequest{Name: req.Name, File: req.File, ShellParas: req.ShellParas, Functions: req.Functions})
}

func (p pluginService) ListPlugins(kind string) ([]string, error) {
	k, err := plugin.ParseKind(kind)
	if err != nil {
		return nil, err
	}
	return p.native.List(k), nil
}

func (p pluginService) DescribePlugin(kind, name string) (any, error) {
	k, err := plugin.ParseKind(kind)
	if err != nil {
		return nil, err
	}
	return p.native.Describe(k, name)
}

func (p pluginService) DeletePlugin(kind, name string) error {
	k, err := plugin.ParseKind(kind)
	if err != nil {
		return err
	}
	return p.native.Delete(k, name)
}

func (p pluginService) RegisterFunctions(name string, fns []string) error {
	return p.native.RegisterFunctions(name, fns)
}

func (p pluginService) UDFs() ([]string, error) {
	var out []string
	for _, u := range p.native.UDFs() {
		out = append(out, u.Name)
	}
	return out, nil
}

func (p pluginService) UDF(name string) (any, error) { return p.native.UDF(name) }

func (p pluginService) InstallPortable(ctx context.Context, req server.PluginInstall) error {
	return p.portable.Install(ctx, plugin.InstallRequest{Name: req.Name, File: req.File})
}

func (p pluginService) ListPortables() (any, error) { return p.portable.List(), nil }

func (p pluginService) DescribePortable(name string) (any, error) { return p.portable.Describe(name) }

func (p pluginService) UpdatePortable(ctx context.Context, req server.PluginInstall) error {
	return p.portable.Update(ctx, plugin.InstallRequest{Name: req.Name, File: req.File})
}

func (p pluginService) DeletePortable(name string) error { return p.portable.Delete(name) }

func (p pluginService) PortableStatus(name string) (any, error) { return p.portable.Status(name) }

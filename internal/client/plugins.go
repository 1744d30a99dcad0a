package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// PluginKind is a plugin collection of the REST API.
type PluginKind string

// Plugin collections.
const (
	SourcePlugin   PluginKind = "sources"
	SinkPlugin     PluginKind = "sinks"
	FunctionPlugin PluginKind = "functions"
	// PortablePlugin is the collection of out-of-process plugins.
	PortablePlugin PluginKind = "portables"
)

// ParsePluginKind accepts eKuiper's CLI words (source, sink, function,
// portable) and the plural REST names.
func ParsePluginKind(s string) (PluginKind, error) {
	switch strings.ToLower(s) {
	case "source", "sources":
		return SourcePlugin, nil
	case "sink", "sinks":
		return SinkPlugin, nil
	case "function", "functions":
		return FunctionPlugin, nil
	case "portable", "portables":
		return PortablePlugin, nil
	}
	return "", fmt.Errorf("unknown plugin type %q: expected source, sink, function or portable", s)
}

func (k PluginKind) path() string { return "/plugins/" + string(k) }

func (k PluginKind) item(name string) string { return k.path() + "/" + url.PathEscape(name) }

// PluginInstall is the body that installs a plugin: its name and the URL
// of its zip package (file://, http://, https://).
type PluginInstall struct {
	Name       string   `json:"name"`
	File       string   `json:"file"`
	ShellParas []string `json:"shellParas,omitempty"`
	Functions  []string `json:"functions,omitempty"`
}

// CreatePlugin installs a plugin (POST /plugins/{type}) and returns the
// server's message ("source plugin random is created").
func (c *Client) CreatePlugin(ctx context.Context, kind PluginKind, def json.RawMessage) (string, error) {
	b, err := c.call(ctx, http.MethodPost, kind.path(), def, http.StatusOK, http.StatusCreated)
	return string(b), err
}

// ListPlugins returns the plugin names of a native kind (GET
// /plugins/{type}); use ListPortables for portable plugins.
func (c *Client) ListPlugins(ctx context.Context, kind PluginKind) ([]string, error) {
	var names []string
	err := c.callJSON(ctx, http.MethodGet, kind.path(), nil, &names)
	return names, err
}

// ListPortables returns the portable plugins, one object each (GET
// /plugins/portables).
func (c *Client) ListPortables(ctx context.Context) (json.RawMessage, error) {
	return c.call(ctx, http.MethodGet, PortablePlugin.path(), nil)
}

// DescribePlugin returns a plugin's description (GET
// /plugins/{type}/{name}).
func (c *Client) DescribePlugin(ctx context.Context, kind PluginKind, name string) (json.RawMessage, error) {
	return c.call(ctx, http.MethodGet, kind.item(name), nil)
}

// DropPlugin uninstalls a plugin (DELETE /plugins/{type}/{name}).
func (c *Client) DropPlugin(ctx context.Context, kind PluginKind, name string) (string, error) {
	b, err := c.call(ctx, http.MethodDelete, kind.item(name), nil)
	return string(b), err
}

// UpdatePortable replaces an installed portable plugin by a new package
// (PUT /plugins/portables/{name}); rules using it keep running.
func (c *Client) UpdatePortable(ctx context.Context, name string, def json.RawMessage) (string, error) {
	b, err := c.call(ctx, http.MethodPut, PortablePlugin.item(name), def)
	return string(b), err
}

// PortableStatus returns a portable plugin's {refCount, status, errMsg,
// pid} (GET /plugins/portables/{name}/status).
func (c *Client) PortableStatus(ctx context.Context, name string) (json.RawMessage, error) {
	return c.call(ctx, http.MethodGet, PortablePlugin.item(name)+"/status", nil)
}

// RegisterPluginFunctions sets the functions a function plugin exports
// (POST /plugins/functions/{name}/register).
func (c *Client) RegisterPluginFunctions(ctx context.Context, name string, functions []string) (string, error) {
	body, _ := json.Marshal(map[string][]string{"functions": functions})
	b, err := c.call(ctx, http.MethodPost, FunctionPlugin.item(name)+"/register", body)
	return string(b), err
}

// ListUDFs returns the names of every plugin function (GET /plugins/udfs).
func (c *Client) ListUDFs(ctx context.Context) ([]string, error) {
	var names []string
	err := c.callJSON(ctx, http.MethodGet, "/plugins/udfs", nil, &names)
	return names, err
}

// DescribeUDF returns {name, plugin} for a plugin function (GET
// /plugins/udfs/{name}).
func (c *Client) DescribeUDF(ctx context.Context, name string) (json.RawMessage, error) {
	return c.call(ctx, http.MethodGet, "/plugins/udfs/"+url.PathEscape(name), nil)
}

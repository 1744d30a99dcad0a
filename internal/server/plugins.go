package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/kuiperio/kuiper/internal/errs"
)

// pluginKinds maps the REST collection to the word eKuiper's messages use.
var pluginKinds = map[string]string{"sources": "source", "sinks": "sink", "functions": "function"}

func (s *Server) pluginRoutes() {
	m := s.mux
	m.HandleFunc("GET /plugins/udfs", s.wrap(s.listUDFs))
	m.HandleFunc("GET /plugins/udfs/{name}", s.wrap(s.describeUDF))
	m.HandleFunc("POST /plugins/functions/{name}/register", s.wrap(s.registerFunctions))

	m.HandleFunc("POST /plugins/portables", s.wrap(s.installPortable))
	m.HandleFunc("GET /plugins/portables", s.wrap(s.listPortables))
	m.HandleFunc("GET /plugins/portables/{name}", s.wrap(s.describePortable))
	m.HandleFunc("PUT /plugins/portables/{name}", s.wrap(s.updatePortable))
	m.HandleFunc("DELETE /plugins/portables/{name}", s.wrap(s.deletePortable))
	m.HandleFunc("GET /plugins/portables/{name}/status", s.wrap(s.portableStatus))

	m.HandleFunc("POST /plugins/{type}", s.wrap(s.installPlugin))
	m.HandleFunc("GET /plugins/{type}", s.wrap(s.listPlugins))
	m.HandleFunc("GET /plugins/{type}/{name}", s.wrap(s.describePlugin))
	m.HandleFunc("DELETE /plugins/{type}/{name}", s.wrap(s.deletePlugin))
}

// pluginKind reads and checks the {type} path segment.
func pluginKind(r *http.Request) (kind, word string, err error) {
	kind = r.PathValue("type")
	word, ok := pluginKinds[kind]
	if !ok {
		return "", "", &apiError{status: http.StatusBadRequest, code: errs.Undefined,
			message: fmt.Sprintf("invalid plugin type %q: expected sources, sinks, functions or portables", kind)}
	}
	return kind, word, nil
}

func readInstall(r *http.Request) (PluginInstall, error) {
	var req PluginInstall
	b, err := readBody(r)
	if err != nil {
		return req, err
	}
	if err := json.Unmarshal(b, &req); err != nil {
		return req, decodeError(err)
	}
	if strings.TrimSpace(req.Name) == "" {
		return req, badBody("name is required")
	}
	if strings.TrimSpace(req.File) == "" {
		return req, badBody("file is required")
	}
	return req, nil
}

func (s *Server) installPlugin(r *http.Request) (reply, error) {
	kind, word, err := pluginKind(r)
	if err != nil {
		return reply{}, err
	}
	req, err := readInstall(r)
	if err != nil {
		return reply{}, err
	}
	if err := s.plugins.InstallPlugin(r.Context(), kind, req); err != nil {
		return reply{}, fail(word+" plugin create command error", err)
	}
	return textReply(http.StatusCreated, fmt.Sprintf("%s plugin %s is created", word, req.Name)), nil
}

func (s *Server) listPlugins(r *http.Request) (reply, error) {
	kind, word, err := pluginKind(r)
	if err != nil {
		return reply{}, err
	}
	names, err := s.plugins.ListPlugins(kind)
	if err != nil {
		return reply{}, fail(word+" plugins list command error", err)
	}
	if names == nil {
		names = []string{}
	}
	return jsonReply(http.StatusOK, names)
}

func (s *Server) describePlugin(r *http.Request) (reply, error) {
	kind, word, err := pluginKind(r)
	if err != nil {
		return reply{}, err
	}
	d, err := s.plugins.DescribePlugin(kind, r.PathValue("name"))
	if err != nil {
		return reply{}, fail("describe "+word+" plugin error", err)
	}
	return jsonReply(http.StatusOK, d)
}

func (s *Server) deletePlugin(r *http.Request) (reply, error) {
	kind, word, err := pluginKind(r)
	if err != nil {
		return reply{}, err
	}
	name := r.PathValue("name")
	if err := s.plugins.DeletePlugin(kind, name); err != nil {
		return reply{}, fail("delete "+word+" plugin error", err)
	}
	return textReply(http.StatusOK, fmt.Sprintf("%s plugin %s is deleted", word, name)), nil
}

func (s *Server) registerFunctions(r *http.Request) (reply, error) {
	name := r.PathValue("name")
	b, err := readBody(r)
	if err != nil {
		return reply{}, err
	}
	var body struct {
		Functions []string `json:"functions"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return reply{}, decodeError(err)
	}
	if len(body.Functions) == 0 {
		return reply{}, badBody("functions is required")
	}
	if err := s.plugins.RegisterFunctions(name, body.Functions); err != nil {
		return reply{}, fail("function plugins register functions error", err)
	}
	return textReply(http.StatusOK, fmt.Sprintf("function plugin %s function list is registered", name)), nil
}

func (s *Server) listUDFs(*http.Request) (reply, error) {
	names, err := s.plugins.UDFs()
	if err != nil {
		return reply{}, fail("list udfs error", err)
	}
	if names == nil {
		names = []string{}
	}
	return jsonReply(http.StatusOK, names)
}

func (s *Server) describeUDF(r *http.Request) (reply, error) {
	d, err := s.plugins.UDF(r.PathValue("name"))
	if err != nil {
		return reply{}, fail("describe udf error", err)
	}
	return jsonReply(http.StatusOK, d)
}

func (s *Server) installPortable(r *http.Request) (reply, error) {
	req, err := readInstall(r)
	if err != nil {
		return reply{}, err
	}
	if err := s.plugins.InstallPortable(r.Context(), req); err != nil {
		return reply{}, fail("portable plugin create command error", err)
	}
	return textReply(http.StatusCreated, fmt.Sprintf("portable plugin %s is created", req.Name)), nil
}

func (s *Server) listPortables(*http.Request) (reply, error) {
	list, err := s.plugins.ListPortables()
	if err != nil {
		return reply{}, fail("portable plugins list command error", err)
	}
	return jsonReply(http.StatusOK, list)
}

func (s *Server) describePortable(r *http.Request) (reply, error) {
	d, err := s.plugins.DescribePortable(r.PathValue("name"))
	if err != nil {
		return reply{}, fail("describe portable plugin error", err)
	}
	return jsonReply(http.StatusOK, d)
}

func (s *Server) updatePortable(r *http.Request) (reply, error) {
	name := r.PathValue("name")
	b, err := readBody(r)
	if err != nil {
		return reply{}, err
	}
	var req PluginInstall
	if err := json.Unmarshal(b, &req); err != nil {
		return reply{}, decodeError(err)
	}
	if req.Name == "" {
		req.Name = name
	}
	if req.Name != name {
		return reply{}, badBody("name %q does not match the path's %q", req.Name, name)
	}
	if strings.TrimSpace(req.File) == "" {
		return reply{}, badBody("file is required")
	}
	if err := s.plugins.UpdatePortable(r.Context(), req); err != nil {
		return reply{}, fail("portable plugin update command error", err)
	}
	return textReply(http.StatusOK, fmt.Sprintf("portable plugin %s is updated", name)), nil
}

func (s *Server) deletePortable(r *http.Request) (reply, error) {
	name := r.PathValue("name")
	if err := s.plugins.DeletePortable(name); err != nil {
		return reply{}, fail("delete portable plugin error", err)
	}
	return textReply(http.StatusOK, fmt.Sprintf("portable plugin %s is deleted", name)), nil
}

func (s *Server) portableStatus(r *http.Request) (reply, error) {
	st, err := s.plugins.PortableStatus(r.PathValue("name"))
	if err != nil {
		return reply{}, fail("get portable plugin status error", err)
	}
	return jsonReply(http.StatusOK, st)
}

package server

import (
	"net/http"
)

// FunctionInfo describes one SQL function for GET /functions.
type FunctionInfo struct {
	Name        string            `json:"name"`
	Aliases     []string          `json:"aliases,omitempty"`
	Category    string            `json:"category"`
	Kind        string            `json:"kind"`
	Signature   string            `json:"signature"`
	Returns     string            `json:"returns"`
	Description string            `json:"description"`
	Examples    []FunctionExample `json:"examples,omitempty"`
}

// FunctionExample is an example call and its result.
type FunctionExample struct {
	SQL    string `json:"sql"`
	Result string `json:"result"`
}

// FunctionService lists the SQL functions rules can call (built-ins and
// plugin functions). Errors carry internal/errs codes.
type FunctionService interface {
	// Functions returns every function, sorted by name.
	Functions() []FunctionInfo
	// Function returns the function called name (or an alias), ignoring
	// case.
	Function(name string) (FunctionInfo, bool)
}

func (s *Server) functionRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /functions", s.wrap(s.listFunctions))
	m.HandleFunc("GET /functions/{name}", s.wrap(s.describeFunction))
}

func (s *Server) listFunctions(r *http.Request) (reply, error) {
	list := s.functions.Functions()
	if c := r.URL.Query().Get("category"); c != "" {
		kept := list[:0:0]
		for _, f := range list {
			if f.Category == c {
				kept = append(kept, f)
			}
		}
		list = kept
	}
	return jsonReply(http.StatusOK, list)
}

func (s *Server) describeFunction(r *http.Request) (reply, error) {
	name := r.PathValue("name")
	f, ok := s.functions.Function(name)
	if !ok {
		return reply{}, &apiError{status: http.StatusNotFound, code: 1002, message: "function " + name + " not found"}
	}
	return jsonReply(http.StatusOK, f)
}

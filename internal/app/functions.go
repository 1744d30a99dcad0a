package app

import (
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/server"
)

// functionService lists the function registry for the REST API.
type functionService struct {
	funcs *function.Registry
}

var _ server.FunctionService = functionService{}

func (f functionService) Functions() []server.FunctionInfo {
	specs := f.funcs.All()
	out := make([]server.FunctionInfo, len(specs))
	for i, s := range specs {
		out[i] = functionInfo(s)
	}
	return out
}

func (f functionService) Function(name string) (server.FunctionInfo, bool) {
	s, ok := f.funcs.Lookup(name)
	if !ok {
		return server.FunctionInfo{}, false
	}
	return functionInfo(s), true
}

func functionInfo(s *function.Spec) server.FunctionInfo {
	fi := server.FunctionInfo{
		Name:        s.Name,
		Aliases:     s.Aliases,
		Category:    s.Category,
		Kind:        s.Kind.String(),
		Signature:   s.Signature(),
		Returns:     s.Returns.String(),
		Description: s.Description,
	}
	for _, e := range s.Examples {
		fi.Examples = append(fi.Examples, server.FunctionExample{SQL: e.SQL, Result: e.Result})
	}
	return fi
}

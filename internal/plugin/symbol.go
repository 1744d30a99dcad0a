package plugin

import (
	"fmt"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/sdk/api"
)

// Source factories made from symbols: exactly one of the two is set.
type sourceFactories struct {
	source connector.SourceFactory
	lookup connector.LookupSourceFactory
}

// sourceFromSymbol accepts a constructor (func() api.Source, one instance
// per stream) or a value implementing api.Source (a singleton), and the
// same for api.LookupSource.
func sourceFromSymbol(sym any) (sourceFactories, error) {
	switch s := sym.(type) {
	case func() api.Source:
		return sourceFactories{source: s}, nil
	case *func() api.Source:
		return sourceFactories{source: *s}, nil
	case func() api.LookupSource:
		return sourceFactories{lookup: s}, nil
	case *func() api.LookupSource:
		return sourceFactories{lookup: *s}, nil
	case *api.Source:
		v := *s
		if v == nil {
			return sourceFactories{}, fmt.Errorf("the exported api.Source variable is nil")
		}
		return sourceFactories{source: func() api.Source { return v }}, nil
	case *api.LookupSource:
		v := *s
		if v == nil {
			return sourceFactories{}, fmt.Errorf("the exported api.LookupSource variable is nil")
		}
		return sourceFactories{lookup: func() api.LookupSource { return v }}, nil
	case api.Source:
		return sourceFactories{source: func() api.Source { return s }}, nil
	case api.LookupSource:
		return sourceFactories{lookup: func() api.LookupSource { return s }}, nil
	}
	return sourceFactories{}, fmt.Errorf("the exported symbol is a %T; it must be a func() api.Source, a func() api.LookupSource, or a variable whose value implements one of them", sym)
}

func sinkFromSymbol(sym any) (connector.SinkFactory, error) {
	switch s := sym.(type) {
	case func() api.Sink:
		return s, nil
	case *func() api.Sink:
		return *s, nil
	case *api.Sink:
		v := *s
		if v == nil {
			return nil, fmt.Errorf("the exported api.Sink variable is nil")
		}
		return func() api.Sink { return v }, nil
	case api.Sink:
		return func() api.Sink { return s }, nil
	}
	return nil, fmt.Errorf("the exported symbol is a %T; it must be a func() api.Sink or a variable whose value implements api.Sink", sym)
}

// functionFromSymbol returns the function instance. A constructor is
// called once: function instances are shared by every call site, so they
// must be safe for concurrent use and keep per-call state in the context.
func functionFromSymbol(sym any) (api.Function, error) {
	switch s := sym.(type) {
	case func() api.Function:
		if f := s(); f != nil {
			return f, nil
		}
		return nil, fmt.Errorf("the exported constructor returned nil")
	case *func() api.Function:
		return functionFromSymbol(*s)
	case *api.Function:
		if *s == nil {
			return nil, fmt.Errorf("the exported api.Function variable is nil")
		}
		return *s, nil
	case api.Function:
		return s, nil
	}
	return nil, fmt.Errorf("the exported symbol is a %T; it must be a func() api.Function or a variable whose value implements api.Function", sym)
}

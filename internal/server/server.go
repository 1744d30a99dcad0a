// Package server is Kuiper's REST API: eKuiper's paths, status codes,
// plain-text success messages and {"error": code, "message": ...} error
// bodies, served over net/http's ServeMux. It drives a StreamService and a
// RuleService and is the only place that turns internal/errs codes into
// HTTP status codes.
package server

import (
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/kuiperio/kuiper/internal/clock"
)

// DefaultMaxBodyBytes is the request body limit used when
// Options.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 1 << 20

// Options configures the REST API.
type Options struct {
	// Streams and Rules are the services the API drives. Both are
	// required.
	Streams StreamService
	Rules   RuleService
	// Logger receives request logs (Debug), client errors (Debug) and
	// server errors and recovered panics (Error). Nil discards them.
	Logger *slog.Logger
	// Version is reported by GET /.
	Version string
	// StartTime is when the server started, for GET /'s upTimeSeconds.
	// Zero means the time New is called.
	StartTime time.Time
	// Clock tells the time for upTimeSeconds. Nil means the wall clock.
	Clock clock.Clock
	// MaxBodyBytes limits request bodies; larger bodies are answered
	// with 413. Zero means DefaultMaxBodyBytes, a negative value no limit.
	MaxBodyBytes int64
	// Metrics, when set, is mounted at GET /metrics (a Prometheus
	// exposition handler).
	Metrics http.Handler
	// Plugins, when set, serves the /plugins routes.
	Plugins PluginService
	// Functions, when set, serves GET /functions and /functions/{name}.
	Functions FunctionService
}

// Server is the REST API handler. It is safe for concurrent use; the
// caller runs it with its own http.Server.
type Server struct {
	streams   StreamService
	rules     RuleService
	log       *slog.Logger
	version   string
	start     time.Time
	clock     clock.Clock
	maxBody   int64
	mux       *http.ServeMux
	plugins   PluginService
	functions FunctionService
}

// New returns the REST API handler for opts. It panics when a service is
// missing, which is a wiring mistake.
func New(opts Options) *Server {
	if opts.Streams == nil || opts.Rules == nil {
		panic("server: Options.Streams and Options.Rules are required")
	}
	s := &Server{
		streams:   opts.Streams,
		rules:     opts.Rules,
		log:       opts.Logger,
		version:   opts.Version,
		start:     opts.StartTime,
		clock:     opts.Clock,
		maxBody:   opts.MaxBodyBytes,
		mux:       http.NewServeMux(),
		plugins:   opts.Plugins,
		functions: opts.Functions,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.clock == nil {
		s.clock = clock.Real()
	}
	if s.start.IsZero() {
		s.start = s.clock.Now()
	}
	if s.maxBody == 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	s.routes(opts.Metrics)
	return s
}

func (s *Server) routes(metrics http.Handler) {
	m := s.mux
	m.HandleFunc("GET /{$}", s.wrap(s.info))
	m.HandleFunc("GET /ping", s.wrap(s.ping))
	if metrics != nil {
		m.Handle("GET /metrics", metrics)
	}

	for _, c := range []struct {
		kind             Kind
		plural, singular string
	}{{Streams, "streams", "stream"}, {Tables, "tables", "table"}} {
		k := c.kind
		m.HandleFunc("POST /"+c.plural, s.wrap(s.execStream(k)))
		m.HandleFunc("GET /"+c.plural, s.wrap(s.listStreams(k)))
		m.HandleFunc("GET /"+c.singular+"details", s.wrap(s.streamDetails(k)))
		m.HandleFunc("GET /"+c.plural+"/{name}", s.wrap(s.describeStream(k)))
		m.HandleFunc("PUT /"+c.plural+"/{name}", s.wrap(s.replaceStream(k)))
		m.HandleFunc("DELETE /"+c.plural+"/{name}", s.wrap(s.dropStream(k)))
		m.HandleFunc("GET /"+c.plural+"/{name}/schema", s.wrap(s.streamSchema(k)))
	}

	m.HandleFunc("POST /rules", s.wrap(s.createRule))
	m.HandleFunc("GET /rules", s.wrap(s.listRules))
	m.HandleFunc("POST /rules/validate", s.wrap(s.validateRule))
	m.HandleFunc("GET /rules/status/all", s.wrap(s.allRuleStatus))
	m.HandleFunc("GET /rules/{id}", s.wrap(s.getRule))
	m.HandleFunc("PUT /rules/{id}", s.wrap(s.updateRule))
	m.HandleFunc("DELETE /rules/{id}", s.wrap(s.deleteRule))
	m.HandleFunc("POST /rules/{id}/start", s.wrap(s.startRule))
	m.HandleFunc("POST /rules/{id}/stop", s.wrap(s.stopRule))
	m.HandleFunc("POST /rules/{id}/restart", s.wrap(s.restartRule))
	m.HandleFunc("GET /rules/{id}/status", s.wrap(s.ruleStatus))
	m.HandleFunc("GET /v2/rules/{id}/status", s.wrap(s.ruleStatusV2))
	m.HandleFunc("GET /rules/{id}/topo", s.wrap(s.ruleTopo))
	m.HandleFunc("GET /rules/{id}/explain", s.wrap(s.explainRule))

	m.HandleFunc("POST /query", s.query)

	if s.plugins != nil {
		s.pluginRoutes()
	}
	if s.functions != nil {
		s.functionRoutes(m)
	}
}

// ServeHTTP serves one request: it limits the body, routes, answers
// unknown routes with a JSON error, recovers panics into a 500 and logs the
// request at Debug.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	rw := &responseWriter{ResponseWriter: w}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic in REST handler", "method", r.Method, "path", r.URL.Path,
				"panic", p, "stack", string(debug.Stack()))
			if !rw.wrote {
				writeError(rw, &apiError{status: http.StatusInternalServerError, code: 1000,
					message: "internal server error"})
			}
		}
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			s.log.LogAttrs(r.Context(), slog.LevelDebug, "http request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rw.statusCode()), slog.Duration("duration", time.Since(began)))
		}
	}()
	if r.Body != nil && s.maxBody > 0 {
		// The original writer, so an oversized body also closes the
		// connection.
		r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.noRoute(rw, r)
		return
	}
	s.mux.ServeHTTP(rw, r)
}

// noRoute answers a request no route matches with a JSON 404, or 405 (with
// the Allow header the mux computed) when the path exists for other methods.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	h, _ := s.mux.Handler(r)
	probe := &probeWriter{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, code: 1000,
			message: "method " + r.Method + " not allowed on " + r.URL.Path})
		return
	}
	writeError(w, &apiError{status: http.StatusNotFound, code: 1002,
		message: "no route for " + r.Method + " " + r.URL.Path})
}

// handler computes the single answer to a request.
type handler func(r *http.Request) (reply, error)

// wrap turns h into an http.HandlerFunc that writes h's answer exactly
// once.
func (s *Server) wrap(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rep, err := h(r)
		if err != nil {
			s.writeFailure(w, r, err)
			return
		}
		rep.write(w)
	}
}

func (s *Server) writeFailure(w http.ResponseWriter, r *http.Request, err error) {
	ae := asAPIError(err)
	level := slog.LevelDebug
	if ae.status >= 500 {
		level = slog.LevelError
	}
	s.log.Log(r.Context(), level, "REST request failed", "method", r.Method, "path", r.URL.Path,
		"status", ae.status, "code", int(ae.code), "error", ae.message)
	writeError(w, ae)
}

type info struct {
	Version       string `json:"version"`
	OS            string `json:"os"`
	Arch          string `json:"arch"`
	UpTimeSeconds int64  `json:"upTimeSeconds"`
}

func (s *Server) info(*http.Request) (reply, error) {
	return jsonReply(http.StatusOK, info{
		Version:       s.version,
		OS:            runtime.GOOS,
		Arch:          runtime.GOARCH,
		UpTimeSeconds: int64(s.clock.Now().Sub(s.start) / time.Second),
	})
}

func (s *Server) ping(*http.Request) (reply, error) {
	return reply{status: http.StatusOK}, nil
}

// responseWriter records whether and what the handler wrote, so a
// recovered panic only answers 500 when nothing was written yet.
type responseWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *responseWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status = code
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status = http.StatusOK
		w.wrote = true
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer's
// Flush and deadlines.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *responseWriter) statusCode() int {
	if !w.wrote {
		return http.StatusOK
	}
	return w.status
}

// probeWriter captures what the mux's own 404/405 handler would answer.
type probeWriter struct {
	header http.Header
	status int
}

func (p *probeWriter) Header() http.Header { return p.header }
func (p *probeWriter) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}
func (p *probeWriter) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

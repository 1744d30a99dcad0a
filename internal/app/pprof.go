package app

import (
	"errors"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// startPprof serves Go's profiling endpoints on basic.pprofIp:pprofPort
// when basic.pprof is on. It is off by default: profiles expose internals.
func (a *App) startPprof() error {
	if !a.cfg.Basic.Pprof {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	l, err := net.Listen("tcp", a.cfg.Basic.PprofAddr())
	if err != nil {
		return err
	}
	a.pprof = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := a.pprof.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.logger.Warn("pprof server stopped", "error", err)
		}
	}()
	a.logger.Info("pprof enabled", "addr", l.Addr().String())
	return nil
}

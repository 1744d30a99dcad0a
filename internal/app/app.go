// Package app is the composition root of kuiperd: it reads the
// configuration, opens the store, builds the registries and managers,
// starts the embedded broker when needed, restores rules and serves the
// REST API, and shuts all of it down in order.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"time"

	"github.com/kuiperio/kuiper/internal/broker"
	"github.com/kuiperio/kuiper/internal/catalog"
	"github.com/kuiperio/kuiper/internal/clock"
	"github.com/kuiperio/kuiper/internal/conf"
	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/connector/builtin"
	"github.com/kuiperio/kuiper/internal/connector/memory"
	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/logging"
	"github.com/kuiperio/kuiper/internal/plugin"
	"github.com/kuiperio/kuiper/internal/plugin/portable"
	"github.com/kuiperio/kuiper/internal/rule"
	"github.com/kuiperio/kuiper/internal/server"
	"github.com/kuiperio/kuiper/internal/store"
	"github.com/kuiperio/kuiper/internal/topo"
)

// Version is the server version reported by GET /.
var Version = "0.1.0-dev"

// Options configure an App beyond the config file.
type Options struct {
	// Home is the home folder (etc/, data/, log/, plugins/); "" resolves
	// it from KUIPER_HOME or the working directory.
	Home string
	// Environ supplies KUIPER__ overrides (os.Environ() in kuiperd).
	Environ []string
	// RESTAddr, when set, overrides basic.restIp/restPort (":0" picks a
	// free port).
	RESTAddr string
	// MQTTServer, when set, overrides mqtt.server.
	MQTTServer string
	// Logger, when set, replaces the configured logger (tests).
	Logger *slog.Logger
	// Clock drives every timer; nil is the wall clock.
	Clock clock.Clock
}

// App is a running kuiperd.
type App struct {
	cfg       *conf.Config
	home      conf.Home
	logger    *slog.Logger
	logClose  io.Closer
	store     *store.Store
	broker    *broker.Broker
	mqttURL   string
	catalog   *catalog.Catalog
	rules     *rule.Manager
	sources   *topo.SourceManager
	plugins   *plugin.Manager
	portables *portable.Manager
	http      *http.Server
	pprof     *http.Server
	listener  net.Listener
	served    chan error
}

// Start builds and starts everything. On error, whatever was started is
// stopped again.
func Start(opts Options) (a *App, err error) {
	home, err := conf.ResolveHome(opts.Home, opts.Environ)
	if err != nil {
		return nil, err
	}
	if err := home.Ensure(); err != nil {
		return nil, err
	}
	cfg, err := conf.LoadFile(home.ConfigFile(), opts.Environ)
	if err != nil {
		return nil, err
	}
	a = &App{cfg: cfg, home: home, served: make(chan error, 1)}
	defer func() {
		if err != nil {
			a.shutdown(context.Background())
			a = nil
		}
	}()
	if opts.Logger != nil {
		a.logger = opts.Logger
	} else {
		a.logger, a.logClose, err = logging.New(logging.LogConfig{
			Level:            cfg.Basic.Level(),
			Format:           cfg.Basic.LogFormat,
			Console:          cfg.Basic.ConsoleLog,
			File:             cfg.Basic.FileLog,
			DisableTimestamp: cfg.Basic.LogDisableTimestamp,
		}, home.Log())
		if err != nil {
			return a, err
		}
	}
	for _, k := range cfg.Unknown {
		a.logger.Warn("unknown config key ignored", "key", k)
	}
	clk := opts.Clock
	if clk == nil {
		clk = clock.Real()
	}

	a.mqttURL = cfg.MQTT.Server
	if opts.MQTTServer != "" {
		a.mqttURL = opts.MQTTServer
	}
	if err := a.startBroker(); err != nil {
		return a, err
	}

	a.store, err = store.Open(cfg.Store.File(home.Data()), store.Options{})
	if err != nil {
		return a, err
	}
	env := connector.NewEnv()
	if err := builtin.Register(env, builtin.Options{Hub: memory.NewHub(memory.HubOptions{})}); err != nil {
		return a, err
	}
	funcs := function.Builtins()
	a.startPlugins(env, funcs)

	a.catalog, err = catalog.Open(a.store.Table("streams"), func(d *catalog.Def) error {
		if d.Kind == 0 || d.Props.Kind != "lookup" {
			if _, _, ok := env.Source(d.Props.Type); !ok {
				return fmt.Errorf("unknown source type %q", d.Props.Type)
			}
		}
		return nil
	})
	if err != nil {
		return a, err
	}
	a.sources = topo.NewSourceManager(env, home.Etc(), a.logger, clk)
	a.sources.MaxMessageSize = cfg.Basic.MaxMessageSize
	a.sources.Defaults = map[string]map[string]any{"mqtt": {"server": a.mqttURL}}
	loc, err := cfg.Basic.Location()
	if err != nil {
		return a, err
	}
	a.rules, err = rule.NewManager(rule.Config{
		KV:          a.store.Table("rules"),
		Checkpoints: a.store.Table("checkpoints"),
		Catalog:     a.catalog,
		Funcs:       funcs,
		Deps: topo.Deps{Sources: a.sources, Env: env, Logger: a.logger, Clock: clk,
			SinkDefaults: map[string]map[string]any{"mqtt": {"server": a.mqttURL}},
			Location:     loc},
		Defaults: ruleDefaults(cfg),
	})
	if err != nil {
		return a, err
	}
	a.rules.Restore()
	if err := a.startPprof(); err != nil {
		return a, fmt.Errorf("start pprof: %w", err)
	}

	addr := opts.RESTAddr
	if addr == "" {
		addr = net.JoinHostPort(cfg.Basic.RestIP, fmt.Sprint(cfg.Basic.RestPort))
	}
	a.listener, err = net.Listen("tcp", addr)
	if err != nil {
		return a, fmt.Errorf("listen for REST on %s: %w", addr, err)
	}
	handler := server.New(server.Options{
		Streams:   &streamService{cat: a.catalog},
		Rules:     ruleService{a.rules},
		Plugins:   pluginService{native: a.plugins, portable: a.portables},
		Logger:    a.logger,
		Version:   buildVersion(),
		StartTime: time.Now(),
		Metrics:   metricsHandler(a.rules),
		Functions: functionService{funcs: funcs},
	})
	a.http = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		var err error
		if tls := cfg.Basic.RestTLS; tls != nil && tls.Certfile != "" {
			err = a.http.ServeTLS(a.listener, tls.Certfile, tls.Keyfile)
		} else {
			err = a.http.Serve(a.listener)
		}
		if !errors.Is(err, http.ErrServerClosed) {
			a.served <- err
		}
		close(a.served)
	}()
	a.logger.Info("kuiperd started", "version", Version, "rest", "http://"+a.listener.Addr().String(), "mqtt", a.mqttURL, "home", home.Root)
	return a, nil
}

// startBroker starts the embedded MQTT broker when the configuration asks
// for it, or when it says "auto" and nothing answers at the MQTT address.
func (a *App) startBroker() error {
	mode := a.cfg.MQTT.EmbeddedBroker
	if mode == conf.BrokerNever {
		return nil
	}
	u, err := url.Parse(a.mqttURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("mqtt.server %q is not a URL like tcp://127.0.0.1:1883", a.mqttURL)
	}
	if mode == conf.BrokerAuto && u.Port() != "0" && broker.Probe(u.Host, time.Second) {
		return nil
	}
	b, err := broker.Start(u.Host, a.logger)
	if err != nil {
		return fmt.Errorf("start embedded MQTT broker: %w", err)
	}
	a.broker = b
	a.mqttURL = b.URL()
	a.logger.Info("embedded MQTT broker started", "addr", b.Addr())
	return nil
}

func ruleDefaults(cfg *conf.Config) rule.Options {
	r := cfg.Rule
	o := rule.DefaultOptions()
	o.IsEventTime = r.IsEventTime
	o.LateTolerance = rule.Duration(r.LateTolerance)
	if r.Concurrency > 0 {
		o.Concurrency = r.Concurrency
	}
	if r.BufferLength > 0 {
		o.BufferLength = r.BufferLength
	}
	o.SendMetaToSink = r.SendMetaToSink
	o.SendError = r.SendError
	o.SendNilField = r.SendNilField
	o.Qos = r.Qos
	if r.CheckpointInterval > 0 {
		o.CheckpointInterval = rule.Duration(r.CheckpointInterval)
	}
	o.DisableBufferFullDiscard = r.DisableBufferFullDiscard
	o.Debug = r.Debug
	if r.WindowMaxRows > 0 {
		o.WindowMaxRows = r.WindowMaxRows
	}
	if r.WindowMaxGroups > 0 {
		o.WindowMaxGroups = r.WindowMaxGroups
	}
	rs := r.RestartStrategy
	o.RestartStrategy.Attempts = rs.Attempts
	if rs.Delay > 0 {
		o.RestartStrategy.Delay = rule.Duration(rs.Delay)
	}
	if rs.Multiplier > 0 {
		o.RestartStrategy.Multiplier = rs.Multiplier
	}
	if rs.MaxDelay > 0 {
		o.RestartStrategy.MaxDelay = rule.Duration(rs.MaxDelay)
	}
	o.RestartStrategy.JitterFactor = rs.JitterFactor
	return o
}

// RESTURL is the base URL of the REST API.
func (a *App) RESTURL() string { return "http://" + a.listener.Addr().String() }

// MQTTURL is the broker address rules use by default.
func (a *App) MQTTURL() string { return a.mqttURL }

// Logger returns the server's logger.
func (a *App) Logger() *slog.Logger { return a.logger }

// Wait blocks until ctx is done or the REST server fails, then shuts down
// gracefully within the configured timeout.
func (a *App) Wait(ctx context.Context) error {
	var err error
	select {
	case <-ctx.Done():
	case err = <-a.served:
	}
	timeout := time.Duration(a.cfg.Basic.GracefulShutdownTimeout)
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if serr := a.shutdown(sctx); err == nil {
		err = serr
	}
	return err
}

// Close shuts the server down.
func (a *App) Close() error { return a.shutdown(context.Background()) }

// shutdown stops the REST server, then the rules (flushing their sinks),
// then the store and the broker.
func (a *App) shutdown(ctx context.Context) error {
	var errs []error
	if a.http != nil {
		if err := a.http.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
		a.http = nil
	}
	if a.pprof != nil {
		_ = a.pprof.Close()
		a.pprof = nil
	}
	if a.rules != nil {
		a.rules.StopAll()
		a.rules = nil
	}
	a.stopPlugins()
	if a.store != nil {
		if err := a.store.Close(); err != nil {
			errs = append(errs, err)
		}
		a.store = nil
	}
	if a.broker != nil {
		if err := a.broker.Close(); err != nil {
			errs = append(errs, err)
		}
		a.broker = nil
	}
	if a.logger != nil {
		a.logger.Info("kuiperd stopped")
	}
	if a.logClose != nil {
		_ = a.logClose.Close()
		a.logClose = nil
	}
	return errors.Join(errs...)
}

// buildVersion reads the module version when built from a tagged module.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}

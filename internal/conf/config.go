// Package conf holds kuiperd's server configuration: the etc/kuiper.yaml
// file, its KUIPER__SECTION__KEY environment overrides, the defaults, the
// validation, and the layout of the home directory.
//
// Keys follow eKuiper's kuiper.yaml (camelCase, matched without regard to
// case). Keys Kuiper does not know are not errors, so an eKuiper file loads
// as is: they are listed in Config.Unknown for the caller to log.
package conf

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// Config is the whole server configuration.
type Config struct {
	Basic    Basic        `yaml:"basic"`
	MQTT     MQTT         `yaml:"mqtt"`
	Rule     RuleDefaults `yaml:"rule"`
	Sink     SinkDefaults `yaml:"sink"`
	Source   Source       `yaml:"source"`
	Store    Store        `yaml:"store"`
	Portable Portable     `yaml:"portable"`
	Plugin   Plugin       `yaml:"plugin"`

	// Unknown lists, in the order met, the keys of the file and the
	// environment that Kuiper does not know ("basic.syslog",
	// "KUIPER__BASIC__FOO"). They are ignored; the caller should log them
	// as warnings once its logger is up.
	Unknown []string `yaml:"-"`

	// origins maps a key path ("basic.restPort") to where its value came
	// from, for error messages.
	origins map[string]string
}

// Basic holds the server-wide settings.
type Basic struct {
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"logLevel"`
	// Debug forces the debug log level.
	Debug bool `yaml:"debug"`
	// ConsoleLog writes the log to standard error.
	ConsoleLog bool `yaml:"consoleLog"`
	// FileLog writes the log to log/kuiper.log under the home directory.
	FileLog bool `yaml:"fileLog"`
	// LogFormat is text or json.
	LogFormat string `yaml:"logFormat"`
	// LogDisableTimestamp leaves the time out of log records, for log
	// collectors that add their own.
	LogDisableTimestamp bool `yaml:"logDisableTimestamp"`

	// RestIP and RestPort are the REST API's listen address.
	RestIP   string `yaml:"restIp"`
	RestPort int    `yaml:"restPort"`
	// RestTLS, when set, serves the REST API over TLS.
	RestTLS *TLS `yaml:"restTls"`
	// Authentication requires a JWT (RS256, public keys in etc/mgmt) on
	// every REST call.
	Authentication bool `yaml:"authentication"`

	// IgnoreCase makes SQL field names case-insensitive.
	IgnoreCase bool `yaml:"ignoreCase"`

	// Prometheus serves /metrics on PrometheusPort.
	Prometheus     bool `yaml:"prometheus"`
	PrometheusPort int  `yaml:"prometheusPort"`
	// Pprof serves net/http/pprof on PprofIP:PprofPort.
	Pprof     bool   `yaml:"pprof"`
	PprofIP   string `yaml:"pprofIp"`
	PprofPort int    `yaml:"pprofPort"`

	// GracefulShutdownTimeout bounds how long shutdown waits for rules to
	// flush their sinks and checkpoints.
	GracefulShutdownTimeout Duration `yaml:"gracefulShutdownTimeout"`
	// RulePatrolInterval is how often the rule patrol restarts failed rules
	// and starts or stops scheduled ones.
	RulePatrolInterval Duration `yaml:"rulePatrolInterval"`
	// MaxMessageSize is the largest message, in bytes, a source accepts;
	// larger ones are dropped and counted.
	MaxMessageSize int `yaml:"maxMessageSize"`
	// Timezone is an IANA zone name ("Europe/Paris", "UTC") or "Local"
	// for the machine's zone; date and time functions and day windows
	// use it.
	Timezone string `yaml:"timezone"`
}

// TLS names a certificate and its private key (PEM files).
type TLS struct {
	Certfile string `yaml:"certfile"`
	Keyfile  string `yaml:"keyfile"`
}

// Embedded broker modes for MQTT.EmbeddedBroker.
const (
	BrokerAuto   = "auto"
	BrokerAlways = "always"
	BrokerNever  = "never"
)

// MQTT holds the broker kuiperd uses by default.
type MQTT struct {
	// Server is the broker address MQTT connectors use unless their conf
	// key names another.
	Server string `yaml:"server"`
	// EmbeddedBroker is "auto" (start one on Server's address when no
	// broker answers there), "always" or "never".
	EmbeddedBroker string `yaml:"embeddedBroker"`
}

// RuleDefaults are the rule options a rule gets when it leaves them out.
// The JSON tags are the rule options' names, so a rule's "options" object
// can be unmarshaled over a copy of these defaults.
type RuleDefaults struct {
	IsEventTime              bool            `yaml:"isEventTime" json:"isEventTime"`
	LateTolerance            Duration        `yaml:"lateTolerance" json:"lateTolerance"`
	Concurrency              int             `yaml:"concurrency" json:"concurrency"`
	BufferLength             int             `yaml:"bufferLength" json:"bufferLength"`
	SendMetaToSink           bool            `yaml:"sendMetaToSink" json:"sendMetaToSink"`
	SendError                bool            `yaml:"sendError" json:"sendError"`
	Qos                      int             `yaml:"qos" json:"qos"`
	CheckpointInterval       Duration        `yaml:"checkpointInterval" json:"checkpointInterval"`
	RestartStrategy          RestartStrategy `yaml:"restartStrategy" json:"restartStrategy"`
	SendNilField             bool            `yaml:"sendNilField" json:"sendNilField"`
	DisableBufferFullDiscard bool            `yaml:"disableBufferFullDiscard" json:"disableBufferFullDiscard"`
	Debug                    bool            `yaml:"debug" json:"debug"`
	// WindowMaxRows bounds the rows one window instance buffers and
	// WindowMaxGroups the groups (or state-window partitions) it keeps;
	// the excess is dropped and counted. Kuiper's own options.
	WindowMaxRows   int `yaml:"windowMaxRows" json:"windowMaxRows"`
	WindowMaxGroups int `yaml:"windowMaxGroups" json:"windowMaxGroups"`
}

// DefaultWindowMax is the default of RuleDefaults.WindowMaxRows and
// WindowMaxGroups.
const DefaultWindowMax = 100_000

// RestartStrategy says how a failed rule is restarted: up to Attempts times
// (0: never), waiting Delay, then Delay*Multiplier and so on up to
// MaxDelay, each wait varied by ±JitterFactor.
type RestartStrategy struct {
	Attempts     int      `yaml:"attempts" json:"attempts"`
	Delay        Duration `yaml:"delay" json:"delay"`
	Multiplier   float64  `yaml:"multiplier" json:"multiplier"`
	MaxDelay     Duration `yaml:"maxDelay" json:"maxDelay"`
	JitterFactor float64  `yaml:"jitterFactor" json:"jitterFactor"`
}

// SinkDefaults are the sink properties a rule action gets when it leaves
// them out.
type SinkDefaults struct {
	// BufferLength is the sink's input buffer, in results.
	BufferLength int `yaml:"bufferLength" json:"bufferLength"`
	// EnableCache keeps results the sink could not send and resends them.
	EnableCache bool `yaml:"enableCache" json:"enableCache"`
	// MemoryCacheThreshold is how many results the cache holds in memory
	// before spilling to disk.
	MemoryCacheThreshold int `yaml:"memoryCacheThreshold" json:"memoryCacheThreshold"`
	// MaxDiskCache is how many results the disk cache holds; older ones are
	// dropped and counted.
	MaxDiskCache int `yaml:"maxDiskCache" json:"maxDiskCache"`
	// BufferPageSize is how many results move between memory and disk at
	// once.
	BufferPageSize int `yaml:"bufferPageSize" json:"bufferPageSize"`
	// ResendInterval is the pause between two resent results.
	ResendInterval Duration `yaml:"resendInterval" json:"resendInterval"`
	// CleanCacheAtStop drops the cache when the rule stops.
	CleanCacheAtStop bool `yaml:"cleanCacheAtStop" json:"cleanCacheAtStop"`
	// ResendAlterQueue resends cached results through a separate queue, so
	// live results are not held up.
	ResendAlterQueue bool `yaml:"resendAlterQueue" json:"resendAlterQueue"`
	// ResendPriority orders the two queues: -1 cached first, 0 equal,
	// 1 live first.
	ResendPriority int `yaml:"resendPriority" json:"resendPriority"`
	// ResendIndicatorField names a boolean field set on resent results.
	ResendIndicatorField string `yaml:"resendIndicatorField" json:"resendIndicatorField"`
}

// Source holds the settings shared by sources: the HTTP server that
// httppush sources listen on.
type Source struct {
	HTTPServerIP   string `yaml:"httpServerIp"`
	HTTPServerPort int    `yaml:"httpServerPort"`
	HTTPServerTLS  *TLS   `yaml:"httpServerTls"`
}

// Store says where metadata, checkpoints and sink caches live.
type Store struct {
	// Type is the database engine; only "bbolt" exists.
	Type string `yaml:"type"`
	// Path is the database file; relative paths are under the data
	// directory. Empty means DefaultStoreFile.
	Path string `yaml:"path"`
}

// File returns the database file path for data directory dataDir.
func (s Store) File(dataDir string) string {
	p := s.Path
	if p == "" {
		p = DefaultStoreFile
	}
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dataDir, p)
}

// DefaultStoreFile is the database file name under the data directory.
const DefaultStoreFile = "kuiper.db"

// Portable holds the settings of out-of-process plugins.
type Portable struct {
	// PythonBin is the interpreter that runs Python plugins.
	PythonBin string `yaml:"pythonBin"`
	// InitTimeout bounds a plugin's start-up handshake.
	InitTimeout Duration `yaml:"initTimeout"`
}

// Plugin holds the settings of plugin installation, native and portable.
type Plugin struct {
	// AllowInstallScript runs the install.sh of installed plugin
	// packages; when false a package holding one is refused.
	AllowInstallScript bool `yaml:"allowInstallScript"`
	// MaxPackageSize bounds, in bytes, a downloaded plugin package and
	// the sum of its unpacked files.
	MaxPackageSize int64 `yaml:"maxPackageSize"`
}

// Default returns the configuration used when kuiper.yaml and the
// environment say nothing.
func Default() *Config {
	return &Config{
		Basic: Basic{
			LogLevel:                "info",
			ConsoleLog:              true,
			LogFormat:               "text",
			RestIP:                  "0.0.0.0",
			RestPort:                9081,
			PrometheusPort:          20499,
			PprofIP:                 "127.0.0.1",
			PprofPort:               6060,
			GracefulShutdownTimeout: Duration(3 * time.Second),
			RulePatrolInterval:      Duration(10 * time.Second),
			MaxMessageSize:          4 << 20,
			Timezone:                "Local",
		},
		MQTT: MQTT{
			Server:         "tcp://127.0.0.1:1883",
			EmbeddedBroker: BrokerAuto,
		},
		Rule: RuleDefaults{
			Concurrency:        1,
			BufferLength:       1024,
			CheckpointInterval: Duration(5 * time.Minute),
			// Kuiper blocks (backpressure to the source) rather than
			// dropping when a rule falls behind: no data is lost in
			// the engine. eKuiper's default is to drop.
			DisableBufferFullDiscard: true,
			WindowMaxRows:            DefaultWindowMax,
			WindowMaxGroups:          DefaultWindowMax,
			RestartStrategy: RestartStrategy{
				Delay:        Duration(time.Second),
				Multiplier:   2,
				MaxDelay:     Duration(30 * time.Second),
				JitterFactor: 0.1,
			},
		},
		Sink: SinkDefaults{
			BufferLength:         1024,
			MemoryCacheThreshold: 1024,
			MaxDiskCache:         1024000,
			BufferPageSize:       256,
		},
		Source: Source{
			HTTPServerIP:   "0.0.0.0",
			HTTPServerPort: 10081,
		},
		Store: Store{Type: "bbolt", Path: DefaultStoreFile},
		Portable: Portable{
			PythonBin:   "python3",
			InitTimeout: Duration(5 * time.Second),
		},
		Plugin: Plugin{
			MaxPackageSize: 256 << 20,
		},
	}
}

// Level returns the effective log level, one of debug, info, warn and
// error: "debug" when Debug is set, otherwise LogLevel normalized.
func (b Basic) Level() string {
	if b.Debug {
		return "debug"
	}
	l := strings.ToLower(b.LogLevel)
	if l == "warning" {
		return "warn"
	}
	return l
}

// Location loads Timezone.
func (b Basic) Location() (*time.Location, error) {
	if b.Timezone == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(b.Timezone)
	if err != nil {
		return nil, fmt.Errorf("load timezone %q: %w", b.Timezone, err)
	}
	return loc, nil
}

// RestAddr returns the REST API's listen address, host:port.
func (b Basic) RestAddr() string { return hostPort(b.RestIP, b.RestPort) }

// PrometheusAddr returns the /metrics listen address: the REST IP and the
// Prometheus port.
func (b Basic) PrometheusAddr() string { return hostPort(b.RestIP, b.PrometheusPort) }

// PprofAddr returns the pprof listen address.
func (b Basic) PprofAddr() string { return hostPort(b.PprofIP, b.PprofPort) }

// HTTPServerAddr returns the httppush server's listen address.
func (s Source) HTTPServerAddr() string { return hostPort(s.HTTPServerIP, s.HTTPServerPort) }

func hostPort(host string, port int) string {
	if strings.Contains(host, ":") { // IPv6 literal
		return fmt.Sprintf("[%s]:%d", host, port)
	}
	return fmt.Sprintf("%s:%d", host, port)
}

// Validate checks every value, returning all problems joined; each names
// its key and where the value came from.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if o := c.origins[key]; o != "" {
			msg += " (set by " + o + ")"
		}
		errs = append(errs, fmt.Errorf("%s: %s", key, msg))
	}
	oneOf := func(key, v string, allowed ...string) {
		for _, a := range allowed {
			if strings.EqualFold(v, a) {
				return
			}
		}
		bad(key, "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
	port := func(key string, p int) {
		if p < 1 || p > 65535 {
			bad(key, "port %d is out of range 1-65535", p)
		}
	}
	atLeast := func(key string, v, lowest int) {
		if v < lowest {
			bad(key, "%d is below %d", v, lowest)
		}
	}
	nonNegative := func(key string, d Duration) {
		if d < 0 {
			bad(key, "negative duration %s", d)
		}
	}
	tls := func(key string, t *TLS) {
		if t == nil {
			return
		}
		if t.Certfile == "" {
			bad(key+".certfile", "empty: TLS needs a certificate file")
		}
		if t.Keyfile == "" {
			bad(key+".keyfile", "empty: TLS needs a key file")
		}
	}

	b := &c.Basic
	oneOf("basic.logLevel", b.LogLevel, "debug", "info", "warn", "warning", "error")
	oneOf("basic.logFormat", b.LogFormat, "text", "json")
	port("basic.restPort", b.RestPort)
	tls("basic.restTls", b.RestTLS)
	port("basic.prometheusPort", b.PrometheusPort)
	port("basic.pprofPort", b.PprofPort)
	nonNegative("basic.gracefulShutdownTimeout", b.GracefulShutdownTimeout)
	if b.RulePatrolInterval <= 0 {
		bad("basic.rulePatrolInterval", "%s is not positive", b.RulePatrolInterval)
	}
	atLeast("basic.maxMessageSize", b.MaxMessageSize, 1)
	if _, err := b.Location(); err != nil {
		bad("basic.timezone", "%v", err)
	}

	oneOf("mqtt.embeddedBroker", c.MQTT.EmbeddedBroker, BrokerAuto, BrokerAlways, BrokerNever)
	if err := checkBrokerURL(c.MQTT.Server); err != nil {
		bad("mqtt.server", "%v", err)
	}

	r := &c.Rule
	nonNegative("rule.lateTolerance", r.LateTolerance)
	atLeast("rule.concurrency", r.Concurrency, 1)
	atLeast("rule.bufferLength", r.BufferLength, 1)
	atLeast("rule.windowMaxRows", r.WindowMaxRows, 1)
	atLeast("rule.windowMaxGroups", r.WindowMaxGroups, 1)
	if r.Qos < 0 || r.Qos > 2 {
		bad("rule.qos", "%d is not 0, 1 or 2", r.Qos)
	}
	if r.CheckpointInterval <= 0 {
		bad("rule.checkpointInterval", "%s is not positive", r.CheckpointInterval)
	}
	rs := &r.RestartStrategy
	atLeast("rule.restartStrategy.attempts", rs.Attempts, 0)
	nonNegative("rule.restartStrategy.delay", rs.Delay)
	nonNegative("rule.restartStrategy.maxDelay", rs.MaxDelay)
	if rs.Multiplier < 1 {
		bad("rule.restartStrategy.multiplier", "%g is below 1", rs.Multiplier)
	}
	if rs.JitterFactor < 0 || rs.JitterFactor > 1 {
		bad("rule.restartStrategy.jitterFactor", "%g is outside 0-1", rs.JitterFactor)
	}

	s := &c.Sink
	atLeast("sink.bufferLength", s.BufferLength, 1)
	atLeast("sink.memoryCacheThreshold", s.MemoryCacheThreshold, 0)
	atLeast("sink.maxDiskCache", s.MaxDiskCache, 0)
	atLeast("sink.bufferPageSize", s.BufferPageSize, 1)
	nonNegative("sink.resendInterval", s.ResendInterval)
	if s.ResendPriority < -1 || s.ResendPriority > 1 {
		bad("sink.resendPriority", "%d is not -1, 0 or 1", s.ResendPriority)
	}

	port("source.httpServerPort", c.Source.HTTPServerPort)
	tls("source.httpServerTls", c.Source.HTTPServerTLS)

	oneOf("store.type", c.Store.Type, "bbolt")

	nonNegative("portable.initTimeout", c.Portable.InitTimeout)

	return errors.Join(errs...)
}

// checkBrokerURL accepts the broker address forms paho accepts.
func checkBrokerURL(s string) error {
	if s == "" {
		return errors.New("empty broker address")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("invalid broker address %q", s)
	}
	switch strings.ToLower(u.Scheme) {
	case "tcp", "mqtt", "ssl", "tls", "mqtts", "ws", "wss":
	default:
		return fmt.Errorf("broker address %q: scheme must be tcp, mqtt, ssl, tls, mqtts, ws or wss", s)
	}
	if u.Host == "" {
		return fmt.Errorf("broker address %q has no host", s)
	}
	return nil
}

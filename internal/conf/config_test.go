package conf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// plain drops the bookkeeping so configs compare by value.
func plain(c *Config) *Config {
	cp := *c
	cp.origins = nil
	cp.Unknown = nil
	return &cp
}

func writeHome(t *testing.T, yamlText string) string {
	t.Helper()
	home := t.TempDir()
	if yamlText != "" {
		require.NoError(t, os.MkdirAll(filepath.Join(home, "etc"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(home, "etc", "kuiper.yaml"), []byte(yamlText), 0o600))
	}
	return home
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name        string
		yaml        string
		env         []string
		want        func(c *Config) // edits Default() into the expected config
		wantUnknown []string
	}{
		{name: "no file no env", want: func(*Config) {}},
		{name: "empty file", yaml: "# nothing\n", want: func(*Config) {}},
		{name: "null document", yaml: "~\n", want: func(*Config) {}},
		{
			name: "yaml values",
			yaml: "basic:\n  restPort: 9082\n  restIp: 127.0.0.1\n  debug: true\n  logFormat: json\n" +
				"rule:\n  bufferLength: 10\n  sendError: true\n  windowMaxRows: 500\n  restartStrategy:\n    attempts: 3\n    multiplier: 1.5\n",
			want: func(c *Config) {
				c.Basic.RestPort = 9082
				c.Basic.RestIP = "127.0.0.1"
				c.Basic.Debug = true
				c.Basic.LogFormat = "json"
				c.Rule.BufferLength = 10
				c.Rule.SendError = true
				c.Rule.WindowMaxRows = 500
				c.Rule.RestartStrategy.Attempts = 3
				c.Rule.RestartStrategy.Multiplier = 1.5
			},
		},
		{
			name: "yaml keys ignore case",
			yaml: "BASIC:\n  RESTPORT: 9082\n  restip: 10.0.0.1\nRule:\n  RestartStrategy:\n    MaxDelay: 1m\n",
			want: func(c *Config) {
				c.Basic.RestPort = 9082
				c.Basic.RestIP = "10.0.0.1"
				c.Rule.RestartStrategy.MaxDelay = Duration(time.Minute)
			},
		},
		{
			name: "durations as strings and milliseconds",
			yaml: "basic:\n  rulePatrolInterval: 20s\n  gracefulShutdownTimeout: 1500\nrule:\n  checkpointInterval: 300000\n  lateTolerance: \"1s\"\n",
			want: func(c *Config) {
				c.Basic.RulePatrolInterval = Duration(20 * time.Second)
				c.Basic.GracefulShutdownTimeout = Duration(1500 * time.Millisecond)
				c.Rule.CheckpointInterval = Duration(5 * time.Minute)
				c.Rule.LateTolerance = Duration(time.Second)
			},
		},
		{
			name: "quoted numbers and yes/no booleans",
			yaml: "basic:\n  restPort: \"9082\"\n  prometheus: yes\n  consoleLog: off\n",
			want: func(c *Config) {
				c.Basic.RestPort = 9082
				c.Basic.Prometheus = true
				c.Basic.ConsoleLog = false
			},
		},
		{
			name: "tls section",
			yaml: "basic:\n  restTls:\n    certfile: /c.pem\n    keyfile: /k.pem\n",
			want: func(c *Config) { c.Basic.RestTLS = &TLS{Certfile: "/c.pem", Keyfile: "/k.pem"} },
		},
		{
			name: "empty tls section stays off",
			yaml: "basic:\n  restTls:\n  restPort: 1\n",
			want: func(c *Config) { c.Basic.RestPort = 1 },
		},
		{
			name: "empty value keeps the default",
			yaml: "basic:\n  restIp:\n",
			want: func(*Config) {},
		},
		{
			name:        "anchors and aliases",
			yaml:        "x: &p 9099\nbasic:\n  restPort: *p\n",
			want:        func(c *Config) { c.Basic.RestPort = 9099 },
			wantUnknown: []string{"x"},
		},
		{
			name:        "ekuiper keys kuiper does not know",
			yaml:        "basic:\n  restPort: 9081\n  syslog:\n    enable: false\n  rotateTime: 24\n  pluginHosts: https://packages.emqx.net\nopenTelemetry:\n  serviceName: kuiperd\n",
			want:        func(*Config) {},
			wantUnknown: []string{"basic.syslog", "basic.rotateTime", "basic.pluginHosts", "openTelemetry"},
		},
		{
			name: "env overrides yaml",
			yaml: "basic:\n  restPort: 9083\n",
			env:  []string{"KUIPER__BASIC__RESTPORT=9082", "KUIPER__BASIC__RESTIP=0.0.0.0"},
			want: func(c *Config) { c.Basic.RestPort = 9082 },
		},
		{
			name: "env without file",
			env: []string{
				"KUIPER__RULE__RESTARTSTRATEGY__ATTEMPTS=3",
				"KUIPER__RULE__RESTARTSTRATEGY__DELAY=2000",
				"KUIPER__RULE__RESTARTSTRATEGY__JITTERFACTOR=0.5",
				"KUIPER__BASIC__PROMETHEUS=true",
				"KUIPER__BASIC__RULEPATROLINTERVAL=1m",
				"KUIPER__MQTT__SERVER=tcp://broker:1883",
				"KUIPER__MQTT__EMBEDDEDBROKER=never",
				"KUIPER__STORE__PATH=/var/lib/kuiper/k.db",
				"KUIPER__RULE__WINDOWMAXGROUPS=50",
			},
			want: func(c *Config) {
				c.Rule.RestartStrategy.Attempts = 3
				c.Rule.RestartStrategy.Delay = Duration(2 * time.Second)
				c.Rule.RestartStrategy.JitterFactor = 0.5
				c.Basic.Prometheus = true
				c.Basic.RulePatrolInterval = Duration(time.Minute)
				c.MQTT.Server = "tcp://broker:1883"
				c.MQTT.EmbeddedBroker = "never"
				c.Store.Path = "/var/lib/kuiper/k.db"
				c.Rule.WindowMaxGroups = 50
			},
		},
		{
			name: "env names ignore case",
			env:  []string{"kuiper__basic__restPort=9082", "Kuiper__Rule__Qos=1"},
			want: func(c *Config) { c.Basic.RestPort = 9082; c.Rule.Qos = 1 },
		},
		{
			name: "later env entries win",
			env:  []string{"KUIPER__BASIC__RESTPORT=9082", "KUIPER__BASIC__RESTPORT=9083"},
			want: func(c *Config) { c.Basic.RestPort = 9083 },
		},
		{
			name: "env fills a tls section",
			env:  []string{"KUIPER__BASIC__RESTTLS__CERTFILE=/c.pem", "KUIPER__BASIC__RESTTLS__KEYFILE=/k.pem"},
			want: func(c *Config) { c.Basic.RestTLS = &TLS{Certfile: "/c.pem", Keyfile: "/k.pem"} },
		},
		{
			name: "env empty string",
			env:  []string{"KUIPER__SINK__RESENDINDICATORFIELD=", "KUIPER__BASIC__RESTIP="},
			want: func(c *Config) { c.Basic.RestIP = "" },
		},
		{
			name:        "unrelated and unknown env",
			env:         []string{"KUIPER_HOME=/x", "PATH=/bin", "KUIPER__BASIC__NOPE=1", "KUIPER__NOPE__X=1", "MQTT_SOURCE__DEFAULT__SERVER=tcp://b:1883", "NOEQUALS"},
			want:        func(*Config) {},
			wantUnknown: []string{"KUIPER__BASIC__NOPE", "KUIPER__NOPE__X"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Load(writeHome(t, tc.yaml), tc.env)
			require.NoError(t, err)
			want := Default()
			tc.want(want)
			require.Equal(t, plain(want), plain(got))
			require.Equal(t, tc.wantUnknown, got.Unknown)
		})
	}
}

func TestLoad_Errors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  []string
		want []string // substrings of the error
	}{
		{
			name: "bad yaml integer",
			yaml: "basic:\n  restPort: abc\n",
			want: []string{`kuiper.yaml line 2: basic.restPort: invalid integer "abc"`},
		},
		{
			name: "bad env integer",
			env:  []string{"KUIPER__BASIC__RESTPORT=abc"},
			want: []string{`KUIPER__BASIC__RESTPORT (basic.restPort): invalid integer "abc"`},
		},
		{
			name: "bad env bool",
			env:  []string{"KUIPER__BASIC__DEBUG=maybe"},
			want: []string{`KUIPER__BASIC__DEBUG (basic.debug): invalid boolean "maybe"`},
		},
		{
			name: "bad env duration",
			env:  []string{"KUIPER__RULE__CHECKPOINTINTERVAL=soon"},
			want: []string{`KUIPER__RULE__CHECKPOINTINTERVAL (rule.checkpointInterval): invalid duration "soon"`},
		},
		{
			name: "bad yaml duration",
			yaml: "rule:\n  lateTolerance: 1.5\n",
			want: []string{`kuiper.yaml line 2: rule.lateTolerance: invalid duration "1.5"`},
		},
		{
			name: "integer overflow",
			yaml: "rule:\n  qos: 99999999999999999999\n",
			want: []string{`rule.qos: invalid integer`},
		},
		{
			name: "port out of range from env names the variable",
			env:  []string{"KUIPER__BASIC__RESTPORT=70000"},
			want: []string{"basic.restPort: port 70000 is out of range 1-65535 (set by KUIPER__BASIC__RESTPORT)"},
		},
		{
			name: "port out of range from yaml names the line",
			yaml: "basic:\n  prometheusPort: 0\n",
			want: []string{"basic.prometheusPort: port 0 is out of range 1-65535 (set by kuiper.yaml line 2)"},
		},
		{
			name: "bad log level",
			yaml: "basic:\n  logLevel: loud\n",
			want: []string{`basic.logLevel: "loud" is not one of debug, info, warn, warning, error`},
		},
		{
			name: "bad log format",
			env:  []string{"KUIPER__BASIC__LOGFORMAT=xml"},
			want: []string{`basic.logFormat: "xml" is not one of text, json (set by KUIPER__BASIC__LOGFORMAT)`},
		},
		{
			name: "section given a value",
			yaml: "basic: 5\n",
			want: []string{"kuiper.yaml line 1: basic: want a mapping of keys, found a scalar"},
		},
		{
			name: "value given a section",
			yaml: "basic:\n  restPort:\n    a: 1\n",
			want: []string{"basic.restPort: want a single value, found a mapping"},
		},
		{
			name: "value given a list",
			yaml: "basic:\n  restPort: [1, 2]\n",
			want: []string{"basic.restPort: want a single value, found a list"},
		},
		{
			name: "top level not a mapping",
			yaml: "- a\n- b\n",
			want: []string{"top level: want a mapping of keys, found a list"},
		},
		{
			name: "env names a section",
			env:  []string{"KUIPER__BASIC=1"},
			want: []string{"KUIPER__BASIC: basic is a section"},
		},
		{
			name: "env goes below a value",
			env:  []string{"KUIPER__BASIC__RESTPORT__X=1"},
			want: []string{`KUIPER__BASIC__RESTPORT__X: basic.restPort is a single value, it has no key "X"`},
		},
		{
			name: "yaml syntax",
			yaml: "basic:\n  restPort: 1\n bad indent\n",
			want: []string{"kuiper.yaml: yaml: line"},
		},
		{
			name: "tls without key",
			yaml: "basic:\n  restTls:\n    certfile: /c.pem\n",
			want: []string{"basic.restTls.keyfile: empty"},
		},
		{
			name: "bad timezone",
			env:  []string{"KUIPER__BASIC__TIMEZONE=Mars/Olympus"},
			want: []string{`basic.timezone: load timezone "Mars/Olympus"`},
		},
		{
			name: "bad broker mode and address",
			yaml: "mqtt:\n  embeddedBroker: sometimes\n  server: localhost:1883\n",
			want: []string{`mqtt.embeddedBroker: "sometimes" is not one of auto, always, never`, `mqtt.server: broker address "localhost:1883": scheme must be`},
		},
		{
			name: "rule limits",
			yaml: "rule:\n  qos: 3\n  concurrency: 0\n  bufferLength: 0\n  windowMaxRows: 0\n  windowMaxGroups: -1\n  checkpointInterval: 0\n  restartStrategy:\n    multiplier: 0.5\n    jitterFactor: 2\n    delay: -1s\n",
			want: []string{
				"rule.qos: 3 is not 0, 1 or 2",
				"rule.concurrency: 0 is below 1",
				"rule.bufferLength: 0 is below 1",
				"rule.windowMaxRows: 0 is below 1",
				"rule.windowMaxGroups: -1 is below 1",
				"rule.checkpointInterval: 0s is not positive",
				"rule.restartStrategy.multiplier: 0.5 is below 1",
				"rule.restartStrategy.jitterFactor: 2 is outside 0-1",
				"rule.restartStrategy.delay: negative duration -1s",
			},
		},
		{
			name: "every problem at once",
			yaml: "basic:\n  restPort: x\n  debug: maybe\n",
			env:  []string{"KUIPER__RULE__QOS=z"},
			want: []string{"basic.restPort", "basic.debug", "KUIPER__RULE__QOS"},
		},
		{
			name: "other limits",
			yaml: "basic:\n  maxMessageSize: 0\n  rulePatrolInterval: 0\nsink:\n  bufferLength: 0\n  resendPriority: 2\nstore:\n  type: sqlite\n",
			want: []string{
				"basic.maxMessageSize: 0 is below 1",
				"basic.rulePatrolInterval: 0s is not positive",
				"sink.bufferLength: 0 is below 1",
				"sink.resendPriority: 2 is not -1, 0 or 1",
				`store.type: "sqlite" is not one of bbolt`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeHome(t, tc.yaml), tc.env)
			require.Error(t, err)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestLoad_UnreadableFile(t *testing.T) {
	home := t.TempDir()
	// A directory where the file should be cannot be read.
	require.NoError(t, os.MkdirAll(filepath.Join(home, "etc", "kuiper.yaml"), 0o755))
	_, err := Load(home, nil)
	require.ErrorContains(t, err, "read config")
}

func TestLoad_Origin(t *testing.T) {
	c, err := Load(writeHome(t, "basic:\n  restIp: 1.2.3.4\n  restPort: 1\n"), []string{"KUIPER__BASIC__RESTPORT=2"})
	require.NoError(t, err)
	require.Equal(t, "kuiper.yaml line 2", c.Origin("basic.restIp"))
	require.Equal(t, "KUIPER__BASIC__RESTPORT", c.Origin("basic.restPort"))
	require.Empty(t, c.Origin("basic.logLevel"))
}

// The shipped etc/kuiper.yaml must say exactly what Default says.
func TestShippedConfigMatchesDefault(t *testing.T) {
	c, err := LoadFile(filepath.Join("..", "..", "etc", "kuiper.yaml"), nil)
	require.NoError(t, err)
	require.Empty(t, c.Unknown)
	require.Equal(t, plain(Default()), plain(c))
}

func TestDefault_ValidAndRoundTrips(t *testing.T) {
	require.NoError(t, Default().Validate())
	out, err := yaml.Marshal(Default())
	require.NoError(t, err)
	c, err := Parse("marshaled", out)
	require.NoError(t, err, string(out))
	require.Empty(t, c.Unknown)
	require.Equal(t, plain(Default()), plain(c))
}

func TestRuleDefaults_JSONOverlay(t *testing.T) {
	opts := Default().Rule
	err := json.Unmarshal([]byte(`{"isEventTime": true, "lateTolerance": "1s", "checkpointInterval": 60000, "restartStrategy": {"attempts": 2}}`), &opts)
	require.NoError(t, err)
	want := Default().Rule
	want.IsEventTime = true
	want.LateTolerance = Duration(time.Second)
	want.CheckpointInterval = Duration(time.Minute)
	want.RestartStrategy.Attempts = 2
	require.Equal(t, want, opts)

	out, err := json.Marshal(opts)
	require.NoError(t, err)
	require.Contains(t, string(out), `"lateTolerance":1000`)
	require.Contains(t, string(out), `"checkpointInterval":60000`)
}

func TestBasic_Helpers(t *testing.T) {
	b := Default().Basic
	require.Equal(t, "info", b.Level())
	b.LogLevel = "WARNING"
	require.Equal(t, "warn", b.Level())
	b.Debug = true
	require.Equal(t, "debug", b.Level())

	require.Equal(t, "0.0.0.0:9081", b.RestAddr())
	require.Equal(t, "0.0.0.0:20499", b.PrometheusAddr())
	require.Equal(t, "127.0.0.1:6060", b.PprofAddr())
	b.RestIP = "::1"
	require.Equal(t, "[::1]:9081", b.RestAddr())
	require.Equal(t, "0.0.0.0:10081", Default().Source.HTTPServerAddr())

	loc, err := b.Location()
	require.NoError(t, err)
	require.Equal(t, time.Local, loc)
	b.Timezone = "UTC"
	loc, err = b.Location()
	require.NoError(t, err)
	require.Equal(t, time.UTC, loc)
}

func TestStore_File(t *testing.T) {
	tests := []struct {
		path, want string
	}{
		{"", filepath.Join("/home/data", "kuiper.db")},
		{"k.db", filepath.Join("/home/data", "k.db")},
		{"sub/k.db", filepath.Join("/home/data", "sub", "k.db")},
		{"/abs/k.db", "/abs/k.db"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			require.Equal(t, tc.want, Store{Path: tc.path}.File("/home/data"))
		})
	}
}

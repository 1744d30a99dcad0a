package connector

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/errs"
)

func TestLoadConf(t *testing.T) {
	etc := filepath.Join("testdata", "etc")
	cases := []struct {
		name    string
		etc     string
		kind    string
		typ     string
		confKey string
		environ []string
		want    map[string]any
		wantErr string
	}{
		{
			name: "default only", etc: etc, kind: "sources", typ: "mqtt",
			want: map[string]any{"qos": 1, "server": "tcp://127.0.0.1:1883", "protocolVersion": "3.1.1",
				"insecureSkipVerify": false, "bufferLength": 1024, "ratio": 0.5, "tags": []any{"a", "b"}},
		},
		{
			name: "named key over default", etc: etc, kind: "sources", typ: "mqtt", confKey: "demo_conf",
			want: map[string]any{"qos": 0, "server": "tcp://10.0.0.1:1883", "protocolVersion": "3.1.1", "clientId": "demo",
				"insecureSkipVerify": false, "bufferLength": 1024, "ratio": 0.5, "tags": []any{"a", "b"}},
		},
		{
			name: "conf key case-insensitive", etc: etc, kind: "sources", typ: "MQTT", confKey: "DEMO_CONF",
			want: map[string]any{"qos": 0, "server": "tcp://10.0.0.1:1883", "protocolVersion": "3.1.1", "clientId": "demo",
				"insecureSkipVerify": false, "bufferLength": 1024, "ratio": 0.5, "tags": []any{"a", "b"}},
		},
		{
			name: "empty section", etc: etc, kind: "sources", typ: "mqtt", confKey: "empty",
			want: map[string]any{"qos": 1, "server": "tcp://127.0.0.1:1883", "protocolVersion": "3.1.1",
				"insecureSkipVerify": false, "bufferLength": 1024, "ratio": 0.5, "tags": []any{"a", "b"}},
		},
		{
			name: "unknown conf key", etc: etc, kind: "sources", typ: "mqtt", confKey: "nope",
			wantErr: `conf key not found: "nope" in testdata/etc/sources/mqtt.yaml`,
		},
		{
			name: "missing file is empty default", etc: etc, kind: "sources", typ: "file",
			want: map[string]any{},
		},
		{
			name: "missing file with conf key", etc: etc, kind: "sources", typ: "file", confKey: "x",
			wantErr: `conf key not found: "x" in testdata/etc/sources/file.yaml`,
		},
		{
			name: "bad section", etc: etc, kind: "sources", typ: "bad",
			wantErr: `section "default" is a int, want a map`,
		},
		{
			name: "path escape refused", etc: etc, kind: "sources", typ: "../sinks/mqtt",
			wantErr: "invalid connector conf name",
		},
		{
			name: "legacy mqtt_source.yaml", etc: filepath.Join("testdata", "legacy"), kind: "sources", typ: "mqtt", confKey: "old",
			want: map[string]any{"server": "tcp://legacy:1883", "qos": 2, "username": "u"},
		},
		{
			name: "legacy file not used for sinks", etc: filepath.Join("testdata", "legacy"), kind: "sinks", typ: "mqtt",
			want: map[string]any{},
		},
		{
			name: "sink file", etc: etc, kind: "sinks", typ: "mqtt",
			want: map[string]any{"server": "tcp://127.0.0.1:1883", "retained": false},
		},
		{
			name: "env overrides keep types", etc: etc, kind: "sources", typ: "mqtt", confKey: "demo_conf",
			environ: []string{
				"MQTT__DEFAULT__SERVER=tcp://env:1883",
				"MQTT__DEFAULT__BUFFERLENGTH=10",
				"MQTT__DEFAULT__INSECURESKIPVERIFY=true",
				"MQTT__DEFAULT__RATIO=0.25",
				"MQTT__DEFAULT__TAGS=x, y",
				"MQTT__DEMO_CONF__QOS=2",
				"MQTT__DEMO_CONF__PROTOCOLVERSION=3.1",
				"MQTT__DEMO_CONF__PASSWORD=007",
				"OTHER__DEFAULT__SERVER=ignored",
				"mqtt__default__server=ignored",
			},
			want: map[string]any{"qos": 2, "server": "tcp://10.0.0.1:1883", "protocolVersion": "3.1", "clientId": "demo",
				"insecureSkipVerify": true, "bufferLength": 10, "ratio": 0.25, "tags": []any{"x", "y"}, "password": "007"},
		},
		{
			name: "env creates section and nested key", etc: etc, kind: "sources", typ: "mqtt", confKey: "fromenv",
			environ: []string{"MQTT__FROMENV__SERVER=tcp://new:1883", "MQTT__FROMENV__OPTS__A=1"},
			want: map[string]any{"qos": 1, "server": "tcp://new:1883", "protocolVersion": "3.1.1", "opts": map[string]any{"a": "1"},
				"insecureSkipVerify": false, "bufferLength": 1024, "ratio": 0.5, "tags": []any{"a", "b"}},
		},
		{
			name: "env on missing file", etc: etc, kind: "sinks", typ: "rest",
			environ: []string{"REST__DEFAULT__URL=http://x"},
			want:    map[string]any{"url": "http://x"},
		},
		{
			name: "legacy env prefix applies, MQTT wins", etc: etc, kind: "sources", typ: "mqtt",
			environ: []string{"MQTT_SOURCE__DEFAULT__SERVER=tcp://legacy", "MQTT_SOURCE__DEFAULT__USERNAME=u", "MQTT__DEFAULT__SERVER=tcp://new"},
			want: map[string]any{"qos": 1, "server": "tcp://new", "protocolVersion": "3.1.1", "username": "u",
				"insecureSkipVerify": false, "bufferLength": 1024, "ratio": 0.5, "tags": []any{"a", "b"}},
		},
		{
			name: "env bad int", etc: etc, kind: "sources", typ: "mqtt",
			environ: []string{"MQTT__DEFAULT__QOS=high"},
			wantErr: `environment variable MQTT__DEFAULT__QOS: key "qos": want an integer, got "high"`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := loadConfFile(tc.etc, tc.kind, tc.typ, tc.environ)
			var got map[string]any
			if err == nil {
				got, err = f.Conf(tc.confKey)
			}
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Equal(t, errs.Conf, errs.CodeOf(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestLoadConf_ProcessEnv(t *testing.T) {
	t.Setenv("MQTT__DEFAULT__SERVER", "tcp://fromenv:1883")
	got, err := LoadConf(filepath.Join("testdata", "etc"), "sources", "mqtt", "")
	require.NoError(t, err)
	require.Equal(t, "tcp://fromenv:1883", got["server"])

	f, err := LoadConfFile(filepath.Join("testdata", "etc"), "sources", "mqtt")
	require.NoError(t, err)
	require.True(t, f.Exists)
	require.Equal(t, []string{"default", "demo_conf", "empty"}, f.Keys())
}

func TestLoadConf_ResultIsFresh(t *testing.T) {
	f, err := loadConfFile(filepath.Join("testdata", "etc"), "sources", "mqtt", nil)
	require.NoError(t, err)
	a, err := f.Conf("demo_conf")
	require.NoError(t, err)
	a["server"] = "changed"
	b, err := f.Conf("demo_conf")
	require.NoError(t, err)
	require.Equal(t, "tcp://10.0.0.1:1883", b["server"])
}

func TestMergeExtra(t *testing.T) {
	base := map[string]any{"server": "tcp://a", "clientid": "x", "qos": 1}
	got, err := MergeExtra(base, `{"clientId":"y","qos":2,"new":true}`)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"server": "tcp://a", "clientId": "y", "qos": float64(2), "new": true}, got)
	require.Equal(t, "x", base["clientid"], "base unchanged")

	got, err = MergeExtra(base, "  ")
	require.NoError(t, err)
	require.Equal(t, base, got)

	_, err = MergeExtra(base, `[1]`)
	require.ErrorContains(t, err, "parse EXTRA")
}

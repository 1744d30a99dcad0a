package conf

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "10s", want: 10 * time.Second},
		{in: "1m30s", want: 90 * time.Second},
		{in: "250ms", want: 250 * time.Millisecond},
		{in: "0", want: 0},
		{in: "10000", want: 10 * time.Second},
		{in: " 1500 ", want: 1500 * time.Millisecond},
		{in: "-5", want: -5 * time.Millisecond},
		{in: "", wantErr: "empty"},
		{in: "10", want: 10 * time.Millisecond},
		{in: "1.5", wantErr: `invalid duration "1.5"`},
		{in: "ten seconds", wantErr: `invalid duration "ten seconds"`},
		{in: "99999999999999999", wantErr: "out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDuration(tc.in)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got.Std())
		})
	}
}

func TestDuration_JSON(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: `1000`, want: time.Second},
		{in: `"1s"`, want: time.Second},
		{in: `"1000"`, want: time.Second},
		{in: `300000`, want: 5 * time.Minute},
		{in: `1.5`, wantErr: true},
		{in: `true`, wantErr: true},
		{in: `"soon"`, wantErr: true},
		{in: `"unterminated`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var d Duration
			err := json.Unmarshal([]byte(tc.in), &d)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, d.Std())
			out, err := json.Marshal(d)
			require.NoError(t, err)
			require.Equal(t, d.Milliseconds(), mustInt(t, out))
		})
	}
}

func mustInt(t *testing.T, b []byte) int64 {
	t.Helper()
	var n int64
	require.NoError(t, json.Unmarshal(b, &n))
	return n
}

func TestDuration_YAML(t *testing.T) {
	var v struct {
		A Duration `yaml:"a"`
		B Duration `yaml:"b"`
	}
	require.NoError(t, yaml.Unmarshal([]byte("a: 2s\nb: 500\n"), &v))
	require.Equal(t, 2*time.Second, v.A.Std())
	require.Equal(t, 500*time.Millisecond, v.B.Std())
	out, err := yaml.Marshal(v)
	require.NoError(t, err)
	require.Equal(t, "a: 2s\nb: 500ms\n", string(out))
	require.Error(t, yaml.Unmarshal([]byte("a: [1]\n"), &v))
	require.Error(t, yaml.Unmarshal([]byte("a: later\n"), &v))
}

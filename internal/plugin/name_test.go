package plugin_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/plugin"
)

func TestParseSoName(t *testing.T) {
	tests := []struct {
		file    string
		want    plugin.SoFile
		wantErr string
	}{
		{file: "MySource.so", want: plugin.SoFile{Symbol: "MySource"}},
		{file: "Echo@v1.2.0.so", want: plugin.SoFile{Symbol: "Echo", Version: "1.2.0"}},
		{file: "Ab2@v10.so", want: plugin.SoFile{Symbol: "Ab2", Version: "10"}},
		{file: "mySource.so", wantErr: "must start with an upper-case letter"},
		{file: "My_Source.so", wantErr: `has the character '_'`},
		{file: "Échec.so", wantErr: "has the character"},
		{file: "Echo@1.2.0.so", wantErr: "is not like v1.2.3"},
		{file: "Echo@v1.x.so", wantErr: "is not like v1.2.3"},
		{file: "Echo.dll", wantErr: "not a .so file"},
		{file: ".so", wantErr: "empty name"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := plugin.ParseSoName(tc.file)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.ErrorContains(t, err, tc.file)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.10.0", "1.9.2", 1},
		{"1.2.0", "1.2.0", 0},
		{"1.2", "1.2.0", -1},
		{"", "0.0.1", -1},
		{"2", "10", -1},
	}
	for _, tc := range tests {
		t.Run(tc.a+"_"+tc.b, func(t *testing.T) {
			require.Equal(t, tc.want, plugin.CompareVersions(tc.a, tc.b))
			require.Equal(t, -tc.want, plugin.CompareVersions(tc.b, tc.a))
		})
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"echo", "my_source", "A1"} {
		require.NoError(t, plugin.CheckName(ok), ok)
	}
	for _, bad := range []string{"", "1a", "_a", "a-b", "a/b", "../x", "a b"} {
		require.Error(t, plugin.CheckName(bad), bad)
	}
}

func TestParseKind(t *testing.T) {
	for in, want := range map[string]plugin.Kind{"source": plugin.Source, "SINKS": plugin.Sink, "function": plugin.Function} {
		k, err := plugin.ParseKind(in)
		require.NoError(t, err)
		require.Equal(t, want, k)
	}
	_, err := plugin.ParseKind("portable")
	require.Error(t, err)
	require.Equal(t, "source", plugin.Source.Singular())
}

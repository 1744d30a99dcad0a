package conf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestResolveHome(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	tests := []struct {
		name    string
		flag    string
		environ []string
		want    string
	}{
		{name: "flag wins", flag: "/opt/kuiper", environ: []string{"KUIPER_HOME=/srv/kuiper"}, want: "/opt/kuiper"},
		{name: "env", environ: []string{"KUIPER_HOME=/srv/kuiper"}, want: "/srv/kuiper"},
		{name: "last env wins", environ: []string{"KUIPER_HOME=/a", "KUIPER_HOME=/b"}, want: "/b"},
		{name: "empty env ignored", environ: []string{"KUIPER_HOME="}, want: wd},
		{name: "working directory", want: wd},
		{name: "relative flag made absolute", flag: "home", want: filepath.Join(wd, "home")},
		{name: "double underscore is not home", environ: []string{"KUIPER__HOME=/x"}, want: wd},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ResolveHome(tc.flag, tc.environ)
			require.NoError(t, err)
			require.Equal(t, tc.want, h.Root)
		})
	}
}

func TestHome_Layout(t *testing.T) {
	h := Home{Root: "/k"}
	require.Equal(t, "/k/etc", h.Etc())
	require.Equal(t, "/k/data", h.Data())
	require.Equal(t, "/k/log", h.Log())
	require.Equal(t, "/k/plugins", h.Plugins())
	require.Equal(t, "/k/etc/kuiper.yaml", h.ConfigFile())

	h = Home{Root: "/k", EtcDir: "/etc/kuiper", DataDir: "/var/lib/kuiper", LogDir: "/var/log/kuiper", PluginsDir: "/usr/lib/kuiper"}
	require.Equal(t, "/etc/kuiper", h.Etc())
	require.Equal(t, "/var/lib/kuiper", h.Data())
	require.Equal(t, "/var/log/kuiper", h.Log())
	require.Equal(t, "/usr/lib/kuiper", h.Plugins())
	require.Equal(t, "/etc/kuiper/kuiper.yaml", h.ConfigFile())
}

func TestHome_Ensure(t *testing.T) {
	root := t.TempDir()
	h := Home{Root: root, LogDir: filepath.Join(root, "elsewhere", "logs")}
	require.NoError(t, h.Ensure())
	for _, d := range []string{h.Etc(), h.Data(), h.Log(), h.Plugins()} {
		require.DirExists(t, d)
	}
	require.NoError(t, h.Ensure(), "ensure twice")

	// A file in the way is an error.
	blocked := Home{Root: root, DataDir: filepath.Join(root, "file")}
	require.NoError(t, os.WriteFile(blocked.Data(), nil, 0o600))
	require.Error(t, blocked.Ensure())
}

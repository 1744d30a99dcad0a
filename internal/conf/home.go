package conf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// HomeEnv names the environment variable that sets the home directory when
// no flag does.
const HomeEnv = "KUIPER_HOME"

// Home is kuiperd's home directory and its layout: etc (configuration),
// data (the database), log and plugins. Each directory can be moved on its
// own, like eKuiper's -etc, -data, -log and -plugins flags; an empty
// override means the directory of that name under Root.
type Home struct {
	Root string

	EtcDir     string
	DataDir    string
	LogDir     string
	PluginsDir string
}

// ResolveHome picks the home directory: flag if not empty, else
// $KUIPER_HOME from environ, else the working directory. The result is
// absolute.
func ResolveHome(flag string, environ []string) (Home, error) {
	root := flag
	if root == "" {
		for _, kv := range environ {
			if name, val, ok := strings.Cut(kv, "="); ok && name == HomeEnv && val != "" {
				root = val // later entries win, as in a shell
			}
		}
	}
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return Home{}, fmt.Errorf("resolve home: %w", err)
		}
		root = wd
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return Home{}, fmt.Errorf("resolve home %q: %w", root, err)
	}
	return Home{Root: abs}, nil
}

func (h Home) dir(override, name string) string {
	if override != "" {
		return override
	}
	return filepath.Join(h.Root, name)
}

// Etc returns the configuration directory.
func (h Home) Etc() string { return h.dir(h.EtcDir, "etc") }

// Data returns the data directory, where the database lives.
func (h Home) Data() string { return h.dir(h.DataDir, "data") }

// Log returns the log directory.
func (h Home) Log() string { return h.dir(h.LogDir, "log") }

// Plugins returns the plugins directory (sources, sinks, functions,
// portable).
func (h Home) Plugins() string { return h.dir(h.PluginsDir, "plugins") }

// ConfigFile returns the path of kuiper.yaml.
func (h Home) ConfigFile() string { return filepath.Join(h.Etc(), ConfigFile) }

// Ensure creates the etc, data, log and plugins directories if they are
// missing.
func (h Home) Ensure() error {
	for _, d := range []string{h.Etc(), h.Data(), h.Log(), h.Plugins()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create home directory: %w", err)
		}
	}
	return nil
}

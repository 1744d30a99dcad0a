package portable

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kuiperio/kuiper/internal/plugin"
)

// Manifest is a portable plugin's <name>.json.
type Manifest struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Language is "go", "python" or any other; "python" (or an executable
	// ending in .py) runs the executable with portable.pythonBin.
	Language string `json:"language,omitempty"`
	// Executable is the program, relative to the plugin's folder.
	Executable string   `json:"executable"`
	Sources    []string `json:"sources"`
	Sinks      []string `json:"sinks"`
	Functions  []string `json:"functions"`
}

// readManifest reads dir/<name>.json and checks it.
func readManifest(dir, name string) (*Manifest, error) {
	p := filepath.Join(dir, name+".json")
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", p, err)
	}
	if err := m.check(name); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", p, err)
	}
	return &m, nil
}

func (m *Manifest) check(name string) error {
	if m.Name != name {
		return fmt.Errorf("name %q does not match the plugin's name %q", m.Name, name)
	}
	if m.Executable == "" {
		return fmt.Errorf("executable is missing")
	}
	if filepath.IsAbs(m.Executable) || strings.Contains(m.Executable, "..") || strings.Contains(m.Executable, `\`) {
		return fmt.Errorf("executable %q must be a path inside the plugin folder", m.Executable)
	}
	if len(m.Sources)+len(m.Sinks)+len(m.Functions) == 0 {
		return fmt.Errorf("the plugin provides no sources, sinks or functions")
	}
	for _, lists := range [][]string{m.Sources, m.Sinks, m.Functions} {
		for _, s := range lists {
			if err := plugin.CheckName(s); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *Manifest) isPython() bool {
	return strings.EqualFold(m.Language, "python") || strings.HasSuffix(m.Executable, ".py")
}

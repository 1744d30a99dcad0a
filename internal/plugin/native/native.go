//go:build cgo && (linux || darwin || freebsd)

// Package native opens Go plugins (.so files built with
// -buildmode=plugin) with the standard plugin package. It is a thin layer:
// the naming rules, the symbol checks and the registration are in package
// plugin.
package native

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"plugin"
	"strings"
	"sync"
)

// Supported reports whether this build can load native plugins.
const Supported = true

// opened maps the SHA-256 of a plugin file to the plugin opened from it.
// Loaded plugins belong to the process (Go cannot unload them, and opening
// a second copy of the same build fails with "plugin already loaded"), so
// this cache is process-wide too: a file identical to one opened before,
// under any path (a reinstall, another server in the same test binary),
// reuses the loaded plugin.
var opened = struct {
	sync.Mutex
	byHash map[[sha256.Size]byte]*plugin.Plugin
}{byHash: map[[sha256.Size]byte]*plugin.Plugin{}}

// Lookup opens the plugin file at path and returns its exported symbol:
// the function itself for a func, a pointer for a variable.
func Lookup(path, symbol string) (any, error) {
	p, err := open(path)
	if err != nil {
		return nil, err
	}
	s, err := p.Lookup(symbol)
	if err != nil {
		return nil, fmt.Errorf("the plugin does not export the symbol %s (it must export a symbol named like the file)", symbol)
	}
	return s, nil
}

// explainOpen keeps the cause of a failed plugin.Open and adds what the
// user can do about it.
func explainOpen(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "different version of package"):
		return fmt.Errorf("%w; rebuild the plugin with the same Go version, build flags (-race, -trimpath) and dependency versions as kuiperd, or make it a portable plugin", err)
	case strings.Contains(msg, "plugin already loaded"):
		return fmt.Errorf("%w; a plugin built from the same package was loaded before and Go cannot unload it: restart kuiperd to load the new build", err)
	}
	return err
}

func open(path string) (*plugin.Plugin, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return nil, err
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	opened.Lock()
	defer opened.Unlock()
	if p, ok := opened.byHash[sum]; ok {
		return p, nil
	}
	p, err := plugin.Open(path)
	if err != nil {
		return nil, explainOpen(err)
	}
	opened.byHash[sum] = p
	return p, nil
}

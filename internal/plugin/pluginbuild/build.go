// Package pluginbuild builds Go plugins for tests with the toolchain and
// the flags of the running test binary, so that the host can load them:
// Go refuses a plugin built with other flags (-race) or other package
// versions. Each plugin is built once per process and cached in a
// temporary folder that Cleanup removes.
package pluginbuild

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	mu    sync.Mutex
	dir   string
	built = map[string]string{}
)

// Root returns the root of the kuiper module, found from the working
// directory upwards.
func Root() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/kuiperio/kuiper\n")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("the kuiper module root is not above the working directory")
		}
	}
}

// GoTool returns the go command of the toolchain that built the test.
func GoTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Flags are the build flags that must match the host's for a plugin to
// load.
func Flags() []string {
	if raceEnabled {
		return []string{"-race"}
	}
	return nil
}

// Build builds the package pkg (a path relative to the module root, such
// as "./examples/plugins/functions/echo") as a plugin named file (such as
// "Echo.so") with extra build flags, and returns the path of the .so. The
// same (pkg, file, extra) is built once per process. It skips the test
// when this platform has no plugin support.
func Build(t testing.TB, pkg, file string, extra ...string) string {
	t.Helper()
	if !Supported {
		t.Skip("Go plugins are not supported on this platform")
	}
	p, err := build(pkg, file, extra...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func build(pkg, file string, extra ...string) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	key := pkg + "\x00" + file + "\x00" + strings.Join(extra, " ")
	if p, ok := built[key]; ok {
		return p, nil
	}
	root, err := Root()
	if err != nil {
		return "", err
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "kuiper-plugins-"); err != nil {
			return "", err
		}
	}
	out := filepath.Join(dir, fmt.Sprint(len(built)), file)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	args := append([]string{"build", "-buildmode=plugin"}, Flags()...)
	args = append(args, extra...)
	args = append(args, "-o", out, pkg)
	cmd := exec.Command(GoTool(), args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	built[key] = out
	return out, nil
}

// Cleanup removes the plugins built by this process; call it from
// TestMain after m.Run.
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	if dir != "" {
		os.RemoveAll(dir)
		dir = ""
		built = map[string]string{}
	}
}

// BuildExe builds the command pkg (a path relative to the module root) as
// an ordinary executable named file, once per process, and returns its
// path. Portable plugins are built this way: they need no matching flags.
func BuildExe(t testing.TB, pkg, file string) string {
	t.Helper()
	p, err := buildExe(pkg, file)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func buildExe(pkg, file string) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	key := "exe\x00" + pkg + "\x00" + file
	if p, ok := built[key]; ok {
		return p, nil
	}
	root, err := Root()
	if err != nil {
		return "", err
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "kuiper-plugins-"); err != nil {
			return "", err
		}
	}
	out := filepath.Join(dir, fmt.Sprint(len(built)), file)
	cmd := exec.Command(GoTool(), "build", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build -o %s %s: %v\n%s", out, pkg, err, b)
	}
	built[key] = out
	return out, nil
}

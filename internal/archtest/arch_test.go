// Package archtest checks that imports between Kuiper's packages point
// downwards only, as docs/design-notes.md and the architecture describe.
package archtest

import (
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/kuiperio/kuiper/"

// layers ranks the internal packages; a package may import only packages
// of a lower rank (and the standard library). Leaf packages at rank 0-10
// may import only the standard library and the third-party packages
// listed in allowedThirdParty.
var layers = []struct {
	prefix string
	rank   int
}{
	{"sdk/api", 0},
	{"sdk/portable", 5},
	{"sdk/plugintest", 5},
	{"internal/sql/token", 0},
	{"internal/value", 0},
	{"internal/clock", 0},
	{"internal/errs", 0},
	{"internal/sql/ast", 10},
	{"internal/store", 10},
	{"internal/conf", 10},
	{"internal/logging", 15},
	{"internal/sql/parser", 20},
	{"internal/function", 30},
	{"internal/format", 30},
	{"internal/expr", 40},
	{"internal/catalog", 50},
	{"internal/plan", 60},
	{"internal/exec", 65},
	{"internal/broker", 70},
	{"internal/connector/builtin", 74},
	{"internal/connector/topic", 71},
	{"internal/connector/", 72},
	{"internal/connector", 70},
	{"internal/topo", 80},
	{"internal/plugin/", 86},
	{"internal/plugin", 85},
	{"internal/rule", 90},
	{"internal/server/servertest", 105},
	{"internal/server", 100},
	{"internal/client", 100},
	{"internal/app", 110},
	{"internal/testkit", 112},
	{"cmd/kuiper/cli", 115},
	{"cmd/", 120},
	{"test/", 130},
	{"internal/archtest", 130},
}

// allowedThirdParty lists the only non-standard imports of low layers.
var allowedThirdParty = map[string][]string{
	"internal/store":  {"go.etcd.io/bbolt"},
	"internal/conf":   {"gopkg.in/yaml.v3"},
	"internal/format": {"github.com/valyala/fastjson"},
}

func rank(pkg string) (int, string, bool) {
	for _, l := range layers {
		if pkg == l.prefix || strings.HasPrefix(pkg, l.prefix) && (strings.HasSuffix(l.prefix, "/") || strings.HasPrefix(pkg[len(l.prefix):], "/")) {
			return l.rank, l.prefix, true
		}
	}
	return 0, "", false
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func TestArch_ImportsPointDown(t *testing.T) {
	out, err := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"...").Output()
	require.NoError(t, err)
	var problems []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		if strings.HasPrefix(pkg, "examples/") || strings.HasPrefix(pkg, "plugins/") {
			continue
		}
		r, layer, ok := rank(pkg)
		if !ok {
			problems = append(problems, pkg+": not assigned to a layer in internal/archtest")
			continue
		}
		for _, imp := range fields[1:] {
			if isStd(imp) {
				continue
			}
			if !strings.HasPrefix(imp, module) {
				if r <= 30 {
					okDep := false
					for _, p := range allowedThirdParty[layer] {
						if imp == p || strings.HasPrefix(imp, p+"/") {
							okDep = true
						}
					}
					if !okDep {
						problems = append(problems, pkg+" imports third-party "+imp)
					}
				}
				continue
			}
			ipkg := strings.TrimPrefix(imp, module)
			ir, _, ok := rank(ipkg)
			if !ok {
				continue // reported on its own line
			}
			if ir >= r {
				problems = append(problems, pkg+" imports "+ipkg+" (same or higher layer)")
			}
		}
	}
	sort.Strings(problems)
	require.Empty(t, problems)
}

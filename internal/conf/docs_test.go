package conf

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// leafKeys lists the key paths of every single value under t.
func leafKeys(t reflect.Type, prefix string) []string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var keys []string
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != durationType {
			keys = append(keys, leafKeys(ft, joinKey(prefix, tag))...)
			continue
		}
		keys = append(keys, joinKey(prefix, tag))
	}
	return keys
}

// docs/configuration.md must document every key with its environment form,
// and every key must be settable through that variable.
func TestDocsCoverEveryKey(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	require.NoError(t, err)
	keys := leafKeys(reflect.TypeFor[Config](), "")
	require.NotEmpty(t, keys)
	for _, key := range keys {
		section, rest, _ := strings.Cut(key, ".")
		env := EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "__"))
		require.Contains(t, string(doc), "### `"+section+"`", key)
		require.Contains(t, string(doc), "| `"+rest+"` |", key)
		require.Contains(t, string(doc), "`"+env+"`", key)

		c := Default()
		c.origins = map[string]string{}
		_ = c.applyEnv([]string{env + "=1"})
		require.Empty(t, c.Unknown, "%s is not settable by %s", key, env)
		require.Equal(t, env, c.Origin(key), key)
	}
}

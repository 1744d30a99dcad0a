package conf

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no configuration text makes the loader panic.
func FuzzParse(f *testing.F) {
	shipped, err := os.ReadFile(filepath.Join("..", "..", "etc", "kuiper.yaml"))
	if err == nil {
		f.Add(string(shipped))
	}
	f.Add("basic:\n  restPort: 9082\n")
	f.Add("basic:\n  restTls:\n    certfile: a\n")
	f.Add("x: &a [1]\nbasic: *a\n")
	f.Add("rule:\n  restartStrategy: 3\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse("fuzz", []byte(text))
		if err == nil && c.Validate() != nil {
			t.Fatalf("Parse accepted an invalid config")
		}
	})
}

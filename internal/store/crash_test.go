package store_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/kuiperio/kuiper/internal/store"
)

// crashChildEnv, when set to a database path, turns the test binary into the
// writer that TestStore_CrashDurability kills.
const crashChildEnv = "KUIPER_STORE_CRASH_CHILD"

// crashWriter writes forever, printing "ack <i>" only after write i has been
// acknowledged. Each write is a Table.Put of rules/<i> followed by an Update
// that puts meta/last=<i> and log/<i> together, so the parent can check both
// single writes and atomic multi-table writes.
func crashWriter(path string) {
	s, err := store.Open(path, store.Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		key := fmt.Sprintf("r%06d", i)
		if err := s.Table("rules").Put(key, []byte("def-"+key)); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		err := s.Update(func(tx *store.Tx) error {
			if err := tx.Put("log", key, []byte("x")); err != nil {
				return err
			}
			return tx.Put("meta", "last", []byte(strconv.Itoa(i)))
		})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		// Unbuffered: the parent sees the ack as soon as both writes are
		// acknowledged.
		fmt.Fprintf(os.Stdout, "ack %d\n", i)
	}
}

func TestStore_CrashDurability(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashWriter(path)
		return
	}
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	for round := range 3 {
		t.Run(fmt.Sprintf("round%d", round), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "data", "kuiper.db")
			cmd := exec.Command(os.Args[0], "-test.run=^TestStore_CrashDurability$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			cmd.Stderr = os.Stderr
			require.NoError(t, cmd.Start())

			// Kill at a different point each round.
			killAfter := 20 + round*17
			acked := -1
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				line := sc.Text()
				if rest, ok := strings.CutPrefix(line, "ack "); ok {
					acked, err = strconv.Atoi(rest)
					require.NoError(t, err)
					if acked+1 >= killAfter {
						break
					}
					continue
				}
				require.NotContains(t, line, "error", "child failed")
			}
			// SIGKILL: no deferred code, no Close, no flush in the child.
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			_ = cmd.Wait()
			require.GreaterOrEqual(t, acked+1, killAfter, "child stopped early")

			s, err := store.Open(path, store.Options{})
			require.NoError(t, err, "reopen after kill -9")
			rules, err := s.Table("rules").Keys()
			require.NoError(t, err)
			// Every acknowledged write is there; the child may have written
			// more before the signal landed.
			require.GreaterOrEqual(t, len(rules), acked+1)
			for i := 0; i <= acked; i++ {
				key := fmt.Sprintf("r%06d", i)
				v, ok, err := s.Table("rules").Get(key)
				require.NoError(t, err)
				require.True(t, ok, "acknowledged write %s lost", key)
				require.Equal(t, "def-"+key, string(v))
			}
			// The multi-table update is all or nothing: meta/last names the
			// newest log entry.
			logs, err := s.Table("log").Keys()
			require.NoError(t, err)
			last, ok, err := s.Table("meta").Get("last")
			require.NoError(t, err)
			require.True(t, ok)
			n, err := strconv.Atoi(string(last))
			require.NoError(t, err)
			require.GreaterOrEqual(t, n, acked)
			require.Len(t, logs, n+1)
			require.Equal(t, fmt.Sprintf("r%06d", n), logs[len(logs)-1])
			require.NoError(t, s.Close())

			// bbolt's own consistency check finds no damage.
			db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
			require.NoError(t, err)
			defer db.Close()
			require.NoError(t, db.View(func(tx *bolt.Tx) error {
				for err := range tx.Check() {
					return err
				}
				return nil
			}))
		})
	}
}

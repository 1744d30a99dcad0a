package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/store"
)

func openTemp(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "kuiper.db"), store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestTable_GetPut(t *testing.T) {
	tests := []struct {
		name    string
		puts    map[string][]byte
		key     string
		want    []byte
		found   bool
		wantErr error
	}{
		{name: "missing table", key: "a"},
		{name: "missing key", puts: map[string][]byte{"b": []byte("1")}, key: "a"},
		{name: "found", puts: map[string][]byte{"a": []byte(`{"id":"a"}`)}, key: "a", want: []byte(`{"id":"a"}`), found: true},
		{name: "empty value", puts: map[string][]byte{"a": {}}, key: "a", want: []byte{}, found: true},
		{name: "nil value reads as empty", puts: map[string][]byte{"a": nil}, key: "a", want: []byte{}, found: true},
		{name: "prefix is not a match", puts: map[string][]byte{"ab": []byte("x")}, key: "a"},
		{name: "unicode key", puts: map[string][]byte{"règle/1": []byte("x")}, key: "règle/1", want: []byte("x"), found: true},
		{name: "empty key", key: "", wantErr: store.ErrInvalidName},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl := openTemp(t).Table("rules")
			for k, v := range tc.puts {
				require.NoError(t, tbl.Put(k, v))
			}
			got, ok, err := tbl.Get(tc.key)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.found, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestTable_PutOverwritesAndCopies(t *testing.T) {
	tbl := openTemp(t).Table("t")
	buf := []byte("first")
	require.NoError(t, tbl.Put("k", buf))
	copy(buf, "XXXXX") // the caller reuses its buffer
	got, ok, err := tbl.Get("k")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "first", string(got))

	got[0] = 'Y' // the caller may modify what Get returned
	again, _, err := tbl.Get("k")
	require.NoError(t, err)
	require.Equal(t, "first", string(again))

	require.NoError(t, tbl.Put("k", []byte("second")))
	got, _, err = tbl.Get("k")
	require.NoError(t, err)
	require.Equal(t, "second", string(got))
}

func TestTable_PutErrors(t *testing.T) {
	tests := []struct {
		name  string
		table string
		key   string
		want  error
	}{
		{name: "empty key", table: "t", key: "", want: store.ErrInvalidName},
		{name: "empty table", table: "", key: "k", want: store.ErrInvalidName},
		{name: "key too long", table: "t", key: string(make([]byte, 40000)), want: store.ErrInvalidName},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			require.ErrorIs(t, s.Table(tc.table).Put(tc.key, []byte("v")), tc.want)
			tables, err := s.Tables()
			require.NoError(t, err)
			require.Empty(t, tables, "a failed put must not create the table")
		})
	}
}

func TestTable_PutIfAbsent(t *testing.T) {
	tests := []struct {
		name      string
		existing  map[string]string
		key       string
		wantWrote bool
		wantVal   string
	}{
		{name: "new table", key: "r1", wantWrote: true, wantVal: "new"},
		{name: "new key", existing: map[string]string{"r2": "old"}, key: "r1", wantWrote: true, wantVal: "new"},
		{name: "existing key", existing: map[string]string{"r1": "old"}, key: "r1", wantWrote: false, wantVal: "old"},
		{name: "existing empty value", existing: map[string]string{"r1": ""}, key: "r1", wantWrote: false, wantVal: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl := openTemp(t).Table("rules")
			for k, v := range tc.existing {
				require.NoError(t, tbl.Put(k, []byte(v)))
			}
			wrote, err := tbl.PutIfAbsent(tc.key, []byte("new"))
			require.NoError(t, err)
			require.Equal(t, tc.wantWrote, wrote)
			got, ok, err := tbl.Get(tc.key)
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, tc.wantVal, string(got))
		})
	}
}

func TestTable_Delete(t *testing.T) {
	tests := []struct {
		name     string
		existing []string
		key      string
		want     bool
		left     []string
	}{
		{name: "missing table", key: "a", want: false},
		{name: "missing key", existing: []string{"b"}, key: "a", want: false, left: []string{"b"}},
		{name: "existing key", existing: []string{"a", "b"}, key: "a", want: true, left: []string{"b"}},
		{name: "last key", existing: []string{"a"}, key: "a", want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl := openTemp(t).Table("t")
			for _, k := range tc.existing {
				require.NoError(t, tbl.Put(k, []byte(k)))
			}
			existed, err := tbl.Delete(tc.key)
			require.NoError(t, err)
			require.Equal(t, tc.want, existed)
			keys, err := tbl.Keys()
			require.NoError(t, err)
			require.Equal(t, tc.left, keys)
			_, ok, err := tbl.Get(tc.key)
			require.NoError(t, err)
			require.False(t, ok)
		})
	}
}

func TestTable_Keys(t *testing.T) {
	tests := []struct {
		name string
		puts []string
		want []string
	}{
		{name: "missing table", want: nil},
		{name: "one", puts: []string{"a"}, want: []string{"a"}},
		{name: "sorted bytewise", puts: []string{"rule10", "Rule2", "rule2", "a", "rule1"}, want: []string{"Rule2", "a", "rule1", "rule10", "rule2"}},
		{name: "unicode after ascii", puts: []string{"é", "z", "e"}, want: []string{"e", "z", "é"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl := openTemp(t).Table("t")
			for _, k := range tc.puts {
				require.NoError(t, tbl.Put(k, nil))
			}
			keys, err := tbl.Keys()
			require.NoError(t, err)
			require.Equal(t, tc.want, keys)
			n, err := tbl.Len()
			require.NoError(t, err)
			require.Equal(t, len(tc.want), n)
		})
	}
}

func TestTable_ForEach(t *testing.T) {
	stop := errors.New("stop")
	tests := []struct {
		name     string
		puts     []string
		failAt   string
		wantSeen []string
		wantErr  error
	}{
		{name: "missing table"},
		{name: "all in order", puts: []string{"c", "a", "b"}, wantSeen: []string{"a", "b", "c"}},
		{name: "stops at first error", puts: []string{"c", "a", "b"}, failAt: "b", wantSeen: []string{"a", "b"}, wantErr: stop},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl := openTemp(t).Table("t")
			for _, k := range tc.puts {
				require.NoError(t, tbl.Put(k, []byte("v"+k)))
			}
			var seen []string
			err := tbl.ForEach(func(k string, v []byte) error {
				require.Equal(t, "v"+k, string(v))
				seen = append(seen, k)
				if k == tc.failAt {
					return stop
				}
				return nil
			})
			require.ErrorIs(t, err, tc.wantErr)
			require.Equal(t, tc.wantSeen, seen)
		})
	}
}

func TestTable_ForEachMayWrite(t *testing.T) {
	tbl := openTemp(t).Table("t")
	for _, k := range []string{"a", "b", "c"} {
		require.NoError(t, tbl.Put(k, []byte(k)))
	}
	var kept [][]byte
	err := tbl.ForEach(func(k string, v []byte) error {
		kept = append(kept, v)
		_, err := tbl.Delete(k)
		return err
	})
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte("a"), []byte("b"), []byte("c")}, kept)
	n, err := tbl.Len()
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestStore_Update(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		fn      func(tx *store.Tx) error
		wantErr error
		want    map[string]string // "table/key" -> value after the update
	}{
		{
			name: "commits several tables together",
			fn: func(tx *store.Tx) error {
				if err := tx.Put("rules", "r1", []byte("def")); err != nil {
					return err
				}
				return tx.Put("meta", "count", []byte("2"))
			},
			want: map[string]string{"rules/r1": "def", "meta/count": "2", "rules/r0": "old", "meta/x": ""},
		},
		{
			name: "error leaves nothing written",
			fn: func(tx *store.Tx) error {
				if err := tx.Put("rules", "r1", []byte("def")); err != nil {
					return err
				}
				if _, err := tx.Delete("rules", "r0"); err != nil {
					return err
				}
				if err := tx.Put("meta", "count", []byte("2")); err != nil {
					return err
				}
				return boom
			},
			wantErr: boom,
			want:    map[string]string{"rules/r0": "old", "meta/count": "1", "meta/x": ""},
		},
		{
			name: "reads its own writes",
			fn: func(tx *store.Tx) error {
				if err := tx.Put("rules", "r1", []byte("def")); err != nil {
					return err
				}
				v, ok, err := tx.Get("rules", "r1")
				if err != nil || !ok || string(v) != "def" {
					return fmt.Errorf("read own write: %q %v %v", v, ok, err)
				}
				keys, err := tx.Keys("rules")
				if err != nil || len(keys) != 2 {
					return fmt.Errorf("keys: %v %v", keys, err)
				}
				wrote, err := tx.PutIfAbsent("rules", "r1", []byte("again"))
				if err != nil || wrote {
					return fmt.Errorf("put if absent: %v %v", wrote, err)
				}
				return nil
			},
			want: map[string]string{"rules/r1": "def", "rules/r0": "old", "meta/count": "1", "meta/x": ""},
		},
		{
			name: "drop table",
			fn: func(tx *store.Tx) error {
				existed, err := tx.DropTable("rules")
				if err != nil || !existed {
					return fmt.Errorf("drop: %v %v", existed, err)
				}
				existed, err = tx.DropTable("nope")
				if err != nil || existed {
					return fmt.Errorf("drop missing: %v %v", existed, err)
				}
				return nil
			},
			want: map[string]string{"meta/count": "1", "meta/x": ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			require.NoError(t, s.Table("rules").Put("r0", []byte("old")))
			require.NoError(t, s.Table("meta").Put("count", []byte("1")))
			require.NoError(t, s.Table("meta").Put("x", nil))

			err := s.Update(tc.fn)
			require.ErrorIs(t, err, tc.wantErr)

			got := map[string]string{}
			tables, err := s.Tables()
			require.NoError(t, err)
			for _, name := range tables {
				require.NoError(t, s.Table(name).ForEach(func(k string, v []byte) error {
					got[name+"/"+k] = string(v)
					return nil
				}))
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestStore_UpdatePanicRollsBack(t *testing.T) {
	s := openTemp(t)
	require.Panics(t, func() {
		_ = s.Update(func(tx *store.Tx) error {
			if err := tx.Put("t", "k", []byte("v")); err != nil {
				return err
			}
			panic("plugin bug")
		})
	})
	_, ok, err := s.Table("t").Get("k")
	require.NoError(t, err)
	require.False(t, ok)
	// The store still works.
	require.NoError(t, s.Table("t").Put("k", []byte("v")))
}

func TestStore_View(t *testing.T) {
	s := openTemp(t)
	require.NoError(t, s.Table("t").Put("k", []byte("v")))
	tests := []struct {
		name string
		fn   func(tx *store.Tx) error
	}{
		{name: "put", fn: func(tx *store.Tx) error { return tx.Put("t", "k2", []byte("v")) }},
		{name: "put new table", fn: func(tx *store.Tx) error { return tx.Put("new", "k2", []byte("v")) }},
		{name: "put if absent", fn: func(tx *store.Tx) error { _, err := tx.PutIfAbsent("t", "k2", nil); return err }},
		{name: "delete", fn: func(tx *store.Tx) error { _, err := tx.Delete("t", "k"); return err }},
		{name: "drop table", fn: func(tx *store.Tx) error { _, err := tx.DropTable("t"); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, s.View(tc.fn), store.ErrReadOnly)
		})
	}
	t.Run("reads", func(t *testing.T) {
		require.NoError(t, s.View(func(tx *store.Tx) error {
			v, ok, err := tx.Get("t", "k")
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, "v", string(v))
			_, ok, err = tx.Get("missing", "k")
			require.NoError(t, err)
			require.False(t, ok)
			var n int
			require.NoError(t, tx.ForEach("t", func(string, []byte) error { n++; return nil }))
			require.Equal(t, 1, n)
			return nil
		}))
	})
}

func TestStore_Tables(t *testing.T) {
	s := openTemp(t)
	tables, err := s.Tables()
	require.NoError(t, err)
	require.Empty(t, tables)
	require.NoError(t, s.Table("rules").Put("a", nil))
	require.NoError(t, s.Table("streams").Put("a", nil))
	_, _, err = s.Table("never-written").Get("a")
	require.NoError(t, err)
	tables, err = s.Tables()
	require.NoError(t, err)
	require.Equal(t, []string{"rules", "streams"}, tables)

	existed, err := s.DropTable("rules")
	require.NoError(t, err)
	require.True(t, existed)
	existed, err = s.DropTable("rules")
	require.NoError(t, err)
	require.False(t, existed)
	tables, err = s.Tables()
	require.NoError(t, err)
	require.Equal(t, []string{"streams"}, tables)
}

func TestOpen(t *testing.T) {
	t.Run("creates parent directories", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a", "b", "data", "kuiper.db")
		s, err := store.Open(path, store.Options{})
		require.NoError(t, err)
		require.Equal(t, path, s.Path())
		require.NoError(t, s.Close())
		require.FileExists(t, path)
	})
	t.Run("empty path", func(t *testing.T) {
		_, err := store.Open("", store.Options{})
		require.Error(t, err)
	})
	t.Run("parent is a file", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), nil, 0o600))
		_, err := store.Open(filepath.Join(dir, "f", "kuiper.db"), store.Options{})
		require.Error(t, err)
	})
	t.Run("not a database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kuiper.db")
		require.NoError(t, os.WriteFile(path, []byte("this is not a bbolt file, far from it; it is just some text"), 0o600))
		_, err := store.Open(path, store.Options{LockTimeout: -1})
		require.Error(t, err)
		require.Contains(t, err.Error(), path)
	})
	t.Run("locked by another opener", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kuiper.db")
		first, err := store.Open(path, store.Options{})
		require.NoError(t, err)
		defer first.Close()
		_, err = store.Open(path, store.Options{LockTimeout: -1})
		require.ErrorIs(t, err, store.ErrLocked)
		require.EqualError(t, err, fmt.Sprintf("store %s is locked by another kuiperd", path))
		var le *store.LockedError
		require.ErrorAs(t, err, &le)
		require.Equal(t, path, le.Path)
	})
	t.Run("reopen keeps data", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kuiper.db")
		s, err := store.Open(path, store.Options{})
		require.NoError(t, err)
		require.NoError(t, s.Table("rules").Put("r1", []byte("def")))
		require.NoError(t, s.Close())
		s, err = store.Open(path, store.Options{})
		require.NoError(t, err)
		defer s.Close()
		v, ok, err := s.Table("rules").Get("r1")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "def", string(v))
	})
	t.Run("read only", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kuiper.db")
		s, err := store.Open(path, store.Options{})
		require.NoError(t, err)
		require.NoError(t, s.Table("rules").Put("r1", []byte("def")))
		require.NoError(t, s.Close())
		s, err = store.Open(path, store.Options{ReadOnly: true})
		require.NoError(t, err)
		defer s.Close()
		v, ok, err := s.Table("rules").Get("r1")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "def", string(v))
		require.ErrorIs(t, s.Table("rules").Put("r2", nil), store.ErrReadOnly)
	})
}

func TestStore_Closed(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "kuiper.db"), store.Options{})
	require.NoError(t, err)
	tbl := s.Table("t")
	require.NoError(t, tbl.Put("k", nil))
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "closing twice is harmless")

	tests := []struct {
		name string
		op   func() error
	}{
		{"get", func() error { _, _, err := tbl.Get("k"); return err }},
		{"put", func() error { return tbl.Put("k", nil) }},
		{"put if absent", func() error { _, err := tbl.PutIfAbsent("k", nil); return err }},
		{"delete", func() error { _, err := tbl.Delete("k"); return err }},
		{"keys", func() error { _, err := tbl.Keys(); return err }},
		{"for each", func() error { return tbl.ForEach(func(string, []byte) error { return nil }) }},
		{"update", func() error { return s.Update(func(*store.Tx) error { return nil }) }},
		{"view", func() error { return s.View(func(*store.Tx) error { return nil }) }},
		{"tables", func() error { _, err := s.Tables(); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.op(), store.ErrClosed)
		})
	}
}

func TestStore_Concurrent(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "kuiper.db"), store.Options{NoSync: true})
	require.NoError(t, err)
	defer s.Close()

	const workers, perWorker = 8, 50
	var winners atomic.Int32
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tbl := s.Table("t")
			for i := range perWorker {
				key := fmt.Sprintf("w%d-%03d", w, i)
				if err := tbl.Put(key, []byte(key)); err != nil {
					t.Error(err)
					return
				}
				if v, ok, err := tbl.Get(key); err != nil || !ok || string(v) != key {
					t.Errorf("get %s: %q %v %v", key, v, ok, err)
					return
				}
				wrote, err := s.Table("owners").PutIfAbsent(strconv.Itoa(i), []byte{byte(w)})
				if err != nil {
					t.Error(err)
					return
				}
				if wrote {
					winners.Add(1)
				}
				// A multi-table update that increments a counter.
				err = s.Update(func(tx *store.Tx) error {
					v, _, err := tx.Get("meta", "count")
					if err != nil {
						return err
					}
					n, _ := strconv.Atoi(string(v))
					return tx.Put("meta", "count", []byte(strconv.Itoa(n+1)))
				})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := tbl.Keys(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()

	require.Equal(t, int32(perWorker), winners.Load(), "exactly one creator per key")
	n, err := s.Table("t").Len()
	require.NoError(t, err)
	require.Equal(t, workers*perWorker, n)
	v, _, err := s.Table("meta").Get("count")
	require.NoError(t, err)
	require.Equal(t, strconv.Itoa(workers*perWorker), string(v))
}

func BenchmarkTable_Put(b *testing.B) {
	for _, sync := range []bool{true, false} {
		name := "fsync"
		if !sync {
			name = "nosync"
		}
		b.Run(name, func(b *testing.B) {
			s, err := store.Open(filepath.Join(b.TempDir(), "kuiper.db"), store.Options{NoSync: !sync})
			require.NoError(b, err)
			defer s.Close()
			tbl := s.Table("bench")
			val := make([]byte, 256)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := tbl.Put("key-"+strconv.Itoa(i%1000), val); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTable_Get(b *testing.B) {
	s, err := store.Open(filepath.Join(b.TempDir(), "kuiper.db"), store.Options{NoSync: true})
	require.NoError(b, err)
	defer s.Close()
	tbl := s.Table("bench")
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
		require.NoError(b, tbl.Put(keys[i], make([]byte, 256)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, ok, err := tbl.Get(keys[i%len(keys)]); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkStore_UpdateBatch(b *testing.B) {
	s, err := store.Open(filepath.Join(b.TempDir(), "kuiper.db"), store.Options{})
	require.NoError(b, err)
	defer s.Close()
	val := make([]byte, 256)
	b.ReportAllocs()
	for b.Loop() {
		err := s.Update(func(tx *store.Tx) error {
			for i := range 100 {
				if err := tx.Put("bench", "key-"+strconv.Itoa(i), val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func TestStore_Batch(t *testing.T) {
	s := openTemp(t)
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Batch(func(tx *store.Tx) error {
				if err := tx.Put("t", fmt.Sprintf("k%02d", i), []byte("v")); err != nil {
					return err
				}
				if i%5 == 0 {
					return boom
				}
				return nil
			})
		}()
	}
	wg.Wait()
	var want []string
	for i, err := range errs {
		if i%5 == 0 {
			require.ErrorIs(t, err, boom)
			continue
		}
		require.NoError(t, err)
		want = append(want, fmt.Sprintf("k%02d", i))
	}
	keys, err := s.Table("t").Keys()
	require.NoError(t, err)
	require.Equal(t, want, keys, "failed batch members leave nothing; the others commit")
}

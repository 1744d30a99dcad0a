// Package store is Kuiper's embedded, crash-safe key-value database. It
// keeps streams, tables, rules, plugin records, checkpoints and sink caches
// in one bbolt file under the data directory.
//
// Data lives in named tables (bbolt buckets) of opaque values keyed by
// string. Every acknowledged write has been synced to disk, so a crash never
// loses it. Single-key operations go through Table; several writes that must
// land together go through Store.Update.
package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DefaultLockTimeout is how long Open waits for another process to release
// the database file when Options.LockTimeout is zero.
const DefaultLockTimeout = time.Second

// Errors returned by the store. They are matched with errors.Is.
var (
	// ErrLocked reports that another process holds the database file.
	ErrLocked = errors.New("store is locked")
	// ErrClosed reports use of a closed store.
	ErrClosed = errors.New("store is closed")
	// ErrReadOnly reports a write inside a View transaction.
	ErrReadOnly = errors.New("write in a read-only transaction")
	// ErrInvalidName reports an empty table name or key, or one that is
	// too long.
	ErrInvalidName = errors.New("invalid table name or key")
	// ErrValueTooLarge reports a value bbolt cannot hold.
	ErrValueTooLarge = errors.New("value too large")
)

// LockedError is returned by Open when another process (usually a second
// kuiperd on the same data directory) holds the database file. It matches
// ErrLocked.
type LockedError struct {
	Path string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("store %s is locked by another kuiperd", e.Path)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Options tune Open. The zero value is right for kuiperd.
type Options struct {
	// LockTimeout is how long to wait for the file lock held by another
	// process; zero means DefaultLockTimeout, negative means fail at once.
	LockTimeout time.Duration
	// NoSync skips fsync on commit. It is only for tests and scratch
	// stores: with it, a crash can lose acknowledged writes.
	NoSync bool
	// ReadOnly opens the file for reading; writes fail. Several read-only
	// openers may share the file (e.g. an offline inspection tool).
	ReadOnly bool
}

// Store is an open database. It is safe for concurrent use; writes are
// serialized, reads run in parallel with each other and with one writer.
type Store struct {
	db   *bolt.DB
	path string
}

// Open opens or creates the database file at path, creating missing parent
// directories.
func Open(path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("open store: empty path")
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	timeout := opts.LockTimeout
	switch {
	case timeout == 0:
		timeout = DefaultLockTimeout
	case timeout < 0:
		// bbolt treats 0 as "wait forever"; the shortest real wait is
		// one lock attempt, which bbolt makes before checking the timeout.
		timeout = time.Nanosecond
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:  timeout,
		NoSync:   opts.NoSync,
		ReadOnly: opts.ReadOnly,
	})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, &LockedError{Path: path}
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// Path returns the database file path.
func (s *Store) Path() string { return s.path }

// Close releases the file. It waits for running transactions to finish.
// Closing twice is harmless; any other use after Close returns ErrClosed.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return nil
}

// Table returns the table called name. The table is created by its first
// write; reading a table that was never written finds nothing.
func (s *Store) Table(name string) *Table {
	return &Table{s: s, name: name}
}

// Tables returns the names of all tables that hold or held data, sorted.
func (s *Store) Tables() ([]string, error) {
	var names []string
	err := s.View(func(tx *Tx) error {
		return tx.tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, string(name))
			return nil
		})
	})
	return names, err
}

// DropTable deletes the table called name and everything in it, reporting
// whether it existed.
func (s *Store) DropTable(name string) (bool, error) {
	var existed bool
	err := s.Update(func(tx *Tx) error {
		var err error
		existed, err = tx.DropTable(name)
		return err
	})
	return existed, err
}

// Update runs fn in one write transaction: everything fn writes is
// committed (and synced) together when fn returns nil, and nothing is
// written when fn returns an error or panics. fn must not use tx after it
// returns, and must not call Update, View or Table methods on the same
// store (that deadlocks); do all the work through tx.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.mapErr(s.db.Update(func(btx *bolt.Tx) error {
		return fn(&Tx{tx: btx})
	}))
}

// Batch is Update for many concurrent writers: calls made at about the same
// time from different goroutines share one transaction and one fsync, which
// raises throughput when each write would otherwise wait for its own sync
// (checkpoints of many rules, sink caches). The price: if one fn fails, the
// others of its batch are retried on their own, so fn may run more than once
// and must only depend on tx. It returns once fn's writes are on disk.
func (s *Store) Batch(fn func(tx *Tx) error) error {
	return s.mapErr(s.db.Batch(func(btx *bolt.Tx) error {
		return fn(&Tx{tx: btx})
	}))
}

// View runs fn in a read-only transaction that sees one consistent
// snapshot. Writes through tx fail with ErrReadOnly. The same rules as for
// Update apply to tx and to nesting.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.mapErr(s.db.View(func(btx *bolt.Tx) error {
		return fn(&Tx{tx: btx})
	}))
}

// mapErr turns bbolt's errors into the package's sentinels.
func (s *Store) mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bolt.ErrDatabaseNotOpen), errors.Is(err, bolt.ErrTxClosed):
		return fmt.Errorf("store %s: %w", s.path, ErrClosed)
	case errors.Is(err, bolt.ErrDatabaseReadOnly):
		return fmt.Errorf("store %s: %w", s.path, ErrReadOnly)
	}
	return err
}

// Tx is a transaction handed to Update or View. Table and key names follow
// the same rules as for Table. A Tx is not safe for concurrent use.
type Tx struct {
	tx *bolt.Tx
}

// bucket returns the table's bucket, or nil if it does not exist.
func (t *Tx) bucket(table string) (*bolt.Bucket, error) {
	if err := checkName("table", table); err != nil {
		return nil, err
	}
	return t.tx.Bucket([]byte(table)), nil
}

// writable returns the table's bucket, creating it.
func (t *Tx) writable(table string) (*bolt.Bucket, error) {
	if !t.tx.Writable() {
		return nil, ErrReadOnly
	}
	if err := checkName("table", table); err != nil {
		return nil, err
	}
	b, err := t.tx.CreateBucketIfNotExists([]byte(table))
	if err != nil {
		return nil, fmt.Errorf("create table %q: %w", table, err)
	}
	return b, nil
}

// Get returns a copy of the value of key in table, and whether it exists.
func (t *Tx) Get(table, key string) ([]byte, bool, error) {
	if err := checkName("key", key); err != nil {
		return nil, false, err
	}
	b, err := t.bucket(table)
	if err != nil || b == nil {
		return nil, false, err
	}
	v, ok := get(b, key)
	if !ok {
		return nil, false, nil
	}
	return append(make([]byte, 0, len(v)), v...), true, nil
}

// get finds key in b. An empty value is found too (bbolt may hand it back as
// nil, so presence is judged by the key).
func get(b *bolt.Bucket, key string) ([]byte, bool) {
	k, v := b.Cursor().Seek([]byte(key))
	if k == nil || !bytes.Equal(k, []byte(key)) {
		return nil, false
	}
	return v, true
}

// Put sets key in table to val, creating the table if needed. val may be
// reused once Put returns.
func (t *Tx) Put(table, key string, val []byte) error {
	if err := checkName("key", key); err != nil {
		return err
	}
	b, err := t.writable(table)
	if err != nil {
		return err
	}
	if int64(len(val)) > bolt.MaxValueSize {
		return fmt.Errorf("put %s/%s: %w", table, key, ErrValueTooLarge)
	}
	// bbolt keeps val until commit; copy so callers can reuse buffers.
	if err := b.Put([]byte(key), bytes.Clone(val)); err != nil {
		return fmt.Errorf("put %s/%s: %w", table, key, err)
	}
	return nil
}

// PutIfAbsent sets key in table to val unless key exists, and reports
// whether it wrote.
func (t *Tx) PutIfAbsent(table, key string, val []byte) (bool, error) {
	if err := checkName("key", key); err != nil {
		return false, err
	}
	b, err := t.writable(table)
	if err != nil {
		return false, err
	}
	if _, ok := get(b, key); ok {
		return false, nil
	}
	if err := t.Put(table, key, val); err != nil {
		return false, err
	}
	return true, nil
}

// Delete removes key from table and reports whether it existed.
func (t *Tx) Delete(table, key string) (bool, error) {
	if !t.tx.Writable() {
		return false, ErrReadOnly
	}
	if err := checkName("key", key); err != nil {
		return false, err
	}
	b, err := t.bucket(table)
	if err != nil || b == nil {
		return false, err
	}
	if _, ok := get(b, key); !ok {
		return false, nil
	}
	if err := b.Delete([]byte(key)); err != nil {
		return false, fmt.Errorf("delete %s/%s: %w", table, key, err)
	}
	return true, nil
}

// Keys returns the keys of table in byte order (which is Go string order).
func (t *Tx) Keys(table string) ([]string, error) {
	b, err := t.bucket(table)
	if err != nil || b == nil {
		return nil, err
	}
	var keys []string
	err = b.ForEach(func(k, _ []byte) error {
		keys = append(keys, string(k))
		return nil
	})
	return keys, err
}

// ForEach calls fn for every entry of table in key order, stopping at the
// first error, which it returns. val is only valid during the call: copy it
// to keep it. fn may write through tx but not to table itself.
func (t *Tx) ForEach(table string, fn func(key string, val []byte) error) error {
	b, err := t.bucket(table)
	if err != nil || b == nil {
		return err
	}
	return b.ForEach(func(k, v []byte) error {
		return fn(string(k), v)
	})
}

// DropTable deletes table and everything in it, reporting whether it
// existed.
func (t *Tx) DropTable(table string) (bool, error) {
	if !t.tx.Writable() {
		return false, ErrReadOnly
	}
	if err := checkName("table", table); err != nil {
		return false, err
	}
	err := t.tx.DeleteBucket([]byte(table))
	if errors.Is(err, bolt.ErrBucketNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("drop table %q: %w", table, err)
	}
	return true, nil
}

// checkName rejects what bbolt cannot store as a bucket name or key.
func checkName(what, name string) error {
	if name == "" {
		return fmt.Errorf("empty %s: %w", what, ErrInvalidName)
	}
	if len(name) > bolt.MaxKeySize {
		return fmt.Errorf("%s of %d bytes exceeds %d: %w", what, len(name), bolt.MaxKeySize, ErrInvalidName)
	}
	return nil
}

// Table is a named collection of opaque values keyed by string. Each method
// is its own transaction; use Store.Update to combine several.
type Table struct {
	s    *Store
	name string
}

// Name returns the table's name.
func (t *Table) Name() string { return t.name }

// Get returns a copy of the value of key, and whether it exists.
func (t *Table) Get(key string) (val []byte, ok bool, err error) {
	err = t.s.View(func(tx *Tx) error {
		val, ok, err = tx.Get(t.name, key)
		return err
	})
	return val, ok, err
}

// Put sets key to val; it returns once the write is on disk.
func (t *Table) Put(key string, val []byte) error {
	return t.s.Update(func(tx *Tx) error { return tx.Put(t.name, key, val) })
}

// PutIfAbsent sets key to val unless key exists, and reports whether it
// wrote. The check and the write are one transaction, so of several
// concurrent creators of the same key exactly one wins.
func (t *Table) PutIfAbsent(key string, val []byte) (wrote bool, err error) {
	err = t.s.Update(func(tx *Tx) error {
		wrote, err = tx.PutIfAbsent(t.name, key, val)
		return err
	})
	return wrote, err
}

// Delete removes key and reports whether it existed.
func (t *Table) Delete(key string) (existed bool, err error) {
	err = t.s.Update(func(tx *Tx) error {
		existed, err = tx.Delete(t.name, key)
		return err
	})
	return existed, err
}

// Keys returns the table's keys, sorted.
func (t *Table) Keys() (keys []string, err error) {
	err = t.s.View(func(tx *Tx) error {
		keys, err = tx.Keys(t.name)
		return err
	})
	return keys, err
}

// ForEach calls fn for every entry in key order, stopping at the first
// error, which it returns. It reads one consistent snapshot, then calls fn
// outside any transaction, so fn may keep val and may use the store
// (including writing to this table).
func (t *Table) ForEach(fn func(key string, val []byte) error) error {
	type entry struct {
		key string
		val []byte
	}
	var entries []entry
	err := t.s.View(func(tx *Tx) error {
		return tx.ForEach(t.name, func(k string, v []byte) error {
			entries = append(entries, entry{k, bytes.Clone(v)})
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.val == nil {
			e.val = []byte{}
		}
		if err := fn(e.key, e.val); err != nil {
			return err
		}
	}
	return nil
}

// Len returns the number of entries in the table.
func (t *Table) Len() (n int, err error) {
	err = t.s.View(func(tx *Tx) error {
		b, err := tx.bucket(t.name)
		if err != nil || b == nil {
			return err
		}
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		return nil
	})
	return n, err
}

package memory

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/kuiperio/kuiper/internal/connector/topic"
)

// Row kinds carried by the rowkindField of an updatable memory sink.
const (
	RowkindInsert = "insert"
	RowkindUpdate = "update"
	RowkindUpsert = "upsert"
	RowkindDelete = "delete"
)

// ErrKeyConflict is returned when a topic's table is already keyed by
// another field than the one asked for.
var ErrKeyConflict = errors.New("key conflict")

// Table is the keyed table of one hub topic: the latest row per key, fed
// by what is published on the topic. Lookup tables (KIND="lookup") of the
// memory type read it. Every lookup source and keyed sink on a topic
// shares its Table, which lives in the Hub while one of them is open.
//
// Rows are stored as published (shared with stream subscribers) and must
// be treated as read-only.
type Table struct {
	topic string
	refs  int // guarded by Hub.tmu

	mu   sync.RWMutex
	key  string // "" until a lookup source or a sink declares it
	rows map[any]tableEntry
	seq  uint64
}

type tableEntry struct {
	row map[string]any
	seq uint64 // insertion order, for stable scan results
}

// Topic returns the table's topic.
func (t *Table) Topic() string { return t.topic }

// Key returns the field the table is keyed by, or "" when none was
// declared yet.
func (t *Table) Key() string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.key
}

// Len returns the number of rows.
func (t *Table) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.rows)
}

// Get returns the row whose key field equals key.
func (t *Table) Get(key any) (map[string]any, bool) {
	k, ok := normKey(key)
	if !ok {
		return nil, false
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	e, ok := t.rows[k]
	return e.row, ok
}

// Lookup returns the rows whose fields equal values. When one of the
// fields is the table's key it is a map lookup; otherwise every row is
// compared, and the rows come in the order they were first written.
// Numbers compare by value whatever their Go type (int64(1) equals
// float64(1)); a nil or non-scalar value matches nothing.
func (t *Table) Lookup(fields []string, values []any) []map[string]any {
	if len(fields) != len(values) || len(fields) == 0 {
		return nil
	}
	want := make([]any, len(values))
	for i, v := range values {
		k, ok := normKey(v)
		if !ok {
			return nil
		}
		want[i] = k
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.key != "" {
		if i := slices.Index(fields, t.key); i >= 0 {
			e, ok := t.rows[want[i]]
			if !ok || !matches(e.row, fields, want) {
				return nil
			}
			return []map[string]any{e.row}
		}
	}
	var hits []tableEntry
	for _, e := range t.rows {
		if matches(e.row, fields, want) {
			hits = append(hits, e)
		}
	}
	if len(hits) == 0 {
		return nil
	}
	slices.SortFunc(hits, func(a, b tableEntry) int {
		switch {
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
	out := make([]map[string]any, len(hits))
	for i, e := range hits {
		out[i] = e.row
	}
	return out
}

func matches(row map[string]any, fields []string, want []any) bool {
	for i, f := range fields {
		k, ok := normKey(row[f])
		if !ok || k != want[i] {
			return false
		}
	}
	return true
}

// declareKey sets the table's key field, or checks it against the one
// already set.
func (t *Table) declareKey(key string) error {
	if key == "" {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.key == "" {
		t.key = key
		return nil
	}
	if t.key != key {
		return fmt.Errorf("memory topic %q is keyed by %q, not %q: %w", t.topic, t.key, key, ErrKeyConflict)
	}
	return nil
}

// apply writes rows to the table: each row's kind is read from kindField
// ("" or absent: upsert) and its key from keyField ("": the table's key).
// Rows that cannot be applied are skipped and reported in the error.
func (t *Table) apply(kindField, keyField string, rows []map[string]any) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if keyField == "" {
		keyField = t.key
	}
	if keyField == "" {
		return nil // nobody said which field is the key: nothing to store
	}
	if t.key != "" && keyField != t.key {
		return fmt.Errorf("memory topic %q is keyed by %q, not %q: %w", t.topic, t.key, keyField, ErrKeyConflict)
	}
	var errs []error
	for _, row := range rows {
		kind := RowkindUpsert
		if kindField != "" {
			if v, ok := row[kindField]; ok && v != nil {
				s, ok := v.(string)
				if !ok {
					errs = append(errs, fmt.Errorf("row kind field %q is a %T, want a string", kindField, v))
					continue
				}
				kind = strings.ToLower(s)
			}
		}
		k, ok := normKey(row[keyField])
		if !ok {
			errs = append(errs, fmt.Errorf("key field %q is missing or not a string, number or bool: %v", keyField, row[keyField]))
			continue
		}
		switch kind {
		case RowkindInsert, RowkindUpdate, RowkindUpsert:
			t.seq++
			seq := t.seq
			if old, ok := t.rows[k]; ok {
				seq = old.seq // an update keeps the row's place
			}
			t.rows[k] = tableEntry{row: row, seq: seq}
		case RowkindDelete:
			delete(t.rows, k)
		default:
			errs = append(errs, fmt.Errorf("unknown row kind %q (want insert, update, upsert or delete)", kind))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("memory table %q: %w", t.topic, errors.Join(errs...))
	}
	return nil
}

// normKey makes a comparable map key of a scalar value: numbers that are
// whole become int64 whatever their Go type, so a key read from JSON
// (float64) finds one written by a rule (int64).
func normKey(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return x, true
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint:
		return normUint(uint64(x))
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return normUint(x)
	case float32:
		return normFloat(float64(x))
	case float64:
		return normFloat(x)
	}
	return nil, false
}

func normUint(u uint64) (any, bool) {
	if u <= math.MaxInt64 {
		return int64(u), true
	}
	return float64(u), true
}

func normFloat(f float64) (any, bool) {
	if math.IsNaN(f) {
		return nil, false
	}
	if f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
		return int64(f), true
	}
	return f, true
}

// OpenTable returns the table of topic t, creating it when needed, and
// counts one more user of it; key, when not "", declares the table's key
// field (an error if the table is keyed by another field). Call CloseTable
// when done: the table and its rows are dropped when its last user closes
// it.
func (h *Hub) OpenTable(t, key string) (*Table, error) {
	if err := topic.ValidateName(t); err != nil {
		return nil, fmt.Errorf("memory table: %w", err)
	}
	h.tmu.Lock()
	defer h.tmu.Unlock()
	tb := h.tables[t]
	created := tb == nil
	if created {
		tb = &Table{topic: t, rows: map[any]tableEntry{}}
	}
	if err := tb.declareKey(key); err != nil {
		return nil, err
	}
	if created {
		h.tables[t] = tb
	}
	tb.refs++
	return tb, nil
}

// CloseTable releases a table returned by OpenTable.
func (h *Hub) CloseTable(tb *Table) {
	if tb == nil {
		return
	}
	h.tmu.Lock()
	defer h.tmu.Unlock()
	if tb.refs <= 0 {
		return
	}
	tb.refs--
	if tb.refs == 0 && h.tables[tb.topic] == tb {
		delete(h.tables, tb.topic)
	}
}

// Table returns the open table of topic t, or nil.
func (h *Hub) Table(t string) *Table {
	h.tmu.RLock()
	defer h.tmu.RUnlock()
	return h.tables[t]
}

package rule

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// memKV is an in-memory KV.
type memKV map[string][]byte

func (m memKV) Get(key string) ([]byte, bool, error) { v, ok := m[key]; return v, ok, nil }
func (m memKV) Put(key string, val []byte) error     { m[key] = slices.Clone(val); return nil }
func (m memKV) PutIfAbsent(key string, val []byte) (bool, error) {
	if _, ok := m[key]; ok {
		return false, nil
	}
	m[key] = slices.Clone(val)
	return true, nil
}
func (m memKV) Delete(key string) (bool, error) { _, ok := m[key]; delete(m, key); return ok, nil }
func (m memKV) ForEach(fn func(key string, val []byte) error) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if err := fn(k, m[k]); err != nil {
			return err
		}
	}
	return nil
}

func TestCheckpointStore(t *testing.T) {
	def := func(sql string, qos int, eventTime bool) *Def {
		d := &Def{ID: "r", SQL: sql, Options: DefaultOptions()}
		d.Options.Qos = qos
		d.Options.IsEventTime = eventTime
		return d
	}
	const sql = "SELECT count(*) FROM demo GROUP BY COUNTWINDOW(5)"
	tests := []struct {
		name     string
		saved    *Def // the rule that saved the checkpoint
		loading  *Def // the rule that loads it
		wantErr  bool
		wantKept bool // the checkpoint is still stored after the load
	}{
		{"qos 1 keeps its checkpoint", def(sql, 1, false), def(sql, 1, false), false, true},
		{"qos 0 reads it once", def(sql, 0, false), def(sql, 0, false), false, false},
		{"changed SQL", def(sql, 1, false), def(sql+" HAVING count(*) > 1", 1, false), true, true},
		{"changed time mode", def(sql, 1, false), def(sql, 1, true), true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv := memKV{}
			m := &Manager{ckpt: kv}
			require.NoError(t, m.checkpointStore(tc.saved).Save([]byte("state")))
			got, ok, err := m.checkpointStore(tc.loading).Load()
			if tc.wantErr {
				require.Error(t, err)
				require.False(t, ok)
			} else {
				require.NoError(t, err)
				require.True(t, ok)
				require.Equal(t, "state", string(got))
			}
			_, kept := kv["r"]
			require.Equal(t, tc.wantKept, kept)
		})
	}

	t.Run("no checkpoint", func(t *testing.T) {
		m := &Manager{ckpt: memKV{}}
		_, ok, err := m.checkpointStore(def(sql, 1, false)).Load()
		require.NoError(t, err)
		require.False(t, ok)
	})
	t.Run("no store", func(t *testing.T) {
		require.Nil(t, (&Manager{}).checkpointStore(def(sql, 1, false)))
	})
}

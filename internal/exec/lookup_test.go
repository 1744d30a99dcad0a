package exec_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/exec"
	"github.com/kuiperio/kuiper/internal/value"
)

// fakeLookup serves rows {"id": n, "name": "n<n>"} for ids 1 to 3 and
// counts its calls.
type fakeLookup struct {
	calls int
	fail  bool
}

func (f *fakeLookup) Lookup(fields []string, values []value.Value) ([]*value.Row, error) {
	f.calls++
	if f.fail {
		return nil, errors.New("store down")
	}
	if len(fields) != 1 || fields[0] != "id" {
		return nil, errors.New("unexpected fields")
	}
	id := int64(values[0].Num())
	if id < 1 || id > 3 {
		return nil, nil
	}
	o := value.NewObject(2)
	o.Append("id", value.IntValue(id))
	o.Append("name", value.StringValue("n"+string(rune('0'+id))))
	return []*value.Row{{Msg: o}}, nil
}

func TestLookupJoin(t *testing.T) {
	t.Run("left join per row", func(t *testing.T) {
		h := newHarness(t, `SELECT s.id AS id, lk.name AS name FROM s LEFT JOIN lk ON s.id = lk.id`, exec.Options{})
		f := &fakeLookup{}
		h.op.SetLookup(1, f)
		out := h.play([]step{msg(1, `{"id":1}`), msg(2, `{"id":7}`), msg(3, `{}`)})
		require.Equal(t, []string{`{"id":1,"name":"n1"}`, `{"id":7}`, `{}`}, out)
		require.Equal(t, 2, f.calls, "a nil key is not looked up")
	})
	t.Run("inner join in a window", func(t *testing.T) {
		h := newHarness(t, `SELECT collect(lk.name) AS names FROM s INNER JOIN lk ON s.id = lk.id GROUP BY COUNTWINDOW(3)`, exec.Options{})
		h.op.SetLookup(1, &fakeLookup{})
		out := h.play([]step{msg(1, `{"id":3}`), msg(2, `{"id":9}`), msg(3, `{"id":1}`)})
		require.Equal(t, []string{`{"names":["n3","n1"]}`}, out)
	})
	t.Run("a failing lookup is a counted error", func(t *testing.T) {
		h := newHarness(t, `SELECT s.id AS id, lk.name AS name FROM s LEFT JOIN lk ON s.id = lk.id`, exec.Options{Meters: exec.Meters{}})
		h.op.SetLookup(1, &fakeLookup{fail: true})
		out := h.play([]step{msg(1, `{"id":1}`)})
		require.Equal(t, []string{`{"id":1}`}, out)
	})
}

func TestLookupCache(t *testing.T) {
	now := time.UnixMilli(T)
	f := &fakeLookup{}
	c := exec.NewLookupCache(f, 10*time.Second, false, 2, func() time.Time { return now })
	look := func(id int64) int {
		rows, err := c.Lookup([]string{"id"}, []value.Value{value.IntValue(id)})
		require.NoError(t, err)
		return len(rows)
	}
	require.Equal(t, 1, look(1))
	require.Equal(t, 1, look(1))
	require.Equal(t, 1, f.calls, "cached")
	require.Equal(t, 0, look(9))
	require.Equal(t, 0, look(9))
	require.Equal(t, 3, f.calls, "missing keys are not cached")
	now = now.Add(11 * time.Second)
	require.Equal(t, 1, look(1))
	require.Equal(t, 4, f.calls, "expired")

	f = &fakeLookup{}
	c = exec.NewLookupCache(f, 0, true, 2, func() time.Time { return now })
	look(9)
	look(9)
	require.Equal(t, 1, f.calls, "missing keys cached")
	look(1)
	look(2) // evicts one of the two cached keys
	require.Equal(t, 3, f.calls)
	require.Equal(t, 1, look(2), "the newest key stays")
	require.Equal(t, 3, f.calls)
}

package function

import (
	"maps"
	"slices"

	"github.com/kuiperio/kuiper/internal/value"
)

// Checkpointer is implemented by aggregators whose state can be written
// to a rule checkpoint and read back into a fresh aggregator of the same
// call, so an open window survives a restart of its rule. Every built-in
// aggregate implements it; plugin aggregates do not.
type Checkpointer interface {
	// SaveState appends the state to dst.
	SaveState(dst []byte) []byte
	// LoadState replaces the state with one SaveState wrote.
	LoadState(r *value.BinaryReader) error
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 1)
	}
	return append(dst, 0)
}

func appendVarint(dst []byte, i int64) []byte {
	return value.AppendBinary(dst, value.IntValue(i))
}

func appendFloat(dst []byte, f float64) []byte {
	return value.AppendBinary(dst, value.FloatValue(f))
}

func readInt(r *value.BinaryReader) int64 { return r.Value().Int() }

func readFloat(r *value.BinaryReader) float64 { return r.Value().Float() }

func appendValues(dst []byte, vals []value.Value) []byte {
	return value.AppendBinary(dst, value.ArrayValue(vals))
}

func readValues(r *value.BinaryReader) []value.Value {
	v := r.Value()
	if v.Kind() != value.Array {
		return nil
	}
	return v.Array()
}

func (a *countAgg) SaveState(dst []byte) []byte { return appendVarint(dst, a.n) }

func (a *countAgg) LoadState(r *value.BinaryReader) error {
	a.n = readInt(r)
	return r.Err()
}

func (a *sumAgg) SaveState(dst []byte) []byte {
	dst = appendVarint(dst, a.n)
	dst = appendBool(dst, a.isFloat)
	dst = appendVarint(dst, a.i)
	return appendFloat(dst, a.f)
}

func (a *sumAgg) LoadState(r *value.BinaryReader) error {
	a.n = readInt(r)
	a.isFloat = r.Byte() != 0
	a.i = readInt(r)
	a.f = readFloat(r)
	return r.Err()
}

func (a *avgAgg) SaveState(dst []byte) []byte { return a.sum.SaveState(dst) }

func (a *avgAgg) LoadState(r *value.BinaryReader) error { return a.sum.LoadState(r) }

func (a *extremeAgg) SaveState(dst []byte) []byte { return value.AppendBinary(dst, a.best) }

func (a *extremeAgg) LoadState(r *value.BinaryReader) error {
	a.best = r.Value()
	return r.Err()
}

func (a *collectAgg) SaveState(dst []byte) []byte { return appendValues(dst, a.vals) }

func (a *collectAgg) LoadState(r *value.BinaryReader) error {
	a.vals = readValues(r)
	return r.Err()
}

func (a *dedupAgg) SaveState(dst []byte) []byte {
	dst = appendBool(dst, a.all)
	var seen []value.Value
	for _, h := range slices.Sorted(maps.Keys(a.seen.m)) {
		seen = append(seen, a.seen.m[h]...)
	}
	dst = appendValues(dst, seen)
	dst = appendBool(dst, a.rows != nil)
	dst = appendValues(dst, a.rows)
	return value.AppendBinary(dst, a.last)
}

func (a *dedupAgg) LoadState(r *value.BinaryReader) error {
	a.all = r.Byte() != 0
	seen := readValues(r)
	a.seen = newValueSet(len(seen))
	for _, v := range seen {
		a.seen.add(v)
	}
	hasRows := r.Byte() != 0
	a.rows = readValues(r)
	if !hasRows {
		a.rows = nil
	}
	a.last = r.Value()
	return r.Err()
}

func (a *lastAgg) SaveState(dst []byte) []byte {
	dst = appendBool(dst, a.ignoreNull)
	dst = appendBool(dst, a.fixed)
	return value.AppendBinary(dst, a.v)
}

func (a *lastAgg) LoadState(r *value.BinaryReader) error {
	a.ignoreNull = r.Byte() != 0
	a.fixed = r.Byte() != 0
	a.v = r.Value()
	return r.Err()
}

func (a *mergeAgg) SaveState(dst []byte) []byte {
	return value.AppendBinary(dst, value.ObjectValue(a.o))
}

func (a *mergeAgg) LoadState(r *value.BinaryReader) error {
	if o := r.Value().Object(); o != nil {
		a.o = o
	} else {
		a.o = value.NewObject(0)
	}
	return r.Err()
}

func (a *momentAgg) SaveState(dst []byte) []byte {
	dst = appendFloat(dst, a.n)
	dst = appendFloat(dst, a.mean)
	return appendFloat(dst, a.m2)
}

func (a *momentAgg) LoadState(r *value.BinaryReader) error {
	a.n = readFloat(r)
	a.mean = readFloat(r)
	a.m2 = readFloat(r)
	return r.Err()
}

func (a *percentileAgg) SaveState(dst []byte) []byte {
	dst = appendFloat(dst, a.p)
	dst = appendBool(dst, a.fixed)
	dst = appendBool(dst, a.ints)
	dst = appendVarint(dst, int64(len(a.vals)))
	for _, x := range a.vals {
		dst = appendFloat(dst, x)
	}
	return dst
}

func (a *percentileAgg) LoadState(r *value.BinaryReader) error {
	a.p = readFloat(r)
	a.fixed = r.Byte() != 0
	a.ints = r.Byte() != 0
	n := readInt(r)
	if n < 0 || n > 1<<40 {
		return value.ErrBinary
	}
	a.vals = make([]float64, 0, min(n, 1<<20))
	for range n {
		if r.Err() != nil {
			break
		}
		a.vals = append(a.vals, readFloat(r))
	}
	return r.Err()
}

// Analytic states implement Checkpointer too.

func (s *lagState) SaveState(dst []byte) []byte {
	dst = appendBool(dst, s.init)
	dst = appendValues(dst, s.ring)
	return appendVarint(dst, int64(s.head))
}

func (s *lagState) LoadState(r *value.BinaryReader) error {
	s.init = r.Byte() != 0
	s.ring = readValues(r)
	s.head = int(readInt(r))
	if s.head < 0 || (len(s.ring) > 0 && s.head >= len(s.ring)) {
		return value.ErrBinary
	}
	return r.Err()
}

func (s *latestState) SaveState(dst []byte) []byte { return value.AppendBinary(dst, s.v) }

func (s *latestState) LoadState(r *value.BinaryReader) error {
	s.v = r.Value()
	return r.Err()
}

func (s *changedState) SaveState(dst []byte) []byte { return value.AppendBinary(dst, s.last) }

func (s *changedState) LoadState(r *value.BinaryReader) error {
	s.last = r.Value()
	return r.Err()
}

func (s *hadChangedState) SaveState(dst []byte) []byte { return appendValues(dst, s.last) }

func (s *hadChangedState) LoadState(r *value.BinaryReader) error {
	s.last = readValues(r)
	return r.Err()
}

func (s *accState) SaveState(dst []byte) []byte {
	dst = appendVarint(dst, s.count)
	dst = appendBool(dst, s.isFloat)
	dst = appendVarint(dst, s.i)
	dst = appendFloat(dst, s.f)
	dst = value.AppendBinary(dst, s.max)
	return value.AppendBinary(dst, s.min)
}

func (s *accState) LoadState(r *value.BinaryReader) error {
	s.count = readInt(r)
	s.isFloat = r.Byte() != 0
	s.i = readInt(r)
	s.f = readFloat(r)
	s.max = r.Value()
	s.min = r.Value()
	return r.Err()
}

// The column names come from the call, not the state.
func (s *changedColsState) SaveState(dst []byte) []byte { return appendValues(dst, s.last) }

func (s *changedColsState) LoadState(r *value.BinaryReader) error {
	s.last = readValues(r)
	return r.Err()
}

package expr

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	"github.com/kuiperio/kuiper/internal/function"
	"github.com/kuiperio/kuiper/internal/value"
)

// CanSaveState reports whether the call's state can be checkpointed
// (every built-in analytic function's can).
func (a *Analytic) CanSaveState() bool {
	_, ok := a.Spec.NewState(a.ConstArgs).(function.Checkpointer)
	return ok
}

// SaveState appends the call's state, of every partition, to dst. The
// caller checked CanSaveState.
func (a *Analytic) SaveState(dst []byte) []byte {
	if a.single != nil {
		dst = append(dst, 1)
		dst = a.single.(function.Checkpointer).SaveState(dst)
	} else {
		dst = append(dst, 0)
	}
	keys := slices.Sorted(maps.Keys(a.states))
	dst = binary.AppendUvarint(dst, uint64(len(keys)))
	for _, k := range keys {
		dst = value.AppendBinaryString(dst, k)
		dst = a.states[k].(function.Checkpointer).SaveState(dst)
	}
	return dst
}

// LoadState replaces the call's state with one SaveState wrote.
func (a *Analytic) LoadState(r *value.BinaryReader) error {
	load := func() (any, error) {
		s := a.Spec.NewState(a.ConstArgs)
		cp, ok := s.(function.Checkpointer)
		if !ok {
			return nil, fmt.Errorf("the state of %s cannot be restored", a.Spec.Name)
		}
		return s, cp.LoadState(r)
	}
	var single any
	if r.Byte() == 1 {
		s, err := load()
		if err != nil {
			return err
		}
		single = s
	}
	n := r.Len(2)
	var states map[string]any
	if n > 0 {
		states = make(map[string]any, n)
	}
	for range n {
		k := r.String()
		s, err := load()
		if err != nil {
			return err
		}
		states[k] = s
	}
	if err := r.Err(); err != nil {
		return err
	}
	a.single, a.states = single, states
	return nil
}

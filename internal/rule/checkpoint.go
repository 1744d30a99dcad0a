package rule

import (
	"bytes"
	"crypto/sha256"
	"fmt"
)

// Checkpoints keep the open windows of a stateful rule across restarts.
//
// With qos 1 or 2 (eKuiper's rule option) the state is saved every
// checkpointInterval and whenever the rule stops, and restored whenever
// it starts: after a stop and start, a restart, a crash of the server
// (from the last periodic checkpoint) or a restart strategy's retry.
// With qos 0, the default, the state is saved only when the server shuts
// down gracefully and is restored once, at the next start; a rule
// stopped or restarted over REST starts with empty windows, as in
// eKuiper. Updating or deleting a rule deletes its checkpoint.

// checkpointStore is one rule's checkpoint in the manager's KV. A
// checkpoint starts with the fingerprint of the rule it was taken from, so
// a changed rule never loads the state of its old version.
type checkpointStore struct {
	kv      KV
	id      string
	fp      []byte
	consume bool // delete the checkpoint once read (qos 0)
}

// fingerprint identifies what a checkpoint depends on: the SQL and the
// time options.
func fingerprint(d *Def) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%t\x00%d", d.SQL, d.Options.IsEventTime, d.Options.LateTolerance)
	return h.Sum(nil)[:16]
}

func (m *Manager) checkpointStore(d *Def) *checkpointStore {
	if m.ckpt == nil {
		return nil
	}
	return &checkpointStore{kv: m.ckpt, id: d.ID, fp: fingerprint(d), consume: d.Options.Qos == 0}
}

// Load implements topo.CheckpointStore.
func (c *checkpointStore) Load() ([]byte, bool, error) {
	b, ok, err := c.kv.Get(c.id)
	if err != nil || !ok {
		return nil, false, err
	}
	if c.consume {
		if _, err := c.kv.Delete(c.id); err != nil {
			return nil, false, err
		}
	}
	if !bytes.HasPrefix(b, c.fp) {
		return nil, false, fmt.Errorf("checkpoint of another version of rule %s", c.id)
	}
	return b[len(c.fp):], true, nil
}

// Save implements topo.CheckpointStore.
func (c *checkpointStore) Save(b []byte) error {
	buf := make([]byte, 0, len(c.fp)+len(b))
	buf = append(buf, c.fp...)
	return c.kv.Put(c.id, append(buf, b...))
}

// dropCheckpoint deletes a rule's checkpoint.
func (m *Manager) dropCheckpoint(id string) {
	if m.ckpt == nil {
		return
	}
	if _, err := m.ckpt.Delete(id); err != nil {
		m.logger.Error("delete checkpoint", "rule", id, "error", err)
	}
}

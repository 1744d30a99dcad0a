package connector

import (
	"sync"
	"time"

	"github.com/kuiperio/kuiper/internal/clock"
)

// Connection states reported in Status.State, as eKuiper numbers them.
const (
	StateDisconnected = -1
	StateConnecting   = 0
	StateConnected    = 1
)

// Status is the connection status of a source or sink that connects to
// something (a broker, a server).
type Status struct {
	State                   int       `json:"state"`
	LastConnected           time.Time `json:"lastConnected"`
	LastDisconnected        time.Time `json:"lastDisconnected"`
	LastTry                 time.Time `json:"lastTry"`
	LastDisconnectedMessage string    `json:"lastDisconnectedMessage,omitempty"`
}

// StatusReporter is implemented by connectors that hold a connection.
type StatusReporter interface {
	ConnectionStatus() Status
}

// StatusTracker records connection events; connectors embed one (the zero
// value is ready, in state connecting) and expose it as a StatusReporter.
type StatusTracker struct {
	// Clock tells the time of events; nil means the wall clock.
	Clock clock.Clock

	mu sync.Mutex
	s  Status
}

func (t *StatusTracker) now() time.Time {
	if t.Clock == nil {
		return time.Now()
	}
	return t.Clock.Now()
}

// Trying records a connection attempt.
func (t *StatusTracker) Trying() {
	now := t.now()
	t.mu.Lock()
	t.s.LastTry = now
	if t.s.State != StateDisconnected {
		t.s.State = StateConnecting
	}
	t.mu.Unlock()
}

// Connected records a successful connection.
func (t *StatusTracker) Connected() {
	now := t.now()
	t.mu.Lock()
	t.s.State = StateConnected
	t.s.LastConnected = now
	t.mu.Unlock()
}

// Disconnected records a lost or failed connection; err (may be nil) is
// kept as the last disconnect message.
func (t *StatusTracker) Disconnected(err error) {
	now := t.now()
	t.mu.Lock()
	t.s.State = StateDisconnected
	t.s.LastDisconnected = now
	if err != nil {
		t.s.LastDisconnectedMessage = err.Error()
	}
	t.mu.Unlock()
}

// ConnectionStatus implements StatusReporter.
func (t *StatusTracker) ConnectionStatus() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.s
}

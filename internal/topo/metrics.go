package topo

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/value"
)

// Metrics are the counters of one node of a running rule, named as eKuiper
// names them so dashboards and scripts carry over. Counters are atomic:
// the node's goroutine writes, the REST API reads.
type Metrics struct {
	Prefix string // e.g. "source_demo_0", "op_3_filter_0", "sink_mqtt_0_0"

	RecordsIn  atomic.Int64
	RecordsOut atomic.Int64
	Processed  atomic.Int64
	Exceptions atomic.Int64
	Dropped    atomic.Int64
	LatencyUs  atomic.Int64
	LastInvoke atomic.Int64 // unix ms
	BufferLen  func() int
	// Late counts rows dropped for coming after the watermark; it is
	// reported (as late_dropped_total) when HasLate is set.
	Late    atomic.Int64
	HasLate bool

	mu            sync.Mutex
	lastException string
	lastExcTime   int64

	// Conn, when set, reports the connection status of a source or sink.
	Conn func() connector.Status
}

// Exception records an error.
func (m *Metrics) Exception(err error, now time.Time) {
	m.Exceptions.Add(1)
	m.mu.Lock()
	m.lastException = err.Error()
	m.lastExcTime = now.UnixMilli()
	m.mu.Unlock()
}

// LastException returns the last error text and its time in Unix ms.
func (m *Metrics) LastException() (string, int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lastException, m.lastExcTime
}

// appendStatus appends the node's metrics to a status object being built
// as ordered JSON.
func (m *Metrics) appendStatus(w *StatusWriter) {
	p := m.Prefix + "_"
	w.Int(p+"records_in_total", m.RecordsIn.Load())
	w.Int(p+"records_out_total", m.RecordsOut.Load())
	w.Int(p+"messages_processed_total", m.Processed.Load())
	w.Int(p+"process_latency_us", m.LatencyUs.Load())
	bl := 0
	if m.BufferLen != nil {
		bl = m.BufferLen()
	}
	w.Int(p+"buffer_length", int64(bl))
	w.Int(p+"last_invocation", m.LastInvoke.Load())
	w.Int(p+"exceptions_total", m.Exceptions.Load())
	le, lt := m.LastException()
	w.Str(p+"last_exception", le)
	w.Int(p+"last_exception_time", lt)
	// eKuiper has no drop counter; it is reported once something was
	// dropped, so the status keys stay eKuiper's in normal operation.
	if d := m.Dropped.Load(); d > 0 {
		w.Int(p+"dropped_total", d)
	}
	if m.HasLate {
		w.Int(p+"late_dropped_total", m.Late.Load())
	}
	if m.Conn != nil {
		s := m.Conn()
		w.Int(p+"connection_status", int64(s.State))
		w.Int(p+"connection_last_connected_time", millis(s.LastConnected))
		w.Int(p+"connection_last_disconnected_time", millis(s.LastDisconnected))
		w.Str(p+"connection_last_disconnected_message", s.LastDisconnectedMessage)
		w.Int(p+"connection_last_try_time", millis(s.LastTry))
	}
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// StatusWriter writes a flat JSON object with keys in insertion order.
type StatusWriter struct {
	b []byte
}

func (w *StatusWriter) key(k string) {
	if len(w.b) == 0 {
		w.b = append(w.b, "{\n"...)
	} else {
		w.b = append(w.b, ",\n"...)
	}
	w.b = append(w.b, "  "...)
	w.b = strconv.AppendQuote(w.b, k)
	w.b = append(w.b, ": "...)
}

func (w *StatusWriter) Int(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *StatusWriter) Str(k, v string) {
	w.key(k)
	w.b = value.StringValue(v).AppendJSON(w.b, 0)
}

func (w *StatusWriter) Bytes() []byte {
	if len(w.b) == 0 {
		return []byte("{}")
	}
	return append(w.b, "\n}"...)
}

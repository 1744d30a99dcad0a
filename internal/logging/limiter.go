package logging

import (
	"context"
	"log/slog"
	"math"
	"sync/atomic"
	"time"
)

// Clock tells time; internal/clock's Real and Fake clocks satisfy it.
type Clock interface {
	Now() time.Time
}

// Limiter lets the first of a burst of similar events through, then at
// most one per interval, counting the ones it holds back. Rules use one per
// kind of error so a stream of bad payloads is logged once per burst, not
// once per message:
//
//	if ok, n := lim.Allow(); ok {
//		logger.Warn("decode payload", logging.KeyError, err, logging.KeySuppressed, n)
//	}
//
// or, equivalently, lim.Log(ctx, logger, slog.LevelWarn, "decode payload",
// slog.Any(logging.KeyError, err)). A suppressed call does not allocate.
// A Limiter is safe for concurrent use.
type Limiter struct {
	clk        Clock
	interval   int64        // nanoseconds
	next       atomic.Int64 // earliest UnixNano at which the next event passes
	suppressed atomic.Int64 // held back since the last event let through
}

// NewLimiter returns a Limiter that lets one event through per interval.
// An interval of zero or less lets every event through.
func NewLimiter(clk Clock, interval time.Duration) *Limiter {
	l := &Limiter{clk: clk, interval: int64(interval)}
	l.next.Store(math.MinInt64)
	return l
}

// Allow reports whether an event may be logged now and, if so, how many
// events were held back since the last one let through.
func (l *Limiter) Allow() (ok bool, suppressed int64) {
	if l.interval <= 0 {
		return true, 0
	}
	now := l.clk.Now().UnixNano()
	next := l.next.Load()
	if now < next || !l.next.CompareAndSwap(next, now+l.interval) {
		l.suppressed.Add(1)
		return false, 0
	}
	return true, l.suppressed.Swap(0)
}

// Suppressed returns how many events have been held back since the last
// one let through.
func (l *Limiter) Suppressed() int64 { return l.suppressed.Load() }

// Log logs msg with attrs at level through logger if logger is enabled for
// level and the limiter allows it, adding a KeySuppressed attribute with the
// count of events held back since the last record when there were any. It
// reports whether it logged. Calls for a disabled level neither log nor
// count.
func (l *Limiter) Log(ctx context.Context, logger *slog.Logger, level slog.Level, msg string, attrs ...slog.Attr) bool {
	if !logger.Enabled(ctx, level) {
		return false
	}
	ok, n := l.Allow()
	if !ok {
		return false
	}
	if n > 0 {
		attrs = append(attrs[:len(attrs):len(attrs)], slog.Int64(KeySuppressed, n))
	}
	logger.LogAttrs(ctx, level, msg, attrs...)
	return true
}

package logging_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/clock"
	"github.com/kuiperio/kuiper/internal/logging"
)

// capture is a slog.Handler that keeps records for inspection.
type capture struct {
	mu      sync.Mutex
	level   slog.Level
	records []slog.Record
}

func (c *capture) Enabled(_ context.Context, l slog.Level) bool { return l >= c.level }
func (c *capture) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.records = append(c.records, r.Clone())
	return nil
}
func (c *capture) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *capture) WithGroup(string) slog.Handler      { return c }

func (c *capture) attrs(i int) map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := map[string]any{}
	c.records[i].Attrs(func(a slog.Attr) bool {
		m[a.Key] = a.Value.Any()
		return true
	})
	return m
}

func (c *capture) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.records)
}

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestLimiter_Allow(t *testing.T) {
	type step struct {
		advance        time.Duration // before the call
		wantOK         bool
		wantSuppressed int64
	}
	tests := []struct {
		name     string
		interval time.Duration
		steps    []step
	}{
		{
			name:     "first passes, rest of the interval is held back",
			interval: time.Second,
			steps: []step{
				{0, true, 0},
				{0, false, 0},
				{100 * time.Millisecond, false, 0},
				{899 * time.Millisecond, false, 0},
				{time.Millisecond, true, 3}, // exactly one interval after the first
				{0, false, 0},
			},
		},
		{
			name:     "a quiet period lets the next one through with no count",
			interval: time.Second,
			steps: []step{
				{0, true, 0},
				{time.Hour, true, 0},
				{time.Hour, true, 0},
			},
		},
		{
			name:     "the interval restarts from the event let through",
			interval: time.Second,
			steps: []step{
				{0, true, 0},
				{1500 * time.Millisecond, true, 0},
				{0, false, 0},
				{999 * time.Millisecond, false, 0},
				{time.Millisecond, true, 2},
			},
		},
		{
			name:     "zero interval lets all through",
			interval: 0,
			steps: []step{
				{0, true, 0},
				{0, true, 0},
				{0, true, 0},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(epoch)
			l := logging.NewLimiter(clk, tc.interval)
			for i, s := range tc.steps {
				clk.Advance(s.advance)
				ok, n := l.Allow()
				require.Equal(t, s.wantOK, ok, "step %d", i)
				require.Equal(t, s.wantSuppressed, n, "step %d", i)
			}
		})
	}
}

func TestLimiter_Log(t *testing.T) {
	clk := clock.NewFake(epoch)
	h := &capture{level: slog.LevelInfo}
	logger := slog.New(h).With(logging.KeyRule, "r1")
	l := logging.NewLimiter(clk, 10*time.Second)
	ctx := context.Background()
	bad := errors.New("invalid character 'x' looking for beginning of value")

	require.True(t, l.Log(ctx, logger, slog.LevelWarn, "decode payload", slog.Any(logging.KeyError, bad)))
	for range 12 {
		require.False(t, l.Log(ctx, logger, slog.LevelWarn, "decode payload", slog.Any(logging.KeyError, bad)))
	}
	require.Equal(t, int64(12), l.Suppressed())
	// A disabled level neither logs nor counts.
	require.False(t, l.Log(ctx, logger, slog.LevelDebug, "decode payload"))
	require.Equal(t, int64(12), l.Suppressed())

	clk.Advance(10 * time.Second)
	require.True(t, l.Log(ctx, logger, slog.LevelWarn, "decode payload", slog.Any(logging.KeyError, bad)))
	require.Equal(t, int64(0), l.Suppressed())

	require.Equal(t, 2, h.len())
	first := h.attrs(0)
	require.Equal(t, bad, first[logging.KeyError])
	require.NotContains(t, first, logging.KeySuppressed)
	second := h.attrs(1)
	require.Equal(t, bad, second[logging.KeyError])
	require.Equal(t, int64(12), second[logging.KeySuppressed])
	require.Equal(t, "decode payload", h.records[1].Message)
	require.Equal(t, slog.LevelWarn, h.records[1].Level)
	require.Equal(t, epoch.Add(10*time.Second).Unix(), clk.Now().Unix())
}

func TestLimiter_LogDoesNotTouchCallerSlice(t *testing.T) {
	clk := clock.NewFake(epoch)
	h := &capture{}
	l := logging.NewLimiter(clk, time.Second)
	attrs := make([]slog.Attr, 1, 4)
	attrs[0] = slog.String("a", "b")
	l.Log(context.Background(), slog.New(h), slog.LevelInfo, "m", attrs...)
	l.Log(context.Background(), slog.New(h), slog.LevelInfo, "m", attrs...)
	clk.Advance(time.Second)
	l.Log(context.Background(), slog.New(h), slog.LevelInfo, "m", attrs...)
	require.Equal(t, slog.Attr{}, attrs[:2][1], "the caller's spare capacity is not written")
}

func TestLimiter_Concurrent(t *testing.T) {
	clk := clock.NewFake(epoch)
	l := logging.NewLimiter(clk, time.Minute)
	const goroutines, calls = 8, 500
	var mu sync.Mutex
	passed := 0
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				if ok, _ := l.Allow(); ok {
					mu.Lock()
					passed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 1, passed, "one event per interval, however many callers")
	clk.Advance(time.Minute)
	ok, n := l.Allow()
	require.True(t, ok)
	require.Equal(t, int64(goroutines*calls-1), n, "every held-back event is counted")
}

func TestLimiter_SuppressedPathDoesNotAllocate(t *testing.T) {
	clk := clock.NewFake(epoch)
	logger := slog.New(&capture{})
	l := logging.NewLimiter(clk, time.Hour)
	ctx := context.Background()
	bad := errors.New("bad payload")
	l.Allow() // use up the interval

	allocs := testing.AllocsPerRun(1000, func() {
		if ok, _ := l.Allow(); ok {
			t.Fatal("allowed")
		}
	})
	require.Zero(t, allocs, "Allow")
	allocs = testing.AllocsPerRun(1000, func() {
		l.Log(ctx, logger, slog.LevelWarn, "decode payload", slog.Any(logging.KeyError, bad), slog.String(logging.KeyOp, "decoder"))
	})
	require.Zero(t, allocs, "Log")
}

func BenchmarkLimiter_Suppressed(b *testing.B) {
	l := logging.NewLimiter(clock.Real(), time.Hour)
	logger := slog.New(&capture{}) // enabled, so Log reaches the limiter
	bad := errors.New("bad payload")
	ctx := context.Background()
	l.Allow()
	b.Run("Allow", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			l.Allow()
		}
	})
	b.Run("Log", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			l.Log(ctx, logger, slog.LevelError, "decode payload", slog.Any(logging.KeyError, bad))
		}
	})
	b.Run("AllowParallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Allow()
			}
		})
	})
}

package exec_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/exec"
)

// Midnights around T (2023-11-14T22:13:20Z) in the zones the day-window
// tests use.
const (
	utcMidnight      int64 = 1_700_006_400_000 // 2023-11-15T00:00Z
	newYorkMidnight  int64 = 1_700_024_400_000 // 2023-11-15T00:00-05:00
	shanghaiMidnight int64 = 1_700_064_000_000 // 2023-11-16T00:00+08:00
	day              int64 = 24 * 3600 * 1000
)

func TestWindows_DayWindowsAlignToLocation(t *testing.T) {
	tumbling := `SELECT count(*) AS c, window_start() AS ws, window_end() AS we FROM s GROUP BY TUMBLINGWINDOW(dd, 1)`
	// Ticks at the three midnights, in time order: only the zone's own
	// closes the window.
	ticks := []step{msg(T+1000, `{}`), msg(T+2000, `{}`), tick(utcMidnight), tick(newYorkMidnight), tick(shanghaiMidnight)}
	tests := []struct {
		name      string
		zone      string
		sql       string
		eventTime bool
		steps     []step
		want      []string
	}{
		{
			name:  "tumbling, UTC",
			zone:  "UTC",
			sql:   tumbling,
			steps: ticks,
			want:  []string{`{"c":2,"we":1700006400000,"ws":1699920000000}`},
		},
		{
			name:  "tumbling, America/New_York",
			zone:  "America/New_York",
			sql:   tumbling,
			steps: ticks,
			want:  []string{`{"c":2,"we":1700024400000,"ws":1699938000000}`},
		},
		{
			name:  "tumbling, Asia/Shanghai",
			zone:  "Asia/Shanghai",
			sql:   tumbling,
			steps: ticks,
			want:  []string{`{"c":2,"we":1700064000000,"ws":1699977600000}`},
		},
		{
			name:      "event-time tumbling, Asia/Shanghai",
			zone:      "Asia/Shanghai",
			sql:       `SELECT collect(v) AS vs, window_end() AS we FROM e GROUP BY TUMBLINGWINDOW(dd, 1)`,
			eventTime: true,
			steps: []step{
				msg(0, `{"v":1,"ts":1700000000000}`),
				msg(0, `{"v":2,"ts":1700006400000}`), // UTC midnight: same Shanghai day
				msg(0, `{"v":3,"ts":1700063999999}`),
				msg(0, `{"v":4,"ts":1700064000000}`), // Shanghai midnight closes the day
			},
			want: []string{`{"vs":[1,2,3],"we":1700064000000}`},
		},
		{
			// 2026-03-08 has 23 hours in New York: the window of that
			// day ends at the next local midnight, 00:00 EDT, although
			// the rule started in winter (T).
			name:      "day window on the spring daylight-saving change, America/New_York",
			zone:      "America/New_York",
			sql:       `SELECT collect(v) AS vs, window_start() AS ws, window_end() AS we FROM e GROUP BY TUMBLINGWINDOW(dd, 1)`,
			eventTime: true,
			steps: []step{
				msg(0, `{"v":1,"ts":1772902800000}`), // 03-07 12:00 EST
				msg(0, `{"v":2,"ts":1772985600000}`), // 03-08 12:00 EDT
				msg(0, `{"v":3,"ts":1773030600000}`), // 03-09 00:30 EDT
				msg(0, `{"v":4,"ts":1773111600000}`), // 03-09 23:00 EDT
				msg(0, `{"v":5,"ts":1773115200000}`), // 03-10 00:00 EDT
			},
			want: []string{
				`{"vs":[1],"we":1772946000000,"ws":1772859600000}`,
				`{"vs":[2],"we":1773028800000,"ws":1772946000000}`,
				`{"vs":[3,4],"we":1773115200000,"ws":1773028800000}`,
			},
		},
		{
			// 2026-11-01 has 25 hours in New York.
			name:      "day window on the autumn daylight-saving change, America/New_York",
			zone:      "America/New_York",
			sql:       `SELECT collect(v) AS vs, window_start() AS ws, window_end() AS we FROM e GROUP BY TUMBLINGWINDOW(dd, 1)`,
			eventTime: true,
			steps: []step{
				msg(0, `{"v":1,"ts":1793462400000}`), // 10-31 12:00 EDT
				msg(0, `{"v":2,"ts":1793552400000}`), // 11-01 12:00 EST
				msg(0, `{"v":3,"ts":1793595599999}`), // 11-01 23:59:59.999 EST
				msg(0, `{"v":4,"ts":1793595600000}`), // 11-02 00:00 EST
			},
			want: []string{
				`{"vs":[1],"we":1793505600000,"ws":1793419200000}`,
				`{"vs":[2,3],"we":1793595600000,"ws":1793505600000}`,
			},
		},
		{
			// A session may not outlast the first local midnight a day
			// or more after its first row: 2023-11-17T00:00+08:00.
			name: "session capped at local midnight, Asia/Shanghai",
			zone: "Asia/Shanghai",
			sql:  `SELECT count(*) AS c, window_end() AS we FROM s GROUP BY SESSIONWINDOW(dd, 1, 3)`,
			steps: []step{
				msg(T+1000, `{}`), msg(shanghaiMidnight+1000, `{}`),
				tick(utcMidnight + day), tick(shanghaiMidnight + day),
			},
			want: []string{`{"c":2,"we":1700150400000}`},
		},
		{
			name: "session capped at local midnight, UTC",
			zone: "UTC",
			sql:  `SELECT count(*) AS c, window_end() AS we FROM s GROUP BY SESSIONWINDOW(dd, 1, 3)`,
			steps: []step{
				msg(T+1000, `{}`), msg(shanghaiMidnight+1000, `{}`),
				tick(utcMidnight + day), tick(shanghaiMidnight + day),
			},
			want: []string{`{"c":2,"we":1700092800000}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			require.NoError(t, err)
			h := newHarness(t, tt.sql, exec.Options{Start: T, EventTime: tt.eventTime, Location: loc})
			require.Equal(t, tt.want, h.play(tt.steps))
		})
	}
}

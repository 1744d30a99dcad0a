package function

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/value"
)

func TestDatetime(t *testing.T) {
	ms := vi(1700000000123)   // 2023-11-14T22:13:20.123Z, a Tuesday
	leap := vf(1709251199000) // 2024-02-29T23:59:59Z, a Thursday
	runFnCases(t, []fnCase{
		{name: "now", fn: "now", want: `"2024-01-02 03:04:05"`},
		{name: "now fsp", fn: "now", args: []value.Value{vi(6)}, want: `"2024-01-02 03:04:05.678000"`},
		{name: "now bad fsp", fn: "now", args: []value.Value{vi(7)}, err: "out of range"},
		{name: "local_timestamp alias", fn: "local_timestamp", want: `"2024-01-02 03:04:05"`},
		{name: "current_date", fn: "current_date", want: `"2024-01-02"`},
		{name: "cur_time", fn: "cur_time", args: []value.Value{vi(1)}, want: `"03:04:05.6"`},
		{name: "format_time ms", fn: "format_time", args: []value.Value{ms, vs("yyyy-MM-dd HH:mm:ss")}, want: `"2023-11-14 22:13:20"`},
		{name: "format_time one dot", fn: "format_time", args: []value.Value{ms, vs("HH:mm:ss.SSS")}, want: `"22:13:20.123"`},
		{name: "format_time float ms", fn: "format_time", args: []value.Value{leap, vs("yyyy/MM/dd")}, want: `"2024/02/29"`},
		{name: "format_time datetime", fn: "format_time", args: []value.Value{value.TimeValue(time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)), vs("dd.MM.yyyy")}, want: `"06.05.2020"`},
		{name: "format_time string", fn: "format_time", args: []value.Value{vs("2020-05-06 07:08:09"), vs("HH")}, want: `"07"`},
		{name: "format_time bad string", fn: "format_time", args: []value.Value{vs("yesterday"), vs("HH")}, err: "must be a datetime"},
		{name: "format_time bool", fn: "format_time", args: []value.Value{vb(true), vs("HH")}, err: "must be a datetime"},
		{name: "format_time null", fn: "format_time", args: []value.Value{vnull, vs("HH")}, want: "missing"},
		{name: "format_time bad pattern", fn: "format_time", args: []value.Value{ms, vs("'x")}, err: "unclosed quote"},
		{name: "date_calc", fn: "date_calc", args: []value.Value{vs("2019-01-01"), vs("1h30m10s")}, want: `"2019-01-01 01:30:10"`},
		{name: "date_calc negative", fn: "date_calc", args: []value.Value{ms, vs("-1h")}, want: `"2023-11-14 21:13:20"`},
		{name: "date_calc bad duration", fn: "date_calc", args: []value.Value{ms, vs("1d")}, err: "unknown unit"},
		{name: "date_diff", fn: "date_diff", args: []value.Value{vs("2024-02-28"), vs("2024-03-01")}, want: "2"},
		{name: "date_diff partial day", fn: "date_diff", args: []value.Value{vs("2024-02-28 12:00:00"), vs("2024-03-01")}, want: "1"},
		{name: "day_name", fn: "day_name", args: []value.Value{ms}, want: `"Tuesday"`},
		{name: "day_name leap", fn: "day_name", args: []value.Value{leap}, want: `"Thursday"`},
		{name: "day_of_week sunday is 1", fn: "day_of_week", args: []value.Value{vs("2024-03-03")}, want: "1"},
		{name: "day_of_week", fn: "day_of_week", args: []value.Value{ms}, want: "3"},
		{name: "day_of_week thursday", fn: "day_of_week", args: []value.Value{leap}, want: "5"},
		{name: "day_of_month", fn: "day_of_month", args: []value.Value{ms}, want: "14"},
		{name: "day_of_year", fn: "day_of_year", args: []value.Value{ms}, want: "318"},
		{name: "day_of_year leap", fn: "day_of_year", args: []value.Value{leap}, want: "60"},
		{name: "hour", fn: "hour", args: []value.Value{ms}, want: "22"},
		{name: "minute", fn: "minute", args: []value.Value{ms}, want: "13"},
		{name: "second", fn: "second", args: []value.Value{leap}, want: "59"},
		{name: "microsecond", fn: "microsecond", args: []value.Value{vs("2024-01-01T00:00:00.123456Z")}, want: "123456"},
		{name: "month", fn: "month", args: []value.Value{leap}, want: "2"},
		{name: "month_name", fn: "month_name", args: []value.Value{ms}, want: `"November"`},
		{name: "last_day", fn: "last_day", args: []value.Value{vs("2023-02-10")}, want: `"2023-02-28"`},
		{name: "last_day december", fn: "last_day", args: []value.Value{vs("2023-12-10")}, want: `"2023-12-31"`},
		{name: "hour null", fn: "hour", args: []value.Value{vmiss}, want: "missing"},
		{name: "from_days", fn: "from_days", args: []value.Value{vi(366)}, want: `"1971-01-01"`},
		{name: "from_days zero", fn: "from_days", args: []value.Value{vi(0)}, want: "missing"},
		{name: "from_unix_time", fn: "from_unix_time", args: []value.Value{vf(1700000000)}, want: `"2023-11-14 22:13:20"`},
		{name: "from_unix_time fraction", fn: "from_unix_time", args: []value.Value{vf(1700000000.9)}, want: `"2023-11-14 22:13:20"`},
		{name: "from_unix_time string", fn: "from_unix_time", args: []value.Value{vs("1")}, err: "must be an integer"},
	})
}

func TestDatetime_TimeZone(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	ctx := exampleContext()
	ctx.Location = shanghai
	v, err := callFn(t, ctx, "hour", vi(1700000000123))
	require.NoError(t, err)
	require.Equal(t, int64(6), v.Int())
	v, err = callFn(t, ctx, "now")
	require.NoError(t, err)
	require.Equal(t, "2024-01-02 11:04:05", v.Str())
	v, err = callFn(t, ctx, "from_unix_time", vi(0))
	require.NoError(t, err)
	require.Equal(t, "1970-01-01 08:00:00", v.Str())
	// A string without a zone is read in the configured zone.
	v, err = callFn(t, ctx, "to_seconds", vs("1970-01-01 08:00:00"))
	require.NoError(t, err)
	require.Equal(t, int64(0), v.Int())
}

func TestDatetime_FormatCache(t *testing.T) {
	ctx := exampleContext()
	_, err := callFn(t, ctx, "format_time", vi(0), vs("yyyy"))
	require.NoError(t, err)
	c, ok := ctx.State.(*keyed[timeFormat])
	require.True(t, ok)
	v, err := callFn(t, ctx, "format_time", vi(0), vs("MM"))
	require.NoError(t, err)
	require.Equal(t, "01", v.Str())
	require.NotSame(t, c, ctx.State)
}

func TestDatetime_Validate(t *testing.T) {
	reg := testRegistry()
	for _, tc := range []struct {
		fn   string
		args []Arg
		err  string
	}{
		{"format_time", []Arg{col, lit(vs("'x"))}, "argument 2 (pattern): unclosed quote"},
		{"date_calc", []Arg{col, lit(vs("1y"))}, "argument 2 (duration)"},
		{"now", []Arg{lit(vi(9))}, "between 0 and 6"},
		{"now", []Arg{col, col}, "function now expects 0 to 1 argument"},
		{"cur_date", []Arg{col}, "expects 0 arguments"},
		{"hour", []Arg{lit(vb(true))}, "must be"},
	} {
		t.Run(tc.fn+" "+tc.err, func(t *testing.T) {
			s, _ := reg.Lookup(tc.fn)
			require.ErrorContains(t, s.CheckArgs(tc.args), tc.err)
		})
	}
}

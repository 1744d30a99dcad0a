package function

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kuiperio/kuiper/internal/value"
)

// Date and time functions. A datetime argument may be a datetime, Unix
// milliseconds or a datetime string (see toTime). Wall-clock parts (hour,
// day...) are read in the context's time zone, UTC by default. Like
// eKuiper, now(), cur_date(), cur_time(), date_calc(), from_days(),
// from_unix_time() and last_day() return formatted strings.

const (
	layoutDateTime = "yyyy-MM-dd HH:mm:ss"
	layoutDate     = "yyyy-MM-dd"
	layoutTime     = "HH:mm:ss"
)

// mustTimeFormat compiles a built-in pattern.
func mustTimeFormat(p string) timeFormat {
	f, err := compileTimeFormat(p)
	if err != nil {
		panic(err)
	}
	return f
}

var (
	fmtDateTime = mustTimeFormat(layoutDateTime)
	fmtDate     = mustTimeFormat(layoutDate)
	fmtTime     = mustTimeFormat(layoutTime)
	// fmtFsp[n] are the date-time and time patterns with n fractional
	// digits, for now(fsp) and cur_time(fsp).
	fmtFsp, fmtTimeFsp = fspFormats()
)

func fspFormats() (dt, tm [7]timeFormat) {
	for n := range 7 {
		frac := ""
		if n > 0 {
			frac = "." + strings.Repeat("S", n)
		}
		dt[n] = mustTimeFormat(layoutDateTime + frac)
		tm[n] = mustTimeFormat(layoutTime + frac)
	}
	return dt, tm
}

func formatString(f timeFormat, t time.Time) value.Value {
	var buf [64]byte
	return value.StringValue(string(f.AppendFormat(buf[:0], t)))
}

// timeArg reads datetime argument i in the context's time zone, or in the
// zone the datetime carries (convert_tz).
func timeArg(ctx *Context, args []value.Value, i int) (time.Time, error) {
	loc := location(ctx)
	t, err := toTime(i, args[i], loc)
	if err != nil {
		return t, err
	}
	if args[i].Kind() == value.Time && t.Location() != time.UTC {
		return t, nil
	}
	return t.In(loc), nil
}

func validateFsp(args []Arg) error {
	if v, ok := constArg(args, 0); ok && v.Kind() == value.Int && (v.Int() < 0 || v.Int() > 6) {
		return errors.New("argument 1 (fsp) must be between 0 and 6")
	}
	return nil
}

func fspArg(args []value.Value) (int, error) {
	if len(args) == 0 || args[0].IsNil() {
		return 0, nil
	}
	n, err := toInt(0, args[0])
	if err != nil {
		return 0, err
	}
	if n < 0 || n > 6 {
		return 0, fmt.Errorf("fsp %d out of range [0, 6]", n)
	}
	return int(n), nil
}

func datetimeSpecs() []*Spec {
	return []*Spec{
		{
			Name: "now", Aliases: []string{"current_timestamp", "local_time", "local_timestamp"}, Category: CatDatetime,
			Params:      []Param{optional("fsp", TInt)},
			Returns:     TString,
			Description: "The current date and time as yyyy-MM-dd HH:mm:ss, with fsp (0 to 6) fractional digits.",
			Examples:    []Example{ex("now()", `"2024-01-02 03:04:05"`), ex("now(3)", `"2024-01-02 03:04:05.678"`)},
			Validate:    validateFsp,
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				fsp, err := fspArg(args)
				if err != nil {
					return missing, err
				}
				return formatString(fmtFsp[fsp], now(ctx).In(location(ctx))), nil
			},
		},
		{
			Name: "cur_date", Aliases: []string{"current_date"}, Category: CatDatetime, Returns: TString,
			Description: "The current date as yyyy-MM-dd.",
			Examples:    []Example{ex("cur_date()", `"2024-01-02"`)},
			Exec: func(ctx *Context, _ []value.Value) (value.Value, error) {
				return formatString(fmtDate, now(ctx).In(location(ctx))), nil
			},
		},
		{
			Name: "cur_time", Aliases: []string{"current_time"}, Category: CatDatetime,
			Params:      []Param{optional("fsp", TInt)},
			Returns:     TString,
			Description: "The current time of day as HH:mm:ss, with fsp (0 to 6) fractional digits.",
			Examples:    []Example{ex("cur_time()", `"03:04:05"`), ex("current_time(2)", `"03:04:05.67"`)},
			Validate:    validateFsp,
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				fsp, err := fspArg(args)
				if err != nil {
					return missing, err
				}
				return formatString(fmtTimeFsp[fsp], now(ctx).In(location(ctx))), nil
			},
		},
		{
			Name: "format_time", Category: CatDatetime,
			Params:      []Param{param("time", tTimeLike), param("pattern", TString)},
			Returns:     TString,
			Description: "Formats a datetime with a pattern of Java-style letters (yyyy MM dd HH hh mm ss SSS a EEE MMM z Z X...; see the pattern table of this section). Also listed among the string functions.",
			Examples: []Example{
				ex(`format_time(1700000000123, "yyyy-MM-dd HH:mm:ss.SSS")`, `"2023-11-14 22:13:20.123"`),
				ex(`format_time("2024-02-29T23:59:59.000Z", "EEE, d MMM yy hh:mm a XXX")`, `"Thu, 29 Feb 24 11:59 PM Z"`),
				ex(`format_time(1700000000123, "yyyyMMdd'T'HHmmssSSS")`, `"20231114T221320.123"`),
			},
			Deterministic: true,
			Validate: func(args []Arg) error {
				if v, ok := constArg(args, 1); ok && v.Kind() == value.String {
					if _, err := compileTimeFormat(v.Str()); err != nil {
						return fmt.Errorf("argument 2 (pattern): %w", err)
					}
				}
				return nil
			},
			Exec: execFormatTime,
		},
		{
			Name: "date_calc", Category: CatDatetime,
			Params:        []Param{param("date", tTimeLike), param("duration", TString)},
			Returns:       TString,
			Description:   "Adds a duration (1h30m, -10s, 500ms; units ns us ms s m h) to a date and returns yyyy-MM-dd HH:mm:ss.",
			Examples:      []Example{ex(`date_calc("2019-01-01", "1h30m")`, `"2019-01-01 01:30:00"`), ex(`date_calc("2019-01-01 00:00:00", "-1s")`, `"2018-12-31 23:59:59"`)},
			Deterministic: true,
			Validate: func(args []Arg) error {
				if v, ok := constArg(args, 1); ok && v.Kind() == value.String {
					if _, err := time.ParseDuration(v.Str()); err != nil {
						return fmt.Errorf("argument 2 (duration): %w", err)
					}
				}
				return nil
			},
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				t, err := timeArg(ctx, args, 0)
				if err != nil {
					return missing, err
				}
				s, err := toStrArg(1, args[1])
				if err != nil {
					return missing, err
				}
				d, err := time.ParseDuration(s)
				if err != nil {
					return missing, err
				}
				return formatString(fmtDateTime, t.Add(d)), nil
			},
		},
		{
			Name: "date_diff", Category: CatDatetime,
			Params:        []Param{param("date1", tTimeLike), param("date2", tTimeLike)},
			Returns:       TInt,
			Description:   "Whole days from date1 to date2 (negative when date2 is earlier).",
			Examples:      []Example{ex(`date_diff("2024-01-01", "2024-03-01")`, "60"), ex(`date_diff("2024-01-02 12:00:00", "2024-01-01")`, "-1")},
			Deterministic: true,
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				if anyNil(args) {
					return missing, nil
				}
				t1, err := timeArg(ctx, args, 0)
				if err != nil {
					return missing, err
				}
				t2, err := timeArg(ctx, args, 1)
				if err != nil {
					return missing, err
				}
				return value.IntValue(int64(t2.Sub(t1) / (24 * time.Hour))), nil
			},
		},
		timePart("day_name", nil, "Name of the weekday (Monday, Tuesday...).", TString, func(t time.Time) value.Value {
			return value.StringValue(t.Weekday().String())
		}, ex(`day_name("2023-11-14")`, `"Tuesday"`)),
		timePart("day_of_month", []string{"day"}, "Day of the month, 1 to 31.", TInt, func(t time.Time) value.Value {
			return value.IntValue(int64(t.Day()))
		}, ex(`day_of_month("2023-11-14")`, "14"), ex(`day("2024-02-29")`, "29")),
		timePart("day_of_week", nil, "Day of the week, Sunday = 1 to Saturday = 7.", TInt, func(t time.Time) value.Value {
			return value.IntValue(int64(t.Weekday()) + 1)
		}, ex(`day_of_week("2023-11-14")`, "3")),
		timePart("day_of_year", nil, "Day of the year, 1 to 366.", TInt, func(t time.Time) value.Value {
			return value.IntValue(int64(t.YearDay()))
		}, ex(`day_of_year("2024-02-29")`, "60")),
		timePart("hour", nil, "Hour of the day, 0 to 23.", TInt, func(t time.Time) value.Value {
			return value.IntValue(int64(t.Hour()))
		}, ex("hour(1700000000123)", "22")),
		timePart("minute", nil, "Minute of the hour, 0 to 59.", TInt, func(t time.Time) value.Value {
			return value.IntValue(int64(t.Minute()))
		}, ex("minute(1700000000123)", "13")),
		timePart("second", nil, "Second of the minute, 0 to 59.", TInt, func(t time.Time) value.Value {
			return value.IntValue(int64(t.Second()))
		}, ex("second(1700000000123)", "20")),
		timePart("microsecond", nil, "Microseconds within the second, 0 to 999999.", TInt, func(t time.Time) value.Value {
			return value.IntValue(int64(t.Nanosecond() / 1000))
		}, ex("microsecond(1700000000123)", "123000")),
		timePart("month", nil, "Month of the year, 1 to 12.", TInt, func(t time.Time) value.Value {
			return value.IntValue(int64(t.Month()))
		}, ex(`month("2023-11-14")`, "11")),
		timePart("month_name", nil, "Name of the month (January, February...).", TString, func(t time.Time) value.Value {
			return value.StringValue(t.Month().String())
		}, ex(`month_name("2023-11-14")`, `"November"`)),
		timePart("last_day", nil, "Last day of the month of the date, as yyyy-MM-dd.", TString, func(t time.Time) value.Value {
			y, m, _ := t.Date()
			return formatString(fmtDate, time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC))
		}, ex(`last_day("2024-02-10")`, `"2024-02-29"`)),
		{
			Name: "from_days", Category: CatDatetime, Params: []Param{param("days", TInt)}, Returns: TString,
			Description:   "The date days-1 days after 1970-01-01 (day 1 is 1970-01-01), as yyyy-MM-dd; null for 0.",
			Examples:      []Example{ex("from_days(1)", `"1970-01-01"`), ex("from_days(19723)", `"2023-12-31"`)},
			Deterministic: true,
			Exec: func(_ *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				days, err := toInt(0, args[0])
				if err != nil {
					return missing, err
				}
				if days == 0 {
					return missing, nil
				}
				return formatString(fmtDate, time.Unix(0, 0).UTC().AddDate(0, 0, int(days-1))), nil
			},
		},
		{
			Name: "from_unix_time", Category: CatDatetime, Params: []Param{param("seconds", TNumber)}, Returns: TString,
			Description:   "The date and time of Unix epoch seconds, as yyyy-MM-dd HH:mm:ss in the configured time zone.",
			Examples:      []Example{ex("from_unix_time(1700000000)", `"2023-11-14 22:13:20"`), ex("from_unix_time(0)", `"1970-01-01 00:00:00"`)},
			Deterministic: true,
			Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
				if args[0].IsNil() {
					return missing, nil
				}
				sec, err := toInt(0, args[0])
				if err != nil {
					f, ferr := toFloat(0, args[0])
					if ferr != nil {
						return missing, err
					}
					sec = int64(f)
				}
				return formatString(fmtDateTime, time.Unix(sec, 0).In(location(ctx))), nil
			},
		},
	}
}

func timePart(name string, aliases []string, desc string, returns Type, f func(time.Time) value.Value, examples ...Example) *Spec {
	return &Spec{
		Name: name, Aliases: aliases, Category: CatDatetime, Params: []Param{param("date", tTimeLike)}, Returns: returns,
		Description: desc, Examples: examples, Deterministic: true,
		Exec: func(ctx *Context, args []value.Value) (value.Value, error) {
			if args[0].IsNil() {
				return missing, nil
			}
			t, err := timeArg(ctx, args, 0)
			if err != nil {
				return missing, err
			}
			return f(t), nil
		},
	}
}

func execFormatTime(ctx *Context, args []value.Value) (value.Value, error) {
	if anyNil(args) {
		return missing, nil
	}
	t, err := timeArg(ctx, args, 0)
	if err != nil {
		return missing, err
	}
	src, err := toStrArg(1, args[1])
	if err != nil {
		return missing, err
	}
	f, err := cachedBy(ctx, src, func(src string) (timeFormat, error) {
		f, err := compileTimeFormat(src)
		if err != nil {
			return f, fmt.Errorf("pattern %q: %w", src, err)
		}
		return f, nil
	})
	if err != nil {
		return missing, err
	}
	return formatString(f, t), nil
}

package function

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTimeFormat(t *testing.T) {
	ts := time.Date(2024, 2, 9, 15, 4, 5, 123456789, time.UTC)
	east := time.Date(2024, 2, 9, 15, 4, 5, 0, time.FixedZone("CST", 8*3600+30*60))
	west := time.Date(2024, 2, 9, 3, 4, 5, 0, time.FixedZone("PST", -8*3600))
	tests := []struct {
		pattern string
		t       time.Time
		want    string
	}{
		{"yyyy-MM-dd HH:mm:ss", ts, "2024-02-09 15:04:05"},
		{"YYYY/MM/dd", ts, "2024/02/09"},
		{"yy M d", ts, "24 2 9"},
		{"MMM MMMM", ts, "Feb February"},
		{"EEE EEEE E", ts, "Fri Friday Fri"},
		{"h hh a", ts, "3 03 PM"},
		{"h a", west, "3 AM"},
		{"hh a", time.Date(2024, 1, 1, 0, 30, 0, 0, time.UTC), "12 AM"},
		{"H:m:s", time.Date(2024, 1, 1, 3, 4, 5, 0, time.UTC), "3:4:5"},
		{"ss.SSS", ts, "05.123"},
		{"ssSSS", ts, "05.123"},
		{"HH:mm:ss.S", ts, "15:04:05.1"},
		{"ss,SS", ts, "05,12"},
		{"SSSSSS", ts, ".123456"},
		{"SSSSSSSSSSSS", ts, ".123456789"},
		{"G yyyy", ts, "AD 2024"},
		{"D DDD", ts, "40 040"},
		{"z Z", ts, "UTC +0000"},
		{"X XX XXX", ts, "Z Z Z"},
		{"X XX XXX Z", east, "+08 +0830 +08:30 +0830"},
		{"XXX z", west, "-08:00 PST"},
		{"yyyy-MM-dd'T'HH:mm:ss", ts, "2024-02-09T15:04:05"},
		{"yyyy-MM-dd T HH", ts, "2024-02-09 T 15"},
		{"'o''clock' hh", ts, "o'clock 03"},
		{"''", ts, "'"},
		{"'Jan Mon' 2006 01 15:04 -0700", ts, "Jan Mon 2006 01 15:04 -0700"},
		{"", ts, ""},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			f, err := compileTimeFormat(tc.pattern)
			require.NoError(t, err)
			require.Equal(t, tc.want, string(f.AppendFormat(nil, tc.t)))
		})
	}
}

func TestTimeFormat_Errors(t *testing.T) {
	for _, p := range []string{"'abc", "yyyy 'x"} {
		_, err := compileTimeFormat(p)
		require.ErrorIs(t, err, errUnclosedQuote, p)
	}
}

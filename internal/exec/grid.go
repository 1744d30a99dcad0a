package exec

import "time"

// grid places window boundaries: every step milliseconds from the epoch,
// or, for day units, every step days at midnight in a time zone, so that
// a day window follows the zone's daylight-saving changes (a day is then
// 23 or 25 hours long). Steps and shifts are in milliseconds, or in days
// when loc is set.
type grid struct {
	loc *time.Location // day units; nil: milliseconds
}

// dayGrid is the grid of day windows in loc (UTC when nil).
func dayGrid(loc *time.Location) grid {
	if loc == nil {
		loc = time.UTC
	}
	return grid{loc: loc}
}

// after returns the first boundary of a step grid later than t.
func (g grid) after(t, step int64) int64 {
	if g.loc == nil {
		return alignUp(t, step, 0)
	}
	return g.midnight(floorDiv(g.day(t), step)*step + step)
}

// plus shifts t by n units, keeping the wall-clock time of day for day
// units.
func (g grid) plus(t, n int64) int64 {
	if g.loc == nil {
		return t + n
	}
	return time.UnixMilli(t).In(g.loc).AddDate(0, 0, int(n)).UnixMilli()
}

// day is the number of the local calendar day of t, counted from
// 1970-01-01.
func (g grid) day(t int64) int64 {
	y, m, d := time.UnixMilli(t).In(g.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// midnight is the start of local calendar day n.
func (g grid) midnight(n int64) int64 {
	return time.Date(1970, 1, 1+int(n), 0, 0, 0, 0, g.loc).UnixMilli()
}

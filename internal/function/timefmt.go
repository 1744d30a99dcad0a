package function

import (
	"errors"
	"strconv"
	"time"
)

// Datetime patterns, as format_time reads them (Java-style letters, as in
// eKuiper):
//
//	G era (AD)             y, Y year (yyyy 2006, yy 06)
//	M month (M 1, MM 01, MMM Jan, MMMM January)
//	d day of month (d 2, dd 02)   D day of year (D 33, DDD 033)
//	E day of week (EEE Mon, EEEE Monday)
//	H hour 0-23 (H 3, HH 03)      h hour 1-12 (h 3, hh 03)   a AM/PM
//	m minute (m 4, mm 04)         s second (s 5, ss 05)
//	S fraction of a second: SSS is .000 (milliseconds); right after a
//	  '.' the dot is not repeated, so ss.SSS and ssSSS both give 05.000
//	z zone name (MST)             Z offset -0700
//	X ISO offset (X -07, XX -0700, XXX -07:00; Z at UTC)
//
// Text in single quotes is copied as is ('' is a quote); any other
// character, letters included, is copied too. Patterns are compiled once
// into a token list and formatted without time.Format layouts, so literal
// text can never be mistaken for a Go layout element.

type tfKind uint8

const (
	tfLit tfKind = iota
	tfEra
	tfYear
	tfMonth
	tfDay
	tfYearDay
	tfWeekday
	tfHour24
	tfHour12
	tfAmPm
	tfMinute
	tfSecond
	tfFrac
	tfZoneName
	tfZoneRFC
	tfZoneISO
)

type tfToken struct {
	kind tfKind
	n    int    // repeat count of the pattern letter
	lit  string // literal text (tfLit); for tfFrac, the dot to write
}

// timeFormat is a compiled datetime pattern.
type timeFormat []tfToken

var errUnclosedQuote = errors.New("unclosed quote")

var patternLetters = map[byte]tfKind{
	'G': tfEra, 'y': tfYear, 'Y': tfYear, 'M': tfMonth, 'd': tfDay, 'D': tfYearDay,
	'E': tfWeekday, 'H': tfHour24, 'h': tfHour12, 'a': tfAmPm, 'm': tfMinute,
	's': tfSecond, 'S': tfFrac, 'z': tfZoneName, 'Z': tfZoneRFC, 'X': tfZoneISO,
}

// compileTimeFormat compiles a datetime pattern.
func compileTimeFormat(pattern string) (timeFormat, error) {
	var f timeFormat
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			f = append(f, tfToken{kind: tfLit, lit: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(pattern); {
		c := pattern[i]
		if c == '\'' {
			if i+1 < len(pattern) && pattern[i+1] == '\'' {
				lit = append(lit, '\'')
				i += 2
				continue
			}
			end := i + 1
			for {
				if end >= len(pattern) {
					return nil, errUnclosedQuote
				}
				if pattern[end] == '\'' {
					if end+1 < len(pattern) && pattern[end+1] == '\'' {
						lit = append(lit, '\'')
						end += 2
						continue
					}
					break
				}
				lit = append(lit, pattern[end])
				end++
			}
			i = end + 1
			continue
		}
		kind, ok := patternLetters[c]
		if !ok {
			lit = append(lit, c)
			i++
			continue
		}
		n := 1
		for i+n < len(pattern) && pattern[i+n] == c {
			n++
		}
		tok := tfToken{kind: kind, n: n}
		if kind == tfFrac {
			if len(lit) == 0 || (lit[len(lit)-1] != '.' && lit[len(lit)-1] != ',') {
				tok.lit = "."
			}
			tok.n = min(n, 9)
		}
		flush()
		f = append(f, tok)
		i += n
	}
	flush()
	return f, nil
}

// AppendFormat appends t formatted with f.
func (f timeFormat) AppendFormat(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	for _, tok := range f {
		switch tok.kind {
		case tfLit:
			dst = append(dst, tok.lit...)
		case tfEra:
			if year > 0 {
				dst = append(dst, "AD"...)
			} else {
				dst = append(dst, "BC"...)
			}
		case tfYear:
			if tok.n == 2 {
				dst = appendPadded(dst, year%100, 2)
			} else {
				dst = appendPadded(dst, year, tok.n)
			}
		case tfMonth:
			switch {
			case tok.n >= 4:
				dst = append(dst, month.String()...)
			case tok.n == 3:
				dst = append(dst, month.String()[:3]...)
			default:
				dst = appendPadded(dst, int(month), tok.n)
			}
		case tfDay:
			dst = appendPadded(dst, day, tok.n)
		case tfYearDay:
			dst = appendPadded(dst, t.YearDay(), tok.n)
		case tfWeekday:
			if tok.n >= 4 {
				dst = append(dst, t.Weekday().String()...)
			} else {
				dst = append(dst, t.Weekday().String()[:3]...)
			}
		case tfHour24:
			dst = appendPadded(dst, hour, tok.n)
		case tfHour12:
			h := hour % 12
			if h == 0 {
				h = 12
			}
			dst = appendPadded(dst, h, tok.n)
		case tfAmPm:
			if hour < 12 {
				dst = append(dst, "AM"...)
			} else {
				dst = append(dst, "PM"...)
			}
		case tfMinute:
			dst = appendPadded(dst, minute, tok.n)
		case tfSecond:
			dst = appendPadded(dst, sec, tok.n)
		case tfFrac:
			dst = append(dst, tok.lit...)
			frac := t.Nanosecond()
			for range 9 - tok.n {
				frac /= 10
			}
			dst = appendPadded(dst, frac, tok.n)
		case tfZoneName:
			name, _ := t.Zone()
			dst = append(dst, name...)
		case tfZoneRFC:
			_, off := t.Zone()
			dst = appendOffset(dst, off, offsetHHMM, false)
		case tfZoneISO:
			_, off := t.Zone()
			dst = appendOffset(dst, off, offsetStyle(min(tok.n, 3)-1), true)
		}
	}
	return dst
}

// appendPadded appends i in decimal with at least width digits.
func appendPadded(dst []byte, i, width int) []byte {
	if i < 0 {
		dst = append(dst, '-')
		i = -i
	}
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], int64(i), 10)
	for range width - len(s) {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

type offsetStyle int

const (
	offsetHH    offsetStyle = iota // ±hh
	offsetHHMM                     // ±hhmm
	offsetColon                    // ±hh:mm
)

// appendOffset appends a zone offset; with zulu a zero offset is Z.
func appendOffset(dst []byte, off int, style offsetStyle, zulu bool) []byte {
	if off == 0 && zulu {
		return append(dst, 'Z')
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	dst = append(dst, sign)
	dst = appendPadded(dst, off/3600, 2)
	switch style {
	case offsetHH:
		return dst
	case offsetColon:
		dst = append(dst, ':')
	}
	return appendPadded(dst, off%3600/60, 2)
}

package exec

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kuiperio/kuiper/internal/value"
)

// watermark tracks event time across the rule's streams: the newest event
// time of each stream, and as the watermark the oldest of those minus the
// late tolerance, once every stream has sent a row. A row older than the
// watermark is late.
type watermark struct {
	streams []int
	max     []int64
	seen    []bool
	nSeen   int
	tol     int64
	value   int64
	valid   bool
}

func newWatermark(streams []int, nSrc int, tol int64) *watermark {
	return &watermark{streams: streams, max: make([]int64, nSrc), seen: make([]bool, nSrc), tol: tol}
}

// late reports whether a row with event time ts comes after the watermark.
func (w *watermark) late(ts int64) bool { return w.valid && ts < w.value }

// observe records a row's event time; it reports whether the watermark
// moved.
func (w *watermark) observe(src int, ts int64) bool {
	if !w.seen[src] {
		w.seen[src] = true
		w.nSeen++
		w.max[src] = ts
	} else if ts > w.max[src] {
		w.max[src] = ts
	} else {
		return false
	}
	if w.nSeen < len(w.streams) {
		return false
	}
	v := int64(0)
	for i, s := range w.streams {
		if i == 0 || w.max[s] < v {
			v = w.max[s]
		}
	}
	v -= w.tol
	if w.valid && v <= w.value {
		return false
	}
	w.value, w.valid = v, true
	return true
}

// tsReader reads a row's event time from its TIMESTAMP field: Unix
// milliseconds as a number, a datetime, or a string in TIMESTAMP_FORMAT
// (Java-style pattern), Unix milliseconds or RFC 3339.
type tsReader struct {
	field  string
	layout string // Go layout of TIMESTAMP_FORMAT; "" when none
	hint   int
}

func newTSReader(field, format string) (*tsReader, error) {
	r := &tsReader{field: field}
	if format != "" {
		l, err := goLayout(format)
		if err != nil {
			return nil, fmt.Errorf("TIMESTAMP_FORMAT %q: %w", format, err)
		}
		r.layout = l
	}
	return r, nil
}

func (r *tsReader) read(row *value.Row) (int64, error) {
	v := row.Msg.GetHint(r.field, &r.hint)
	switch v.Kind() {
	case value.Int:
		return v.Int(), nil
	case value.Float:
		return int64(v.Float()), nil
	case value.Time:
		return v.UnixMilli(), nil
	case value.String:
		s := v.Str()
		if r.layout != "" {
			t, err := time.Parse(r.layout, s)
			if err != nil {
				return 0, fmt.Errorf("timestamp field %s: %q does not match TIMESTAMP_FORMAT", r.field, s)
			}
			return t.UnixMilli(), nil
		}
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
			return ms, nil
		}
		t, err := value.ParseTime(s)
		if err != nil {
			return 0, fmt.Errorf("timestamp field %s: %w", r.field, err)
		}
		return t.UnixMilli(), nil
	case value.Missing, value.Null:
		return 0, fmt.Errorf("timestamp field %s is missing", r.field)
	}
	return 0, fmt.Errorf("timestamp field %s must be a number, a datetime or a string, got %s", r.field, v.Kind())
}

// goLayout converts a Java-style datetime pattern (yyyy-MM-dd HH:mm:ss.SSS,
// as eKuiper's TIMESTAMP_FORMAT) into a Go time layout.
func goLayout(pattern string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(pattern); {
		c := pattern[i]
		if c == '\'' {
			j := strings.IndexByte(pattern[i+1:], '\'')
			if j < 0 {
				return "", fmt.Errorf("unclosed quote")
			}
			b.WriteString(pattern[i+1 : i+1+j])
			i += j + 2
			continue
		}
		n := 1
		for i+n < len(pattern) && pattern[i+n] == c {
			n++
		}
		run := pattern[i : i+n]
		var out string
		switch c {
		case 'y':
			out = "2006"
			if n == 2 {
				out = "06"
			}
		case 'M':
			out = map[int]string{1: "1", 2: "01", 3: "Jan"}[min(n, 4)]
			if n >= 4 {
				out = "January"
			}
		case 'd':
			out = "2"
			if n >= 2 {
				out = "02"
			}
		case 'H':
			out = "15"
		case 'h':
			out = "3"
			if n >= 2 {
				out = "03"
			}
		case 'm':
			out = "4"
			if n >= 2 {
				out = "04"
			}
		case 's':
			out = "5"
			if n >= 2 {
				out = "05"
			}
		case 'S':
			out = strings.Repeat("0", n)
			if b.Len() > 0 && strings.HasSuffix(b.String(), ".") {
				break
			}
			out = "." + out
		case 'a':
			out = "PM"
		case 'E':
			out = "Mon"
			if n >= 4 {
				out = "Monday"
			}
		case 'Z':
			out = "-0700"
		case 'X':
			out = "Z07:00"
		case 'z':
			out = "MST"
		default:
			if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
				return "", fmt.Errorf("unsupported pattern letter %q", c)
			}
			out = run
		}
		b.WriteString(out)
		i += n
	}
	return b.String(), nil
}

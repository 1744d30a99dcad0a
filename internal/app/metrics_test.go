package app

import (
	"math"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExposition_Format(t *testing.T) {
	tests := []struct {
		name string
		add  func(e *exposition)
		want string
	}{
		{
			name: "no labels",
			add:  func(e *exposition) { e.add("a_total", "Things.", "counter", 3) },
			want: "# HELP a_total Things.\n# TYPE a_total counter\na_total 3\n",
		},
		{
			name: "labels, escaping and families sorted",
			add: func(e *exposition) {
				e.add("b", "B.", "gauge", 1.5, "rule", `r"1\`+"\n")
				e.add("a", "A \\ help\nline.", "gauge", -1, "x", "1", "y", "2")
				e.add("b", "B.", "gauge", 2, "rule", "r2")
			},
			want: "# HELP a A \\\\ help\\nline.\n# TYPE a gauge\na{x=\"1\",y=\"2\"} -1\n" +
				"# HELP b B.\n# TYPE b gauge\nb{rule=\"r\\\"1\\\\\\n\"} 1.5\nb{rule=\"r2\"} 2\n",
		},
		{
			name: "summary lines and special values",
			add: func(e *exposition) {
				f := e.family("s", "S.", "summary")
				f.sample("s", math.Inf(1), "quantile", "1")
				f.sample("s_sum", math.NaN())
				f.sample("s_count", 1e20)
			},
			want: "# HELP s S.\n# TYPE s summary\ns{quantile=\"1\"} +Inf\ns_sum NaN\ns_count 1e+20\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e exposition
			tt.add(&e)
			require.Equal(t, tt.want, string(e.bytes()))
		})
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"deflate, gzip;q=1.0, *;q=0.5", true},
		{"gzip;q=0", false},
		{"identity", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, acceptsGzip(tt.header), tt.header)
	}
}

// sampleLine is a sample line of the text format: a name, optional
// labels with quoted values, and a number.
var sampleLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$`)

func TestGoAndProcessMetrics(t *testing.T) {
	var e exposition
	writeGoMetrics(&e)
	writeProcessMetrics(&e)
	out := string(e.bytes())
	types := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSuffix(out, "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			require.NotContains(t, types, name, "family written twice")
			types[name] = typ
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		require.Regexp(t, sampleLine, line)
	}
	want := []string{"go_gc_duration_seconds", "go_gc_gogc_percent", "go_gc_gomemlimit_bytes",
		"go_goroutines", "go_info", "go_memstats_alloc_bytes", "go_memstats_sys_bytes",
		"go_sched_gomaxprocs_threads", "go_threads"}
	if runtime.GOOS == "linux" {
		want = append(want, "process_cpu_seconds_total", "process_max_fds", "process_open_fds",
			"process_resident_memory_bytes", "process_start_time_seconds", "process_virtual_memory_bytes",
			"process_virtual_memory_max_bytes", "process_network_receive_bytes_total")
	}
	for _, name := range want {
		require.Contains(t, types, name)
	}
	require.Equal(t, "summary", types["go_gc_duration_seconds"])
	require.Contains(t, out, `go_info{version="`+runtime.Version()+`"} 1`)
}

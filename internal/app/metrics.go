package app

import (
	"bytes"
	"compress/gzip"
	"math"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kuiperio/kuiper/internal/rule"
)

// The /metrics endpoint writes the Prometheus text exposition format
// (version 0.0.4) itself. The series are the ones the official Go client
// exported here before: the rules' node metrics under eKuiper's names,
// go_* for the runtime and process_* for the process. The client was
// dropped because, with the plugin package linked (which keeps every
// exported method of every reachable type), it and its protobuf and procfs
// dependencies made the binary 5 MB larger and idle RSS 3.5 MB higher
// (docs/benchmarks.md, "Idle memory").

const expositionType = "text/plain; version=0.0.4; charset=utf-8"

// metricsHandler serves the exposition of the rules, the Go runtime and
// the process.
func metricsHandler(m *rule.Manager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e exposition
		writeRuleMetrics(&e, m.Views())
		writeGoMetrics(&e)
		writeProcessMetrics(&e)
		body := e.bytes()
		w.Header().Set("Content-Type", expositionType)
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = zw.Write(body)
			_ = zw.Close()
			return
		}
		_, _ = w.Write(body)
	})
}

func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) != "gzip" {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		return params != "q=0" && params != "q=0.0" && params != "q=0.00" && params != "q=0.000"
	}
	return false
}

// exposition collects metric families; bytes writes them sorted by name.
type exposition struct {
	families []*family
}

// family is one metric family: its HELP and TYPE lines and its samples.
type family struct {
	name, help, typ string
	samples         []byte
}

// family returns the family called name, creating it on first use.
func (e *exposition) family(name, help, typ string) *family {
	for _, f := range e.families {
		if f.name == name {
			return f
		}
	}
	f := &family{name: name, help: help, typ: typ}
	e.families = append(e.families, f)
	return f
}

// add appends one sample to the family called name. labels are name,
// value pairs, names already sorted.
func (e *exposition) add(name, help, typ string, v float64, labels ...string) {
	f := e.family(name, help, typ)
	f.sample(name, v, labels...)
}

// sample appends one sample line; name differs from the family's for the
// _sum and _count lines of a summary.
func (f *family) sample(name string, v float64, labels ...string) {
	b := append(f.samples, name...)
	if len(labels) > 0 {
		b = append(b, '{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, labels[i]...)
			b = append(b, '=', '"')
			b = appendEscaped(b, labels[i+1], true)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = appendFloat(b, v)
	f.samples = append(b, '\n')
}

func (e *exposition) bytes() []byte {
	slices.SortFunc(e.families, func(a, b *family) int { return strings.Compare(a.name, b.name) })
	var b []byte
	for _, f := range e.families {
		b = append(b, "# HELP "...)
		b = append(b, f.name...)
		b = append(b, ' ')
		b = appendEscaped(b, f.help, false)
		b = append(b, "\n# TYPE "...)
		b = append(b, f.name...)
		b = append(b, ' ')
		b = append(b, f.typ...)
		b = append(b, '\n')
		b = append(b, f.samples...)
	}
	return b
}

// appendEscaped escapes a backslash and a line feed, and in label values
// also a double quote, as the text format requires.
func appendEscaped(b []byte, s string, quote bool) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// nodeMetrics are the per-node series, for each of the kinds source, op
// and sink: kuiper_<kind>_<name>.
var nodeMetrics = []struct{ name, help, typ string }{
	{"records_in_total", "Records received.", "counter"},
	{"records_out_total", "Records sent on.", "counter"},
	{"messages_processed_total", "Messages processed.", "counter"},
	{"exceptions_total", "Errors.", "counter"},
	{"process_latency_us", "Latency of the last record, in microseconds.", "gauge"},
	{"buffer_length", "Records waiting in the input buffer.", "gauge"},
	{"dropped_total", "Records dropped because the buffer was full.", "counter"},
}

// writeRuleMetrics exports every rule's state and node metrics under
// eKuiper's series names, so its dashboards work unchanged.
func writeRuleMetrics(e *exposition, all []rule.RuleView) {
	// Sorted through pointers: a sort of pointers shares the generic code
	// other packages already instantiate, where one of RuleView values
	// would add 12 KB of code.
	views := make([]*rule.RuleView, len(all))
	for i := range all {
		views[i] = &all[i]
	}
	slices.SortFunc(views, func(a, b *rule.RuleView) int { return strings.Compare(a.ID, b.ID) })
	counts := map[string]int{}
	for _, v := range views {
		counts[v.State]++
		st := 0.0
		switch v.State {
		case rule.StateRunning:
			st = 1
		case rule.StateStoppedByErr:
			st = -1
		}
		e.add("kuiper_rule_status", "Rule state: 1 running, 0 stopped, -1 stopped by error.", "gauge", st, "rule", v.ID)
		if v.Topo == nil {
			continue
		}
		for _, n := range v.Topo.Nodes() {
			bl := 0
			if n.BufferLen != nil {
				bl = n.BufferLen()
			}
			vals := [...]int64{n.RecordsIn.Load(), n.RecordsOut.Load(), n.Processed.Load(),
				n.Exceptions.Load(), n.LatencyUs.Load(), int64(bl), n.Dropped.Load()}
			for i, m := range nodeMetrics {
				e.add("kuiper_"+n.Kind+"_"+m.name, m.help, m.typ, float64(vals[i]),
					"op", n.Name, "op_instance", "0", "rule", v.ID, "type", n.Kind)
			}
		}
	}
	states := make([]string, 0, len(counts))
	for s := range counts {
		states = append(states, s)
	}
	slices.Sort(states)
	for _, s := range states {
		e.add("kuiper_rule_count", "Number of rules by state.", "gauge", float64(counts[s]), "state", s)
	}
}

// goSettings are read through runtime/metrics, which reads them without
// stopping the world.
var goSettings = []struct{ metric, name, help string }{
	{"/gc/gogc:percent", "go_gc_gogc_percent", "GOGC: heap growth, in percent, that triggers a collection (-1: off)."},
	{"/gc/gomemlimit:bytes", "go_gc_gomemlimit_bytes", "GOMEMLIMIT: the soft memory limit of the runtime, in bytes."},
	{"/sched/gomaxprocs:threads", "go_sched_gomaxprocs_threads", "GOMAXPROCS: threads that may run Go code at the same time."},
}

// writeGoMetrics exports the Go runtime's memory statistics, collection
// pauses and settings.
func writeGoMetrics(e *exposition) {
	var gc debug.GCStats
	gc.PauseQuantiles = make([]time.Duration, 5)
	debug.ReadGCStats(&gc)
	f := e.family("go_gc_duration_seconds", "Stop-the-world pause of garbage collections, in seconds.", "summary")
	for i, q := range []string{"0", "0.25", "0.5", "0.75", "1"} {
		f.sample(f.name, gc.PauseQuantiles[i].Seconds(), "quantile", q)
	}
	f.sample(f.name+"_sum", gc.PauseTotal.Seconds())
	f.sample(f.name+"_count", float64(gc.NumGC))

	samples := make([]metrics.Sample, len(goSettings))
	for i, s := range goSettings {
		samples[i].Name = s.metric
	}
	metrics.Read(samples)
	for i, s := range goSettings {
		if samples[i].Value.Kind() == metrics.KindUint64 {
			e.add(s.name, s.help, "gauge", float64(samples[i].Value.Uint64()))
		}
	}
	e.add("go_goroutines", "Goroutines that exist now.", "gauge", float64(runtime.NumGoroutine()))
	threads, _ := runtime.ThreadCreateProfile(nil)
	e.add("go_threads", "OS threads created.", "gauge", float64(threads))
	e.add("go_info", "The Go version the server was built with.", "gauge", 1, "version", runtime.Version())

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	for _, m := range []struct {
		name, help, typ string
		v               uint64
	}{
		{"alloc_bytes", "Heap bytes allocated and in use.", "gauge", ms.Alloc},
		{"alloc_bytes_total", "Heap bytes allocated since start, freed or not.", "counter", ms.TotalAlloc},
		{"buck_hash_sys_bytes", "Bytes of the profiling bucket hash table.", "gauge", ms.BuckHashSys},
		{"frees_total", "Heap objects freed since start.", "counter", ms.Frees},
		{"gc_sys_bytes", "Bytes of garbage collector metadata.", "gauge", ms.GCSys},
		{"heap_alloc_bytes", "Heap bytes allocated and in use (same as go_memstats_alloc_bytes).", "gauge", ms.HeapAlloc},
		{"heap_idle_bytes", "Heap bytes in spans with no object.", "gauge", ms.HeapIdle},
		{"heap_inuse_bytes", "Heap bytes in spans with at least one object.", "gauge", ms.HeapInuse},
		{"heap_objects", "Heap objects allocated and in use.", "gauge", ms.HeapObjects},
		{"heap_released_bytes", "Heap bytes given back to the OS.", "gauge", ms.HeapReleased},
		{"heap_sys_bytes", "Heap bytes obtained from the OS.", "gauge", ms.HeapSys},
		{"mallocs_total", "Heap objects allocated since start.", "counter", ms.Mallocs},
		{"mcache_inuse_bytes", "Bytes of mcache structures in use.", "gauge", ms.MCacheInuse},
		{"mcache_sys_bytes", "Bytes of mcache structures obtained from the OS.", "gauge", ms.MCacheSys},
		{"mspan_inuse_bytes", "Bytes of mspan structures in use.", "gauge", ms.MSpanInuse},
		{"mspan_sys_bytes", "Bytes of mspan structures obtained from the OS.", "gauge", ms.MSpanSys},
		{"next_gc_bytes", "Heap size at which the next collection starts.", "gauge", ms.NextGC},
		{"other_sys_bytes", "Other bytes obtained from the OS by the runtime.", "gauge", ms.OtherSys},
		{"stack_inuse_bytes", "Bytes of goroutine stacks in use.", "gauge", ms.StackInuse},
		{"stack_sys_bytes", "Bytes of stacks obtained from the OS.", "gauge", ms.StackSys},
		{"sys_bytes", "Bytes obtained from the OS by the runtime.", "gauge", ms.Sys},
	} {
		name := "go_memstats_" + m.name
		e.add(name, m.help, m.typ, float64(m.v))
	}
	e.add("go_memstats_last_gc_time_seconds", "Unix time of the last garbage collection, in seconds.", "gauge", float64(ms.LastGC)/1e9)
}

// userHZ is the unit of the CPU times in /proc/self/stat; 100 on every
// mainstream Linux build.
const userHZ = 100

// writeProcessMetrics exports the process's CPU, memory and descriptors,
// read from /proc (absent on systems without it).
func writeProcessMetrics(e *exposition) {
	writeLimits(e)
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		e.add("process_open_fds", "Open file descriptors.", "gauge", float64(len(fds)))
	}
	if st, ok := readProcStat(); ok {
		e.add("process_cpu_seconds_total", "User and system CPU time, in seconds.", "counter", float64(st.utime+st.stime)/userHZ)
		e.add("process_virtual_memory_bytes", "Virtual memory size, in bytes.", "gauge", float64(st.vsize))
		e.add("process_resident_memory_bytes", "Resident memory size, in bytes.", "gauge", float64(st.rss*uint64(os.Getpagesize())))
		if boot, ok := bootTime(); ok {
			e.add("process_start_time_seconds", "Unix time the process started, in seconds.", "gauge", float64(boot)+float64(st.start)/userHZ)
		}
	}
	if in, out, ok := readNetOctets(); ok {
		e.add("process_network_receive_bytes_total", "Bytes received over the network (IP, the process's network namespace).", "counter", float64(in))
		e.add("process_network_transmit_bytes_total", "Bytes sent over the network (IP, the process's network namespace).", "counter", float64(out))
	}
}

type procStat struct {
	utime, stime, start, vsize, rss uint64
}

// readProcStat reads the CPU times, start time (in clock ticks after
// boot), virtual size and resident pages from /proc/self/stat.
func readProcStat() (procStat, bool) {
	var st procStat
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return st, false
	}
	// The command name is in parentheses and may hold spaces; the fields
	// after it start with the state (field 3).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return st, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 22 {
		return st, false
	}
	field := func(n int) uint64 { // n is the field number in proc(5)
		v, _ := strconv.ParseUint(f[n-3], 10, 64)
		return v
	}
	st.utime, st.stime, st.start, st.vsize, st.rss = field(14), field(15), field(22), field(23), field(24)
	return st, true
}

// bootTime reads the boot time (Unix seconds) from /proc/stat.
func bootTime() (uint64, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// readNetOctets reads the IP bytes received and sent from the IpExt lines
// of /proc/self/net/netstat: a header line of names, then one of values.
func readNetOctets() (in, out uint64, ok bool) {
	b, err := os.ReadFile("/proc/self/net/netstat")
	if err != nil {
		return 0, 0, false
	}
	lines := strings.Split(string(b), "\n")
	for i := 0; i+1 < len(lines); i++ {
		names, ok1 := strings.CutPrefix(lines[i], "IpExt:")
		vals, ok2 := strings.CutPrefix(lines[i+1], "IpExt:")
		if !ok1 || !ok2 {
			continue
		}
		nf, vf := strings.Fields(names), strings.Fields(vals)
		found := 0
		for j := 0; j < len(nf) && j < len(vf); j++ {
			switch nf[j] {
			case "InOctets":
				in, _ = strconv.ParseUint(vf[j], 10, 64)
				found++
			case "OutOctets":
				out, _ = strconv.ParseUint(vf[j], 10, 64)
				found++
			}
		}
		return in, out, found == 2
	}
	return 0, 0, false
}

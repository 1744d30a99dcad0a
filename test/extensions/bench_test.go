package extensions_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// procCPU returns the user+system CPU time of process pid from
// /proc/<pid>/stat (Linux), or 0.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ = 100
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPortableSourceFilter feeds a filter rule from the Go portable
// source as fast as it emits: b.N messages, reported as msgs/s and CPU
// per message in kuiperd and in the plugin process. Run it with a fixed
// count, e.g. -benchtime=200000x.
func BenchmarkPortableSourceFilter(b *testing.B) {
	s := startServer(b, "")
	writeFile(b, filepath.Join(s.home, "etc", "sources", "gocounter.yaml"),
		[]byte(fmt.Sprintf("default:\n  interval: 0\n  limit: %d\n", b.N)), 0o644)
	s.mustCall("POST", "/plugins/portables", map[string]any{"name": "gosample", "file": makeZip(b, goSampleTB(b)...)}, 201)
	pid := s.portableStatus("gosample").Pid
	s.mustCall("POST", "/streams", map[string]string{"sql": `CREATE STREAM gs (n bigint) WITH (TYPE="gocounter", DATASOURCE="x", FORMAT="json")`}, 201)
	hostCPU, plugCPU := selfCPU(), procCPU(pid)
	b.ResetTimer()
	start := time.Now()
	s.mustCall("POST", "/rules", map[string]any{"id": "r", "sql": "SELECT n FROM gs WHERE n % 2 = 0",
		"options": map[string]any{"bufferLength": 4096, "disableBufferFullDiscard": true},
		"actions": []any{map[string]any{"nop": map[string]any{}}}}, 201)
	for {
		if metric(s.ruleStatus("r"), "op_", "filter_0_records_in_total") >= float64(b.N) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	el := time.Since(start)
	b.StopTimer()
	hostCPU, plugCPU = selfCPU()-hostCPU, procCPU(pid)-plugCPU
	b.ReportMetric(float64(b.N)/el.Seconds(), "msgs/s")
	b.ReportMetric(float64(hostCPU.Nanoseconds())/float64(b.N), "host-cpu-ns/msg")
	b.ReportMetric(float64(plugCPU.Nanoseconds())/float64(b.N), "plugin-cpu-ns/msg")
}

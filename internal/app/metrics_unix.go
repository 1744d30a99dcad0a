//go:build unix

package app

import "syscall"

// writeLimits exports the soft limits on descriptors and address space
// (unlimited is the largest uint64).
func writeLimits(e *exposition) {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		e.add("process_max_fds", "Limit on open file descriptors.", "gauge", float64(lim.Cur))
	}
	if syscall.Getrlimit(syscall.RLIMIT_AS, &lim) == nil {
		e.add("process_virtual_memory_max_bytes", "Limit on virtual memory, in bytes.", "gauge", float64(lim.Cur))
	}
}

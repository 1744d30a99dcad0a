//go:build unix

package portable

import "syscall"

// sysProcAttr puts the plugin in its own process group, so a Ctrl-C on
// kuiperd's terminal reaches kuiperd only, which then shuts plugins down
// in order.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

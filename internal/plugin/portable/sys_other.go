//go:build !unix

package portable

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }

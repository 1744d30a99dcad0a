// Package logging builds kuiperd's root *slog.Logger from the
// configuration and provides Limiter, which keeps a flood of identical
// errors (a rule fed bad payloads) down to one log record per interval.
//
// The package holds no logger: app builds one with New and passes it down;
// rules and operators derive children with the attribute keys below.
package logging

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Attribute keys shared by the engine's log records.
const (
	KeyRule       = "rule"
	KeyOp         = "op"
	KeyInstance   = "instance"
	KeyPlugin     = "plugin"
	KeyStream     = "stream"
	KeyError      = "error"
	KeySuppressed = "suppressed"
)

// FileName is the log file's name in the log directory.
const FileName = "kuiper.log"

// LogConfig says where the log goes and how it looks. conf.Basic carries
// these settings (Level() gives the effective level, debug included).
type LogConfig struct {
	// Level is debug, info, warn (or warning) or error; empty means info.
	Level string
	// Format is text or json; empty means text.
	Format string
	// Console writes records to ConsoleWriter (standard error by default).
	Console bool
	// File appends records to FileName in the log directory.
	File bool
	// DisableTimestamp leaves the time out of records.
	DisableTimestamp bool
	// LevelVar, when not nil, is set to Level and then controls the
	// handler, so the level can be changed while running (PATCH /configs).
	LevelVar *slog.LevelVar
	// ConsoleWriter replaces standard error; tests capture output with it.
	ConsoleWriter io.Writer
}

// ParseLevel reads a level name: debug, info, warn, warning or error,
// without regard to case; empty means info.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown log level %q: want debug, info, warn or error", s)
}

// New builds the root logger. dir is the log directory (conf.Home.Log()),
// created if File is set. The returned Closer closes the log file; it is
// never nil. With neither Console nor File the logger discards everything.
func New(cfg LogConfig, dir string) (*slog.Logger, io.Closer, error) {
	level, err := ParseLevel(cfg.Level)
	if err != nil {
		return nil, nil, err
	}
	var leveler slog.Leveler = level
	if cfg.LevelVar != nil {
		cfg.LevelVar.Set(level)
		leveler = cfg.LevelVar
	}
	format := strings.ToLower(cfg.Format)
	if format != "" && format != "text" && format != "json" {
		return nil, nil, fmt.Errorf("unknown log format %q: want text or json", cfg.Format)
	}

	var writers []io.Writer
	closer := io.Closer(nopCloser{})
	if cfg.Console {
		w := cfg.ConsoleWriter
		if w == nil {
			w = os.Stderr
		}
		writers = append(writers, w)
	}
	if cfg.File {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, nil, fmt.Errorf("create log directory: %w", err)
		}
		path := filepath.Join(dir, FileName)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("open log file: %w", err)
		}
		writers = append(writers, f)
		closer = &fileCloser{f: f}
	}
	if len(writers) == 0 {
		return slog.New(slog.DiscardHandler), closer, nil
	}
	w := writers[0]
	if len(writers) > 1 {
		w = io.MultiWriter(writers...)
	}

	opts := &slog.HandlerOptions{Level: leveler}
	if cfg.DisableTimestamp {
		opts.ReplaceAttr = dropTime
	}
	var h slog.Handler
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(h), closer, nil
}

func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// fileCloser closes the log file once.
type fileCloser struct {
	f *os.File
}

func (c *fileCloser) Close() error {
	err := c.f.Close()
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

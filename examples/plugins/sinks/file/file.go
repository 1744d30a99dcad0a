// Command file is an example sink plugin: it appends every result row to
// a file as one JSON line. Build it with
//
//	go build -buildmode=plugin -o plugins/sinks/File.so ./examples/plugins/sinks/file
//
// and use it in a rule's actions:
//
//	"actions": [{"file": {"path": "/tmp/result.jsonl"}}]
//
// Kuiper has no built-in sink named file, so the plugin's name is free.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/kuiperio/kuiper/sdk/api"
)

type fileSink struct {
	path string

	mu sync.Mutex
	f  *os.File
	w  *bufio.Writer
}

// File is the exported symbol: a constructor, one sink per rule action.
func File() api.Sink { return &fileSink{} }

func (s *fileSink) Configure(props map[string]any) error {
	p, _ := props["path"].(string)
	if p == "" {
		return errors.New("property path is required")
	}
	s.path = p
	return nil
}

func (s *fileSink) Open(ctx api.StreamContext) error {
	f, err := os.OpenFile(s.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open %s: %w", s.path, err)
	}
	s.f, s.w = f, bufio.NewWriter(f)
	ctx.Logger().Info("file sink opened", "path", s.path)
	return nil
}

// Collect receives a row (map[string]any) when the action sets sendSingle,
// otherwise a list of rows; it writes one line per row.
func (s *fileSink) Collect(_ api.StreamContext, data any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		return errors.New("file sink is not open")
	}
	switch t := data.(type) {
	case []any:
		for _, row := range t {
			if err := s.writeLine(row); err != nil {
				return err
			}
		}
	case []map[string]any:
		for _, row := range t {
			if err := s.writeLine(row); err != nil {
				return err
			}
		}
	default:
		if err := s.writeLine(t); err != nil {
			return err
		}
	}
	return s.w.Flush()
}

func (s *fileSink) writeLine(row any) error {
	b, err := json.Marshal(row)
	if err != nil {
		return fmt.Errorf("encode row: %w", err)
	}
	b = append(b, '\n')
	_, err = s.w.Write(b)
	return err
}

func (s *fileSink) Close(api.StreamContext) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f, s.w = nil, nil
	return err
}

func main() {}

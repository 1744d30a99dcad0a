package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"
)

// QueryErrorTrailer is the HTTP trailer that carries the error body when a
// POST /query stream fails after rows were sent.
const QueryErrorTrailer = "Kuiper-Error"

// ContentTypeNDJSON is the content type of the POST /query row stream.
const ContentTypeNDJSON = "application/x-ndjson"

var errQueryEnded = errors.New("query ended")

// query answers POST /query {"sql": "..."}, a Kuiper extension: it runs the
// SELECT as a temporary rule and streams each result row as one line of
// JSON, flushed at once, until the client goes away or the query ends.
//
// The 200 status is committed with the first row, so an error found before
// any row (a parse error, an unknown stream) is an ordinary error answer.
// An error after rows were sent goes into the Kuiper-Error trailer.
func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	sql, err := readSQL(r)
	if err != nil {
		s.writeFailure(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	// A query streams for as long as the client wants; the server's write
	// timeout must not cut it.
	_ = rc.SetWriteDeadline(time.Time{})

	var (
		mu      sync.Mutex
		started bool
		ended   bool
	)
	emit := func(row []byte) error {
		mu.Lock()
		defer mu.Unlock()
		if ended {
			return errQueryEnded
		}
		if !started {
			h := w.Header()
			h.Set("Content-Type", ContentTypeNDJSON)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Cache-Control", "no-cache")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		if bytes.IndexByte(row, '\n') >= 0 {
			// One row per line: fold a multi-line row.
			var buf bytes.Buffer
			if err := json.Compact(&buf, row); err == nil {
				row = buf.Bytes()
			} else {
				row = bytes.ReplaceAll(row, []byte{'\n'}, []byte{' '})
			}
		}
		if _, err := w.Write(row); err != nil {
			return err
		}
		if _, err := w.Write([]byte{'\n'}); err != nil {
			return err
		}
		return rc.Flush()
	}
	err = s.rules.Query(r.Context(), sql, emit)

	mu.Lock()
	ended = true
	wasStarted := started
	mu.Unlock()

	clientGone := r.Context().Err() != nil
	switch {
	case !wasStarted && err != nil && !clientGone:
		s.writeFailure(w, r, fail("query error", err))
	case !wasStarted:
		w.Header().Set("Content-Type", ContentTypeNDJSON)
		w.WriteHeader(http.StatusOK)
	case err != nil && !clientGone:
		ae := asAPIError(fail("query error", err))
		s.log.Warn("query failed after rows were sent", "error", ae.message)
		w.Header().Set(http.TrailerPrefix+QueryErrorTrailer, string(trimNewline(encodeError(ae))))
	}
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
}

package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/kuiperio/kuiper/internal/errs"
)

const (
	contentTypeJSON = "application/json"
	contentTypeText = "text/plain; charset=utf-8"
)

// reply is a complete successful answer, written once.
type reply struct {
	status int
	ctype  string
	body   []byte
}

func (rep reply) write(w http.ResponseWriter) {
	h := w.Header()
	if rep.ctype != "" {
		h.Set("Content-Type", rep.ctype)
	}
	h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

func textReply(status int, text string) reply {
	return reply{status: status, ctype: contentTypeText, body: []byte(text)}
}

func rawJSONReply(status int, body []byte) reply {
	return reply{status: status, ctype: contentTypeJSON, body: body}
}

// jsonReply marshals v; a value that does not marshal is a server fault.
func jsonReply(status int, v any) (reply, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return reply{}, &apiError{status: http.StatusInternalServerError, code: errs.Encoding,
			message: fmt.Sprintf("encode response: %v", err)}
	}
	return rawJSONReply(status, b), nil
}

// valueReply answers with a service result: text for a string, the bytes
// as they are for already-encoded JSON, the JSON encoding otherwise.
func valueReply(status int, v any) (reply, error) {
	switch v := v.(type) {
	case nil:
		return textReply(status, ""), nil
	case string:
		return textReply(status, v), nil
	case json.RawMessage:
		return rawJSONReply(status, v), nil
	case []byte:
		return rawJSONReply(status, v), nil
	default:
		return jsonReply(status, v)
	}
}

// apiError is a failed request's answer: HTTP status, eKuiper error code
// and message.
type apiError struct {
	status  int
	code    errs.Code
	message string
}

func (e *apiError) Error() string { return e.message }

// failOpts tunes how fail maps a service error.
type failOpts int

const (
	// notFoundIsBadRequest answers a NotFound error with 400 and code
	// 1000, as eKuiper does where it reports missing objects with an
	// uncoded error (DELETE /rules/{id}, POST /rules).
	notFoundIsBadRequest failOpts = 1 << iota
)

// fail maps a service error to the REST answer: 404 for errs.NotFound, 400
// otherwise, with the error's code and the message prefixed as eKuiper
// prefixes it ("Stream command error: ...").
func fail(prefix string, err error, opts ...failOpts) error {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var o failOpts
	for _, x := range opts {
		o |= x
	}
	code := errs.CodeOf(err)
	status := http.StatusBadRequest
	if code == errs.NotFound {
		if o&notFoundIsBadRequest != 0 {
			code = errs.Undefined
		} else {
			status = http.StatusNotFound
		}
	}
	msg := err.Error()
	if prefix != "" {
		msg = prefix + ": " + msg
	}
	return &apiError{status: status, code: code, message: msg}
}

func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return fail("", err).(*apiError)
}

// errorBody is eKuiper's error answer.
type errorBody struct {
	Error   int    `json:"error"`
	Message string `json:"message"`
}

// encodeError returns the error body, newline-terminated like eKuiper's.
func encodeError(e *apiError) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(errorBody{Error: int(e.code), Message: e.message})
	return buf.Bytes()
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := encodeError(e)
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

// readBody reads the whole (size-limited) request body.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &apiError{status: http.StatusRequestEntityTooLarge, code: errs.Undefined,
				message: fmt.Sprintf("Invalid body: request body too large, the limit is %d bytes", tooLarge.Limit)}
		}
		return nil, &apiError{status: http.StatusBadRequest, code: errs.IO,
			message: fmt.Sprintf("Invalid body: read request body: %v", err)}
	}
	return b, nil
}

// badBody is a 400 answer for a body that does not decode.
func badBody(format string, args ...any) error {
	return &apiError{status: http.StatusBadRequest, code: errs.Undefined,
		message: "Invalid body: " + fmt.Sprintf(format, args...)}
}

// decodeError describes a JSON decoding error with its position or field.
func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return badBody("%v (at offset %d)", syn, syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badBody("expected a JSON object, got %s", typ.Value)
		}
		return badBody("field %q: cannot use %s as %s", typ.Field, typ.Value, typ.Type)
	default:
		return badBody("%v", err)
	}
}

// readSQL decodes a {"sql": "..."} body.
func readSQL(r *http.Request) (string, error) {
	b, err := readBody(r)
	if err != nil {
		return "", err
	}
	var body struct {
		SQL *string `json:"sql"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return "", decodeError(err)
	}
	if body.SQL == nil || strings.TrimSpace(*body.SQL) == "" {
		return "", badBody(`field "sql" is required`)
	}
	return *body.SQL, nil
}

// readRule reads a rule definition body, which must be a JSON object.
func readRule(r *http.Request) (json.RawMessage, error) {
	b, err := readBody(r)
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, decodeError(err)
	}
	if obj == nil {
		return nil, badBody("expected a JSON object, got null")
	}
	return json.RawMessage(b), nil
}

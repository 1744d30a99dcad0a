// Package client is a typed client for Kuiper's REST API (which follows
// eKuiper's). Every route has one method; failed requests return an
// *APIError carrying the HTTP status and eKuiper's error code and message.
package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// queryErrorTrailer is the trailer in which the server reports a query
// that failed after rows were sent (server.QueryErrorTrailer).
const queryErrorTrailer = "Kuiper-Error"

// maxAnswerBytes bounds an ordinary (non-streaming) answer.
const maxAnswerBytes = 64 << 20

// Client calls one Kuiper server. It is safe for concurrent use.
type Client struct {
	base string
	hc   *http.Client
}

// New returns a client for the server at baseURL (for example
// "http://127.0.0.1:9081"; "http://" is assumed when the scheme is
// missing). A nil httpClient means a fresh client without a timeout,
// since queries stream for as long as they run; bound calls with their
// context instead.
func New(baseURL string, httpClient *http.Client) *Client {
	base := strings.TrimRight(strings.TrimSpace(baseURL), "/")
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	return &Client{base: base, hc: httpClient}
}

// BaseURL returns the server address the client calls.
func (c *Client) BaseURL() string { return c.base }

// APIError is a request the server refused or could not serve.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is eKuiper's error code (1000 undefined, 1002 not found, 2001
	// SQL parse, 3000 stream or table, 4000 rule...), 0 when the answer
	// carried none.
	Code int
	// Message is the server's message.
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return e.Message
}

// IsNotFound reports whether err is an APIError for a missing object.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Status == http.StatusNotFound || ae.Code == 1002)
}

// parseAPIError reads an error answer: eKuiper's {"error","message"} body,
// or any other body as the message.
func parseAPIError(status int, body []byte) *APIError {
	ae := &APIError{Status: status}
	var eb struct {
		Error   *int   `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &eb) == nil && eb.Error != nil {
		ae.Code, ae.Message = *eb.Error, eb.Message
		return ae
	}
	ae.Message = strings.TrimSpace(string(body))
	if ae.Message == "" {
		ae.Message = http.StatusText(status)
	}
	return ae
}

// send performs a request and returns the response when its status is
// one of ok; otherwise it reads the body into an *APIError.
func (c *Client) send(ctx context.Context, method, path string, body []byte, ok ...int) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%s %s%s: %w", method, c.base, path, err)
	}
	for _, s := range ok {
		if resp.StatusCode == s {
			return resp, nil
		}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return nil, parseAPIError(resp.StatusCode, b)
}

// call performs a request and returns the whole answer body.
func (c *Client) call(ctx context.Context, method, path string, body []byte, ok ...int) ([]byte, error) {
	if len(ok) == 0 {
		ok = []int{http.StatusOK}
	}
	resp, err := c.send(ctx, method, path, body, ok...)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return b, nil
}

// callJSON performs a request and decodes the JSON answer into v.
func (c *Client) callJSON(ctx context.Context, method, path string, body []byte, v any) error {
	b, err := c.call(ctx, method, path, body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

func sqlBody(sql string) []byte {
	b, _ := json.Marshal(struct {
		SQL string `json:"sql"`
	}{sql})
	return b
}

// Info is the answer of GET /.
type Info struct {
	Version       string `json:"version"`
	OS            string `json:"os"`
	Arch          string `json:"arch"`
	UpTimeSeconds int64  `json:"upTimeSeconds"`
}

// Info returns the server's version, platform and uptime (GET /).
func (c *Client) Info(ctx context.Context) (Info, error) {
	var info Info
	err := c.callJSON(ctx, http.MethodGet, "/", nil, &info)
	return info, err
}

// Ping checks that the server answers (GET /ping).
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.call(ctx, http.MethodGet, "/ping", nil)
	return err
}

// Kind selects streams or tables.
type Kind string

// Collections.
const (
	Stream Kind = "stream"
	Table  Kind = "table"
)

func (k Kind) collection() string {
	if k == Table {
		return "/tables"
	}
	return "/streams"
}

func (k Kind) item(name string) string { return k.collection() + "/" + url.PathEscape(name) }

// Exec runs a stream or table statement (POST /streams or /tables) and
// returns the answer: the server's text for CREATE and DROP ("Stream demo
// is created."), JSON for DESCRIBE and SHOW.
func (c *Client) Exec(ctx context.Context, kind Kind, sql string) (string, error) {
	b, err := c.call(ctx, http.MethodPost, kind.collection(), sqlBody(sql), http.StatusOK, http.StatusCreated)
	return string(b), err
}

// List returns the names of the streams or tables (GET /streams).
func (c *Client) List(ctx context.Context, kind Kind) ([]string, error) {
	var names []string
	err := c.callJSON(ctx, http.MethodGet, kind.collection(), nil, &names)
	return names, err
}

// StreamDetail is one entry of GET /streamdetails.
type StreamDetail struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Format string `json:"format"`
}

// Details lists the streams or tables with their type and format (GET
// /streamdetails or /tabledetails).
func (c *Client) Details(ctx context.Context, kind Kind) ([]StreamDetail, error) {
	var out []StreamDetail
	err := c.callJSON(ctx, http.MethodGet, "/"+string(kind)+"details", nil, &out)
	return out, err
}

// Describe returns a stream's or table's definition, eKuiper's {Name,
// StreamFields, Options, StreamType, Statement} object (GET
// /streams/{name}).
func (c *Client) Describe(ctx context.Context, kind Kind, name string) (json.RawMessage, error) {
	return c.call(ctx, http.MethodGet, kind.item(name), nil)
}

// Replace replaces a stream's or table's definition with a CREATE
// statement for the same name (PUT /streams/{name}).
func (c *Client) Replace(ctx context.Context, kind Kind, name, sql string) (string, error) {
	b, err := c.call(ctx, http.MethodPut, kind.item(name), sqlBody(sql))
	return string(b), err
}

// Drop deletes a stream or table (DELETE /streams/{name}).
func (c *Client) Drop(ctx context.Context, kind Kind, name string) (string, error) {
	b, err := c.call(ctx, http.MethodDelete, kind.item(name), nil)
	return string(b), err
}

// Schema returns a stream's or table's inferred schema (GET
// /streams/{name}/schema).
func (c *Client) Schema(ctx context.Context, kind Kind, name string) (json.RawMessage, error) {
	return c.call(ctx, http.MethodGet, kind.item(name)+"/schema", nil)
}

func rulePath(id string) string { return "/rules/" + url.PathEscape(id) }

// CreateRule creates (and unless "triggered": false, starts) a rule from
// its eKuiper rule JSON (POST /rules) and returns the server's message.
func (c *Client) CreateRule(ctx context.Context, def json.RawMessage) (string, error) {
	b, err := c.call(ctx, http.MethodPost, "/rules", def, http.StatusCreated, http.StatusOK)
	return string(b), err
}

// RuleSummary is one entry of GET /rules.
type RuleSummary struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Status  string   `json:"status"`
	Tags    []string `json:"tags"`
	Trace   bool     `json:"trace"`
	Version string   `json:"version"`
}

// ListRules lists the rules with their status (GET /rules).
func (c *Client) ListRules(ctx context.Context) ([]RuleSummary, error) {
	var out []RuleSummary
	err := c.callJSON(ctx, http.MethodGet, "/rules", nil, &out)
	return out, err
}

// GetRule returns a rule's stored JSON (GET /rules/{id}).
func (c *Client) GetRule(ctx context.Context, id string) (json.RawMessage, error) {
	return c.call(ctx, http.MethodGet, rulePath(id), nil)
}

// UpdateRule replaces or creates a rule (PUT /rules/{id}).
func (c *Client) UpdateRule(ctx context.Context, id string, def json.RawMessage) (string, error) {
	b, err := c.call(ctx, http.MethodPut, rulePath(id), def)
	return string(b), err
}

// DeleteRule deletes a rule (DELETE /rules/{id}).
func (c *Client) DeleteRule(ctx context.Context, id string) (string, error) {
	b, err := c.call(ctx, http.MethodDelete, rulePath(id), nil)
	return string(b), err
}

// StartRule starts a rule (POST /rules/{id}/start).
func (c *Client) StartRule(ctx context.Context, id string) (string, error) {
	b, err := c.call(ctx, http.MethodPost, rulePath(id)+"/start", nil)
	return string(b), err
}

// StopRule stops a rule (POST /rules/{id}/stop).
func (c *Client) StopRule(ctx context.Context, id string) (string, error) {
	b, err := c.call(ctx, http.MethodPost, rulePath(id)+"/stop", nil)
	return string(b), err
}

// RestartRule restarts a rule (POST /rules/{id}/restart).
func (c *Client) RestartRule(ctx context.Context, id string) (string, error) {
	b, err := c.call(ctx, http.MethodPost, rulePath(id)+"/restart", nil)
	return string(b), err
}

// RuleStatus returns a rule's flat status object with per-node metrics,
// in the server's key order (GET /rules/{id}/status).
func (c *Client) RuleStatus(ctx context.Context, id string) (json.RawMessage, error) {
	return c.call(ctx, http.MethodGet, rulePath(id)+"/status", nil)
}

// RuleStatusV2 returns the same object, compact (GET
// /v2/rules/{id}/status).
func (c *Client) RuleStatusV2(ctx context.Context, id string) (json.RawMessage, error) {
	return c.call(ctx, http.MethodGet, "/v2"+rulePath(id)+"/status", nil)
}

// AllRuleStatus returns every rule's status object by rule id (GET
// /rules/status/all).
func (c *Client) AllRuleStatus(ctx context.Context) (map[string]json.RawMessage, error) {
	var out map[string]json.RawMessage
	err := c.callJSON(ctx, http.MethodGet, "/rules/status/all", nil, &out)
	return out, err
}

// RuleTopo returns a rule's {"sources": [...], "edges": {...}} graph (GET
// /rules/{id}/topo).
func (c *Client) RuleTopo(ctx context.Context, id string) (json.RawMessage, error) {
	return c.call(ctx, http.MethodGet, rulePath(id)+"/topo", nil)
}

// ExplainRule returns a rule's plan as text (GET /rules/{id}/explain).
func (c *Client) ExplainRule(ctx context.Context, id string) (string, error) {
	b, err := c.call(ctx, http.MethodGet, rulePath(id)+"/explain", nil)
	return string(b), err
}

// Validation is the answer of POST /rules/validate.
type Validation struct {
	Valid   bool     `json:"valid"`
	Sources []string `json:"sources"`
	Message string   `json:"message"`
}

// ValidateRule checks a rule without creating it (POST /rules/validate).
// An invalid rule is not an error: it returns Valid false and the reason
// in Message. A body the server cannot read is an *APIError.
func (c *Client) ValidateRule(ctx context.Context, def json.RawMessage) (Validation, error) {
	var v Validation
	b, err := c.call(ctx, http.MethodPost, "/rules/validate", def, http.StatusOK, http.StatusUnprocessableEntity)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("POST /rules/validate: decode answer: %w", err)
	}
	return v, nil
}

// Query runs a SELECT as a temporary rule (POST /query, a Kuiper
// extension) and calls fn with each result row as it arrives, until the
// server ends the query, fn returns an error (which Query returns) or ctx
// is done (Query returns ctx.Err()). fn may keep row.
func (c *Client) Query(ctx context.Context, sql string, fn func(row json.RawMessage) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp, err := c.send(ctx, http.MethodPost, "/query", sqlBody(sql), http.StatusOK)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	for {
		line, err := rd.ReadBytes('\n')
		if row := bytes.TrimSpace(line); len(row) > 0 {
			if ferr := fn(json.RawMessage(row)); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("POST /query: read rows: %w", err)
		}
	}
	if t := resp.Trailer.Get(queryErrorTrailer); t != "" {
		return parseAPIError(resp.StatusCode, []byte(t))
	}
	return nil
}

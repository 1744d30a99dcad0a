package server

import (
	"net/http"
	"strings"
)

// words names a collection in messages, as eKuiper does.
func (k Kind) words() (lower, title string) {
	if k == Tables {
		return "table", "Table"
	}
	return "stream", "Stream"
}

// execStream answers POST /streams and /tables: 201 with the service's text
// for CREATE, 200 for other statements (JSON for DESCRIBE and SHOW).
func (s *Server) execStream(k Kind) handler {
	_, title := k.words()
	return func(r *http.Request) (reply, error) {
		sql, err := readSQL(r)
		if err != nil {
			return reply{}, err
		}
		res, err := s.streams.Exec(k, sql)
		if err != nil {
			return reply{}, fail(title+" command error", err)
		}
		status := http.StatusOK
		if isCreate(sql) {
			status = http.StatusCreated
		}
		return valueReply(status, res)
	}
}

func (s *Server) listStreams(k Kind) handler {
	_, title := k.words()
	return func(*http.Request) (reply, error) {
		names, err := s.streams.List(k)
		if err != nil {
			return reply{}, fail(title+" command error", err)
		}
		if names == nil {
			names = []string{}
		}
		return jsonReply(http.StatusOK, names)
	}
}

func (s *Server) streamDetails(k Kind) handler {
	_, title := k.words()
	return func(*http.Request) (reply, error) {
		details, err := s.streams.Details(k)
		if err != nil {
			return reply{}, fail(title+" command error", err)
		}
		if details == nil {
			details = []StreamDetail{}
		}
		return jsonReply(http.StatusOK, details)
	}
}

func (s *Server) describeStream(k Kind) handler {
	lower, _ := k.words()
	return func(r *http.Request) (reply, error) {
		desc, err := s.streams.Describe(k, r.PathValue("name"))
		if err != nil {
			return reply{}, fail("describe "+lower+" error", err)
		}
		return valueReply(http.StatusOK, desc)
	}
}

func (s *Server) replaceStream(k Kind) handler {
	_, title := k.words()
	return func(r *http.Request) (reply, error) {
		name := r.PathValue("name")
		sql, err := readSQL(r)
		if err != nil {
			return reply{}, err
		}
		if err := s.streams.Replace(k, name, sql); err != nil {
			return reply{}, fail(title+" command error", err)
		}
		return textReply(http.StatusOK, title+" "+name+" is replaced."), nil
	}
}

func (s *Server) dropStream(k Kind) handler {
	lower, title := k.words()
	return func(r *http.Request) (reply, error) {
		name := r.PathValue("name")
		if err := s.streams.Drop(k, name); err != nil {
			return reply{}, fail("delete "+lower+" error", err)
		}
		return textReply(http.StatusOK, title+" "+name+" is dropped."), nil
	}
}

func (s *Server) streamSchema(k Kind) handler {
	lower, _ := k.words()
	return func(r *http.Request) (reply, error) {
		schema, err := s.streams.Schema(k, r.PathValue("name"))
		if err != nil {
			return reply{}, fail("get schema of "+lower+" error", err)
		}
		return valueReply(http.StatusOK, schema)
	}
}

// isCreate reports whether the statement's first keyword, after blanks and
// comments, is CREATE.
func isCreate(sql string) bool {
	s := sql
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		switch {
		case strings.HasPrefix(s, "--"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return false
			}
			s = s[i+1:]
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s[2:], "*/")
			if i < 0 {
				return false
			}
			s = s[i+4:]
		default:
			const kw = "CREATE"
			if len(s) < len(kw) || !strings.EqualFold(s[:len(kw)], kw) {
				return false
			}
			if len(s) == len(kw) {
				return true
			}
			c := s[len(kw)]
			return !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
		}
	}
}

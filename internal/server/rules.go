package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/kuiperio/kuiper/internal/errs"
)

func (s *Server) createRule(r *http.Request) (reply, error) {
	def, err := readRule(r)
	if err != nil {
		return reply{}, err
	}
	id, err := s.rules.Create(def)
	if err != nil {
		return reply{}, fail("", err, notFoundIsBadRequest)
	}
	return textReply(http.StatusCreated, fmt.Sprintf("Rule %s was created successfully.", id)), nil
}

func (s *Server) listRules(*http.Request) (reply, error) {
	list, err := s.rules.List()
	if err != nil {
		return reply{}, fail("Show rules error", err)
	}
	if list == nil {
		list = []RuleSummary{}
	}
	return jsonReply(http.StatusOK, list)
}

func (s *Server) getRule(r *http.Request) (reply, error) {
	def, err := s.rules.Get(r.PathValue("id"))
	if err != nil {
		return reply{}, fail("Describe rule error", err)
	}
	return rawJSONReply(http.StatusOK, def), nil
}

func (s *Server) updateRule(r *http.Request) (reply, error) {
	id := r.PathValue("id")
	def, err := readRule(r)
	if err != nil {
		return reply{}, err
	}
	if err := s.rules.Update(id, def); err != nil {
		return reply{}, fail("Update rule error", err)
	}
	return textReply(http.StatusOK, fmt.Sprintf("Rule %s was updated successfully.", id)), nil
}

func (s *Server) deleteRule(r *http.Request) (reply, error) {
	id := r.PathValue("id")
	if err := s.rules.Delete(id); err != nil {
		return reply{}, fail("Delete rule error", err, notFoundIsBadRequest)
	}
	return textReply(http.StatusOK, fmt.Sprintf("Rule %s is dropped.", id)), nil
}

func (s *Server) startRule(r *http.Request) (reply, error) {
	id := r.PathValue("id")
	if err := s.rules.Start(id); err != nil {
		return reply{}, fail("start rule error", err)
	}
	return textReply(http.StatusOK, fmt.Sprintf("Rule %s was started", id)), nil
}

func (s *Server) stopRule(r *http.Request) (reply, error) {
	id := r.PathValue("id")
	if err := s.rules.Stop(id); err != nil {
		return reply{}, fail("stop rule error", err)
	}
	return textReply(http.StatusOK, fmt.Sprintf("Rule %s was stopped.", id)), nil
}

func (s *Server) restartRule(r *http.Request) (reply, error) {
	id := r.PathValue("id")
	if err := s.rules.Restart(id); err != nil {
		return reply{}, fail("restart rule error", err)
	}
	return textReply(http.StatusOK, fmt.Sprintf("Rule %s was restarted", id)), nil
}

// ruleStatus answers the flat status object indented by two spaces, as
// eKuiper prints it.
func (s *Server) ruleStatus(r *http.Request) (reply, error) {
	st, err := s.rules.Status(r.PathValue("id"))
	if err != nil {
		return reply{}, fail("get rule status error", err)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, st, "", "  "); err != nil {
		return reply{}, encodeFault("rule status", err)
	}
	return rawJSONReply(http.StatusOK, buf.Bytes()), nil
}

// ruleStatusV2 answers the same object, compact.
func (s *Server) ruleStatusV2(r *http.Request) (reply, error) {
	st, err := s.rules.Status(r.PathValue("id"))
	if err != nil {
		return reply{}, fail("get rule status error", err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, st); err != nil {
		return reply{}, encodeFault("rule status", err)
	}
	return rawJSONReply(http.StatusOK, buf.Bytes()), nil
}

func (s *Server) allRuleStatus(*http.Request) (reply, error) {
	all, err := s.rules.StatusAll()
	if err != nil {
		return reply{}, fail("get rules status error", err)
	}
	if all == nil {
		all = map[string]json.RawMessage{}
	}
	return jsonReply(http.StatusOK, all)
}

func (s *Server) ruleTopo(r *http.Request) (reply, error) {
	topo, err := s.rules.Topo(r.PathValue("id"))
	if err != nil {
		return reply{}, fail("get rule topo error", err)
	}
	return rawJSONReply(http.StatusOK, topo), nil
}

func (s *Server) explainRule(r *http.Request) (reply, error) {
	plan, err := s.rules.Explain(r.PathValue("id"))
	if err != nil {
		return reply{}, fail("explain rules error", err)
	}
	return textReply(http.StatusOK, plan), nil
}

// validRule and invalidRule are the answers of POST /rules/validate.
type validRule struct {
	Sources []string `json:"sources"`
	Valid   bool     `json:"valid"`
}

type invalidRule struct {
	Valid   bool   `json:"valid"`
	Message string `json:"message"`
}

// validateRule answers 200 {"sources": [...], "valid": true} for a valid
// rule, 422 {"valid": false, "message": ...} for an invalid one and 400 for
// a body that is not a JSON object.
func (s *Server) validateRule(r *http.Request) (reply, error) {
	def, err := readRule(r)
	if err != nil {
		return reply{}, err
	}
	sources, err := s.rules.Validate(def)
	if err != nil {
		return jsonReply(http.StatusUnprocessableEntity, invalidRule{Valid: false, Message: err.Error()})
	}
	if sources == nil {
		sources = []string{}
	}
	return jsonReply(http.StatusOK, validRule{Sources: sources, Valid: true})
}

// encodeFault is a 500 for a service answer that is not valid JSON.
func encodeFault(what string, err error) error {
	return &apiError{status: http.StatusInternalServerError, code: errs.Encoding,
		message: fmt.Sprintf("encode %s: %v", what, err)}
}

package app

import (
	"github.com/kuiperio/kuiper/internal/rule"
	"github.com/kuiperio/kuiper/internal/server"
)

// ruleService adapts the rule manager to the REST layer.
type ruleService struct {
	*rule.Manager
}

var _ server.RuleService = ruleService{}

func (r ruleService) List() ([]server.RuleSummary, error) {
	list, err := r.Manager.List()
	if err != nil {
		return nil, err
	}
	out := make([]server.RuleSummary, len(list))
	for i, s := range list {
		out[i] = server.RuleSummary{ID: s.ID, Name: s.Name, Status: s.Status, Tags: s.Tags, Version: s.Version}
	}
	return out, nil
}

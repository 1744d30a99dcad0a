package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kuiperio/kuiper/internal/client"
)

// ruleArgs reads "[NAME] [JSON]" plus -f into a rule definition whose id
// is NAME when given.
func ruleArgs(args []string, file string) (json.RawMessage, error) {
	name, text := "", ""
	switch len(args) {
	case 2:
		name, text = args[0], args[1]
	case 1:
		if strings.HasPrefix(strings.TrimSpace(args[0]), "{") {
			text = args[0]
		} else {
			name = args[0]
		}
	}
	text, err := readDefinition(text, file, "rule JSON")
	if err != nil {
		return nil, err
	}
	def := []byte(strings.TrimSpace(text))
	if name == "" {
		if _, err := objectMembers(def); err != nil {
			return nil, err
		}
		return def, nil
	}
	return setRuleID(def, name)
}

// objectMembers checks that def is one JSON object and returns the offsets
// of its "id" value (or -1, -1) and whether it has members.
func objectMembers(def []byte) (idSpan [2]int, err error) {
	idSpan = [2]int{-1, -1}
	if !json.Valid(def) {
		var v any
		err := json.Unmarshal(def, &v)
		return idSpan, fmt.Errorf("the rule is not valid JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(def))
	if tok, _ := dec.Token(); tok != json.Delim('{') {
		return idSpan, errors.New("the rule must be a JSON object")
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return idSpan, fmt.Errorf("read the rule: %w", err)
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return idSpan, fmt.Errorf("read the rule: %w", err)
		}
		if key == "id" {
			end := int(dec.InputOffset())
			idSpan = [2]int{end - len(val), end}
		}
	}
	return idSpan, nil
}

// setRuleID makes id the rule's "id", keeping the rest of the text as it
// is: the NAME argument wins over an id in the JSON, as in eKuiper's CLI.
func setRuleID(def []byte, id string) (json.RawMessage, error) {
	span, err := objectMembers(def)
	if err != nil {
		return nil, err
	}
	quoted, _ := json.Marshal(id)
	var out []byte
	if span[0] >= 0 {
		out = append(out, def[:span[0]]...)
		out = append(out, quoted...)
		out = append(out, def[span[1]:]...)
		return out, nil
	}
	open := bytes.IndexByte(def, '{')
	rest := bytes.TrimSpace(def[open+1:])
	out = append(out, def[:open+1]...)
	out = append(out, `"id":`...)
	out = append(out, quoted...)
	if len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	out = append(out, def[open+1:]...)
	return out, nil
}

func (a *app) createRuleCommand() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "rule [NAME] [JSON]",
		Short: "Create a rule",
		Long: "Create a rule from its eKuiper rule JSON, given as an argument or with -f.\n" +
			"NAME, when given, becomes the rule id.",
		Example: `  kuiper create rule rule1 '{"sql":"SELECT * FROM demo WHERE temperature > 30","actions":[{"log":{}}]}'
  kuiper create rule rule1 -f rule1.json`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			def, err := ruleArgs(args, file)
			if err != nil {
				return err
			}
			msg, err := a.client().CreateRule(cmd.Context(), def)
			if err != nil {
				return err
			}
			return a.printMessage(msg)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "read the rule JSON from `FILE`")
	return cmd
}

func (a *app) validateRuleCommand() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "rule [NAME] [JSON]",
		Short: "Check a rule without creating it",
		Long: "Check a rule without creating it and list the streams it reads.\n" +
			"An invalid rule exits with status 1.",
		Example: `  kuiper validate rule rule1 '{"sql":"SELECT * FROM demo","actions":[{"log":{}}]}'
  kuiper validate rule rule1 -f rule1.json`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			def, err := ruleArgs(args, file)
			if err != nil {
				return err
			}
			v, err := a.client().ValidateRule(cmd.Context(), def)
			if err != nil {
				return err
			}
			if a.jsonOut {
				if v.Sources == nil {
					v.Sources = []string{}
				}
				if err := a.printValue(v); err != nil {
					return err
				}
				if !v.Valid {
					return errReported{msg: v.Message}
				}
				return nil
			}
			if !v.Valid {
				return fmt.Errorf("the rule is invalid: %s", v.Message)
			}
			return a.printMessage("The rule is valid; it reads: " + strings.Join(v.Sources, ", "))
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "read the rule JSON from `FILE`")
	return cmd
}

func (a *app) describeRuleCommand() *cobra.Command {
	return a.ruleJSONCommand("describe", "Show the JSON definition of a rule", (*client.Client).GetRule)
}

// ruleJSONCommand prints the JSON answer of a rule route.
func (a *app) ruleJSONCommand(verb, short string,
	call func(*client.Client, context.Context, string) (json.RawMessage, error)) *cobra.Command {
	return &cobra.Command{
		Use:     "rule NAME",
		Short:   short,
		Example: "  kuiper " + verb + " rule rule1",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := call(a.client(), cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return a.printJSON(raw)
		},
	}
}

// ruleActionCommand prints the message of a rule command.
func (a *app) ruleActionCommand(verb string,
	call func(*client.Client, context.Context, string) (string, error)) *cobra.Command {
	return &cobra.Command{
		Use:     "rule NAME",
		Short:   strings.ToUpper(verb[:1]) + verb[1:] + " a rule",
		Example: "  kuiper " + verb + " rule rule1",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			msg, err := call(a.client(), cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return a.printMessage(msg)
		},
	}
}

func (a *app) dropRuleCommand() *cobra.Command {
	cmd := a.ruleActionCommand("drop", (*client.Client).DeleteRule)
	cmd.Short = "Delete a rule"
	return cmd
}

func (a *app) showRulesCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "rules",
		Short:   "List the rules with their status",
		Example: "  kuiper show rules",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rules, err := a.client().ListRules(cmd.Context())
			if err != nil {
				return err
			}
			if a.jsonOut {
				if rules == nil {
					rules = []client.RuleSummary{}
				}
				return a.printValue(rules)
			}
			if len(rules) == 0 {
				_, err := fmt.Fprintln(a.env.Stdout, "No rule definitions are found.")
				return err
			}
			tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tTAGS")
			for _, r := range rules {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Status, strings.Join(r.Tags, ","))
			}
			return tw.Flush()
		},
	}
}

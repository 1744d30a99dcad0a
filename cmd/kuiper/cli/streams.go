package cli

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kuiperio/kuiper/internal/client"
)

func kindWords(k client.Kind) (upper, plural string) {
	if k == client.Table {
		return "TABLE", "tables"
	}
	return "STREAM", "streams"
}

func (a *app) createStreamCommand(k client.Kind) *cobra.Command {
	upper, _ := kindWords(k)
	lower := string(k)
	var file string
	cmd := &cobra.Command{
		Use:   lower + " [NAME] [DEFINITION]",
		Short: "Create a " + lower,
		Long: "Create a " + lower + ". DEFINITION is what follows the name in CREATE " + upper + ",\n" +
			"or a whole CREATE " + upper + " statement; with -f the file holds either\n" +
			"the definition or the whole statement.",
		Example: fmt.Sprintf(`  kuiper create %[1]s demo '(temperature float, ts bigint) WITH (DATASOURCE="demo", FORMAT="json")'
  kuiper create %[1]s 'CREATE %[2]s demo () WITH (DATASOURCE="demo")'
  kuiper create %[1]s demo -f demo.sql`, lower, upper),
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, def := "", ""
			switch len(args) {
			case 2:
				name, def = args[0], args[1]
			case 1:
				if file != "" || !strings.ContainsAny(args[0], " \t\n(") {
					name = args[0]
				} else {
					def = args[0]
				}
			}
			text, err := readDefinition(def, file, lower+" definition")
			if err != nil {
				return err
			}
			msg, err := a.client().Exec(cmd.Context(), k, streamStatement(upper, name, text))
			if err != nil {
				return err
			}
			return a.printMessage(msg)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "read the definition from `FILE`")
	return cmd
}

// streamStatement builds the CREATE statement from a name and what
// follows it, or returns def when it already is a CREATE statement.
func streamStatement(upper, name, def string) string {
	def = strings.TrimSpace(def)
	if f := strings.Fields(def); len(f) > 0 && strings.EqualFold(f[0], "CREATE") {
		return def
	}
	if name == "" {
		return "CREATE " + upper + " " + def
	}
	return "CREATE " + upper + " " + name + " " + def
}

func (a *app) showStreamsCommand(k client.Kind) *cobra.Command {
	_, plural := kindWords(k)
	return &cobra.Command{
		Use:     plural,
		Short:   "List the " + plural,
		Example: "  kuiper show " + plural,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			names, err := a.client().List(cmd.Context(), k)
			if err != nil {
				return err
			}
			if a.jsonOut {
				if names == nil {
					names = []string{}
				}
				return a.printValue(names)
			}
			if len(names) == 0 {
				_, err := fmt.Fprintf(a.env.Stdout, "No %s definitions are found.\n", k)
				return err
			}
			for _, n := range names {
				if _, err := fmt.Fprintln(a.env.Stdout, n); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func (a *app) describeStreamCommand(k client.Kind) *cobra.Command {
	lower := string(k)
	return &cobra.Command{
		Use:     lower + " NAME",
		Short:   "Show the fields and options of a " + lower,
		Example: "  kuiper describe " + lower + " demo",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			desc, err := a.client().Describe(cmd.Context(), k, args[0])
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(desc)
			}
			return a.printDescription(desc)
		},
	}
}

// description is the part of eKuiper's describe answer the CLI prints.
type description struct {
	StreamFields []struct {
		Name      string
		FieldType json.RawMessage
	}
	Options map[string]any
}

var typeNames = map[int]string{0: "unknown", 1: "bigint", 2: "float", 3: "string", 4: "bytea",
	5: "datetime", 6: "boolean", 7: "array", 8: "struct"}

// fieldType names a FieldType like {"Type": 2}; other shapes print as
// JSON.
func fieldType(raw json.RawMessage) string {
	var ft struct{ Type *int }
	if json.Unmarshal(raw, &ft) == nil && ft.Type != nil {
		if n, ok := typeNames[*ft.Type]; ok {
			return n
		}
	}
	return string(raw)
}

// printDescription prints the fields and options of a stream like
// eKuiper's CLI; an answer of another shape prints as JSON.
func (a *app) printDescription(raw json.RawMessage) error {
	var d description
	if err := json.Unmarshal(raw, &d); err != nil {
		return a.printJSON(raw)
	}
	w := a.env.Stdout
	fmt.Fprintln(w, "Fields")
	fmt.Fprintln(w, strings.Repeat("-", 80))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range d.StreamFields {
		fmt.Fprintf(tw, "%s\t%s\n", f.Name, fieldType(f.FieldType))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	keys := make([]string, 0, len(d.Options))
	for k := range d.Options {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := d.Options[k]
		s, ok := v.(string)
		if !ok {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		if _, err := fmt.Fprintf(w, "%s: %s\n", strings.ToUpper(k), s); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) dropStreamCommand(k client.Kind) *cobra.Command {
	lower := string(k)
	return &cobra.Command{
		Use:     lower + " NAME",
		Short:   "Delete a " + lower,
		Example: "  kuiper drop " + lower + " demo",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			msg, err := a.client().Drop(cmd.Context(), k, args[0])
			if err != nil {
				return err
			}
			return a.printMessage(msg)
		},
	}
}

package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kuiperio/kuiper/internal/client"
)

const pluginKinds = "source, sink, function or portable"

// pluginCommands adds eKuiper's plugin verbs to the groups.
func (a *app) pluginCommands(create, describe, show, drop, register *cobra.Command) {
	create.AddCommand(a.createPluginCommand())
	describe.AddCommand(a.describePluginCommand(), a.describeUDFCommand())
	show.AddCommand(a.showPluginsCommand(), a.showUDFsCommand())
	drop.AddCommand(a.dropPluginCommand())
	register.AddCommand(a.registerPluginCommand())
}

func (a *app) createPluginCommand() *cobra.Command {
	var file, zip string
	cmd := &cobra.Command{
		Use:   "plugin TYPE NAME [JSON]",
		Short: "Install a plugin from a zip package",
		Long: "Install a plugin. TYPE is " + pluginKinds + ". JSON is the install body,\n" +
			`{"file": "file:///path/plugin.zip", "shellParas": [...]}, given as an argument or` + "\n" +
			"with -f; -z names a zip on the server's file system instead. The name argument\n" +
			"wins over a name in the JSON.",
		Example: `  kuiper create plugin source random '{"file":"file:///tmp/random.zip"}'
  kuiper create plugin function echo -z /tmp/echo.zip
  kuiper create plugin portable mirror '{"file":"https://example.com/mirror.zip"}'`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := client.ParsePluginKind(args[0])
			if err != nil {
				return err
			}
			body := map[string]any{}
			def := ""
			if len(args) == 3 {
				def = args[2]
			}
			if def != "" || file != "" {
				text, err := readDefinition(def, file, "plugin JSON")
				if err != nil {
					return err
				}
				if err := json.Unmarshal([]byte(text), &body); err != nil {
					return fmt.Errorf("plugin JSON: %w", err)
				}
			}
			if zip != "" {
				abs, err := filepath.Abs(zip)
				if err != nil {
					return err
				}
				body["file"] = "file://" + filepath.ToSlash(abs)
			}
			if _, ok := body["file"]; !ok {
				return fmt.Errorf("missing the package: give {\"file\": URL} as JSON or -z ZIP")
			}
			body["name"] = args[1]
			b, _ := json.Marshal(body)
			msg, err := a.client().CreatePlugin(cmd.Context(), kind, b)
			if err != nil {
				return err
			}
			return a.printMessage(msg)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "read the install JSON from `FILE`")
	cmd.Flags().StringVarP(&zip, "zip", "z", "", "install the zip package at `PATH` (a path the server can read)")
	return cmd
}

func (a *app) describePluginCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "plugin TYPE NAME",
		Short:   "Show a plugin's version and status",
		Example: "  kuiper describe plugin function echo",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := client.ParsePluginKind(args[0])
			if err != nil {
				return err
			}
			d, err := a.client().DescribePlugin(cmd.Context(), kind, args[1])
			if err != nil {
				return err
			}
			return a.printJSON(d)
		},
	}
}

func (a *app) showPluginsCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "plugins TYPE",
		Short:   "List the plugins of a type",
		Example: "  kuiper show plugins source\n  kuiper show plugins portable",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := client.ParsePluginKind(args[0])
			if err != nil {
				return err
			}
			if kind == client.PortablePlugin {
				list, err := a.client().ListPortables(cmd.Context())
				if err != nil {
					return err
				}
				return a.printJSON(list)
			}
			names, err := a.client().ListPlugins(cmd.Context(), kind)
			if err != nil {
				return err
			}
			return a.printNames(names, "No "+strings.TrimSuffix(string(kind), "s")+" plugins are found.")
		},
	}
}

func (a *app) printNames(names []string, none string) error {
	if a.jsonOut {
		if names == nil {
			names = []string{}
		}
		return a.printValue(names)
	}
	if len(names) == 0 {
		_, err := fmt.Fprintln(a.env.Stdout, none)
		return err
	}
	for _, n := range names {
		if _, err := fmt.Fprintln(a.env.Stdout, n); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) dropPluginCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "plugin TYPE NAME",
		Short:   "Uninstall a plugin (refused while rules use it)",
		Example: "  kuiper drop plugin function echo",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := client.ParsePluginKind(args[0])
			if err != nil {
				return err
			}
			msg, err := a.client().DropPlugin(cmd.Context(), kind, args[1])
			if err != nil {
				return err
			}
			return a.printMessage(msg)
		},
	}
}

func (a *app) showUDFsCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "udfs",
		Short:   "List the SQL functions provided by plugins",
		Example: "  kuiper show udfs",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			names, err := a.client().ListUDFs(cmd.Context())
			if err != nil {
				return err
			}
			return a.printNames(names, "No user defined functions are found.")
		},
	}
}

func (a *app) describeUDFCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "udf NAME",
		Short:   "Show which plugin provides a SQL function",
		Example: "  kuiper describe udf echo",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := a.client().DescribeUDF(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return a.printJSON(d)
		},
	}
}

func (a *app) registerPluginCommand() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:     "plugin function NAME [JSON]",
		Short:   "Register the functions a function plugin exports",
		Example: `  kuiper register plugin function multi '{"functions":["add","mul"]}'`,
		Args:    cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if kind, err := client.ParsePluginKind(args[0]); err != nil || kind != client.FunctionPlugin {
				return fmt.Errorf("only function plugins register functions, not %q", args[0])
			}
			def := ""
			if len(args) == 3 {
				def = args[2]
			}
			text, err := readDefinition(def, file, "functions JSON")
			if err != nil {
				return err
			}
			var body struct {
				Functions []string `json:"functions"`
			}
			if err := json.Unmarshal([]byte(text), &body); err != nil {
				return fmt.Errorf("functions JSON: %w", err)
			}
			msg, err := a.client().RegisterPluginFunctions(cmd.Context(), args[1], body.Functions)
			if err != nil {
				return err
			}
			return a.printMessage(msg)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "read the functions JSON from `FILE`")
	return cmd
}

// Package cli is the kuiper command line: eKuiper's verbs (create,
// describe, show, drop, getstatus, gettopo, start, stop, restart,
// validate, query) over the REST API, through internal/client.
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kuiperio/kuiper/internal/client"
)

// DefaultHost is the server address used without --host or KUIPER_HOST.
const DefaultHost = "http://127.0.0.1:9081"

// HostEnv is the environment variable that sets the default --host.
const HostEnv = "KUIPER_HOST"

// Env is the world the CLI talks to; main wires the process's, tests
// their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads environment variables; nil reads none.
	Getenv func(string) string
	// HTTPClient is used for every request; nil means a client without a
	// timeout.
	HTTPClient *http.Client
	// Interactive shows the query prompt; main sets it when stdin is a
	// terminal.
	Interactive bool
	// NotifyInterrupt starts delivering Ctrl-C while a query session
	// runs and returns the channel and a function that stops delivery.
	// Nil means Ctrl-C is not intercepted.
	NotifyInterrupt func() (<-chan os.Signal, func())
}

// Run executes the command line args (without the program name) and
// returns the process exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	a := &app{env: env}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		var reported errReported
		if !errors.As(err, &reported) {
			a.printError(err)
		}
		return 1
	}
	return 0
}

// errReported is a failure whose explanation was already printed.
type errReported struct{ msg string }

func (e errReported) Error() string { return e.msg }

type app struct {
	env     Env
	host    string
	jsonOut bool
}

func (a *app) client() *client.Client { return client.New(a.host, a.env.HTTPClient) }

func (a *app) rootCommand() *cobra.Command {
	host := a.env.Getenv(HostEnv)
	if host == "" {
		host = DefaultHost
	}
	root := &cobra.Command{
		Use:   "kuiper",
		Short: "Manage streams, tables and rules of a Kuiper server",
		Long: "kuiper manages the streams, tables and rules of a Kuiper (or eKuiper) server\n" +
			"over its REST API, and runs interactive SQL queries.",
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.PersistentFlags().StringVar(&a.host, "host", host,
		"REST API address of the server (also set by "+HostEnv+")")
	root.PersistentFlags().BoolVar(&a.jsonOut, "json", false, "print machine-readable JSON")

	create := group("create", "Create a stream, table or rule")
	describe := group("describe", "Show the definition of a stream, table or rule")
	show := group("show", "List streams, tables or rules")
	drop := group("drop", "Delete a stream, table or rule")
	getstatus := group("getstatus", "Show the status and metrics of a rule")
	gettopo := group("gettopo", "Show the topology of a rule")
	start := group("start", "Start a rule")
	stop := group("stop", "Stop a rule")
	restart := group("restart", "Restart a rule")
	validate := group("validate", "Check a rule without creating it")
	register := group("register", "Register the functions of a function plugin")

	for _, k := range []client.Kind{client.Stream, client.Table} {
		create.AddCommand(a.createStreamCommand(k))
		describe.AddCommand(a.describeStreamCommand(k))
		show.AddCommand(a.showStreamsCommand(k))
		drop.AddCommand(a.dropStreamCommand(k))
	}
	create.AddCommand(a.createRuleCommand())
	describe.AddCommand(a.describeRuleCommand())
	show.AddCommand(a.showRulesCommand())
	drop.AddCommand(a.dropRuleCommand())
	getstatus.AddCommand(a.ruleJSONCommand("getstatus", "Show the status and metrics of a rule",
		(*client.Client).RuleStatus))
	gettopo.AddCommand(a.ruleJSONCommand("gettopo", "Show the topology of a rule",
		(*client.Client).RuleTopo))
	start.AddCommand(a.ruleActionCommand("start", (*client.Client).StartRule))
	stop.AddCommand(a.ruleActionCommand("stop", (*client.Client).StopRule))
	restart.AddCommand(a.ruleActionCommand("restart", (*client.Client).RestartRule))
	validate.AddCommand(a.validateRuleCommand())
	a.pluginCommands(create, describe, show, drop, register)

	root.AddCommand(create, describe, show, drop, getstatus, gettopo, start, stop, restart, validate,
		register, a.queryCommand())
	return root
}

// group is a verb whose subcommand names the kind of object.
func group(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var kinds []string
			for _, sub := range cmd.Commands() {
				kinds = append(kinds, sub.Name())
			}
			return fmt.Errorf("%s needs one of: %s; see 'kuiper %s --help'", use, strings.Join(kinds, ", "), use)
		},
	}
}

// printMessage prints a server message: the text, or {"message": text}
// with --json.
func (a *app) printMessage(msg string) error {
	if a.jsonOut {
		return a.printValue(map[string]string{"message": msg})
	}
	_, err := fmt.Fprintln(a.env.Stdout, msg)
	return err
}

// printValue prints v as JSON: compact with --json, indented otherwise.
func (a *app) printValue(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	return a.printJSON(b)
}

// printJSON prints a JSON document: compact with --json, indented
// otherwise. Text that is not JSON is printed as it is.
func (a *app) printJSON(raw []byte) error {
	var buf bytes.Buffer
	var err error
	if a.jsonOut {
		err = json.Compact(&buf, raw)
	} else {
		err = json.Indent(&buf, raw, "", "  ")
	}
	if err != nil {
		buf.Reset()
		buf.Write(bytes.TrimSpace(raw))
	}
	buf.WriteByte('\n')
	_, err = a.env.Stdout.Write(buf.Bytes())
	return err
}

// printError reports err on stderr: "Error: message", or the error as a
// JSON object with --json.
func (a *app) printError(err error) {
	var ae *client.APIError
	msg := strings.TrimRight(err.Error(), "\n")
	if a.jsonOut {
		v := map[string]any{"message": msg}
		if errors.As(err, &ae) {
			v = map[string]any{"error": ae.Code, "message": ae.Message, "status": ae.Status}
		}
		b, _ := json.Marshal(v)
		fmt.Fprintln(a.env.Stderr, string(b))
		return
	}
	fmt.Fprintln(a.env.Stderr, "Error: "+msg)
}

// readDefinition returns the definition given as an argument or, with -f,
// read from a file; exactly one of them must be present.
func readDefinition(arg, file, what string) (string, error) {
	switch {
	case arg != "" && file != "":
		return "", fmt.Errorf("give the %s either as an argument or with -f, not both", what)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", what, err)
		}
		return string(b), nil
	case arg != "":
		return arg, nil
	}
	return "", fmt.Errorf("missing the %s: give it as an argument or with -f FILE", what)
}

package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kuiperio/kuiper/internal/client"
)

// Prompt is shown before each query when stdin is a terminal.
const Prompt = "kuiper > "

var errLimitReached = errors.New("row limit reached")

func (a *app) queryCommand() *cobra.Command {
	var (
		limit   int
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "query",
		Short: "Run SQL queries interactively",
		Long: "Read SELECT statements, one per line, from stdin and print each result row\n" +
			"as a line of JSON while the query runs. Ctrl-C ends the running query and\n" +
			"returns to the prompt; quit, exit or end of input leave. Without a terminal\n" +
			"the statements run one after another, each until the server ends it, Ctrl-C,\n" +
			"--limit or --timeout.",
		Example: `  kuiper query
  kuiper > SELECT temperature FROM demo WHERE temperature > 30
  echo 'SELECT * FROM demo' | kuiper query --limit 10`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runQueries(cmd.Context(), limit, timeout)
		},
	}
	cmd.Flags().IntVarP(&limit, "limit", "n", 0, "end each query after `N` rows (0: no limit)")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "end each query after this long (0: no limit)")
	return cmd
}

// runQueries is the query session: read a line, run it, print rows until
// it ends or is interrupted, and again.
func (a *app) runQueries(ctx context.Context, limit int, timeout time.Duration) error {
	var interrupts <-chan os.Signal
	if a.env.NotifyInterrupt != nil {
		ch, stop := a.env.NotifyInterrupt()
		defer stop()
		interrupts = ch
	}
	done := make(chan struct{})
	defer close(done)
	lines := make(chan string)
	scanErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(a.env.Stdin)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-done:
				return
			}
		}
		scanErr <- sc.Err()
		close(lines)
	}()

	c := a.client()
	failed := false
	for {
		if a.env.Interactive {
			fmt.Fprint(a.env.Stdout, Prompt)
		}
		var (
			line string
			ok   bool
		)
		select {
		case line, ok = <-lines:
		case <-interrupts:
			if !a.env.Interactive {
				return nil
			}
			fmt.Fprintln(a.env.Stdout, "\n(type quit or exit to leave)")
			continue
		case <-ctx.Done():
			return ctx.Err()
		}
		if !ok {
			if a.env.Interactive {
				fmt.Fprintln(a.env.Stdout)
			}
			if err := <-scanErr; err != nil {
				return fmt.Errorf("read queries: %w", err)
			}
			if failed {
				return errReported{msg: "a query failed"}
			}
			return nil
		}
		sql := strings.TrimSpace(line)
		sql = strings.TrimSpace(strings.TrimSuffix(sql, ";"))
		switch strings.ToLower(sql) {
		case "":
			continue
		case "quit", "exit":
			if failed {
				return errReported{msg: "a query failed"}
			}
			return nil
		}
		if err := a.runQuery(ctx, c, sql, limit, timeout, interrupts); err != nil {
			a.printError(err)
			failed = true
		}
	}
}

// runQuery runs one statement until the server ends it, Ctrl-C, the row
// limit or the timeout; those endings are not errors.
func (a *app) runQuery(ctx context.Context, c *client.Client, sql string, limit int,
	timeout time.Duration, interrupts <-chan os.Signal) error {
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if timeout > 0 {
		qctx, cancel = context.WithTimeout(qctx, timeout)
		defer cancel()
	}
	rows := 0
	result := make(chan error, 1)
	go func() {
		result <- c.Query(qctx, sql, func(row json.RawMessage) error {
			if _, err := fmt.Fprintln(a.env.Stdout, string(row)); err != nil {
				return err
			}
			rows++
			if limit > 0 && rows >= limit {
				return errLimitReached
			}
			return nil
		})
	}()
	var err error
	select {
	case err = <-result:
	case <-interrupts:
		cancel()
		err = <-result
	}
	switch {
	case err == nil, errors.Is(err, errLimitReached):
		return nil
	case ctx.Err() == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		return nil
	}
	return err
}

package e2e_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// walkthrough returns the README's "Five-minute walkthrough": its sh
// blocks, in order, and its prose.
func walkthrough(t testing.TB) (blocks []string, prose string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	text := string(data)
	start := strings.Index(text, "## Five-minute walkthrough")
	require.GreaterOrEqual(t, start, 0, "README has a five-minute walkthrough")
	section := text[start+3:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	fence := regexp.MustCompile("(?s)```sh\n(.*?)```")
	for _, m := range fence.FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks, fence.ReplaceAllString(section, "")
}

// shellLines splits a sh block into commands, each a list of words, with
// sh quoting rules for '...', "..." and backslash-newline, and # comments.
// A line starting with "kuiper > " is a line typed at the query prompt; it
// comes back as the words "kuiper>" and the typed text.
func shellLines(t testing.TB, block string) [][]string {
	t.Helper()
	var (
		cmds  [][]string
		words []string
		word  strings.Builder
		inW   bool
	)
	endWord := func() {
		if inW {
			words = append(words, word.String())
			word.Reset()
			inW = false
		}
	}
	endCmd := func() {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
			words = nil
		}
	}
	for i := 0; i < len(block); i++ {
		c := block[i]
		if !inW && len(words) == 0 && strings.HasPrefix(block[i:], "kuiper > ") {
			line, _, _ := strings.Cut(block[i+len("kuiper > "):], "\n")
			cmds = append(cmds, []string{"kuiper>", line})
			i += len("kuiper > ") + len(line)
			continue
		}
		switch {
		case c == '\n':
			endCmd()
		case c == ' ' || c == '\t':
			endWord()
		case c == '#' && !inW:
			for i < len(block) && block[i] != '\n' {
				i++
			}
			endCmd()
		case c == '\\' && i+1 < len(block) && block[i+1] == '\n':
			i++
		case c == '\'':
			j := strings.IndexByte(block[i+1:], '\'')
			require.GreaterOrEqual(t, j, 0, "unterminated ' in %q", block)
			word.WriteString(block[i+1 : i+1+j])
			inW = true
			i += j + 1
		case c == '"':
			j := strings.IndexByte(block[i+1:], '"')
			require.GreaterOrEqual(t, j, 0, "unterminated \" in %q", block)
			word.WriteString(block[i+1 : i+1+j])
			inW = true
			i += j + 1
		default:
			word.WriteByte(c)
			inW = true
		}
	}
	endCmd()
	return cmds
}

// TestREADMEWalkthrough plays the README's five-minute walkthrough against
// the built kuiperd with its embedded broker, and checks the outputs the
// README promises. Only the addresses change: the server and its broker
// listen on free ports instead of 9081 and 1883.
func TestREADMEWalkthrough(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs kuiperd and kuiper")
	}
	blocks, prose := walkthrough(t)
	var cmds [][]string
	for _, b := range blocks {
		cmds = append(cmds, shellLines(t, b)...)
	}

	// What the README promises.
	claims := regexp.MustCompile("The query prints `([^`]+)`, and the rule\\s+publishes `([^`]+)` on `([^`]+)`").FindStringSubmatch(prose)
	require.NotNil(t, claims, "the walkthrough says what the query prints and the rule publishes")
	queryRow, ruleOut, ruleTopic := claims[1], claims[2], claims[3]
	require.Contains(t, prose, "Stop the server with Ctrl-C and start it again")

	restPort, mqttPort := freePort(t), freePort(t)
	mqttURL := fmt.Sprintf("tcp://127.0.0.1:%d", mqttPort)
	restHost := fmt.Sprintf("127.0.0.1:%d", restPort)
	env := []string{"KUIPER__MQTT__SERVER=" + mqttURL}
	subst := strings.NewReplacer("tcp://127.0.0.1:1883", mqttURL, "localhost:9081", restHost, "127.0.0.1:9081", restHost)

	// kuiperd runs from the repository root, so with its etc/ (where
	// sources/mqtt.yaml names the broker address too).
	home := t.TempDir()
	etc := filepath.Join("..", "..", "etc")
	require.NoError(t, filepath.WalkDir(etc, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(etc, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(home, "etc", rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, []byte(subst.Replace(string(data))), 0o644)
	}))

	var (
		d         *daemon
		cl        *client
		published [][2]string // mosquitto_pub topic and message
		query     string      // the SQL typed at the prompt
		seen      = map[string]int{}
	)
	for i := 0; i < len(cmds); i++ {
		args := cmds[i]
		for j := range args {
			args[j] = subst.Replace(args[j])
		}
		line := strings.Join(args, " ")
		seen[args[0]]++
		switch {
		case line == "go run ./cmd/kuiperd":
			d = startDaemon(t, home, restPort, env...)
			require.Contains(t, d.logs.String(), "embedded MQTT broker started")
			cl = newClientAt(t, mqttURL)
			cl.subscribe(ruleTopic)
		case line == "go build -o kuiper ./cmd/kuiper":
			binaries(t)
		case args[0] == "./kuiper" && len(args) == 2 && args[1] == "query":
			require.Less(t, i+1, len(cmds), "the query is typed at the prompt")
			require.Equal(t, "kuiper>", cmds[i+1][0])
			query = cmds[i+1][1]
			seen["kuiper>"]++
			i++
		case args[0] == "./kuiper":
			r := runCLI(t, "http://"+restHost, nil, args[1:]...)
			require.Equal(t, 0, r.code, "%s\n%s", line, r.stderr)
			checkCLIOutput(t, args[1:], r.stdout)
		case args[0] == "mosquitto_pub":
			require.Len(t, args, 5, line)
			require.Equal(t, "-t", args[1])
			require.Equal(t, "-m", args[3])
			published = append(published, [2]string{args[2], args[4]})
			if len(published) == 2 {
				// Everything the walkthrough runs at once is set up: the
				// rule, the query in its terminal, and the publisher.
				require.NotEmpty(t, query, "the query runs before the readings are sent")
				d.waitReady("hot")
				rows := runQuery(t, "http://"+restHost, query+"\n", 1, func(int) {
					for _, p := range published {
						cl.publish(p[0], []byte(p[1]))
					}
				})
				require.Equal(t, []string{queryRow}, rows, "the query prints what the README says")
				for _, got := range cl.waitMessages(ruleTopic, 1) {
					require.Equal(t, ruleOut, got, "the rule publishes what the README says")
				}
			}
		case args[0] == "curl":
			method, url := "GET", ""
			for j := 1; j < len(args); j++ {
				switch args[j] {
				case "-s":
				case "-X":
					method = args[j+1]
					j++
				default:
					url = args[j]
				}
			}
			code, out := httpCall(t, "http://"+restHost, method, strings.TrimPrefix(url, restHost), nil)
			require.Equal(t, 200, code, "%s: %s", line, out)
			switch {
			case strings.HasSuffix(url, "/status"):
				st := map[string]any{}
				require.NoError(t, json.Unmarshal([]byte(out), &st))
				require.Equal(t, "running", st["status"])
				require.Greater(t, st["sink_mqtt_0_0_records_out_total"], float64(0), "metrics per node")
			case strings.HasSuffix(url, "/stop"):
				require.Equal(t, "Rule hot was stopped.", out)
			case strings.HasSuffix(url, "/start"):
				require.Equal(t, "Rule hot was started", out)
			}
		default:
			t.Fatalf("the walkthrough runs a command this test does not know: %s", line)
		}
	}
	require.NotNil(t, d, "the walkthrough starts the server")
	require.Len(t, published, 2)
	require.Equal(t, map[string]int{"go": 2, "./kuiper": 5, "kuiper>": 1, "mosquitto_pub": 2, "curl": 3}, seen,
		"the commands of the walkthrough")

	// "Stop the server with Ctrl-C and start it again: the stream and the
	// rule are still there, and the rule runs again."
	require.NoError(t, d.cmd.Process.Signal(syscall.SIGINT))
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		t.Fatal("kuiperd did not stop on Ctrl-C")
	}
	require.True(t, d.cmd.ProcessState.Success(), "kuiperd exits 0 on Ctrl-C: %s", d.logs)
	cl.c.Disconnect(100) // its broker went away with the server

	d = startDaemon(t, home, restPort, env...)
	cl = newClientAt(t, mqttURL)
	cl.subscribe(ruleTopic)
	r := runCLI(t, "http://"+restHost, nil, "show", "streams")
	require.Equal(t, "demo\n", r.stdout)
	r = runCLI(t, "http://"+restHost, nil, "show", "rules")
	require.Regexp(t, `\nhot\s+hot\s+running`, r.stdout)
	d.waitReady("hot")
	cl.publish(published[0][0], []byte(published[0][1]))
	require.Equal(t, []string{ruleOut}, cl.waitMessages(ruleTopic, 1))
}

// checkCLIOutput checks what the walkthrough's kuiper commands print.
func checkCLIOutput(t testing.TB, args []string, stdout string) {
	t.Helper()
	switch strings.Join(args[:2], " ") {
	case "create stream":
		require.Equal(t, fmt.Sprintf("Stream %s is created.\n", args[2]), stdout)
	case "show streams":
		require.Equal(t, "demo\n", stdout)
	case "create rule":
		require.Equal(t, fmt.Sprintf("Rule %s was created successfully.\n", args[2]), stdout)
	case "getstatus rule":
		require.Contains(t, stdout, `"status": "running"`)
	default:
		t.Fatalf("the walkthrough runs kuiper %q, which this test does not check", args)
	}
}

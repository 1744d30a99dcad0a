package server_test

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/server"
	"github.com/kuiperio/kuiper/internal/server/servertest"
)

// exchange is one recorded request and eKuiper's answer.
type exchange struct {
	method, path, body string
	status             int
	answer             string
}

func readExchanges(t *testing.T, path string) []exchange {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var (
		out  []exchange
		cur  *exchange
		body []string
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#") && cur == nil:
		case strings.HasPrefix(line, ">>> "):
			parts := strings.SplitN(strings.TrimPrefix(line, ">>> "), " ", 3)
			require.GreaterOrEqual(t, len(parts), 2, line)
			cur = &exchange{method: parts[0], path: parts[1]}
			if len(parts) == 3 {
				cur.body = parts[2]
			}
			body = nil
		case strings.HasPrefix(line, "<<< HTTP "):
			require.NotNil(t, cur, line)
			cur.status, err = strconv.Atoi(strings.TrimPrefix(line, "<<< HTTP "))
			require.NoError(t, err)
			cur.answer = strings.Join(body, "\n")
			out = append(out, *cur)
			cur = nil
		default:
			body = append(body, line)
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// TestServer_RecordedShapes replays the eKuiper exchanges that need no
// engine, in order, against one server over the in-memory services and
// requires identical status codes and bodies.
func TestServer_RecordedShapes(t *testing.T) {
	exchanges := readExchanges(t, "testdata/rest-shapes.txt")
	require.Len(t, exchanges, 26)
	streams := servertest.NewStreams()
	f := &fixture{streams: streams, rules: servertest.NewRules(streams)}
	f.srv = server.New(server.Options{Streams: f.streams, Rules: f.rules})
	for i, ex := range exchanges {
		rec := f.do(ex.method, ex.path, ex.body)
		require.Equal(t, ex.status, rec.Code, "exchange %d: %s %s: %s", i, ex.method, ex.path, rec.Body.String())
		require.Equal(t, ex.answer, rec.Body.String(), "exchange %d: %s %s", i, ex.method, ex.path)
	}
}

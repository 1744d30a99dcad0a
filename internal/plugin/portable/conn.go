package portable

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/kuiperio/kuiper/sdk/portable"
)

// ErrNotRunning is returned by calls to a plugin whose process is not
// running (starting, restarting after a crash, stopped).
var ErrNotRunning = errors.New("plugin process is not running")

// dataPrefix starts the data frames the SDKs write.
var dataPrefix = []byte(`{"type":"data"`)

// dataFrame is a data frame whose message is kept as raw JSON.
type dataFrame struct {
	Type     string          `json:"type"`
	Instance uint64          `json:"instance"`
	Data     json.RawMessage `json:"data"`
	Meta     map[string]any  `json:"meta"`
}

// conn is the host end of one running plugin process: it writes frames to
// the process's stdin and dispatches the frames read from its stdout.
type conn struct {
	wmu sync.Mutex
	w   *bufio.Writer
	buf []byte

	pmu     sync.Mutex
	pending map[uint64]chan *portable.Message
	closed  bool

	ids     *atomic.Uint64
	onData  func(d dataFrame)
	onLog   func(m *portable.Message)
	onNoise func(line []byte, err error)

	done chan struct{} // closed when the read loop ends
	err  error         // why it ended; read after done
}

func newConn(w io.Writer, ids *atomic.Uint64) *conn {
	return &conn{w: bufio.NewWriterSize(w, 64<<10), pending: map[uint64]chan *portable.Message{}, ids: ids, done: make(chan struct{})}
}

// send writes one frame.
func (c *conn) send(m *portable.Message) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	var err error
	if c.buf, err = portable.Encode(c.buf[:0], m); err != nil {
		return err
	}
	if _, err = c.w.Write(c.buf); err == nil {
		err = c.w.Flush()
	}
	if err != nil {
		return fmt.Errorf("%w: write: %v", ErrNotRunning, err)
	}
	return nil
}

// request sends m with a fresh ID (unless it has one) and waits for the
// answer with the same ID.
func (c *conn) request(ctx context.Context, m *portable.Message) (*portable.Message, error) {
	if m.ID == 0 {
		m.ID = c.ids.Add(1)
	}
	ch := make(chan *portable.Message, 1)
	c.pmu.Lock()
	if c.closed {
		c.pmu.Unlock()
		return nil, c.exitError()
	}
	c.pending[m.ID] = ch
	c.pmu.Unlock()
	defer func() {
		c.pmu.Lock()
		delete(c.pending, m.ID)
		c.pmu.Unlock()
	}()
	if err := c.send(m); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		if r == nil {
			return nil, c.exitError()
		}
		return r, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s request: %w", m.Type, ctx.Err())
	}
}

func (c *conn) exitError() error {
	select {
	case <-c.done:
		if c.err != nil {
			return fmt.Errorf("%w: %v", ErrNotRunning, c.err)
		}
	default:
	}
	return ErrNotRunning
}

// readLoop dispatches frames until r ends, then fails every pending
// request.
func (c *conn) readLoop(r *bufio.Reader) {
	var err error
	for {
		var line []byte
		line, err = readLine(r)
		if err != nil {
			break
		}
		// Source data is most of the traffic: keep its payload as raw
		// JSON for the stream's decoder instead of building maps.
		if bytes.HasPrefix(line, dataPrefix) {
			var d dataFrame
			if json.Unmarshal(line, &d) == nil && d.Type == portable.TypeData {
				if c.onData != nil {
					c.onData(d)
				}
				continue
			}
		}
		m, derr := portable.Decode(line)
		if derr != nil {
			// Not a frame: most likely a print to standard output in
			// plugin code. Log it and go on.
			if c.onNoise != nil {
				c.onNoise(line, derr)
			}
			continue
		}
		switch m.Type {
		case portable.TypeData:
			// A data frame written with its fields in another order.
			if c.onData != nil {
				raw, err := json.Marshal(m.Data)
				if err == nil {
					c.onData(dataFrame{Type: m.Type, Instance: m.Instance, Data: raw, Meta: m.Meta})
				}
			}
		case portable.TypeLog:
			if c.onLog != nil {
				c.onLog(m)
			}
		default:
			c.pmu.Lock()
			ch := c.pending[m.ID]
			c.pmu.Unlock()
			if ch != nil {
				ch <- m
			}
		}
	}
	if errors.Is(err, io.EOF) {
		err = errors.New("the plugin closed its output")
	}
	c.err = err
	close(c.done)
	c.pmu.Lock()
	c.closed = true
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
	c.pmu.Unlock()
}

func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > portable.MaxLineBytes {
			return nil, fmt.Errorf("frame longer than %d bytes", portable.MaxLineBytes)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return line, err
	}
}

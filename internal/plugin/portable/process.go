package portable

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kuiperio/kuiper/sdk/portable"
)

// Process states shown by GET /plugins/portables/{name}/status.
const (
	StatusStarting = "starting"
	StatusRunning  = "running"
	StatusStopped  = "stopped"
	// StatusFailed is a plugin that could not start; it is retried with
	// back-off.
	StatusFailed = "failed"
)

// Status answers GET /plugins/portables/{name}/status.
type Status struct {
	RefCount int    `json:"refCount"`
	Status   string `json:"status"`
	ErrMsg   string `json:"errMsg"`
	Pid      int    `json:"pid"`
	// Restarts counts the restarts after a crash or a failed health
	// check.
	Restarts int `json:"restarts"`
}

// instance is a source or sink instance the host opened; it is opened
// again in a restarted process.
type instance struct {
	id   uint64
	open portable.Message
	data chan dataFrame // sources
}

// Plugin is one supervised plugin process.
type Plugin struct {
	m      *Manager
	man    Manifest
	dir    string
	logger *slog.Logger

	mu        sync.Mutex
	conn      *conn
	cmd       *exec.Cmd
	status    string
	errMsg    string
	restarts  int
	attempts  int // start attempts, successful or not
	functions []portable.FunctionInfo
	instances map[uint64]*instance
	started   chan struct{} // closed after the first start attempt

	restart chan struct{} // Update: stop the process and start it again at once
	stop    chan struct{}
	stopped chan struct{}
}

func newPlugin(m *Manager, man *Manifest, dir string) *Plugin {
	return &Plugin{
		m: m, man: *man, dir: dir,
		logger:    m.logger.With("plugin", man.Name),
		status:    StatusStarting,
		instances: map[uint64]*instance{},
		started:   make(chan struct{}),
		restart:   make(chan struct{}, 1),
		stop:      make(chan struct{}),
		stopped:   make(chan struct{}),
	}
}

// Status returns the plugin's status.
func (p *Plugin) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Status{RefCount: len(p.instances), Status: p.status, ErrMsg: p.errMsg, Restarts: p.restarts}
	if p.cmd != nil && p.cmd.Process != nil && p.status == StatusRunning {
		s.Pid = p.cmd.Process.Pid
	}
	return s
}

// supervise starts the process and restarts it with back-off whenever it
// ends, until Stop.
func (p *Plugin) supervise() {
	defer close(p.stopped)
	backoff := p.m.o.RestartBackoff
	first := true
	for {
		c, cmd, err := p.start()
		crashed := err == nil
		if err == nil {
			began := time.Now()
			p.mu.Lock()
			p.conn, p.cmd, p.status, p.errMsg = c, cmd, StatusRunning, ""
			p.attempts++
			p.mu.Unlock()
			if first {
				close(p.started)
				first = false
			}
			p.logger.Info("portable plugin started", "pid", cmd.Process.Pid)
			p.reopen(c)
			health := time.NewTicker(p.m.o.HealthInterval)
			exited := false
			for !exited {
				select {
				case <-c.done:
					exited = true
				case <-health.C:
					if err := p.ping(c); err != nil {
						p.logger.Warn("portable plugin failed its health check; killing it", "error", err)
						_ = cmd.Process.Kill()
					}
				case <-p.stop:
					health.Stop()
					p.shutdown(c, cmd)
					p.mu.Lock()
					p.conn, p.status = nil, StatusStopped
					p.mu.Unlock()
					return
				case <-p.restart:
					p.mu.Lock()
					p.conn, p.status = nil, StatusStarting
					p.mu.Unlock()
					p.shutdown(c, cmd)
					exited = true
				}
			}
			health.Stop()
			if cmd.ProcessState != nil { // stopped by Update: start again at once
				backoff = p.m.o.RestartBackoff
				continue
			}
			// The output ended or broke: make sure the process is gone.
			_ = cmd.Process.Kill()
			werr := cmd.Wait()
			err = fmt.Errorf("process exited: %v (%v)", werr, c.err)
			p.logger.Error("portable plugin crashed", "error", err, "restart_in", backoff)
			if time.Since(began) > 10*p.m.o.RestartBackoff {
				backoff = p.m.o.RestartBackoff
			}
		} else {
			p.logger.Error("start portable plugin", "error", err, "retry_in", backoff)
		}
		p.mu.Lock()
		p.conn, p.cmd, p.status, p.errMsg = nil, nil, StatusFailed, err.Error()
		if !crashed {
			p.attempts++
		}
		p.mu.Unlock()
		if first {
			close(p.started)
			first = false
		}
		select {
		case <-time.After(backoff):
		case <-p.restart:
		case <-p.stop:
			p.mu.Lock()
			p.status = StatusStopped
			p.mu.Unlock()
			return
		}
		p.mu.Lock()
		p.restarts++
		p.mu.Unlock()
		backoff = min(backoff*2, p.m.o.MaxBackoff)
	}
}

// start runs the executable and performs the handshake.
func (p *Plugin) start() (*conn, *exec.Cmd, error) {
	p.mu.Lock()
	man := p.man
	p.mu.Unlock()
	exe := filepath.Join(p.dir, filepath.FromSlash(man.Executable))
	var cmd *exec.Cmd
	if man.isPython() {
		cmd = exec.Command(p.m.o.PythonBin, exe)
	} else {
		cmd = exec.Command(exe)
	}
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), portable.EnvProtocol+"=1", portable.EnvName+"="+man.Name)
	cmd.SysProcAttr = sysProcAttr()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start %s: %w", exe, err)
	}
	go p.relogStderr(bufio.NewScanner(stderr))
	c := newConn(stdin, &p.m.ids)
	c.onData = p.onData
	c.onLog = p.onLog
	c.onNoise = func(line []byte, err error) {
		p.logger.Warn("plugin wrote a line that is not a protocol frame to standard output (write logs to standard error)",
			"line", strings.TrimSpace(string(line)), "error", err)
	}
	r := bufio.NewReaderSize(stdout, 64<<10)

	// Handshake: our hello, then the plugin's.
	type helloResult struct {
		m   *portable.Message
		err error
	}
	hc := make(chan helloResult, 1)
	go func() {
		for {
			line, err := readLine(r)
			if err != nil {
				hc <- helloResult{err: fmt.Errorf("read hello: %w", err)}
				return
			}
			m, err := portable.Decode(line)
			if err != nil {
				c.onNoise(line, err)
				continue
			}
			hc <- helloResult{m: m}
			return
		}
	}()
	fail := func(err error) (*conn, *exec.Cmd, error) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, nil, err
	}
	if err := c.send(&portable.Message{Type: portable.TypeHello, Versions: []int{portable.ProtocolVersion}, Name: man.Name}); err != nil {
		return fail(err)
	}
	var h helloResult
	select {
	case h = <-hc:
	case <-time.After(p.m.o.InitTimeout):
		return fail(fmt.Errorf("no hello within %s (portable.initTimeout)", p.m.o.InitTimeout))
	}
	if h.err != nil {
		return fail(h.err)
	}
	if err := checkHello(&man, h.m); err != nil {
		return fail(err)
	}
	p.mu.Lock()
	p.functions = h.m.Functions
	p.mu.Unlock()
	go c.readLoop(r)
	return c, cmd, nil
}

func checkHello(man *Manifest, h *portable.Message) error {
	if h.Type != portable.TypeHello {
		return fmt.Errorf("expected a hello frame, got %q", h.Type)
	}
	if h.Error != "" {
		return fmt.Errorf("handshake refused: %s", h.Error)
	}
	if h.Version != portable.ProtocolVersion {
		return fmt.Errorf("the plugin chose protocol %d, the host speaks %d", h.Version, portable.ProtocolVersion)
	}
	var missing []string
	has := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	for _, s := range man.Sources {
		if !has(h.Sources, s) {
			missing = append(missing, "source "+s)
		}
	}
	for _, s := range man.Sinks {
		if !has(h.Sinks, s) {
			missing = append(missing, "sink "+s)
		}
	}
	for _, f := range man.Functions {
		found := false
		for _, x := range h.Functions {
			found = found || x.Name == f
		}
		if !found {
			missing = append(missing, "function "+f)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the manifest lists %s, which the plugin does not provide", strings.Join(missing, ", "))
	}
	return nil
}

func (p *Plugin) relogStderr(sc *bufio.Scanner) {
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		level := slog.LevelInfo
		switch {
		case strings.Contains(line, "ERROR"):
			level = slog.LevelError
		case strings.Contains(line, "WARN"):
			level = slog.LevelWarn
		case strings.Contains(line, "level=DEBUG"):
			level = slog.LevelDebug
		}
		p.logger.Log(context.Background(), level, line)
	}
}

func (p *Plugin) onLog(m *portable.Message) {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(m.Level))
	if m.Instance != 0 {
		p.logger.Log(context.Background(), level, m.Msg, "instance", m.Instance)
		return
	}
	p.logger.Log(context.Background(), level, m.Msg)
}

// onData hands a source message to its instance; a full buffer blocks the
// read loop, which stops reading the plugin's output (backpressure).
func (p *Plugin) onData(d dataFrame) {
	p.mu.Lock()
	in := p.instances[d.Instance]
	p.mu.Unlock()
	if in == nil || in.data == nil {
		return
	}
	select {
	case in.data <- d:
	case <-p.stop:
	}
}

// reopen opens the live instances in a (re)started process.
func (p *Plugin) reopen(c *conn) {
	p.mu.Lock()
	list := make([]*instance, 0, len(p.instances))
	for _, in := range p.instances {
		list = append(list, in)
	}
	p.mu.Unlock()
	for _, in := range list {
		open := in.open
		if err := p.ack(c, &open); err != nil {
			p.logger.Error("reopen instance", "kind", open.Kind, "symbol", open.Symbol, "rule", open.Rule, "error", err)
		}
	}
}

func (p *Plugin) ping(c *conn) error {
	ctx, cancel := context.WithTimeout(context.Background(), p.m.o.CallTimeout)
	defer cancel()
	_, err := c.request(ctx, &portable.Message{Type: portable.TypePing})
	return err
}

// ack sends a request answered by an ack and returns its error.
func (p *Plugin) ack(c *conn, m *portable.Message) error {
	ctx, cancel := context.WithTimeout(context.Background(), p.m.o.CallTimeout)
	defer cancel()
	r, err := c.request(ctx, m)
	if err != nil {
		return err
	}
	if r.Error != "" {
		return errors.New(r.Error)
	}
	return nil
}

// current returns the running connection, or an error saying why there is
// none.
func (p *Plugin) current() (*conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn == nil {
		if p.errMsg != "" {
			return nil, fmt.Errorf("portable plugin %s: %w (%s)", p.man.Name, ErrNotRunning, p.errMsg)
		}
		return nil, fmt.Errorf("portable plugin %s: %w", p.man.Name, ErrNotRunning)
	}
	return p.conn, nil
}

// shutdown asks the process to exit, then kills it after a grace period.
func (p *Plugin) shutdown(c *conn, cmd *exec.Cmd) {
	_ = c.send(&portable.Message{Type: portable.TypeShutdown})
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(time.Second):
			_ = cmd.Process.Kill()
		}
	}
	_ = cmd.Wait()
	p.logger.Info("portable plugin stopped")
}

// Stop ends the process and the supervision.
func (p *Plugin) Stop() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.stopped
}

// Call runs function symbol once per entry of args in one round trip and
// returns one result and one error message ("" for none) per entry.
func (p *Plugin) Call(ctx context.Context, symbol, rule string, args [][]any) ([]any, []string, error) {
	c, err := p.current()
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.m.o.CallTimeout)
	defer cancel()
	r, err := c.request(ctx, &portable.Message{Type: portable.TypeCall, Symbol: symbol, Rule: rule, Args: args})
	if err != nil {
		return nil, nil, fmt.Errorf("portable plugin %s: %w", p.man.Name, err)
	}
	if r.Error != "" {
		return nil, nil, fmt.Errorf("portable plugin %s: %s", p.man.Name, r.Error)
	}
	if len(r.Results) != len(args) {
		return nil, nil, fmt.Errorf("portable plugin %s: %d results for %d calls", p.man.Name, len(r.Results), len(args))
	}
	return r.Results, r.Errors, nil
}

// restartAndWait stops the running process (or cuts short the wait before
// a restart), starts it again and waits until it runs or fails to start.
func (p *Plugin) restartAndWait() error {
	p.mu.Lock()
	gen := p.attempts
	p.mu.Unlock()
	select {
	case p.restart <- struct{}{}:
	default:
	}
	limit := p.m.o.InitTimeout + 5*time.Second
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		st, msg, n := p.status, p.errMsg, p.attempts
		p.mu.Unlock()
		if n > gen {
			if st == StatusRunning {
				return nil
			}
			return errors.New(msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("no answer within %s", limit)
}

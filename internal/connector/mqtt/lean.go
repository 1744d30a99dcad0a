package mqtt

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mochi-mqtt/server/v2/packets"
)

// leanClient implements client for MQTT 3.1 and 3.1.1 on mochi-mqtt's
// packet codec, with as few goroutine hand-offs and system calls per
// message as the protocol allows:
//
//   - one reader goroutine per connection reads through a bufio.Reader and
//     calls the message callback itself; the acknowledgements it owes are
//     written in one go when its read buffer runs dry;
//   - outgoing packets are encoded into a shared buffer. A publish that
//     finds the connection idle, burstGap or more after the previous one,
//     is written at once by its caller; closer publishes and other packets
//     are left to a writer goroutine, which writes everything queued with
//     one system call;
//   - one goroutine per client connects, reconnects with back-off, sends
//     PINGREQ and runs the connected callback.
//
// Sessions are clean: subscriptions are made again in the connected
// callback, and publishes awaiting an acknowledgement when a connection
// drops are sent again (DUP) on the next one.
type leanClient struct {
	cf connConf
	ev events

	cur atomic.Pointer[link] // the live connection; nil while down

	mu      sync.Mutex
	flights map[uint16]*flight // outgoing packets awaiting an acknowledgement
	lastID  uint16

	stop     chan struct{}
	stopOnce sync.Once
	ctx      context.Context // cancelled by Disconnect, for dialling
	cancel   context.CancelFunc
	done     chan struct{} // closed when run returns
	started  atomic.Bool
}

// flight is a PUBLISH (qos > 0) or SUBSCRIBE awaiting its acknowledgement.
type flight struct {
	sub      bool // a SUBSCRIBE
	topic    string
	payload  []byte
	qos      byte
	retained bool
	released bool       // qos 2: PUBREC received and PUBREL sent
	done     chan error // receives the outcome; buffered
}

// errClosed is returned by calls that Disconnect interrupted.
var errClosed = errors.New("client closed")

const (
	// maxQueued is how many bytes of outgoing packets may wait for the
	// writer before Publish blocks.
	maxQueued = 1 << 20
	// burstGap: a publish within this time of the previous one is left to
	// the writer goroutine, so that bursts share system calls; a lone
	// publish is written at once by its caller.
	burstGap = 50 * time.Microsecond
)

func newLeanClient(cf connConf, ev events) *leanClient {
	ctx, cancel := context.WithCancel(context.Background())
	return &leanClient{
		cf:      cf,
		ev:      ev,
		flights: make(map[uint16]*flight),
		stop:    make(chan struct{}),
		ctx:     ctx,
		cancel:  cancel,
		done:    make(chan struct{}),
	}
}

// Connect implements client. It does nothing after Disconnect.
func (c *leanClient) Connect() {
	if c.ctx.Err() == nil && c.started.CompareAndSwap(false, true) {
		go c.run()
	}
}

// Connected implements client.
func (c *leanClient) Connected() bool {
	l := c.cur.Load()
	return l != nil && !l.isDead()
}

// Disconnect implements client.
func (c *leanClient) Disconnect() {
	c.stopOnce.Do(func() {
		close(c.stop)
		c.cancel()
	})
	if c.started.Load() {
		<-c.done
	}
}

// Subscribe implements client.
func (c *leanClient) Subscribe(filters []string, qos byte, timeout time.Duration) error {
	f := &flight{sub: true, done: make(chan error, 1)}
	c.mu.Lock()
	l := c.cur.Load()
	if l == nil {
		c.mu.Unlock()
		return fmt.Errorf("subscribe %v: %w", filters, ErrNotConnected)
	}
	id, err := c.register(f)
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("subscribe %v: %w", filters, err)
	}
	defer c.forget(id, f)
	pk := packets.Packet{
		FixedHeader:     packets.FixedHeader{Type: packets.Subscribe, Qos: 1},
		PacketID:        id,
		ProtocolVersion: byte(c.cf.protocolVersion),
		Filters:         make(packets.Subscriptions, len(filters)),
	}
	for i, fl := range filters {
		pk.Filters[i] = packets.Subscription{Filter: fl, Qos: qos}
	}
	if err := l.send(&pk, false); err != nil {
		return fmt.Errorf("subscribe %v: %w", filters, err)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-f.done:
		if err != nil {
			return fmt.Errorf("subscribe %v: %w", filters, err)
		}
		return nil
	case <-l.dead:
		return fmt.Errorf("subscribe %v: %w", filters, l.failure())
	case <-t.C:
		return fmt.Errorf("subscribe %v: no SUBACK within %v", filters, timeout)
	case <-c.stop:
		return fmt.Errorf("subscribe %v: %w", filters, errClosed)
	}
}

// Publish implements client. A qos 1 or 2 publish that is not
// acknowledged when its connection drops is sent again on the next
// connection, until timeout.
func (c *leanClient) Publish(topic string, qos byte, retained bool, payload []byte, timeout time.Duration) error {
	if qos == 0 {
		l := c.cur.Load()
		if l == nil {
			return fmt.Errorf("publish to %q: %w", topic, ErrNotConnected)
		}
		pk := packets.Packet{
			FixedHeader:     packets.FixedHeader{Type: packets.Publish, Retain: retained},
			TopicName:       topic,
			Payload:         payload,
			ProtocolVersion: byte(c.cf.protocolVersion),
		}
		if err := l.send(&pk, true); err != nil {
			return fmt.Errorf("publish to %q: %w", topic, err)
		}
		return nil
	}
	f := &flight{topic: topic, payload: payload, qos: qos, retained: retained, done: make(chan error, 1)}
	c.mu.Lock()
	id, err := c.register(f)
	l := c.cur.Load()
	pk := c.publishPacket(id, f, false)
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("publish to %q: %w", topic, err)
	}
	defer c.forget(id, f)
	if l != nil {
		// When l has died meanwhile, the next connection sends f again.
		_ = l.send(pk, true)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-f.done:
		return err
	case <-t.C:
		return fmt.Errorf("publish to %q: no acknowledgement within %v", topic, timeout)
	case <-c.stop:
		return fmt.Errorf("publish to %q: %w", topic, errClosed)
	}
}

// register gives f a free packet id; c.mu is held.
func (c *leanClient) register(f *flight) (uint16, error) {
	for range 1 << 16 {
		c.lastID++
		if c.lastID == 0 {
			c.lastID = 1
		}
		if _, used := c.flights[c.lastID]; !used {
			c.flights[c.lastID] = f
			return c.lastID, nil
		}
	}
	return 0, errors.New("65535 packets already await an acknowledgement")
}

// forget drops f if it still holds id.
func (c *leanClient) forget(id uint16, f *flight) {
	c.mu.Lock()
	if c.flights[id] == f {
		delete(c.flights, id)
	}
	c.mu.Unlock()
}

// publishPacket returns the PUBLISH (or, once released, the PUBREL) of f.
func (c *leanClient) publishPacket(id uint16, f *flight, dup bool) *packets.Packet {
	if f.released {
		return &packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Pubrel, Qos: 1}, PacketID: id, ProtocolVersion: byte(c.cf.protocolVersion)}
	}
	return &packets.Packet{
		FixedHeader:     packets.FixedHeader{Type: packets.Publish, Qos: f.qos, Retain: f.retained, Dup: dup},
		TopicName:       f.topic,
		Payload:         f.payload,
		PacketID:        id,
		ProtocolVersion: byte(c.cf.protocolVersion),
	}
}

// run connects and reconnects until Disconnect.
func (c *leanClient) run() {
	defer close(c.done)
	retry := connectRetryInterval
	for {
		if c.ev.trying != nil {
			c.ev.trying()
		}
		l, err := c.dial()
		if c.ctx.Err() != nil {
			return // Disconnect interrupted dial
		}
		if err == nil {
			up := time.Now()
			stopped := c.serve(l)
			if stopped {
				return
			}
			if c.ev.lost != nil {
				c.ev.lost(l.failure())
			}
			if time.Since(up) > c.cf.maxReconnectInterval {
				// A connection that lasted is retried at once; one that
				// drops right after connecting is retried with back-off.
				retry = connectRetryInterval
				continue
			}
		} else if c.ev.failed != nil {
			c.ev.failed(err)
		}
		t := time.NewTimer(retry)
		select {
		case <-c.stop:
			t.Stop()
			return
		case <-t.C:
		}
		retry = min(2*retry, max(c.cf.maxReconnectInterval, connectRetryInterval))
	}
}

// dial connects and completes the MQTT handshake.
func (c *leanClient) dial() (*link, error) {
	conn, err := dialConn(c.ctx, c.cf)
	if err != nil {
		return nil, err
	}
	// Disconnect interrupts the handshake too.
	stop := context.AfterFunc(c.ctx, func() { _ = conn.Close() })
	l := newLink(conn, c.cf.readBufferSize)
	err = c.handshake(l)
	if !stop() {
		_ = conn.Close()
		return nil, errClosed
	}
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return l, nil
}

func (c *leanClient) handshake(l *link) error {
	if err := l.conn.SetDeadline(deadline(c.cf.connectTimeout)); err != nil {
		return err
	}
	name := "MQTT"
	if c.cf.protocolVersion == 3 {
		name = "MQIsdp"
	}
	pk := packets.Packet{
		FixedHeader:     packets.FixedHeader{Type: packets.Connect},
		ProtocolVersion: byte(c.cf.protocolVersion),
		Connect: packets.ConnectParams{
			ProtocolName:     []byte(name),
			Clean:            true,
			Keepalive:        uint16(min(c.cf.keepAlive/time.Second, 65535)),
			ClientIdentifier: c.cf.clientID,
			UsernameFlag:     c.cf.username != "",
			Username:         []byte(c.cf.username),
			PasswordFlag:     c.cf.password != "",
			Password:         []byte(c.cf.password),
		},
	}
	var b bytes.Buffer
	if err := pk.ConnectEncode(&b); err != nil {
		return fmt.Errorf("encode CONNECT: %w", err)
	}
	if _, err := l.conn.Write(b.Bytes()); err != nil {
		return err
	}
	fh, body, err := l.readPacket()
	if err != nil {
		return fmt.Errorf("read CONNACK: %w", err)
	}
	if fh.Type != packets.Connack {
		return fmt.Errorf("broker sent %s before CONNACK", packets.PacketNames[fh.Type])
	}
	ack := packets.Packet{FixedHeader: fh, ProtocolVersion: byte(c.cf.protocolVersion)}
	if err := ack.ConnackDecode(body); err != nil {
		return fmt.Errorf("decode CONNACK: %w", err)
	}
	if ack.ReasonCode != 0 {
		return refusedError{code: ack.ReasonCode}
	}
	return l.conn.SetDeadline(time.Time{})
}

// serve runs an established connection until it drops (false) or
// Disconnect is called (true).
func (c *leanClient) serve(l *link) bool {
	c.mu.Lock()
	for id, f := range c.flights {
		if !f.sub {
			_ = l.send(c.publishPacket(id, f, true), false)
		}
	}
	c.cur.Store(l)
	c.mu.Unlock()

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.readLoop(l) }()
	go func() { defer wg.Done(); l.writeLoop() }()
	defer func() {
		c.cur.CompareAndSwap(l, nil)
		wg.Wait()
	}()
	if c.ev.connected != nil {
		c.ev.connected()
	}

	var tick <-chan time.Time
	if c.cf.keepAlive > 0 {
		t := time.NewTicker(c.cf.keepAlive * 3 / 4)
		defer t.Stop()
		tick = t.C
	}
	ping := packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Pingreq}}
	pinged, seen := false, uint64(0)
	for {
		select {
		case <-l.dead:
			return false
		case <-c.stop:
			l.shutdown(byte(c.cf.protocolVersion))
			return true
		case <-tick:
			// A PINGREQ goes out every tick. The broker must have answered
			// the previous one, or sent anything at all, since.
			if pinged && !l.pong.Load() && l.received.Load() == seen {
				l.fail(fmt.Errorf("no answer from the broker within %v", c.cf.keepAlive*3/4))
				continue
			}
			pinged, seen = true, l.received.Load()
			l.pong.Store(false)
			_ = l.send(&ping, false)
		}
	}
}

// readLoop reads packets until the connection fails.
// coalesceReads is how long the reader waits before reading again while
// messages stream in.
const coalesceReads = 200 * time.Microsecond

func (c *leanClient) readLoop(l *link) {
	var lastFill time.Time
	for {
		if l.r.Buffered() == 0 {
			// About to read the socket. When messages are streaming in
			// (the last read was under a millisecond ago), give the
			// kernel a moment to collect more, so one read and one
			// wake-up serve several messages.
			now := time.Now()
			if now.Sub(lastFill) < time.Millisecond {
				time.Sleep(coalesceReads)
				now = time.Now()
			}
			lastFill = now
		}
		if l.acks && l.r.Buffered() == 0 {
			// About to block on the socket: send the acknowledgements
			// of everything read so far first.
			l.acks = false
			if err := l.flush(); err != nil {
				l.fail(err)
				return
			}
		}
		fh, body, err := l.readPacket()
		if err == nil {
			l.received.Add(1)
			err = c.handle(l, fh, body)
		}
		if err != nil {
			l.fail(err)
			return
		}
	}
}

// handle acts on one incoming packet; body is the reader's to reuse
// unless fh is a PUBLISH.
func (c *leanClient) handle(l *link, fh packets.FixedHeader, body []byte) error {
	pk := packets.Packet{FixedHeader: fh, ProtocolVersion: byte(c.cf.protocolVersion)}
	switch fh.Type {
	case packets.Publish:
		if err := pk.PublishDecode(body); err != nil {
			return fmt.Errorf("decode PUBLISH: %w", err)
		}
		switch fh.Qos {
		case 0:
			c.deliver(&pk)
		case 1:
			c.deliver(&pk)
			return l.ack(packets.Puback, pk.PacketID)
		case 2:
			if _, dup := l.qos2[pk.PacketID]; !dup {
				l.qos2[pk.PacketID] = struct{}{}
				c.deliver(&pk)
			}
			return l.ack(packets.Pubrec, pk.PacketID)
		}
		return nil
	case packets.Pubrel:
		if err := pk.PubrelDecode(body); err != nil {
			return fmt.Errorf("decode PUBREL: %w", err)
		}
		delete(l.qos2, pk.PacketID)
		return l.ack(packets.Pubcomp, pk.PacketID)
	case packets.Puback, packets.Pubcomp:
		if err := pk.PubackDecode(body); err != nil {
			return fmt.Errorf("decode %s: %w", packets.PacketNames[fh.Type], err)
		}
		c.mu.Lock()
		f := c.flights[pk.PacketID]
		if f != nil && !f.sub && (f.qos == 1) == (fh.Type == packets.Puback) {
			delete(c.flights, pk.PacketID)
			f.done <- nil
		}
		c.mu.Unlock()
		return nil
	case packets.Pubrec:
		if err := pk.PubrecDecode(body); err != nil {
			return fmt.Errorf("decode PUBREC: %w", err)
		}
		c.mu.Lock()
		if f := c.flights[pk.PacketID]; f != nil && !f.sub && f.qos == 2 {
			f.released = true
		}
		c.mu.Unlock()
		return l.ack(packets.Pubrel, pk.PacketID)
	case packets.Suback:
		if err := pk.SubackDecode(body); err != nil {
			return fmt.Errorf("decode SUBACK: %w", err)
		}
		var res error
		for _, code := range pk.ReasonCodes {
			if code >= 0x80 {
				res = errors.New("refused by the broker")
			}
		}
		c.mu.Lock()
		if f := c.flights[pk.PacketID]; f != nil && f.sub {
			delete(c.flights, pk.PacketID)
			f.done <- res
		}
		c.mu.Unlock()
		return nil
	case packets.Pingresp:
		l.pong.Store(true)
		return nil
	case packets.Unsuback:
		return nil
	}
	return fmt.Errorf("unexpected %s packet from the broker", packets.PacketNames[fh.Type])
}

func (c *leanClient) deliver(pk *packets.Packet) {
	if c.ev.message != nil {
		c.ev.message(pk.TopicName, pk.FixedHeader.Qos, pk.PacketID, pk.Payload)
	}
}

// link is one network connection.
type link struct {
	conn net.Conn
	r    *bufio.Reader

	// reader goroutine only
	scratch []byte              // body of packets other than PUBLISH
	qos2    map[uint16]struct{} // incoming qos 2 ids released to the callback, awaiting PUBREL
	acks    bool                // acknowledgements queued since the last flush

	received atomic.Uint64 // packets read
	pong     atomic.Bool   // PINGRESP since the last PINGREQ

	wmu     sync.Mutex
	room    sync.Cond     // signalled when the queue shrinks or writing ends
	queue   *bytes.Buffer // encoded packets waiting for the writer
	spare   *bytes.Buffer // the writer's buffer
	writing bool          // a goroutine is writing; it writes everything queued
	closed  bool          // fail was called
	last    time.Time     // when the previous publish was queued
	kick    chan struct{} // wakes the writer goroutine

	dead     chan struct{} // closed by fail
	failOnce sync.Once
	err      error // why the link failed; set before dead is closed
}

func newLink(conn net.Conn, readBuf int) *link {
	l := &link{
		conn:  conn,
		r:     bufio.NewReaderSize(conn, max(readBuf, 16)),
		qos2:  make(map[uint16]struct{}),
		queue: new(bytes.Buffer),
		spare: new(bytes.Buffer),
		kick:  make(chan struct{}, 1),
		dead:  make(chan struct{}),
	}
	l.room.L = &l.wmu
	return l
}

// readPacket reads one packet. The body of a PUBLISH is newly allocated
// (its topic and payload go to the callback); other bodies reuse scratch.
func (l *link) readPacket() (packets.FixedHeader, []byte, error) {
	var fh packets.FixedHeader
	hb, err := l.r.ReadByte()
	if err != nil {
		return fh, nil, err
	}
	n, _, err := packets.DecodeLength(l.r)
	if err != nil {
		return fh, nil, fmt.Errorf("decode packet length: %w", err)
	}
	if err := fh.Decode(hb); err != nil {
		return fh, nil, fmt.Errorf("decode packet header: %w", err)
	}
	fh.Remaining = n
	var body []byte
	if fh.Type == packets.Publish {
		body = make([]byte, n)
	} else {
		if cap(l.scratch) < n {
			l.scratch = make([]byte, n)
		}
		body = l.scratch[:n]
	}
	if _, err := io.ReadFull(l.r, body); err != nil {
		return fh, nil, err
	}
	return fh, body, nil
}

// ack queues an acknowledgement from the reader; the reader flushes it
// before it next blocks.
func (l *link) ack(typ byte, id uint16) error {
	pk := packets.Packet{FixedHeader: packets.FixedHeader{Type: typ}, PacketID: id}
	if typ == packets.Pubrel {
		pk.FixedHeader.Qos = 1
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.closed {
		return l.err
	}
	l.acks = true
	return encode(&pk, l.queue)
}

// send queues pk. When no one is writing, a lone publish is written by
// the caller at once; a publish close behind the previous one, and any
// other packet, wakes the writer goroutine instead (so that the client's
// own goroutine never blocks on the socket). A publish blocks while more
// than maxQueued bytes wait.
func (l *link) send(pk *packets.Packet, publish bool) error {
	l.wmu.Lock()
	for publish && l.writing && l.queue.Len() >= maxQueued && !l.closed {
		l.room.Wait()
	}
	if l.closed {
		l.wmu.Unlock()
		return l.err
	}
	if err := encode(pk, l.queue); err != nil {
		l.wmu.Unlock()
		return err
	}
	if l.writing {
		l.wmu.Unlock()
		return nil
	}
	l.writing = true
	inline := false
	if publish {
		now := time.Now()
		inline = now.Sub(l.last) > burstGap
		l.last = now
	}
	l.wmu.Unlock()
	if !inline {
		select {
		case l.kick <- struct{}{}:
		default:
		}
		return nil
	}
	if err := l.drain(); err != nil {
		l.fail(err)
		return err
	}
	return nil
}

// flush writes what is queued, unless another goroutine is writing it.
func (l *link) flush() error {
	l.wmu.Lock()
	if l.writing || l.queue.Len() == 0 {
		l.wmu.Unlock()
		return nil
	}
	l.writing = true
	l.wmu.Unlock()
	return l.drain()
}

// drain writes the queue until it is empty; the caller has set writing.
func (l *link) drain() error {
	for {
		l.wmu.Lock()
		if l.queue.Len() == 0 || l.closed {
			l.writing = false
			l.room.Broadcast()
			l.wmu.Unlock()
			return nil
		}
		l.queue, l.spare = l.spare, l.queue
		l.room.Broadcast()
		l.wmu.Unlock()
		_, err := l.conn.Write(l.spare.Bytes())
		if l.spare.Cap() > 4*maxQueued {
			l.spare = new(bytes.Buffer)
		} else {
			l.spare.Reset()
		}
		if err != nil {
			l.wmu.Lock()
			l.writing = false
			l.room.Broadcast()
			l.wmu.Unlock()
			return err
		}
	}
}

// writeLoop writes what send left to it, until the link fails.
func (l *link) writeLoop() {
	for {
		select {
		case <-l.dead:
			return
		case <-l.kick:
			if err := l.drain(); err != nil {
				l.fail(err)
				return
			}
		}
	}
}

// shutdown sends DISCONNECT after everything queued and closes the link.
func (l *link) shutdown(version byte) {
	_ = l.conn.SetWriteDeadline(time.Now().Add(disconnectQuiesce * time.Millisecond))
	l.wmu.Lock()
	for l.writing && !l.closed {
		l.room.Wait()
	}
	if l.closed {
		l.wmu.Unlock()
		return
	}
	pk := packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Disconnect}, ProtocolVersion: version}
	_ = encode(&pk, l.queue)
	l.writing = true
	l.wmu.Unlock()
	_ = l.drain()
	l.fail(errClosed)
}

// fail closes the link for err; only the first call counts.
func (l *link) fail(err error) {
	l.failOnce.Do(func() {
		l.wmu.Lock()
		l.err = err
		l.closed = true
		l.room.Broadcast()
		l.wmu.Unlock()
		_ = l.conn.Close()
		close(l.dead)
	})
}

func (l *link) isDead() bool {
	select {
	case <-l.dead:
		return true
	default:
		return false
	}
}

// failure returns why the link failed.
func (l *link) failure() error {
	<-l.dead
	return l.err
}

// encode appends pk to b with the codec.
func encode(pk *packets.Packet, b *bytes.Buffer) error {
	switch pk.FixedHeader.Type {
	case packets.Publish:
		return pk.PublishEncode(b)
	case packets.Puback:
		return pk.PubackEncode(b)
	case packets.Pubrec:
		return pk.PubrecEncode(b)
	case packets.Pubrel:
		return pk.PubrelEncode(b)
	case packets.Pubcomp:
		return pk.PubcompEncode(b)
	case packets.Subscribe:
		return pk.SubscribeEncode(b)
	case packets.Pingreq:
		return pk.PingreqEncode(b)
	case packets.Disconnect:
		return pk.DisconnectEncode(b)
	}
	return fmt.Errorf("cannot encode %s", packets.PacketNames[pk.FixedHeader.Type])
}

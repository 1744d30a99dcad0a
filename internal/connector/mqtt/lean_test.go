package mqtt

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/broker"
	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/sdk/api"
)

// fakeBroker is a scripted broker: a test accepts each client connection
// and plays the broker's side packet by packet.
type fakeBroker struct {
	l net.Listener
}

func newFakeBroker(t *testing.T) *fakeBroker {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	return &fakeBroker{l: l}
}

func (f *fakeBroker) url() string { return "tcp://" + f.l.Addr().String() }

// fakeConn is the broker's side of one client connection.
type fakeConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

// accept waits for the next client and answers its CONNECT; it returns
// the CONNECT too.
func (f *fakeBroker) accept(t *testing.T) (*fakeConn, packets.Packet) {
	t.Helper()
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := f.l.Accept()
		ch <- res{c, err}
	}()
	var r res
	select {
	case r = <-ch:
	case <-time.After(wait):
		t.Fatal("no client connected")
	}
	require.NoError(t, r.err)
	fc := &fakeConn{t: t, c: r.c, r: bufio.NewReader(r.c)}
	t.Cleanup(func() { _ = r.c.Close() })
	pk := fc.expect(packets.Connect)
	fc.send(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Connack}})
	return fc, pk
}

// read returns the next packet from the client.
func (fc *fakeConn) read() packets.Packet {
	fc.t.Helper()
	require.NoError(fc.t, fc.c.SetReadDeadline(time.Now().Add(wait)))
	hb, err := fc.r.ReadByte()
	require.NoError(fc.t, err)
	n, _, err := packets.DecodeLength(fc.r)
	require.NoError(fc.t, err)
	pk := packets.Packet{ProtocolVersion: 4}
	require.NoError(fc.t, pk.FixedHeader.Decode(hb))
	pk.FixedHeader.Remaining = n
	body := make([]byte, n)
	_, err = io.ReadFull(fc.r, body)
	require.NoError(fc.t, err)
	switch pk.FixedHeader.Type {
	case packets.Connect:
		err = pk.ConnectDecode(body)
	case packets.Publish:
		err = pk.PublishDecode(body)
	case packets.Puback, packets.Pubrec, packets.Pubrel, packets.Pubcomp:
		err = pk.PubackDecode(body)
	case packets.Subscribe:
		err = pk.SubscribeDecode(body)
	}
	require.NoError(fc.t, err)
	return pk
}

// expect reads the next packet and checks its type.
func (fc *fakeConn) expect(typ byte) packets.Packet {
	fc.t.Helper()
	pk := fc.read()
	require.Equal(fc.t, packets.PacketNames[typ], packets.PacketNames[pk.FixedHeader.Type])
	return pk
}

func (fc *fakeConn) send(pk packets.Packet) {
	fc.t.Helper()
	pk.ProtocolVersion = 4
	if pk.FixedHeader.Type == packets.Pubrel {
		pk.FixedHeader.Qos = 1
	}
	var b bytes.Buffer
	require.NoError(fc.t, encodeAny(&pk, &b))
	_, err := fc.c.Write(b.Bytes())
	require.NoError(fc.t, err)
}

func encodeAny(pk *packets.Packet, b *bytes.Buffer) error {
	switch pk.FixedHeader.Type {
	case packets.Connack:
		return pk.ConnackEncode(b)
	case packets.Suback:
		return pk.SubackEncode(b)
	case packets.Pingresp:
		return pk.PingrespEncode(b)
	}
	return encode(pk, b)
}

func ack(typ byte, id uint16) packets.Packet {
	return packets.Packet{FixedHeader: packets.FixedHeader{Type: typ}, PacketID: id}
}

// openFakeSink opens a sink on the fake broker and returns its broker side.
func openFakeSink(t *testing.T, f *fakeBroker, props map[string]any) (*Sink, *connector.Context, *fakeConn) {
	t.Helper()
	k := NewSink()
	require.NoError(t, k.Configure(connector.Merge(map[string]any{"server": f.url(), "topic": "out", "connectionTimeout": "2s"}, props)))
	ctx, _ := newCtx(t)
	opened := make(chan error, 1)
	go func() { opened <- k.Open(ctx) }()
	fc, _ := f.accept(t)
	require.NoError(t, <-opened)
	t.Cleanup(func() { _ = k.Close(ctx) })
	return k, ctx, fc
}

func TestLean_QoS1PublishSurvivesDroppedConnection(t *testing.T) {
	f := newFakeBroker(t)
	k, ctx, fc := openFakeSink(t, f, map[string]any{"qos": 1, "publishTimeout": "10s"})
	res := make(chan error, 1)
	go func() { res <- k.CollectBytes(ctx, []byte("important"), nil) }()

	first := fc.expect(packets.Publish)
	require.Equal(t, byte(1), first.FixedHeader.Qos)
	require.False(t, first.FixedHeader.Dup)
	require.NoError(t, fc.c.Close()) // the broker goes away before it acknowledges
	require.Eventually(t, func() bool { return k.ConnectionStatus().State == connector.StateDisconnected }, wait, 5*time.Millisecond)

	fc2, _ := f.accept(t)
	again := fc2.expect(packets.Publish)
	require.True(t, again.FixedHeader.Dup, "sent again as a duplicate")
	require.Equal(t, first.PacketID, again.PacketID)
	require.Equal(t, "out", again.TopicName)
	require.Equal(t, "important", string(again.Payload))
	select {
	case <-res:
		t.Fatal("publish returned before its acknowledgement")
	default:
	}
	fc2.send(ack(packets.Puback, again.PacketID))
	require.NoError(t, <-res)
	require.Equal(t, connector.StateConnected, k.ConnectionStatus().State)
}

func TestLean_QoS2PublishSurvivesDroppedConnection(t *testing.T) {
	f := newFakeBroker(t)
	k, ctx, fc := openFakeSink(t, f, map[string]any{"qos": 2, "publishTimeout": "10s"})
	res := make(chan error, 1)
	go func() { res <- k.CollectBytes(ctx, []byte("once"), nil) }()

	pub := fc.expect(packets.Publish)
	require.Equal(t, byte(2), pub.FixedHeader.Qos)
	fc.send(ack(packets.Pubrec, pub.PacketID))
	rel := fc.expect(packets.Pubrel)
	require.Equal(t, pub.PacketID, rel.PacketID)
	require.NoError(t, fc.c.Close()) // dropped before PUBCOMP

	fc2, _ := f.accept(t)
	rel = fc2.expect(packets.Pubrel) // released already: only PUBREL again
	require.Equal(t, pub.PacketID, rel.PacketID)
	fc2.send(ack(packets.Pubcomp, pub.PacketID))
	require.NoError(t, <-res)
}

func TestLean_PublishTimeout(t *testing.T) {
	f := newFakeBroker(t)
	k, ctx, fc := openFakeSink(t, f, map[string]any{"qos": 1, "publishTimeout": "100ms"})
	err := k.CollectBytes(ctx, []byte("x"), nil)
	require.ErrorContains(t, err, "no acknowledgement within 100ms")
	pk := fc.expect(packets.Publish)
	fc.send(ack(packets.Puback, pk.PacketID)) // late: ignored

	res := make(chan error, 1)
	go func() { res <- k.CollectBytes(ctx, []byte("y"), nil) }()
	pk2 := fc.expect(packets.Publish)
	require.NotEqual(t, pk.PacketID, pk2.PacketID)
	require.Equal(t, "y", string(pk2.Payload))
	fc.send(ack(packets.Puback, pk2.PacketID))
	require.NoError(t, <-res)
}

func TestLean_IncomingQoS(t *testing.T) {
	f := newFakeBroker(t)
	s := NewSource()
	require.NoError(t, s.Configure("in/#", map[string]any{"server": f.url(), "qos": 2}))
	ctx, cancel := newCtx(t)
	col := &rawCollector{ch: make(chan api.RawMessage, 16)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.OpenBytes(ctx, col.consume) }()
	defer func() { cancel(); wg.Wait() }()

	fc, conn := f.accept(t)
	require.True(t, conn.Connect.Clean)
	require.Equal(t, uint16(30), conn.Connect.Keepalive)
	sub := fc.expect(packets.Subscribe)
	require.Equal(t, "in/#", sub.Filters[0].Filter)
	require.Equal(t, byte(2), sub.Filters[0].Qos)
	fc.send(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Suback}, PacketID: sub.PacketID, ReasonCodes: []byte{2}})
	waitSubscribed(t, s, 1)

	publish := func(qos byte, id uint16, dup bool, payload string) {
		fc.send(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: qos, Dup: dup}, TopicName: "in/a", PacketID: id, Payload: []byte(payload)})
	}
	publish(0, 0, false, "zero")
	require.Equal(t, "zero", string(col.next(t).Payload))

	publish(1, 5, false, "one")
	m := col.next(t)
	require.Equal(t, "one", string(m.Payload))
	id, _ := m.Meta.Get(MetaMessageID)
	require.Equal(t, int64(5), id)
	require.Equal(t, uint16(5), fc.expect(packets.Puback).PacketID)

	publish(2, 7, false, "two")
	m = col.next(t)
	require.Equal(t, "two", string(m.Payload))
	q, _ := m.Meta.Get(MetaQoS)
	require.Equal(t, int64(2), q)
	require.Equal(t, uint16(7), fc.expect(packets.Pubrec).PacketID)
	publish(2, 7, true, "two") // the broker missed our PUBREC
	require.Equal(t, uint16(7), fc.expect(packets.Pubrec).PacketID)
	col.none(t, 50*time.Millisecond) // delivered once
	fc.send(ack(packets.Pubrel, 7))
	require.Equal(t, uint16(7), fc.expect(packets.Pubcomp).PacketID)

	// Several packets in one segment are acknowledged in one write.
	var b bytes.Buffer
	for i := range 3 {
		pk := packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: 1}, TopicName: "in/b", PacketID: uint16(10 + i), Payload: []byte{'0' + byte(i)}, ProtocolVersion: 4}
		require.NoError(t, pk.PublishEncode(&b))
	}
	_, err := fc.c.Write(b.Bytes())
	require.NoError(t, err)
	for i := range 3 {
		require.Equal(t, string(rune('0'+i)), string(col.next(t).Payload))
		require.Equal(t, uint16(10+i), fc.expect(packets.Puback).PacketID)
	}
}

func TestLean_SubscribeRefused(t *testing.T) {
	f := newFakeBroker(t)
	connected := make(chan struct{}, 1)
	cf, err := parseConnConf(connector.Props{"server": f.url()})
	require.NoError(t, err)
	c := newLeanClient(cf, events{connected: func() { connected <- struct{}{} }})
	c.Connect()
	defer c.Disconnect()
	fc, _ := f.accept(t)
	<-connected
	res := make(chan error, 1)
	go func() { res <- c.Subscribe([]string{"a", "b"}, 1, wait) }()
	sub := fc.expect(packets.Subscribe)
	require.Len(t, sub.Filters, 2)
	fc.send(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Suback}, PacketID: sub.PacketID, ReasonCodes: []byte{1, 0x80}})
	require.ErrorContains(t, <-res, "refused by the broker")
}

func TestLean_KeepAlive(t *testing.T) {
	f := newFakeBroker(t)
	s := NewSource()
	require.NoError(t, s.Configure("k", map[string]any{"server": f.url(), "keepAlive": "1s"}))
	ctx, cancel := newCtx(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.OpenBytes(ctx, func(api.RawMessage) {}) }()
	defer func() { cancel(); wg.Wait() }()

	fc, conn := f.accept(t)
	require.Equal(t, uint16(1), conn.Connect.Keepalive)
	sub := fc.expect(packets.Subscribe)
	fc.send(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Suback}, PacketID: sub.PacketID, ReasonCodes: []byte{0}})
	fc.expect(packets.Pingreq)
	fc.send(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Pingresp}})
	fc.expect(packets.Pingreq)
	// No answer this time: the client gives the connection up and
	// connects again.
	fc2, _ := f.accept(t)
	require.Regexp(t, "no answer from the broker", s.ConnectionStatus().LastDisconnectedMessage)
	fc2.expect(packets.Subscribe)
}

func TestLean_DisconnectSendsDisconnect(t *testing.T) {
	f := newFakeBroker(t)
	k, ctx, fc := openFakeSink(t, f, nil)
	require.NoError(t, k.CollectBytes(ctx, []byte("last"), nil))
	require.NoError(t, k.Close(ctx))
	require.Equal(t, "last", string(fc.expect(packets.Publish).Payload))
	fc.expect(packets.Disconnect)
	require.ErrorIs(t, k.CollectBytes(ctx, []byte("x"), nil), ErrNotConnected)
}

// TestLean_Burst publishes back to back from several goroutines: every
// message arrives once and in order per goroutine, however the writes were
// coalesced.
func TestLean_Burst(t *testing.T) {
	b := startBroker(t, "127.0.0.1:0")
	_, col := openSource(t, "burst/#", map[string]any{"server": b.URL(), "qos": 1})
	k := NewSink()
	require.NoError(t, k.Configure(map[string]any{"server": b.URL(), "topic": "burst/x"}))
	ctx, _ := newCtx(t)
	require.NoError(t, k.Open(ctx))
	defer k.Close(ctx)
	const writers, each = 4, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				require.NoError(t, k.CollectBytes(ctx, fmt.Appendf(nil, "%d:%d", w, i), map[string]string{"topic": "burst/" + strconv.Itoa(w)}))
			}
		}()
	}
	next := make([]int, writers)
	for range writers * each {
		m := col.next(t)
		var w, i int
		_, err := fmt.Sscanf(string(m.Payload), "%d:%d", &w, &i)
		require.NoError(t, err)
		require.Equal(t, next[w], i, "in order")
		next[w]++
	}
	wg.Wait()
}

func TestWebsocket(t *testing.T) {
	srv := mochi.New(&mochi.Options{InlineClient: false, Logger: testLogger(t)})
	require.NoError(t, srv.AddHook(new(auth.AllowHook), nil))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	require.NoError(t, srv.AddListener(listeners.NewWebsocket(listeners.Config{ID: "ws", Address: addr})))
	require.NoError(t, srv.Serve())
	defer srv.Close()
	url := "ws://" + addr + "/mqtt"

	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}, wait, 10*time.Millisecond)
	s, col := openSource(t, "ws/#", map[string]any{"server": url, "qos": 1})
	k := NewSink()
	require.NoError(t, k.Configure(map[string]any{"server": url, "topic": "ws/1", "qos": 1}))
	ctx, _ := newCtx(t)
	require.NoError(t, k.Open(ctx))
	defer k.Close(ctx)
	big := bytes.Repeat([]byte("x"), 200<<10) // spans several reads
	require.NoError(t, k.CollectBytes(ctx, []byte("over websocket"), nil))
	require.NoError(t, k.CollectBytes(ctx, big, nil))
	require.Equal(t, "over websocket", string(col.next(t).Payload))
	require.Equal(t, big, col.next(t).Payload)
	require.Equal(t, connector.StateConnected, s.ConnectionStatus().State)
}

// mosquitto runs a private Mosquitto broker on a free port, so that it can
// be stopped and started again.
type mosquitto struct {
	bin, conf, addr string
	cmd             *exec.Cmd
}

func startMosquitto(t *testing.T) *mosquitto {
	t.Helper()
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		t.Skip("mosquitto is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	_, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(t.TempDir(), "mosquitto.conf")
	require.NoError(t, os.WriteFile(conf, []byte("listener "+port+" 127.0.0.1\nallow_anonymous true\npersistence false\n"), 0o600))
	m := &mosquitto{bin: bin, conf: conf, addr: addr}
	m.start(t)
	t.Cleanup(m.stop)
	return m
}

func (m *mosquitto) start(t *testing.T) {
	t.Helper()
	m.cmd = exec.Command(m.bin, "-c", m.conf)
	require.NoError(t, m.cmd.Start())
	require.Eventually(t, func() bool { return broker.Probe(m.addr, 200*time.Millisecond) }, wait, 20*time.Millisecond)
}

func (m *mosquitto) stop() {
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	_ = m.cmd.Wait()
	m.cmd = nil
}

// TestReconnect_MosquittoRestart stops and starts a real broker under a
// running source and qos 1 sink: both reconnect, the source subscribes
// again and messages flow again.
func TestReconnect_MosquittoRestart(t *testing.T) {
	m := startMosquitto(t)
	url := "tcp://" + m.addr
	s, col := openSource(t, "restart/#", map[string]any{"server": url, "qos": 1})
	k := NewSink()
	require.NoError(t, k.Configure(map[string]any{"server": url, "topic": "restart/x", "qos": 1, "publishTimeout": "1s"}))
	ctx, _ := newCtx(t)
	require.NoError(t, k.Open(ctx))
	defer k.Close(ctx)
	require.NoError(t, k.CollectBytes(ctx, []byte("before"), nil))
	require.Equal(t, "before", string(col.next(t).Payload))

	m.stop()
	require.Eventually(t, func() bool {
		return s.ConnectionStatus().State == connector.StateDisconnected && k.ConnectionStatus().State == connector.StateDisconnected
	}, wait, 5*time.Millisecond)
	require.ErrorIs(t, k.CollectBytes(ctx, []byte("while down"), nil), ErrNotConnected)

	m.start(t)
	waitSubscribed(t, s, 2)
	require.Eventually(t, func() bool { return k.ConnectionStatus().State == connector.StateConnected }, wait, 5*time.Millisecond)
	require.NoError(t, k.CollectBytes(ctx, []byte("after"), nil))
	require.Equal(t, "after", string(col.next(t).Payload))
}

// TestLean_CloseDuringHandshake closes a source whose broker accepted the
// connection but never answers CONNECT: Open returns without waiting for
// the connection timeout.
func TestLean_CloseDuringHandshake(t *testing.T) {
	f := newFakeBroker(t)
	s := NewSource()
	require.NoError(t, s.Configure("x", map[string]any{"server": f.url(), "connectionTimeout": "1h"}))
	ctx, cancel := newCtx(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.OpenBytes(ctx, func(api.RawMessage) {})
	}()
	c, err := f.l.Accept()
	require.NoError(t, err)
	defer c.Close()
	cancel()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("Open did not return")
	}
}

//go:build linux

package mqtt

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kuiperio/kuiper/internal/broker"
	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/sdk/api"
)

var benchPayload = []byte(`{"deviceId":"dev-0042","temperature":23.5,"humidity":61.2,"status":"ok","ts":1700000000000}`)

// BenchmarkSourceReceive measures the mqtt source's cost per received
// QoS 0 message, with paho reading through the 64 KiB buffer and reading
// the socket directly:
//   - embedded: a raw TCP publisher → mochi → source (the broker's work
//     is in the numbers too);
//   - direct: a stand-in broker writing pre-encoded PUBLISH packets, so
//     the numbers are the client's own.
//
// cpu-ns/msg is the process CPU time (user+system) per message, allocs/op
// the process's allocations per message.
func BenchmarkSourceReceive(b *testing.B) {
	for _, mode := range []string{"embedded", "direct"} {
		for _, buf := range []int{defaultReadBufferSize, 0} {
			b.Run(fmt.Sprintf("%s/readBuffer=%d", mode, buf), func(b *testing.B) {
				if mode == "embedded" {
					benchEmbedded(b, buf)
				} else {
					benchDirect(b, buf)
				}
			})
		}
	}
}

// benchSource opens a source on server and returns its receive counter and
// a stop function.
func benchSource(b *testing.B, server string, readBuf int) (*atomic.Int64, func()) {
	s := NewSource()
	if err := s.Configure("bench/#", map[string]any{"server": server, "readBufferSize": readBuf}); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sctx := connector.NewContext(ctx, "bench", "src", 0, nil)
	var n atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.OpenBytes(sctx, func(api.RawMessage) { n.Add(1) })
	}()
	deadline := time.Now().Add(10 * time.Second)
	for s.subscribes.Load() == 0 {
		if time.Now().After(deadline) {
			b.Fatal("source did not subscribe")
		}
		time.Sleep(time.Millisecond)
	}
	return &n, func() { cancel(); wg.Wait() }
}

func encodePublish(topic string, payload []byte) []byte {
	rem := 2 + len(topic) + len(payload)
	p := []byte{0x30}
	for {
		d := byte(rem % 128)
		rem /= 128
		if rem > 0 {
			d |= 0x80
		}
		p = append(p, d)
		if rem == 0 {
			break
		}
	}
	p = append(p, byte(len(topic)>>8), byte(len(topic)))
	p = append(p, topic...)
	return append(p, payload...)
}

// batch returns count copies of one PUBLISH packet.
func batch(count int) []byte {
	one := encodePublish("bench/t1", benchPayload)
	out := make([]byte, 0, len(one)*count)
	for range count {
		out = append(out, one...)
	}
	return out
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func report(b *testing.B, start time.Time, cpu0 time.Duration) {
	el := time.Since(start)
	b.ReportMetric(float64(b.N)/el.Seconds(), "msgs/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/msg")
}

func benchEmbedded(b *testing.B, readBuf int) {
	br, err := broker.Start("127.0.0.1:0", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	n, stop := benchSource(b, br.URL(), readBuf)
	defer stop()

	pub, err := net.Dial("tcp", br.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	if _, err := pub.Write(connectPacketForBench("bench-pub")); err != nil {
		b.Fatal(err)
	}
	var ack [4]byte
	if _, err := io.ReadFull(pub, ack[:]); err != nil {
		b.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, pub) }()

	const chunk, window = 256, 2048
	buf := batch(chunk)
	one := len(buf) / chunk
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	sent := 0
	for sent < b.N {
		k := min(chunk, b.N-sent)
		if _, err := pub.Write(buf[:k*one]); err != nil {
			b.Fatal(err)
		}
		sent += k
		// mochi drops qos 0 messages for a subscriber that falls too far
		// behind: keep at most window messages in flight.
		for int(n.Load()) < sent-window {
			time.Sleep(20 * time.Microsecond)
		}
	}
	for int(n.Load()) < b.N {
		time.Sleep(20 * time.Microsecond)
	}
	report(b, start, cpu0)
}

func benchDirect(b *testing.B, readBuf int) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	ready := make(chan net.Conn, 1)
	go standIn(l, ready)
	n, stop := benchSource(b, "tcp://"+l.Addr().String(), readBuf)
	defer stop()
	conn := <-ready

	const chunk = 1024
	buf := batch(chunk)
	one := len(buf) / chunk
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for sent := 0; sent < b.N; {
		k := min(chunk, b.N-sent)
		if _, err := conn.Write(buf[:k*one]); err != nil {
			b.Fatal(err)
		}
		sent += k
	}
	for int(n.Load()) < b.N {
		time.Sleep(20 * time.Microsecond)
	}
	report(b, start, cpu0)
}

// standIn is a broker stand-in for one client: it accepts CONNECT and
// SUBSCRIBE, then hands the connection over for writing PUBLISH packets
// and discards whatever else the client sends.
func standIn(l net.Listener, ready chan<- net.Conn) {
	c, err := l.Accept()
	if err != nil {
		return
	}
	r := bufio.NewReader(c)
	for {
		typ, body, err := readPacket(r)
		if err != nil {
			return
		}
		switch typ >> 4 {
		case 1: // CONNECT
			_, _ = c.Write([]byte{0x20, 0x02, 0x00, 0x00})
		case 8: // SUBSCRIBE
			_, _ = c.Write([]byte{0x90, 0x03, body[0], body[1], 0x00})
			ready <- c
			_, _ = io.Copy(io.Discard, r)
			return
		}
	}
}

func readPacket(r *bufio.Reader) (byte, []byte, error) {
	typ, err := r.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	rem, mul := 0, 1
	for {
		d, err := r.ReadByte()
		if err != nil {
			return 0, nil, err
		}
		rem += int(d&0x7f) * mul
		mul *= 128
		if d&0x80 == 0 {
			break
		}
	}
	body := make([]byte, rem)
	_, err = io.ReadFull(r, body)
	return typ, body, err
}

func connectPacketForBench(id string) []byte {
	body := []byte{0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C, byte(len(id) >> 8), byte(len(id))}
	body = append(body, id...)
	return append([]byte{0x10, byte(len(body))}, body...)
}

package broker_test

import (
	"bytes"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/broker"
)

func TestStartProbeClose(t *testing.T) {
	var logs bytes.Buffer
	b, err := broker.Start("127.0.0.1:0", slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	_, port, err := net.SplitHostPort(b.Addr())
	require.NoError(t, err)
	require.NotEqual(t, "0", port)

	require.True(t, broker.Probe(b.Addr(), 2*time.Second))
	require.True(t, broker.Probe("tcp://"+b.Addr(), 2*time.Second))
	require.NoError(t, b.Close())
	require.NoError(t, b.Close())
	require.False(t, broker.Probe(b.Addr(), time.Second))
	require.NotContains(t, logs.String(), "level=INFO", "info records are dropped")

	_, err = broker.Start(b.Addr()+"x", nil)
	require.Error(t, err)
}

func TestProbe_NotMQTT(t *testing.T) {
	// A TCP server that closes at once is not a broker.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
			_ = c.Close()
		}
	}()
	require.False(t, broker.Probe(l.Addr().String(), time.Second))
}

func TestProbe_RefusingBrokerCounts(t *testing.T) {
	b, err := broker.StartWith(broker.Options{Addr: "127.0.0.1:0", Credentials: map[string]string{"u": "p"}})
	require.NoError(t, err)
	defer b.Close()
	require.True(t, broker.Probe(b.Addr(), 2*time.Second))
}

package mqtt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kuiperio/kuiper/internal/broker"
	"github.com/kuiperio/kuiper/internal/connector"
	"github.com/kuiperio/kuiper/internal/errs"
	"github.com/kuiperio/kuiper/sdk/api"
)

func TestSource_TopicsAndMeta(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			p := prefix()
			s, col := openSource(t, p+"a/+, "+p+"b/#,"+p+"c", map[string]any{"server": tg.url})
			pub := publisher(t, tg.url)
			publish(t, pub, p+"d", 0, "not matched")
			publish(t, pub, p+"a/x", 0, `{"n":1}`)
			publish(t, pub, p+"b/y/z", 0, `{"n":2}`)
			publish(t, pub, p+"c", 0, `{"n":3}`)
			publish(t, pub, p+"a/x/deeper", 0, "not matched")

			for i, want := range []string{p + "a/x", p + "b/y/z", p + "c"} {
				m := col.next(t)
				require.Equal(t, want, m.Topic)
				require.JSONEq(t, `{"n":`+string(rune('1'+i))+`}`, string(m.Payload))
				v, ok := m.Meta.Get(MetaTopic)
				require.True(t, ok)
				require.Equal(t, want, v)
				v, _ = m.Meta.Get(MetaQoS)
				require.Equal(t, int64(0), v)
				_, ok = m.Meta.Get(MetaMessageID)
				require.True(t, ok)
				_, ok = m.Meta.Get("nope")
				require.False(t, ok)
			}
			col.none(t, 100*time.Millisecond)
			require.Equal(t, connector.StateConnected, s.ConnectionStatus().State)
		})
	}
}

func TestSource_QoS1(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			p := prefix()
			_, col := openSource(t, p+"q", map[string]any{"server": tg.url, "qos": 1})
			pub := publisher(t, tg.url)
			publish(t, pub, p+"q", 1, "one")
			m := col.next(t)
			require.Equal(t, "one", string(m.Payload))
			q, _ := m.Meta.Get(MetaQoS)
			require.Equal(t, int64(1), q)
			id, _ := m.Meta.Get(MetaMessageID)
			require.NotZero(t, id)
		})
	}
}

func TestSink_QoSAndDynamicTopic(t *testing.T) {
	for _, tg := range targets(t) {
		for _, qos := range []int{0, 1, 2} {
			t.Run(tg.name+"/qos"+string(rune('0'+qos)), func(t *testing.T) {
				p := prefix()
				msgs := subscriber(t, tg.url, p+"#", 2)
				k := NewSink()
				require.NoError(t, k.Configure(map[string]any{"server": tg.url, "topic": p + "static", "qos": qos}))
				ctx, _ := newCtx(t)
				require.NoError(t, k.Open(ctx))
				t.Cleanup(func() { _ = k.Close(ctx) })
				require.Equal(t, connector.StateConnected, k.ConnectionStatus().State)

				require.NoError(t, k.CollectBytes(ctx, []byte(`{"a":1}`), nil))
				m := recv(t, msgs)
				require.Equal(t, p+"static", m.Topic())
				require.Equal(t, `{"a":1}`, string(m.Payload()))
				require.Equal(t, byte(qos), m.Qos())

				require.NoError(t, k.CollectBytes(ctx, []byte(`{"a":2}`), map[string]string{"topic": p + "dyn/d1"}))
				m = recv(t, msgs)
				require.Equal(t, p+"dyn/d1", m.Topic())

				require.NoError(t, k.Collect(ctx, map[string]any{"b": 3}))
				m = recv(t, msgs)
				require.Equal(t, p+"static", m.Topic())
				require.JSONEq(t, `{"b":3}`, string(m.Payload()))

				err := k.CollectBytes(ctx, []byte("x"), map[string]string{"topic": p + "bad/+"})
				require.ErrorContains(t, err, "wildcards are not allowed")
			})
		}
	}
}

func TestSink_TemplatedTopicNeedsRendering(t *testing.T) {
	b := startBroker(t, "127.0.0.1:0")
	k := NewSink()
	require.NoError(t, k.Configure(map[string]any{"server": b.URL(), "topic": "out/{{.device}}"}))
	ctx, _ := newCtx(t)
	require.NoError(t, k.Open(ctx))
	defer k.Close(ctx)
	require.ErrorContains(t, k.CollectBytes(ctx, []byte("x"), nil), "was not rendered")
	require.ErrorContains(t, k.Collect(ctx, map[string]any{}), "needs the host to render it")
	require.NoError(t, k.CollectBytes(ctx, []byte("x"), map[string]string{"topic": "out/d1"}))
}

func TestSource_Reconnect(t *testing.T) {
	b1 := startBroker(t, "127.0.0.1:0")
	addr := b1.Addr()
	url := b1.URL()
	s, col := openSource(t, "re/#", map[string]any{"server": url, "qos": 1, "connectionTimeout": "1s"})
	pub := publisher(t, url)
	publish(t, pub, "re/1", 1, "before")
	require.Equal(t, "before", string(col.next(t).Payload))

	require.NoError(t, b1.Close())
	require.Eventually(t, func() bool {
		st := s.ConnectionStatus()
		return st.State == connector.StateDisconnected && !st.LastDisconnected.IsZero()
	}, wait, 5*time.Millisecond)

	var b2 *broker.Broker
	require.Eventually(t, func() bool { // the port may take a moment to be free
		var err error
		b2, err = broker.Start(addr, testLogger(t))
		return err == nil
	}, wait, 20*time.Millisecond)
	t.Cleanup(func() { _ = b2.Close() })

	waitSubscribed(t, s, 2)
	require.Equal(t, connector.StateConnected, s.ConnectionStatus().State)
	pub2 := publisher(t, url)
	publish(t, pub2, "re/2", 1, "after")
	require.Equal(t, "after", string(col.next(t).Payload))
}

func TestSink_ReconnectAndNotConnected(t *testing.T) {
	b1 := startBroker(t, "127.0.0.1:0")
	addr := b1.Addr()
	k := NewSink()
	require.NoError(t, k.Configure(map[string]any{"server": b1.URL(), "topic": "t", "qos": 1, "connectionTimeout": "1s", "publishTimeout": "300ms"}))
	ctx, _ := newCtx(t)
	require.NoError(t, k.Open(ctx))
	defer k.Close(ctx)
	require.NoError(t, b1.Close())
	require.Eventually(t, func() bool {
		err := k.CollectBytes(ctx, []byte("x"), nil)
		return errors.Is(err, ErrNotConnected) && errs.CodeOf(err) == errs.IO
	}, wait, 5*time.Millisecond)

	var b2 *broker.Broker
	require.Eventually(t, func() bool {
		var err error
		b2, err = broker.Start(addr, testLogger(t))
		return err == nil
	}, wait, 20*time.Millisecond)
	defer b2.Close()
	msgs := subscriber(t, b2.URL(), "t", 1)
	require.Eventually(t, func() bool { return k.CollectBytes(ctx, []byte("back"), nil) == nil }, wait, 20*time.Millisecond)
	// A qos 1 message sent while the connection was dying may be
	// delivered again after the reconnection (at least once).
	for {
		if m := recv(t, msgs); string(m.Payload()) == "back" {
			break
		}
	}
}

func TestAuth(t *testing.T) {
	b, err := broker.StartWith(broker.Options{Addr: "127.0.0.1:0", Credentials: map[string]string{"kuiper": "s3cret"}})
	require.NoError(t, err)
	defer b.Close()
	good := map[string]any{"server": b.URL(), "username": "kuiper", "password": "s3cret"}

	t.Run("good credentials", func(t *testing.T) {
		_, col := openSource(t, "auth/#", good)
		k := NewSink()
		require.NoError(t, k.Configure(connector.Merge(good, map[string]any{"topic": "auth/x"})))
		ctx, _ := newCtx(t)
		require.NoError(t, k.Open(ctx))
		defer k.Close(ctx)
		require.NoError(t, k.CollectBytes(ctx, []byte("hi"), nil))
		require.Equal(t, "hi", string(col.next(t).Payload))
	})
	t.Run("sink bad password", func(t *testing.T) {
		k := NewSink()
		require.NoError(t, k.Configure(map[string]any{"server": b.URL(), "username": "kuiper", "password": "wrong", "topic": "x"}))
		ctx, _ := newCtx(t)
		err := k.Open(ctx)
		require.Error(t, err)
		require.Equal(t, errs.IO, errs.CodeOf(err))
		require.Regexp(t, `mqtt sink: connect to tcp://.*: (?i)(bad user name or password|not authorized)`, err.Error())
		require.Equal(t, connector.StateDisconnected, k.ConnectionStatus().State)
	})
	t.Run("source bad password", func(t *testing.T) {
		s := NewSource()
		require.NoError(t, s.Configure("x", map[string]any{"server": b.URL(), "username": "nobody"}))
		ctx, cancel := newCtx(t)
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.OpenBytes(ctx, func(api.RawMessage) {})
		}()
		require.Eventually(t, func() bool {
			st := s.ConnectionStatus()
			return st.State == connector.StateDisconnected && st.LastDisconnectedMessage != ""
		}, wait, 5*time.Millisecond)
		require.Regexp(t, "(?i)bad user name or password|not authorized", s.ConnectionStatus().LastDisconnectedMessage)
		cancel()
		<-done
	})
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t)
	certFile := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(certFile, certPEM, 0o600))
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	b, err := broker.StartWith(broker.Options{Addr: "127.0.0.1:0", TLS: &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}})
	require.NoError(t, err)
	defer b.Close()

	for _, scheme := range []string{"ssl", "tls", "mqtts"} {
		t.Run(scheme, func(t *testing.T) {
			url := scheme + "://" + b.Addr()
			_, col := openSource(t, "sec/#", map[string]any{"server": url, "rootCaPath": certFile})
			k := NewSink()
			require.NoError(t, k.Configure(map[string]any{"server": url, "rootCARaw": base64.StdEncoding.EncodeToString(certPEM), "topic": "sec/1", "qos": 1}))
			ctx, _ := newCtx(t)
			require.NoError(t, k.Open(ctx))
			defer k.Close(ctx)
			require.NoError(t, k.CollectBytes(ctx, []byte("secret"), nil))
			require.Equal(t, "secret", string(col.next(t).Payload))
		})
	}
	t.Run("insecureSkipVerify", func(t *testing.T) {
		_, col := openSource(t, "sec/#", map[string]any{"server": "ssl://" + b.Addr(), "insecureSkipVerify": true})
		k := NewSink()
		require.NoError(t, k.Configure(map[string]any{"server": "ssl://" + b.Addr(), "insecureSkipVerify": "true", "topic": "sec/2"}))
		ctx, _ := newCtx(t)
		require.NoError(t, k.Open(ctx))
		defer k.Close(ctx)
		require.NoError(t, k.CollectBytes(ctx, []byte("skip"), nil))
		require.Equal(t, "skip", string(col.next(t).Payload))
	})
	t.Run("unknown authority", func(t *testing.T) {
		k := NewSink()
		require.NoError(t, k.Configure(map[string]any{"server": "ssl://" + b.Addr(), "topic": "x", "connectionTimeout": "3s"}))
		ctx, _ := newCtx(t)
		require.NoError(t, k.Open(ctx), "a network-level failure keeps retrying")
		defer k.Close(ctx)
		require.ErrorIs(t, k.CollectBytes(ctx, []byte("x"), nil), ErrNotConnected)
		require.Eventually(t, func() bool {
			return strings.Contains(k.ConnectionStatus().LastDisconnectedMessage, "certificate")
		}, wait, 5*time.Millisecond, "status names the certificate problem")
	})
}

// selfSigned returns a self-signed CA certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kuiper test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kb, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
}

func TestSource_TupleMode(t *testing.T) {
	b := startBroker(t, "127.0.0.1:0")
	s := NewSource()
	require.NoError(t, s.Configure("rows", map[string]any{"server": b.URL()}))
	ctx, cancel := newCtx(t)
	type row struct {
		data, meta map[string]any
	}
	rows := make(chan row, 16)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.Open(ctx, func(d, m map[string]any) { rows <- row{d, m} })
	}()
	defer func() { cancel(); wg.Wait() }()
	waitSubscribed(t, s, 1)
	pub := publisher(t, b.URL())
	publish(t, pub, "rows", 0, `{"a":1}`)
	publish(t, pub, "rows", 0, `not json`)
	publish(t, pub, "rows", 0, `[{"a":2},{"a":3}]`)
	for _, want := range []float64{1, 2, 3} {
		select {
		case r := <-rows:
			require.Equal(t, want, r.data["a"])
			require.Equal(t, "rows", r.meta["topic"])
		case <-time.After(wait):
			t.Fatal("no row")
		}
	}
}

func TestSource_CloseStopsOpen(t *testing.T) {
	b := startBroker(t, "127.0.0.1:0")
	s := NewSource()
	require.NoError(t, s.Configure("x", map[string]any{"server": b.URL()}))
	ctx, _ := newCtx(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.OpenBytes(ctx, func(api.RawMessage) {})
	}()
	waitSubscribed(t, s, 1)
	require.NoError(t, s.Close(ctx))
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("Open did not return after Close")
	}
}

func TestConfigure(t *testing.T) {
	srcCases := []struct {
		name, ds string
		props    map[string]any
		wantErr  string
	}{
		{"ok defaults", "a/b", nil, ""},
		{"several topics", "a/+, b/#", map[string]any{"qos": 2, "protocolVersion": 3.1}, ""},
		{"legacy servers list", "a", map[string]any{"servers": []any{"tcp://h:1883"}}, ""},
		{"no topic", " , ", nil, "DATASOURCE must name at least one topic"},
		{"bad filter", "a/#/b", nil, "'#' must be the last level"},
		{"qos out of range", "a", map[string]any{"qos": 3}, `property "qos": want 0, 1 or 2`},
		{"qos wrong type", "a", map[string]any{"qos": "high"}, `property "qos": want an integer`},
		{"mqtt 5", "a", map[string]any{"protocolVersion": "5"}, "MQTT 5 is not supported"},
		{"unknown version", "a", map[string]any{"protocolVersion": "2"}, "unknown version"},
		{"no scheme", "a", map[string]any{"server": "127.0.0.1:1883"}, "invalid server"},
		{"bad scheme", "a", map[string]any{"server": "http://h:1"}, "unsupported scheme"},
		{"cert without key", "a", map[string]any{"server": "ssl://h:8883", "certificationRaw": base64.StdEncoding.EncodeToString([]byte("x"))}, "must be set together"},
		{"missing ca file", "a", map[string]any{"server": "ssl://h:8883", "rootCaPath": "/nonexistent/ca.pem"}, `property "rootCaPath"`},
		{"bad raw", "a", map[string]any{"server": "ssl://h:8883", "rootCARaw": "%%%"}, "want base64"},
		{"bad duration", "a", map[string]any{"keepAlive": "soon"}, `property "keepAlive"`},
	}
	for _, tc := range srcCases {
		t.Run("source/"+tc.name, func(t *testing.T) {
			err := NewSource().Configure(tc.ds, tc.props)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
			require.ErrorContains(t, err, "mqtt source: ")
		})
	}
	sinkCases := []struct {
		name    string
		props   map[string]any
		wantErr string
	}{
		{"ok", map[string]any{"topic": "a/b", "retained": true, "clientId": "me"}, ""},
		{"template", map[string]any{"topic": "a/{{.x}}"}, ""},
		{"no topic", map[string]any{}, `property "topic" is required`},
		{"wildcard topic", map[string]any{"topic": "a/+"}, "wildcards are not allowed"},
		{"bad retained", map[string]any{"topic": "a", "retained": "maybe"}, `property "retained"`},
	}
	for _, tc := range sinkCases {
		t.Run("sink/"+tc.name, func(t *testing.T) {
			k := NewSink()
			err := k.Configure(tc.props)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
	k := NewSink()
	require.NoError(t, k.Configure(map[string]any{"topic": "a", "clientId": "me"}))
	require.Equal(t, "me", k.conf.clientID, "clientId matched case-insensitively")
	require.Len(t, NewSink().conf.clientID, 0)
	s := NewSource()
	require.NoError(t, s.Configure("a", nil))
	require.Len(t, s.conf.clientID, 23)
	require.Equal(t, uint(4), s.conf.protocolVersion)
	require.Equal(t, defaultReadBufferSize, s.conf.readBufferSize)
}

func TestRegister(t *testing.T) {
	env := connector.NewEnv()
	require.NoError(t, Register(env))
	f, spec, ok := env.Source("MQTT")
	require.True(t, ok)
	require.NotEmpty(t, spec.Props)
	_, isBytes := f().(api.BytesSource)
	require.True(t, isBytes)
	g, _, ok := env.Sink("mqtt")
	require.True(t, ok)
	_, isBytes = g().(api.BytesSink)
	require.True(t, isBytes)
	require.Error(t, Register(env), "second registration is a duplicate")
}

package mqtt

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/kuiperio/kuiper/internal/connector"
)

// Property names, as eKuiper spells them.
const (
	propServer               = "server"
	propServers              = "servers" // before eKuiper 1.5: a list
	propUsername             = "username"
	propPassword             = "password"
	propClientID             = "clientid"
	propProtocolVersion      = "protocolVersion"
	propQoS                  = "qos"
	propCertificationPath    = "certificationPath"
	propPrivateKeyPath       = "privateKeyPath"
	propRootCaPath           = "rootCaPath"
	propCertificationRaw     = "certificationRaw"
	propPrivateKeyRaw        = "privateKeyRaw"
	propRootCARaw            = "rootCARaw"
	propInsecureSkipVerify   = "insecureSkipVerify"
	propConnectionTimeout    = "connectionTimeout"
	propKeepAlive            = "keepAlive"
	propMaxReconnectInterval = "maxReconnectInterval"
	propReadBufferSize       = "readBufferSize"
	propTopic                = "topic"
	propRetained             = "retained"
	propPublishTimeout       = "publishTimeout"
)

// Defaults.
const (
	DefaultServer            = "tcp://127.0.0.1:1883"
	defaultConnectTimeout    = 5 * time.Second
	defaultKeepAlive         = 30 * time.Second
	defaultMaxReconnect      = 10 * time.Second
	defaultPublishTimeout    = 5 * time.Second
	defaultReadBufferSize    = 64 << 10
	defaultProtocolVersion   = "3.1.1"
	connectRetryInterval     = time.Second
	disconnectQuiesce        = 250 // ms
	subscribeTimeoutFallback = 5 * time.Second
)

// connConf is what a client needs to connect.
type connConf struct {
	server               string
	scheme               string
	username, password   string
	clientID             string
	protocolVersion      uint // 3 (MQTT 3.1) or 4 (MQTT 3.1.1)
	qos                  byte
	tls                  *tls.Config // nil unless the scheme needs TLS
	connectTimeout       time.Duration
	keepAlive            time.Duration
	maxReconnectInterval time.Duration
	readBufferSize       int // bytes read from the connection at once
}

// tlsSchemes are the server URL schemes that connect with TLS.
var tlsSchemes = map[string]bool{"ssl": true, "tls": true, "mqtts": true, "tcps": true, "mqtt+ssl": true, "wss": true}

var knownSchemes = map[string]bool{"tcp": true, "mqtt": true, "ws": true, "unix": true}

func parseConnConf(p connector.Props) (connConf, error) {
	var c connConf
	var err error
	if c.server, err = p.String(propServer, ""); err != nil {
		return c, err
	}
	if c.server == "" {
		servers, err := p.Strings(propServers, nil)
		if err != nil {
			return c, err
		}
		c.server = DefaultServer
		if len(servers) > 0 {
			c.server = servers[0]
		}
	}
	u, err := url.Parse(c.server)
	if err != nil || u.Scheme == "" || (u.Host == "" && u.Scheme != "unix") {
		return c, fmt.Errorf("property %q: invalid server %q: want scheme://host:port, e.g. %s", propServer, c.server, DefaultServer)
	}
	c.scheme = strings.ToLower(u.Scheme)
	if !knownSchemes[c.scheme] && !tlsSchemes[c.scheme] {
		return c, fmt.Errorf("property %q: unsupported scheme %q in %q", propServer, u.Scheme, c.server)
	}
	if c.username, err = p.String(propUsername, ""); err != nil {
		return c, err
	}
	if c.password, err = p.String(propPassword, ""); err != nil {
		return c, err
	}
	if c.clientID, err = p.String(propClientID, ""); err != nil {
		return c, err
	}
	if c.clientID == "" {
		c.clientID = newClientID()
	}
	pv, err := p.String(propProtocolVersion, defaultProtocolVersion)
	if err != nil {
		return c, err
	}
	switch strings.TrimSpace(pv) {
	case "3.1.1", "4", "":
		c.protocolVersion = 4
	case "3.1", "3":
		c.protocolVersion = 3
	case "5", "5.0":
		return c, fmt.Errorf("property %q: MQTT 5 is not supported, use 3.1.1", propProtocolVersion)
	default:
		return c, fmt.Errorf("property %q: unknown version %q, want 3.1 or 3.1.1", propProtocolVersion, pv)
	}
	qos, err := p.Int(propQoS, 0)
	if err != nil {
		return c, err
	}
	if qos < 0 || qos > 2 {
		return c, fmt.Errorf("property %q: want 0, 1 or 2, got %d", propQoS, qos)
	}
	c.qos = byte(qos)
	if c.connectTimeout, err = p.Duration(propConnectionTimeout, defaultConnectTimeout); err != nil {
		return c, err
	}
	if c.keepAlive, err = p.Duration(propKeepAlive, defaultKeepAlive); err != nil {
		return c, err
	}
	if c.maxReconnectInterval, err = p.Duration(propMaxReconnectInterval, defaultMaxReconnect); err != nil {
		return c, err
	}
	if c.readBufferSize, err = p.Int(propReadBufferSize, defaultReadBufferSize); err != nil {
		return c, err
	}
	if c.readBufferSize < 0 {
		return c, fmt.Errorf("property %q: must not be negative", propReadBufferSize)
	}
	if tlsSchemes[c.scheme] {
		if c.tls, err = tlsConfig(p, u.Hostname()); err != nil {
			return c, err
		}
	}
	return c, nil
}

// tlsConfig builds the client TLS configuration from the certificate
// properties: files (…Path) or base64 PEM (…Raw).
func tlsConfig(p connector.Props, host string) (*tls.Config, error) {
	skip, err := p.Bool(propInsecureSkipVerify, false)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{ServerName: host, InsecureSkipVerify: skip, MinVersion: tls.VersionTLS12} //nolint:gosec // insecureSkipVerify is the user's choice
	ca, err := pemProp(p, propRootCaPath, propRootCARaw)
	if err != nil {
		return nil, err
	}
	if ca != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("property %q: no PEM certificate found", propRootCaPath)
		}
		cfg.RootCAs = pool
	}
	cert, err := pemProp(p, propCertificationPath, propCertificationRaw)
	if err != nil {
		return nil, err
	}
	key, err := pemProp(p, propPrivateKeyPath, propPrivateKeyRaw)
	if err != nil {
		return nil, err
	}
	switch {
	case cert != nil && key != nil:
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("properties %q and %q: %w", propCertificationPath, propPrivateKeyPath, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	case cert != nil || key != nil:
		return nil, fmt.Errorf("properties %q and %q must be set together", propCertificationPath, propPrivateKeyPath)
	}
	return cfg, nil
}

// pemProp reads PEM bytes from the file named by pathKey or, failing that,
// the base64 text of rawKey; nil when neither is set.
func pemProp(p connector.Props, pathKey, rawKey string) ([]byte, error) {
	path, err := p.String(pathKey, "")
	if err != nil {
		return nil, err
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("property %q: %w", pathKey, err)
		}
		return b, nil
	}
	raw, err := p.String(rawKey, "")
	if err != nil || raw == "" {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, fmt.Errorf("property %q: want base64: %w", rawKey, err)
	}
	return b, nil
}

// newClientID returns a unique client id of 23 characters, the longest
// MQTT 3.1 allows.
func newClientID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(errors.New("crypto/rand failed")) // never happens on supported platforms
	}
	return "kuiper-" + hex.EncodeToString(b[:])
}

// connSpecProps are the connection properties shared by source and sink,
// for the specs.
func connSpecProps() []connector.PropSpec {
	return []connector.PropSpec{
		{Name: propServer, Type: "string", Default: DefaultServer, Description: "broker URL: tcp://, ssl:// (or tls://, mqtts://), ws://, wss://"},
		{Name: propUsername, Type: "string", Description: "user name"},
		{Name: propPassword, Type: "string", Description: "password"},
		{Name: propClientID, Type: "string", Description: "client id; a unique one is generated when empty"},
		{Name: propProtocolVersion, Type: "string", Default: defaultProtocolVersion, Description: "3.1 or 3.1.1"},
		{Name: propQoS, Type: "int", Default: 0, Description: "0, 1 or 2"},
		{Name: propCertificationPath, Type: "string", Description: "client certificate file (PEM)"},
		{Name: propPrivateKeyPath, Type: "string", Description: "client private key file (PEM)"},
		{Name: propRootCaPath, Type: "string", Description: "CA certificate file (PEM) to verify the broker"},
		{Name: propCertificationRaw, Type: "string", Description: "client certificate, base64 PEM"},
		{Name: propPrivateKeyRaw, Type: "string", Description: "client private key, base64 PEM"},
		{Name: propRootCARaw, Type: "string", Description: "CA certificate, base64 PEM"},
		{Name: propInsecureSkipVerify, Type: "bool", Default: false, Description: "skip verifying the broker's certificate"},
		{Name: propConnectionTimeout, Type: "duration", Default: "5s", Description: "connect timeout"},
		{Name: propKeepAlive, Type: "duration", Default: "30s", Description: "keep-alive interval"},
		{Name: propMaxReconnectInterval, Type: "duration", Default: "10s", Description: "longest pause between reconnect attempts"},
		{Name: propReadBufferSize, Type: "int", Default: defaultReadBufferSize, Description: "bytes read from the connection at once"},
	}
}

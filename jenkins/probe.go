package jenkins

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// way is how the client's requests reach Jenkins: the proxy choice, the TLS
// configuration (the system's roots plus any extra CA) and the connect
// timeout, kept so that ProbeWay checks exactly what requests use.
type way struct {
	proxy   func(*http.Request) (*url.URL, error)
	tls     *tls.Config
	connect time.Duration
	extraCA bool
}

// Probe is one step on the way to Jenkins, for a doctor's report. Err is set
// when the step failed (an *Error with the settings to check); Warn when it
// works but deserves a look.
type Probe struct {
	Area string // proxy, dns, tcp, tls
	Msg  string
	Warn bool
	Fix  []Setting // what a warning is about
	Err  error
}

// ProbeWay checks each step from this machine to the Jenkins base URL with
// the client's own proxy, TLS and timeout settings: the proxy choice, then,
// when Jenkins is reached directly, DNS, TCP and TLS. It sends no HTTP
// request; ok is false when a step failed, so later steps cannot work.
func (c *Client) ProbeWay(ctx context.Context) (probes []Probe, ok bool) {
	base := c.base
	if c.way.proxy != nil {
		req, _ := http.NewRequest(http.MethodGet, base.String(), nil)
		pu, err := c.way.proxy(req)
		switch {
		case err != nil:
			return append(probes, Probe{Area: "proxy", Err: (&Error{Kind: ErrUnreachable, Err: err,
				Msg: "the proxy settings cannot be read: " + Clean(err.Error(), 160)}).fix(SetProxy)}), false
		case pu != nil:
			return append(probes,
				Probe{Area: "proxy", Msg: fmt.Sprintf("requests to %s go through the proxy %s", base.Host, pu.Redacted())},
				Probe{Area: "network", Warn: true, Msg: fmt.Sprintf("DNS, TCP and TLS of %s are the proxy's business; the next step checks the whole way", base.Host)}), true
		}
	}
	probes = append(probes, Probe{Area: "proxy", Msg: fmt.Sprintf("none: %s is reached directly", base.Host)})
	host, addr := base.Hostname(), net.JoinHostPort(base.Hostname(), portOf(base))
	if net.ParseIP(host) != nil {
		probes = append(probes, Probe{Area: "dns", Msg: host + " is an address: nothing to resolve"})
	} else {
		addrs, err := net.DefaultResolver.LookupHost(ctx, host)
		if err != nil {
			return append(probes, Probe{Area: "dns", Err: (&Error{Kind: ErrUnreachable, Err: err,
				Msg: "cannot resolve " + host + " (" + Clean(err.Error(), 120) + "): check the host name of the Jenkins URL and this machine's DNS"}).fix(SetURL)}), false
		}
		probes = append(probes, Probe{Area: "dns", Msg: fmt.Sprintf("%s resolves to %s", host, strings.Join(addrs, ", "))})
	}
	start := time.Now()
	conn, err := (&net.Dialer{Timeout: c.way.connect}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return append(probes, Probe{Area: "tcp", Err: (&Error{Kind: ErrUnreachable, Err: err,
			Msg: "cannot connect to " + addr + " (" + Clean(err.Error(), 120) + "): is Jenkins running there, is the port right, does a firewall block it?"}).fix(SetURL)}), false
	}
	conn.Close()
	probes = append(probes, Probe{Area: "tcp", Msg: fmt.Sprintf("connected to %s in %s", addr, time.Since(start).Round(time.Millisecond))})
	if base.Scheme != "https" {
		return probes, true
	}
	p := c.probeTLS(ctx, host, addr)
	return append(probes, p), p.Err == nil
}

// probeTLS makes the handshake requests make; when it fails verification, a
// second, unverified one describes the certificate that was offered.
func (c *Client) probeTLS(ctx context.Context, host, addr string) Probe {
	trust := "the system's trusted roots"
	if c.way.extraCA {
		trust += " and the extra CA certificates"
	}
	dial := func(verify bool) (*tls.ConnectionState, error) {
		conf := c.way.tls.Clone()
		conf.ServerName, conf.InsecureSkipVerify = host, !verify //nolint:gosec // the unverified dial only describes the certificate
		td := tls.Dialer{NetDialer: &net.Dialer{Timeout: c.way.connect}, Config: conf}
		conn, err := td.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		st := conn.(*tls.Conn).ConnectionState()
		return &st, nil
	}
	st, verr := dial(true)
	if verr == nil {
		leaf := st.PeerCertificates[0]
		if left := time.Until(leaf.NotAfter); left < 14*24*time.Hour {
			return Probe{Area: "tls", Warn: true, Msg: fmt.Sprintf("%s; trusted through %s, but it expires in %s", describeCert(st), trust, left.Round(time.Hour))}
		}
		return Probe{Area: "tls", Msg: fmt.Sprintf("%s; trusted through %s", describeCert(st), trust)}
	}
	seen, err := dial(false)
	if err != nil {
		return Probe{Area: "tls", Err: (&Error{Kind: ErrUnreachable, Err: err,
			Msg: "no TLS handshake with " + addr + " (" + Clean(err.Error(), 120) + "): is it an https port?"}).fix(SetURL)}
	}
	cert := describeCert(seen)
	if c.way.tls.InsecureSkipVerify {
		return Probe{Area: "tls", Warn: true, Fix: []Setting{SetInsecure, SetCACert},
			Msg: fmt.Sprintf("%s; not trusted (%s), accepted only because certificate checks are off", cert, Clean(certCause(verr), 120))}
	}
	return Probe{Area: "tls", Err: (&Error{Kind: ErrUnreachable, Err: verr,
		Msg: fmt.Sprintf("%s; verification against %s failed (%s): trust the issuing CA, or have the certificate renewed or reissued for %s",
			cert, trust, Clean(certCause(verr), 160), host)}).fix(SetCACert)}
}

func describeCert(st *tls.ConnectionState) string {
	leaf := st.PeerCertificates[0]
	names := append([]string{}, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	return fmt.Sprintf("%s, certificate for %s (names: %s), issued by %s, valid %s to %s",
		tls.VersionName(st.Version), leaf.Subject.String(), strings.Join(names, ", "), leaf.Issuer.String(),
		leaf.NotBefore.UTC().Format("2006-01-02"), leaf.NotAfter.UTC().Format("2006-01-02"))
}

func certCause(err error) string {
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ve) {
		return ve.Err.Error()
	}
	return err.Error()
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

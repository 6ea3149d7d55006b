// Package jenkins is a small client for the parts of Jenkins' HTTP API that
// trigger and follow builds. Its behaviour follows Jenkins' source (see
// ../shared/jenkins-api.md in the project): pre-emptive Basic auth, session-bound
// crumbs for passwords, no redirects followed, and errors explained for people.
package jenkins

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
)

// Options configure a Client. Zero durations take the defaults below.
type Options struct {
	Base           *url.URL
	Creds          auth.Credentials
	CACertPEM      []byte // extra trusted certificates, added to the system pool
	Insecure       bool   // skip TLS verification
	ConnectTimeout time.Duration
	RequestTimeout time.Duration
	// RetryFor bounds how long a trigger that provably never reached Jenkins
	// (connection refused, Jenkins' own start-up page) is re-sent. 0 means never.
	RetryFor time.Duration
	// Proxy picks the proxy for a request, usually http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*url.URL, error)
	// Dial, when set, makes the connections instead of the network (tests
	// reach an in-memory fake Jenkins through it).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Log receives one line per request for --verbose; nil means silent.
	Log func(string)
	// Warn receives a line about something to fix although the request went through.
	Warn      func(string)
	UserAgent string
}

// ErrNoPEM is Options.CACertPEM without a PEM certificate in it.
var ErrNoPEM = errors.New("no PEM certificate in the CA certificates given")

// Defaults for Options.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultRequestTimeout = 30 * time.Second
	DefaultRetryFor       = 30 * time.Second
	maxBody               = 64 << 10 // error pages are read this far, no further
)

// Client talks to one Jenkins.
type Client struct {
	base     *url.URL
	creds    auth.Credentials
	http     *http.Client
	log      func(string)
	Warn     func(string)
	ua       string
	retryFor time.Duration
	backoff  time.Duration // first retry delay; doubles up to maxBackoff
	way      way           // how requests reach Jenkins, for ProbeWay

	crumb   *Crumb // kept after the first fetch, for later POSTs (cancel, stop)
	noCrumb bool   // the crumb issuer answered 404: CSRF protection is off

	mu      sync.Mutex
	session string    // X-Jenkins-Session last seen
	version string    // X-Jenkins last seen
	dates   []dateObs // the last Date headers seen, for sendBound
}

// dateObs is a Date header (the controller's clock, truncated to the second,
// when it made the answer) and when the answer arrived on our clock.
type dateObs struct {
	date, at time.Time
}

const maxBackoff = 5 * time.Second

// New builds a Client. It sends nothing.
func New(o Options) (*Client, error) {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.Insecure} //nolint:gosec // --insecure is explicit and warned about
	if len(o.CACertPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(o.CACertPEM) {
			return nil, ErrNoPEM
		}
		tlsConf.RootCAs = pool
	}
	dial := (&net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
	if o.Dial != nil {
		dial = o.Dial
	}
	var base http.RoundTripper = &http.Transport{
		Proxy:                 o.Proxy,
		DialContext:           dial,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   o.ConnectTimeout,
		ResponseHeaderTimeout: o.RequestTimeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
	base = &auth.Transport{Base: base, Origin: auth.Origin(o.Base), Creds: o.Creds}
	if o.Log != nil {
		base = &logTransport{base: base, log: o.Log}
	}
	hc := &http.Client{
		Transport: base,
		Timeout:   o.RequestTimeout,
		// Never follow redirects: a followed POST becomes a GET and loses its body
		// (jenkins-api.md 8.3), and a redirect's target is not where credentials go.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if o.Creds.NeedsCrumb() {
		hc.Jar = newJar()
	}
	ua := o.UserAgent
	if ua == "" {
		ua = "jenkins-trigger"
	}
	return &Client{base: o.Base, creds: o.Creds, http: hc, log: o.Log, Warn: o.Warn, ua: ua,
		retryFor: o.RetryFor, backoff: 250 * time.Millisecond,
		way: way{proxy: o.Proxy, tls: tlsConf, connect: o.ConnectTimeout, extraCA: len(o.CACertPEM) > 0}}, nil
}

func newJar() http.CookieJar {
	jar, err := cookiejar.New(nil)
	if err != nil {
		panic(err) // cookiejar.New with nil options never fails
	}
	return jar
}

// newRequest prepares a request with the headers every call carries.
func (c *Client) newRequest(ctx context.Context, method string, u *url.URL, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("build request for %s: %w", auth.RedactURL(u), err)
	}
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept-Language", "en") // Jenkins localises messages we match on
	return req, nil
}

// result of one exchange: the response with the start of its body read.
type exchange struct {
	resp   *http.Response
	page   page
	sent   bool      // the request was written to the connection
	sentAt time.Time // when the trigger that got this answer was sent
}

// do sends req and reads at most maxBody of the answer. A transport error is
// returned with sent telling whether the request may have reached the server.
func (c *Client) do(req *http.Request) (exchange, error) {
	return c.send(c.http, req, false)
}

// send is do; with stream, a 200 answer's body is left open in ex.resp.Body
// for the caller to read and close.
func (c *Client) send(hc *http.Client, req *http.Request, stream bool) (exchange, error) {
	var sent bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { sent = true }}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := hc.Do(req)
	if err != nil {
		return exchange{sent: sent}, redactErr(err, req.URL)
	}
	c.noteDate(resp.Header.Get("Date"), time.Now())
	p := page{status: resp.StatusCode, header: resp.Header, jenkins: resp.Header.Get("X-Jenkins") != ""}
	if stream && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusPartialContent) {
		return exchange{resp: resp, sent: true, page: p}, nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil && resp.StatusCode < 300 {
		return exchange{sent: true}, redactErr(err, req.URL)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody)) // let the connection be reused
	p.body = string(b)
	return exchange{resp: resp, sent: true, page: p}, nil
}

// redactErr keeps secrets in the URL (token=) out of error text.
func redactErr(err error, u *url.URL) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: auth.RedactURL(u), Err: ue.Err}
	}
	return err
}

// neverSent reports transport failures that prove the request did not reach
// the server: the connection was refused, or the name did not resolve for now.
func neverSent(err error, sent bool) bool {
	if sent {
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns) && (dns.IsTemporary || dns.IsTimeout) && !dns.IsNotFound
}

// permanent reports transport failures that waiting will not cure: certificate
// and TLS problems, and a host name that does not exist.
func permanent(err error) bool {
	var (
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
		recordErr tls.RecordHeaderError
		verify    *tls.CertificateVerificationError
		dns       *net.DNSError
	)
	return errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &invalid) ||
		errors.As(err, &recordErr) || errors.As(err, &verify) || (errors.As(err, &dns) && dns.IsNotFound)
}

// wait sleeps for the retry after attempt n (0-based), honouring Retry-After,
// and reports false when the deadline or ctx does not allow it.
func (c *Client) wait(ctx context.Context, n int, retryAfter string, deadline time.Time) bool {
	d := c.backoff << min(n, 10)
	d = min(d, maxBackoff)
	d = d/2 + rand.N(d/2+1) // jitter: between half and the full delay
	if s, err := strconv.Atoi(retryAfter); err == nil && s >= 0 {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(retryAfter); err == nil {
		d = time.Until(t)
	}
	if time.Now().Add(d).After(deadline) {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Session returns the X-Jenkins-Session last seen; it changes when the
// controller restarts.
func (c *Client) Session() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session
}

// getJSON GETs u, retrying as get does, and decodes a 200 answer into v.
// It returns the status for the caller to interpret 404s.
func (c *Client) getJSON(ctx context.Context, u *url.URL, what string, v any) (int, error) {
	ex, err := c.get(ctx, u, what)
	if err != nil {
		return 0, err
	}
	p := ex.page
	c.noteSession(p.header)
	switch {
	case p.status == http.StatusOK && !p.jenkins && p.html():
		return p.status, notJenkins(c.base, p)
	case p.status == http.StatusOK:
		if err := json.Unmarshal([]byte(p.body), v); err != nil {
			return p.status, &Error{Kind: ErrProtocol, Status: p.status, Err: err,
				Msg: fmt.Sprintf("%s got an answer that is not the expected JSON (%s)", what, Clean(err.Error(), 100))}
		}
		return p.status, nil
	case p.status == http.StatusNotFound:
		return p.status, nil
	case p.status >= 300 && p.status < 400:
		return p.status, c.explainRedirect(TriggerRequest{}, u, p)
	}
	return p.status, c.explainStatus(TriggerRequest{}, p, what)
}

func (c *Client) noteSession(h http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := h.Get("X-Jenkins-Session"); s != "" {
		c.session = s
	}
	if v := h.Get("X-Jenkins"); v != "" {
		c.version = v
	}
}

func (c *Client) noteDate(v string, at time.Time) {
	d, err := http.ParseTime(v)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dates = append(c.dates, dateObs{date: d, at: at})
	if len(c.dates) > 8 {
		c.dates = c.dates[1:]
	}
}

// User is the user the client authenticates as, "anonymous" without one.
func (c *Client) User() string { return displayUser(c.creds.User) }

// SendBound is the earliest time, on the controller's clock, at which a
// request we sent at sentAt (our clock) can have reached Jenkins: a Date was
// made no later than its answer arrived, so the controller's clock was at
// least Date then, and at least Date minus our elapsed time at sentAt. ok is
// false when no answer carried a Date.
func (c *Client) SendBound(sentAt time.Time) (bound time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range c.dates {
		b := o.date.Add(-max(o.at.Sub(sentAt), 0))
		if !ok || b.After(bound) {
			bound, ok = b, true
		}
	}
	return bound, ok
}

// logTransport writes one line per request for --verbose: method, redacted URL,
// status and time.
type logTransport struct {
	base http.RoundTripper
	log  func(string)
}

func (t *logTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	ms := time.Since(start).Milliseconds()
	if err != nil {
		t.log(fmt.Sprintf("http %s %s -> no response after %dms", r.Method, auth.RedactURL(r.URL), ms))
		return resp, err
	}
	t.log(fmt.Sprintf("http %s %s -> %s in %dms", r.Method, auth.RedactURL(r.URL), Clean(resp.Status, 60), ms))
	return resp, nil
}

// Base is the Jenkins base URL the client talks to.
func (c *Client) Base() *url.URL { return c.base }

// Package auth holds credentials for Jenkins and decides how they go on the wire.
//
// Secrets are of type Secret, which never prints its value: fmt, %v, %q and %#v
// all show "[redacted]". Only Reveal returns the value, and only code that puts
// it on the wire calls it.
package auth

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Secret is a credential value that does not print.
type Secret string

// String returns a placeholder, never the value.
func (Secret) String() string { return "[redacted]" }

// GoString returns a placeholder, never the value.
func (Secret) GoString() string { return "[redacted]" }

// Reveal returns the value. Call it only where the value goes on the wire.
func (s Secret) Reveal() string { return string(s) }

// Mode is how a trigger request authenticates.
type Mode int

// The authentication modes, in the order the README recommends them.
const (
	Anonymous      Mode = iota // no credentials
	APIToken                   // user + API token: pre-emptive Basic, no crumb
	Password                   // user + password: Basic plus a session-bound crumb
	JobToken                   // the job's "Trigger builds remotely" token (token=), alone or with a user
	BuildTokenRoot             // /buildByToken/... (build-token-root plugin), crumb-free
)

func (m Mode) String() string {
	switch m {
	case APIToken:
		return "api-token"
	case Password:
		return "password"
	case JobToken:
		return "job-token"
	case BuildTokenRoot:
		return "build-token-root"
	}
	return "anonymous"
}

// Credentials are what the user configured. Zero values mean "not given".
type Credentials struct {
	User      string
	APIToken  Secret
	Password  Secret
	JobToken  Secret
	TokenRoot bool // trigger through /buildByToken (needs JobToken)
}

// ErrIncomplete reports credentials that cannot work as given; each of the
// errors below is also ErrIncomplete.
var ErrIncomplete = errors.New("incomplete credentials")

// Ways credentials can be incomplete.
var (
	ErrNoSecret   = incomplete("a user is set but neither an API token nor a password")
	ErrNoUser     = incomplete("an API token or password is set but no user")
	ErrNoJobToken = incomplete("build-token-root needs the job's trigger token")
)

// Validate reports combinations that cannot work, before anything is sent.
func (c Credentials) Validate() error {
	switch {
	case c.User != "" && c.APIToken == "" && c.Password == "":
		return ErrNoSecret
	case c.User == "" && (c.APIToken != "" || c.Password != ""):
		return ErrNoUser
	case c.TokenRoot && c.JobToken == "":
		return ErrNoJobToken
	}
	return nil
}

type incompleteError string

func (e incompleteError) Error() string { return string(e) }
func (incompleteError) Is(target error) bool {
	return target == ErrIncomplete
}

func incomplete(msg string) error { return incompleteError(msg) }

// Mode tells which authentication mode a trigger uses.
func (c Credentials) Mode() Mode {
	switch {
	case c.TokenRoot:
		return BuildTokenRoot
	case c.JobToken != "":
		return JobToken
	case c.User != "" && c.APIToken != "":
		return APIToken
	case c.User != "" && c.Password != "":
		return Password
	}
	return Anonymous
}

// Basic returns the user and secret for an Authorization: Basic header. An API
// token is preferred over a password: it needs no crumb and works with SSO realms.
func (c Credentials) Basic() (user string, secret Secret, ok bool) {
	switch {
	case c.User == "":
		return "", "", false
	case c.APIToken != "":
		return c.User, c.APIToken, true
	case c.Password != "":
		return c.User, c.Password, true
	}
	return "", "", false
}

// NeedsCrumb tells whether a POST to a core endpoint needs a CSRF crumb. Jenkins
// exempts requests authenticated by API token (ApiCrumbExclusion, 2.96+) and
// /buildByToken; everything else, anonymous included, needs one.
func (c Credentials) NeedsCrumb() bool {
	if c.TokenRoot {
		return false
	}
	_, _, basic := c.Basic()
	return !basic || c.APIToken == ""
}

// Transport adds Basic credentials to requests bound for one origin. A request
// for any other origin (a redirect elsewhere, say) goes without them.
type Transport struct {
	Base   http.RoundTripper
	Origin string // scheme://host[:port], as returned by Origin
	Creds  Credentials
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if user, secret, ok := t.Creds.Basic(); ok && Origin(r.URL) == t.Origin {
		r = r.Clone(r.Context())
		r.SetBasicAuth(user, secret.Reveal())
	}
	return t.Base.RoundTrip(r)
}

// Origin returns scheme://host:port of u, with the default port made explicit,
// so that two URLs of the same origin compare equal.
func Origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// IsLoopback reports whether u points at this machine.
func IsLoopback(u *url.URL) bool {
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// secretQueryKeys are query parameters whose values are secrets.
var secretQueryKeys = []string{"token"}

// RedactURL returns u as text without user info and with secret query values
// replaced, fit for logs and error messages.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q := c.Query()
		for _, k := range secretQueryKeys {
			if _, ok := q[k]; ok {
				q.Set(k, "REDACTED")
			}
		}
		c.RawQuery = q.Encode()
	}
	return c.String()
}

package jenkins

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentinel kinds of failure. Every *Error wraps exactly one; the CLI maps them
// to exit codes.
var (
	ErrAuth        = errors.New("authentication failed") // bad credentials, anonymous, SSO page
	ErrForbidden   = errors.New("forbidden")             // missing permission, wrong job token, crumb rejected
	ErrNotFound    = errors.New("not found")             // job, folder or branch
	ErrRejected    = errors.New("trigger rejected")      // disabled, not parameterized, bad parameter
	ErrUnreachable = errors.New("jenkins unreachable")   // DNS, connect, TLS, proxy, 5xx
	ErrProtocol    = errors.New("unexpected response")   // not Jenkins, no queue id, bad body
)

// Setting is a piece of configuration that a message asks the user to check
// or change. Messages name it in plain words ("the Jenkins URL"); the command
// layer says how it is set (a variable, a flag).
type Setting int

// The settings messages can point at.
const (
	SetURL            Setting = iota + 1 // the Jenkins base URL
	SetJob                               // the job
	SetUser                              // the user ID
	SetAPIToken                          // the user's API token
	SetPassword                          // the user's password
	SetJobToken                          // the job's trigger token
	SetBuildTokenRoot                    // triggering through the build-token-root plugin
	SetParams                            // the build parameters
	SetCACert                            // extra trusted CA certificates
	SetProxy                             // the proxy settings
	SetRequestTimeout                    // the time allowed for one request
	SetInsecure                          // not verifying TLS certificates
	SetCause                             // the cause note of a job-token trigger
)

// Error is a failed exchange with Jenkins, explained in one line for people.
type Error struct {
	Kind   error     // one of the sentinels above
	Msg    string    // what happened and what to do; no secrets
	Status int       // HTTP status, 0 when no response came
	Err    error     // the underlying error, if any (already redacted)
	Fix    []Setting // the settings the message asks to check, if any
}

// fix records the settings the message asks the user to check.
func (e *Error) fix(s ...Setting) *Error {
	e.Fix = s
	return e
}

func (e *Error) Error() string { return e.Msg }

// Unwrap lets errors.Is find both the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func failf(kind error, status int, format string, args ...any) *Error {
	return &Error{Kind: kind, Status: status, Msg: fmt.Sprintf(format, args...)}
}

// page is what we learned from a response for explaining it.
type page struct {
	status  int
	header  http.Header
	body    string // first bytes only
	jenkins bool   // carries X-Jenkins: the answer came from Jenkins itself
}

func (p page) has(s string) bool { return strings.Contains(p.body, s) }

func (p page) html() bool {
	return strings.HasPrefix(strings.ToLower(p.header.Get("Content-Type")), "text/html")
}

var (
	titleRE     = regexp.MustCompile(`(?is)<title>(.*?)</title>`)
	loggingIDRE = regexp.MustCompile(`Logging ID=([0-9a-fA-F-]{36})`)
)

// title returns the page's <title>, cleaned for a one-line message.
func (p page) title() string {
	m := titleRE.FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return Clean(m[1], 100)
}

func (p page) loggingID() string {
	if m := loggingIDRE.FindStringSubmatch(p.body); m != nil {
		return m[1]
	}
	return ""
}

// loginPage reports Jenkins' "Authentication required" 403 for anonymous callers.
func (p page) loginPage() bool {
	return p.has("Authentication required") || p.has("/login?from=") || p.has("securityRealm/commenceLogin")
}

// startingUp reports Jenkins' own 503 page while it loads or restarts: it answers
// instead of the Jenkins object, so nothing was queued.
func (p page) startingUp() bool {
	return p.status == http.StatusServiceUnavailable &&
		(p.has("Jenkins is getting ready to work") || p.has("Jenkins is restarting") ||
			p.has("Starting Jenkins") || p.has("Restarting Jenkins"))
}

// Clean makes text from Jenkins or the user (job names, messages) safe for
// one line of output: white space folds to one space, and control and format
// characters (escape sequences, bidirectional overrides, invalid UTF-8) go.
// Printable text stays as written, in UTF-8: a job named 日本語ジョブ is
// shown so, never as "??????" (a Windows console shows Go's UTF-8 right).
func Clean(s string, max int) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u00a0':
			space = b.Len() > 0
			continue
		case r == utf8.RuneError || !unicode.IsPrint(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		if b.Len() >= max {
			b.WriteString("...")
			break
		}
	}
	return b.String()
}

// permissionName turns X-Required-Permission values into the names the UI shows.
func permissionName(p string) string {
	names := map[string]string{
		"hudson.model.Item.Build":        "Job/Build",
		"hudson.model.Item.Read":         "Job/Read",
		"hudson.model.Item.Discover":     "Job/Discover",
		"hudson.model.Item.Cancel":       "Job/Cancel",
		"hudson.model.Hudson.Read":       "Overall/Read",
		"hudson.model.Hudson.Administer": "Overall/Administer",
	}
	if n, ok := names[p]; ok {
		return n
	}
	return Clean(p, 80)
}

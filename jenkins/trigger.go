package jenkins

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
)

// Param is one build parameter, sent as a form field.
type Param struct{ Name, Value string }

// File is a file parameter: the part is named after the parameter (Jenkins reads
// req.getFileItem(name)), its content read from Path at send time.
type File struct{ Name, Path string }

// TriggerRequest says what to trigger.
type TriggerRequest struct {
	Job    Job
	Params []Param
	Files  []File
	Delay  *time.Duration // nil: the job's own quiet period
	Cause  string         // recorded by Jenkins only for job-token triggers
	// Parameterized, when known from the pre-flight, picks buildWithParameters
	// even without parameters (the job's defaults), or build.
	Parameterized *bool
}

// Queued is an accepted trigger.
type Queued struct {
	ID     int64
	URL    *url.URL // {base}queue/item/ID/, built from our base, not from Location
	Merged bool     // Jenkins folded the request into an item already waiting (303)
	// SentAt is when the trigger that got this answer was sent, on our clock:
	// with SendBound, the earliest moment it can have reached Jenkins. A 201
	// does not show a fold; an item queued before that moment is not ours.
	SentAt time.Time
}

// Planned is one request a trigger sends, for --dry-run and --verbose.
type Planned struct {
	Method string
	URL    string // redacted
	Params []Param
	Files  []File
	Why    string
}

// Plan lists the requests Trigger would send for r, in order, without sending.
// Fallbacks Trigger may take on Jenkins' answer are not listed.
func (c *Client) Plan(r TriggerRequest) []Planned {
	var out []Planned
	if c.creds.NeedsCrumb() {
		out = append(out, Planned{Method: http.MethodGet, URL: auth.RedactURL(c.crumbURL()),
			Why: "fetch a CSRF crumb (" + c.creds.Mode().String() + " auth needs one; the session cookie is kept)"})
	}
	ep := r.endpoint()
	why := "trigger"
	if c.creds.Mode() == auth.BuildTokenRoot {
		why = "trigger through build-token-root (no crumb needed)"
	}
	out = append(out, Planned{Method: http.MethodPost, URL: auth.RedactURL(c.triggerURL(r, ep)),
		Params: r.Params, Files: r.Files, Why: why})
	return out
}

func (r TriggerRequest) endpoint() string {
	if r.Parameterized != nil {
		if *r.Parameterized {
			return "buildWithParameters"
		}
		return "build"
	}
	if len(r.Params) > 0 || len(r.Files) > 0 {
		return "buildWithParameters"
	}
	return "build"
}

func (c *Client) crumbURL() *url.URL { return resolve(c.base, "crumbIssuer/api/json") }

// triggerURL is the POST target. token, delay and cause go in the query string,
// where Jenkins reads them for every endpoint; parameters never do.
func (c *Client) triggerURL(r TriggerRequest, endpoint string) *url.URL {
	q := url.Values{}
	var u *url.URL
	switch c.creds.Mode() {
	case auth.BuildTokenRoot:
		u = resolve(c.base, "buildByToken/"+endpoint)
		q.Set("job", r.Job.FullName())
		q.Set("token", c.creds.JobToken.Reveal())
	case auth.JobToken:
		u = resolve(r.Job.URL(), endpoint)
		q.Set("token", c.creds.JobToken.Reveal())
	default:
		u = resolve(r.Job.URL(), endpoint)
	}
	if r.Delay != nil {
		q.Set("delay", strconv.FormatInt(int64(*r.Delay/time.Second), 10)+"sec")
	}
	if r.Cause != "" && c.creds.JobToken != "" {
		q.Set("cause", r.Cause)
	}
	u.RawQuery = q.Encode()
	return u
}

// body returns the content type and a function that opens a fresh body, so
// that a request that provably never arrived can be sent again.
func (r TriggerRequest) body() (string, func() (io.ReadCloser, error)) {
	if len(r.Files) == 0 {
		form := url.Values{}
		for _, p := range r.Params {
			form.Add(p.Name, p.Value)
		}
		b := []byte(form.Encode())
		return "application/x-www-form-urlencoded", func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(b)), nil
		}
	}
	boundary := multipart.NewWriter(io.Discard).Boundary()
	open := func() (io.ReadCloser, error) {
		for _, f := range r.Files { // fail before sending anything
			if _, err := os.Stat(f.Path); err != nil {
				return nil, fmt.Errorf("file parameter %s: %w", f.Name, err)
			}
		}
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(r.writeMultipart(pw, boundary)) }()
		return pr, nil
	}
	return "multipart/form-data; boundary=" + boundary, open
}

// writeMultipart streams the parameters and files, so large files are never held in memory.
func (r TriggerRequest) writeMultipart(w io.Writer, boundary string) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	for _, p := range r.Params {
		if err := mw.WriteField(p.Name, p.Value); err != nil {
			return err
		}
	}
	for _, f := range r.Files {
		if err := copyFilePart(mw, f); err != nil {
			return err
		}
	}
	return mw.Close()
}

func copyFilePart(mw *multipart.Writer, f File) error {
	in, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("file parameter %s: %w", f.Name, err)
	}
	defer in.Close()
	part, err := mw.CreateFormFile(f.Name, filepath.Base(f.Path))
	if err != nil {
		return err
	}
	_, err = io.Copy(part, in)
	return err
}

// Trigger queues a build of r.Job. The POST is re-sent only when it provably
// never reached Jenkins (refused connection, Jenkins' own start-up page), or
// when Jenkins rejected it before queuing anything in a way we can correct:
// a parameterized job reached through /build, or a CSRF crumb that turned out
// to be needed.
func (c *Client) Trigger(ctx context.Context, r TriggerRequest) (*Queued, error) {
	var cr *Crumb
	if c.creds.NeedsCrumb() {
		var err error
		if cr, err = c.Crumb(ctx); err != nil {
			return nil, interrupted(ctx, err, false)
		}
		c.crumb, c.noCrumb = cr, cr == nil
	}
	endpoint := r.endpoint()
	fellBack, fetchedCrumb := false, cr != nil
	for {
		target := c.triggerURL(r, endpoint)
		ex, err := c.post(ctx, target, r, cr)
		if err != nil {
			return nil, err
		}
		p := ex.page
		switch {
		case endpoint == "build" && !fellBack && p.status == http.StatusBadRequest &&
			(p.has("Nothing is submitted") || p.has("expects a form submission") || c.creds.Mode() == auth.BuildTokenRoot):
			// The job is parameterized: /build wants the UI's json form, which
			// hides the queue item (jenkins-api.md 2.7). 400 means nothing was
			// queued, so trigger it again through buildWithParameters with defaults.
			fellBack = true
			endpoint = "buildWithParameters"
			c.logf("the job is parameterized: triggering it through buildWithParameters with its default values")
			continue
		case p.status == http.StatusForbidden && p.has("No valid crumb") && !fetchedCrumb && c.creds.APIToken != "":
			// CrumbFilter runs before anything is queued. An API token is exempt
			// from crumbs, so this secret is a password: get a crumb and go again.
			fetchedCrumb = true
			c.http.Jar = newJar()
			if cr, err = c.Crumb(ctx); err != nil {
				return nil, interrupted(ctx, err, false)
			}
			c.crumb, c.noCrumb = cr, cr == nil
			c.warn("the API token behaves like a password (Jenkins wanted a CSRF crumb); create an API token at " + resolve(c.base, "me/configure").String())
			continue
		}
		if st := p.status; st == http.StatusTooManyRequests || ((st == http.StatusBadGateway || st == http.StatusServiceUnavailable ||
			st == http.StatusGatewayTimeout) && !p.jenkins && !p.startingUp()) {
			// A proxy answered in Jenkins' place: it may have passed the
			// request on before giving up.
			return nil, &AmbiguousError{SentAt: ex.sentAt, Err: c.explainStatus(r, p, "the trigger")}
		}
		return c.interpretTrigger(r, target, ex)
	}
}

// post sends one trigger POST, re-sending it only while it provably never arrived.
func (c *Client) post(ctx context.Context, target *url.URL, r TriggerRequest, cr *Crumb) (exchange, error) {
	contentType, open := r.body()
	deadline := time.Now().Add(c.retryFor)
	for attempt := 0; ; attempt++ {
		body, err := open()
		if err != nil {
			return exchange{}, err
		}
		req, err := c.newRequest(ctx, http.MethodPost, target, body)
		if err != nil {
			return exchange{}, err
		}
		req.Header.Set("Content-Type", contentType)
		if cr != nil {
			req.Header.Set(cr.Field, cr.Value) // a header: CrumbFilter cannot read multipart fields
		}
		sentAt := time.Now()
		ex, err := c.do(req)
		switch {
		case err != nil && neverSent(err, ex.sent) && c.wait(ctx, attempt, "", deadline):
			c.logf("the trigger did not reach Jenkins (%s); sending it again", Clean(rootCause(err), 120))
			continue
		case err != nil && ctx.Err() != nil:
			return ex, interrupted(ctx, err, ex.sent)
		case err != nil && ex.sent:
			return ex, &AmbiguousError{SentAt: sentAt, Err: explainTransport(ctx, err, ex.sent, c.base, "the trigger")}
		case err != nil:
			return ex, explainTransport(ctx, err, ex.sent, c.base, "the trigger")
		case ex.page.startingUp() && c.wait(ctx, attempt, ex.resp.Header.Get("Retry-After"), deadline):
			c.logf("Jenkins is starting up (HTTP 503); nothing was queued; sending the trigger again")
			continue
		}
		ex.sentAt = sentAt
		return ex, nil
	}
}

// interrupted replaces err by an *InterruptedError when ctx has ended.
func interrupted(ctx context.Context, err error, sent bool) error {
	if ctx.Err() == nil {
		return err
	}
	return &InterruptedError{Sent: sent, Err: context.Cause(ctx)}
}

// QueueURL is {base}queue/item/ID/.
func (c *Client) QueueURL(id int64) *url.URL {
	return resolve(c.base, "queue/item/"+strconv.FormatInt(id, 10)+"/")
}

var queueItemRE = regexp.MustCompile(`/queue/item/([0-9]{1,18})/?$`)

// QueueIDFromLocation reads the queue item number from a trigger's Location
// header, which may be absolute or a path (build-token-root sends a path).
func QueueIDFromLocation(loc string) (int64, bool) {
	u, err := url.Parse(strings.TrimSpace(loc))
	if err != nil {
		return 0, false
	}
	m := queueItemRE.FindStringSubmatch(u.Path)
	if m == nil {
		return 0, false
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	return id, err == nil && id > 0
}

func (c *Client) interpretTrigger(r TriggerRequest, target *url.URL, ex exchange) (*Queued, error) {
	p := ex.page
	switch {
	case p.status == http.StatusCreated || p.status == http.StatusSeeOther:
		loc := p.header.Get("Location")
		id, ok := QueueIDFromLocation(loc)
		if !ok {
			return nil, failf(ErrProtocol, p.status, "Jenkins answered HTTP %d to the trigger of %q but its Location names no queue item (%s), so the build cannot be tracked",
				p.status, r.Job.FullName(), displayLocation(target, loc))
		}
		q := &Queued{ID: id, URL: c.QueueURL(id), Merged: p.status == http.StatusSeeOther, SentAt: ex.sentAt}
		return q, nil
	case p.status >= 300 && p.status < 400:
		return nil, c.explainRedirect(r, target, p)
	}
	return nil, c.explainStatus(r, p, "the trigger")
}

// Crumb is a CSRF crumb and the header it goes in.
type Crumb struct {
	Field string `json:"crumbRequestField"`
	Value string `json:"crumb"`
}

// ParseCrumb reads crumbIssuer/api/json.
func ParseCrumb(b []byte) (*Crumb, error) {
	var cr Crumb
	if err := json.Unmarshal(b, &cr); err != nil {
		return nil, fmt.Errorf("crumb issuer answer is not JSON: %w", err)
	}
	if cr.Value == "" || cr.Field == "" || strings.ContainsAny(cr.Field+cr.Value, "\r\n\x00:") {
		return nil, fmt.Errorf("crumb issuer answer lacks crumb or crumbRequestField")
	}
	return &cr, nil
}

// Crumb fetches a CSRF crumb with the client's cookie jar, which keeps the
// session the crumb is bound to. It returns nil when CSRF protection is off (404).
// Jenkins: GET crumbIssuer/api/json -> 200 {"crumb","crumbRequestField"} + Set-Cookie.
func (c *Client) Crumb(ctx context.Context) (*Crumb, error) {
	ex, err := c.get(ctx, c.crumbURL(), "the crumb request")
	if err != nil {
		return nil, err
	}
	p := ex.page
	switch {
	case p.status == http.StatusNotFound:
		c.logf("crumbIssuer answered 404: CSRF protection is off, no crumb needed")
		return nil, nil
	case p.status == http.StatusOK:
		cr, err := ParseCrumb([]byte(p.body))
		if err != nil {
			if !p.jenkins && p.html() {
				return nil, notJenkins(c.base, p)
			}
			return nil, &Error{Kind: ErrProtocol, Status: p.status, Err: err,
				Msg: "the CSRF crumb request did not get Jenkins' crumb JSON (" + err.Error() + ")"}
		}
		return cr, nil
	case p.status >= 300 && p.status < 400:
		return nil, c.explainRedirect(TriggerRequest{}, c.crumbURL(), p)
	}
	return nil, c.explainStatus(TriggerRequest{}, p, "the CSRF crumb request")
}

// get sends a GET, retrying what GETs may retry: connection failures, 429 and
// 5xx except 501, with capped backoff, jitter and Retry-After, within retryFor.
func (c *Client) get(ctx context.Context, u *url.URL, what string) (exchange, error) {
	return c.getWith(ctx, u, what, false, nil)
}

// getWith is get; with stream, a 200 (or 206) answer's body is left open for
// the caller; hdr are extra request headers (Range).
func (c *Client) getWith(ctx context.Context, u *url.URL, what string, stream bool, hdr http.Header) (exchange, error) {
	deadline := time.Now().Add(c.retryFor)
	hc := c.http
	if stream {
		// A stream (the console) may take longer than one request is allowed;
		// the transport's connect and header timeouts still hold.
		sc := *c.http
		sc.Timeout = 0
		hc = &sc
	}
	for attempt := 0; ; attempt++ {
		req, err := c.newRequest(ctx, http.MethodGet, u, nil)
		if err != nil {
			return exchange{}, err
		}
		req.Header.Set("Accept", "application/json")
		for k, v := range hdr {
			req.Header[k] = v
		}
		ex, err := c.send(hc, req, stream)
		if err != nil {
			if !permanent(err) && c.wait(ctx, attempt, "", deadline) {
				continue
			}
			return ex, explainTransport(ctx, err, ex.sent, c.base, what)
		}
		if st := ex.page.status; st == http.StatusTooManyRequests || (st >= 500 && st != http.StatusNotImplemented) {
			if c.wait(ctx, attempt, ex.resp.Header.Get("Retry-After"), deadline) {
				c.logf("HTTP %d on a GET; trying again", st)
				continue
			}
		}
		return ex, nil
	}
}

func (c *Client) logf(format string, args ...any) {
	if c.log != nil {
		c.log(fmt.Sprintf(format, args...))
	}
}

// warn reports something the user should fix although the trigger went through.
func (c *Client) warn(msg string) {
	if c.Warn != nil {
		c.Warn(msg)
	}
}

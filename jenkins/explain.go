package jenkins

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
)

// explainStatus turns an error status into one line with the fix
// (jenkins-api.md sections 3.2 and 9).
func (c *Client) explainStatus(r TriggerRequest, p page, what string) *Error {
	job := quoteJob(r)
	user := c.creds.User
	mode := c.creds.Mode()
	st := p.status
	switch st {
	case http.StatusUnauthorized:
		if wa := p.header.Get("WWW-Authenticate"); wa != "" && !strings.HasPrefix(strings.ToLower(wa), `basic realm="jenkins"`) {
			return failf(ErrAuth, st, "%s was refused with a %q challenge instead of Jenkins' Basic one (HTTP 401): an authenticating proxy (SSO gateway) is in front of Jenkins; use an API route that bypasses it", what, Clean(firstWord(wa), 30))
		}
		hint, fix := "check that the user is the Jenkins user ID (not the display name or e-mail) and that the API token is current", []Setting{SetUser, SetAPIToken}
		if mode == auth.Password || c.creds.APIToken == "" {
			hint, fix = "check the user (the Jenkins user ID) and the password; better, use an API token, since SSO realms and -Djenkins.security.ignoreBasicAuth refuse passwords", []Setting{SetUser, SetPassword, SetAPIToken}
		}
		return failf(ErrAuth, st, "Jenkins rejected the credentials of user %q (HTTP 401): %s (create a token at %s)", user, hint, resolve(c.base, "me/configure")).fix(fix...)
	case http.StatusForbidden:
		return c.explainForbidden(r, p, what)
	case http.StatusNotFound:
		if mode == auth.BuildTokenRoot {
			return failf(ErrNotFound, st, "build-token-root found no enabled job %s with a trigger token (HTTP 404): check the full name, that the job is enabled, and that its Trigger builds remotely option has a token (multibranch branch jobs cannot have one)", job)
		}
		if r.Job.Base == nil {
			return failf(ErrNotFound, st, "%s got HTTP 404 at %s: check the Jenkins URL, including its context path such as /jenkins/", what, c.base.Redacted()).fix(SetURL)
		}
		return failf(ErrNotFound, st, "job %s not found at %s (HTTP 404), or user %q lacks Job/Read on it: names are case-sensitive item names (not display names), a job in a folder is folder/name, and multibranch branch feature/foo is repo/feature%%2Ffoo",
			job, r.Job.URL().Redacted(), displayUser(user))
	case http.StatusMethodNotAllowed:
		return failf(ErrProtocol, st, "Jenkins answered HTTP 405 (this URL requires POST) to %s: something between us and Jenkins turned the POST into a GET, usually a redirect; set the Jenkins URL to the address Jenkins itself serves", what).fix(SetURL)
	case http.StatusConflict:
		return failf(ErrRejected, st, "job %s is disabled or not buildable (HTTP 409): enable it in Jenkins; a job created or copied but never saved, or a disabled multibranch parent, answers the same", job)
	case http.StatusBadRequest:
		switch {
		case p.has("is not parameterized"):
			return failf(ErrRejected, st, "job %s takes no parameters (HTTP 400) but parameters were given: drop them, or, if it is a Pipeline that declares parameters, run it once so Jenkins learns them", job)
		case p.has("Nothing is submitted") || p.has("expects a form submission"):
			return failf(ErrRejected, st, "job %s is parameterized and refused a trigger without parameters (HTTP 400); pass its parameters", job).fix(SetParams)
		case p.has("Semicolons are not allowed"):
			return failf(ErrProtocol, st, "Jenkins refuses URLs containing ';' (HTTP 400); remove the ';' from the Jenkins URL").fix(SetURL)
		case mode == auth.BuildTokenRoot:
			return failf(ErrRejected, st, "build-token-root refused to trigger %s (HTTP 400): the job is disabled, or takes parameters and got none, or takes none and got some", job)
		}
		return failf(ErrRejected, st, "Jenkins refused %s of %s (HTTP 400 %s)", what, job, p.title())
	case http.StatusInternalServerError:
		if id := p.loggingID(); id != "" || p.jenkins {
			if id == "" {
				id = "not shown"
			}
			return failf(ErrRejected, st, "Jenkins failed on %s of %s (HTTP 500, Logging ID %s): usually a parameter value it cannot take, such as a choice not in the list, a run parameter not naming an existing build (job#N), a parameter given twice, or parameters for a job that has none (Jenkins before 2.524); give the Logging ID to a Jenkins admin for the details",
				what, job, id)
		}
	case http.StatusServiceUnavailable:
		if p.startingUp() {
			return failf(ErrUnreachable, st, "Jenkins is still starting up or restarting (HTTP 503) after retrying for %s; nothing was queued; run again once it is up", c.retryFor)
		}
	case http.StatusTooManyRequests:
		return failf(ErrUnreachable, st, "%s was refused for too many requests (HTTP 429, Retry-After %q), by a rate limiter in front of Jenkins", what, Clean(p.header.Get("Retry-After"), 20))
	case http.StatusOK:
		if !p.jenkins && p.html() {
			return notJenkins(c.base, p)
		}
		return failf(ErrProtocol, st, "Jenkins answered HTTP 200 with a page instead of queuing a build for %s (%s)", what, p.title())
	}
	if st >= 500 {
		source := "Jenkins"
		if !p.jenkins {
			source = "a server that is not Jenkins (no X-Jenkins header; a proxy?)"
		}
		return failf(ErrUnreachable, st, "%s answered HTTP %d to %s", source, st, what)
	}
	return failf(ErrProtocol, st, "unexpected HTTP %d from Jenkins to %s (%s)", st, what, p.title())
}

func (c *Client) explainForbidden(r TriggerRequest, p page, what string) *Error {
	st := p.status
	job := quoteJob(r)
	mode := c.creds.Mode()
	switch {
	case p.has("No valid crumb"):
		switch {
		case c.creds.APIToken != "":
			return failf(ErrForbidden, st, "Jenkins rejected %s for a CSRF crumb although an API token was sent and a crumb then fetched (HTTP 403 No valid crumb): a proxy may strip the session cookie; check that the API token is an API token, not a password", what).fix(SetAPIToken)
		case mode == auth.Password:
			return failf(ErrForbidden, st, "Jenkins rejected the CSRF crumb (HTTP 403 No valid crumb): the crumb is bound to the session cookie, which did not come back (a proxy stripping cookies, or a load balancer without sticky sessions); use an API token instead of a password, which needs no crumb")
		}
		return failf(ErrAuth, st, "Jenkins rejected the anonymous POST for a missing CSRF crumb (HTTP 403 No valid crumb): set a user and API token, or use build-token-root").fix(SetUser, SetAPIToken, SetBuildTokenRoot)
	case p.has("Invalid token provided"):
		return failf(ErrForbidden, st, "Jenkins rejected the job token for %s (HTTP 403 Invalid token provided): a wrong token is refused even when the user could build; compare it with the job's Trigger builds remotely token, or drop it and rely on the user and API token", job).fix(SetJobToken)
	case p.header.Get("X-Required-Permission") != "":
		who := p.header.Get("X-You-Are-Authenticated-As")
		if who == "" {
			who = displayUser(c.creds.User)
		}
		perm := permissionName(p.header.Get("X-Required-Permission"))
		target := what
		if r.Job.Base != nil && !strings.Contains(what, job) {
			target += " of " + job
		}
		if who == "anonymous" || mode == auth.Anonymous {
			// 2.568.2 names the anonymous caller and Overall/Read: credentials are
			// missing, not a permission.
			return failf(ErrAuth, st, "Jenkins refused %s to an anonymous caller (HTTP 403, needs %s): set a user and API token", target, perm).fix(SetUser, SetAPIToken)
		}
		return failf(ErrForbidden, st, "user %q lacks the %s permission needed for %s (HTTP 403); ask a Jenkins admin to grant it",
			Clean(who, 60), perm, target)
	case p.loginPage():
		switch mode {
		case auth.BuildTokenRoot:
			return failf(ErrForbidden, st, "build-token-root rejected the job token for %s (HTTP 403): compare the job token with the job's Trigger builds remotely token", job).fix(SetJobToken)
		case auth.JobToken:
			if c.creds.User == "" {
				return failf(ErrAuth, st, "Jenkins treated the job-token request as anonymous and refused it (HTTP 403): a job token alone works only when anonymous users may read the job; use build-token-root, or set a user and API token (or the token is wrong)").fix(SetBuildTokenRoot, SetUser, SetAPIToken)
			}
		case auth.Anonymous:
			return failf(ErrAuth, st, "Jenkins treated %s as anonymous and refused it (HTTP 403 login page): set a user and API token", what).fix(SetUser, SetAPIToken)
		}
		return failf(ErrAuth, st, "Jenkins treated %s as anonymous although credentials were sent (HTTP 403 login page): a proxy may strip the Authorization header", what)
	case mode == auth.BuildTokenRoot && strings.TrimSpace(p.body) == "":
		return failf(ErrRejected, st, "build-token-root accepted the token but the queue refused to schedule %s (HTTP 403)", job)
	case !p.jenkins:
		return failf(ErrForbidden, st, "a server that is not Jenkins (no X-Jenkins header) refused %s (HTTP 403 %s): a proxy or firewall is in the way", what, p.title())
	}
	return failf(ErrForbidden, st, "Jenkins refused %s of %s (HTTP 403 %s)", what, job, p.title())
}

// loginMarkers are path pieces of login pages of Jenkins and of SSO gateways.
var loginMarkers = []string{"/login", "/oauth2/", "/saml", "/adfs/", "/auth/realms/", "/cdn-cgi/access/",
	"login.microsoftonline", "/authorize", "securityRealm/commenceLogin", "/sso/", "/idp/"}

func (c *Client) explainRedirect(r TriggerRequest, from *url.URL, p page) *Error {
	st := p.status
	loc := p.header.Get("Location")
	to, err := from.Parse(loc)
	if loc == "" || err != nil {
		return failf(ErrProtocol, st, "Jenkins answered HTTP %d without a usable Location", st)
	}
	shown := displayURL(to)
	lower := strings.ToLower(to.String())
	for _, m := range loginMarkers {
		if strings.Contains(lower, strings.ToLower(m)) {
			return failf(ErrAuth, st, "the request was redirected to a login page (%s, HTTP %d): an SSO gateway is in front of Jenkins; API calls must bypass it or carry its token", shown, st)
		}
	}
	if auth.Origin(to) != auth.Origin(c.base) {
		suggest := &url.URL{Scheme: to.Scheme, Host: to.Host, Path: c.base.Path}
		return failf(ErrProtocol, st, "Jenkins redirected the request to %s (HTTP %d); set the Jenkins URL to %s, since a followed redirect turns the POST into a GET and would send credentials elsewhere",
			shown, st, suggest.Redacted()).fix(SetURL)
	}
	if r.Job.Base != nil && strings.HasPrefix(to.Path, strings.TrimSuffix(r.Job.URL().Path, "/")) && !strings.Contains(to.Path, "/queue/") {
		return failf(ErrRejected, st, "Jenkins took the request for %s but queued nothing (HTTP %d to the job page): a plugin's queue decision refused it; a multibranch project answers the same way after starting a branch scan, so trigger a branch job such as repo/main instead",
			quoteJob(r), st)
	}
	return failf(ErrProtocol, st, "Jenkins redirected the request to %s (HTTP %d) instead of queuing it; check the Jenkins URL", shown, st).fix(SetURL)
}

// explainTransport explains a request that got no HTTP answer.
func explainTransport(ctx context.Context, err error, sent bool, base *url.URL, what string) error {
	if ctx.Err() != nil {
		return ctx.Err() // interrupted or timed out by the caller: not Jenkins' fault
	}
	host := base.Host
	cause := Clean(rootCause(err), 160)
	var (
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
		recordErr tls.RecordHeaderError
		dnsErr    *net.DNSError
		opErr     *net.OpError
	)
	e := &Error{Kind: ErrUnreachable, Err: err}
	switch {
	case errors.As(err, &unknownCA):
		e.Msg = "the TLS certificate of " + host + " is signed by an unknown authority (self-signed or a private CA); trust that CA's certificate"
		e.Fix = []Setting{SetCACert}
	case errors.As(err, &hostErr):
		e.Msg = "the TLS certificate of " + host + " is not valid for that name (" + cause + "); use the host name the certificate names in the Jenkins URL"
		e.Fix = []Setting{SetURL}
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		e.Msg = "the TLS certificate of " + host + " has expired or is not yet valid (" + cause + "); ask the Jenkins admin to renew it"
	case errors.As(err, &invalid):
		e.Msg = "the TLS certificate of " + host + " is invalid (" + cause + ")"
	case errors.As(err, &recordErr):
		e.Msg = host + " does not speak TLS; use http:// in the Jenkins URL, or the HTTPS port"
		e.Fix = []Setting{SetURL}
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		e.Msg = "cannot resolve the host " + Clean(dnsErr.Name, 80) + ": check the host name in the Jenkins URL"
		e.Fix = []Setting{SetURL}
	case errors.As(err, &opErr) && opErr.Op == "proxyconnect":
		e.Msg = "the proxy refused or failed the connection to " + host + " (" + cause + "); check the proxy settings"
		e.Fix = []Setting{SetProxy}
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Msg = "connection refused by " + host + ": is Jenkins running there, and is the port in the Jenkins URL right?"
		e.Fix = []Setting{SetURL}
	case !sent:
		e.Msg = "cannot reach Jenkins at " + host + " (" + cause + "); " + what + " was not sent"
	default:
		var ne net.Error
		timeout := errors.As(err, &ne) && ne.Timeout()
		how := "the connection failed"
		if timeout {
			how = "no answer came within the request timeout"
			e.Fix = []Setting{SetRequestTimeout}
		}
		e.Msg = how + " after " + what + " was sent to " + host + " (" + cause + ")"
	}
	return e
}

// rootCause is the innermost error text, without Go's "Post URL:" wrapping.
func rootCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

func notJenkins(base *url.URL, p page) *Error {
	return failf(ErrAuth, p.status, "the answer from %s is an HTML page that did not come from Jenkins (no X-Jenkins header; title %q), most likely the login page of an SSO gateway or proxy: API calls must bypass it or carry its token",
		base.Host, p.title())
}

// displayURL shows where a URL goes without its query, which may echo secrets
// (a login page's ?from= carries our own request URL).
func displayURL(u *url.URL) string {
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return c.String()
}

func displayLocation(from *url.URL, loc string) string {
	if loc == "" {
		return "none"
	}
	u, err := from.Parse(loc)
	if err != nil {
		return "unreadable"
	}
	return displayURL(u)
}

func quoteJob(r TriggerRequest) string {
	return `"` + Clean(r.Job.FullName(), 200) + `"`
}

func displayUser(u string) string {
	if u == "" {
		return "anonymous"
	}
	return u
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	return w
}

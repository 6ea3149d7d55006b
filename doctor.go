package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// finding is one line of doctor's report: an area, its status (ok, warn,
// FAIL), what was found and, for a failure, the error whose kind decides the
// exit code.
type finding struct {
	area, status, msg string
	err               error
}

// checkup collects the findings of doctor's small checks.
type checkup struct{ findings []finding }

func (d *checkup) ok(area, format string, args ...any) {
	d.findings = append(d.findings, finding{area: area, status: "ok", msg: fmt.Sprintf(format, args...)})
}

func (d *checkup) warn(area, format string, args ...any) {
	d.findings = append(d.findings, finding{area: area, status: "warn", msg: fmt.Sprintf(format, args...)})
}

func (d *checkup) fail(area string, err error) {
	d.findings = append(d.findings, finding{area: area, status: "FAIL", msg: describe(err), err: err})
}

// doctorError is doctor's result: how many steps failed, exiting with the code of the first.
type doctorError struct {
	first error
	fails int
}

func (e *doctorError) Error() string {
	return fmt.Sprintf("doctor found %d problem(s); the first: %v", e.fails, e.first)
}
func (e *doctorError) Unwrap() error { return e.first }

// Run is `jenkins-trigger doctor [JOB]`: it checks every step from here to the
// job and never triggers anything; it prints one line per finding.
func (cmd *doctorCmd) Run(ctx context.Context, a *app) error {
	d := &checkup{}
	ctx, cancel := task.Bound(ctx, a.start, a.cfg.Timeout)
	defer cancel()
	if err := diagnose(ctx, a, d); err != nil && ctx.Err() == nil {
		d.fail("settings", err)
	}

	var first error
	fails := 0
	for _, f := range d.findings {
		fmt.Fprintln(a.env.Stdout, msbuildSafe(fmt.Sprintf("%-4s  %-9s %s", f.status, f.area, jenkins.Clean(f.msg, 2000))))
		if f.err != nil {
			fails++
			if first == nil {
				first = f.err
			}
		}
	}
	if ctx.Err() != nil {
		return task.Ended(ctx, ctx.Err(), "checking the way to Jenkins")
	}
	if first != nil {
		return &doctorError{first: first, fails: fails}
	}
	return nil
}

func diagnose(ctx context.Context, a *app, d *checkup) error {
	cfg, e := a.cfg, a.env
	for _, st := range cfg.list() {
		src, found := cfg.origin[st.name]
		if !found || st.name == "JENKINS_USER_ID" {
			continue
		}
		value := st.value
		if isSecretSetting(st.name) {
			value = "[redacted]"
		}
		d.ok("settings", "%s = %s (from %s)", st.name, value, src)
	}
	var job jenkins.Job
	var err error
	if cfg.Job != "" {
		if job, err = a.job(cfg.Job); err != nil {
			return err
		}
	} else {
		if cfg.URL == "" {
			return usagef("JENKINS_URL is not set")
		}
		if job.Base, err = jenkins.ParseBase(cfg.URL); err != nil {
			return err
		}
	}
	base := job.Base
	client, creds, err := a.client(base)
	if err != nil {
		return err
	}
	d.ok("auth", "mode %s%s", creds.Mode(), authNote(creds))

	direct := true
	if e.Proxy != nil {
		req, _ := http.NewRequest(http.MethodGet, base.String(), nil)
		if pu, err := e.Proxy(req); err != nil {
			d.fail("proxy", &jenkins.Error{Kind: jenkins.ErrUnreachable, Msg: "the proxy settings cannot be read: " + err.Error()})
		} else if pu != nil {
			direct = false
			d.ok("proxy", "requests to %s go through the proxy %s (from HTTPS_PROXY or HTTP_PROXY; NO_PROXY exempts hosts)", base.Host, pu.Redacted())
		}
	}
	if direct {
		d.ok("proxy", "none: %s is reached directly", base.Host)
		var caPEM []byte
		if cfg.CACert != "" {
			caPEM = a.caPEM
		}
		if !network(ctx, d, cfg, caPEM, base.Hostname(), portOf(base), base.Scheme == "https") {
			return nil
		}
	} else {
		d.warn("network", "DNS, TCP and TLS of %s are the proxy's business; the next step checks the whole way", base.Host)
	}

	who, err := client.WhoAmI(ctx)
	if err != nil {
		area := "jenkins"
		if je := (*jenkins.Error)(nil); errors.As(err, &je) && je.Status == http.StatusUnauthorized {
			area = "identity" // Jenkins itself refused the credentials
		}
		d.fail(area, err)
		return nil
	}
	d.ok("jenkins", "Jenkins %s answers at %s (it sent X-Jenkins; session %s)", orUnknown(client.Version()), base.Redacted(), orUnknown(client.Session()))
	_, _, basic := creds.Basic()
	switch {
	case basic && who.Anonymous:
		d.fail("identity", &jenkins.Error{Kind: jenkins.ErrAuth, Msg: "credentials were sent but Jenkins sees an anonymous caller: a proxy may strip the Authorization header"})
	case basic:
		d.ok("identity", "authenticated as %q", who.Name)
	default:
		d.warn("identity", "no user credentials: requests run as anonymous; set JENKINS_USER and JENKINS_API_TOKEN unless anonymous users may read and build")
	}

	needsCrumb, err := client.NeedsCrumbForPOST(ctx)
	switch {
	case err != nil:
		d.fail("secret", err)
	case creds.APIToken != "" && !needsCrumb:
		d.ok("secret", "JENKINS_API_TOKEN behaves like an API token: POSTs need no CSRF crumb")
	case creds.APIToken != "":
		d.warn("secret", "JENKINS_API_TOKEN behaves like a password (Jenkins wants a CSRF crumb for it): it works, with a crumb, but create an API token at %s", base.String()+"me/configure")
	case creds.Password != "" && needsCrumb:
		d.ok("secret", "JENKINS_PASSWORD is a password: every POST needs a CSRF crumb bound to a session cookie (fetched for you); an API token would need none")
	case creds.Password != "":
		d.warn("secret", "POSTs with JENKINS_PASSWORD need no crumb: CSRF protection is off, or the password is in fact an API token")
	}
	if needsCrumb {
		switch cr, err := client.Crumb(ctx); {
		case err != nil:
			d.fail("crumb", err)
		case cr == nil:
			d.ok("crumb", "no crumb issuer (404): CSRF protection is off")
		default:
			d.ok("crumb", "a crumb can be had: header %s, bound to the session cookie", cr.Field)
		}
	}

	switch creds.Mode() {
	case auth.JobToken:
		if basic {
			d.warn("job-token", "JENKINS_JOB_TOKEN is sent along with user credentials: a wrong token is refused even though the user could build; drop it unless you want --cause recorded")
		} else {
			d.warn("job-token", "a job token alone runs as anonymous: it works only when anonymous users may read the job; --build-token-root avoids that")
		}
	case auth.BuildTokenRoot:
		d.ok("job-token", "build-token-root: triggers through %sbuildByToken/ (the plugin must be installed and the job must have a token; multibranch branches cannot); following the build needs JENKINS_USER with Job/Read", base.Redacted())
	}

	if len(job.Names) == 0 {
		d.ok("job", "no job given: pass JOB to check it too")
		return nil
	}
	info, err := client.JobInfo(ctx, job)
	if err != nil {
		d.fail("job", err)
		return nil
	}
	if _, err := task.Check(info, jenkins.TriggerRequest{Job: job}, nil); err != nil {
		d.fail("job", err)
		return nil
	}
	var params []string
	for _, p := range info.Params() {
		params = append(params, p.Name+" ("+p.Kind()+")")
	}
	desc := "no parameters (triggered through build)"
	if len(params) > 0 {
		desc = fmt.Sprintf("%d parameter(s): %s (see jenkins-trigger params)", len(params), strings.Join(params, ", "))
	}
	kind := info.Class[strings.LastIndex(info.Class, ".")+1:]
	d.ok("job", "%q found (%s), buildable, %s", job.FullName(), kind, desc)
	checkBuild(ctx, d, client, creds, job, len(params) > 0)
	return nil
}

// checkBuild asks Jenkins whether the user may build the job, without
// building it (jenkins.Client.CanBuild).
func checkBuild(ctx context.Context, d *checkup, client *jenkins.Client, creds auth.Credentials, job jenkins.Job, parameterized bool) {
	user, _, basic := creds.Basic()
	switch {
	case creds.Mode() == auth.BuildTokenRoot:
		d.ok("build", "build-token-root triggers with the job token alone: Job/Build of a user is not needed")
		return
	case !basic:
		d.warn("build", "no user credentials: whether anonymous may build %q is not checked", job.FullName())
		return
	}
	ok, err := client.CanBuild(ctx, job, parameterized)
	switch {
	case ok:
		d.ok("build", "%q may build %q (Job/Build; asked without triggering)", user, job.FullName())
	case creds.Mode() == auth.JobToken && errors.Is(err, jenkins.ErrForbidden):
		d.warn("build", "%s; the job token must be right, since it replaces Job/Build", describe(err))
	default:
		d.fail("build", err)
	}
}

// network checks DNS, TCP and TLS to host:port; false when one failed.
func network(ctx context.Context, d *checkup, cfg *config, caPEM []byte, host, port string, useTLS bool) bool {
	addr := net.JoinHostPort(host, port)
	if net.ParseIP(host) != nil {
		d.ok("dns", "%s is an address: nothing to resolve", host)
	} else {
		addrs, err := net.DefaultResolver.LookupHost(ctx, host)
		if err != nil {
			d.fail("dns", &jenkins.Error{Kind: jenkins.ErrUnreachable, Err: err, Msg: "cannot resolve " + host + " (" + jenkins.Clean(err.Error(), 120) + "): check the host name in JENKINS_URL and the machine's DNS"})
			return false
		}
		d.ok("dns", "%s resolves to %s", host, strings.Join(addrs, ", "))
	}
	start := time.Now()
	conn, err := (&net.Dialer{Timeout: cfg.ConnectTimeout}).DialContext(ctx, "tcp", addr)
	if err != nil {
		d.fail("tcp", &jenkins.Error{Kind: jenkins.ErrUnreachable, Err: err, Msg: "cannot connect to " + addr + " (" + jenkins.Clean(err.Error(), 120) + "): is Jenkins running there, is the port right, does a firewall block it?"})
		return false
	}
	conn.Close()
	d.ok("tcp", "connected to %s in %s", addr, time.Since(start).Round(time.Millisecond))
	if !useTLS {
		return true
	}
	return checkTLS(ctx, d, cfg, caPEM, host, addr)
}

func checkTLS(ctx context.Context, d *checkup, cfg *config, caPEM []byte, host, addr string) bool {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	trust := "the system's trusted roots"
	if len(caPEM) > 0 && roots.AppendCertsFromPEM(caPEM) {
		trust += " and --ca-cert " + cfg.CACert
	}
	dial := func(verify bool) (*tls.ConnectionState, error) {
		td := tls.Dialer{NetDialer: &net.Dialer{Timeout: cfg.ConnectTimeout},
			Config: &tls.Config{ServerName: host, RootCAs: roots, InsecureSkipVerify: !verify, MinVersion: tls.VersionTLS12}} //nolint:gosec // the unverified dial only describes the certificate
		c, err := td.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		st := c.(*tls.Conn).ConnectionState()
		return &st, nil
	}
	st, verr := dial(true)
	if verr != nil {
		seen, err := dial(false)
		if err != nil {
			d.fail("tls", &jenkins.Error{Kind: jenkins.ErrUnreachable, Err: err, Msg: "no TLS handshake with " + addr + " (" + jenkins.Clean(err.Error(), 120) + "): is it an https port?"})
			return false
		}
		cert := describeCert(seen)
		if cfg.Insecure {
			d.warn("tls", "%s; not trusted (%s), accepted only because of --insecure", cert, jenkins.Clean(rootCause(verr), 120))
			return true
		}
		d.fail("tls", &jenkins.Error{Kind: jenkins.ErrUnreachable, Err: verr, Msg: fmt.Sprintf("%s; verification against %s failed (%s): pass the issuing CA with --ca-cert FILE, or have the certificate renewed or reissued for %s",
			cert, trust, jenkins.Clean(rootCause(verr), 160), host)})
		return false
	}
	leaf := st.PeerCertificates[0]
	left := time.Until(leaf.NotAfter)
	if left < 14*24*time.Hour {
		d.warn("tls", "%s; trusted through %s, but it expires in %s", describeCert(st), trust, left.Round(time.Hour))
	} else {
		d.ok("tls", "%s; trusted through %s", describeCert(st), trust)
	}
	return true
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

func rootCause(err error) string {
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

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

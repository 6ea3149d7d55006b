// Package doctor checks every step from this machine to Jenkins and a job,
// and returns what it found: one Finding per step, in order, each with the
// settings to check when it failed. It triggers nothing and prints nothing;
// like task and jenkins it names no flag or variable (the CLI adds those
// words from Finding.Fix and the errors' jenkins.Setting).
package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// Status is how a step went.
type Status string

// The statuses, as the report shows them.
const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "FAIL"
)

// Finding is one line of the report. A failed step has Err, whose kind
// decides the exit code; Fix names the settings the line is about, which a
// warning asks to look at.
type Finding struct {
	Area   string // auth, proxy, dns, tcp, tls, jenkins, identity, secret, crumb, job-token, job, build
	Status Status
	Msg    string
	Fix    []jenkins.Setting
	Err    error
}

// Check is what doctor checks: the client that requests would use, its
// credentials, and the job (no Names: only the way to Jenkins).
type Check struct {
	Client *jenkins.Client
	Creds  auth.Credentials
	Job    jenkins.Job
}

type report struct{ findings []Finding }

func (r *report) ok(area, format string, args ...any) {
	r.findings = append(r.findings, Finding{Area: area, Status: OK, Msg: fmt.Sprintf(format, args...)})
}

// okAbout is ok, naming the settings the line is about.
func (r *report) okAbout(area string, about []jenkins.Setting, format string, args ...any) {
	r.findings = append(r.findings, Finding{Area: area, Status: OK, Msg: fmt.Sprintf(format, args...), Fix: about})
}

func (r *report) warn(area string, fix []jenkins.Setting, format string, args ...any) {
	r.findings = append(r.findings, Finding{Area: area, Status: Warn, Msg: fmt.Sprintf(format, args...), Fix: fix})
}

func (r *report) fail(area string, err error) {
	r.findings = append(r.findings, Finding{Area: area, Status: Fail, Msg: err.Error(), Err: err})
}

// Run checks the way, the identity, the secret, the crumb, the job token,
// the job and the permission to build it, stopping where a failed step
// makes the next ones meaningless. When ctx ends, what was found so far is
// returned.
func Run(ctx context.Context, ch Check) []Finding {
	r := &report{}
	r.check(ctx, ch)
	return r.findings
}

func (r *report) check(ctx context.Context, ch Check) {
	client, creds, job := ch.Client, ch.Creds, ch.Job
	probes, reached := client.ProbeWay(ctx)
	for _, p := range probes {
		switch {
		case p.Err != nil:
			r.fail(p.Area, p.Err)
		case p.Warn:
			r.warn(p.Area, p.Fix, "%s", p.Msg)
		default:
			r.ok(p.Area, "%s", p.Msg)
		}
	}
	if !reached {
		return
	}
	who, err := client.WhoAmI(ctx)
	if err != nil {
		area := "jenkins"
		if je := (*jenkins.Error)(nil); errors.As(err, &je) && je.Status == http.StatusUnauthorized {
			area = "identity" // Jenkins itself refused the credentials
		}
		r.fail(area, err)
		return
	}
	r.ok("jenkins", "Jenkins %s answers at %s (it sent X-Jenkins; session %s)", orUnknown(client.Version()), job.Base.Redacted(), orUnknown(client.Session()))
	_, _, basic := creds.Basic()
	switch {
	case basic && who.Anonymous:
		r.fail("identity", &jenkins.Error{Kind: jenkins.ErrAuth, Msg: "credentials were sent but Jenkins sees an anonymous caller: a proxy may strip the Authorization header"})
	case basic:
		r.ok("identity", "authenticated as %q", who.Name)
	default:
		r.warn("identity", []jenkins.Setting{jenkins.SetUser, jenkins.SetAPIToken},
			"no user credentials: requests run as anonymous; set a user and API token unless anonymous users may read and build")
	}
	r.secret(ctx, client, creds)
	switch creds.Mode() {
	case auth.JobToken:
		if basic {
			r.warn("job-token", []jenkins.Setting{jenkins.SetJobToken, jenkins.SetCause},
				"the job token is sent along with user credentials: a wrong token is refused even though the user could build; drop it unless a cause note is wanted")
		} else {
			r.warn("job-token", []jenkins.Setting{jenkins.SetBuildTokenRoot},
				"a job token alone runs as anonymous: it works only when anonymous users may read the job; build-token-root avoids that")
		}
	case auth.BuildTokenRoot:
		r.ok("job-token", "build-token-root: triggers through %sbuildByToken/ (the plugin must be installed and the job must have a token; multibranch branches cannot); following the build needs a user with Job/Read", job.Base.Redacted())
	}
	if len(job.Names) == 0 {
		r.okAbout("job", []jenkins.Setting{jenkins.SetJob}, "no job given: name one to check it too")
		return
	}
	r.job(ctx, client, creds, job)
}

// secret says whether the API token is one (POSTs need no crumb) and that a
// crumb can be had when one is needed.
func (r *report) secret(ctx context.Context, client *jenkins.Client, creds auth.Credentials) {
	needsCrumb, err := client.NeedsCrumbForPOST(ctx)
	switch {
	case err != nil:
		r.fail("secret", err)
	case creds.APIToken != "" && !needsCrumb:
		r.okAbout("secret", []jenkins.Setting{jenkins.SetAPIToken}, "the API token behaves like one: POSTs need no CSRF crumb")
	case creds.APIToken != "":
		r.warn("secret", []jenkins.Setting{jenkins.SetAPIToken},
			"the API token behaves like a password (Jenkins wants a CSRF crumb for it): it works, with a crumb, but create an API token at %s", client.Base().String()+"me/configure")
	case creds.Password != "" && needsCrumb:
		r.okAbout("secret", []jenkins.Setting{jenkins.SetPassword}, "the password is a password: every POST needs a CSRF crumb bound to a session cookie (fetched for you); an API token would need none")
	case creds.Password != "":
		r.warn("secret", []jenkins.Setting{jenkins.SetPassword}, "POSTs with the password need no crumb: CSRF protection is off, or the password is in fact an API token")
	}
	if !needsCrumb {
		return
	}
	switch cr, err := client.Crumb(ctx); {
	case err != nil:
		r.fail("crumb", err)
	case cr == nil:
		r.ok("crumb", "no crumb issuer (404): CSRF protection is off")
	default:
		r.ok("crumb", "a crumb can be had: header %s, bound to the session cookie", cr.Field)
	}
}

// job reads the job, checks it as the pre-flight would, and asks Jenkins
// whether the user may build it, without building it.
func (r *report) job(ctx context.Context, client *jenkins.Client, creds auth.Credentials, job jenkins.Job) {
	info, err := client.JobInfo(ctx, job)
	if err != nil {
		r.fail("job", err)
		return
	}
	if _, err := task.Check(info, jenkins.TriggerRequest{Job: job}, nil); err != nil {
		r.fail("job", err)
		return
	}
	var params []string
	for _, p := range info.Params() {
		params = append(params, p.Name+" ("+p.Kind()+")")
	}
	desc := "no parameters (triggered through build)"
	if len(params) > 0 {
		desc = fmt.Sprintf("%d parameter(s): %s (see the params command)", len(params), strings.Join(params, ", "))
	}
	kind := info.Class[strings.LastIndex(info.Class, ".")+1:]
	r.ok("job", "%q found (%s), buildable, %s", job.FullName(), kind, desc)

	user, _, basic := creds.Basic()
	switch {
	case creds.Mode() == auth.BuildTokenRoot:
		r.ok("build", "build-token-root triggers with the job token alone: Job/Build of a user is not needed")
		return
	case !basic:
		r.warn("build", []jenkins.Setting{jenkins.SetUser}, "no user credentials: whether anonymous may build %q is not checked", job.FullName())
		return
	}
	ok, err := client.CanBuild(ctx, job, len(params) > 0)
	switch {
	case ok:
		r.ok("build", "%q may build %q (Job/Build; asked without triggering)", user, job.FullName())
	case creds.Mode() == auth.JobToken && errors.Is(err, jenkins.ErrForbidden):
		r.warn("build", []jenkins.Setting{jenkins.SetJobToken}, "%s; the job token must be right, since it replaces Job/Build", err)
	default:
		r.fail("build", err)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

const (
	apiToken = jenkinstest.SampleAPIToken
	password = jenkinstest.SamplePassword
)

// newFake starts the sample fake Jenkins under /jenkins, with two more users:
// reader (no Job/Build) and hidden (no Job/Read).
func newFake(t *testing.T, configure ...func(*jenkinstest.Server)) *jenkinstest.Server {
	t.Helper()
	s := sampleWith(configure)
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// sampleWith is the sample fake with the tests' extra users, configured.
func sampleWith(configure []func(*jenkinstest.Server)) *jenkinstest.Server {
	s := jenkinstest.Sample()
	s.Users["reader"] = &jenkinstest.User{APIToken: "11" + strings.Repeat("a", 32), NoBuild: true}
	s.Users["hidden"] = &jenkinstest.User{APIToken: "11" + strings.Repeat("b", 32), NoRead: true}
	for _, f := range configure {
		f(s)
	}
	return s
}

// newMemFake is newFake served in memory, for a test in a testing/synctest
// bubble, where time is virtual: call it in the bubble, and run the tool
// with runFake.
func newMemFake(t *testing.T, configure ...func(*jenkinstest.Server)) *jenkinstest.Server {
	t.Helper()
	s := sampleWith(configure)
	s.StartInMemory()
	t.Cleanup(s.Close)
	return s
}

// runFake is runFollow against s, in memory when s is.
func runFake(t *testing.T, s *jenkinstest.Server, ctx context.Context, dir string, timing task.Timing, environ []string, args ...string) result {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	var stdout, stderr bytes.Buffer
	e := osEnv{Args: args, Environ: environ, Dir: dir, Stdout: &stdout, Stderr: &stderr, Timing: &timing}
	if s.InMemory() {
		e.Dial = s.Dial
	}
	code := run(ctx, e)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

type result struct {
	code           int
	stdout, stderr string
}

// runWith calls run in-process with exactly the given environment.
func runWith(t *testing.T, dir string, environ []string, args ...string) result {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), osEnv{Args: args, Environ: environ, Dir: dir, Stdout: &stdout, Stderr: &stderr})
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// tokenEnv is the usual set-up: URL, user and API token in the environment.
func tokenEnv(s *jenkinstest.Server) []string { return tokenEnvWith(s) }

func tokenEnvWith(s *jenkinstest.Server, extra ...string) []string {
	return append([]string{"JENKINS_URL=" + s.URL(), "JENKINS_USER=builder", "JENKINS_API_TOKEN=" + apiToken, "JENKINS_RETRY_FOR=0"}, extra...)
}

// TestRunTrigger covers the trigger itself, on the wire: the pre-flight is off,
// as with --no-preflight or a bare job token (TestRunPreflight covers it).
func TestRunTrigger(t *testing.T) {
	t.Parallel()
	type check func(t *testing.T, s *jenkinstest.Server, r result)
	tests := []struct {
		name      string
		configure func(*jenkinstest.Server)
		env       func(*jenkinstest.Server) []string
		args      []string
		before    func(t *testing.T, s *jenkinstest.Server) // e.g. queue an identical item
		code      int
		stdout    string // exact, with %s for the fake's base URL
		stderr    []string
		posts     int // trigger POSTs the fake received
		queued    int // items in the fake's queue afterwards
		check     check
	}{
		{name: "api token, no parameters: POST build, no crumb", env: tokenEnv, args: []string{"hello"},
			stdout: "%squeue/item/1/\n", posts: 1, queued: 1,
			check: func(t *testing.T, s *jenkinstest.Server, r result) {
				reqs := s.Requests()
				if len(reqs) != 1 || reqs[0].Path != "/job/hello/build" || reqs[0].Auth != "api-token" {
					t.Errorf("requests = %+v, want one api-token POST to /job/hello/build", reqs)
				}
				if r.stderr != "" {
					t.Errorf("stderr = %q, want nothing on success", r.stderr)
				}
			}},
		{name: "parameters go in the body of buildWithParameters", env: tokenEnv,
			args: []string{"greeting", "-p", "GREETING=a,b;c=d & e", "-p", "FLAG=true"}, stdout: "%squeue/item/1/\n", posts: 1, queued: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				r := lastTrigger(s)
				if r.Path != "/job/greeting/buildWithParameters" || r.Form.Get("GREETING") != "a,b;c=d & e" || len(r.Query) != 0 {
					t.Errorf("trigger = %s form %v query %v", r.Path, r.Form, r.Query)
				}
				if q := s.Queue()[0]; q.Params["GREETING"] != "a,b;c=d & e" || q.Params["FLAG"] != "true" {
					t.Errorf("queued params = %v", q.Params)
				}
			}},
		{name: "password: crumb with session cookie, then POST", args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_USER=builder", "JENKINS_PASSWORD=" + password}
			},
			stdout: "%squeue/item/1/\n", posts: 1, queued: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				reqs := s.Requests()
				if len(reqs) != 2 || reqs[0].Path != "/crumbIssuer/api/json" || reqs[1].Crumb == "" {
					t.Errorf("requests = %+v, want crumb GET then POST with crumb", reqs)
				}
			}},
		{name: "password with CSRF protection off: crumb issuer 404, POST without crumb", args: []string{"hello"},
			configure: func(s *jenkinstest.Server) { s.CSRFDisabled = true },
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_USER=builder", "JENKINS_PASSWORD=" + password}
			},
			stdout: "%squeue/item/1/\n", posts: 1, queued: 1},
		{name: "a password in JENKINS_API_TOKEN: crumb fetched after the CSRF 403, one build", args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_USER=builder", "JENKINS_API_TOKEN=" + password}
			},
			stdout: "%squeue/item/1/\n", stderr: []string{"caution: the API token behaves like a password"}, posts: 2, queued: 1},
		{name: "job token with a user goes in the query", args: []string{"tokenjob", "--cause", "nightly"},
			env:    func(s *jenkinstest.Server) []string { return tokenEnvWith(s, "JENKINS_JOB_TOKEN=s3cret") },
			stdout: "%squeue/item/1/\n", posts: 1, queued: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if q := lastTrigger(s).Query; q.Get("token") != "s3cret" || q.Get("cause") != "nightly" {
					t.Errorf("query = %v", q)
				}
			}},
		{name: "job token alone without anonymous read: exit 3", args: []string{"tokenjob"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_JOB_TOKEN=s3cret"}
			},
			code: exitAuth, stderr: []string{"anonymous", "--build-token-root"}},
		{name: "job token alone with anonymous read: anonymous crumb, then POST", args: []string{"tokenjob"},
			configure: func(s *jenkinstest.Server) { s.AnonymousRead = true },
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_JOB_TOKEN=s3cret"}
			},
			stdout: "%squeue/item/1/\n", posts: 1, queued: 1},
		{name: "wrong job token with a user: exit 4", args: []string{"tokenjob"},
			env:  func(s *jenkinstest.Server) []string { return tokenEnvWith(s, "JENKINS_JOB_TOKEN=wrong") },
			code: exitForbidden, stderr: []string{"Invalid token provided"}, posts: 1},
		{name: "build-token-root: path-only Location, queue URL from our base", args: []string{"team/app", "--build-token-root", "-p", "ENV=qa"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_JOB_TOKEN=s3cret"}
			},
			stdout: "%squeue/item/1/\n", posts: 1, queued: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				r := lastTrigger(s)
				if r.Path != "/buildByToken/buildWithParameters" || r.Query.Get("job") != "team/app" || r.Form.Get("ENV") != "qa" {
					t.Errorf("trigger = %+v", r)
				}
			}},
		{name: "build-token-root, wrong token: exit 4", args: []string{"tokenjob", "--build-token-root"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_JOB_TOKEN=wrong"}
			},
			code: exitForbidden, stderr: []string{"build-token-root rejected the job token"}, posts: 1},
		{name: "build-token-root, job without token: exit 5", args: []string{"hello", "--build-token-root"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_JOB_TOKEN=s3cret"}
			},
			code: exitNotFound, stderr: []string{"no enabled job \"hello\" with a trigger token"}, posts: 1},
		{name: "build-token-root on a parameterized job without parameters: falls back to buildWithParameters", args: []string{"team/app", "--build-token-root"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_JOB_TOKEN=s3cret"}
			},
			stdout: "%squeue/item/1/\n", posts: 2, queued: 1},
		{name: "anonymous: the crumb request meets the login page, exit 3", args: []string{"hello"},
			env:  func(s *jenkinstest.Server) []string { return []string{"JENKINS_URL=" + s.URL()} },
			code: exitAuth, stderr: []string{"treated the CSRF crumb request as anonymous"}},
		{name: "wrong API token: 401, exit 3", args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_USER=builder", "JENKINS_API_TOKEN=11" + strings.Repeat("f", 32)}
			},
			code: exitAuth, stderr: []string{`rejected the credentials of user "builder" (HTTP 401)`}, posts: 1},
		{name: "user lacking Job/Build: 403 with X-Required-Permission, exit 4", args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_USER=reader", "JENKINS_API_TOKEN=11" + strings.Repeat("a", 32)}
			},
			code: exitForbidden, stderr: []string{`user "reader" lacks the Job/Build permission`}, posts: 1},
		{name: "missing job: 404, exit 5 with hints", env: tokenEnv, args: []string{"nosuchjob"},
			code: exitNotFound, stderr: []string{`job "nosuchjob" not found`, "folder/name", "feature%2Ffoo"}, posts: 1},
		{name: "job hidden from the user: 404, exit 5", args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_USER=hidden", "JENKINS_API_TOKEN=11" + strings.Repeat("b", 32)}
			},
			code: exitNotFound, stderr: []string{`or user "hidden" lacks Job/Read`}, posts: 1},
		{name: "disabled job: 409, exit 6", env: tokenEnv, args: []string{"disabled"},
			code: exitRejected, stderr: []string{`job "disabled" is disabled or not buildable (HTTP 409)`}, posts: 1},
		{name: "parameters for a job without any (2.524+): 400, exit 6", env: tokenEnv, args: []string{"hello", "-p", "X=1"},
			code: exitRejected, stderr: []string{`job "hello" takes no parameters (HTTP 400)`}, posts: 1},
		{name: "parameters for a job without any (older Jenkins): 500 Oops, exit 6 with Logging ID", env: tokenEnv, args: []string{"hello", "-p", "X=1"},
			configure: func(s *jenkinstest.Server) { s.NotParameterized500 = true },
			code:      exitRejected, stderr: []string{"HTTP 500, Logging ID ", "parameters for a job that has none"}, posts: 1},
		{name: "parameterized job without parameters: /build 400, then buildWithParameters with defaults", env: tokenEnv, args: []string{"greeting"},
			stdout: "%squeue/item/1/\n", posts: 2, queued: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if q := s.Queue()[0]; q.Params["GREETING"] != "hi" || q.Params["ENV"] != "dev" {
					t.Errorf("queued params = %v, want the defaults", q.Params)
				}
			}},
		{name: "invalid choice: 500 Oops, exit 6", env: tokenEnv, args: []string{"greeting", "-p", "ENV=staging"},
			code: exitRejected, stderr: []string{"a choice not in the list"}, posts: 1},
		{name: "identical item already queued: 303, note, exit 0", env: tokenEnv, args: []string{"greeting", "-p", "GREETING=x"},
			before: func(t *testing.T, s *jenkinstest.Server) {
				if r := runWith(t, "", tokenEnv(s), "greeting", "-p", "GREETING=x"); r.code != 0 {
					t.Fatalf("first trigger: %+v", r)
				}
			},
			stdout: "%squeue/item/1/\n", stderr: []string{"merged into queue item 1"}, posts: 2, queued: 1},
		{name: "identical item already queued with --fail-if-merged: exit 22, URL still printed", env: tokenEnv,
			args: []string{"greeting", "-p", "GREETING=x", "--fail-if-merged"},
			before: func(t *testing.T, s *jenkinstest.Server) {
				runWith(t, "", tokenEnv(s), "greeting", "-p", "GREETING=x")
			},
			code: exitMerged, stdout: "%squeue/item/1/\n", stderr: []string{"failing on a merge was asked for"}, posts: 2, queued: 1},
		{name: "queue refuses: 302 to the job, exit 6", env: tokenEnv, args: []string{"vetoed"},
			code: exitRejected, stderr: []string{"queued nothing (HTTP 302 to the job page)"}, posts: 1},
		{name: "Jenkins starting up: the 503 page is retried, one build", args: []string{"hello"},
			configure: func(s *jenkinstest.Server) { s.StartupResponses = 2 },
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_USER=builder", "JENKINS_API_TOKEN=" + apiToken, "JENKINS_RETRY_FOR=20s"}
			},
			stdout: "%squeue/item/1/\n", posts: 3, queued: 1},
		{name: "Jenkins starting up with retries off: exit 7", env: tokenEnv, args: []string{"hello"},
			configure: func(s *jenkinstest.Server) { s.StartupResponses = 1 },
			code:      exitUnreachable, stderr: []string{"still starting up", "nothing was queued"}, posts: 1},
		{name: "redirect to https: not followed, exit 8 with the URL to use", env: tokenEnv, args: []string{"hello"},
			configure: func(s *jenkinstest.Server) { s.RedirectTo = "https://ci.example.com" },
			code:      exitProtocol, stderr: []string{"set the Jenkins URL to https://ci.example.com/jenkins/"}, posts: 1},
		{name: "SSO gateway answers with a 200 HTML login page: exit 3", env: tokenEnv, args: []string{"hello"},
			configure: func(s *jenkinstest.Server) { s.SSOLogin = true },
			code:      exitAuth, stderr: []string{"did not come from Jenkins (no X-Jenkins header"}, posts: 1},
		{name: "folder job: /job/team/job/app/", env: tokenEnv, args: []string{"team/app", "-p", "ENV=qa"},
			stdout: "%squeue/item/1/\n", posts: 1, queued: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if p := lastTrigger(s).Path; p != "/job/team/job/app/buildWithParameters" {
					t.Errorf("path = %s", p)
				}
			}},
		{name: "multibranch branch with a slash: item name feature%2Ffoo, URL feature%252Ffoo", env: tokenEnv, args: []string{"repo/feature%2Ffoo"},
			stdout: "%squeue/item/1/\n", posts: 1, queued: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if p := lastTrigger(s).Path; p != "/job/repo/job/feature%252Ffoo/build" {
					t.Errorf("path = %s", p)
				}
			}},
		{name: "multibranch project itself: scan, 302, exit 6", env: tokenEnv, args: []string{"repo"},
			code: exitRejected, stderr: []string{"branch scan", "repo/main"}, posts: 1},
		{name: "job name with a space", env: tokenEnv, args: []string{"hello world"}, stdout: "%squeue/item/1/\n", posts: 1, queued: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if p := lastTrigger(s).Path; p != "/job/hello%20world/build" {
					t.Errorf("path = %s", p)
				}
			}},
		{name: "job URL pasted from the browser: base derived from it", args: []string{"--job", "JOBURL/job/team/job/app/", "-p", "ENV=x"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_USER=builder", "JENKINS_API_TOKEN=" + apiToken}
			},
			stdout: "%squeue/item/1/\n", posts: 1, queued: 1},
		{name: "job URL that disagrees with JENKINS_URL: exit 2, nothing sent", args: []string{"https://other.example.com/job/x/"},
			env: tokenEnv, code: exitUsage, stderr: []string{"the job URL is on https://other.example.com/"}},
		{name: "delay is sent as Nsec", env: tokenEnv, args: []string{"hello", "--delay", "2m"}, stdout: "%squeue/item/1/\n", posts: 1, queued: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if d := lastTrigger(s).Query.Get("delay"); d != "120sec" {
					t.Errorf("delay = %q, want 120sec", d)
				}
			}},
		{name: "delay without a unit is refused", env: tokenEnv, args: []string{"hello", "--delay", "10"},
			code: exitUsage, stderr: []string{"--delay 10 has no unit; write 10s"}},
		{name: "--json prints one object", env: tokenEnv, args: []string{"team/app", "-p", "ENV=qa", "--json"}, posts: 1, queued: 1,
			check: func(t *testing.T, s *jenkinstest.Server, r result) {
				var got map[string]any
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
					t.Fatalf("stdout %q: %v", r.stdout, err)
				}
				want := map[string]any{"job": "team/app", "jobUrl": s.URL() + "job/team/job/app/", "queueId": 1.0,
					"queueUrl": s.URL() + "queue/item/1/", "merged": false}
				for k, v := range want {
					if got[k] != v {
						t.Errorf("%s = %v, want %v", k, got[k], v)
					}
				}
			}},
		{name: "--dry-run sends nothing and says where settings came from", env: tokenEnv,
			args: []string{"greeting", "-p", "GREETING=hello", "--dry-run"},
			stderr: []string{"dry run: nothing is sent", "setting JENKINS_URL = ", "(from environment)", "setting JENKINS_API_TOKEN = [redacted]",
				"request 1: POST ", "/jenkins/job/greeting/buildWithParameters (trigger)", `request 1 field GREETING = "hello" (from -p)`}},
		{name: "--verbose logs each request", env: tokenEnv, args: []string{"hello", "-v"}, stdout: "%squeue/item/1/\n", posts: 1, queued: 1,
			stderr: []string{"http POST ", "/jenkins/job/hello/build -> 201 Created in "}},
		{name: "an API token given as a flag works, with a caution", args: []string{"hello", "--user", "builder", "--api-token", apiToken},
			env:    func(s *jenkinstest.Server) []string { return []string{"JENKINS_URL=" + s.URL()} },
			stdout: "%squeue/item/1/\n", stderr: []string{"caution: --api-token puts the secret in process lists"}, posts: 1, queued: 1},
		{name: "credentials over plain http to a remote host: caution (dry run, nothing sent)", args: []string{"hello", "--dry-run"},
			env: func(*jenkinstest.Server) []string {
				return []string{"JENKINS_URL=http://ci.example.com/", "JENKINS_USER=builder", "JENKINS_API_TOKEN=" + apiToken}
			},
			stderr: []string{"caution: credentials go in clear text over http:// to ci.example.com"}},
		{name: "--quiet keeps the merge note off stderr", env: tokenEnv, args: []string{"greeting", "-p", "GREETING=x", "--quiet"},
			before: func(t *testing.T, s *jenkinstest.Server) { runWith(t, "", tokenEnv(s), "greeting", "-p", "GREETING=x") },
			stdout: "%squeue/item/1/\n", posts: 2, queued: 1,
			check: func(t *testing.T, _ *jenkinstest.Server, r result) {
				if r.stderr != "" {
					t.Errorf("stderr = %q, want nothing with --quiet", r.stderr)
				}
			}},
		{name: "no JENKINS_URL: exit 2", args: []string{"hello"}, env: func(*jenkinstest.Server) []string { return nil },
			code: exitUsage, stderr: []string{"Jenkins URL is not set"}},
		{name: "user without a secret: exit 2", args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + s.URL(), "JENKINS_USER=builder"}
			},
			code: exitUsage, stderr: []string{"neither JENKINS_API_TOKEN nor JENKINS_PASSWORD"}},
		{name: "same parameter twice: exit 2", env: tokenEnv, args: []string{"greeting", "-p", "A=1", "-p", "A=2"},
			code: exitUsage, stderr: []string{"-p A is given twice"}},
		{name: "missing file for --file: exit 2", env: tokenEnv, args: []string{"fileparam", "--file", "upload.txt=nope.txt"},
			code: exitUsage, stderr: []string{"--file upload.txt: cannot read nope.txt"}},
		{name: "unknown flag: exit 2", env: tokenEnv, args: []string{"hello", "--bogus"},
			code: exitUsage, stderr: []string{"usage: unknown flag --bogus"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			configure := func(*jenkinstest.Server) {}
			if tt.configure != nil {
				configure = tt.configure
			}
			s := newFake(t, configure)
			if tt.before != nil {
				tt.before(t, s)
			}
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.Replace(a, "JOBURL/", s.URL(), 1)
			}
			r := runWith(t, "", append(tt.env(s), "JENKINS_NO_PREFLIGHT=true"), args...)
			if r.code != tt.code {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			wantOut := strings.Replace(tt.stdout, "%s", s.URL(), 1)
			if tt.check == nil || tt.stdout != "" {
				if r.stdout != wantOut {
					t.Errorf("stdout = %q, want %q", r.stdout, wantOut)
				}
			}
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if tt.code != 0 && strings.Count(r.stderr, "\n") < 1 {
				t.Errorf("a failure printed no line on stderr")
			}
			if got := s.TriggerPOSTs(); got != tt.posts {
				t.Errorf("trigger POSTs = %d, want %d", got, tt.posts)
			}
			if got := len(s.Queue()); got != tt.queued {
				t.Errorf("queued items = %d, want %d", got, tt.queued)
			}
			checkLines(t, r)
			if tt.check != nil {
				tt.check(t, s, r)
			}
		})
	}
}

// checkLines holds every output line to the house rules: prefixed, ASCII,
// never in MSBuild's canonical error/warning format.
func checkLines(t *testing.T, r result) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "jenkins-trigger: ") {
			t.Errorf("stderr line lacks the prefix: %q", line)
		}
		// Our own words are ASCII; names and Jenkins' text stay as written,
		// in UTF-8, but never carry control characters.
		for _, c := range line {
			if !utf8.ValidString(line) || !unicode.IsPrint(c) {
				t.Errorf("stderr line is not printable UTF-8: %q", line)
				break
			}
		}
	}
	for _, line := range strings.Split(r.stdout+"\n"+r.stderr, "\n") {
		if msbuildCanonicalMatch(line) {
			t.Errorf("MSBuild would read this line as an error or warning: %q", line)
		}
	}
}

func lastTrigger(s *jenkinstest.Server) jenkinstest.Request {
	var last jenkinstest.Request
	for _, r := range s.Requests() {
		if isTrigger(r.Path) {
			last = r
		}
	}
	return last
}

func isTrigger(p string) bool {
	return strings.HasSuffix(p, "/build") || strings.HasSuffix(p, "/buildWithParameters")
}

func TestRunFileParameter(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "my file.txt"), []byte("hello from a file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, args := range [][]string{{"fileparam", "--file", "upload.txt=my file.txt"}, {"fileparam"}} {
		if i == 1 {
			s = newFake(t) // the same from the environment, on a fresh queue
		}
		env := append(tokenEnv(s), "JENKINS_FILE_upload.txt=my file.txt")
		if i == 0 {
			env = tokenEnv(s)
		}
		r := runWith(t, dir, env, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		if q := s.Queue(); len(q) != 1 || q[0].Files["upload.txt"] != "hello from a file\n" {
			t.Errorf("%v: queue = %+v, want the file content under upload.txt", args, q)
		}
	}
}

func TestRunConnectionRefused(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	r := runWith(t, "", []string{"JENKINS_URL=http://" + addr + "/", "JENKINS_USER=u", "JENKINS_API_TOKEN=t", "JENKINS_RETRY_FOR=0"}, "hello")
	if r.code != exitUnreachable || !strings.Contains(r.stderr, "connection refused by "+addr) {
		t.Errorf("got %d %q, want exit 7 naming the refused address", r.code, r.stderr)
	}
	checkLines(t, r)
}

func TestRunRetriesRefusedConnectionUntilJenkinsListens(t *testing.T) {
	t.Parallel()
	fake := jenkinstest.New()
	fake.Jobs["hello"] = &jenkinstest.Job{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // refused until the goroutine below listens again on the same port
	// Jenkins starts listening once the tool has been refused: an order, not a delay.
	refused, started := make(chan struct{}), make(chan struct{})
	var once sync.Once
	dial := func(ctx context.Context, network, a string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, a)
		if err != nil {
			once.Do(func() { close(refused) })
		}
		return c, err
	}
	go func() {
		defer close(started)
		<-refused
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Errorf("listen again on %s: %v", addr, err)
			return
		}
		t.Cleanup(func() { l.Close() })
		go fake.Serve(l) //nolint:errcheck // ends when the listener closes
	}()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), osEnv{Args: []string{"hello"}, Dir: t.TempDir(), Stdout: &stdout, Stderr: &stderr, Dial: dial,
		Environ: []string{"JENKINS_URL=http://" + addr + "/jenkins/", "JENKINS_USER=builder",
			"JENKINS_API_TOKEN=" + apiToken, "JENKINS_RETRY_FOR=20s", "JENKINS_VERBOSE=true", "JENKINS_NO_PREFLIGHT=true"}})
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	<-started
	if r.code != 0 || r.stdout != "http://"+addr+"/jenkins/queue/item/1/\n" {
		t.Fatalf("got %d %q %q, want the queue URL after retrying", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "the trigger did not reach Jenkins") {
		t.Errorf("stderr does not show the retry:\n%s", r.stderr)
	}
	if n := fake.TriggerPOSTs(); n != 1 || len(fake.Queue()) != 1 {
		t.Errorf("Jenkins got %d trigger POSTs and queued %d items, want 1 and 1", n, len(fake.Queue()))
	}
}

// Paths with spaces (as on Windows agents) work for every file option.
func TestRunPathsWithSpaces(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	dir := t.TempDir()
	sub := filepath.Join(dir, "my settings")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, sub, "ci env.env", "\xef\xbb\xbfJENKINS_URL="+s.URL()+"\r\nJENKINS_USER=builder\r\nJENKINS_API_TOKEN="+apiToken+"\r\n")
	writeFile(t, sub, "my params.properties", "GREETING=hello there\r\n")
	r := runWith(t, dir, nil, "greeting", "--env-file", "my settings/ci env.env", "--params-file", filepath.Join(sub, "my params.properties"),
		"--output-file", "my settings/build result.properties")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if q := s.Queue(); len(q) != 1 || q[0].Params["GREETING"] != "hello there" {
		t.Errorf("queue = %+v", q)
	}
	if b, err := os.ReadFile(filepath.Join(sub, "build result.properties")); err != nil || !strings.Contains(string(b), "JENKINS_QUEUE_ID=1") {
		t.Errorf("output file: %q, %v", b, err)
	}
}

// A binary built by go install or a plain go build says what the toolchain
// recorded; -ldflags stamps win.
func TestVersionFromBuildInfo(t *testing.T) {
	t.Parallel()
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}
	for _, tc := range []struct{ v, c, wantV, wantC string }{
		{"dev", "none", "v1.2.3", "0123456789ab+dirty"},
		{"1.0.0", "abc", "1.0.0", "abc"},
	} {
		if v, c := stamped(tc.v, tc.c, bi); v != tc.wantV || c != tc.wantC {
			t.Errorf("stamped(%q, %q) = %q, %q; want %q, %q", tc.v, tc.c, v, c, tc.wantV, tc.wantC)
		}
	}
	if v, c := stamped("dev", "none", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}); v != "dev" || c != "none" {
		t.Errorf("a build without a version or revision: %q, %q", v, c)
	}
}

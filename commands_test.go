package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from its golden file:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func TestParamsCommand(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	for _, tc := range []struct{ args, file string }{
		{"params alltypes", "params-alltypes.txt"},
		{"params alltypes --json", "params-alltypes.json"},
		{"params greeting", "params-greeting.txt"},
	} {
		r := runWith(t, "", tokenEnv(s), strings.Fields(tc.args)...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%s: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
		if strings.Contains(r.stdout, "s3cret-default") {
			t.Errorf("%s shows a password default", tc.args)
		}
		golden(t, tc.file, r.stdout)
	}
	for _, tc := range []struct {
		args   string
		code   int
		stdout string
		stderr string
	}{
		{"params hello", 0, "", `job "hello" takes no parameters`},
		{"params pipeline", 0, "", `job "pipeline" is a Pipeline that has never run: parameters declared in its Jenkinsfile appear only after its first build`},
		{"params hello --json", 0, "[]\n", `takes no parameters`},
		{"params team", exitNotFound, "", `"team" is a folder, not a job`},
		{"params nosuch", exitNotFound, "", `job "nosuch" not found`},
		{"params --job disabled", 0, "", "takes no parameters"}, // listing works on a disabled job
	} {
		r := runWith(t, "", tokenEnv(s), strings.Fields(tc.args)...)
		if r.code != tc.code || r.stdout != tc.stdout || !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d, %q, %q", tc.args, r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.stderr)
		}
	}
	if n := s.TriggerPOSTs(); n != 0 {
		t.Errorf("params triggered %d builds", n)
	}
}

func TestDoctor(t *testing.T) {
	t.Parallel()
	now := time.Now()
	tests := []struct {
		name      string
		configure func(*jenkinsServerSetup)
		env       []string
		args      []string
		code      int
		lines     []string // in stdout, in this order
	}{
		{name: "healthy, API token", args: []string{"doctor", "greeting"},
			lines: []string{"ok    settings  JENKINS_URL = ", "ok    proxy     none", "ok    dns       127.0.0.1 is an address", "ok    tcp       connected to 127.0.0.1:",
				"ok    jenkins   Jenkins 2.479.3 answers at ", `ok    identity  authenticated as "builder"`,
				"ok    secret    the API token behaves like one: POSTs need no CSRF crumb (JENKINS_API_TOKEN)", `ok    job       "greeting" found (FreeStyleProject), buildable, 3 parameter(s): GREETING (string), FLAG (boolean), ENV (choice)`}},
		{name: "healthy, password: a crumb is needed and can be had", args: []string{"doctor", "hello"},
			env:   []string{"JENKINS_API_TOKEN=", "JENKINS_PASSWORD=" + password},
			lines: []string{"ok    secret    the password is a password", "(JENKINS_PASSWORD)", "ok    crumb     a crumb can be had: header Jenkins-Crumb"}},
		{name: "a password in JENKINS_API_TOKEN", args: []string{"doctor", "hello"},
			env:   []string{"JENKINS_API_TOKEN=" + password},
			lines: []string{"warn  secret    the API token behaves like a password", "(JENKINS_API_TOKEN)", "ok    crumb"}},
		{name: "without a job", args: []string{"doctor"}, lines: []string{"ok    job       no job given"}},
		{name: "Job/Build is asked without triggering: may build", args: []string{"doctor", "greeting"},
			lines: []string{`ok    job       "greeting" found`, `ok    build     "builder" may build "greeting" (Job/Build; asked without triggering)`}},
		{name: "Job/Build: a read-only user may not: exit 4", args: []string{"doctor", "hello"}, code: exitForbidden,
			configure: func(s *jenkinsServerSetup) {
				s.fake.Users["reader"] = &jenkinstest.User{APIToken: "11" + strings.Repeat("a", 32), NoBuild: true}
			},
			env:   []string{"JENKINS_USER=reader", "JENKINS_API_TOKEN=11" + strings.Repeat("a", 32)},
			lines: []string{`ok    job       "hello" found`, `FAIL  build     user "reader" lacks the Job/Build permission needed for building "hello" (HTTP 403)`}},
		{name: "wrong password: exit 3", args: []string{"doctor", "hello"}, code: exitAuth,
			env:   []string{"JENKINS_API_TOKEN=", "JENKINS_PASSWORD=wrong"},
			lines: []string{`FAIL  identity  Jenkins rejected the credentials of user "builder" (HTTP 401)`}},
		{name: "anonymous: warned, and the job cannot be read: exit 3", args: []string{"doctor", "hello"}, code: exitAuth,
			env:   []string{"JENKINS_USER=", "JENKINS_API_TOKEN="},
			lines: []string{"warn  identity  no user credentials", "FAIL  job       Jenkins treated reading job"}},
		{name: "an SSO page instead of Jenkins: exit 3", args: []string{"doctor", "hello"}, code: exitAuth,
			configure: func(s *jenkinsServerSetup) { s.fake.SSOLogin = true },
			lines:     []string{"ok    tcp", "FAIL  jenkins   the answer from 127.0.0.1:", "no X-Jenkins header"}},
		{name: "plain http redirected to https: exit 8", args: []string{"doctor", "hello"}, code: exitProtocol,
			configure: func(s *jenkinsServerSetup) { s.fake.RedirectTo = "https://ci.example.com" },
			lines:     []string{"FAIL  jenkins   Jenkins redirected the request to https://ci.example.com/jenkins/whoAmI/api/json (HTTP 302); set the Jenkins URL to https://ci.example.com/jenkins/"}},
		{name: "missing job: did you mean, exit 5", args: []string{"doctor", "Hello"}, code: exitNotFound,
			lines: []string{`FAIL  job       job "Hello" not found`, `did you mean "hello"?`}},
		{name: "disabled job: exit 6", args: []string{"doctor", "disabled"}, code: exitRejected,
			lines: []string{`FAIL  job       job "disabled" is disabled or not buildable`}},
		{name: "a folder given instead of a job: exit 5", args: []string{"doctor", "team"}, code: exitNotFound,
			lines: []string{`FAIL  job       "team" is a folder, not a job`}},
		{name: "job token with a user: warned", args: []string{"doctor", "tokenjob"}, env: []string{"JENKINS_JOB_TOKEN=s3cret"},
			lines: []string{"warn  job-token the job token is sent along with user credentials", "(JENKINS_JOB_TOKEN, --cause)"}},
		{name: "self-signed certificate: exit 7 with subject, issuer and the fix", args: []string{"doctor", "hello"}, code: exitUnreachable,
			configure: func(s *jenkinsServerSetup) {
				s.tls(t, []string{"127.0.0.1"}, now.Add(-time.Hour), now.Add(24*time.Hour), false)
			},
			lines: []string{"FAIL  tls       TLS 1.3, certificate for CN=127.0.0.1 (names: 127.0.0.1), issued by CN=jenkinstest CA", "unknown authority", "trust the issuing CA, or have the certificate renewed or reissued for 127.0.0.1 (--ca-cert FILE)"}},
		{name: "the CA given: trusted, and expiring soon is a warning", args: []string{"doctor", "hello"},
			configure: func(s *jenkinsServerSetup) {
				s.tls(t, []string{"127.0.0.1"}, now.Add(-time.Hour), now.Add(24*time.Hour), true)
			},
			lines: []string{"warn  tls       TLS 1.3, certificate for CN=127.0.0.1", "trusted through the system's trusted roots and the extra CA certificates, but it expires in"}},
		{name: "expired certificate: exit 7", args: []string{"doctor", "hello"}, code: exitUnreachable,
			configure: func(s *jenkinsServerSetup) {
				s.tls(t, []string{"127.0.0.1"}, now.Add(-48*time.Hour), now.Add(-24*time.Hour), true)
			},
			lines: []string{"FAIL  tls       ", "expired"}},
		{name: "--insecure accepts a bad certificate with a warning", args: []string{"doctor", "hello", "--insecure"},
			configure: func(s *jenkinsServerSetup) {
				s.tls(t, []string{"127.0.0.1"}, now.Add(-48*time.Hour), now.Add(-24*time.Hour), false)
			},
			lines: []string{"warn  tls       ", "accepted only because certificate checks are off", "ok    job"}},
		{name: "nothing listens: exit 7", args: []string{"doctor", "hello"}, code: exitUnreachable,
			configure: func(s *jenkinsServerSetup) { s.fake.Start(); s.fake.Close(); s.started = true },
			lines:     []string{"FAIL  tcp       cannot connect to 127.0.0.1:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			setup := &jenkinsServerSetup{fake: jenkinstest.Sample(), dir: t.TempDir()}
			if tt.configure != nil {
				tt.configure(setup)
			}
			if !setup.started {
				setup.fake.Start()
				t.Cleanup(setup.fake.Close)
			}
			env := append(tokenEnv(setup.fake), setup.env...)
			r := runWith(t, setup.dir, append(env, tt.env...), tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			rest := r.stdout
			for _, want := range tt.lines {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Errorf("stdout lacks %q (in order):\n%s", want, r.stdout)
					break
				}
				rest = rest[i+len(want):]
			}
			if tt.code != 0 && !strings.Contains(r.stderr, "doctor found") {
				t.Errorf("stderr has no summary: %q", r.stderr)
			}
			if n := setup.fake.TriggerPOSTs(); n != 0 {
				t.Errorf("doctor triggered %d builds", n)
			}
			for _, line := range strings.Split(r.stdout, "\n") {
				if msbuildCanonicalMatch(line) {
					t.Errorf("MSBuild would read this as an error: %q", line)
				}
			}
			checkLines(t, result{stderr: r.stderr})
		})
	}
}

// jenkinsServerSetup lets a doctor case serve the fake over TLS.
type jenkinsServerSetup struct {
	fake    *jenkinstest.Server
	dir     string
	env     []string
	started bool
}

func (s *jenkinsServerSetup) tls(t *testing.T, hosts []string, from, until time.Time, giveCA bool) {
	cert, err := jenkinstest.NewCert(hosts, from, until)
	if err != nil {
		t.Fatal(err)
	}
	s.fake.StartTLS(cert)
	t.Cleanup(s.fake.Close)
	s.started = true
	if giveCA {
		writeFile(t, s.dir, "ca.pem", string(cert.CAPEM))
		s.env = append(s.env, "JENKINS_CA_CERT=ca.pem")
	}
}

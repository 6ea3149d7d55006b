package main

import (
	"strings"
	"testing"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

func TestRunTLS(t *testing.T) {
	t.Parallel()
	now := time.Now()
	tests := []struct {
		name   string
		hosts  []string
		from   time.Time
		until  time.Time
		caCert bool
		args   []string
		code   int
		stderr []string
	}{
		{name: "private CA without --ca-cert: exit 7 naming the fix", hosts: []string{"127.0.0.1"}, from: now.Add(-time.Hour), until: now.Add(time.Hour),
			code: exitUnreachable, stderr: []string{"signed by an unknown authority", "--ca-cert FILE"}},
		{name: "--ca-cert fixes it", hosts: []string{"127.0.0.1"}, from: now.Add(-time.Hour), until: now.Add(time.Hour),
			caCert: true},
		{name: "expired certificate: exit 7", hosts: []string{"127.0.0.1"}, from: now.Add(-48 * time.Hour), until: now.Add(-24 * time.Hour),
			caCert: true, code: exitUnreachable, stderr: []string{"has expired or is not yet valid"}},
		{name: "certificate for another name: exit 7", hosts: []string{"jenkins.example.com"}, from: now.Add(-time.Hour), until: now.Add(time.Hour),
			caCert: true, code: exitUnreachable, stderr: []string{"is not valid for that name"}},
		{name: "--insecure skips verification, loudly", hosts: []string{"jenkins.example.com"}, from: now.Add(-48 * time.Hour), until: now.Add(-24 * time.Hour),
			args: []string{"--insecure"}, stderr: []string{"caution: --insecure: TLS certificates are not verified"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cert, err := jenkinstest.NewCert(tt.hosts, tt.from, tt.until)
			if err != nil {
				t.Fatal(err)
			}
			s := jenkinstest.New()
			s.Jobs["hello"] = &jenkinstest.Job{}
			s.StartTLS(cert)
			t.Cleanup(s.Close)
			dir := t.TempDir()
			env := tokenEnv(s)
			if tt.caCert {
				writeFile(t, dir, "ca.pem", string(cert.CAPEM))
				env = append(env, "JENKINS_CA_CERT=ca.pem")
			}
			r := runWith(t, dir, env, append([]string{"hello"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.code, r.stderr)
			}
			if tt.code == 0 && r.stdout != s.URL()+"queue/item/1/\n" {
				t.Errorf("stdout = %q", r.stdout)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q: %s", want, r.stderr)
				}
			}
			wantPosts := 0
			if tt.code == 0 {
				wantPosts = 1
			}
			if got := s.TriggerPOSTs(); got != wantPosts {
				t.Errorf("trigger POSTs = %d, want %d", got, wantPosts)
			}
			checkLines(t, r)
		})
	}
}

// A certificate problem is permanent: the crumb request (password auth) is not
// retried for the whole --retry-for budget.
func TestRunTLSFailureIsNotRetried(t *testing.T) {
	t.Parallel()
	cert, err := jenkinstest.NewCert([]string{"127.0.0.1"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s := jenkinstest.Sample()
	s.StartTLS(cert)
	t.Cleanup(s.Close)
	r := runWith(t, "", []string{"JENKINS_URL=" + s.URL(), "JENKINS_USER=builder", "JENKINS_PASSWORD=" + password,
		"JENKINS_RETRY_FOR=3s", "JENKINS_VERBOSE=true"}, "hello")
	if r.code != exitUnreachable || !strings.Contains(r.stderr, "unknown authority") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, "http GET "); n != 1 {
		t.Errorf("%d attempts at the crumb request, want 1:\n%s", n, r.stderr)
	}
}

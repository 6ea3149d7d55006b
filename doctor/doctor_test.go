package doctor

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

func check(t *testing.T, s *jenkinstest.Server, creds auth.Credentials, job string) []Finding {
	t.Helper()
	base, err := jenkins.ParseBase(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	c, err := jenkins.New(jenkins.Options{Base: base, Creds: creds, RetryFor: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	j := jenkins.Job{Base: base}
	if job != "" {
		if j, err = jenkins.ParseJob(base, job); err != nil {
			t.Fatal(err)
		}
	}
	return Run(context.Background(), Check{Client: c, Creds: creds, Job: j})
}

func areas(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Status)+" "+f.Area)
	}
	return strings.Join(out, ", ")
}

// The findings at this layer: each step in order, a failure with its error
// (its kind decides the exit code), and no flag or variable named in them.
func TestFindings(t *testing.T) {
	t.Parallel()
	s := jenkinstest.Sample()
	s.Start()
	t.Cleanup(s.Close)
	good := auth.Credentials{User: jenkinstest.SampleUser, APIToken: auth.Secret(jenkinstest.SampleAPIToken)}
	for _, tc := range []struct {
		name  string
		creds auth.Credentials
		job   string
		want  string
		kind  error
	}{
		{"healthy", good, "greeting", "ok proxy, ok dns, ok tcp, ok jenkins, ok identity, ok secret, ok job, ok build", nil},
		{"no job", good, "", "ok proxy, ok dns, ok tcp, ok jenkins, ok identity, ok secret, ok job", nil},
		{"no such job", good, "helo", "ok proxy, ok dns, ok tcp, ok jenkins, ok identity, ok secret, FAIL job", jenkins.ErrNotFound},
		{"wrong token", auth.Credentials{User: jenkinstest.SampleUser, APIToken: "11ffffffffffffffffffffffffffffffff"}, "hello",
			"ok proxy, ok dns, ok tcp, FAIL identity", jenkins.ErrAuth},
		{"anonymous, where anonymous may do nothing", auth.Credentials{}, "hello", "ok proxy, ok dns, ok tcp, ok jenkins, warn identity", jenkins.ErrAuth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs := check(t, s, tc.creds, tc.job)
			if got := areas(fs); !strings.HasPrefix(got, tc.want) {
				t.Errorf("findings %q, want them to start %q", got, tc.want)
			}
			var failed error
			for _, f := range fs {
				if f.Status == Fail && failed == nil {
					failed = f.Err
				}
				if strings.Contains(f.Msg, "JENKINS_") || strings.Contains(f.Msg, " --") {
					t.Errorf("%s: %q names a flag or variable; Fix is for that", f.Area, f.Msg)
				}
			}
			if (tc.kind == nil) != (failed == nil) || (tc.kind != nil && !errors.Is(failed, tc.kind)) {
				t.Errorf("first failure %v, want %v", failed, tc.kind)
			}
		})
	}
}

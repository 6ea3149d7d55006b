package main

import (
	"os"
	"strings"
	"testing"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

func TestRunPreflight(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		env    []string
		code   int
		stderr []string
		posts  int
		check  func(t *testing.T, s *jenkinstest.Server, r result)
	}{
		{name: "a good trigger costs exactly two requests: the pre-flight GET and the POST", args: []string{"hello"}, posts: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if n := len(s.Requests()); n != 2 {
					t.Errorf("%d requests, want 2", n)
				}
			}},
		{name: "--no-preflight: exactly one request", args: []string{"hello", "--no-preflight"}, posts: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if n := len(s.Requests()); n != 1 {
					t.Errorf("%d requests, want 1", n)
				}
			}},
		{name: "a parameterized job without parameters goes straight to buildWithParameters", args: []string{"greeting"}, posts: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if p := lastTrigger(s).Path; p != "/job/greeting/buildWithParameters" {
					t.Errorf("path = %s", p)
				}
			}},
		{name: "unknown parameter: did you mean, exit 6", args: []string{"greeting", "-p", "GREETNG=hi"}, code: exitRejected,
			stderr: []string{`job "greeting" has no parameter "GREETNG", and Jenkins would silently ignore it. Did you mean "GREETING"? Its parameters: GREETING, FLAG, ENV`}},
		{name: "unknown parameter in another case", args: []string{"greeting", "-p", "env=qa"}, code: exitRejected,
			stderr: []string{`Did you mean "ENV"?`}},
		{name: "choice not among the choices", args: []string{"greeting", "-p", "ENV=staging"}, code: exitRejected,
			stderr: []string{`ENV="staging" is not one of the choices of job "greeting": dev, qa, prod.`}},
		{name: "choice in the wrong case: did you mean", args: []string{"greeting", "-p", "ENV=QA"}, code: exitRejected,
			stderr: []string{`Did you mean "qa"?`}},
		{name: "booleans Jenkins would misread are sent as true/false", args: []string{"greeting", "-p", "FLAG=yes"}, posts: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if f := lastTrigger(s).Form.Get("FLAG"); f != "true" {
					t.Errorf("FLAG sent as %q, want true", f)
				}
			}},
		{name: "FLAG=0 is sent as false", args: []string{"greeting", "-p", "FLAG=0"}, posts: 1,
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if f := lastTrigger(s).Form.Get("FLAG"); f != "false" {
					t.Errorf("FLAG sent as %q, want false", f)
				}
			}},
		{name: "a boolean that is neither: exit 6", args: []string{"greeting", "-p", "FLAG=maybe"}, code: exitRejected,
			stderr: []string{`FLAG="maybe" is not a boolean`}},
		{name: "parameters for a job that has none: exit 6 before triggering", args: []string{"hello", "-p", "X=1"}, code: exitRejected,
			stderr: []string{`job "hello" takes no parameters, but 1 were given (X)`}},
		{name: "a file parameter given with -p", args: []string{"alltypes", "-p", "ARTIFACT=x.zip"}, code: exitRejected,
			stderr: []string{"ARTIFACT is a file parameter of job \"alltypes\": upload a file for it, not a value (--file ARTIFACT=PATH)"}},
		{name: "a never-built Pipeline: its Jenkinsfile's parameters are sent unchecked", args: []string{"pipeline", "-p", "X=1", "-v"}, code: exitRejected, posts: 1,
			stderr: []string{`job "pipeline" is a Pipeline that has never run, so the parameters its Jenkinsfile declares are not known yet: X sent unchecked`}},
		{name: "a file given for a value parameter", args: []string{"alltypes", "--file", "VERSION=" + os.Args[0]}, code: exitRejected,
			stderr: []string{"VERSION is a string parameter of job \"alltypes\", not a file parameter: give it a value, not a file (-p VERSION=VALUE)"}},
		{name: "a run parameter that names no build", args: []string{"alltypes", "-p", "UPSTREAM=latest"}, code: exitRejected,
			stderr: []string{`UPSTREAM="latest" must name a build of another job as JOB#NUMBER`}},
		{name: "a password parameter's value is never shown", args: []string{"alltypes", "-p", "DB_PASSWORD=hunter2-secret", "-p", "TARGET=nowhere"}, code: exitRejected,
			check: func(t *testing.T, _ *jenkinstest.Server, r result) {
				if strings.Contains(r.stderr, "hunter2") {
					t.Errorf("password value printed: %s", r.stderr)
				}
			}},
		{name: "defaults left alone are listed under --verbose, passwords hidden", args: []string{"alltypes", "-v"}, posts: 1,
			stderr: []string{`parameter VERSION not given: Jenkins uses its default "1.0"`, "parameter DB_PASSWORD not given: Jenkins uses its default (a password, not shown)",
				"file parameter ARTIFACT not given"},
			check: func(t *testing.T, _ *jenkinstest.Server, r result) {
				if strings.Contains(r.stderr, "s3cret-default") {
					t.Errorf("password default printed: %s", r.stderr)
				}
			}},
		{name: "defaults are not listed without --verbose", args: []string{"alltypes"}, posts: 1,
			check: func(t *testing.T, _ *jenkinstest.Server, r result) {
				if r.stderr != "" {
					t.Errorf("stderr = %q", r.stderr)
				}
			}},
		{name: "missing job: did you mean, exit 5, nothing sent", args: []string{"Hello"}, code: exitNotFound,
			stderr: []string{`job "Hello" not found`, `did you mean "hello"?`}},
		{name: "missing job in a folder: what the folder holds", args: []string{"team/web"}, code: exitNotFound,
			stderr: []string{`folder "team" holds app`}},
		{name: "a folder instead of a job: exit 5", args: []string{"team"}, code: exitNotFound,
			stderr: []string{`"team" is a folder, not a job: name a job inside it, such as "team/app" (it holds: app)`}},
		{name: "a multibranch project instead of a branch: exit 5", args: []string{"repo"}, code: exitNotFound,
			stderr: []string{`"repo" is a multibranch project, not a job: trigger one of its branches, such as "repo/feature%2Ffoo" (its branches: feature%2Ffoo, main)`}},
		{name: "disabled job: exit 6, nothing sent", args: []string{"disabled"}, code: exitRejected,
			stderr: []string{`job "disabled" is disabled or not buildable`}},
		{name: "a user who may read but not build: the POST says so", args: []string{"hello"}, code: exitForbidden, posts: 1,
			env:    []string{"JENKINS_USER=reader", "JENKINS_API_TOKEN=11" + strings.Repeat("a", 32)},
			stderr: []string{`user "reader" lacks the Job/Build permission`}},
		{name: "a bare job token skips the pre-flight (noted under --verbose)", args: []string{"tokenjob", "-v"}, posts: 1,
			env:    []string{"JENKINS_USER=", "JENKINS_API_TOKEN=", "JENKINS_JOB_TOKEN=s3cret"},
			stderr: []string{"pre-flight skipped: a job token alone cannot read the job"}},
		{name: "a job token whose user cannot read the job: triggered without the pre-flight", args: []string{"tokenjob", "--build-token-root"}, posts: 1,
			env:    []string{"JENKINS_USER=hidden", "JENKINS_API_TOKEN=11" + strings.Repeat("b", 32), "JENKINS_JOB_TOKEN=s3cret"},
			stderr: []string{"pre-flight skipped: the job could not be read"}},
		{name: "a job named like a command is triggered with --job", args: []string{"--job", "params"}, posts: 1},
		{name: "or with JENKINS_JOB", args: nil, env: []string{"JENKINS_JOB=doctor"}, posts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newFake(t, func(s *jenkinstest.Server) {
				s.Jobs["params"] = &jenkinstest.Job{}
				s.Jobs["doctor"] = &jenkinstest.Job{}
				s.AnonymousRead = true
			})
			r := runWith(t, "", append(tokenEnv(s), tt.env...), tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if n := s.TriggerPOSTs(); n != tt.posts {
				t.Errorf("%d trigger POSTs, want %d", n, tt.posts)
			}
			checkLines(t, r)
			if tt.check != nil {
				tt.check(t, s, r)
			}
		})
	}
}

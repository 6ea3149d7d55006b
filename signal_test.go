//go:build !windows

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

// The real binary, waiting on a slow build, gets a signal: the stop request
// must reach Jenkins and the exit code must be 130 (SIGINT) or 143 (SIGTERM).
func TestBinaryStopsTheBuildOnSignal(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "jenkins-trigger")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		word string
	}{{syscall.SIGINT, 130, "interrupted"}, {syscall.SIGTERM, 143, "terminated"}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			t.Parallel()
			s := newFake(t, withScript("slow", jenkinstest.Script{Duration: time.Hour}))
			cmd := exec.Command(bin, "slow", "--wait", "--poll-interval", "250ms")
			cmd.Env = append(tokenEnv(s), "PATH="+os.Getenv("PATH"))
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Once it has read the running build, it knows what to stop.
			waitFor(s, func() bool {
				for _, r := range s.Requests() {
					if strings.HasSuffix(r.Path, "/job/slow/1/api/json") {
						return true
					}
				}
				return false
			})
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			code := cmd.ProcessState.ExitCode()
			if code != tc.code {
				t.Errorf("exit %d (%v), want %d; stderr:\n%s", code, err, tc.code, stderr.String())
			}
			b := onlyBuild(t, s, "slow")
			if strings.Join(b.Stops, ",") != "stop" || b.Result != "ABORTED" {
				t.Errorf("build stops %v result %q, want one stop and ABORTED", b.Stops, b.Result)
			}
			if !strings.Contains(stderr.String(), tc.word+"; stopped build #1") {
				t.Errorf("stderr does not say what was done:\n%s", stderr.String())
			}
		})
	}
}

// Issue 10, failure 2: SIGTERM while the pre-flight read is in flight exits
// 143 (not Ctrl-C's 130) with one line saying nothing was queued; SIGTERM
// while the trigger is in flight says it may have been queued.
func TestBinaryTerminatedBeforeTheBuild(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "jenkins-trigger")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		fault jenkinstest.Fault
		line  string
	}{
		{"pre-flight", []string{"hello"}, jenkinstest.Fault{Method: "GET", Path: "/job/hello/api/json", Kind: jenkinstest.SlowHeaders, Delay: time.Minute},
			`jenkins-trigger: terminated before triggering "hello"; nothing was queued` + "\n"},
		{"trigger", []string{"hello"}, jenkinstest.Fault{Method: "POST", Path: "/job/hello/build", Kind: jenkinstest.SlowHeaders, Delay: time.Minute},
			`jenkins-trigger: terminated while the trigger of "hello" was in flight: it may have been queued; check `},
		// Issue 16, item 3: params and doctor keep the same signal rules.
		{"params", []string{"params", "greeting"}, jenkinstest.Fault{Method: "GET", Path: "/job/greeting/api/json", Kind: jenkinstest.SlowHeaders, Delay: time.Minute},
			`jenkins-trigger: terminated while reading the parameters of "greeting"; nothing was changed in Jenkins` + "\n"},
		{"doctor", []string{"doctor", "hello"}, jenkinstest.Fault{Method: "GET", Path: "/whoAmI/api/json", Kind: jenkinstest.SlowHeaders, Delay: time.Minute},
			`jenkins-trigger: terminated while checking the way to Jenkins; nothing was changed in Jenkins` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newFake(t, func(s *jenkinstest.Server) { s.Inject(tc.fault) })
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(tokenEnv(s), "PATH="+os.Getenv("PATH"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitFor(s, func() bool {
				for _, r := range s.Requests() {
					if r.Method == tc.fault.Method && strings.HasSuffix(r.Path, tc.fault.Path) {
						return true
					}
				}
				return false
			})
			// The request is in flight, its answer a minute away.
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != 143 || !strings.HasPrefix(stderr.String(), tc.line) || strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 143 and one line starting %q", code, stderr.String(), tc.line)
			}
		})
	}
}

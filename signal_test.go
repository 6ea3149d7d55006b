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
			waitFor(s, func() bool { return len(s.Builds("slow")) == 1 })
			time.Sleep(300 * time.Millisecond) // let it poll the running build
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			code := cmd.ProcessState.ExitCode()
			if code != tc.code {
				t.Errorf("exit %d (%v), want %d; stderr:\n%s", code, err, tc.code, stderr.String())
			}
			b := s.Builds("slow")[0]
			if strings.Join(b.Stops, ",") != "stop" || b.Result != "ABORTED" {
				t.Errorf("build stops %v result %q, want one stop and ABORTED", b.Stops, b.Result)
			}
			if !strings.Contains(stderr.String(), tc.word+"; stopped build #1") {
				t.Errorf("stderr does not say what was done:\n%s", stderr.String())
			}
		})
	}
}

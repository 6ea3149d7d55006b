package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// TestExitCodes is the exit-code table of the README, in both numberings,
// from typed errors only: each error is wrapped once more, as callers do.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	result := func(r string) error { return &task.ResultError{Result: r, Number: 1, URL: "u"} }
	for _, tc := range []struct {
		err       error
		def, jcli int
	}{
		{nil, 0, 0},
		{errors.New("a bug"), 1, 1},
		{&task.BugError{Value: "boom", Sent: "nothing was queued"}, 1, 1},
		{usagef("bad flag"), 2, 2},
		{jenkins.ErrBadJob, 2, 2},
		{auth.ErrIncomplete, 2, 2},
		{&jenkins.Error{Kind: jenkins.ErrAuth}, 3, 3},
		{&jenkins.Error{Kind: jenkins.ErrForbidden}, 4, 4},
		{&jenkins.Error{Kind: jenkins.ErrNotFound}, 5, 5},
		{&jenkins.Error{Kind: jenkins.ErrRejected}, 6, 6},
		{&jenkins.Error{Kind: jenkins.ErrUnreachable}, 7, 7},
		{&jenkins.Error{Kind: jenkins.ErrProtocol}, 8, 8},
		{result("UNSTABLE"), 10, 1},
		{result("FAILURE"), 11, 2},
		{result("ABORTED"), 12, 4},
		{result("NOT_BUILT"), 13, 3},
		{result("SOMETHING_NEW"), 14, 14},
		{task.ErrCancelled, 20, 20},
		{task.ErrLost, 21, 21},
		{task.ErrMerged, 22, 22},
		{task.ErrWaitsForInput, 23, 23},
		{task.ErrUnconfirmed, 7, 7},
		{task.ErrQueueTimeout, 30, 30},
		{task.ErrBuildTimeout, 31, 31},
		{&task.StoppedError{Cause: signalError{os.Interrupt}}, 130, 130},
		{&task.StoppedError{Cause: signalError{syscall.SIGTERM}}, 143, 143},
		{context.Canceled, 130, 130},
	} {
		wrapped := fmt.Errorf("context: %w", tc.err)
		if tc.err == nil {
			wrapped = nil
		}
		if got := exitCode(wrapped, defaultCodes); got != tc.def {
			t.Errorf("%v: exit %d, want %d", tc.err, got, tc.def)
		}
		if got := exitCode(wrapped, jenkinsCLICodes); got != tc.jcli {
			t.Errorf("%v with jenkins-cli numbering: exit %d, want %d", tc.err, got, tc.jcli)
		}
	}
}

// Issue 10, failure 5: several jobs are ranked by outcome, then mapped once,
// so the numbering does not change which job decides.
func TestWorstOutcomeDecides(t *testing.T) {
	t.Parallel()
	result := func(r string) error { return &task.ResultError{Result: r} }
	for _, tc := range []struct {
		errs      []error
		def, jcli int
	}{
		{[]error{nil, result("FAILURE")}, 11, 2},
		{[]error{result("UNSTABLE"), result("FAILURE")}, 11, 2},
		{[]error{result("ABORTED"), result("FAILURE")}, 11, 2},
		{[]error{result("NOT_BUILT"), result("UNSTABLE")}, 13, 3},
		{[]error{result("FAILURE"), usagef("bad parameter")}, 2, 2},
		{[]error{task.ErrMerged, nil}, 22, 22},
		{[]error{result("FAILURE"), &jenkins.Error{Kind: jenkins.ErrUnreachable}}, 7, 7},
		{[]error{&jenkins.Error{Kind: jenkins.ErrUnreachable}, &task.StoppedError{Cause: signalError{syscall.SIGTERM}}}, 143, 143},
		{[]error{nil, nil}, 0, 0},
	} {
		lines := make([]jobLine, len(tc.errs))
		err := newManyError(lines, tc.errs, defaultCodes)
		if got := exitCode(err, defaultCodes); got != tc.def {
			t.Errorf("%v: exit %d, want %d", tc.errs, got, tc.def)
		}
		if got := exitCode(err, jenkinsCLICodes); got != tc.jcli {
			t.Errorf("%v with jenkins-cli numbering: exit %d, want %d", tc.errs, got, tc.jcli)
		}
	}
}

// Issue 10, failure 5, end to end.
func TestManyJobsWithJenkinsCLICodes(t *testing.T) {
	t.Parallel()
	s := manyFake(t)
	r := runFollow(t, context.Background(), "", fast, tokenEnv(s), "ok1", "bad", "--wait", "--exit-codes", "jenkins-cli")
	if r.code != 2 || !strings.Contains(r.stdout, "bad\t"+s.URL()+"job/bad/1/\tFAILURE\t2\n") {
		t.Errorf("exit %d, stdout %q; want 2 (FAILURE in jenkins-cli's numbering)", r.code, r.stdout)
	}
}

// Issue 10, failure 4: an unwritable --output-file is refused before anything
// is triggered, for several jobs as for one.
func TestUnwritableOutputFileTriggersNothing(t *testing.T) {
	t.Parallel()
	for _, jobs := range [][]string{{"ok1"}, {"ok1", "ok2"}} {
		s := manyFake(t)
		args := append(append([]string{}, jobs...), "--wait", "--output-file", "missing/dir/out.properties")
		r := runFollow(t, context.Background(), "", fast, tokenEnv(s), args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "cannot write --output-file") || s.TriggerPOSTs() != 0 {
			t.Errorf("%v: exit %d after %d POSTs, stderr %q; want 2 before triggering", jobs, r.code, s.TriggerPOSTs(), r.stderr)
		}
	}
}

// Issue 16, item 6: an unwritable GITHUB_OUTPUT is refused before anything
// is triggered, like --output-file; a write that fails after a successful
// build fails the run (a build file must not go on without the result).
func TestGitHubOutputCheckedBeforeTriggering(t *testing.T) {
	t.Parallel()
	s := manyFake(t)
	dir := t.TempDir()
	r := runFollow(t, context.Background(), dir, fast, append(tokenEnv(s), "GITHUB_OUTPUT=missing/dir/gh.txt"), "ok1", "--wait")
	if r.code != exitUsage || !strings.Contains(r.stderr, "cannot append to GITHUB_OUTPUT missing/dir/gh.txt") || s.TriggerPOSTs() != 0 {
		t.Errorf("exit %d after %d POSTs, stderr %q; want 2 before triggering", r.code, s.TriggerPOSTs(), r.stderr)
	}
	// The folder goes away while the build runs: the write at the end fails.
	if err := os.Mkdir(filepath.Join(dir, "later"), 0o755); err != nil {
		t.Fatal(err)
	}
	s = newFake(t, withScript("long", jenkinstest.Script{Duration: 2 * time.Second}))
	go func() {
		waitFor(s, func() bool { return len(s.Builds("long")) > 0 })
		_ = os.RemoveAll(filepath.Join(dir, "later"))
	}()
	r = runFollow(t, context.Background(), dir, fast, append(tokenEnv(s), "GITHUB_OUTPUT=later/gh.txt"), "long", "--wait")
	if r.code != exitUsage || !strings.Contains(r.stderr, "cannot append to GITHUB_OUTPUT later/gh.txt") || s.TriggerPOSTs() != 1 {
		t.Errorf("exit %d after %d POSTs, stderr %q; want 2 after the build", r.code, s.TriggerPOSTs(), r.stderr)
	}
}

// Issue 10, failure 3: with secrets from a file and several jobs, the file is
// read once and each caution prints once (run under -race).
func TestManyJobsReadSecretsOnce(t *testing.T) {
	t.Parallel()
	s := manyFake(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(apiToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"JENKINS_URL=" + s.URL(), "JENKINS_USER=builder", "JENKINS_API_TOKEN_FILE=token", "JENKINS_RETRY_FOR=0"}
	r := runFollow(t, context.Background(), dir, fast, env, "ok1", "ok2", "bad", "meh", "--wait", "--insecure", "--api-token-file", "token")
	if r.code != 11 || s.TriggerPOSTs() != 4 {
		t.Fatalf("exit %d after %d POSTs: %s", r.code, s.TriggerPOSTs(), r.stderr)
	}
	if n := strings.Count(r.stderr, "caution: --insecure"); n != 1 {
		t.Errorf("the --insecure caution printed %d times, want once:\n%s", n, r.stderr)
	}
}

// --timeout bounds several jobs together, from the start of the command.
func TestManyJobsShareOneDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newMemFake(t, withScript("q1", jenkinstest.Script{QueueFor: time.Hour}), withScript("q2", jenkinstest.Script{QueueFor: time.Hour}))
		r := runFake(t, s, context.Background(), "", task.DefaultTiming, tokenEnv(s), "q1", "q2", "--wait", "--timeout", "30s", "--parallel", "1")
		if r.code != exitQueueTimeout || !strings.Contains(r.stderr, "timed out after 30s") {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
		if s.TriggerPOSTs() == 0 || s.CancelledItems() != s.TriggerPOSTs() {
			t.Errorf("%d items queued but %d cancelled", s.TriggerPOSTs(), s.CancelledItems())
		}
	})
}

// Issue 16, item 6: the several-jobs summary line carries its own words, not
// the hint of the worst job (which that job's own line already gave).
func TestManySummaryHasNoJobsHint(t *testing.T) {
	t.Parallel()
	lines := []jobLine{{Ref: "hello"}, {Ref: "fileparam"}}
	err := newManyError(lines, []error{nil, &task.ParamError{Name: "upload.txt", File: true, Msg: "upload.txt is a file parameter"}}, defaultCodes)
	if got, want := describe(err), "1 of 2 jobs did not succeed: fileparam (exit 6)"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if code := exitCode(err, defaultCodes); code != exitRejected {
		t.Errorf("exit %d, want %d", code, exitRejected)
	}
}

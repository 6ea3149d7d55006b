package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// fast is the polling of the tests: milliseconds instead of seconds.
var fast = task.Timing{PollMin: 5 * time.Millisecond, PollMax: 20 * time.Millisecond, Near: 5 * time.Millisecond,
	Heartbeat: time.Hour, LostGrace: 300 * time.Millisecond, StopGrace: 150 * time.Millisecond, Cleanup: 5 * time.Second}

// runFollow calls run with fast polling; cancel, when set, receives a function
// that interrupts the run as a signal would.
func runFollow(t *testing.T, ctx context.Context, dir string, timing task.Timing, environ []string, args ...string) result {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	var stdout, stderr bytes.Buffer
	code := run(ctx, osEnv{Args: args, Environ: environ, Dir: dir, Stdout: &stdout, Stderr: &stderr, Timing: &timing})
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func withScript(job string, sc jenkinstest.Script) func(*jenkinstest.Server) {
	return func(s *jenkinstest.Server) {
		j := s.Jobs[job]
		if j == nil {
			j = &jenkinstest.Job{}
			s.Jobs[job] = j
		}
		j.Script = &sc
	}
}

var chattyLog = []string{"compiling", "error: not really, this is remote output", "tests passed\r", "packaging"}

// followCase is one case of TestRunFollow.
type followCase struct {
	name      string
	configure []func(*jenkinstest.Server)
	args      []string
	env       []string
	timing    func(*task.Timing)
	during    func(s *jenkinstest.Server) // runs while the tool waits
	code      int
	stdout    string // exact; %s is the base URL
	stderr    []string
	check     func(t *testing.T, s *jenkinstest.Server, r result)
}

func TestRunFollow(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	tests := []followCase{
		{name: "--wait, SUCCESS: exit 0, build URL on stdout", args: []string{"job", "--wait"},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 80 * ms, Log: chattyLog})},
			stdout:    "%sjob/job/1/\n", stderr: []string{"started build #1: ", "build #1 finished SUCCESS after "}},
		{name: "UNSTABLE is 10", args: []string{"job", "--wait"}, code: 10,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 20 * ms, Result: "UNSTABLE"})},
			stdout:    "%sjob/job/1/\n", stderr: []string{"build #1 finished UNSTABLE: "}},
		{name: "--unstable-ok makes UNSTABLE 0", args: []string{"job", "--wait", "--unstable-ok"},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 20 * ms, Result: "UNSTABLE"})},
			stdout:    "%sjob/job/1/\n", stderr: []string{"accepted as a success (unstable-ok)"}},
		{name: "FAILURE is 11", args: []string{"job", "--wait"}, code: 11,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 20 * ms, Result: "FAILURE"})},
			stdout:    "%sjob/job/1/\n"},
		{name: "ABORTED is 12", args: []string{"job", "--wait"}, code: 12,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 20 * ms, Result: "ABORTED"})},
			stdout:    "%sjob/job/1/\n"},
		{name: "NOT_BUILT is 13", args: []string{"job", "--wait"}, code: 13,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 20 * ms, Result: "NOT_BUILT"})},
			stdout:    "%sjob/job/1/\n"},
		{name: "an unknown result is 14, never 0", args: []string{"job", "--wait"}, code: 14,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 20 * ms, Result: "CUSTOM"})},
			stdout:    "%sjob/job/1/\n", stderr: []string{"finished CUSTOM"}},
		{name: "jenkins-cli numbering: FAILURE is 2", args: []string{"job", "--wait", "--exit-codes", "jenkins-cli"}, code: 2,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 20 * ms, Result: "FAILURE"})},
			stdout:    "%sjob/job/1/\n"},
		{name: "jenkins-cli numbering: ABORTED is 4", args: []string{"job", "--wait", "--exit-codes", "jenkins-cli"}, code: 4,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 20 * ms, Result: "ABORTED"})},
			stdout:    "%sjob/job/1/\n"},
		{name: "--wait-start: exit 0 once the build has a number", args: []string{"job", "--wait-start"},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{QueueFor: 30 * ms, Duration: time.Hour})},
			stdout:    "%sjob/job/1/\n", stderr: []string{"started build #1"}},
		{name: "--follow streams the console, notes stripped, CRLF normalised, nothing twice", args: []string{"job", "--follow"},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 150 * ms, Log: chattyLog, Notes: true})},
			stdout:    "Started by user builder\ncompiling\nerror: not really, this is remote output\ntests passed\npackaging\nFinished: SUCCESS\n%sjob/job/1/\n",
			check:     consoleFetchedOnce},
		{name: "--console-prefix prefixes every console line", args: []string{"job", "--follow", "--console-prefix", "[remote] "},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 60 * ms, Log: chattyLog[:2], Notes: true})},
			stdout:    "[remote] Started by user builder\n[remote] compiling\n[remote] error: not really, this is remote output\n[remote] Finished: SUCCESS\n%sjob/job/1/\n"},
		{name: "--console=tail:2 prints the last two lines at the end", args: []string{"job", "--console", "tail:2"},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 40 * ms, Log: chattyLog})},
			stdout:    "packaging\nFinished: SUCCESS\n%sjob/job/1/\n"},
		{name: "--console=on-failure prints nothing for SUCCESS", args: []string{"job", "--console", "on-failure"},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 20 * ms, Log: chattyLog})},
			stdout:    "%sjob/job/1/\n"},
		{name: "--console=on-failure prints the log of a FAILURE", args: []string{"job", "--console", "on-failure"}, code: 11,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 20 * ms, Log: []string{"boom"}, Result: "FAILURE"})},
			stdout:    "Started by user builder\nboom\nFinished: FAILURE\n%sjob/job/1/\n"},
		{name: "queue: each new why is printed once", args: []string{"job", "--wait"},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{QueueFor: 200 * ms, Duration: 10 * ms,
				Why: []string{"Waiting for next available executor", "There are no nodes with the label 'linux'"}})},
			stdout: "%sjob/job/1/\n",
			stderr: []string{"queued as item 1: Waiting for next available executor", "queued as item 1: There are no nodes with the label 'linux'"},
			check: func(t *testing.T, _ *jenkinstest.Server, r result) {
				if n := strings.Count(r.stderr, "label 'linux'"); n != 1 {
					t.Errorf("the why was printed %d times, want once", n)
				}
			}},
		{name: "queue item cancelled: exit 20", args: []string{"job", "--wait"}, code: exitQueueCancelled,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{QueueFor: 30 * ms, Cancelled: true})},
			stdout:    "%squeue/item/1/\n", stderr: []string{"queue item 1 of \"job\" was cancelled before it started"}},
		{name: "queue item expired: the build is found by queue id", args: []string{"job", "--wait"},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{QueueFor: 20 * ms, Duration: 50 * ms}),
				func(s *jenkinstest.Server) { s.LeftRetention = 0 }},
			stdout: "%sjob/job/1/\n", stderr: []string{"found its build by queue id", "started build #1"},
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				for _, r := range s.Requests() {
					if r.Path == "/job/job/api/json" && strings.Contains(r.Query.Get("tree"), "queueId") {
						return
					}
				}
				t.Error("the builds were never listed by queue id")
			}},
		{name: "queue item gone and no build: exit 21", args: []string{"job", "--wait"}, code: exitLost,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{QueueFor: 10 * ms, Duration: time.Hour}),
				func(s *jenkinstest.Server) { s.LeftRetention = 0; s.Jobs["job"].Discard = true }},
			stdout: "%squeue/item/1/\n", stderr: []string{"vanished and no build of \"job\" with queue id 1"}},
		{name: "controller restart while queued: noticed, build found by queue id", args: []string{"job", "--wait"},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{QueueFor: 150 * ms, Duration: 20 * ms})},
			during: func(s *jenkinstest.Server) {
				// Restart only once the tool has polled the queue item: it must have seen the old session.
				waitFor(s, func() bool {
					for _, r := range s.Requests() {
						if strings.HasPrefix(r.Path, "/queue/item/1/") && r.Status == 200 {
							return true
						}
					}
					return false
				})
				s.Restart()
			},
			stdout: "%sjob/job/1/\n", stderr: []string{"Jenkins restarted (new X-Jenkins-Session)", "started build #1"}},
		{name: "controller restart while building: noticed, the build followed on", args: []string{"job", "--follow"},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 200 * ms, Log: []string{"a", "b", "c", "d"}})},
			during: func(s *jenkinstest.Server) {
				waitFor(s, func() bool { return len(s.Builds("job")) == 1 })
				time.Sleep(60 * time.Millisecond) // virtual time: this runs in a synctest bubble
				s.Restart()
			},
			stdout: "Started by user builder\na\nb\nc\nd\nFinished: SUCCESS\n%sjob/job/1/\n",
			stderr: []string{"Jenkins restarted while build #1 ran"}, check: consoleFetchedOnce},
		{name: "failing polls from a proxy are retried", args: []string{"job", "--wait"}, env: []string{"JENKINS_RETRY_FOR=10s"},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 30 * ms}),
				func(s *jenkinstest.Server) { s.FailGETs = 3 }},
			stdout: "%sjob/job/1/\n"},
		{name: "the log shrinks under our offset: noticed, not printed twice", args: []string{"job", "--follow"},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 300 * ms, Log: []string{"one", "two", "three", "four", "five", "six"}})},
			during: func(s *jenkinstest.Server) {
				waitFor(s, func() bool { b := s.Builds("job"); return len(b) == 1 })
				time.Sleep(150 * time.Millisecond) // virtual time: this runs in a synctest bubble
				s.TruncateLog("job", 1)
			},
			stderr: []string{"the console log of #1 shrank on the server"},
			check: func(t *testing.T, _ *jenkinstest.Server, r result) {
				if strings.Count(r.stdout, "Started by user builder") != 1 {
					t.Errorf("a line was printed twice:\n%s", r.stdout)
				}
			}},
		{name: "--timeout while building: stop, exit 31", args: []string{"job", "--wait", "--timeout", "150ms"}, code: exitBuildTimeout,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: time.Hour})},
			stdout:    "%sjob/job/1/\n", stderr: []string{"timed out after", "waiting for build #1 to finish", "stopped build #1 (stop)"},
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if b := onlyBuild(t, s, "job"); b.Result != "ABORTED" || strings.Join(b.Stops, ",") != "stop" {
					t.Errorf("build = %s after %v, want ABORTED after stop", b.Result, b.Stops)
				}
			}},
		{name: "--timeout on a Pipeline that ignores stop and term: kill", args: []string{"job", "--wait", "--timeout", "100ms"}, code: exitBuildTimeout,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: time.Hour, Pipeline: true, StopsNeeded: 3})},
			stdout:    "%sjob/job/1/\n", stderr: []string{"build #1 still runs 150ms after stop; sending term\n", "build #1 still runs 150ms after term; sending kill\n",
				"stopped build #1 (stop, then term, then kill): it ended ABORTED: "},
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if b := onlyBuild(t, s, "job"); strings.Join(b.Stops, ",") != "stop,term,kill" {
					t.Errorf("stops = %v, want stop, term, kill", b.Stops)
				}
			}},
		{name: "--timeout with --on-timeout=detach: left running, exit 31", args: []string{"job", "--wait", "--timeout", "80ms", "--on-timeout", "detach"},
			code:      exitBuildTimeout,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: time.Hour})},
			stdout:    "%sjob/job/1/\n", stderr: []string{"build #1 keeps running (detach)"},
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if b := onlyBuild(t, s, "job"); len(b.Stops) != 0 {
					t.Errorf("stops = %v, want none", b.Stops)
				}
			}},
		{name: "--queue-timeout: the item is cancelled, exit 30", args: []string{"job", "--wait", "--queue-timeout", "80ms"}, code: exitQueueTimeout,
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{QueueFor: time.Hour})},
			stdout:    "%squeue/item/1/\n", stderr: []string{"waiting for queue item 1", "cancelled queue item 1"},
			check: func(t *testing.T, s *jenkinstest.Server, _ result) {
				if s.CancelledItems() != 1 || !s.Queue()[0].Cancelled() {
					t.Errorf("queue item not cancelled: %+v", s.Queue())
				}
			}},
		{name: "password auth: the crumb is reused for the cancel", args: []string{"job", "--wait", "--queue-timeout", "700ms"}, code: exitQueueTimeout,
			env:       []string{"JENKINS_API_TOKEN=", "JENKINS_PASSWORD=" + password},
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{QueueFor: time.Hour})},
			stdout:    "%squeue/item/1/\n", stderr: []string{"cancelled queue item 1"}},
		{name: "build-token-root with --wait and no user: exit 2 before triggering", args: []string{"tokenjob", "--build-token-root", "--wait"},
			env:  []string{"JENKINS_USER=", "JENKINS_API_TOKEN=", "JENKINS_JOB_TOKEN=s3cret"},
			code: exitUsage, stderr: []string{"waiting needs a user that can read the job"}},
		{name: "split credentials: build-token-root triggers, the user's token polls", args: []string{"tokenjob", "--build-token-root", "--wait"},
			env:       []string{"JENKINS_JOB_TOKEN=s3cret"},
			configure: []func(*jenkinstest.Server){withScript("tokenjob", jenkinstest.Script{Duration: 20 * ms})},
			stdout:    "%sjob/tokenjob/1/\n"},
		{name: "polling impossible (the user cannot read the job): said before triggering, exit 5", args: []string{"tokenjob", "--build-token-root", "--wait"},
			env:       []string{"JENKINS_USER=hidden", "JENKINS_API_TOKEN=11" + strings.Repeat("b", 32), "JENKINS_JOB_TOKEN=s3cret"},
			configure: []func(*jenkinstest.Server){withScript("tokenjob", jenkinstest.Script{QueueFor: time.Hour})},
			code:      exitNotFound,
			stderr:    []string{"the job token could trigger, but the build could not be followed", `user "hidden" lacks Job/Read`},
			check: func(t *testing.T, s *jenkinstest.Server, r result) {
				if n := s.TriggerPOSTs(); n != 0 {
					t.Errorf("%d trigger POSTs, want none", n)
				}
				if strings.Contains(r.stderr, "did you mean") {
					t.Errorf("suggests the name that was asked for: %s", r.stderr)
				}
			}},
		{name: "polling impossible found only while following (no pre-flight): said at once, nothing cancelled",
			args:      []string{"tokenjob", "--build-token-root", "--wait", "--no-preflight"},
			env:       []string{"JENKINS_USER=hidden", "JENKINS_API_TOKEN=11" + strings.Repeat("b", 32), "JENKINS_JOB_TOKEN=s3cret"},
			configure: []func(*jenkinstest.Server){withScript("tokenjob", jenkinstest.Script{QueueFor: time.Hour})},
			code:      exitNotFound, stdout: "%squeue/item/1/\n",
			stderr: []string{"the trigger was accepted as queue item 1, but following it failed, and nothing was cancelled", "the user needs Job/Read to follow a build"}},
		{name: "heartbeat while building", args: []string{"job", "--wait"},
			timing:    func(t *task.Timing) { t.Heartbeat = 40 * time.Millisecond },
			configure: []func(*jenkinstest.Server){withScript("job", jenkinstest.Script{Duration: 200 * ms, Estimated: time.Second})},
			stdout:    "%sjob/job/1/\n", stderr: []string{"building #1, ", " elapsed, about "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) { runFollowCase(t, tt) })
		})
	}
}

// runFollowCase is one case of TestRunFollow, in a bubble: its deadlines,
// polls and heartbeats run on virtual time against the in-memory fake.
func runFollowCase(t *testing.T, tt followCase) {
	s := newMemFake(t, tt.configure...)
	timing := fast
	if tt.timing != nil {
		tt.timing(&timing)
	}
	if tt.during != nil {
		go tt.during(s)
	}
	r := runFake(t, s, context.Background(), "", timing, append(tokenEnv(s), tt.env...), tt.args...)
	if r.code != tt.code {
		t.Errorf("exit code = %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
	}
	if tt.stdout != "" {
		if want := strings.Replace(tt.stdout, "%s", s.URL(), 1); r.stdout != want {
			t.Errorf("stdout = %q, want %q", r.stdout, want)
		}
	}
	for _, want := range tt.stderr {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if n := s.TriggerPOSTs(); n > 1 {
		t.Errorf("%d trigger POSTs, want at most 1", n)
	}
	checkLines(t, result{code: r.code, stderr: r.stderr}) // stdout carries the remote console here
	if tt.check != nil {
		tt.check(t, s, r)
	}
}

// consoleFetchedOnce checks that every progressiveText request started where
// the previous answer's X-Text-Size said: no byte was fetched twice.
func consoleFetchedOnce(t *testing.T, s *jenkinstest.Server, _ result) {
	t.Helper()
	next := "0"
	n := 0
	for _, r := range s.Requests() {
		if !strings.HasSuffix(r.Path, "/logText/progressiveText") {
			continue
		}
		n++
		if got := r.Query.Get("start"); got != next {
			t.Errorf("progressiveText request %d started at %s, want %s", n, got, next)
		}
		next = r.TextSize
	}
	if n == 0 {
		t.Error("no console request")
	}
}

// onlyBuild is the job's first build; the test fails, never panics, without one.
func onlyBuild(t testing.TB, s *jenkinstest.Server, job string) jenkinstest.Build {
	t.Helper()
	bs := s.Builds(job)
	if len(bs) == 0 {
		t.Fatalf("job %q has no build", job)
	}
	return bs[0]
}

func waitFor(s *jenkinstest.Server, cond func() bool) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !cond(); {
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRunInterruptWhileWaiting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy string
		sig    os.Signal
		code   int
		stops  string
		stderr string
	}{
		{"cancel", os.Interrupt, exitInterrupted, "stop", "interrupted; stopped build #1 (stop)"},
		{"detach", os.Interrupt, exitInterrupted, "", "interrupted; build #1 keeps running (detach)"},
		{"cancel", sigterm, exitTerminated, "stop", "terminated; stopped build #1"},
	} {
		t.Run(tc.policy+"-"+tc.sig.String(), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := newMemFake(t, withScript("job", jenkinstest.Script{Duration: time.Hour}))
				ctx, cancel := context.WithCancelCause(context.Background())
				go func() {
					waitFor(s, func() bool { return len(s.Builds("job")) == 1 })
					time.Sleep(30 * time.Millisecond) // virtual time: this runs in a synctest bubble
					cancel(signalError{tc.sig})
				}()
				r := runFake(t, s, ctx, "", fast, tokenEnv(s), "job", "--wait", "--on-interrupt", tc.policy)
				if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
					t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tc.code, tc.stderr)
				}
				if b := onlyBuild(t, s, "job"); strings.Join(b.Stops, ",") != tc.stops {
					t.Errorf("stops = %v, want %q", b.Stops, tc.stops)
				}
			})
		})
	}
}

func TestRunInterruptWhileQueuedCancelsTheItem(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newMemFake(t, withScript("job", jenkinstest.Script{QueueFor: time.Hour}))
		ctx, cancel := context.WithCancelCause(context.Background())
		go func() {
			waitFor(s, func() bool { return len(s.Queue()) == 1 })
			time.Sleep(30 * time.Millisecond) // virtual time: this runs in a synctest bubble
			cancel(signalError{os.Interrupt})
		}()
		r := runFake(t, s, ctx, "", fast, tokenEnv(s), "job", "--wait")
		if r.code != exitInterrupted || !strings.Contains(r.stderr, "interrupted; cancelled queue item 1") || s.CancelledItems() != 1 {
			t.Errorf("exit %d, %d items cancelled, stderr %q", r.code, s.CancelledItems(), r.stderr)
		}
	})
}

func TestRunResultsForBuildFiles(t *testing.T) {
	t.Parallel()
	s := newFake(t, withScript("job", jenkinstest.Script{Duration: 20 * time.Millisecond, Result: "UNSTABLE"}))
	dir := t.TempDir()
	gh := filepath.Join(dir, "github_output")
	writeFile(t, dir, "github_output", "EARLIER=1\n")
	r := runFollow(t, context.Background(), dir, fast, append(tokenEnv(s), "GITHUB_OUTPUT="+gh),
		"job", "--wait", "--json", "--output-file", "out/result.properties")
	if r.code != exitUsage || !strings.Contains(r.stderr, "cannot write --output-file out/result.properties") {
		t.Fatalf("an output file in a missing folder: exit %d, %q; want a usage error before triggering", r.code, r.stderr)
	}
	if s.TriggerPOSTs() != 0 {
		t.Fatalf("triggered although the output file cannot be written")
	}
	r = runFollow(t, context.Background(), dir, fast, append(tokenEnv(s), "GITHUB_OUTPUT="+gh), "job", "--wait", "--json", "--output-file", "result.properties")
	if r.code != 10 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	for k, v := range map[string]any{"job": "job", "queueId": 1.0, "number": 1.0, "url": s.URL() + "job/job/1/", "result": "UNSTABLE", "exitCode": 10.0, "merged": false} {
		if got[k] != v {
			t.Errorf("json %s = %v, want %v", k, got[k], v)
		}
	}
	if _, ok := got["durationMs"]; !ok {
		t.Errorf("json lacks durationMs: %v", got)
	}
	want := "JENKINS_JOB=job\nJENKINS_QUEUE_ID=1\nJENKINS_QUEUE_URL=" + s.URL() + "queue/item/1/\nJENKINS_MERGED=false\n" +
		"JENKINS_BUILD_NUMBER=1\nJENKINS_BUILD_URL=" + s.URL() + "job/job/1/\nJENKINS_BUILD_RESULT=UNSTABLE\n"
	b, _ := os.ReadFile(filepath.Join(dir, "result.properties"))
	if !strings.HasPrefix(string(b), want) || !strings.HasSuffix(string(b), "JENKINS_EXIT_CODE=10\n") {
		t.Errorf("output file:\n%s\nwant it to start with:\n%s", b, want)
	}
	g, _ := os.ReadFile(gh)
	if string(g) != "EARLIER=1\n"+string(b) {
		t.Errorf("GITHUB_OUTPUT:\n%s\nwant the earlier line, then the same keys", g)
	}
	vars, err := parseEnvFile(b)
	if err != nil || vars["JENKINS_BUILD_NUMBER"] != "1" || vars["JENKINS_EXIT_CODE"] != strconv.Itoa(10) {
		t.Errorf("the output file does not load as .env: %v %v", vars, err)
	}
}

// A console far larger than one error page (64 KiB) arrives whole and once.
func TestRunFollowLargeConsole(t *testing.T) {
	t.Parallel()
	lines := make([]string, 20000)
	var want strings.Builder
	want.WriteString("Started by user builder\n")
	for i := range lines {
		lines[i] = "line " + strconv.Itoa(i) + " " + strings.Repeat("x", 60)
		want.WriteString(lines[i] + "\n")
	}
	want.WriteString("Finished: SUCCESS\n")
	synctest.Test(t, func(t *testing.T) {
		s := newMemFake(t, withScript("big", jenkinstest.Script{Duration: 100 * time.Millisecond, Log: lines, Notes: true}))
		r := runFake(t, s, context.Background(), "", fast, tokenEnv(s), "big", "--follow")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if got := strings.TrimSuffix(r.stdout, s.URL()+"job/big/1/\n"); got != want.String() {
			t.Errorf("console: %d bytes, want %d; first difference at byte %d", len(got), want.Len(), firstDiff(got, want.String()))
		}
		consoleFetchedOnce(t, s, r)
	})
}

func firstDiff(a, b string) int {
	for i := 0; i < min(len(a), len(b)); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

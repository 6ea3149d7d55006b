package task

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

// pipelineFake is the sample fake with its Pipelines shortened to tenths of
// a second.
func pipelineFake(t *testing.T, configure ...func(*jenkinstest.Server)) *jenkinstest.Server {
	t.Helper()
	s := jenkinstest.Sample()
	for _, name := range []string{"pipeline", "pipe-fails", "approve"} {
		for i := range s.Jobs[name].Script.Stages {
			s.Jobs[name].Script.Stages[i].Duration = 100 * time.Millisecond
		}
	}
	for _, f := range configure {
		f(s)
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// memPipelineFake is the sample fake with its Pipelines as they are, in
// memory: for a test in a bubble, where their seconds are virtual.
func memPipelineFake(t *testing.T, configure ...func(*jenkinstest.Server)) *jenkinstest.Server {
	t.Helper()
	s := jenkinstest.Sample()
	for _, f := range configure {
		f(s)
	}
	s.StartInMemory()
	t.Cleanup(s.Close)
	return s
}

// record collects what a run says.
type record struct {
	mu                sync.Mutex
	progress, caution []string
}

func (rc *record) events() Events {
	return Events{
		Progress: func(l string) { rc.mu.Lock(); rc.progress = append(rc.progress, l); rc.mu.Unlock() },
		Caution:  func(l string) { rc.mu.Lock(); rc.caution = append(rc.caution, l); rc.mu.Unlock() },
	}
}

func (rc *record) count(sub string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for _, l := range rc.progress {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}

// Stages as progress: one line as each stage starts and one as it ends.
func TestStageProgress(t *testing.T) {
	t.Parallel()
	s := pipelineFake(t)
	rc := &record{}
	res, err := Run(context.Background(), client(t, s), spec(t, s, "pipeline", WaitEnd), rc.events())
	if err != nil || res.Result != "SUCCESS" {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	for _, line := range []string{`stage "Build" started`, `stage "Build" finished after`, `stage "Test" started`, `stage "Test" finished after`} {
		if n := rc.count(line); n != 1 {
			t.Errorf("%d lines with %q, want 1:\n%s", n, line, strings.Join(rc.progress, "\n"))
		}
	}
}

// Issue 16, item 6: a Pipeline over before its first stage read (on 2.372 a
// 3-second pipe-ok once finished with no stage line) still says its stages,
// from the last read, in order.
func TestStagesSeenOnlyInTheLastRead(t *testing.T) {
	t.Parallel()
	s := pipelineFake(t, func(s *jenkinstest.Server) {
		for i := range s.Jobs["pipeline"].Script.Stages {
			s.Jobs["pipeline"].Script.Stages[i].Duration = 0 // ended when first read
		}
	})
	rc := &record{}
	res, err := Run(context.Background(), client(t, s), spec(t, s, "pipeline", WaitEnd), rc.events())
	if err != nil || res.Result != "SUCCESS" {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	var said []string
	for _, l := range rc.progress {
		if strings.HasPrefix(l, "stage ") {
			said = append(said, l[:strings.Index(l, `" `)+1]+" "+strings.Fields(l[strings.Index(l, `" `)+2:])[0])
		}
	}
	want := []string{`stage "Build" started`, `stage "Build" finished`, `stage "Test" started`, `stage "Test" finished`}
	if strings.Join(said, "; ") != strings.Join(want, "; ") {
		t.Errorf("stage lines %q, want %q", said, want)
	}
}

// Failures explained in one line: the stage and the error, from wfapi; from
// the console when the controller has no wfapi.
func TestFailureExplained(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		noAPI, noView bool
		stage         string
		reason        string
	}{
		{name: "Pipeline Graph View, the reason from the console", stage: "Deploy", reason: "ERROR: boom"},
		{name: "wfapi, the reason from the stage's error", noView: true, stage: "Deploy", reason: "ERROR: boom"},
		{name: "console only", noAPI: true, noView: true, reason: "ERROR: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := pipelineFake(t, func(s *jenkinstest.Server) { s.NoWfapi, s.NoGraphView = tc.noAPI, tc.noView })
			rc := &record{}
			res, err := Run(context.Background(), client(t, s), spec(t, s, "pipe-fails", WaitEnd), rc.events())
			var re *ResultError
			if !errors.As(err, &re) || re.Result != "FAILURE" || re.Stage != tc.stage || re.Reason != tc.reason {
				t.Fatalf("err = %#v, want FAILURE in stage %q: %q", err, tc.stage, tc.reason)
			}
			want := "build #1 finished FAILURE"
			if tc.stage != "" {
				want += ` in stage "Deploy"`
			}
			want += ": ERROR: boom: " + res.URL
			if err.Error() != want || res.Stage != tc.stage || res.Reason != tc.reason {
				t.Errorf("%q (result %+v), want %q", err.Error(), res, want)
			}
			if !tc.noAPI && rc.count(`stage "Deploy" FAILED after`) != 1 {
				t.Errorf("no FAILED stage line:\n%s", strings.Join(rc.progress, "\n"))
			}
		})
	}
}

// A freestyle build's reason comes from its console.
func TestFreestyleFailureReason(t *testing.T) {
	t.Parallel()
	s := fake(t, jenkinstest.Script{Duration: 50 * time.Millisecond, Result: "FAILURE",
		Log: []string{"compiling", "ERROR: first problem", "Build step 'Execute shell' marked build as failure"}})
	_, err := Run(context.Background(), client(t, s), spec(t, s, "job", WaitEnd), Events{})
	var re *ResultError
	if !errors.As(err, &re) || re.Reason != "Build step 'Execute shell' marked build as failure" || re.Stage != "" {
		t.Errorf("err = %#v", err)
	}
}

// Input steps are noticed within a poll, said once, and each policy does
// what it says.
func TestInputPolicies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		policy  InputPolicy
		params  bool
		err     error
		result  string
		outcome string
		reason  string
	}{
		{name: "fail: exit 23, the build stays paused", policy: InputFail, err: ErrWaitsForInput, outcome: "waiting"},
		{name: "abort: rejected, followed to ABORTED", policy: InputAbort, result: "ABORTED", outcome: "aborted", reason: `input "Deploy?" aborted, as asked`},
		{name: "proceed: approved, followed to SUCCESS", policy: InputProceed, result: "SUCCESS", outcome: "approved"},
		{name: "proceed an input with parameters: 23", policy: InputProceed, params: true, err: ErrWaitsForInput, outcome: "waiting"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := pipelineFake(t, func(s *jenkinstest.Server) {
				if tc.params {
					s.Jobs["approve"].Script.Stages[1].Input.Params = []string{"TARGET"}
				}
			})
			c := client(t, s)
			sp := spec(t, s, "approve", WaitEnd)
			sp.OnInput = tc.policy
			rc := &record{}
			res, err := Run(context.Background(), c, sp, rc.events())
			switch {
			case tc.err != nil && !errors.Is(err, tc.err):
				t.Errorf("err = %v, want %v", err, tc.err)
			case tc.err == nil && tc.result == "SUCCESS" && err != nil:
				t.Errorf("err = %v, want success", err)
			case tc.result == "ABORTED":
				var re *ResultError
				if !errors.As(err, &re) || re.Result != "ABORTED" || re.Reason != tc.reason {
					t.Errorf("err = %#v, want ABORTED with %q", err, tc.reason)
				}
			}
			if res.Input == nil || res.Input.ID != "Deploy" || res.Input.Message != "Deploy?" || res.Input.Outcome != tc.outcome {
				t.Errorf("input = %+v, want Deploy? %s", res.Input, tc.outcome)
			}
			if n := rc.count(`build #1 waits for input "Deploy?" (id Deploy): approve or abort at ` + res.URL + "input/"); n != 1 {
				t.Errorf("the input was said %d times, want once:\n%s", n, strings.Join(rc.progress, "\n"))
			}
			if tc.outcome == "approved" && (len(rc.caution) != 1 || !strings.Contains(rc.caution[0], `approved input "Deploy?" (id Deploy) of build #1 as builder`)) {
				t.Errorf("cautions %q, want one naming who approved what", rc.caution)
			}
			if tc.err != nil {
				if b := s.Builds("approve"); len(b) != 1 || !b[0].End.IsZero() {
					t.Errorf("the build should stay paused: %+v", b)
				}
			}
		})
	}
}

// Waiting for an input is bounded by the timeout, and the timeout says so.
func TestInputWaitIsBoundedByTheTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := memPipelineFake(t)
		sp := spec(t, s, "approve", WaitEnd)
		// Virtual time: the real polling schedule and a real deadline.
		sp.Timeout, sp.OnTimeout, sp.Timing = 10*time.Minute, Detach, DefaultTiming
		rc := &record{}
		res, err := Run(context.Background(), client(t, s), sp, rc.events())
		if !errors.Is(err, ErrBuildTimeout) || res.Input == nil || res.Input.Outcome != "waiting" {
			t.Errorf("err = %v, input %+v; want a build timeout while waiting", err, res.Input)
		}
	})
}

// A user without Job/Build who answers an input gets Jenkins' 400 explained
// as a permission, and the build stays paused.
func TestInputAnswerNeedsJobBuild(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) { inputAnswerNeedsJobBuild(t) })
}

func inputAnswerNeedsJobBuild(t *testing.T) {
	s := memPipelineFake(t, func(s *jenkinstest.Server) {
		s.Users["reader"] = &jenkinstest.User{APIToken: "11" + strings.Repeat("a", 32), NoBuild: true}
	})
	sp := spec(t, s, "approve", WaitStart)
	if _, err := Run(context.Background(), client(t, s), sp, Events{}); err != nil {
		t.Fatal(err)
	}
	base, _ := jenkins.ParseBase(s.URL())
	reader, _ := jenkins.New(jenkins.Options{Base: base, Dial: s.Dial, Creds: auth.Credentials{User: "reader", APIToken: auth.Secret("11" + strings.Repeat("a", 32))}})
	j := sp.Trigger.Job
	for range 100 { // virtual seconds, until the build reaches its input
		if in, err := reader.PendingInputs(context.Background(), j, 1); err == nil && len(in) == 1 {
			break
		}
		time.Sleep(time.Second)
	}
	err := reader.SubmitInput(context.Background(), j, 1, "Deploy", true)
	if !errors.Is(err, jenkins.ErrForbidden) || !strings.Contains(err.Error(), `user "reader" may not answer input "Deploy" of build #1: Jenkins wants Job/Build`) {
		t.Errorf("err = %v", err)
	}
	if err := reader.SubmitInput(context.Background(), j, 1, "deploy", true); !errors.Is(err, jenkins.ErrInputSettled) {
		t.Errorf("wrong-case id: err = %v, want it not pending (ids are case-sensitive)", err)
	}
	if b := s.Builds("approve"); len(b) != 1 || !b[0].End.IsZero() {
		t.Errorf("the build should stay paused: %+v", b)
	}
}

// --console on-failure prints the failing stage's part of the console.
func TestOnFailurePrintsTheFailingStage(t *testing.T) {
	t.Parallel()
	s := pipelineFake(t)
	var out strings.Builder
	sp := spec(t, s, "pipe-fails", WaitEnd)
	sp.Console, sp.Prefix = ConsoleOnFailure, "> "
	_, err := Run(context.Background(), client(t, s), sp, Events{Console: &out})
	if err == nil {
		t.Fatal("want FAILURE")
	}
	if got := out.String(); !strings.Contains(got, "> deploying\n") || strings.Contains(got, "compiling") {
		t.Errorf("console printed:\n%s\nwant the Deploy stage only", got)
	}
}

// Without wfapi, a streamed console's markers still give the stages.
func TestStagesFromTheConsole(t *testing.T) {
	t.Parallel()
	s := pipelineFake(t, func(s *jenkinstest.Server) { s.NoWfapi, s.NoGraphView = true, true })
	rc := &record{}
	sp := spec(t, s, "pipeline", WaitEnd)
	sp.Console = ConsoleStream
	ev := rc.events()
	ev.Console = &strings.Builder{}
	if _, err := Run(context.Background(), client(t, s), sp, ev); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{`stage "Build" started`, `stage "Build" ended`, `stage "Test" started`, `stage "Test" ended`} {
		if n := rc.count(line); n != 1 {
			t.Errorf("%d lines with %q, want 1:\n%s", n, line, strings.Join(rc.progress, "\n"))
		}
	}
}

// Stage tracking costs one request per build poll, plus one at the end:
// never more per poll than that (BENCHMARKS.md), from either source, and the
// source is found once.
func TestStageTrackingCost(t *testing.T) {
	t.Parallel()
	for _, noView := range []bool{false, true} {
		s := pipelineFake(t, func(s *jenkinstest.Server) { s.NoGraphView = noView })
		if _, err := Run(context.Background(), client(t, s), spec(t, s, "pipeline", WaitEnd), Events{}); err != nil {
			t.Fatal(err)
		}
		polls, tree, describes := 0, 0, 0
		for _, r := range s.Requests() {
			switch {
			case strings.HasSuffix(r.Path, "/pipeline/1/api/json"):
				polls++
			case strings.HasSuffix(r.Path, "/stages/tree"):
				tree++
			case strings.HasSuffix(r.Path, "/wfapi/describe"):
				describes++
			}
		}
		stageReqs, probes := tree+describes, 0
		if noView {
			probes = 1 // the one 404 that finds Pipeline Graph View absent
		}
		if stageReqs == 0 || stageReqs > polls+probes || (noView && tree != 1) || (!noView && describes != 0) {
			t.Errorf("graph view absent %v: %d build polls, %d stages/tree and %d wfapi/describe requests", noView, polls, tree, describes)
		}
		t.Logf("graph view absent %v: %d build polls, %d stages/tree, %d wfapi/describe", noView, polls, tree, describes)
	}
}

// With Pipeline Graph View but no wfapi, a paused build is said, but its
// input cannot be answered from here.
func TestInputWithoutWfapi(t *testing.T) {
	t.Parallel()
	s := pipelineFake(t, func(s *jenkinstest.Server) { s.NoWfapi = true })
	sp := spec(t, s, "approve", WaitEnd)
	sp.OnInput = InputProceed
	rc := &record{}
	res, err := Run(context.Background(), client(t, s), sp, rc.events())
	if !errors.Is(err, ErrWaitsForInput) || !strings.Contains(err.Error(), "cannot be answered from here without the Pipeline REST API") {
		t.Errorf("err = %v", err)
	}
	if rc.count("build #1 waits for an input step: approve or abort at "+res.URL+"input/") != 1 {
		t.Errorf("the pause was not said once:\n%s", strings.Join(rc.progress, "\n"))
	}
}

// A node block that waits for an executor is said, and so is its start:
// the build runs, but its steps do not.
func TestNodeBlockWaitingForAnExecutor(t *testing.T) {
	t.Parallel()
	s := pipelineFake(t, func(s *jenkinstest.Server) {
		s.Executors = 1
		s.Jobs["hog"] = &jenkinstest.Job{Script: &jenkinstest.Script{Duration: 400 * time.Millisecond}}
		s.Jobs["nodejob"] = &jenkinstest.Job{Script: &jenkinstest.Script{Stages: []jenkinstest.Stage{
			{Name: "Build", Node: true, Duration: 100 * time.Millisecond, Log: []string{"+ make"}}}}}
	})
	c := client(t, s)
	if _, err := Run(context.Background(), c, spec(t, s, "hog", WaitStart), Events{}); err != nil {
		t.Fatal(err)
	}
	rc := &record{}
	res, err := Run(context.Background(), c, spec(t, s, "nodejob", WaitEnd), rc.events())
	if err != nil || res.Result != "SUCCESS" {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	for _, line := range []string{"build #1 runs, but a node block waits for an executor: Waiting for next available executor", "build #1 got an executor for its node block"} {
		if n := rc.count(line); n != 1 {
			t.Errorf("%d lines with %q, want 1:\n%s", n, line, strings.Join(rc.progress, "\n"))
		}
	}
	if hog := s.Builds("hog"); len(hog) != 1 || hog[0].End.IsZero() {
		t.Fatalf("hog = %+v", hog)
	} else if b := s.Builds("nodejob"); len(b) != 1 || b[0].End.Before(hog[0].End) {
		t.Errorf("the node block ran before the executor was free: hog ended %s, nodejob %s", hog[0].End, b[0].End)
	}
}

// Without a known stage, --console on-failure prints the console's last
// lines and says where the whole log is.
func TestOnFailurePrintsTheTail(t *testing.T) {
	t.Parallel()
	var log []string
	for i := range 300 {
		log = append(log, "line "+strconv.Itoa(i))
	}
	s := fake(t, jenkinstest.Script{Duration: 20 * time.Millisecond, Result: "FAILURE", Log: log})
	var out strings.Builder
	sp := spec(t, s, "job", WaitEnd)
	sp.Console = ConsoleOnFailure
	rc := &record{}
	ev := rc.events()
	ev.Console = &out
	res, err := Run(context.Background(), client(t, s), sp, ev)
	if err == nil {
		t.Fatal("want FAILURE")
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != 200 || got[0] != "line 101" || got[199] != "Finished: FAILURE" {
		t.Errorf("%d lines, first %q, last %q; want the last 200", len(got), got[0], got[len(got)-1])
	}
	if rc.count("the last 200 lines of the console of build #1 (the whole log: "+res.URL+"console):") != 1 {
		t.Errorf("no line says where the whole log is:\n%s", strings.Join(rc.progress, "\n"))
	}
}

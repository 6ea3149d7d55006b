package task

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

// fast is the polling of the tests: milliseconds instead of seconds.
var fast = Timing{PollMin: 5 * time.Millisecond, PollMax: 20 * time.Millisecond, Near: 5 * time.Millisecond,
	Heartbeat: time.Hour, LostGrace: 300 * time.Millisecond, StopGrace: 150 * time.Millisecond, Cleanup: 5 * time.Second}

// fake starts the sample fake Jenkins with job "job" running script.
func fake(t *testing.T, script jenkinstest.Script, faults ...jenkinstest.Fault) *jenkinstest.Server {
	t.Helper()
	s := sampleJob(script, faults)
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// sampleJob is the sample fake with job "job" running script, and faults.
func sampleJob(script jenkinstest.Script, faults []jenkinstest.Fault) *jenkinstest.Server {
	s := jenkinstest.Sample()
	s.Jobs["job"] = &jenkinstest.Job{Script: &script}
	for _, f := range faults {
		s.Inject(f)
	}
	return s
}

// memFake is fake served in memory, for a test in a testing/synctest bubble:
// there time is virtual, so deadlines, polls and grace periods take no real
// time and no test depends on how fast the machine is. Call it in the bubble.
func memFake(t *testing.T, script jenkinstest.Script, faults ...jenkinstest.Fault) *jenkinstest.Server {
	t.Helper()
	s := sampleJob(script, faults)
	s.StartInMemory()
	t.Cleanup(s.Close)
	return s
}

// client is an API-token client of s that retries GETs for 30 s, as users get.
func client(t *testing.T, s *jenkinstest.Server) *jenkins.Client {
	t.Helper()
	base, err := jenkins.ParseBase(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	var dial func(context.Context, string, string) (net.Conn, error)
	if s.InMemory() {
		dial = s.Dial
	}
	c, err := jenkins.New(jenkins.Options{Base: base, RetryFor: 30 * time.Second, Dial: dial,
		Creds: auth.Credentials{User: jenkinstest.SampleUser, APIToken: auth.Secret(jenkinstest.SampleAPIToken)}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func spec(t *testing.T, s *jenkinstest.Server, job string, wait Wait) Spec {
	t.Helper()
	base, _ := jenkins.ParseBase(s.URL())
	j, err := jenkins.ParseJob(base, job)
	if err != nil {
		t.Fatal(err)
	}
	return Spec{Trigger: jenkins.TriggerRequest{Job: j}, Mode: auth.APIToken, HasUser: true, Wait: wait, Timing: fast}
}

// Issue 10, failure 1: --timeout bounds the whole run, including the
// pre-flight's retries, a trigger that takes long, and polls that fail; the
// clean-up then runs on its own context.
func TestTimeoutBoundsEveryPhase(t *testing.T) {
	t.Parallel()
	forever := jenkinstest.Script{QueueFor: time.Hour}
	for _, tc := range []struct {
		name     string
		faults   []jenkinstest.Fault
		timeout  time.Duration
		queue    time.Duration
		kind     error
		msg      string
		posts    int
		cancels  int
		noCancel bool
	}{
		{name: "a proxy answers 502 to the pre-flight", timeout: 300 * time.Millisecond,
			faults: []jenkinstest.Fault{{Method: "GET", Path: "/job/job/api/json", Kind: jenkinstest.Proxy502}},
			kind:   ErrQueueTimeout, msg: `timed out after 300ms before triggering "job"; nothing was queued`},
		{name: "the pre-flight's answer takes 30s", timeout: 300 * time.Millisecond,
			faults: []jenkinstest.Fault{{Method: "GET", Path: "/job/job/api/json", Kind: jenkinstest.SlowHeaders, Delay: 30 * time.Second}},
			kind:   ErrQueueTimeout, msg: "nothing was queued"},
		{name: "the trigger's answer takes 30s", timeout: 300 * time.Millisecond,
			faults: []jenkinstest.Fault{{Method: "POST", Path: "/build", Kind: jenkinstest.SlowHeaders, Delay: 30 * time.Second}},
			kind:   ErrQueueTimeout, msg: `timed out after 300ms while the trigger of "job" was in flight: it may have been queued; check`, posts: 1},
		{name: "a proxy answers 502 to every queue poll: the item is cancelled", timeout: 300 * time.Millisecond,
			faults: []jenkinstest.Fault{{Method: "GET", Path: "/queue/item/1/api/json", Kind: jenkinstest.Proxy502}},
			kind:   ErrQueueTimeout, msg: `timed out after 300ms waiting for queue item 1 of "job" to start; cancelled queue item 1`, posts: 1, cancels: 1},
		{name: "--queue-timeout bounds the same way", queue: 300 * time.Millisecond,
			faults: []jenkinstest.Fault{{Method: "GET", Path: "/queue/item/1/api/json", Kind: jenkinstest.SlowHeaders, Delay: 30 * time.Second}},
			kind:   ErrQueueTimeout, msg: "cancelled queue item 1", posts: 1, cancels: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := memFake(t, forever, tc.faults...)
				sp := spec(t, s, "job", WaitEnd)
				sp.Timeout, sp.QueueTimeout = tc.timeout, tc.queue
				res, err := Run(context.Background(), client(t, s), sp, Events{})
				if !errors.Is(err, tc.kind) || err == nil || !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("err = %v; want %v with %q", err, tc.kind, tc.msg)
				}
				if s.TriggerPOSTs() != tc.posts || s.CancelledItems() != tc.cancels {
					t.Errorf("%d POSTs and %d cancels, want %d and %d", s.TriggerPOSTs(), s.CancelledItems(), tc.posts, tc.cancels)
				}
				if res == nil || res.Job != "job" {
					t.Errorf("result %+v, want the job named", res)
				}
			})
		})
	}
}

// The deadline counts from Spec.Start (the start of the command), not from
// the trigger: a run that starts late has less time.
func TestTimeoutCountsFromStart(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := memFake(t, jenkinstest.Script{QueueFor: time.Hour})
		sp := spec(t, s, "job", WaitEnd)
		sp.Start, sp.Timeout = time.Now().Add(-time.Second), time.Second
		_, err := Run(context.Background(), client(t, s), sp, Events{})
		if !errors.Is(err, ErrQueueTimeout) || s.TriggerPOSTs() != 0 {
			t.Errorf("err = %v after %d POSTs; want a timeout before anything was sent", err, s.TriggerPOSTs())
		}
	})
}

// sig stands for the CLI's signal cause: its text begins the message.
type sig string

func (s sig) Error() string { return string(s) }

// Issue 10, failure 2: a signal in every phase ends with one line that says
// what was done and what state Jenkins is in, and the error unwraps to the
// signal so the CLI can tell SIGTERM from Ctrl-C.
func TestSignalInEveryPhase(t *testing.T) {
	t.Parallel()
	slow := func(method, path string) []jenkinstest.Fault {
		return []jenkinstest.Fault{{Method: method, Path: path, Kind: jenkinstest.SlowHeaders, Delay: 30 * time.Second}}
	}
	for _, tc := range []struct {
		name   string
		script jenkinstest.Script
		faults []jenkinstest.Fault
		ready  func(s *jenkinstest.Server) bool
		msg    string
		posts  int
	}{
		{name: "pre-flight", script: jenkinstest.Script{QueueFor: time.Hour}, faults: slow("GET", "/job/job/api/json"),
			ready: func(s *jenkinstest.Server) bool { return len(s.Requests()) > 0 },
			msg:   `terminated before triggering "job"; nothing was queued`},
		{name: "trigger in flight", script: jenkinstest.Script{QueueFor: time.Hour}, faults: slow("POST", "/build"),
			ready: func(s *jenkinstest.Server) bool { return s.TriggerPOSTs() > 0 },
			msg:   `terminated while the trigger of "job" was in flight: it may have been queued; check `, posts: 1},
		{name: "queued", script: jenkinstest.Script{QueueFor: time.Hour},
			ready: func(s *jenkinstest.Server) bool { return len(s.Queue()) > 0 },
			msg:   "terminated; cancelled queue item 1", posts: 1},
		{name: "building", script: jenkinstest.Script{Duration: time.Hour},
			ready: func(s *jenkinstest.Server) bool { return len(s.Builds("job")) > 0 },
			msg:   "terminated; stopped build #1 (stop)", posts: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := memFake(t, tc.script, tc.faults...)
				ctx, cancel := context.WithCancelCause(context.Background())
				go func() {
					for !tc.ready(s) {
						time.Sleep(2 * time.Millisecond) // virtual time: this runs in a synctest bubble
					}
					time.Sleep(20 * time.Millisecond) // virtual time: this runs in a synctest bubble
					cancel(sig("terminated"))
				}()
				_, err := Run(ctx, client(t, s), spec(t, s, "job", WaitEnd), Events{})
				var stopped *StoppedError
				if !errors.As(err, &stopped) || !errors.Is(err, sig("terminated")) {
					t.Fatalf("err = %#v, want a StoppedError caused by the signal", err)
				}
				if !strings.HasPrefix(err.Error(), tc.msg) {
					t.Errorf("message %q, want it to start %q", err.Error(), tc.msg)
				}
				if s.TriggerPOSTs() != tc.posts {
					t.Errorf("%d POSTs, want %d", s.TriggerPOSTs(), tc.posts)
				}
			})
		})
	}
}

// A merge is a use-case outcome of task, not an HTTP fact of jenkins.
func TestFailIfMergedIsTasks(t *testing.T) {
	t.Parallel()
	s := fake(t, jenkinstest.Script{QueueFor: time.Hour})
	c := client(t, s)
	sp := spec(t, s, "greeting", WaitNone) // Jenkins answers 303 to a merge only through buildWithParameters
	sp.Trigger.Params = []jenkins.Param{{Name: "GREETING", Value: "x"}}
	if _, err := Run(context.Background(), c, sp, Events{}); err != nil {
		t.Fatal(err)
	}
	sp.FailIfMerged = true
	var merged int64
	res, err := Run(context.Background(), c, sp, Events{Merged: func(id int64) { merged = id }})
	if !errors.Is(err, ErrMerged) || errors.Is(err, jenkins.ErrRejected) || !res.Merged || merged != 1 {
		t.Errorf("err = %v, merged %v (event %d); want ErrMerged for item 1", err, res.Merged, merged)
	}
}

// Issue 10, failure 3: several jobs run from specs built once, sharing their
// parameter slices, at most parallel at once (run with -race).
func TestRunManyBoundedAndShared(t *testing.T) {
	t.Parallel()
	s := jenkinstest.Sample()
	names := []string{"a", "b", "c", "d"}
	for _, n := range names {
		s.Jobs[n] = &jenkinstest.Job{Params: []jenkinstest.ParamDef{{Name: "V", Type: "string"}},
			Script: &jenkinstest.Script{Duration: 60 * time.Millisecond}}
	}
	s.Start()
	t.Cleanup(s.Close)
	shared := []jenkins.Param{{Name: "V", Value: "1"}}
	var jobs []Job
	var mu sync.Mutex
	running, most := 0, 0
	for _, n := range names {
		sp := spec(t, s, n, WaitEnd)
		sp.Trigger.Params = shared
		jobs = append(jobs, Job{Client: client(t, s), Spec: sp, Events: Events{Progress: func(l string) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case strings.HasPrefix(l, "started build"):
				running++
				most = max(most, running)
			case strings.Contains(l, "finished SUCCESS"):
				running--
			}
		}}})
	}
	out := RunMany(context.Background(), jobs, 2)
	for i, o := range out {
		if o.Err != nil || o.Result.Job != names[i] || o.Result.Result != "SUCCESS" {
			t.Errorf("job %d: %+v, %v", i, o.Result, o.Err)
		}
	}
	if most > 2 || most == 0 {
		t.Errorf("%d builds followed at once, want at most 2", most)
	}
	if shared[0].Value != "1" || len(shared) != 1 {
		t.Errorf("the shared parameters were changed: %v", shared)
	}
}

// The pre-flight policy is task's: a bare job token cannot read the job, so
// it is not read; a job token whose user cannot read it triggers anyway, but
// is refused before triggering when the build must be followed.
func TestPreflightPolicy(t *testing.T) {
	t.Parallel()
	hidden := auth.Secret("11" + strings.Repeat("b", 32))
	for _, tc := range []struct {
		name              string
		creds             auth.Credentials
		wait              Wait
		preflight, posted bool
		msg               string
	}{
		{name: "bare job token: no pre-flight (the anonymous crumb is refused here)", creds: auth.Credentials{JobToken: jenkinstest.SampleJobToken}},
		{name: "job token, user cannot read: trigger anyway", creds: auth.Credentials{User: "hidden", APIToken: hidden, JobToken: jenkinstest.SampleJobToken},
			preflight: true, posted: true},
		{name: "job token, user cannot read, wait: refused before triggering", wait: WaitEnd,
			creds:     auth.Credentials{User: "hidden", APIToken: hidden, JobToken: jenkinstest.SampleJobToken},
			preflight: true, msg: "the job token could trigger, but the build could not be followed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := jenkinstest.Sample()
			s.Users["hidden"] = &jenkinstest.User{APIToken: string(hidden), NoRead: true}
			s.Start()
			t.Cleanup(s.Close)
			base, _ := jenkins.ParseBase(s.URL())
			c, err := jenkins.New(jenkins.Options{Base: base, Creds: tc.creds})
			if err != nil {
				t.Fatal(err)
			}
			j, _ := jenkins.ParseJob(base, "tokenjob")
			_, _, basic := tc.creds.Basic()
			_, err = Run(context.Background(), c, Spec{Trigger: jenkins.TriggerRequest{Job: j}, Mode: tc.creds.Mode(), HasUser: basic, Wait: tc.wait, Timing: fast}, Events{})
			preflight, posted := false, false
			for _, r := range s.Requests() {
				preflight = preflight || (r.Method == "GET" && r.Path == "/job/tokenjob/api/json")
				posted = posted || r.Method == "POST"
			}
			if preflight != tc.preflight || posted != tc.posted {
				t.Errorf("pre-flight %v, trigger sent %v; want %v and %v (err %v)", preflight, posted, tc.preflight, tc.posted, err)
			}
			if tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)) {
				t.Errorf("err = %v, want %q", err, tc.msg)
			}
		})
	}
}

// Issue 11, defect 3: Jenkins rewrites the quiet period's countdown at every
// read; the log gets one line for it, not one per poll.
func TestQuietPeriodIsSaidOnce(t *testing.T) {
	t.Parallel()
	s := fake(t, jenkinstest.Script{Duration: 10 * time.Millisecond})
	sp := spec(t, s, "job", WaitStart)
	delay := 1500 * time.Millisecond
	sp.Trigger.Delay = &delay
	var mu sync.Mutex
	var lines []string
	_, err := Run(context.Background(), client(t, s), sp, Events{Progress: func(l string) { mu.Lock(); lines = append(lines, l); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range lines {
		if strings.Contains(l, "In the quiet period") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d quiet-period lines, want 1:\n%s", n, strings.Join(lines, "\n"))
	}
}

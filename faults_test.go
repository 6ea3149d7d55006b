package main

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

// outcome of one fault: the exit code and a piece of the message.
type faultWant struct {
	code int
	msg  string
}

// TestFaultMatrix injects every fault into every phase of a followed build
// and checks the exit code, the message and the invariants: the build is
// never queued twice, a trigger that may have reached Jenkins is never sent
// again (unless Jenkins' own start-up page proves it was not handled), a
// failure while following cancels nothing, and every run ends.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	all := []jenkinstest.FaultKind{jenkinstest.ResetBeforeRead, jenkinstest.ResetAfterRead, jenkinstest.SlowHeaders,
		jenkinstest.SlowBody, jenkinstest.Proxy502, jenkinstest.Proxy503, jenkinstest.Proxy504, jenkinstest.Startup503,
		jenkinstest.TruncatedJSON, jenkinstest.InvalidJSON, jenkinstest.LoginPage, jenkinstest.RedirectLoop,
		jenkinstest.Oversized, jenkinstest.TooMany}
	lostNotQueued := faultWant{exitUnreachable, "so it was most likely not queued; it was not sent again"}
	found := faultWant{0, "Jenkins has exactly one match created after the send, queue item 1"}
	// The trigger POST, hit once.
	trigger := map[jenkinstest.FaultKind]faultWant{
		jenkinstest.ResetBeforeRead: lostNotQueued,
		jenkinstest.ResetAfterRead:  found,
		jenkinstest.SlowHeaders:     found,
		jenkinstest.SlowBody:        {0, ""},
		jenkinstest.Proxy502:        lostNotQueued,
		jenkinstest.Proxy503:        lostNotQueued,
		jenkinstest.Proxy504:        found,
		jenkinstest.Startup503:      {0, ""},
		jenkinstest.TruncatedJSON:   {0, ""},
		jenkinstest.InvalidJSON:     {exitProtocol, "Jenkins answered HTTP 200 with a page instead of queuing"},
		jenkinstest.LoginPage:       {exitAuth, "did not come from Jenkins"},
		jenkinstest.RedirectLoop:    {exitRejected, "queued nothing"},
		jenkinstest.Oversized:       {exitProtocol, "Jenkins answered HTTP 200"},
		jenkinstest.TooMany:         lostNotQueued,
	}
	// A GET while following, hit twice: transient faults are retried; answers
	// that are wrong, not late, end the run without cancelling anything.
	poll := func(phase string) map[jenkinstest.FaultKind]faultWant {
		notFollowed := "but following it failed, and nothing was cancelled"
		m := map[jenkinstest.FaultKind]faultWant{
			jenkinstest.InvalidJSON:  {exitProtocol, notFollowed},
			jenkinstest.LoginPage:    {exitAuth, notFollowed},
			jenkinstest.RedirectLoop: {exitProtocol, notFollowed},
			jenkinstest.Oversized:    {exitProtocol, notFollowed},
		}
		if phase == "console" {
			m[jenkinstest.InvalidJSON] = faultWant{exitProtocol, "lacks a valid X-Text-Size"}
			m[jenkinstest.Oversized] = faultWant{exitProtocol, "lacks a valid X-Text-Size"}
		}
		for _, k := range all {
			if _, ok := m[k]; !ok {
				m[k] = faultWant{0, ""}
			}
		}
		return m
	}
	phases := []struct {
		name   string
		method string
		path   string
		times  int
		want   map[jenkinstest.FaultKind]faultWant
	}{
		{"trigger", "POST", "/job/job/build", 1, trigger},
		{"queue", "GET", "/queue/item/1/api/json", 2, poll("queue")},
		{"build", "GET", "/job/job/1/api/json", 2, poll("build")},
		{"console", "GET", "/job/job/1/logText/progressiveText", 2, poll("console")},
	}
	for _, ph := range phases {
		for _, kind := range all {
			want := ph.want[kind]
			t.Run(ph.name+"/"+kind.String(), func(t *testing.T) {
				t.Parallel()
				s := newFake(t, withScript("job", jenkinstest.Script{QueueFor: 30 * time.Millisecond, Duration: 200 * time.Millisecond, Log: []string{"one", "two"}}))
				s.Inject(jenkinstest.Fault{Method: ph.method, Path: ph.path, Kind: kind, Times: ph.times, Delay: 1500 * time.Millisecond})
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				r := runFollow(t, ctx, "", fast, append(tokenEnv(s), "JENKINS_RETRY_FOR=5s", "JENKINS_REQUEST_TIMEOUT=1s", "JENKINS_NO_PREFLIGHT=true"), "job", "--follow")
				if ctx.Err() != nil {
					t.Fatalf("the run did not end within a minute")
				}
				if r.code != want.code || !strings.Contains(r.stderr, want.msg) {
					t.Errorf("exit %d, want %d with %q; stderr:\n%s", r.code, want.code, want.msg, r.stderr)
				}
				checkInvariants(t, s, r, kind == jenkinstest.Startup503 && ph.name == "trigger")
			})
		}
	}
}

func checkInvariants(t *testing.T, s *jenkinstest.Server, r result, startup bool) {
	t.Helper()
	posts, wantPosts := s.TriggerPOSTs(), 1
	if startup {
		wantPosts = 2 // the first was answered by Jenkins' start-up page: provably not handled
	}
	if posts != wantPosts {
		t.Errorf("%d trigger POSTs, want %d", posts, wantPosts)
	}
	if n := len(s.Queue()); n > 1 {
		t.Errorf("%d items queued: a double build", n)
	}
	for _, b := range s.Builds("job") {
		if len(b.Stops) > 0 {
			t.Errorf("build #%d was stopped (%v) although nobody asked", b.Number, b.Stops)
		}
	}
	if r.code != 0 && strings.Contains(r.stderr, "vanished") {
		t.Errorf("a build was reported lost: %s", r.stderr)
	}
	checkLines(t, result{stderr: r.stderr})
}

// Persistent faults end within --retry-for, and say that nothing was cancelled.
func TestPersistentFaultsEndWithinRetryFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path string
		kind jenkinstest.FaultKind
	}{
		{"/queue/item/1/api/json", jenkinstest.Proxy503},
		{"/job/job/1/api/json", jenkinstest.ResetBeforeRead},
		{"/job/job/1/logText/progressiveText", jenkinstest.SlowHeaders},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := newMemFake(t, withScript("job", jenkinstest.Script{Duration: time.Hour}))
				s.Inject(jenkinstest.Fault{Method: "GET", Path: tc.path, Kind: tc.kind, Delay: 1500 * time.Millisecond})
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				r := runFake(t, s, ctx, "", fast, append(tokenEnv(s), "JENKINS_RETRY_FOR=2s", "JENKINS_REQUEST_TIMEOUT=500ms"), "job", "--follow")
				if ctx.Err() != nil {
					t.Fatal("the run did not end")
				}
				if r.code != exitUnreachable || !strings.Contains(r.stderr, "nothing was cancelled") {
					t.Errorf("exit %d: %s", r.code, r.stderr)
				}
				checkInvariants(t, s, r, false)
			})
		})
	}
}

// Faults on the cancel path: the timeout still ends the run, and says what is known.
func TestFaultsWhileCancelling(t *testing.T) {
	t.Parallel()
	for _, kind := range []jenkinstest.FaultKind{jenkinstest.ResetBeforeRead, jenkinstest.Proxy502, jenkinstest.LoginPage} {
		for _, phase := range []struct{ name, path, args string }{
			{"dequeue", "/queue/cancelItem", "--queue-timeout 100ms"},
			{"stop", "/job/job/1/stop", "--timeout 150ms"},
		} {
			t.Run(phase.name+"/"+kind.String(), func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					sc := jenkinstest.Script{Duration: time.Hour}
					if phase.name == "dequeue" {
						sc.QueueFor = time.Hour
					}
					s := newMemFake(t, withScript("job", sc))
					s.Inject(jenkinstest.Fault{Method: "POST", Path: phase.path, Kind: kind})
					r := runFake(t, s, context.Background(), "", fast, tokenEnv(s), append([]string{"job", "--wait"}, strings.Fields(phase.args)...)...)
					wantCode := map[string]int{"dequeue": exitQueueTimeout, "stop": exitBuildTimeout}[phase.name]
					wantMsg := fmt.Sprintf("could not %s", map[string]string{"dequeue": "cancel queue item 1", "stop": "stop build #1"}[phase.name])
					if r.code != wantCode || !strings.Contains(r.stderr, wantMsg) {
						t.Errorf("exit %d, want %d with %q: %s", r.code, wantCode, wantMsg, r.stderr)
					}
					if s.TriggerPOSTs() != 1 {
						t.Errorf("%d trigger POSTs", s.TriggerPOSTs())
					}
				})
			})
		}
	}
}

// Issue 11, defect 2: a lost trigger next to a neighbour's, by the same user,
// for the same job with the same (or no) parameters, seconds earlier. The
// neighbour's item or build provably existed before our send, so it is never
// taken for ours; the run ends with exit 7 and says what is known.
func TestLostTriggerNextToANeighbour(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		job       string
		params    []string
		queueFor  time.Duration // the neighbour's wait for an executor, after its trigger
		slowReset bool          // the lost POST is dropped late: the neighbour has started by then
		preflight bool
		msg       string
	}{
		{name: "neighbour still waiting, no parameters", job: "job", queueFor: time.Hour, preflight: true,
			msg: "was already waiting, and Jenkins folds an identical trigger into it"},
		{name: "neighbour still waiting, same parameters", job: "deploy", params: []string{"-p", "VERSION=1.2"}, queueFor: time.Hour, preflight: true,
			msg: "was already waiting, and Jenkins folds an identical trigger into it"},
		{name: "neighbour queued before the send, started after it", job: "job", queueFor: 3300 * time.Millisecond, slowReset: true, preflight: true,
			msg: "existed before the send, so they are another trigger's"},
		{name: "the same without the pre-flight", job: "job", queueFor: 3300 * time.Millisecond, slowReset: true,
			msg: "existed before the send, so they are another trigger's"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var shift atomic.Int64 // how far the fake's clock is behind: the neighbour came earlier
			s := newFake(t, func(s *jenkinstest.Server) {
				s.Clock = func() time.Time { return time.Now().Add(-time.Duration(shift.Load())) }
				for _, name := range []string{"job", "deploy"} {
					j := s.Jobs[name]
					if j == nil {
						j = &jenkinstest.Job{}
						s.Jobs[name] = j
					}
					j.Script = &jenkinstest.Script{QueueFor: tc.queueFor, Duration: time.Hour}
				}
			})
			shift.Store(int64(3 * time.Second))
			if r := runWith(t, "", tokenEnv(s), append([]string{tc.job}, tc.params...)...); r.code != 0 {
				t.Fatalf("the neighbour's trigger: %+v", r)
			}
			shift.Store(0)
			var hold time.Duration
			if tc.slowReset {
				hold = 700 * time.Millisecond
			}
			s.Inject(jenkinstest.Fault{Method: "POST", Path: "/" + tc.job + "/build", Kind: jenkinstest.ResetBeforeRead, Times: 1, Delay: hold})
			s.Inject(jenkinstest.Fault{Method: "POST", Path: "/" + tc.job + "/buildWithParameters", Kind: jenkinstest.ResetBeforeRead, Times: 1, Delay: hold})
			env := tokenEnv(s)
			if !tc.preflight {
				env = append(env, "JENKINS_NO_PREFLIGHT=true")
			}
			r := runFollow(t, context.Background(), "", fast, env, append([]string{tc.job, "--wait"}, tc.params...)...)
			if r.code != exitUnreachable || !strings.Contains(r.stderr, tc.msg) || strings.Contains(r.stderr, "taking it as this trigger's") {
				t.Errorf("exit %d, want 7 with %q and no adoption; stderr:\n%s", r.code, tc.msg, r.stderr)
			}
			if n := len(s.Queue()); n != 1 {
				t.Errorf("%d items queued, want only the neighbour's", n)
			}
			for _, b := range s.Builds(tc.job) {
				if len(b.Stops) > 0 {
					t.Errorf("the neighbour's build #%d was stopped", b.Number)
				}
			}
			checkLines(t, r)
		})
	}
}

package task

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

// Issue 16, item 2: Jenkins answers a second POST build of a job whose item
// is waiting with 201 and the same Location (../shared/recordings, "folded").
// The second run must report a merge, and never cancel the first run's item.
func TestFoldedTriggerIsMergedAndLeftAlone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		noPreflight bool
		failIf      bool
		timeout     time.Duration
		signal      bool
		kind        error
		msg         string
	}{
		{name: "fail-if-merged", failIf: true, kind: ErrMerged,
			msg: "the trigger merged into queue item 1 (it was already waiting when the job was read before the trigger), and failing on a merge was asked for"},
		{name: "fail-if-merged without a pre-flight", failIf: true, noPreflight: true, kind: ErrMerged,
			msg: "before this trigger reached Jenkins), and failing on a merge was asked for"},
		{name: "timed out", timeout: 2 * time.Second, kind: ErrQueueTimeout,
			msg: "left queue item 1 alone: this trigger was merged into it (it was already waiting when the job was read before the trigger)"},
		{name: "timed out without a pre-flight", timeout: 2 * time.Second, noPreflight: true, kind: ErrQueueTimeout,
			msg: "before this trigger reached Jenkins)"},
		{name: "terminated", signal: true, kind: sig("terminated"),
			msg: "terminated; left queue item 1 alone: this trigger was merged into it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := memFake(t, jenkinstest.Script{QueueFor: time.Hour})
				// Another person's trigger, queued well before ours (its clock
				// says 20 s ago, further back than any Date header's second).
				s.Clock = func() time.Time { return time.Now().Add(-20 * time.Second) }
				theirs, err := client(t, s).Trigger(context.Background(), spec(t, s, "job", WaitNone).Trigger)
				if err != nil {
					t.Fatal(err)
				}
				s.Clock = nil
				sp := spec(t, s, "job", WaitEnd)
				sp.NoPreflight, sp.FailIfMerged, sp.Timeout = tc.noPreflight, tc.failIf, tc.timeout
				ctx, cancel := context.WithCancelCause(context.Background())
				defer cancel(nil)
				var merged []int64
				ev := Events{Merged: func(id int64) {
					merged = append(merged, id)
					if tc.signal {
						cancel(sig("terminated"))
					}
				}}
				res, err := Run(ctx, client(t, s), sp, ev)
				if !errors.Is(err, tc.kind) {
					t.Fatalf("err = %v, want %v", err, tc.kind)
				}
				if err == nil || !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("message %q, want it to hold %q", err, tc.msg)
				}
				if res == nil || !res.Merged || res.QueueID != theirs.ID {
					t.Errorf("result %+v, want merged into queue item %d", res, theirs.ID)
				}
				if len(merged) != 1 || merged[0] != theirs.ID {
					t.Errorf("Merged events %v, want one for item %d", merged, theirs.ID)
				}
				if s.TriggerPOSTs() != 2 {
					t.Errorf("%d trigger POSTs, want 2 (theirs and ours)", s.TriggerPOSTs())
				}
				if n := len(s.Queue()); n != 1 {
					t.Errorf("%d items queued after the run, want their item still waiting", n)
				}
				for _, r := range s.Requests() {
					if strings.Contains(r.Path, "cancelItem") || strings.HasSuffix(r.Path, "/stop") {
						t.Errorf("the run sent %s %s to what another trigger created", r.Method, r.Path)
					}
				}
			})
		})
	}
}

// A trigger that made its own item is not called merged, and its item is
// cancelled on a timeout as before.
func TestOwnItemIsCancelled(t *testing.T) {
	t.Parallel()
	for _, noPreflight := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			s := memFake(t, jenkinstest.Script{QueueFor: time.Hour})
			sp := spec(t, s, "job", WaitEnd)
			sp.NoPreflight, sp.Timeout = noPreflight, 2*time.Second
			res, err := Run(context.Background(), client(t, s), sp, Events{})
			if !errors.Is(err, ErrQueueTimeout) || !strings.Contains(err.Error(), "cancelled queue item 1") {
				t.Errorf("no pre-flight %v: err = %v, want a timeout that cancelled queue item 1", noPreflight, err)
			}
			if res == nil || res.Merged {
				t.Errorf("no pre-flight %v: result %+v, want not merged", noPreflight, res)
			}
		})
	}
}

// Two job lines of one run that fold into one item: the second is merged
// into the first one's, and only the first may cancel it.
func TestSecondTriggerOfARunIsMerged(t *testing.T) {
	t.Parallel()
	s := fake(t, jenkinstest.Script{QueueFor: time.Hour})
	jobs := make([]Job, 2)
	for i := range jobs {
		sp := spec(t, s, "job", WaitNone)
		sp.NoPreflight = true // both would otherwise see nothing waiting
		jobs[i] = Job{Client: client(t, s), Spec: sp}
	}
	out := RunMany(context.Background(), jobs, 1)
	if len(out) != 2 {
		t.Fatalf("%d outcomes, want 2", len(out))
	}
	if out[0].Err != nil || out[1].Err != nil {
		t.Fatalf("errors %v, %v", out[0].Err, out[1].Err)
	}
	if out[0].Result.QueueID != out[1].Result.QueueID {
		t.Fatalf("queue items %d and %d, want one folded item", out[0].Result.QueueID, out[1].Result.QueueID)
	}
	if out[0].Result.Merged == out[1].Result.Merged {
		t.Errorf("merged %v, %v; want exactly one, the one that came second", out[0].Result.Merged, out[1].Result.Merged)
	}
}

// Issue 16, item 6: a result known before the deadline decides the outcome,
// even when printing the console afterwards runs out of time.
func TestResultKnownBeforeTheTimeoutDecides(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		result string
		kind   error
	}{{"SUCCESS", nil}, {"FAILURE", &ResultError{}}} {
		synctest.Test(t, func(t *testing.T) {
			s := memFake(t, jenkinstest.Script{Result: tc.result},
				jenkinstest.Fault{Method: "GET", Path: "/logText/progressiveText", Kind: jenkinstest.SlowHeaders, Delay: time.Minute})
			sp := spec(t, s, "job", WaitEnd)
			sp.Console, sp.Tail, sp.Timeout = ConsoleTail, 10, 2*time.Second
			rc := &record{}
			ev := rc.events()
			ev.Console = io.Discard
			res, err := Run(context.Background(), client(t, s), sp, ev)
			var re *ResultError
			switch {
			case tc.kind == nil && err != nil:
				t.Errorf("%s: err = %v, want none: the build had succeeded", tc.result, err)
			case tc.kind != nil && (!errors.As(err, &re) || re.Result != tc.result):
				t.Errorf("%s: err = %v, want the build's result", tc.result, err)
			}
			if res == nil || res.Result != tc.result {
				t.Errorf("%s: result %+v", tc.result, res)
			}
			if rc.count("was not printed (timed out after 2s)") != 1 {
				t.Errorf("%s: the cut console is not said: %q", tc.result, rc.progress)
			}
		})
	}
}

// Issue 16, item 6: a panic in a job's run (here in an event handler, after
// the trigger) ends that job as a bug that says what was sent, and neither
// the process nor the other jobs.
func TestPanicInARunIsABugWithWhatWasSent(t *testing.T) {
	t.Parallel()
	s := fake(t, jenkinstest.Script{QueueFor: time.Hour})
	boom := spec(t, s, "job", WaitEnd)
	calm := spec(t, s, "hello", WaitNone)
	jobs := []Job{
		{Client: client(t, s), Spec: boom, Events: Events{Progress: func(string) { panic("boom") }}},
		{Client: client(t, s), Spec: calm},
	}
	out := RunMany(context.Background(), jobs, 2)
	var bug *BugError
	if !errors.As(out[0].Err, &bug) {
		t.Fatalf("err = %v, want a BugError", out[0].Err)
	}
	if want := "internal failure (a bug; please report it): boom; the trigger of \"job\" was queued as item"; !strings.HasPrefix(bug.Error(), want) {
		t.Errorf("message %q, want it to start %q", bug.Error(), want)
	}
	if out[0].Result == nil || out[0].Result.QueueID == 0 {
		t.Errorf("result %+v, want the queue item that was sent", out[0].Result)
	}
	if out[1].Err != nil || !out[1].Result.Triggered() {
		t.Errorf("the other job: %+v, %v", out[1].Result, out[1].Err)
	}
}

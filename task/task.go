// Package task is the trigger-and-follow use case: it triggers a job through a
// jenkins.Client, optionally follows the build to its result, and reports what
// happened. It prints nothing itself: progress and console go to Events.
package task

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// Spec is what the user asked for.
type Spec struct {
	Trigger      jenkins.TriggerRequest
	FailIfMerged bool // a trigger folded into an item already queued is an error (exit 22)

	Wait         Wait
	Console      ConsoleMode
	Tail         int    // lines for ConsoleTail
	Prefix       string // put before every console line
	QueueTimeout time.Duration
	Timeout      time.Duration // the whole wait, from the trigger
	OnTimeout    Policy
	OnInterrupt  Policy
	Timing       Timing // zero: DefaultTiming
}

// Result is what happened. Field names are the --json keys.
type Result struct {
	Job        string `json:"job"`
	JobURL     string `json:"jobUrl"`
	QueueID    int64  `json:"queueId"`
	QueueURL   string `json:"queueUrl"`
	Merged     bool   `json:"merged"`
	Number     int    `json:"number,omitempty"`
	URL        string `json:"url,omitempty"` // the build's URL
	Result     string `json:"result,omitempty"`
	DurationMs int64  `json:"durationMs,omitempty"`
	ExitCode   int    `json:"exitCode"` // filled in by the caller, which owns the exit codes
}

// Run triggers the job and follows it as far as spec.Wait says. The result is
// returned whenever the trigger was accepted, also together with an error.
func Run(ctx context.Context, c *jenkins.Client, spec Spec, ev Events) (*Result, error) {
	start := time.Now()
	q, err := c.Trigger(ctx, spec.Trigger)
	number := 0
	var amb *jenkins.AmbiguousError
	if errors.As(err, &amb) {
		q, number, err = reconcile(ctx, c, spec.Trigger, amb, ev)
	}
	if err != nil {
		return nil, err
	}
	job := spec.Trigger.Job
	res := &Result{Job: job.FullName(), JobURL: job.URL().String(), QueueID: q.ID, QueueURL: q.URL.String(), Merged: q.Merged}
	if q.Merged && ev.Merged != nil {
		ev.Merged(q.ID)
	}
	if q.Merged && spec.FailIfMerged {
		return res, &jenkins.Error{Kind: jenkins.ErrMerged, Status: 303,
			Msg: "the trigger merged into queue item " + strconv.FormatInt(q.ID, 10) + ", which was already waiting with the same parameters, and --fail-if-merged is set"}
	}
	if spec.Wait == WaitNone {
		return res, nil
	}
	t := spec.Timing
	if t == (Timing{}) {
		t = DefaultTiming
	}
	f := &follower{c: c, spec: spec, ev: ev, res: res, start: start, t: t}
	if number > 0 {
		f.started(number)
	}
	return res, f.follow(ctx)
}

// reconcile looks for what a trigger whose answer was lost created. One match
// is taken as ours; none or several end with what is known. It never sends
// the trigger again.
func reconcile(ctx context.Context, c *jenkins.Client, req jenkins.TriggerRequest, amb *jenkins.AmbiguousError, ev Events) (*jenkins.Queued, int, error) {
	cands, err := c.FindTriggered(ctx, req, amb.SentAt)
	lost := "the answer to the trigger was lost: " + amb.Error()
	job := req.Job.FullName()
	switch {
	case err != nil:
		return nil, 0, &jenkins.Error{Kind: jenkins.ErrUnreachable, Err: amb,
			Msg: fmt.Sprintf("%s; looking for what it created failed as well (%v); it was not sent again: check %q in Jenkins before running again", lost, err, job)}
	case len(cands) == 0:
		return nil, 0, &jenkins.Error{Kind: jenkins.ErrUnreachable, Err: amb,
			Msg: fmt.Sprintf("%s; Jenkins shows no queue item or build of %q with these parameters since %s, so it was most likely not queued; it was not sent again: run again if the build is needed",
				lost, job, amb.SentAt.UTC().Format("15:04:05 MST"))}
	case len(cands) > 1:
		var ids []string
		for _, c := range cands {
			ids = append(ids, strconv.FormatInt(c.QueueID, 10))
		}
		return nil, 0, &jenkins.Error{Kind: jenkins.ErrUnreachable, Err: amb,
			Msg: fmt.Sprintf("%s; %d queue items of %q match what was sent (%s), so another trigger with the same parameters ran at the same time; it was not sent again: check them in Jenkins",
				lost, len(cands), job, strings.Join(ids, ", "))}
	}
	cand := cands[0]
	what := fmt.Sprintf("queue item %d", cand.QueueID)
	if cand.Number > 0 {
		what += fmt.Sprintf(", already build #%d", cand.Number)
	}
	if ev.Progress != nil {
		ev.Progress(fmt.Sprintf("%s; Jenkins has exactly one match, %s, queued at %s with the parameters sent: taking it as this trigger's",
			lost, what, cand.Since.UTC().Format("15:04:05 MST")))
	}
	q := &jenkins.Queued{ID: cand.QueueID, URL: c.QueueURL(cand.QueueID)}
	return q, cand.Number, nil
}

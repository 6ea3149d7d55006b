// Package task is the trigger-and-follow use case: it triggers a job through a
// jenkins.Client, optionally follows the build to its result, and reports what
// happened. It prints nothing itself: progress and console go to Events.
package task

import (
	"context"
	"strconv"
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
	return res, f.follow(ctx)
}

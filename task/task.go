// Package task is the trigger-and-follow use case: it triggers a job through a
// jenkins.Client and reports what happened. It prints nothing; the caller
// decides what people see.
package task

import (
	"context"
	"strconv"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// Spec is what the user asked for.
type Spec struct {
	Trigger      jenkins.TriggerRequest
	FailIfMerged bool // a trigger folded into an item already queued is an error (exit 22)
}

// Result is what happened. Field names are the --json keys.
type Result struct {
	Job      string `json:"job"`
	JobURL   string `json:"jobUrl"`
	QueueID  int64  `json:"queueId"`
	QueueURL string `json:"queueUrl"`
	Merged   bool   `json:"merged"`
}

// Run triggers the job. When the trigger merged into an item already queued
// and spec.FailIfMerged is set, it returns the result and an error wrapping
// jenkins.ErrMerged.
func Run(ctx context.Context, c *jenkins.Client, spec Spec) (*Result, error) {
	q, err := c.Trigger(ctx, spec.Trigger)
	if err != nil {
		return nil, err
	}
	job := spec.Trigger.Job
	res := &Result{Job: job.FullName(), JobURL: job.URL().String(), QueueID: q.ID, QueueURL: q.URL.String(), Merged: q.Merged}
	if q.Merged && spec.FailIfMerged {
		return res, &jenkins.Error{Kind: jenkins.ErrMerged, Status: 303,
			Msg: "the trigger merged into queue item " + strconv.FormatInt(q.ID, 10) + ", which was already waiting with the same parameters, and --fail-if-merged is set"}
	}
	return res, nil
}

package task

import (
	"context"
	"sync"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// Job is one of several jobs to run: its client (jobs given as URLs may live
// on different controllers), what to do, and where its events go.
type Job struct {
	Client *jenkins.Client
	Spec   Spec
	Events Events
	// Done, when set, is called as soon as the job has ended, from the
	// goroutine that ran it.
	Done func(*Result, error)
}

// Outcome is how one job ended.
type Outcome struct {
	Result *Result // never nil: at least the job's name and URL
	Err    error
}

// RunMany runs the jobs, at most parallel at once, each exactly as Run would
// run it alone, and returns their outcomes in the order of jobs. The specs are
// read, never written: they may share their slices and maps.
func RunMany(ctx context.Context, jobs []Job, parallel int) []Outcome {
	parallel = max(parallel, 1)
	out := make([]Outcome, len(jobs))
	sem := make(chan struct{}, parallel)
	cl := &claims{}
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				// Not started: nothing was sent for it.
				res := &Result{Job: j.Spec.Trigger.Job.FullName(), JobURL: j.Spec.Trigger.Job.URL().String()}
				err := &StoppedError{Cause: context.Cause(ctx), Msg: stopWord(context.Cause(ctx)) + " before triggering; nothing was queued"}
				out[i] = Outcome{Result: res, Err: err}
				if j.Done != nil {
					j.Done(res, err)
				}
				return
			}
			defer func() { <-sem }()
			res, err := runOne(ctx, j.Client, j.Spec, j.Events, cl)
			out[i] = Outcome{Result: res, Err: err}
			if j.Done != nil {
				j.Done(res, err)
			}
		}()
	}
	wg.Wait()
	return out
}

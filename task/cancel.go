package task

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// cancel dequeues the item or stops the build, within the Cleanup bound, and
// says what happened. It runs on its own context: the caller's may be done.
func (r *runner) cancel(parent context.Context) string {
	ctx, done := context.WithTimeout(context.WithoutCancel(parent), r.t.Cleanup)
	defer done()
	if ok, why := r.ownsItem(ctx); !ok {
		return why
	}
	if r.number == 0 {
		err := r.c.CancelQueueItem(ctx, r.res.QueueID)
		switch {
		case err == nil:
			return fmt.Sprintf("cancelled queue item %d", r.res.QueueID)
		case errors.Is(err, jenkins.ErrLeft):
			item, qerr := r.c.QueueItem(ctx, r.res.QueueID)
			if qerr != nil || item.Executable == nil {
				return fmt.Sprintf("queue item %d had just left the queue and its build is not known yet; check %s", r.res.QueueID, r.res.JobURL)
			}
			r.number = item.Executable.Number
			r.buildU = jenkins.BuildURL(r.spec.Trigger.Job, r.number).String()
			r.res.Number, r.res.URL = r.number, r.buildU
		case errors.Is(err, jenkins.ErrGone):
			return fmt.Sprintf("queue item %d was already gone", r.res.QueueID)
		default:
			return fmt.Sprintf("could not cancel queue item %d (%v)", r.res.QueueID, err)
		}
	}
	return r.stop(ctx)
}

// stop sends stop, then for a Pipeline term and kill, confirming by polling
// for StopGrace after each that the build ended before escalating. It says in
// one line what was sent and the build's final state.
func (r *runner) stop(ctx context.Context) string {
	j := r.spec.Trigger.Job
	b, err := r.c.Build(ctx, j, r.number)
	if err != nil {
		return fmt.Sprintf("could not read build #%d to stop it (%v): %s", r.number, err, r.buildU)
	}
	if !b.Building {
		return fmt.Sprintf("build #%d had already finished %s: %s", r.number, result(b), r.buildU)
	}
	actions := []string{"stop"}
	if b.Pipeline() {
		actions = append(actions, "term", "kill")
	}
	var sent []string
	var failed []string
	for i, a := range actions {
		if i > 0 && len(sent) > 0 {
			// A Pipeline that outlived the grace: say why the end takes longer.
			r.progress("build #%d still runs %s after %s; sending %s", r.number, r.t.StopGrace, sent[len(sent)-1], a)
		}
		if err := r.c.StopBuild(ctx, j, r.number, a); err != nil {
			// Refused or lost: the next, harder action may still work.
			failed = append(failed, fmt.Sprintf("%s failed: %v", a, err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		sent = append(sent, a)
		for waited := time.Duration(0); waited < r.t.StopGrace; waited += r.t.PollMin {
			if sleep(ctx, r.t.PollMin) != nil {
				return fmt.Sprintf("sent %s to build #%d but ran out of time to see it end; it may still run: %s", strings.Join(sent, ", "), r.number, r.buildU)
			}
			if b, err := r.c.Build(ctx, j, r.number); err == nil && !b.Building {
				r.res.Result = result(b)
				return fmt.Sprintf("stopped build #%d (%s): it ended %s: %s", r.number, strings.Join(sent, ", then "), r.res.Result, r.buildU)
			}
		}
	}
	why := ""
	if len(failed) > 0 {
		why = " (" + strings.Join(failed, "; ") + ")"
	}
	if len(sent) == 0 {
		return fmt.Sprintf("could not stop build #%d%s; it is still running: %s", r.number, why, r.buildU)
	}
	return fmt.Sprintf("build #%d is still running after %s%s: %s", r.number, strings.Join(sent, ", "), why, r.buildU)
}

// result is a finished build's result as Jenkins gave it.
func result(b *jenkins.Build) string {
	if b.Result == nil {
		return "without a result"
	}
	return *b.Result
}

// Package task is the trigger-and-follow use case: it checks the job, triggers
// it through a jenkins.Client, optionally follows the build to its result,
// and reports what happened. Deadlines are contexts: Spec.Timeout bounds the
// whole run from Spec.Start, Spec.QueueTimeout the time until the build
// starts; clean-up (dequeue, stop) runs on a bounded context of its own. It
// prints nothing itself: progress and console go to Events.
package task

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// Spec is what the user asked for, for one job.
type Spec struct {
	Trigger      jenkins.TriggerRequest
	FailIfMerged bool // a trigger folded into an item already queued is an error (ErrMerged)

	// Mode and HasUser describe the credentials, for the pre-flight policy:
	// a bare job token cannot read the job, so it is not checked.
	Mode        auth.Mode
	HasUser     bool
	NoPreflight bool

	Wait         Wait
	Console      ConsoleMode
	Tail         int    // lines for ConsoleTail
	Prefix       string // put before every console line
	UnstableOK   bool   // an UNSTABLE build is a success
	Start        time.Time
	QueueTimeout time.Duration // from Start until the build has started; 0: none
	Timeout      time.Duration // from Start until the end of the run; 0: none
	OnTimeout    Policy
	OnInterrupt  Policy
	OnInput      InputPolicy // a Pipeline paused at an input step
	Report       bool        // read the whole test report even when no test failed (to write it as JUnit XML)
	Fetch        *Fetch      // download these artifacts once the build has ended
	FetchAny     bool        // for any result, not only SUCCESS
	Timing       Timing      // zero: DefaultTiming
}

// Result is what happened. Field names are the --json keys.
type Result struct {
	Job        string         `json:"job"`
	JobURL     string         `json:"jobUrl"`
	QueueID    int64          `json:"queueId"`
	QueueURL   string         `json:"queueUrl"`
	Merged     bool           `json:"merged"`
	Number     int            `json:"number,omitempty"`
	URL        string         `json:"url,omitempty"` // the build's URL
	Result     string         `json:"result,omitempty"`
	DurationMs int64          `json:"durationMs,omitempty"`
	Stage      string         `json:"stage,omitempty"`     // the stage that failed, if known
	Reason     string         `json:"reason,omitempty"`    // why it did not succeed, if known
	Input      *InputResult   `json:"input,omitempty"`     // the build waited for input
	Tests      *Tests         `json:"tests,omitempty"`     // the build's JUnit test results, if it published any
	Artifacts  []ArtifactFile `json:"artifacts,omitempty"` // the artifacts downloaded (Spec.Fetch)

	// Report is the whole test report, when it was read (Spec.Report, or a
	// test failed): for writing it as JUnit XML.
	Report *jenkins.TestReport `json:"-"`
}

// Triggered reports whether Jenkins accepted the trigger.
func (r *Result) Triggered() bool { return r != nil && r.QueueID > 0 }

// Events receive what happens. Every field may be nil.
type Events struct {
	Progress func(string)   // state changes and heartbeats, one line each
	Caution  func(string)   // something done on the user's behalf that they should know (approving an input)
	Detail   func(string)   // details for --verbose (parameters left at their defaults)
	Status   func(string)   // a live status line for terminals
	Console  io.Writer      // where console text goes
	Merged   func(id int64) // the trigger merged into queue item id
}

// phase is how far a run got; it decides what a stop means for Jenkins.
type phase int

const (
	phaseCheck    phase = iota // pre-flight, crumb: nothing sent that queues
	phaseInFlight              // the trigger was sent and its answer is not known
	phaseQueued                // a queue item exists
	phaseBuilding              // the build has a number
)

// Run checks the job, triggers it and follows it as far as spec.Wait says.
// The result is returned whenever anything is known about the trigger, also
// together with an error; its Job and JobURL are always set.
func Run(ctx context.Context, c *jenkins.Client, spec Spec, ev Events) (*Result, error) {
	return runOne(ctx, c, spec, ev, nil)
}

// runOne is Run as one of the jobs of a run, whose queue items are in claims.
func runOne(ctx context.Context, c *jenkins.Client, spec Spec, ev Events, cl *claims) (res *Result, err error) {
	if spec.Start.IsZero() {
		spec.Start = time.Now()
	}
	if spec.Timing == (Timing{}) {
		spec.Timing = DefaultTiming
	}
	job := spec.Trigger.Job
	r := &runner{c: c, spec: spec, ev: ev, start: spec.Start, t: spec.Timing, claims: cl,
		res: &Result{Job: job.FullName(), JobURL: job.URL().String()}}
	defer func() {
		// A bug anywhere in the run, the events included, ends this run
		// (not the process, not the other jobs) with what was sent.
		if p := recover(); p != nil {
			res, err = r.res, &BugError{Value: p, Sent: r.sentWords()}
		}
	}()
	ctx, cancel := Bound(ctx, spec.Start, spec.Timeout)
	defer cancel()
	qctx := ctx // until the build starts
	if spec.QueueTimeout > 0 && (spec.Timeout <= 0 || spec.QueueTimeout < spec.Timeout) {
		var cancel context.CancelFunc
		qctx, cancel = context.WithDeadlineCause(ctx, spec.Start.Add(spec.QueueTimeout), &timeoutCause{after: spec.QueueTimeout})
		defer cancel()
	}
	err = r.run(ctx, qctx)
	return r.res, err
}

// sentWords says what the run had done in Jenkins, for a bug's message.
func (r *runner) sentWords() string {
	switch r.phase {
	case phaseCheck:
		return fmt.Sprintf("nothing of %q was queued", r.res.Job)
	case phaseInFlight:
		return fmt.Sprintf("the trigger of %q was sent and may have been queued; check %s", r.res.Job, r.res.JobURL)
	case phaseQueued:
		return fmt.Sprintf("the trigger of %q was queued as item %d: %s", r.res.Job, r.res.QueueID, r.res.QueueURL)
	}
	return fmt.Sprintf("build #%d of %q was running: %s", r.number, r.res.Job, r.buildU)
}

func (r *runner) run(ctx, qctx context.Context) error {
	if err := r.preflight(qctx); err != nil {
		return r.ended(qctx, err)
	}
	r.phase = phaseInFlight
	q, number, err := r.trigger(qctx)
	if ie := (*jenkins.InterruptedError)(nil); errors.As(err, &ie) && !ie.Sent {
		r.phase = phaseCheck
	}
	if err != nil {
		return r.ended(qctx, err)
	}
	r.phase = phaseQueued
	r.res.QueueID, r.res.QueueURL = q.ID, q.URL.String()
	if number > 0 {
		r.fold = foldOwn // reconcile takes only what was created after the send
	} else {
		r.judgeTrigger(q)
	}
	if r.fold == foldMerged && r.spec.FailIfMerged {
		return r.mergedError()
	}
	if r.spec.Wait == WaitNone {
		return nil
	}
	if number > 0 {
		r.started(number)
	} else if err := r.waitQueue(qctx); err != nil {
		return r.ended(qctx, err)
	}
	if r.spec.Wait == WaitStart {
		return nil
	}
	err = r.ended(ctx, r.waitBuild(ctx))
	return r.fetch(ctx, err)
}

// fetch downloads the artifacts asked for once the build has ended with a
// result they are wanted for. A build that did not succeed keeps its own
// outcome; after a success, a failed download is the run's outcome: a build
// file must not go on without its installer.
func (r *runner) fetch(ctx context.Context, err error) error {
	f := r.spec.Fetch
	if f == nil || r.number == 0 || r.res.Result == "" || (r.res.Result != "SUCCESS" && !r.spec.FetchAny) {
		return err
	}
	var re *ResultError
	if err != nil && !errors.As(err, &re) {
		return err // a timeout, a signal, a lost build: nothing to fetch from
	}
	files, ferr := FetchArtifacts(ctx, r.c, r.spec.Trigger.Job, r.number, *f, r.ev.Progress, r.ev.Status)
	r.res.Artifacts = files
	if ferr != nil && ctx.Err() != nil {
		_, cause := stopCause(ctx)
		ferr = newOutcome(fmt.Sprintf("%s while downloading the artifacts of build #%d: %s", stopWord(cause), r.number, r.buildU), ErrDownload)
	}
	switch {
	case ferr == nil:
		return err
	case err != nil:
		r.caution("%v", ferr)
		return err
	}
	return ferr
}

// ended turns an error into the run's outcome: when ctx ended (a deadline or
// a signal), whatever failed because of it is replaced by what that means for
// Jenkins, after the policy for it was applied.
func (r *runner) ended(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	var re *ResultError
	if errors.As(err, &re) {
		return err // the result came in before the end: it stands
	}
	timeout, cause := stopCause(ctx)
	word := stopWord(cause)
	policy := r.spec.OnInterrupt
	if timeout != nil {
		policy = r.spec.OnTimeout
	}
	job := strconv.Quote(r.res.Job)
	var msg string
	switch {
	case r.phase == phaseCheck:
		msg = fmt.Sprintf("%s before triggering %s; nothing was queued", word, job)
	case r.phase == phaseInFlight:
		msg = fmt.Sprintf("%s while the trigger of %s was in flight: it may have been queued; check %s before running again", word, job, r.res.JobURL)
	case r.phase == phaseQueued && timeout != nil:
		msg = fmt.Sprintf("%s waiting for queue item %d of %s to start", word, r.res.QueueID, job)
	case timeout != nil:
		msg = fmt.Sprintf("%s waiting for build #%d to finish", word, r.number)
	default:
		msg = word
	}
	switch {
	case r.phase < phaseQueued:
	case policy == Detach && r.phase == phaseQueued:
		msg += fmt.Sprintf("; queue item %d stays queued (detach): %s", r.res.QueueID, r.res.QueueURL)
	case policy == Detach:
		msg += fmt.Sprintf("; build #%d keeps running (detach): %s", r.number, r.buildU)
	default:
		msg += "; " + r.cancel(ctx)
	}
	if timeout == nil {
		return &StoppedError{Cause: cause, Msg: msg}
	}
	if r.number > 0 {
		return newOutcome(msg, ErrBuildTimeout)
	}
	return newOutcome(msg, ErrQueueTimeout)
}

// Preflights says whether a run of s reads the job before triggering it: not
// when it was turned off, and not with a bare job token, which cannot read.
// --dry-run asks this rather than deciding it again.
func (s Spec) Preflights() bool {
	tokenOnly := (s.Mode == auth.JobToken || s.Mode == auth.BuildTokenRoot) && !s.HasUser
	return !s.NoPreflight && !tokenOnly
}

// preflight reads the job and checks the request against it, when the
// credentials can read it. A job token may trigger what its user cannot read:
// then the trigger goes ahead unchecked, unless the build must be followed.
func (r *runner) preflight(ctx context.Context) error {
	tokenMode := r.spec.Mode == auth.JobToken || r.spec.Mode == auth.BuildTokenRoot
	if !r.spec.Preflights() {
		if !r.spec.NoPreflight {
			r.detail("pre-flight skipped: a job token alone cannot read the job; parameters are not checked")
		}
		return nil
	}
	checked, info, err := Preflight(ctx, r.c, r.spec.Trigger, r.ev.Detail)
	r.before = info
	unreadable := errors.Is(err, jenkins.ErrNotFound) || errors.Is(err, jenkins.ErrForbidden) || errors.Is(err, jenkins.ErrAuth)
	switch {
	case err == nil:
		r.spec.Trigger = checked
	case ctx.Err() != nil:
		return err
	case tokenMode && unreadable && r.spec.Wait == WaitNone:
		r.progress("pre-flight skipped: the job could not be read (%s); triggering with the job token anyway", err)
	case tokenMode && unreadable:
		return fmt.Errorf("the job token could trigger, but the build could not be followed: %w", err)
	default:
		return err
	}
	return nil
}

// trigger sends the trigger once; when its answer was lost, it looks for what
// it created. number is set when that was already a build.
func (r *runner) trigger(ctx context.Context) (*jenkins.Queued, int, error) {
	q, err := r.c.Trigger(ctx, r.spec.Trigger)
	var amb *jenkins.AmbiguousError
	if errors.As(err, &amb) && ctx.Err() == nil {
		return r.reconcile(ctx, amb)
	}
	return q, 0, err
}

// reconcile looks for what a trigger whose answer was lost created. It never
// sends the trigger again, and never adopts what provably existed before the
// send: an item queued or a build started before the earliest moment the send
// can have reached Jenkins (Date headers), a queue id at or below one of those,
// a build number the pre-flight saw as taken, or the item the pre-flight saw
// waiting. Exactly one candidate left is taken as ours; none, several, or no
// evidence end with what is known (ErrUnconfirmed).
func (r *runner) reconcile(ctx context.Context, amb *jenkins.AmbiguousError) (*jenkins.Queued, int, error) {
	req := r.spec.Trigger
	cands, ev, err := r.c.FindTriggered(ctx, req, amb.SentAt)
	if ctx.Err() != nil {
		return nil, 0, ctx.Err()
	}
	lost := "the answer to the trigger was lost: " + amb.Error()
	job := req.Job.FullName()
	if err != nil {
		return nil, 0, newOutcome(fmt.Sprintf("%s; looking for what it created failed as well (%v); it was not sent again: check %q in Jenkins before running again", lost, err, job), ErrUnconfirmed)
	}
	var left, older, uncertain []jenkins.Candidate
	for _, c := range cands {
		switch {
		case r.olderThanSend(c, ev):
			older = append(older, c)
		case !ev.HaveBound || c.QueuedAt.IsZero():
			// No Date to compare with, or a build whose queue time is unknown.
			uncertain = append(uncertain, c)
		default:
			left = append(left, c)
		}
	}
	switch {
	case len(uncertain) > 0:
		return nil, 0, newOutcome(fmt.Sprintf("%s; %s of %q match what was sent, but Jenkins' answers cannot show whether it was created before or after the send; it was not sent again: check %s in Jenkins before running again",
			lost, candidates(append(left, uncertain...)), job, r.res.JobURL), ErrUnconfirmed)
	case len(left) > 1:
		return nil, 0, newOutcome(fmt.Sprintf("%s; %s of %q match what was sent, so another trigger with the same parameters ran at the same time; it was not sent again: check them in Jenkins",
			lost, candidates(left), job), ErrUnconfirmed)
	case len(left) == 0 && waiting(older):
		return nil, 0, newOutcome(fmt.Sprintf("%s; nothing of %q was queued after the send, but %s with the same parameters was already waiting, and Jenkins folds an identical trigger into it; it was not sent again: check %s before running again",
			lost, job, candidates(older), r.res.JobURL), ErrUnconfirmed)
	case len(left) == 0:
		also := ""
		if len(older) > 0 {
			also = fmt.Sprintf(" (%s with these parameters existed before the send, so they are another trigger's)", candidates(older))
		}
		return nil, 0, newOutcome(fmt.Sprintf("%s; Jenkins shows no queue item or build of %q with these parameters created after the send%s, so it was most likely not queued; it was not sent again: run again if the build is needed",
			lost, job, also), ErrUnconfirmed)
	}
	cand := left[0]
	what := fmt.Sprintf("queue item %d", cand.QueueID)
	if cand.Number > 0 {
		what += fmt.Sprintf(", already build #%d", cand.Number)
	}
	r.progress("%s; Jenkins has exactly one match created after the send, %s, at %s with the parameters sent: taking it as this trigger's",
		lost, what, cand.Since().UTC().Format("15:04:05 MST"))
	return &jenkins.Queued{ID: cand.QueueID, URL: r.c.QueueURL(cand.QueueID)}, cand.Number, nil
}

// olderThanSend reports a candidate that provably existed before the send.
func (r *runner) olderThanSend(c jenkins.Candidate, ev jenkins.Evidence) bool {
	switch {
	case ev.HaveBound && !c.QueuedAt.IsZero() && c.QueuedAt.Before(ev.Bound):
		return true
	case ev.HaveBound && !c.StartedAt.IsZero() && c.StartedAt.Before(ev.Bound):
		return true
	case c.Gone:
		return true
	case c.QueueID <= ev.OlderQueueID:
		return true
	case r.before != nil && c.Number > 0 && c.Number < r.before.NextBuildNumber:
		return true
	case r.before != nil && r.before.QueueItem != nil && r.before.QueueItem.ID == c.QueueID:
		return true
	}
	return false
}

func waiting(cs []jenkins.Candidate) bool {
	for _, c := range cs {
		if c.Number == 0 {
			return true
		}
	}
	return false
}

// candidates names queue items and builds for a message.
func candidates(cs []jenkins.Candidate) string {
	var names []string
	for _, c := range cs {
		if c.Number > 0 {
			names = append(names, fmt.Sprintf("build #%d (queue item %d)", c.Number, c.QueueID))
		} else {
			names = append(names, fmt.Sprintf("queue item %d", c.QueueID))
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return strconv.Itoa(len(names)) + " items (" + strings.Join(names, ", ") + ")"
}

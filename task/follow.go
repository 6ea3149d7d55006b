package task

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// Wait says how far to follow the build.
type Wait int

// How far to follow.
const (
	WaitNone  Wait = iota // trigger only
	WaitStart             // until the build has a number
	WaitEnd               // until the build has a result
)

// ConsoleMode says what of the console to print.
type ConsoleMode int

// Console modes.
const (
	ConsoleNone      ConsoleMode = iota
	ConsoleStream                // as it grows
	ConsoleTail                  // the last Tail lines, at the end
	ConsoleOnFailure             // the whole log, at the end, unless SUCCESS
)

// Policy says what to do with the remote build on a timeout or an interrupt.
type Policy int

// Policies.
const (
	Cancel Policy = iota // dequeue the item, or stop the build (then term and kill for Pipelines)
	Detach               // leave it running
)

// Timing holds the intervals of following; tests shrink them to milliseconds.
type Timing struct {
	PollMin   time.Duration // first poll delay (250ms)
	PollMax   time.Duration // --poll-interval: the slowest poll (5s)
	Near      time.Duration // poll delay around the estimated end (1s)
	Heartbeat time.Duration // progress line while nothing changes (30s)
	LostGrace time.Duration // how long to look for the build of a vanished queue item (60s)
	StopGrace time.Duration // wait after stop before term, and after term before kill (15s)
	Cleanup   time.Duration // bound on cancelling after a timeout or interrupt (60s)
}

// DefaultTiming is what users get.
var DefaultTiming = Timing{PollMin: 250 * time.Millisecond, PollMax: 5 * time.Second, Near: time.Second,
	Heartbeat: 30 * time.Second, LostGrace: 60 * time.Second, StopGrace: 15 * time.Second, Cleanup: 60 * time.Second}

// TimingFor is DefaultTiming with the user's slowest poll and stop grace; the
// clean-up bound grows with the grace, so that stop, term and kill each get theirs.
func TimingFor(pollMax, stopGrace time.Duration) Timing {
	t := DefaultTiming
	t.PollMax, t.StopGrace = pollMax, stopGrace
	t.Cleanup = max(DefaultTiming.Cleanup, 3*stopGrace+15*time.Second)
	return t
}

// runner carries one job through its phases.
type runner struct {
	c      *jenkins.Client
	spec   Spec
	ev     Events
	res    *Result
	start  time.Time // Spec.Start: deadlines count from here
	t      Timing
	phase  phase
	before *jenkins.JobInfo // the job as the pre-flight read it, before the trigger
	number int
	buildU string

	claims  *claims   // the queue items of this run's triggers (several jobs)
	sentAt  time.Time // when the trigger that got the item was sent, our clock
	fold    fold      // who created the queue item
	foldWhy string    // why it is known to be merged
}

func (r *runner) progress(format string, args ...any) {
	if r.ev.Progress != nil {
		r.ev.Progress(fmt.Sprintf(format, args...))
	}
}

func (r *runner) status(format string, args ...any) {
	if r.ev.Status != nil {
		r.ev.Status(fmt.Sprintf(format, args...))
	}
}

func (r *runner) caution(format string, args ...any) {
	switch {
	case r.ev.Caution != nil:
		r.ev.Caution(fmt.Sprintf(format, args...))
	case r.ev.Progress != nil:
		r.ev.Progress(fmt.Sprintf(format, args...))
	}
}

func (r *runner) detail(format string, args ...any) {
	if r.ev.Detail != nil {
		r.ev.Detail(fmt.Sprintf(format, args...))
	}
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// waitQueue polls the queue item until it has a build number.
func (r *runner) waitQueue(ctx context.Context) error {
	id := r.res.QueueID
	session := ""
	lastWhy, lastBeat := "", time.Now()
	var goneSince time.Time
	delay := r.t.PollMin
	for {
		item, err := r.c.QueueItem(ctx, id)
		if s := r.c.Session(); session == "" {
			session = s
		} else if s != session {
			session = s
			r.progress("Jenkins restarted (new X-Jenkins-Session); queue ids start again, so the build is now looked up by queue id and start time")
			goneSince, err = time.Now(), jenkins.ErrGone
		}
		if err == nil && item.InQueueSince > 0 && time.UnixMilli(item.InQueueSince).Before(r.start.Add(-time.Minute)) {
			err = jenkins.ErrGone // an older item under our id: ids were reused after a restart
		}
		if err == nil {
			if r.judgeItem(item); r.fold == foldMerged && r.spec.FailIfMerged {
				return r.mergedError()
			}
		}
		switch {
		case errors.Is(err, jenkins.ErrGone):
			b, ferr := r.c.FindBuild(ctx, r.spec.Trigger.Job, id, r.start.Add(-clockSkew))
			if ferr != nil {
				return r.following(ferr)
			}
			if b != nil {
				r.progress("queue item %d is gone from the queue; found its build by queue id", id)
				r.started(b.Number)
				return nil
			}
			if goneSince.IsZero() {
				goneSince = time.Now()
				r.progress("queue item %d is gone (it left the queue over 5 minutes ago, or Jenkins restarted); looking for its build by queue id", id)
			}
			if time.Since(goneSince) > r.t.LostGrace {
				return &outcome{kinds: []error{ErrLost}, msg: fmt.Sprintf("queue item %d vanished and no build of %q with queue id %d that started after the trigger appeared within %s; check the job in Jenkins: %s",
					id, r.res.Job, id, r.t.LostGrace, r.res.JobURL)}
			}
		case err != nil:
			return r.following(err)
		case item.Cancelled:
			return &outcome{kinds: []error{ErrCancelled}, msg: fmt.Sprintf("queue item %d of %q was cancelled before it started (by a user, an admin or a plugin; Jenkins does not say which)", id, r.res.Job)}
		case item.Executable != nil && item.Executable.Number > 0:
			r.started(item.Executable.Number)
			return nil
		case item.Left():
			// A LeftItem without executable or cancellation is a legal
			// transient state: the run is not attached yet. Keep polling.
		case whyKind(item.Why) != whyKind(lastWhy):
			lastWhy, lastBeat = item.Why, time.Now()
			r.progress("queued as item %d: %s", id, jenkins.Clean(item.Why, 200))
		case time.Since(lastBeat) >= r.t.Heartbeat:
			lastBeat = time.Now()
			r.progress("still queued as item %d after %s: %s", id, round(time.Since(r.start)), jenkins.Clean(item.Why, 200))
		}
		if err == nil {
			lastWhy = item.Why // the live line shows the countdown
		}
		r.status("queued as item %d, %s: %s", id, round(time.Since(r.start)), jenkins.Clean(lastWhy, 100))
		if err := sleep(ctx, delay); err != nil {
			return err
		}
		delay = min(delay*3/2, r.t.PollMax)
	}
}

// countdown matches the durations Jenkins writes into a waiting reason and
// rewrites at every read: "Expires in 4.9 sec", "9 min 59 sec", "26 ms".
var countdown = regexp.MustCompile(`\d+(\.\d+)?\s*(ms|sec|min|hr|day|days)\b(\s+\d+(\.\d+)?\s*(ms|sec|min|hr|day|days)\b)*`)

// whyKind is a waiting reason without its countdown: one progress line per
// kind of reason, however often Jenkins rewrites the numbers.
func whyKind(why string) string {
	return countdown.ReplaceAllString(why, "#")
}

// clockSkew allows for the controller's clock being behind ours.
const clockSkew = 2 * time.Minute

func (r *runner) started(number int) {
	r.phase = phaseBuilding
	r.number = number
	u := jenkins.BuildURL(r.spec.Trigger.Job, number)
	r.buildU = u.String()
	r.res.Number, r.res.URL = number, r.buildU
	r.progress("started build #%d: %s", number, r.buildU)
}

// following wraps a failure while following, so the message says the build
// was queued and where to look.
func (r *runner) following(err error) error {
	var je *jenkins.Error
	if !errors.As(err, &je) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err // our own interruption: the caller handles it
	}
	where := fmt.Sprintf("queue item %d", r.res.QueueID)
	if r.number > 0 {
		where = fmt.Sprintf("build #%d (%s)", r.number, r.buildU)
	}
	return fmt.Errorf("the trigger was accepted as %s, but following it failed, and nothing was cancelled: %w", where, err)
}

// waitBuild polls the build (and streams its console) until it ends.
func (r *runner) waitBuild(ctx context.Context) error {
	j := r.spec.Trigger.Job
	con := &console{w: r.ev.Console, prefix: r.spec.Prefix}
	stream := r.spec.Console == ConsoleStream
	delay := r.t.PollMin
	lastBeat := time.Now()
	nearSince := time.Time{}
	session := r.c.Session()
	var b *jenkins.Build
	var stages *stageWatch // a Pipeline's stages and inputs
	for {
		if stream {
			if err := r.pollConsole(ctx, con); err != nil {
				return err
			}
		}
		var err error
		if b, err = r.c.Build(ctx, j, r.number); err != nil {
			return r.following(err)
		}
		if stages == nil && b.Pipeline() {
			stages = &stageWatch{r: r}
		}
		if stages != nil && b.Building {
			if err := stages.poll(ctx); err != nil {
				return err
			}
			if err := stages.checkNode(ctx); err != nil {
				return err
			}
			if stages.off && stream && con.reason.onLine == nil {
				cs := &consoleStages{r: r}
				con.reason.onLine = cs.line // no wfapi: the console's markers, read anyway
			}
		}
		if s := r.c.Session(); s != session && session != "" {
			r.progress("Jenkins restarted while build #%d ran (new X-Jenkins-Session); following it on", r.number)
		}
		session = r.c.Session()
		if !b.Building {
			break
		}
		elapsed := time.Since(time.UnixMilli(b.Timestamp))
		if b.Timestamp <= 0 {
			elapsed = time.Since(r.start)
		}
		est := time.Duration(b.EstimatedDuration) * time.Millisecond
		left := ""
		if est > 0 && est > elapsed {
			left = ", about " + round(est-elapsed).String() + " left"
		}
		doing := stages.activity()
		if time.Since(lastBeat) >= r.t.Heartbeat {
			lastBeat = time.Now()
			r.progress("building #%d%s, %s elapsed%s", r.number, doing, round(elapsed), left)
		}
		r.status("building #%d%s, %s elapsed%s", r.number, doing, round(elapsed), left)
		delay = r.nextDelay(delay, elapsed, est, &nearSince)
		if err := sleep(ctx, delay); err != nil {
			return err
		}
	}
	result := "unknown"
	if b.Result != nil {
		result = *b.Result
	}
	r.res.Result, r.res.DurationMs = result, b.Duration
	// The result is known: from here a deadline or a signal that cuts the
	// console's end or a last read short is said, but the result decides.
	if stream {
		if err := r.drainConsole(ctx, con); err != nil {
			if ctx.Err() == nil {
				return err
			}
			r.progress("the end of build #%d's console was not read (%s): %sconsole", r.number, stopWord(context.Cause(ctx)), r.buildU)
		}
	}
	if stages != nil {
		// The last stages' ends, and every stage of a build that ended
		// before its first stage read.
		if err := stages.poll(ctx); err != nil && ctx.Err() == nil {
			return err
		}
	}
	if err := r.readTests(ctx, b); err != nil {
		if ctx.Err() == nil {
			return err
		}
		r.progress("the test report of build #%d was not read (%s): %stestReport/", r.number, stopWord(context.Cause(ctx)), r.buildU)
	}
	if result == "SUCCESS" { // other results are reported by the caller, as the error
		tests := ""
		if r.res.Tests != nil {
			tests = "; " + r.res.Tests.Summary()
		}
		r.progress("build #%d finished SUCCESS after %s%s: %s", r.number, round(time.Duration(b.Duration)*time.Millisecond), tests, r.buildU)
	}
	var stage, reason string
	if result != "SUCCESS" && !(result == "UNSTABLE" && r.spec.UnstableOK) {
		var streamed *console
		if stream {
			streamed = con
		}
		stage, reason = r.explain(ctx, stages, streamed)
		if t := r.res.Tests; t != nil && t.Failed > 0 {
			// Failed tests say best why a build is UNSTABLE or FAILURE.
			reason = strings.TrimSuffix(t.Summary()+"; "+reason, "; ")
		}
		r.res.Stage, r.res.Reason = stage, reason
	}
	var printErr error
	switch r.spec.Console {
	case ConsoleTail:
		printErr = r.printWhole(ctx, &tail{n: r.spec.Tail})
	case ConsoleOnFailure:
		if result != "SUCCESS" {
			printErr = r.printFailure(ctx, stage)
		}
	}
	switch {
	case printErr != nil && ctx.Err() == nil:
		return printErr
	case printErr != nil:
		r.progress("the console of build #%d was not printed (%s): %sconsole", r.number, stopWord(context.Cause(ctx)), r.buildU)
	}
	switch {
	case result == "UNSTABLE" && r.spec.UnstableOK:
		tests := ""
		if r.res.Tests != nil {
			tests = "; " + r.res.Tests.Summary()
		}
		r.progress("build #%d finished UNSTABLE, accepted as a success (unstable-ok)%s: %s", r.number, tests, r.buildU)
	case result != "SUCCESS":
		return &ResultError{Result: result, Number: r.number, URL: r.buildU, Stage: stage, Reason: reason}
	}
	return nil
}

// printFailure prints the console of a build that did not succeed: only the
// failing stage's part when the stage is known and the console marks it
// ("[Pipeline] { (Name)" to its closing "[Pipeline] }"), else its last lines.
func (r *runner) printFailure(ctx context.Context, stage string) error {
	if stage != "" {
		sec := &stageSection{name: stage, prefix: r.spec.Prefix}
		t := &tail{n: maxStageLines, sink: sec}
		if err := r.readWhole(ctx, t); err != nil {
			return err
		}
		t.flushTo(io.Discard) // hands a last unfinished line to the section
		if len(sec.lines) > 0 {
			r.progress("console of stage %q of build #%d (the whole log: %sconsole):", stage, r.number, r.buildU)
			for _, l := range sec.lines {
				_, _ = r.ev.Console.Write(l)
			}
			return nil
		}
	}
	t := &tail{n: failureTail}
	if err := r.readWhole(ctx, t); err != nil {
		return err
	}
	if len(t.cur) > 0 {
		_, _ = t.Write([]byte("\n")) // the unfinished last line counts
	}
	r.progress("the last %d lines of the console of build #%d (the whole log: %sconsole):", len(t.lines), r.number, r.buildU)
	t.flushTo(r.ev.Console)
	return nil
}

// failureTail is how much of a failed build's console is printed when its
// failing stage is not known.
const failureTail = 200

// maxStageLines bounds what a failing stage's console may hold in memory.
const maxStageLines = 100_000

// stageSection keeps the console lines of one stage, by the Pipeline's own
// markers, counting nested blocks.
type stageSection struct {
	name   string
	prefix string // the console prefix, put before every line
	depth  int    // 0: outside the stage; 1: in it; more: in a block inside it
	lines  [][]byte
}

func (s *stageSection) line(l []byte) {
	text := strings.TrimPrefix(strings.TrimRight(string(l), "\r\n"), s.prefix)
	switch {
	case s.depth == 0 && text == "[Pipeline] { ("+s.name+")":
		s.lines = s.lines[:0] // the last run of the stage wins
		s.depth = 1
		return
	case s.depth == 0:
		return
	case strings.HasPrefix(text, "[Pipeline] {"):
		s.depth++
	case text == "[Pipeline] }":
		s.depth--
		if s.depth == 0 {
			return
		}
	}
	if len(s.lines) < maxStageLines {
		s.lines = append(s.lines, append([]byte(nil), l...))
	}
}

// aimPast is how far past the estimated end the first poll aims.
const aimPast = 100 * time.Millisecond

// nextDelay backs off from PollMin to PollMax, but aims at the estimated end
// and polls every Near for a while around it, so a finished build is seen
// quickly while a long one costs few requests.
func (r *runner) nextDelay(prev, elapsed, est time.Duration, nearSince *time.Time) time.Duration {
	d := min(max(prev*3/2, r.t.PollMin), r.t.PollMax)
	if est <= 0 {
		return d
	}
	remaining := est - elapsed
	window := max(10*r.t.Near, est/30)
	switch {
	case remaining > 0 && remaining <= d:
		// Wake up just after the estimated end: a poll a few milliseconds early
		// would find the build running and wait a whole Near interval more.
		return max(remaining+aimPast, r.t.PollMin)
	case remaining <= 0 && -remaining < window:
		return min(r.t.Near, d+r.t.Near) // around the end: poll often
	}
	return d
}

func (r *runner) pollConsole(ctx context.Context, con *console) error {
	ch, err := r.c.Console(ctx, r.spec.Trigger.Job, r.number, con.offset)
	if err != nil {
		return r.following(err)
	}
	defer ch.Body.Close()
	if ch.Next < con.offset {
		// The log shrank (rotated or truncated): Jenkins answered with the whole
		// log again from 0. Printing it would repeat what was printed.
		r.progress("the console log of #%d shrank on the server (from %d to %d bytes); continuing from its new end", r.number, con.offset, ch.Next)
		con.offset = ch.Next
		return nil
	}
	// Hold up to consoleBuffer bytes back until the chunk is complete: a transfer
	// that breaks off then prints nothing, and the same offset is read again.
	buf, err := io.ReadAll(io.LimitReader(ch.Body, consoleBuffer))
	if err != nil {
		con.broken++
		if con.broken > 10 {
			return r.following(&jenkins.Error{Kind: jenkins.ErrUnreachable, Err: err,
				Msg: fmt.Sprintf("reading the console of #%d kept breaking off (%s)", r.number, jenkins.Clean(err.Error(), 120))})
		}
		return nil
	}
	con.write(buf)
	if len(buf) == consoleBuffer { // a large chunk: stream the rest
		if _, err := io.Copy(con, ch.Body); err != nil {
			r.progress("reading the console of #%d broke off in a large chunk; some of its text is missing here, the whole log is at %sconsoleText", r.number, r.buildU)
		}
	}
	con.broken = 0
	con.offset = ch.Next
	con.more = ch.More
	return nil
}

// consoleBuffer is how much of one console answer is held before printing:
// enough for what a build writes between two polls, small enough to keep the
// memory flat (see BENCHMARKS.md).
const consoleBuffer = 1 << 20

// drainConsole reads until Jenkins says the log is complete (X-More-Data
// absent): the log may grow after the result is final.
func (r *runner) drainConsole(ctx context.Context, con *console) error {
	for i := 0; con.more && i < 50; i++ {
		if err := r.pollConsole(ctx, con); err != nil {
			return err
		}
		if con.more {
			if err := sleep(ctx, r.t.PollMin); err != nil {
				return err
			}
		}
	}
	con.flush()
	return nil
}

// printWhole reads the finished log once, from the start, into t (or straight
// to the console writer when t is nil).
func (r *runner) printWhole(ctx context.Context, t *tail) error {
	if t == nil {
		return r.readWhole(ctx, r.ev.Console)
	}
	if err := r.readWhole(ctx, t); err != nil {
		return err
	}
	t.flushTo(r.ev.Console)
	return nil
}

// readWhole reads the finished log once, from the start, into w.
func (r *runner) readWhole(ctx context.Context, w io.Writer) error {
	return r.drainConsole(ctx, &console{w: w, prefix: r.spec.Prefix, more: true})
}

func round(d time.Duration) time.Duration {
	if d > time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}

// Schedule runs the build-phase poll schedule of t, without a server, for a
// build of the given length and estimatedDuration: how many polls it costs
// and how late the end is seen. For benchmarks of builds too long to wait for.
func Schedule(t Timing, length, estimate time.Duration) (polls int, late time.Duration) {
	r := &runner{t: t}
	delay, at := t.PollMin, time.Duration(0)
	var near time.Time
	for {
		polls++
		if at >= length {
			return polls, at - length
		}
		delay = r.nextDelay(delay, at, estimate, &near)
		at += delay
	}
}

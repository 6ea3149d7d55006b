package task

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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

// Sentinels for the outcomes of following; the CLI maps them to exit codes.
var (
	ErrCancelled    = errors.New("queue item cancelled")
	ErrLost         = errors.New("build lost")
	ErrQueueTimeout = errors.New("timed out waiting for the build to start")
	ErrBuildTimeout = errors.New("timed out waiting for the build to end")
)

// ResultError is a build that ended with a result other than SUCCESS.
type ResultError struct {
	Result string // UNSTABLE, FAILURE, ABORTED, NOT_BUILT or what Jenkins said
	Number int
	URL    string
}

func (e *ResultError) Error() string {
	return fmt.Sprintf("build #%d finished %s: %s", e.Number, e.Result, e.URL)
}

// outcome is an error with its sentinel and a message for people.
type outcome struct {
	kind error
	msg  string
}

func (e *outcome) Error() string        { return e.msg }
func (e *outcome) Is(target error) bool { return target == e.kind }

// Events receive what happens while following.
type Events struct {
	Progress func(string)   // state changes and heartbeats, one line each
	Status   func(string)   // a live status line for terminals; may be nil
	Console  io.Writer      // where console text goes
	Merged   func(id int64) // the trigger merged into queue item id; may be nil
}

type follower struct {
	c      *jenkins.Client
	spec   Spec
	ev     Events
	res    *Result
	start  time.Time // when we sent the trigger
	t      Timing
	number int
	buildU string
}

func (f *follower) progress(format string, args ...any) {
	if f.ev.Progress != nil {
		f.ev.Progress(fmt.Sprintf(format, args...))
	}
}

func (f *follower) status(format string, args ...any) {
	if f.ev.Status != nil {
		f.ev.Status(fmt.Sprintf(format, args...))
	}
}

// errDeadline is returned by sleep when a deadline, not the delay, ended it.
var errDeadline = errors.New("deadline")

// sleep waits d, or until deadline (zero: none), or until ctx ends.
func sleep(ctx context.Context, d time.Duration, deadline time.Time) error {
	hitDeadline := false
	if !deadline.IsZero() {
		if left := time.Until(deadline); left <= d {
			d, hitDeadline = max(left, 0), true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		if hitDeadline {
			return errDeadline
		}
		return nil
	}
}

func earliest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if !t.IsZero() && (out.IsZero() || t.Before(out)) {
			out = t
		}
	}
	return out
}

func (f *follower) deadline(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return f.start.Add(d)
}

// follow runs after a successful trigger.
func (f *follower) follow(ctx context.Context) error {
	var err error
	if f.number == 0 {
		err = f.waitQueue(ctx)
	}
	if err == nil && f.spec.Wait == WaitEnd {
		err = f.waitBuild(ctx)
	}
	if ctx.Err() != nil && !errors.Is(err, ErrQueueTimeout) && !errors.Is(err, ErrBuildTimeout) {
		return &interruptError{cause: context.Cause(ctx), msg: f.interrupted(ctx)}
	}
	return err
}

// interruptError is a signal while waiting, with what was done about it.
type interruptError struct {
	cause error
	msg   string
}

func (e *interruptError) Error() string { return e.msg }
func (e *interruptError) Unwrap() error { return e.cause }

// waitQueue polls the queue item until it has a build number.
func (f *follower) waitQueue(ctx context.Context) error {
	id := f.res.QueueID
	session := ""
	lastWhy, lastBeat := "", time.Now()
	var goneSince time.Time
	deadline := earliest(f.deadline(f.spec.QueueTimeout), f.deadline(f.spec.Timeout))
	delay := f.t.PollMin
	for {
		item, err := f.c.QueueItem(ctx, id)
		if s := f.c.Session(); session == "" {
			session = s
		} else if s != session {
			session = s
			f.progress("Jenkins restarted (new X-Jenkins-Session); queue ids start again, so the build is now looked up by queue id and start time")
			goneSince, err = time.Now(), jenkins.ErrGone
		}
		if err == nil && item.InQueueSince > 0 && time.UnixMilli(item.InQueueSince).Before(f.start.Add(-time.Minute)) {
			err = jenkins.ErrGone // an older item under our id: ids were reused after a restart
		}
		switch {
		case errors.Is(err, jenkins.ErrGone):
			b, ferr := f.c.FindBuild(ctx, f.spec.Trigger.Job, id, f.start.Add(-clockSkew))
			if ferr != nil {
				return f.following(ferr)
			}
			if b != nil {
				f.progress("queue item %d is gone from the queue; found its build by queue id", id)
				f.started(b.Number)
				return nil
			}
			if goneSince.IsZero() {
				goneSince = time.Now()
				f.progress("queue item %d is gone (it left the queue over 5 minutes ago, or Jenkins restarted); looking for its build by queue id", id)
			}
			if time.Since(goneSince) > f.t.LostGrace {
				return &outcome{kind: ErrLost, msg: fmt.Sprintf("queue item %d vanished and no build of %q with queue id %d that started after the trigger appeared within %s; check the job in Jenkins: %s",
					id, f.res.Job, id, f.t.LostGrace, f.res.JobURL)}
			}
		case err != nil:
			return f.following(err)
		case item.Cancelled:
			return &outcome{kind: ErrCancelled, msg: fmt.Sprintf("queue item %d of %q was cancelled before it started (by a user, an admin or a plugin; Jenkins does not say which)", id, f.res.Job)}
		case item.Executable != nil && item.Executable.Number > 0:
			f.started(item.Executable.Number)
			return nil
		case item.Left():
			// A LeftItem without executable or cancellation is a legal
			// transient state: the run is not attached yet. Keep polling.
		case item.Why != lastWhy:
			lastWhy, lastBeat = item.Why, time.Now()
			f.progress("queued as item %d: %s", id, jenkins.Clean(item.Why, 200))
		case time.Since(lastBeat) >= f.t.Heartbeat:
			lastBeat = time.Now()
			f.progress("still queued as item %d after %s: %s", id, round(time.Since(f.start)), jenkins.Clean(item.Why, 200))
		}
		f.status("queued as item %d, %s: %s", id, round(time.Since(f.start)), jenkins.Clean(lastWhy, 100))
		switch err := sleep(ctx, delay, deadline); {
		case errors.Is(err, errDeadline):
			return f.queueTimedOut(ctx)
		case err != nil:
			return err
		}
		delay = min(delay*3/2, f.t.PollMax)
	}
}

// clockSkew allows for the controller's clock being behind ours.
const clockSkew = 2 * time.Minute

func (f *follower) started(number int) {
	f.number = number
	u := jenkins.BuildURL(f.spec.Trigger.Job, number)
	f.buildU = u.String()
	f.res.Number, f.res.URL = number, f.buildU
	f.progress("started build #%d: %s", number, f.buildU)
}

// following wraps a failure while following, so the message says the build
// was queued and where to look.
func (f *follower) following(err error) error {
	var je *jenkins.Error
	if !errors.As(err, &je) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err // our own interruption: the caller handles it
	}
	where := fmt.Sprintf("queue item %d", f.res.QueueID)
	if f.number > 0 {
		where = fmt.Sprintf("build #%d (%s)", f.number, f.buildU)
	}
	return fmt.Errorf("the trigger was accepted as %s, but following it failed, and nothing was cancelled: %w", where, err)
}

// waitBuild polls the build (and streams its console) until it ends.
func (f *follower) waitBuild(ctx context.Context) error {
	j := f.spec.Trigger.Job
	deadline := f.deadline(f.spec.Timeout)
	con := &console{w: f.ev.Console, prefix: f.spec.Prefix}
	stream := f.spec.Console == ConsoleStream
	delay := f.t.PollMin
	lastBeat := time.Now()
	nearSince := time.Time{}
	session := f.c.Session()
	var b *jenkins.Build
	for {
		if stream {
			if err := f.pollConsole(ctx, con); err != nil {
				return err
			}
		}
		var err error
		if b, err = f.c.Build(ctx, j, f.number); err != nil {
			return f.following(err)
		}
		if s := f.c.Session(); s != session && session != "" {
			f.progress("Jenkins restarted while build #%d ran (new X-Jenkins-Session); following it on", f.number)
		}
		session = f.c.Session()
		if !b.Building {
			break
		}
		elapsed := time.Since(time.UnixMilli(b.Timestamp))
		if b.Timestamp <= 0 {
			elapsed = time.Since(f.start)
		}
		est := time.Duration(b.EstimatedDuration) * time.Millisecond
		left := ""
		if est > 0 && est > elapsed {
			left = ", about " + round(est-elapsed).String() + " left"
		}
		if time.Since(lastBeat) >= f.t.Heartbeat {
			lastBeat = time.Now()
			f.progress("building #%d, %s elapsed%s", f.number, round(elapsed), left)
		}
		f.status("building #%d, %s elapsed%s", f.number, round(elapsed), left)
		delay = f.nextDelay(delay, elapsed, est, &nearSince)
		switch err := sleep(ctx, delay, deadline); {
		case errors.Is(err, errDeadline):
			return f.buildTimedOut(ctx)
		case err != nil:
			return err
		}
	}
	if stream {
		if err := f.drainConsole(ctx, con); err != nil {
			return err
		}
	}
	result := "unknown"
	if b.Result != nil {
		result = *b.Result
	}
	f.res.Result, f.res.DurationMs = result, b.Duration
	if result == "SUCCESS" { // other results are reported by the caller, as the error
		f.progress("build #%d finished SUCCESS after %s: %s", f.number, round(time.Duration(b.Duration)*time.Millisecond), f.buildU)
	}
	switch f.spec.Console {
	case ConsoleTail:
		if err := f.printWhole(ctx, &tail{n: f.spec.Tail}); err != nil {
			return err
		}
	case ConsoleOnFailure:
		if result != "SUCCESS" {
			if err := f.printWhole(ctx, nil); err != nil {
				return err
			}
		}
	}
	if result != "SUCCESS" {
		return &ResultError{Result: result, Number: f.number, URL: f.buildU}
	}
	return nil
}

// aimPast is how far past the estimated end the first poll aims.
const aimPast = 100 * time.Millisecond

// nextDelay backs off from PollMin to PollMax, but aims at the estimated end
// and polls every Near for a while around it, so a finished build is seen
// quickly while a long one costs few requests.
func (f *follower) nextDelay(prev, elapsed, est time.Duration, nearSince *time.Time) time.Duration {
	d := min(max(prev*3/2, f.t.PollMin), f.t.PollMax)
	if est <= 0 {
		return d
	}
	remaining := est - elapsed
	window := max(10*f.t.Near, est/30)
	switch {
	case remaining > 0 && remaining <= d:
		// Wake up just after the estimated end: a poll a few milliseconds early
		// would find the build running and wait a whole Near interval more.
		return max(remaining+aimPast, f.t.PollMin)
	case remaining <= 0 && -remaining < window:
		return min(f.t.Near, d+f.t.Near) // around the end: poll often
	}
	return d
}

func (f *follower) pollConsole(ctx context.Context, con *console) error {
	ch, err := f.c.Console(ctx, f.spec.Trigger.Job, f.number, con.offset)
	if err != nil {
		return f.following(err)
	}
	defer ch.Body.Close()
	if ch.Next < con.offset {
		// The log shrank (rotated or truncated): Jenkins answered with the whole
		// log again from 0. Printing it would repeat what was printed.
		f.progress("the console log of #%d shrank on the server (from %d to %d bytes); continuing from its new end", f.number, con.offset, ch.Next)
		con.offset = ch.Next
		return nil
	}
	// Hold up to consoleBuffer bytes back until the chunk is complete: a transfer
	// that breaks off then prints nothing, and the same offset is read again.
	buf, err := io.ReadAll(io.LimitReader(ch.Body, consoleBuffer))
	if err != nil {
		con.broken++
		if con.broken > 10 {
			return f.following(&jenkins.Error{Kind: jenkins.ErrUnreachable, Err: err,
				Msg: fmt.Sprintf("reading the console of #%d kept breaking off (%s)", f.number, jenkins.Clean(err.Error(), 120))})
		}
		return nil
	}
	con.write(buf)
	if len(buf) == consoleBuffer { // a large chunk: stream the rest
		if _, err := io.Copy(con, ch.Body); err != nil {
			f.progress("reading the console of #%d broke off in a large chunk; some of its text is missing here, the whole log is at %sconsoleText", f.number, f.buildU)
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
func (f *follower) drainConsole(ctx context.Context, con *console) error {
	for i := 0; con.more && i < 50; i++ {
		if err := f.pollConsole(ctx, con); err != nil {
			return err
		}
		if con.more {
			if err := sleep(ctx, f.t.PollMin, time.Time{}); err != nil {
				return err
			}
		}
	}
	con.flush()
	return nil
}

// printWhole reads the finished log once, from the start, into t (or straight
// to the console writer when t is nil).
func (f *follower) printWhole(ctx context.Context, t *tail) error {
	w := f.ev.Console
	if t != nil {
		w = t
	}
	con := &console{w: w, prefix: f.spec.Prefix, more: true}
	if err := f.drainConsole(ctx, con); err != nil {
		return err
	}
	if t != nil {
		t.flushTo(f.ev.Console)
	}
	return nil
}

func (f *follower) queueTimedOut(ctx context.Context) error {
	what := fmt.Sprintf("timed out after %s waiting for queue item %d of %q to start", round(time.Since(f.start)), f.res.QueueID, f.res.Job)
	if f.spec.OnTimeout == Detach {
		return &outcome{kind: ErrQueueTimeout, msg: what + "; it stays queued (--on-timeout=detach): " + f.res.QueueURL}
	}
	return &outcome{kind: ErrQueueTimeout, msg: what + "; " + f.cancel(ctx)}
}

func (f *follower) buildTimedOut(ctx context.Context) error {
	what := fmt.Sprintf("timed out after %s waiting for build #%d to finish", round(time.Since(f.start)), f.number)
	if f.spec.OnTimeout == Detach {
		return &outcome{kind: ErrBuildTimeout, msg: what + "; it keeps running (--on-timeout=detach): " + f.buildU}
	}
	return &outcome{kind: ErrBuildTimeout, msg: what + "; " + f.cancel(ctx)}
}

// interrupted applies --on-interrupt and says what it did.
func (f *follower) interrupted(ctx context.Context) string {
	if f.spec.OnInterrupt == Detach {
		if f.number > 0 {
			return fmt.Sprintf("interrupted; build #%d keeps running (--on-interrupt=detach): %s", f.number, f.buildU)
		}
		return fmt.Sprintf("interrupted; queue item %d stays queued (--on-interrupt=detach): %s", f.res.QueueID, f.res.QueueURL)
	}
	return "interrupted; " + f.cancel(ctx)
}

// cancel dequeues the item or stops the build, within the Cleanup bound, and
// says what happened. It runs on its own context: the caller's may be done.
func (f *follower) cancel(parent context.Context) string {
	ctx, done := context.WithTimeout(context.WithoutCancel(parent), f.t.Cleanup)
	defer done()
	if f.number == 0 {
		err := f.c.CancelQueueItem(ctx, f.res.QueueID)
		switch {
		case err == nil:
			return fmt.Sprintf("cancelled queue item %d", f.res.QueueID)
		case errors.Is(err, jenkins.ErrLeft):
			item, qerr := f.c.QueueItem(ctx, f.res.QueueID)
			if qerr != nil || item.Executable == nil {
				return fmt.Sprintf("queue item %d had just left the queue and its build is not known yet; check %s", f.res.QueueID, f.res.JobURL)
			}
			f.number = item.Executable.Number
			f.buildU = jenkins.BuildURL(f.spec.Trigger.Job, f.number).String()
			f.res.Number, f.res.URL = f.number, f.buildU
		case errors.Is(err, jenkins.ErrGone):
			return fmt.Sprintf("queue item %d was already gone", f.res.QueueID)
		default:
			return fmt.Sprintf("could not cancel queue item %d (%v)", f.res.QueueID, err)
		}
	}
	return f.stop(ctx)
}

// stop sends stop, then for a Pipeline term and kill, waiting StopGrace after
// each for the build to end.
func (f *follower) stop(ctx context.Context) string {
	j := f.spec.Trigger.Job
	b, err := f.c.Build(ctx, j, f.number)
	if err != nil {
		return fmt.Sprintf("could not read build #%d to stop it (%v)", f.number, err)
	}
	if !b.Building {
		return fmt.Sprintf("build #%d had already finished", f.number)
	}
	actions := []string{"stop"}
	if b.Pipeline() {
		actions = append(actions, "term", "kill")
	}
	for _, a := range actions {
		if err := f.c.StopBuild(ctx, j, f.number, a); err != nil {
			return fmt.Sprintf("could not %s build #%d (%v): %s", a, f.number, err, f.buildU)
		}
		for waited := time.Duration(0); waited < f.t.StopGrace; waited += f.t.PollMin {
			if sleep(ctx, f.t.PollMin, time.Time{}) != nil {
				return fmt.Sprintf("sent %s to build #%d but ran out of time to see it end: %s", a, f.number, f.buildU)
			}
			if b, err := f.c.Build(ctx, j, f.number); err == nil && !b.Building {
				return fmt.Sprintf("stopped build #%d (%s): %s", f.number, a, f.buildU)
			}
		}
	}
	return fmt.Sprintf("build #%d still runs after %s: %s", f.number, strings.Join(actions, ", "), f.buildU)
}

func round(d time.Duration) time.Duration {
	if d > time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}

// console writes cleaned console text, prefixing lines, holding back bytes
// that may be the start of a console note or a CRLF split across chunks.
type console struct {
	w       io.Writer
	prefix  string
	offset  int64
	more    bool
	pending []byte // held back: an unfinished note or a trailing \r
	midLine bool   // the last byte written was not a newline
	broken  int    // console transfers that broke off in a row
}

var noteStart = []byte("\x1b[8mha:")

// Write lets the console take a streamed body.
func (c *console) Write(b []byte) (int, error) {
	c.write(b)
	return len(b), nil
}

func (c *console) write(b []byte) {
	if len(c.pending) > 0 {
		b = append(c.pending, b...)
		c.pending = nil
	}
	hold := len(b)
	if i := bytes.LastIndex(b, noteStart); i >= 0 && !bytes.Contains(b[i:], []byte("\x1b[0m")) {
		hold = i // an unfinished note
	} else {
		for k := min(len(noteStart)-1, len(b)); k > 0; k-- {
			if bytes.HasSuffix(b, noteStart[:k]) {
				hold = len(b) - k // the start of what may be a note
				break
			}
		}
	}
	if hold == len(b) && hold > 0 && b[hold-1] == '\r' {
		hold-- // the \r of a \r\n cut in two
	}
	b, c.pending = b[:hold], append([]byte(nil), b[hold:]...)
	c.emit(jenkins.CleanConsole(b))
}

func (c *console) emit(text []byte) {
	if len(text) == 0 || c.w == nil {
		return
	}
	if c.prefix == "" {
		_, _ = c.w.Write(text)
		c.midLine = text[len(text)-1] != '\n'
		return
	}
	var out bytes.Buffer
	for len(text) > 0 {
		if !c.midLine {
			out.WriteString(c.prefix)
		}
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			out.Write(text)
			c.midLine = true
			break
		}
		out.Write(text[:i+1])
		text = text[i+1:]
		c.midLine = false
	}
	_, _ = c.w.Write(out.Bytes())
}

// flush writes what was held back and ends an unfinished last line.
func (c *console) flush() {
	if len(c.pending) > 0 {
		c.emit(jenkins.CleanConsole(c.pending))
		c.pending = nil
	}
	if c.midLine {
		c.emit([]byte("\n"))
	}
}

// tail keeps the last n lines written to it.
type tail struct {
	n     int
	lines [][]byte
	cur   []byte
}

func (t *tail) Write(b []byte) (int, error) {
	for _, c := range b {
		t.cur = append(t.cur, c)
		if c == '\n' {
			t.lines = append(t.lines, t.cur)
			t.cur = nil
			if len(t.lines) > t.n {
				t.lines = t.lines[1:]
			}
		}
	}
	return len(b), nil
}

func (t *tail) flushTo(w io.Writer) {
	if len(t.cur) > 0 {
		_, _ = t.Write([]byte("\n"))
	}
	for _, l := range t.lines {
		_, _ = w.Write(l)
	}
}

// Schedule runs the build-phase poll schedule of t, without a server, for a
// build of the given length and estimatedDuration: how many polls it costs
// and how late the end is seen. For benchmarks of builds too long to wait for.
func Schedule(t Timing, length, estimate time.Duration) (polls int, late time.Duration) {
	f := &follower{t: t}
	delay, at := t.PollMin, time.Duration(0)
	var near time.Time
	for {
		polls++
		if at >= length {
			return polls, at - length
		}
		delay = f.nextDelay(delay, at, estimate, &near)
		at += delay
	}
}

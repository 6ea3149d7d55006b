package task

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// Sentinels for the outcomes of the use case. The CLI maps them to exit codes;
// jenkins' sentinels cover what Jenkins answered.
var (
	ErrMerged       = errors.New("merged into a queued item") // only when Spec.FailIfMerged
	ErrCancelled    = errors.New("queue item cancelled")
	ErrLost         = errors.New("build lost")
	ErrQueueTimeout = errors.New("timed out before the build started")
	ErrBuildTimeout = errors.New("timed out before the build ended")
	ErrTimeout      = errors.New("timed out")    // a command that triggers nothing ran out of time (Ended)
	ErrDisabled     = errors.New("job disabled") // a pre-flight rejection; also jenkins.ErrRejected
	// ErrUnconfirmed is a trigger whose answer was lost and whose result
	// could not be found for certain: it may or may not have been queued.
	ErrUnconfirmed = errors.New("trigger not confirmed")
)

// ResultError is a build that ended with a result other than SUCCESS, with
// where and why when Jenkins says so.
type ResultError struct {
	Result string // UNSTABLE, FAILURE, ABORTED, NOT_BUILT or what Jenkins said
	Number int
	URL    string
	Stage  string // the Pipeline stage that failed, if known
	Reason string // "ERROR: boom", "rejected at input \"Deploy?\" by builder", ... if known
}

func (e *ResultError) Error() string {
	msg := fmt.Sprintf("build #%d finished %s", e.Number, e.Result)
	if e.Stage != "" {
		msg += fmt.Sprintf(" in stage %q", e.Stage)
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg + ": " + e.URL
}

// ParamError is a parameter given the wrong way: a value for a file
// parameter, or a file for another kind. File says how it must be given.
// It is a rejection (jenkins.ErrRejected): nothing was sent.
type ParamError struct {
	Name string
	File bool
	Msg  string
}

func (e *ParamError) Error() string        { return e.Msg }
func (e *ParamError) Is(target error) bool { return target == jenkins.ErrRejected }

// BugError is a panic inside a run: a bug in this program. It says what the
// run had done in Jenkins, so that nobody triggers twice or leaves a build
// behind unknowingly.
type BugError struct {
	Value any    // what panicked
	Sent  string // what had been sent
}

func (e *BugError) Error() string {
	return fmt.Sprintf("internal failure (a bug; please report it): %v; %s", e.Value, e.Sent)
}

// StoppedError is a run cut short from outside (a signal, or the caller's
// context), with what was done about the remote side. It unwraps to the
// cause the context was cancelled with, so the caller can tell signals apart.
type StoppedError struct {
	Cause error
	Msg   string // what was done and what state Jenkins is in
}

func (e *StoppedError) Error() string { return e.Msg }
func (e *StoppedError) Unwrap() error { return e.Cause }

// outcome is an error with its sentinel kinds and a message for people.
type outcome struct {
	kinds []error
	msg   string
}

func (e *outcome) Error() string { return e.msg }
func (e *outcome) Is(target error) bool {
	for _, k := range e.kinds {
		if target == k {
			return true
		}
	}
	return false
}

func newOutcome(msg string, kinds ...error) error { return &outcome{kinds: kinds, msg: msg} }

// timeoutCause cancels the context of a run when --timeout or --queue-timeout
// is reached; it is told apart from a signal by its type.
type timeoutCause struct {
	after time.Duration
}

func (t *timeoutCause) Error() string { return "timed out after " + t.after.String() } // as the user gave it

// stopCause returns why ctx ended and, when it was one of our deadlines, which.
func stopCause(ctx context.Context) (*timeoutCause, error) {
	cause := context.Cause(ctx)
	var timeout *timeoutCause
	errors.As(cause, &timeout)
	return timeout, cause
}

// stopWord is how a message begins for a run stopped by cause: "timed out
// after 5s", "interrupted", "terminated".
func stopWord(cause error) string {
	if cause == nil || errors.Is(cause, context.Canceled) {
		return "interrupted"
	}
	return cause.Error()
}

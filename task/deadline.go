package task

import (
	"context"
	"fmt"
	"time"
)

// Bound is ctx bounded by timeout counted from start, with the cause Run's
// deadlines carry; a timeout of 0 leaves it unbounded. Every command bounds
// its whole run this way, from the command's start.
func Bound(ctx context.Context, start time.Time, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithDeadlineCause(ctx, start.Add(timeout), &timeoutCause{after: timeout})
}

// Ended is for work that changes nothing in Jenkins (reading a job's
// parameters, a doctor's checks): when ctx has ended, err becomes what that
// means, a timeout (ErrTimeout) or a signal (a StoppedError caused by it), in
// one line saying what was being done. Otherwise err is returned as it is.
func Ended(ctx context.Context, err error, while string) error {
	if ctx.Err() == nil {
		return err
	}
	timeout, cause := stopCause(ctx)
	msg := fmt.Sprintf("%s while %s; nothing was changed in Jenkins", stopWord(cause), while)
	if timeout != nil {
		return newOutcome(msg, ErrTimeout)
	}
	return &StoppedError{Cause: cause, Msg: msg}
}

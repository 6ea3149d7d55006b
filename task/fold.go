package task

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// Jenkins folds a trigger into an identical item that is already waiting:
// /buildWithParameters answers 303, but /build answers 201 with the waiting
// item's Location, exactly as for a new item (../shared/recordings, "folded").
// So whether this run created its queue item is decided from evidence the run
// already has, never from the status alone: the item the pre-flight saw
// waiting, the item's inQueueSince against the earliest moment the send can
// have reached Jenkins (Date headers), and the items earlier triggers of this
// run got. What this run did not create alone is never cancelled or stopped.

// fold is what is known about who created the queue item.
type fold int

const (
	foldUnknown fold = iota // no evidence either way yet
	foldOwn                 // this trigger created it
	foldMerged              // it existed before this trigger, or another trigger of this run made it
)

// claims are the queue items the triggers of one run got, so that a second
// job line folded into the first one's item is known as merged.
type claims struct {
	mu    sync.Mutex
	items map[string]bool // queue item URL
}

// claim records u and reports whether it was new to this run.
func (c *claims) claim(u string) bool {
	if c == nil {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[string]bool{}
	}
	if c.items[u] {
		return false
	}
	c.items[u] = true
	return true
}

// judgeTrigger decides what the trigger's answer and the pre-flight show.
func (r *runner) judgeTrigger(q *jenkins.Queued) {
	r.sentAt = q.SentAt
	switch {
	case q.Merged:
		r.merged("Jenkins answered that an identical item was already waiting")
	case r.before != nil && r.before.QueueItem != nil && r.before.QueueItem.ID == q.ID:
		r.merged("it was already waiting when the job was read before the trigger")
	case !r.claims.claim(q.URL.String()):
		r.merged("an earlier trigger of this run queued it with the same parameters")
	case r.before != nil:
		// The pre-flight saw no such item: the trigger made it, unless another
		// client's identical trigger came in between; inQueueSince tells.
		r.fold = foldOwn
	}
}

// judgeItem checks an item read from the queue: one queued before the
// earliest moment our send can have reached Jenkins is not ours.
func (r *runner) judgeItem(item *jenkins.QueueItem) {
	if r.fold == foldMerged || item == nil || item.InQueueSince <= 0 || r.sentAt.IsZero() {
		return
	}
	bound, ok := r.c.SendBound(r.sentAt)
	switch {
	case !ok:
	case time.UnixMilli(item.InQueueSince).Before(bound):
		r.merged("it was queued at " + time.UnixMilli(item.InQueueSince).UTC().Format("15:04:05.000 MST") +
			", before this trigger reached Jenkins")
	default:
		r.fold = foldOwn
	}
}

func (r *runner) merged(why string) {
	r.fold, r.foldWhy = foldMerged, why
	if r.res.Merged {
		return
	}
	r.res.Merged = true
	if r.ev.Merged != nil {
		r.ev.Merged(r.res.QueueID)
	}
}

// mergedError is the outcome of a merge when failing on one was asked for.
func (r *runner) mergedError() error {
	return newOutcome("the trigger merged into queue item "+strconv.FormatInt(r.res.QueueID, 10)+" ("+r.foldWhy+
		"), and failing on a merge was asked for", ErrMerged)
}

// ownsItem says whether this run may cancel or stop what its trigger got,
// reading the queue item once when nothing has decided it yet. When it may
// not, why says so in words for the end of a line.
func (r *runner) ownsItem(ctx context.Context) (ok bool, why string) {
	if r.fold == foldUnknown && r.number == 0 {
		if item, err := r.c.QueueItem(ctx, r.res.QueueID); err == nil {
			r.judgeItem(item)
		}
	}
	what, into := fmt.Sprintf("queue item %d", r.res.QueueID), "it"
	if r.number > 0 {
		what, into = fmt.Sprintf("build #%d", r.number), "its queue item"
	}
	switch r.fold {
	case foldOwn:
		return true, ""
	case foldMerged:
		return false, fmt.Sprintf("left %s alone: this trigger was merged into %s (%s)", what, into, r.foldWhy)
	}
	return false, fmt.Sprintf("left %s alone: it may have been merged into an item queued before this trigger, and nothing Jenkins answered can tell; check %s",
		what, r.res.JobURL)
}

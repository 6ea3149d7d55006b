package jenkins

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AmbiguousError is a trigger whose answer was lost after the request was
// sent: the connection broke, no answer came in time, or a proxy answered in
// Jenkins' place. Jenkins may or may not have queued the build. It is never
// re-sent; FindTriggered looks for what it may have created.
type AmbiguousError struct {
	SentAt time.Time
	Err    error // the explained failure
}

func (e *AmbiguousError) Error() string { return e.Err.Error() }
func (e *AmbiguousError) Unwrap() error { return e.Err }

// InterruptedError is a trigger cut short because its context ended (a
// deadline or a signal). Sent says whether the POST may have reached Jenkins,
// and so may have queued a build; when false, nothing was queued.
type InterruptedError struct {
	Sent bool
	Err  error // the context's cause
}

func (e *InterruptedError) Error() string {
	if e.Sent {
		return "the trigger was sent but its answer did not come before the end: " + e.Err.Error()
	}
	return "the trigger was not sent: " + e.Err.Error()
}
func (e *InterruptedError) Unwrap() error { return e.Err }

// Candidate is a queue item or build that a lost trigger may have created:
// caused by our user (when we have one), with every parameter we sent.
type Candidate struct {
	QueueID   int64
	Number    int       // 0 while still queued
	QueuedAt  time.Time // when the item was queued, by Jenkins' clock; zero for a build
	StartedAt time.Time // when the build started, by Jenkins' clock; zero for an item
	Gone      bool      // a build whose queue item Jenkins has forgotten: it left over five minutes ago
}

// Since is when the candidate appeared, by Jenkins' clock.
func (c Candidate) Since() time.Time {
	if c.QueuedAt.IsZero() {
		return c.StartedAt
	}
	return c.QueuedAt
}

// Evidence is what Jenkins' own answers prove about the time of a send.
type Evidence struct {
	// Bound is the earliest controller time at which the send can have
	// arrived (from Date headers, see SendBound); HaveBound is false without one.
	Bound     time.Time
	HaveBound bool
	// OlderQueueID is the highest queue id of anything queued or started
	// before Bound: queue ids rise, so no item of ours can have it or a lower one.
	OlderQueueID int64
}

type causedItem struct {
	ID           int64 `json:"id"`
	QueueID      int64 `json:"queueId"`
	Number       int   `json:"number"`
	InQueueSince int64 `json:"inQueueSince"`
	Timestamp    int64 `json:"timestamp"`
	Task         struct {
		URL string `json:"url"`
	} `json:"task"`
	Actions []struct {
		Causes []struct {
			UserID string `json:"userId"`
		} `json:"causes"`
		Parameters []struct {
			Name  string `json:"name"`
			Value any    `json:"value"`
		} `json:"parameters"`
	} `json:"actions"`
}

const causedTree = "actions[causes[userId],parameters[name,value]]"

// FindTriggered lists what a trigger sent at sentAt may have created: items in
// the queue and the job's newest builds caused by our user (when we have one),
// with every parameter we sent at the value we sent, and the evidence for
// ruling out those that existed before the send. It decides nothing.
// Jenkins: GET queue/api/json?tree=items[...] and GET {job}api/json?tree=builds[...]{0,20}.
func (c *Client) FindTriggered(ctx context.Context, r TriggerRequest, sentAt time.Time) ([]Candidate, Evidence, error) {
	jobPath := r.Job.URL().EscapedPath()
	var out []Candidate
	seen := map[int64]bool{}

	u := resolve(c.base, "queue/api/json")
	u.RawQuery = "tree=items[id,inQueueSince,task[url]," + causedTree + "]"
	var queue struct{ Items []causedItem }
	if status, err := c.getJSON(ctx, u, "listing the queue", &queue); err != nil {
		return nil, Evidence{}, err
	} else if status != http.StatusOK {
		return nil, Evidence{}, failf(ErrProtocol, status, "the queue cannot be listed (HTTP %d)", status)
	}
	u = resolve(r.Job.URL(), "api/json")
	u.RawQuery = "tree=builds[number,queueId,timestamp," + causedTree + "]{0,20}"
	var job struct{ Builds []causedItem }
	if status, err := c.getJSON(ctx, u, "listing the builds of "+quoteJob(r), &job); err != nil {
		return nil, Evidence{}, err
	} else if status != http.StatusOK {
		return nil, Evidence{}, failf(ErrNotFound, status, "the builds of %s cannot be listed (HTTP %d)", quoteJob(r), status)
	}
	var ev Evidence
	ev.Bound, ev.HaveBound = c.SendBound(sentAt)

	for _, it := range queue.Items {
		at := time.UnixMilli(it.InQueueSince)
		if ev.HaveBound && at.Before(ev.Bound) {
			ev.OlderQueueID = max(ev.OlderQueueID, it.ID)
		}
		task, err := url.Parse(it.Task.URL)
		if err != nil || !strings.HasSuffix(strings.TrimSuffix(task.EscapedPath(), "/")+"/", jobPath[len(c.base.EscapedPath())-1:]) {
			continue
		}
		if c.ours(it, r) {
			seen[it.ID] = true
			out = append(out, Candidate{QueueID: it.ID, QueuedAt: at})
		}
	}
	for _, b := range job.Builds {
		at := time.UnixMilli(b.Timestamp)
		if ev.HaveBound && at.Before(ev.Bound) {
			ev.OlderQueueID = max(ev.OlderQueueID, b.QueueID)
		}
		if !seen[b.QueueID] && c.ours(b, r) {
			out = append(out, Candidate{QueueID: b.QueueID, Number: b.Number, StartedAt: at})
		}
	}
	// A build does not say when it was queued; its queue item, kept for five
	// minutes after it left, does. Gone means it left long before the send.
	for i, cand := range out {
		if cand.Number == 0 {
			continue
		}
		item, err := c.QueueItem(ctx, cand.QueueID)
		switch {
		case errors.Is(err, ErrGone):
			out[i].Gone = true
		case err != nil:
			return nil, Evidence{}, err
		case item.InQueueSince > 0:
			out[i].QueuedAt = time.UnixMilli(item.InQueueSince)
		}
	}
	return out, ev, nil
}

func (c *Client) ours(it causedItem, r TriggerRequest) bool {
	got := map[string]string{}
	users := map[string]bool{}
	for _, a := range it.Actions {
		for _, p := range a.Parameters {
			got[p.Name] = paramText(p.Value)
		}
		for _, cause := range a.Causes {
			users[cause.UserID] = true
		}
	}
	if c.creds.User != "" && !users[c.creds.User] {
		return false
	}
	for _, p := range r.Params {
		if v, ok := got[p.Name]; !ok || v != p.Value {
			return false
		}
	}
	return true
}

func paramText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

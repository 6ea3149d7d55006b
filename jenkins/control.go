package jenkins

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// ErrLeft reports a queue item that could not be cancelled because it had
// already left the queue (its build started).
var ErrLeft = errors.New("queue item already left the queue")

// CancelQueueItem removes a waiting item.
// Jenkins: POST queue/cancelItem?id=N -> 204; 404 unknown; 422 no Job/Cancel; 500 already left.
func (c *Client) CancelQueueItem(ctx context.Context, id int64) error {
	u := resolve(c.base, "queue/cancelItem")
	u.RawQuery = "id=" + strconv.FormatInt(id, 10)
	p, err := c.action(ctx, u)
	if err != nil {
		return err
	}
	switch {
	case p.status == http.StatusNoContent || p.status == http.StatusFound || (p.status == http.StatusOK && p.jenkins): // 302 before Jenkins 2.211
		return nil
	case p.status == http.StatusOK && p.html():
		return notJenkins(c.base, p)
	}
	switch p.status {
	case http.StatusInternalServerError:
		return ErrLeft
	case http.StatusNotFound:
		return ErrGone
	case 422:
		return failf(ErrForbidden, p.status, "user %q may not cancel queue item %d (HTTP 422): it lacks Job/Cancel", displayUser(c.creds.User), id)
	}
	return c.explainStatus(TriggerRequest{}, p, "cancelling the queue item")
}

// StopBuild sends stop, term or kill to a build. Jenkins accepts without
// saying whether the build ended: stop answers 302 to the build, a Pipeline's
// term and kill answer 200 with an empty body on 2.372 and 302 to the build on
// 2.568.2 (../shared/recordings, pipeline-stop.jsonl); poll the build to know.
// Jenkins: POST {build}stop -> 302; POST {build}term | kill -> 200, empty, or 302 (WorkflowRun).
func (c *Client) StopBuild(ctx context.Context, j Job, number int, action string) error {
	p, err := c.action(ctx, resolve(BuildURL(j, number), action))
	if err != nil {
		return err
	}
	switch {
	case p.status == http.StatusFound || p.status == http.StatusSeeOther:
		return nil
	case p.status == http.StatusOK && (p.jenkins || strings.TrimSpace(p.body) == ""):
		return nil
	case p.status == http.StatusOK && p.html():
		return notJenkins(c.base, p)
	}
	return c.explainStatus(TriggerRequest{Job: j}, p, action+" of build "+strconv.Itoa(number))
}

// action POSTs to a control endpoint once, with a crumb when the credentials
// need one. It is never retried: the caller decides what a failure means.
func (c *Client) action(ctx context.Context, u *url.URL) (page, error) {
	if c.creds.NeedsCrumb() && c.crumb == nil && !c.noCrumb {
		cr, err := c.Crumb(ctx)
		if err != nil {
			return page{}, err
		}
		c.crumb, c.noCrumb = cr, cr == nil
	}
	req, err := c.newRequest(ctx, http.MethodPost, u, nil)
	if err != nil {
		return page{}, err
	}
	if c.crumb != nil {
		req.Header.Set(c.crumb.Field, c.crumb.Value)
	}
	ex, err := c.do(req)
	if err != nil {
		return page{}, explainTransport(ctx, err, ex.sent, c.base, "the request")
	}
	c.noteSession(ex.page.header)
	return ex.page, nil
}

var consoleNote = regexp.MustCompile("\x1b\\[8mha:[A-Za-z0-9+/=]*\x1b\\[0m")

package jenkins

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrGone reports a queue item Jenkins no longer knows: it left the queue more
// than 5 minutes ago, or Jenkins restarted.
var ErrGone = errors.New("queue item gone")

// QueueItem is what GET queue/item/N/api/json says.
type QueueItem struct {
	Class        string `json:"_class"`
	ID           int64  `json:"id"`
	Why          string `json:"why"`
	Blocked      bool   `json:"blocked"`
	Buildable    bool   `json:"buildable"`
	Stuck        bool   `json:"stuck"`
	Cancelled    bool   `json:"cancelled"`
	InQueueSince int64  `json:"inQueueSince"`
	Executable   *struct {
		Number int    `json:"number"`
		URL    string `json:"url"`
	} `json:"executable"`
}

// Left reports whether the item has left the queue (LeftItem).
func (q *QueueItem) Left() bool { return strings.HasSuffix(q.Class, "$LeftItem") }

// Build is what GET {job}{number}/api/json says.
type Build struct {
	Class             string  `json:"_class"`
	Number            int     `json:"number"`
	URL               string  `json:"url"`
	Building          bool    `json:"building"`
	Result            *string `json:"result"`
	Duration          int64   `json:"duration"`
	EstimatedDuration int64   `json:"estimatedDuration"`
	Timestamp         int64   `json:"timestamp"`
	QueueID           int64   `json:"queueId"`
}

// Pipeline reports a WorkflowRun, which may need term and kill after stop.
func (b *Build) Pipeline() bool { return strings.HasSuffix(b.Class, "WorkflowRun") }

// BuildURL is {job}{number}/, built from our base URL.
func BuildURL(j Job, number int) *url.URL {
	return resolve(j.URL(), strconv.Itoa(number)+"/")
}

// Session returns the X-Jenkins-Session last seen; it changes when the
// controller restarts.
func (c *Client) Session() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session
}

// getJSON GETs u, retrying as get does, and decodes a 200 answer into v.
// It returns the status for the caller to interpret 404s.
func (c *Client) getJSON(ctx context.Context, u *url.URL, what string, v any) (int, error) {
	ex, err := c.get(ctx, u, what)
	if err != nil {
		return 0, err
	}
	p := ex.page
	c.noteSession(p.header)
	switch {
	case p.status == http.StatusOK && !p.jenkins && p.html():
		return p.status, notJenkins(c.base, p)
	case p.status == http.StatusOK:
		if err := json.Unmarshal([]byte(p.body), v); err != nil {
			return p.status, &Error{Kind: ErrProtocol, Status: p.status, Err: err,
				Msg: fmt.Sprintf("%s got an answer that is not the expected JSON (%s)", what, Clean(err.Error(), 100))}
		}
		return p.status, nil
	case p.status == http.StatusNotFound:
		return p.status, nil
	case p.status >= 300 && p.status < 400:
		return p.status, c.explainRedirect(TriggerRequest{}, u, p)
	}
	return p.status, c.explainStatus(TriggerRequest{}, p, what)
}

func (c *Client) noteSession(h http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := h.Get("X-Jenkins-Session"); s != "" {
		c.session = s
	}
	if v := h.Get("X-Jenkins"); v != "" {
		c.version = v
	}
}

// QueueItem reads a queue item. A 404 gives ErrGone.
// Jenkins: GET queue/item/N/api/json -> WaitingItem, BuildableItem, BlockedItem or LeftItem.
func (c *Client) QueueItem(ctx context.Context, id int64) (*QueueItem, error) {
	u := resolve(c.base, "queue/item/"+strconv.FormatInt(id, 10)+"/api/json")
	u.RawQuery = "tree=id,why,blocked,buildable,stuck,cancelled,inQueueSince,executable[number,url]"
	var q QueueItem
	status, err := c.getJSON(ctx, u, "reading queue item "+strconv.FormatInt(id, 10), &q)
	if err != nil {
		return nil, err
	}
	if status == http.StatusNotFound {
		return nil, ErrGone
	}
	return &q, nil
}

// Build reads a build's state.
// Jenkins: GET {job}{number}/api/json; result is final once building is false.
func (c *Client) Build(ctx context.Context, j Job, number int) (*Build, error) {
	u := resolve(BuildURL(j, number), "api/json")
	u.RawQuery = "tree=number,url,building,result,duration,estimatedDuration,timestamp,queueId"
	var b Build
	status, err := c.getJSON(ctx, u, "reading build "+strconv.Itoa(number), &b)
	if err != nil {
		return nil, err
	}
	if status == http.StatusNotFound {
		return nil, failf(ErrNotFound, status, "build %d of %q is gone (HTTP 404): deleted, or the user lost Job/Read", number, Clean(j.FullName(), 200))
	}
	return &b, nil
}

// FindBuild looks for the build of queue item id among the job's newest builds
// (a queue id alone is not unique: ids start again after a restart, so the
// build must also have started at or after notBefore). It returns nil when
// there is none yet.
// Jenkins: GET {job}api/json?tree=builds[number,queueId,url,timestamp]{0,100}
func (c *Client) FindBuild(ctx context.Context, j Job, id int64, notBefore time.Time) (*Build, error) {
	u := resolve(j.URL(), "api/json")
	u.RawQuery = "tree=builds[number,queueId,url,timestamp]{0,100}"
	var list struct{ Builds []Build }
	status, err := c.getJSON(ctx, u, "listing the builds of "+quoteJob(TriggerRequest{Job: j}), &list)
	if err != nil {
		return nil, err
	}
	if status == http.StatusNotFound {
		return nil, failf(ErrNotFound, status, "job %q is not visible when listing its builds (HTTP 404): the user needs Job/Read to follow a build", Clean(j.FullName(), 200))
	}
	for i := range list.Builds {
		b := &list.Builds[i]
		if b.QueueID == id && !time.UnixMilli(b.Timestamp).Before(notBefore) {
			return b, nil
		}
	}
	return nil, nil
}

// Chunk is one answer of the progressive console. Its Body must be closed.
type Chunk struct {
	Body io.ReadCloser // raw, as sent: may carry console notes and \r\n
	Next int64         // X-Text-Size: the start for the next request
	More bool          // X-More-Data: the log may still grow
}

// Console reads the console from byte offset start. The body is streamed, never
// held whole: a log can be gigabytes.
// Jenkins: GET {build}logText/progressiveText?start=N -> X-Text-Size, X-More-Data.
func (c *Client) Console(ctx context.Context, j Job, number int, start int64) (*Chunk, error) {
	u := resolve(BuildURL(j, number), "logText/progressiveText")
	u.RawQuery = "start=" + strconv.FormatInt(start, 10)
	ex, err := c.getWith(ctx, u, "reading the console of build "+strconv.Itoa(number), true)
	if err != nil {
		return nil, err
	}
	p := ex.page
	c.noteSession(p.header)
	if p.status != http.StatusOK {
		return nil, c.explainStatus(TriggerRequest{Job: j}, p, "reading the console")
	}
	if p.html() && !p.jenkins { // the console is text/plain; HTML in its place is someone else's page
		b, _ := io.ReadAll(io.LimitReader(ex.resp.Body, maxBody))
		ex.resp.Body.Close()
		p.body = string(b)
		return nil, notJenkins(c.base, p)
	}
	next, err := strconv.ParseInt(p.header.Get("X-Text-Size"), 10, 64)
	if err != nil || next < 0 {
		ex.resp.Body.Close()
		return nil, failf(ErrProtocol, p.status, "the console answer lacks a valid X-Text-Size header")
	}
	return &Chunk{Body: ex.resp.Body, Next: next, More: p.header.Get("X-More-Data") == "true"}, nil
}

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

// StopBuild sends stop, term or kill to a build. Jenkins answers 302 whether
// or not it stopped; poll the build to know.
// Jenkins: POST {build}stop | term | kill (Pipeline escalation) -> 302.
func (c *Client) StopBuild(ctx context.Context, j Job, number int, action string) error {
	p, err := c.action(ctx, resolve(BuildURL(j, number), action))
	if err != nil {
		return err
	}
	switch {
	case p.status == http.StatusFound || p.status == http.StatusSeeOther || (p.status == http.StatusOK && p.jenkins):
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

// CleanConsole removes console notes (ESC[8mha:...ESC[0m) and turns CRLF into
// LF. It copies only when there is something to remove.
func CleanConsole(b []byte) []byte {
	if bytes.IndexByte(b, 0x1b) >= 0 {
		b = consoleNote.ReplaceAll(b, nil)
	}
	if bytes.IndexByte(b, '\r') >= 0 {
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	}
	return b
}

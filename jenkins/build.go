package jenkins

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Build is what GET {job}{number}/api/json says.
type Build struct {
	Class             string   `json:"_class"`
	Number            int      `json:"number"`
	URL               string   `json:"url"`
	Building          bool     `json:"building"`
	Result            *string  `json:"result"`
	Duration          int64    `json:"duration"`
	EstimatedDuration int64    `json:"estimatedDuration"`
	Timestamp         int64    `json:"timestamp"`
	QueueID           int64    `json:"queueId"`
	Actions           []Action `json:"actions"` // for the test counts (Tests)
}

// Pipeline reports a WorkflowRun, which may need term and kill after stop.
func (b *Build) Pipeline() bool { return strings.HasSuffix(b.Class, "WorkflowRun") }

// BuildURL is {job}{number}/, built from our base URL.
func BuildURL(j Job, number int) *url.URL {
	return resolve(j.URL(), strconv.Itoa(number)+"/")
}

// Build reads a build's state.
// Jenkins: GET {job}{number}/api/json; result is final once building is false.
func (c *Client) Build(ctx context.Context, j Job, number int) (*Build, error) {
	u := resolve(BuildURL(j, number), "api/json")
	// The test result action's counts come with every read, so knowing whether
	// a build has tests costs no request of its own.
	u.RawQuery = "tree=number,url,building,result,duration,estimatedDuration,timestamp,queueId,actions[_class,urlName,failCount,skipCount,totalCount]"
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

package jenkins

import (
	"context"
	"net/http"
)

// CanBuild asks whether the caller may build j, without building it. Jenkins
// checks Job/Build before the request method, so a GET of the trigger URL
// (without a job token) answers 405 "POST required" to a caller who may build
// and 403 naming hudson.model.Item.Build to one who may not; nothing is
// queued either way. A parameterized job is asked through buildWithParameters:
// its /build answers 405 to everyone (observed on 2.372 and 2.568.2).
// Jenkins: GET {job}build or {job}buildWithParameters -> 405 (may) | 403 (may not).
func (c *Client) CanBuild(ctx context.Context, j Job, parameterized bool) (bool, error) {
	endpoint := "build"
	if parameterized {
		endpoint = "buildWithParameters"
	}
	what := "checking Job/Build on job " + quoteJob(TriggerRequest{Job: j})
	ex, err := c.get(ctx, resolve(j.URL(), endpoint), what)
	if err != nil {
		return false, err
	}
	c.noteSession(ex.page.header)
	switch p := ex.page; {
	case p.status == http.StatusMethodNotAllowed:
		return true, nil
	case p.status == http.StatusForbidden && p.header.Get("X-Required-Permission") == "hudson.model.Item.Build":
		return false, c.explainStatus(TriggerRequest{Job: j}, p, "building "+quoteJob(TriggerRequest{Job: j}))
	case p.status == http.StatusOK && !p.jenkins && p.html():
		return false, notJenkins(c.base, p)
	default:
		return false, c.explainStatus(TriggerRequest{Job: j}, p, what)
	}
}

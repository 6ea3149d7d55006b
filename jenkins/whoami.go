package jenkins

import (
	"context"
	"net/http"
)

// WhoAmI is what GET whoAmI/api/json says about the caller.
type WhoAmI struct {
	Name          string   `json:"name"`
	Anonymous     bool     `json:"anonymous"`
	Authenticated bool     `json:"authenticated"`
	Authorities   []string `json:"authorities"`
}

// WhoAmI asks Jenkins who we are. It is an unprotected root action: it answers
// even anonymous callers without Overall/Read.
// Jenkins: GET whoAmI/api/json.
func (c *Client) WhoAmI(ctx context.Context) (*WhoAmI, error) {
	var w WhoAmI
	status, err := c.getJSON(ctx, resolve(c.base, "whoAmI/api/json"), "asking Jenkins who we are (whoAmI)", &w)
	if err != nil {
		return nil, err
	}
	if status == http.StatusNotFound {
		return nil, failf(ErrProtocol, status, "no Jenkins answers at %s (whoAmI/api/json is 404): check the Jenkins URL and its context path, such as /jenkins/", c.base.Redacted()).fix(SetURL)
	}
	return &w, nil
}

// Version returns the X-Jenkins version last seen; "" before any answer from Jenkins.
func (c *Client) Version() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// NeedsCrumbForPOST finds out, without side effects, whether Jenkins wants a
// CSRF crumb from these credentials: its crumb filter runs before routing, so
// a crumb-less POST to whoAmI/api/json is refused with "No valid crumb" exactly
// when a trigger would be. An API token is exempt; a password is not.
func (c *Client) NeedsCrumbForPOST(ctx context.Context) (bool, error) {
	req, err := c.newRequest(ctx, http.MethodPost, resolve(c.base, "whoAmI/api/json"), nil)
	if err != nil {
		return false, err
	}
	ex, err := c.do(req)
	if err != nil {
		return false, explainTransport(ctx, err, ex.sent, c.base, "the crumb probe")
	}
	return ex.page.status == http.StatusForbidden && ex.page.has("No valid crumb"), nil
}

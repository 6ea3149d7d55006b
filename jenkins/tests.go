package jenkins

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Action is one entry of a build's actions, as the build tree asks for it:
// enough to find the JUnit plugin's test result action and its counts.
type Action struct {
	Class      string `json:"_class"`
	URLName    string `json:"urlName"`
	FailCount  int    `json:"failCount"`
	SkipCount  int    `json:"skipCount"`
	TotalCount int    `json:"totalCount"`
}

// TestCounts are a build's test counts, from its test result action.
type TestCounts struct{ Total, Failed, Skipped int }

// Tests finds the build's test result action (the JUnit plugin's
// hudson.tasks.junit.TestResultAction, or any action whose urlName is
// testReport) by its class or name, never by its position; nil without one.
func (b *Build) Tests() *TestCounts {
	for _, a := range b.Actions {
		if strings.HasSuffix(a.Class, ".TestResultAction") || a.URLName == "testReport" {
			return &TestCounts{Total: a.TotalCount, Failed: a.FailCount, Skipped: a.SkipCount}
		}
	}
	return nil
}

// TestReport is the JUnit plugin's test report of a build.
type TestReport struct {
	Duration  float64     `json:"duration"`
	FailCount int         `json:"failCount"`
	PassCount int         `json:"passCount"`
	SkipCount int         `json:"skipCount"`
	Suites    []TestSuite `json:"suites"`
}

// TestSuite is one suite of a test report.
type TestSuite struct {
	Name     string     `json:"name"`
	Duration float64    `json:"duration"`
	Cases    []TestCase `json:"cases"`
}

// TestCase is one test; Status is PASSED, FIXED, FAILED, REGRESSION or SKIPPED.
type TestCase struct {
	ClassName       string  `json:"className"`
	Name            string  `json:"name"`
	Status          string  `json:"status"`
	Duration        float64 `json:"duration"`
	ErrorDetails    *string `json:"errorDetails"`
	ErrorStackTrace *string `json:"errorStackTrace"`
	Skipped         bool    `json:"skipped"`
	SkippedMessage  *string `json:"skippedMessage"`
}

// Failed reports a failing case (FAILED or REGRESSION).
func (c TestCase) Failed() bool { return c.Status == "FAILED" || c.Status == "REGRESSION" }

// maxReport bounds a test report read: it is streamed and decoded, never
// held as text, but a report past this is not a report we can use.
const maxReport = 64 << 20

// TestReport reads a build's test report, streamed (a report of thousands of
// tests is megabytes). nil, nil when the build has none (404).
// Jenkins: GET {build}testReport/api/json?tree=... (JUnit plugin).
func (c *Client) TestReport(ctx context.Context, j Job, number int) (*TestReport, error) {
	u := resolve(BuildURL(j, number), "testReport/api/json")
	u.RawQuery = "tree=duration,failCount,passCount,skipCount,suites[name,duration,cases[className,name,status,duration,errorDetails,errorStackTrace,skipped,skippedMessage]]"
	var rep TestReport
	status, err := c.getLargeJSON(ctx, u, "reading the test report of build "+strconv.Itoa(number), maxReport, TriggerRequest{Job: j}, &rep)
	if err != nil || status == http.StatusNotFound {
		return nil, err
	}
	return &rep, nil
}

// getLargeJSON GETs u and decodes a 200 answer as it streams in, up to limit
// bytes: for answers larger than the 64 KiB every other one is read to. A
// 404 is returned as its status, for the caller to explain; anything else
// but 200 is explained here.
func (c *Client) getLargeJSON(ctx context.Context, u *url.URL, what string, limit int64, r TriggerRequest, v any) (int, error) {
	ex, err := c.getWith(ctx, u, what, true, nil)
	if err != nil {
		return 0, err
	}
	p := ex.page
	c.noteSession(p.header)
	switch {
	case p.status == http.StatusNotFound:
		return p.status, nil
	case p.status != http.StatusOK:
		return p.status, c.explainStatus(r, p, what)
	}
	defer ex.resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(ex.resp.Body, limit)).Decode(v); err != nil {
		return p.status, &Error{Kind: ErrProtocol, Status: p.status, Err: err,
			Msg: what + " got an answer that is not the expected JSON (" + Clean(err.Error(), 100) + ")"}
	}
	return p.status, nil
}

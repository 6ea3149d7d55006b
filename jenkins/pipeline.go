package jenkins

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ErrNoStages reports a controller without the Pipeline REST API plugin
// (wfapi): stages and inputs are not known from it.
var ErrNoStages = errors.New("no Pipeline REST API")

// Run is what GET {build}wfapi/describe says of a Pipeline run.
type Run struct {
	Status string  `json:"status"` // IN_PROGRESS, PAUSED_PENDING_INPUT, SUCCESS, FAILED, UNSTABLE, ABORTED, NOT_EXECUTED
	Stages []Stage `json:"stages"`
}

// Stage is one stage of a run.
type Stage struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	StartTimeMillis int64  `json:"startTimeMillis"`
	DurationMillis  int64  `json:"durationMillis"`
	Error           *struct {
		Message string `json:"message"`
		Type    string `json:"type"`
	} `json:"error"`
}

// Ended reports a stage that has finished, in whatever state.
func (s Stage) Ended() bool {
	return s.Status != "IN_PROGRESS" && s.Status != "PAUSED_PENDING_INPUT" && s.Status != ""
}

// Describe reads a Pipeline run's status and stages. A 404 for a build that
// exists means the plugin is absent: ErrNoStages.
// Jenkins: GET {build}wfapi/describe (pipeline-rest-api).
func (c *Client) Describe(ctx context.Context, j Job, number int) (*Run, error) {
	var run Run
	status, err := c.getJSON(ctx, resolve(BuildURL(j, number), "wfapi/describe"), "reading the stages of build #"+strconv.Itoa(number), &run)
	switch {
	case err != nil:
		return nil, err
	case status == http.StatusNotFound:
		return nil, ErrNoStages
	}
	return &run, nil
}

// PendingInput is an input step a run waits at.
type PendingInput struct {
	ID          string `json:"id"`
	Message     string `json:"message"`
	ProceedText string `json:"proceedText"`
	Inputs      []struct {
		Name string `json:"name"`
	} `json:"inputs"` // parameters the approver must give
}

// PendingInputs lists the input steps a run waits at.
// Jenkins: GET {build}wfapi/pendingInputActions.
func (c *Client) PendingInputs(ctx context.Context, j Job, number int) ([]PendingInput, error) {
	var in []PendingInput
	status, err := c.getJSON(ctx, resolve(BuildURL(j, number), "wfapi/pendingInputActions"), "reading the inputs of build #"+strconv.Itoa(number), &in)
	switch {
	case err != nil:
		return nil, err
	case status == http.StatusNotFound:
		return nil, ErrNoStages
	}
	return in, nil
}

// ErrInputSettled reports an input that is no longer pending (approved or
// aborted by somebody else, or the build ended).
var ErrInputSettled = errors.New("input no longer pending")

// SubmitInput approves (an input without parameters) or aborts the input
// step id. Jenkins answers a user without Job/Build (or Job/Cancel) 400,
// not 403; the id is case-sensitive and 404 once settled.
// Jenkins: POST {build}input/{id}/proceedEmpty | abort -> 200, empty.
func (c *Client) SubmitInput(ctx context.Context, j Job, number int, id string, approve bool) error {
	action := "abort"
	if approve {
		action = "proceedEmpty"
	}
	u := resolve(BuildURL(j, number), "input/"+url.PathEscape(id)+"/"+action)
	p, err := c.action(ctx, u)
	if err != nil {
		return err
	}
	what := "approving"
	if !approve {
		what = "aborting"
	}
	switch {
	case p.status == http.StatusOK && (p.jenkins || strings.TrimSpace(p.body) == ""):
		return nil
	case p.status == http.StatusNotFound:
		return fmt.Errorf("%s input %q of build #%d: %w", what, id, number, ErrInputSettled)
	case p.status == http.StatusBadRequest && (p.has("permission") || p.has("Permission")):
		perm := "Job/Build"
		if !approve {
			perm = "Job/Cancel"
		}
		return failf(ErrForbidden, p.status, "user %q may not answer input %q of build #%d: Jenkins wants %s for that (it answered HTTP 400)",
			displayUser(c.creds.User), Clean(id, 60), number, perm)
	}
	return c.explainStatus(TriggerRequest{Job: j}, p, what+" input "+strconv.Quote(Clean(id, 60)))
}

// NodeWait looks in the queue for a node block of a running Pipeline that
// waits for an executor: a separate item, "part of JOB #N", whose task is the
// build. It returns the item's reason, or "" when there is none.
// Jenkins: GET queue/api/json?tree=items[why,task[name,url]].
func (c *Client) NodeWait(ctx context.Context, j Job, number int) (string, error) {
	u := resolve(c.base, "queue/api/json")
	u.RawQuery = "tree=items[why,task[name,url]]"
	var queue struct {
		Items []struct {
			Why  string `json:"why"`
			Task struct {
				Name string `json:"name"`
				URL  string `json:"url"`
			} `json:"task"`
		} `json:"items"`
	}
	if _, err := c.getJSON(ctx, u, "listing the queue", &queue); err != nil {
		return "", err
	}
	build := strings.TrimPrefix(BuildURL(j, number).EscapedPath(), c.base.EscapedPath())
	name := "part of " + j.FullName() + " #" + strconv.Itoa(number)
	for _, it := range queue.Items {
		task, err := url.Parse(it.Task.URL)
		if it.Task.Name == name || (err == nil && strings.TrimPrefix(task.EscapedPath(), "/") == build) {
			return Clean(it.Why, 200), nil
		}
	}
	return "", nil
}

// graphStates maps Pipeline Graph View's stage states (PipelineState, in
// lower case) to the Pipeline REST API's words, which the rest of the tool uses.
var graphStates = map[string]string{
	"running": "IN_PROGRESS", "queued": "IN_PROGRESS", "paused": "PAUSED_PENDING_INPUT",
	"success": "SUCCESS", "failure": "FAILED", "unstable": "UNSTABLE", "aborted": "ABORTED",
	"not_built": "NOT_EXECUTED", "skipped": "NOT_EXECUTED", "unknown": "UNKNOWN", "finished": "SUCCESS",
}

// GraphTree reads a Pipeline run's stages from Pipeline Graph View, the
// maintained stage plugin. Its answer is {"status":"ok","data":{"stages":
// [{"id","name","state","startTimeMillis","totalDurationMillis",...}],
// "complete":bool}} (AbstractPipelineViewAction#getTree); the states become
// wfapi's words, and a paused stage makes the run PAUSED_PENDING_INPUT. A 404
// for a build that exists means the plugin is absent: ErrNoStages.
// Jenkins: GET {build}stages/tree (pipeline-graph-view).
func (c *Client) GraphTree(ctx context.Context, j Job, number int) (*Run, error) {
	var tree struct {
		Status string `json:"status"`
		Data   struct {
			Stages []struct {
				ID                  string `json:"id"`
				Name                string `json:"name"`
				State               string `json:"state"`
				StartTimeMillis     int64  `json:"startTimeMillis"`
				TotalDurationMillis int64  `json:"totalDurationMillis"`
			} `json:"stages"`
			Complete bool `json:"complete"`
		} `json:"data"`
	}
	status, err := c.getJSON(ctx, resolve(BuildURL(j, number), "stages/tree"), "reading the stages of build #"+strconv.Itoa(number), &tree)
	switch {
	case err != nil:
		return nil, err
	case status == http.StatusNotFound || tree.Status != "ok":
		return nil, ErrNoStages
	}
	run := &Run{Status: "IN_PROGRESS"}
	for _, s := range tree.Data.Stages {
		st := graphStates[strings.ToLower(s.State)]
		if st == "" {
			st = strings.ToUpper(s.State)
		}
		if st == "PAUSED_PENDING_INPUT" {
			run.Status = st
		}
		run.Stages = append(run.Stages, Stage{ID: s.ID, Name: s.Name, Status: st, StartTimeMillis: s.StartTimeMillis, DurationMillis: s.TotalDurationMillis})
	}
	if tree.Data.Complete && run.Status == "IN_PROGRESS" {
		run.Status = "COMPLETE"
	}
	return run, nil
}

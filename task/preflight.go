package task

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// Preflight reads the job (one GET) and checks the request against it before
// anything is triggered: that the item is a buildable job, that every
// parameter exists and has a value Jenkins will read as meant. It returns the
// request to send, with the endpoint decided and booleans spelled as Jenkins
// reads them. note, when set, gets lines for --verbose.
// The job as read is returned too: what existed before the trigger.
func Preflight(ctx context.Context, c *jenkins.Client, req jenkins.TriggerRequest, note func(string)) (jenkins.TriggerRequest, *jenkins.JobInfo, error) {
	info, err := c.JobInfo(ctx, req.Job)
	if err != nil {
		return req, nil, err
	}
	req, err = Check(info, req, note)
	return req, info, err
}

// Check applies the pre-flight rules to what JobInfo returned.
func Check(info *jenkins.JobInfo, req jenkins.TriggerRequest, note func(string)) (jenkins.TriggerRequest, error) {
	job := req.Job.FullName()
	switch {
	case info.Multibranch():
		return req, rejected(jenkins.ErrNotFound, "%q is a multibranch project, not a job: trigger one of its branches, such as %q (its branches: %s)",
			job, job+"/"+first(info.ChildNames(), "main"), jenkins.ListNames(info.ChildNames()))
	case info.Folder():
		return req, rejected(jenkins.ErrNotFound, "%q is a folder, not a job: name a job inside it, such as %q (it holds: %s)",
			job, job+"/"+first(info.ChildNames(), "name"), jenkins.ListNames(info.ChildNames()))
	case info.Buildable != nil && !*info.Buildable:
		return req, newOutcome(fmt.Sprintf("job %q is disabled or not buildable: enable it in Jenkins (a job created or copied but never saved answers the same)", job),
			jenkins.ErrRejected, ErrDisabled)
	}
	defs := info.Params()
	parameterized := len(defs) > 0
	req.Parameterized = &parameterized
	if !parameterized {
		if n := len(req.Params) + len(req.Files); n > 0 && info.Pipeline() && info.NeverBuilt() {
			// A Jenkinsfile's parameters appear after the first build: nothing to check against.
			if note != nil {
				note(fmt.Sprintf("job %q is a Pipeline that has never run, so the parameters its Jenkinsfile declares are not known yet: %s sent unchecked",
					job, strings.Join(givenNames(req), ", ")))
			}
			withParams := true
			req.Parameterized = &withParams
			return req, nil
		}
		if n := len(req.Params) + len(req.Files); n > 0 {
			return req, rejected(jenkins.ErrRejected, "job %q takes no parameters, but %d were given (%s): drop them, or, if it is a Pipeline that declares parameters, run it once so Jenkins learns them",
				job, n, strings.Join(givenNames(req), ", "))
		}
		return req, nil
	}
	byName := map[string]jenkins.ParamDef{}
	var names []string
	for _, d := range defs {
		byName[d.Name] = d
		names = append(names, d.Name)
	}
	given := map[string]bool{}
	out := make([]jenkins.Param, 0, len(req.Params))
	for _, p := range req.Params {
		d, ok := byName[p.Name]
		if !ok {
			return req, unknown(job, p.Name, names)
		}
		given[p.Name] = true
		v, err := checkValue(job, d, p.Value)
		if err != nil {
			return req, err
		}
		out = append(out, jenkins.Param{Name: p.Name, Value: v})
	}
	for _, f := range req.Files {
		d, ok := byName[f.Name]
		switch {
		case !ok:
			return req, unknown(job, f.Name, names)
		case d.Kind() != "file":
			return req, &ParamError{Name: f.Name, File: false, Msg: fmt.Sprintf("%s is a %s parameter of job %q, not a file parameter: give it a value, not a file", f.Name, d.Kind(), job)}
		}
		given[f.Name] = true
	}
	req.Params = out
	for _, d := range defs {
		if given[d.Name] || note == nil {
			continue
		}
		switch v, ok := d.DefaultText(); {
		case d.Kind() == "file":
			note(fmt.Sprintf("file parameter %s not given: the build gets no file", d.Name))
		case d.Kind() == "password":
			note(fmt.Sprintf("parameter %s not given: Jenkins uses its default (a password, not shown)", d.Name))
		case ok:
			note(fmt.Sprintf("parameter %s not given: Jenkins uses its default %q", d.Name, jenkins.Clean(v, 80)))
		default:
			note(fmt.Sprintf("parameter %s not given: Jenkins uses its default", d.Name))
		}
	}
	return req, nil
}

var runID = regexp.MustCompile(`^.+#[0-9]+$`)

// checkValue returns the value to send, or why Jenkins would misread it.
// Password values are never put in a message.
func checkValue(job string, d jenkins.ParamDef, v string) (string, error) {
	switch d.Kind() {
	case "boolean":
		switch strings.ToLower(v) {
		case "true", "yes", "1", "on":
			return "true", nil
		case "false", "no", "0", "off":
			return "false", nil
		}
		return "", rejected(jenkins.ErrRejected, "%s=%q is not a boolean for job %q: use true or false (Jenkins reads anything but \"true\" as false)", d.Name, jenkins.Clean(v, 60), job)
	case "choice":
		if slices.Contains(d.Choices, v) {
			return v, nil
		}
		hint := ""
		if s := jenkins.Suggest(v, d.Choices); s != "" {
			hint = fmt.Sprintf(" Did you mean %q?", s)
		}
		return "", rejected(jenkins.ErrRejected, "%s=%q is not one of the choices of job %q: %s.%s", d.Name, jenkins.Clean(v, 60), job, jenkins.ListNames(d.Choices), hint)
	case "file":
		return "", &ParamError{Name: d.Name, File: true, Msg: fmt.Sprintf("%s is a file parameter of job %q: upload a file for it, not a value", d.Name, job)}
	case "run":
		if !runID.MatchString(v) {
			return "", rejected(jenkins.ErrRejected, "%s=%q must name a build of another job as JOB#NUMBER (for example %q) for job %q", d.Name, jenkins.Clean(v, 60), "upstream#12", job)
		}
	}
	return v, nil
}

func unknown(job, name string, names []string) error {
	hint := ""
	if s := jenkins.Suggest(name, names); s != "" {
		hint = fmt.Sprintf(" Did you mean %q?", s)
	}
	return rejected(jenkins.ErrRejected, "job %q has no parameter %q, and Jenkins would silently ignore it.%s Its parameters: %s", job, jenkins.Clean(name, 60), hint, jenkins.ListNames(names))
}

func givenNames(req jenkins.TriggerRequest) []string {
	var out []string
	for _, p := range req.Params {
		out = append(out, p.Name)
	}
	for _, f := range req.Files {
		out = append(out, f.Name)
	}
	return out
}

func rejected(kind error, format string, args ...any) error {
	return &outcome{kinds: []error{kind}, msg: fmt.Sprintf(format, args...)}
}

func first(names []string, fallback string) string {
	if len(names) == 0 {
		return fallback
	}
	return names[0]
}

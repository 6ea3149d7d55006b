package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// Run is `jenkins-trigger [trigger] JOB...`: it builds one task.Spec per job,
// once, and hands them to task.RunMany; then it prints and writes the results.
func (t *triggerCmd) Run(ctx context.Context, a *app) error {
	start := a.start
	cfg := a.cfg
	many := len(t.Jobs) > 1 || cfg.JobsFile != ""
	var lines []jobLine
	if many {
		var err error
		if lines, err = jobLines(a.env.Dir, t.Jobs, cfg.JobsFile); err != nil {
			return err
		}
	} else {
		lines = []jobLine{{Ref: cfg.Job}}
	}
	shared, err := a.sharedParams()
	if err != nil {
		return err
	}
	jobs := make([]task.Job, len(lines))
	plans := make([]plannedJob, len(lines))
	for i, l := range lines {
		if jobs[i], plans[i], err = a.jobSpec(l, shared, start); err != nil {
			if many {
				return fmt.Errorf("%s: %w", l.Ref, err)
			}
			return err
		}
	}
	if cfg.Cause != "" && jobs[0].Spec.Mode != auth.JobToken && jobs[0].Spec.Mode != auth.BuildTokenRoot {
		a.out.note("--cause is recorded by Jenkins only for job-token triggers; it is ignored here")
	}
	if cfg.DryRun {
		for i := range plans {
			a.dryRun(plans[i], i == 0)
		}
		return nil
	}
	if err := checkOutputs(a.env, cfg); err != nil { // fail before triggering, not after the build ran
		return err
	}
	var flush []func()
	if many {
		flush = a.manyEvents(jobs, lines)
	} else {
		jobs[0].Events = a.events(a.out, a.env.Stdout)
	}
	outcomes := task.RunMany(ctx, jobs, cfg.Parallel)
	for _, f := range flush {
		f()
	}
	a.out.endStatus()
	errs := make([]error, len(outcomes))
	for i, o := range outcomes {
		errs[i] = o.Err
	}
	var runErr error
	if many {
		runErr = newManyError(lines, errs, a.style)
	} else {
		runErr = errs[0]
	}
	code := exitCode(runErr, a.style)
	if many {
		printResults(a.env.Stdout, outcomes, a.style, cfg.JSON)
	} else if outcomes[0].Result.Triggered() {
		printResult(a.env.Stdout, outcomes[0].Result, code, cfg.JSON)
	}
	outLines := outputLines(outcomes[0].Result, jenkins.Clean(cfg.Job, 500), code)
	if many {
		outLines = manyOutputLines(outcomes, a.style, code)
	}
	if cfg.JUnit != "" && code != exitUsage {
		switch found, err := writeJUnit(a.env.Dir, cfg.JUnit, outcomes); {
		case err != nil && runErr == nil:
			return err
		case err != nil:
			a.out.fail(err.Error())
		case !found && outcomes[0].Result.Result != "":
			a.out.note(fmt.Sprintf("no test report to write to %s: the build published none (JUnit plugin)", cfg.JUnit))
		}
	}
	if werr := writeOutputs(a.env, cfg, outLines); werr != nil {
		if runErr != nil {
			a.out.fail(werr.Error()) // the run's own outcome decides
			return runErr
		}
		return werr // a build file that reads the result must not go on without it
	}
	return runErr
}

// sharedParams are the parameters given for every job: from the params file
// and from JENKINS_PARAM_* and JENKINS_FILE_* variables, read once.
type sharedParams struct {
	file  []param
	env   []param
	files []param
}

func (a *app) sharedParams() (sharedParams, error) {
	cfg := a.cfg
	var s sharedParams
	if cfg.ParamsFile != "" {
		b, err := readTextFile(a.env.Dir, cfg.ParamsFile)
		if err != nil {
			return s, usagef("cannot read the params file %s: %v", cfg.ParamsFile, err)
		}
		if s.file, err = parseParamsFile(b); err != nil {
			return s, usagef("params file %s: %v", cfg.ParamsFile, err)
		}
		for i := range s.file {
			s.file[i].Source = "params file " + cfg.ParamsFile
		}
	}
	s.env = cfg.prefixedVars("JENKINS_PARAM_")
	s.files = cfg.prefixedVars("JENKINS_FILE_")
	return s, nil
}

// plannedJob is what --dry-run shows of one job.
type plannedJob struct {
	client *jenkins.Client
	creds  auth.Credentials
	spec   task.Spec
	params []param
}

// jobSpec turns the settings and one job line into what task runs.
func (a *app) jobSpec(l jobLine, shared sharedParams, start time.Time) (task.Job, plannedJob, error) {
	cfg := a.cfg
	j, err := a.job(l.Ref)
	if err != nil {
		return task.Job{}, plannedJob{}, err
	}
	params, err := mergeParams(overrideParams(a.params, l.Params), shared.file, shared.env)
	if err != nil {
		return task.Job{}, plannedJob{}, err
	}
	files, err := parseFiles(a.env.Dir, a.files, shared.files)
	if err != nil {
		return task.Job{}, plannedJob{}, err
	}
	req := jenkins.TriggerRequest{Job: j, Files: files, Cause: cfg.Cause}
	for _, p := range params {
		req.Params = append(req.Params, jenkins.Param{Name: p.Name, Value: p.Value})
	}
	if cfg.Delay != "" {
		d, err := parseDelay(cfg.Delay)
		if err != nil {
			return task.Job{}, plannedJob{}, err
		}
		req.Delay = &d
	}
	client, creds, err := a.client(j.Base)
	if err != nil {
		return task.Job{}, plannedJob{}, err
	}
	_, _, basic := creds.Basic()
	spec := task.Spec{Trigger: req, FailIfMerged: cfg.FailIfMerged, Mode: creds.Mode(), HasUser: basic,
		NoPreflight: cfg.NoPreflight, Console: a.console, Tail: a.tail, Prefix: cfg.ConsolePrefix,
		UnstableOK: cfg.UnstableOK, Start: start, QueueTimeout: cfg.QueueTimeout, Timeout: cfg.Timeout,
		OnTimeout: a.onTimeout, OnInterrupt: a.onInterrupt, OnInput: a.onInput, Timing: task.TimingFor(cfg.PollInterval, cfg.StopGrace),
		Report: cfg.JUnit != "", FetchAny: cfg.ArtifactsOn == "any"}
	if len(a.arts) > 0 {
		dir := resolvePath(a.env.Dir, cfg.ArtifactsDir)
		if len(a.jobs) > 1 || cfg.JobsFile != "" {
			dir = filepath.Join(dir, filepath.FromSlash(j.FullName())) // several jobs: DIR/JOB/
		}
		spec.Fetch = &task.Fetch{Patterns: a.arts, Dir: dir}
	}
	switch {
	case cfg.Wait || cfg.Follow || a.console != task.ConsoleNone:
		spec.Wait = task.WaitEnd
	case cfg.WaitStart:
		spec.Wait = task.WaitStart
	}
	if a.env.Timing != nil {
		spec.Timing = *a.env.Timing
	}
	if spec.Wait != task.WaitNone && creds.Mode() == auth.BuildTokenRoot && !basic {
		return task.Job{}, plannedJob{}, usagef("waiting needs a user that can read the job: build-token-root triggers anonymously, and anonymous users cannot read the queue item or the build; set JENKINS_USER and JENKINS_API_TOKEN of a user with Job/Read (used for polling), or drop --wait")
	}
	return task.Job{Client: client, Spec: spec}, plannedJob{client: client, creds: creds, spec: spec, params: params}, nil
}

// events are where one job's progress, details and console go.
func (a *app) events(p *printer, console io.Writer) task.Events {
	ev := task.Events{Progress: p.note, Caution: p.caution, Status: p.status, Console: console,
		Merged: func(id int64) {
			p.note(fmt.Sprintf("the trigger merged into queue item %d, which was already waiting with the same parameters; its build is shared with another trigger", id))
		}}
	if a.cfg.Verbose {
		ev.Detail = p.note
	}
	return ev
}

// manyEvents tags each job's lines with its name, interleaves consoles by
// line, and prints a job's failure as soon as it ends. It returns the
// functions that flush the consoles.
func (a *app) manyEvents(jobs []task.Job, lines []jobLine) []func() {
	if a.out.mu == nil {
		a.out.mu = &sync.Mutex{}
	}
	stdout := &lockedWriter{w: a.env.Stdout}
	var flush []func()
	for i := range jobs {
		ref := lines[i].Ref
		jout := a.out.tagged("[" + ref + "] ")
		console := &lineWriter{out: stdout}
		flush = append(flush, console.flush)
		jobs[i].Events = a.events(jout, console)
		if a.cfg.ConsolePrefix == "" {
			jobs[i].Spec.Prefix = "[" + ref + "] "
		}
		jobs[i].Done = func(_ *task.Result, err error) {
			if err != nil {
				jout.fail(describe(err))
			}
		}
	}
	return flush
}

// dryRun shows one job's requests; the settings are shown once, with the first.
func (a *app) dryRun(p plannedJob, first bool) {
	plan := p.client.Plan(p.spec.Trigger)
	if p.spec.Preflights() {
		plan = append([]jenkins.Planned{{Method: http.MethodGet, URL: p.client.JobInfoURL(p.spec.Trigger.Job),
			Why: "pre-flight: check the job and its parameters"}}, plan...)
	}
	if first {
		dryRunSettings(a.out, a.cfg, p.creds)
	}
	dryRunPlan(a.out, plan, p.params, p.spec.Trigger.Files)
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// permalinks are the BUILD words of the artifacts command, with Jenkins' names.
var permalinks = map[string]string{"last": "lastBuild", "last-successful": "lastSuccessfulBuild", "": "lastSuccessfulBuild"}

// Run is `jenkins-trigger artifacts JOB [BUILD]`: the step after the fact.
// It downloads a finished build's artifacts with the same safety as
// --artifacts, and writes its test report with --junit. Bounded by --timeout.
func (cmd *artifactsCmd) Run(ctx context.Context, a *app) error {
	job, client, err := a.jobClient()
	if err != nil {
		return err
	}
	ctx, cancel := task.Bound(ctx, a.start, a.cfg.Timeout)
	defer cancel()
	while := fmt.Sprintf("downloading the artifacts of %q", job.FullName())
	number, err := strconv.Atoi(cmd.Build)
	if err != nil || number <= 0 {
		link, ok := permalinks[cmd.Build]
		if !ok {
			return usagef("BUILD %q: use a build number, last or last-successful", cmd.Build)
		}
		if number, err = client.BuildNumber(ctx, job, link); err != nil {
			return task.Ended(ctx, err, while)
		}
	}
	patterns := a.arts
	if len(patterns) == 0 && a.cfg.JUnit == "" {
		patterns = []string{"**"}
	}
	var files []task.ArtifactFile
	if len(patterns) > 0 {
		files, err = task.FetchArtifacts(ctx, client, job, number, task.Fetch{Patterns: patterns, Dir: resolvePath(a.env.Dir, a.cfg.ArtifactsDir)}, a.out.note, a.out.status)
		a.out.endStatus()
		if err != nil {
			return task.Ended(ctx, err, while)
		}
	}
	if a.cfg.JUnit != "" {
		rep, err := client.TestReport(ctx, job, number)
		if err != nil {
			return task.Ended(ctx, err, fmt.Sprintf("reading the test report of build #%d of %q", number, job.FullName()))
		}
		res := &task.Result{Job: job.FullName(), Number: number, Report: rep}
		found, err := writeJUnit(a.env.Dir, a.cfg.JUnit, []task.Outcome{{Result: res}})
		switch {
		case err != nil:
			return err
		case !found:
			a.out.note(fmt.Sprintf("build #%d of %q has no test report (JUnit plugin): %s not written", number, job.FullName(), a.cfg.JUnit))
		}
	}
	if a.cfg.JSON {
		if files == nil {
			files = []task.ArtifactFile{}
		}
		b, _ := json.Marshal(files)
		fmt.Fprintln(a.env.Stdout, string(b))
		return nil
	}
	for _, f := range files {
		fmt.Fprintf(a.env.Stdout, "%s\t%d\t%s\n", f.Path, f.Size, f.SHA256)
	}
	return nil
}

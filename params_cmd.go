package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// paramInfo is one row of `params`; the field names are the --json keys.
type paramInfo struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Default     *string  `json:"default,omitempty"`
	Choices     []string `json:"choices,omitempty"`
	Description string   `json:"description,omitempty"`
}

// Run is `jenkins-trigger params JOB`: read the job, print its parameters.
func (cmd *paramsCmd) Run(ctx context.Context, a *app) error {
	job, client, err := a.jobClient()
	if err != nil {
		return err
	}
	ctx, cancel := task.Bound(ctx, a.start, a.cfg.Timeout)
	defer cancel()
	info, err := client.JobInfo(ctx, job)
	if err != nil {
		return task.Ended(ctx, err, fmt.Sprintf("reading the parameters of %q", job.FullName()))
	}
	// A disabled job still has parameters worth listing.
	if _, err := task.Check(info, jenkins.TriggerRequest{Job: job}, nil); err != nil && !errors.Is(err, task.ErrDisabled) {
		return err
	}
	rows := paramRows(info)
	switch {
	case len(rows) == 0 && info.Pipeline() && info.NeverBuilt():
		a.out.note(fmt.Sprintf("job %q is a Pipeline that has never run: parameters declared in its Jenkinsfile appear only after its first build", job.FullName()))
	case len(rows) == 0:
		a.out.note(fmt.Sprintf("job %q takes no parameters: trigger it without -p", job.FullName()))
	}
	if a.cfg.JSON {
		b, _ := json.MarshalIndent(rows, "", "  ")
		fmt.Fprintln(a.env.Stdout, string(b))
		return nil
	}
	writeParamTable(a.env.Stdout, rows)
	return nil
}

func paramRows(info *jenkins.JobInfo) []paramInfo {
	rows := []paramInfo{}
	for _, d := range info.Params() {
		row := paramInfo{Name: d.Name, Type: d.Kind(), Choices: d.Choices, Description: jenkins.Clean(d.Description, 300)}
		if v, ok := d.DefaultText(); ok {
			row.Default = &v
		}
		rows = append(rows, row)
	}
	return rows
}

func writeParamTable(w io.Writer, rows []paramInfo) {
	if len(rows) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tDEFAULT\tCHOICES\tDESCRIPTION")
	for _, r := range rows {
		dflt := "-"
		switch {
		case r.Type == "password":
			dflt = "(hidden)"
		case r.Default != nil:
			dflt = strings.ReplaceAll(jenkins.Clean(strings.ReplaceAll(*r.Default, "\n", `\n`), 60), "\t", " ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Type, dflt, strings.Join(r.Choices, ", "), r.Description)
	}
	_ = tw.Flush()
}

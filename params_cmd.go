package main

import (
	"context"
	"encoding/json"
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

// listParams is `jenkins-trigger params JOB`.
func listParams(ctx context.Context, e osEnv, c *cli, cfg *config, flagSecrets []string, out *printer) error {
	client, job, err := clientFor(e, c, cfg, flagSecrets, out)
	if err != nil {
		return err
	}
	info, err := client.JobInfo(ctx, job)
	if err != nil {
		return err
	}
	if _, err := task.Check(info, jenkins.TriggerRequest{Job: job}, nil); err != nil && !strings.Contains(err.Error(), "disabled") {
		return err
	}
	var rows []paramInfo
	for _, d := range info.Params() {
		row := paramInfo{Name: d.Name, Type: d.Kind(), Choices: d.Choices, Description: jenkins.Clean(d.Description, 300)}
		if v, ok := d.DefaultText(); ok {
			row.Default = &v
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		out.note(fmt.Sprintf("job %q takes no parameters: trigger it without -p", job.FullName()))
	}
	if cfg.JSON {
		if rows == nil {
			rows = []paramInfo{}
		}
		b, _ := json.MarshalIndent(rows, "", "  ")
		fmt.Fprintln(e.Stdout, string(b))
		return nil
	}
	writeParamTable(e.Stdout, rows)
	return nil
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

package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/jenkins-trigger/jenkins-trigger/doctor"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// doctorError is doctor's result: how many steps failed, exiting with the code of the first.
type doctorError struct {
	first error
	fails int
}

func (e *doctorError) Error() string {
	return fmt.Sprintf("doctor found %d problem(s); the first: %v", e.fails, describe(e.first))
}
func (e *doctorError) Unwrap() error { return e.first }

// Run is `jenkins-trigger doctor [JOB]`: the settings and where each came
// from, then package doctor's findings, one line each on stdout. It never
// triggers anything; --timeout and signals bound it like every command.
func (cmd *doctorCmd) Run(ctx context.Context, a *app) error {
	ctx, cancel := task.Bound(ctx, a.start, a.cfg.Timeout)
	defer cancel()
	findings, err := a.diagnose(ctx)
	if err != nil && ctx.Err() == nil {
		findings = append(findings, doctor.Finding{Area: "settings", Status: doctor.Fail, Msg: err.Error(), Err: err})
	}
	var first error
	fails := 0
	for _, f := range findings {
		msg := f.Msg
		if f.Err != nil {
			msg = describe(f.Err)
			fails++
			if first == nil {
				first = f.Err
			}
		} else if words := fixWords(f.Fix); words != "" {
			msg += " (" + words + ")"
		}
		fmt.Fprintln(a.env.Stdout, msbuildSafe(fmt.Sprintf("%-4s  %-9s %s", f.Status, f.Area, jenkins.Clean(msg, 2000))))
	}
	if ctx.Err() != nil {
		return task.Ended(ctx, ctx.Err(), "checking the way to Jenkins")
	}
	if first != nil {
		return &doctorError{first: first, fails: fails}
	}
	return nil
}

// diagnose lists the settings, then has package doctor check the way with
// the client a trigger would use.
func (a *app) diagnose(ctx context.Context) ([]doctor.Finding, error) {
	cfg := a.cfg
	var out []doctor.Finding
	for _, st := range cfg.list() {
		src, found := cfg.origin[st.name]
		if !found || st.name == "JENKINS_USER_ID" {
			continue
		}
		value := st.value
		if isSecretSetting(st.name) {
			value = "[redacted]"
		}
		out = append(out, doctor.Finding{Area: "settings", Status: doctor.OK, Msg: fmt.Sprintf("%s = %s (from %s)", st.name, value, src)})
	}
	var job jenkins.Job
	var err error
	if cfg.Job != "" {
		if job, err = a.job(cfg.Job); err != nil {
			return out, err
		}
	} else {
		if cfg.URL == "" {
			return out, usagef("JENKINS_URL is not set")
		}
		if job.Base, err = jenkins.ParseBase(cfg.URL); err != nil {
			return out, err
		}
	}
	client, creds, err := a.client(job.Base)
	if err != nil {
		return out, err
	}
	out = append(out, doctor.Finding{Area: "auth", Status: doctor.OK, Msg: "mode " + creds.Mode().String() + authNote(creds)})
	return append(out, doctor.Run(ctx, doctor.Check{Client: client, Creds: creds, Job: job})...), nil
}

// fixWords names the settings a finding or an error points at, as the user sets them.
func fixWords(fix []jenkins.Setting) string {
	var words []string
	for _, s := range fix {
		if w, ok := settingWords[s]; ok {
			words = append(words, w)
		}
	}
	return strings.Join(words, ", ")
}

package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// dryRunSettings shows where each setting came from; secrets are masked.
func dryRunSettings(out *printer, cfg *config, creds auth.Credentials) {
	out.always("dry run: nothing is sent")
	for _, st := range cfg.list() {
		src, found := cfg.origin[st.name]
		switch {
		case st.name == "JENKINS_USER_ID":
			continue // shown as JENKINS_USER
		case !found && !st.hasDefault:
			continue
		case !found:
			src = "default"
		}
		value := st.value
		if isSecretSetting(st.name) {
			value = "[redacted]"
		}
		out.always(fmt.Sprintf("setting %s = %s (from %s)", st.name, value, src))
	}
	out.always("auth mode: " + creds.Mode().String() + authNote(creds))
}

// dryRunPlan shows the requests a trigger would send.
func dryRunPlan(out *printer, plan []jenkins.Planned, params []param, files []jenkins.File) {
	for i, p := range plan {
		out.always(fmt.Sprintf("request %d: %s %s (%s)", i+1, p.Method, p.URL, p.Why))
		if p.Method != http.MethodPost {
			continue
		}
		for _, pr := range params {
			// The dry run reads nothing from Jenkins, so it cannot know which
			// parameters the job defines as passwords: it shows only values
			// written in the build file itself (-p, the jobs file), and not
			// those whose names look secret. Values from the environment,
			// .env and params files may be secrets: shown by source only.
			v := "[redacted]"
			if pr.Source == "-p" && !secretName.MatchString(pr.Name) {
				v = strconv.Quote(pr.Value)
			}
			out.always(fmt.Sprintf("request %d field %s = %s (from %s)", i+1, pr.Name, v, pr.Source))
		}
		for _, f := range files {
			out.always(fmt.Sprintf("request %d file %s = %s", i+1, f.Name, f.Path))
		}
	}
}

func isSecretSetting(name string) bool {
	return !strings.HasSuffix(name, "_FILE") && (strings.HasSuffix(name, "TOKEN") || strings.HasSuffix(name, "PASSWORD"))
}

func authNote(c auth.Credentials) string {
	switch c.Mode() {
	case auth.APIToken:
		return " (user " + c.User + ", pre-emptive Basic, no crumb needed)"
	case auth.Password:
		return " (user " + c.User + ", Basic with a session-bound CSRF crumb)"
	case auth.JobToken:
		if c.User != "" {
			return " (token= plus user " + c.User + ")"
		}
		return " (token= as anonymous, with an anonymous crumb)"
	case auth.BuildTokenRoot:
		return " (/buildByToken with token=, no crumb)"
	}
	return " (no credentials)"
}

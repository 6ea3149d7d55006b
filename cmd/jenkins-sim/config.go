package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

// simConfig is the --config file: jobs to add to (or replace in) the samples.
//
//	{"jobs": {"team/deploy": {"params": [{"name": "VERSION", "type": "string", "default": "1.0"}],
//	          "result": "UNSTABLE", "duration": "5s", "queueFor": "2s", "log": ["line 1", "line 2"],
//	          "token": "s3cret", "disabled": false, "pipeline": true}}}
type simConfig struct {
	Jobs map[string]simJob `json:"jobs"`
}

type simJob struct {
	Params []struct {
		Name        string   `json:"name"`
		Type        string   `json:"type"`
		Default     string   `json:"default"`
		Choices     []string `json:"choices"`
		Description string   `json:"description"`
	} `json:"params"`
	Result   string   `json:"result"`
	Duration string   `json:"duration"`
	QueueFor string   `json:"queueFor"`
	Log      []string `json:"log"`
	Token    string   `json:"token"`
	Disabled bool     `json:"disabled"`
	Pipeline bool     `json:"pipeline"`
}

// applyConfig reads path and adds its jobs; "a/b" puts job b in folder a.
func applyConfig(sim *jenkinstest.Server, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var cfg simConfig
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	for full, sj := range cfg.Jobs {
		job := &jenkinstest.Job{Token: sj.Token, Disabled: sj.Disabled}
		for _, p := range sj.Params {
			typ := p.Type
			if typ == "" {
				typ = "string"
			}
			job.Params = append(job.Params, jenkinstest.ParamDef{Name: p.Name, Type: typ, Default: p.Default, Choices: p.Choices, Description: p.Description})
		}
		sc := &jenkinstest.Script{Result: sj.Result, Log: sj.Log, Pipeline: sj.Pipeline}
		for _, d := range []struct {
			text string
			to   *time.Duration
		}{{sj.Duration, &sc.Duration}, {sj.QueueFor, &sc.QueueFor}} {
			if d.text == "" {
				continue
			}
			if *d.to, err = time.ParseDuration(d.text); err != nil {
				return fmt.Errorf("%s: job %s: %v", path, full, err)
			}
		}
		sc.Estimated = sc.Duration
		job.Script = sc
		names := strings.Split(full, "/")
		items := sim.Jobs
		for _, folder := range names[:len(names)-1] {
			f, ok := items[folder]
			if !ok {
				f = &jenkinstest.Job{Folder: true, Jobs: map[string]*jenkinstest.Job{}}
				items[folder] = f
			}
			items = f.Jobs
		}
		items[names[len(names)-1]] = job
	}
	return nil
}

// record is what --record writes: every queue item with its parameters.
type record struct {
	ID     int64             `json:"id"`
	Job    string            `json:"job"`
	Params map[string]string `json:"params"`
	Files  map[string]string `json:"files,omitempty"`
}

func writeRecord(sim *jenkinstest.Server, path string) error {
	var out []record
	for _, q := range sim.Queue() {
		out = append(out, record{ID: q.ID, Job: q.Job, Params: q.Params, Files: q.Files})
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false) // keep & < > as they are, for grep
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

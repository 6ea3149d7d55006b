package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// printResult puts the one result on stdout: the build URL once known, else
// the queue item URL; or the JSON object.
func printResult(w io.Writer, res *task.Result, code int, asJSON bool) {
	switch {
	case asJSON:
		b, _ := json.Marshal(jsonResult{res, code})
		fmt.Fprintln(w, string(b))
	case res.URL != "":
		fmt.Fprintln(w, res.URL)
	default:
		fmt.Fprintln(w, res.QueueURL)
	}
}

// outputLines are the KEY=VALUE lines of --output-file and GITHUB_OUTPUT.
func outputLines(res *task.Result, job string, code int) []string {
	lines := []string{"JENKINS_JOB=" + job}
	if res.Triggered() {
		lines = append(lines, "JENKINS_QUEUE_ID="+strconv.FormatInt(res.QueueID, 10), "JENKINS_QUEUE_URL="+res.QueueURL,
			"JENKINS_MERGED="+strconv.FormatBool(res.Merged))
		if res.Number > 0 {
			lines = append(lines, "JENKINS_BUILD_NUMBER="+strconv.Itoa(res.Number), "JENKINS_BUILD_URL="+res.URL)
		}
		if res.Result != "" {
			lines = append(lines, "JENKINS_BUILD_RESULT="+res.Result, "JENKINS_BUILD_DURATION_MS="+strconv.FormatInt(res.DurationMs, 10))
		}
		if res.Stage != "" {
			lines = append(lines, "JENKINS_BUILD_STAGE="+jenkins.Clean(res.Stage, 200))
		}
		if res.Reason != "" {
			lines = append(lines, "JENKINS_BUILD_REASON="+jenkins.Clean(res.Reason, 300))
		}
		if t := res.Tests; t != nil {
			lines = append(lines, "JENKINS_TESTS_TOTAL="+strconv.Itoa(t.Total), "JENKINS_TESTS_FAILED="+strconv.Itoa(t.Failed),
				"JENKINS_TESTS_SKIPPED="+strconv.Itoa(t.Skipped))
		}
		if len(res.Artifacts) > 0 {
			lines = append(lines, "JENKINS_ARTIFACTS_COUNT="+strconv.Itoa(len(res.Artifacts)))
			for i, a := range res.Artifacts {
				k := "JENKINS_ARTIFACT_" + strconv.Itoa(i+1) + "_"
				lines = append(lines, k+"PATH="+jenkins.Clean(a.Path, 500), k+"SIZE="+strconv.FormatInt(a.Size, 10), k+"SHA256="+a.SHA256)
			}
		}
		if in := res.Input; in != nil {
			lines = append(lines, "JENKINS_INPUT_ID="+jenkins.Clean(in.ID, 100), "JENKINS_INPUT_MESSAGE="+jenkins.Clean(in.Message, 200), "JENKINS_INPUT_OUTCOME="+in.Outcome)
		}
	}
	return append(lines, "JENKINS_EXIT_CODE="+strconv.Itoa(code))
}

// checkOutputs makes sure, before anything is triggered, that the result
// can be written: --output-file is created empty, GITHUB_OUTPUT opened for
// appending (and left as it was).
func checkOutputs(e osEnv, cfg *config) error {
	if cfg.OutputFile != "" {
		if err := os.WriteFile(resolvePath(e.Dir, cfg.OutputFile), nil, 0o644); err != nil { //nolint:gosec // read by build files
			return usagef("cannot write --output-file %s: %v", cfg.OutputFile, cleanFSError(err))
		}
	}
	if gh := environMap(e.Environ)["GITHUB_OUTPUT"]; gh != "" {
		f, err := os.OpenFile(resolvePath(e.Dir, gh), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644) //nolint:gosec // GitHub's own file
		if err != nil {
			return usagef("cannot append to GITHUB_OUTPUT %s: %v", gh, cleanFSError(err))
		}
		if err := f.Close(); err != nil {
			return usagef("cannot append to GITHUB_OUTPUT %s: %v", gh, err)
		}
	}
	if cfg.JUnit != "" { // a file of the report's folder can be made there
		f, err := os.CreateTemp(filepath.Dir(resolvePath(e.Dir, cfg.JUnit)), ".junit-*")
		if err != nil {
			return usagef("cannot write --junit %s: %v", cfg.JUnit, cleanFSError(err))
		}
		f.Close()
		_ = os.Remove(f.Name())
	}
	return nil
}

// writeOutputs writes --output-file and appends to GITHUB_OUTPUT when set. Its
// error is a usage error (exit 2): the path is the user's to fix.
func writeOutputs(e osEnv, cfg *config, lines []string) error {
	text := strings.Join(lines, "\n") + "\n"
	if cfg.OutputFile != "" {
		if err := os.WriteFile(resolvePath(e.Dir, cfg.OutputFile), []byte(text), 0o644); err != nil { //nolint:gosec // read by build files
			return usagef("cannot write --output-file %s: %v", cfg.OutputFile, cleanFSError(err))
		}
	}
	if gh := environMap(e.Environ)["GITHUB_OUTPUT"]; gh != "" {
		f, err := os.OpenFile(resolvePath(e.Dir, gh), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644) //nolint:gosec // GitHub's own file
		if err != nil {
			return usagef("cannot append to GITHUB_OUTPUT %s: %v", gh, cleanFSError(err))
		}
		defer f.Close()
		if _, err := f.WriteString(text); err != nil {
			return usagef("cannot append to GITHUB_OUTPUT %s: %v", gh, err)
		}
	}
	return nil
}

// jsonResult is a result as --json prints it: with the job's exit code.
type jsonResult struct {
	*task.Result
	ExitCode int `json:"exitCode"`
}

// printResults puts one line per job on stdout: JOB, URL, RESULT and exit
// code, separated by tabs; or a JSON array.
func printResults(w io.Writer, outcomes []task.Outcome, style codeStyle, asJSON bool) {
	if asJSON {
		out := make([]jsonResult, 0, len(outcomes))
		for _, o := range outcomes {
			out = append(out, jsonResult{o.Result, exitCode(o.Err, style)})
		}
		b, _ := json.Marshal(out)
		fmt.Fprintln(w, string(b))
		return
	}
	for _, o := range outcomes {
		r := o.Result
		url := r.URL
		if url == "" {
			url = r.QueueURL
		}
		if url == "" {
			url = "-"
		}
		result := r.Result
		if result == "" {
			result = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\n", r.Job, url, result, exitCode(o.Err, style))
	}
}

// manyOutputLines are the per-job keys of --output-file: each key ends in the
// job's name, upper-cased, with anything but letters and digits as _.
func manyOutputLines(outcomes []task.Outcome, style codeStyle, code int) []string {
	lines := []string{"JENKINS_JOBS=" + strconv.Itoa(len(outcomes))}
	for _, o := range outcomes {
		r := o.Result
		k := jobKey(r.Job)
		lines = append(lines, "JENKINS_JOB_"+k+"="+jenkins.Clean(r.Job, 500), "JENKINS_EXIT_CODE_"+k+"="+strconv.Itoa(exitCode(o.Err, style)))
		if r.QueueID > 0 {
			lines = append(lines, "JENKINS_QUEUE_ID_"+k+"="+strconv.FormatInt(r.QueueID, 10), "JENKINS_QUEUE_URL_"+k+"="+r.QueueURL)
		}
		if r.Number > 0 {
			lines = append(lines, "JENKINS_BUILD_NUMBER_"+k+"="+strconv.Itoa(r.Number), "JENKINS_BUILD_URL_"+k+"="+r.URL)
		}
		if r.Result != "" {
			lines = append(lines, "JENKINS_BUILD_RESULT_"+k+"="+r.Result)
		}
	}
	return append(lines, "JENKINS_EXIT_CODE="+strconv.Itoa(code))
}

func jobKey(job string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(job) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// lockedWriter serialises writes from several jobs.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// lineWriter passes on whole lines only, so that the consoles of several jobs
// interleave by line, never inside one.
type lineWriter struct {
	out io.Writer
	buf []byte
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.buf = append(l.buf, b...)
	if i := bytes.LastIndexByte(l.buf, '\n'); i >= 0 {
		if _, err := l.out.Write(l.buf[:i+1]); err != nil {
			return 0, err
		}
		l.buf = append(l.buf[:0], l.buf[i+1:]...)
	}
	return len(b), nil
}

func (l *lineWriter) flush() {
	if len(l.buf) > 0 {
		_, _ = l.out.Write(append(l.buf, '\n'))
		l.buf = nil
	}
}

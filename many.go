package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// jobLine is one job of a multi-job call, with its own parameters.
type jobLine struct {
	Ref    string
	Params []string // KEY=VALUE, over the -p given for all jobs
}

// worstFirst orders exit codes for several jobs: the run exits with the first
// of these that any job had (signals always win; 0 only if every job had 0).
var worstFirst = []int{exitInternal, exitUnreachable, exitProtocol, exitAuth, exitForbidden, exitNotFound, exitRejected,
	exitLost, exitQueueCancelled, exitBuildTimeout, exitQueueTimeout, 11, 12, exitUnknownResult, 13, 10, exitMerged}

// manyError is the outcome of several jobs.
type manyError struct {
	code   int
	failed []string
	total  int
}

func (e *manyError) Error() string {
	return fmt.Sprintf("%d of %d jobs did not succeed: %s", len(e.failed), e.total, strings.Join(e.failed, ", "))
}

// triggerMany triggers the jobs concurrently, at most --parallel at once, each
// exactly as a single job would be; their stderr lines carry the job's name
// and their console lines a per-job prefix.
func triggerMany(ctx context.Context, e osEnv, c *cli, cfg *config, flagSecrets []string, out *printer) ([]*task.Result, error) {
	lines, err := jobLines(e.Dir, c.Trigger.Jobs, cfg.JobsFile)
	if err != nil {
		return nil, err
	}
	if cfg.Parallel < 1 {
		return nil, usagef("--parallel must be at least 1")
	}
	out.quiet, out.verbose = cfg.Quiet, cfg.Verbose || cfg.DryRun
	for _, name := range flagSecrets {
		out.caution(fmt.Sprintf("--%s puts the secret in process lists and build logs; use the environment variable or --%s-file instead", name, name))
	}
	if out.mu == nil {
		out.mu = &sync.Mutex{}
	}
	stdout := &lockedWriter{w: e.Stdout}
	results := make([]*task.Result, len(lines))
	errs := make([]error, len(lines))
	sem := make(chan struct{}, cfg.Parallel)
	var wg sync.WaitGroup
	for i, l := range lines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			jc := *cfg
			jc.Job = l.Ref
			if jc.ConsolePrefix == "" {
				jc.ConsolePrefix = "[" + l.Ref + "] "
			}
			if jc.OutputFile != "" {
				jc.OutputFile = "" // written once, for all jobs, by run
			}
			jcli := *c
			jcli.Param = overrideParams(c.Param, l.Params)
			console := &lineWriter{out: stdout}
			je := e
			je.Stdout = console
			jout := out.tagged("[" + l.Ref + "] ")
			res, err := triggerWith(ctx, je, &jcli, &jc, nil, jout)
			console.flush()
			if res == nil {
				res = &task.Result{Job: l.Ref}
			}
			res.ExitCode = exitCode(err, cfg.codeStyle())
			if err != nil {
				jout.fail(err.Error())
			}
			results[i], errs[i] = res, err
		}()
	}
	wg.Wait()
	return results, aggregate(results, errs)
}

func aggregate(results []*task.Result, errs []error) error {
	m := &manyError{total: len(results)}
	codes := map[int]bool{}
	for i, r := range results {
		if r.ExitCode != 0 {
			m.failed = append(m.failed, fmt.Sprintf("%s (exit %d)", r.Job, r.ExitCode))
			codes[r.ExitCode] = true
		}
		if r.ExitCode == exitInterrupted || r.ExitCode == exitTerminated {
			return errs[i] // a signal ends everything: its code wins
		}
	}
	if len(m.failed) == 0 {
		return nil
	}
	m.code = exitInternal
	for _, c := range worstFirst {
		if codes[c] {
			m.code = c
			break
		}
	}
	return m
}

// overrideParams puts a job's own KEY=VALUE over the ones given for all jobs.
func overrideParams(all, own []string) []string {
	names := map[string]bool{}
	for _, p := range own {
		name, _, _ := strings.Cut(p, "=")
		names[name] = true
	}
	var out []string
	for _, p := range all {
		if name, _, _ := strings.Cut(p, "="); !names[name] {
			out = append(out, p)
		}
	}
	return append(out, own...)
}

// jobLines reads the jobs from the arguments and the jobs file.
func jobLines(dir string, args []string, file string) ([]jobLine, error) {
	var out []jobLine
	for _, a := range args {
		out = append(out, jobLine{Ref: a})
	}
	if file != "" {
		b, err := os.ReadFile(resolvePath(dir, file))
		if err != nil {
			return nil, usagef("cannot read the jobs file %s: %v", file, cleanFSError(err))
		}
		fromFile, err := parseJobsFile(b)
		if err != nil {
			return nil, usagef("jobs file %s: %v", file, err)
		}
		out = append(out, fromFile...)
	}
	if len(out) == 0 {
		return nil, usagef("no job given; pass JOB arguments or --jobs-file")
	}
	return out, nil
}

// parseJobsFile reads lines of JOB [KEY=VALUE ...]; a token in double quotes
// may hold spaces ("NOTES=two words" or NOTES="two words"); # starts a comment
// line; CRLF and a BOM are fine.
func parseJobsFile(b []byte) ([]jobLine, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var out []jobLine
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimRight(sc.Text(), "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tokens, err := splitQuoted(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		if tokens[0] == "" {
			return nil, fmt.Errorf("line %d: the job name is empty", n)
		}
		jl := jobLine{Ref: tokens[0]}
		for _, t := range tokens[1:] {
			if _, _, err := parseParam(t); err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			jl.Params = append(jl.Params, t)
		}
		out = append(out, jl)
	}
	return out, sc.Err()
}

// splitQuoted splits at spaces, keeping double-quoted runs together (quotes removed).
func splitQuoted(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inQuote, have := false, false
	for _, r := range s {
		switch {
		case r == '"':
			inQuote, have = !inQuote, true
		case (r == ' ' || r == '\t') && !inQuote:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if inQuote {
		return nil, fmt.Errorf("a double quote is not closed")
	}
	if have {
		out = append(out, cur.String())
	}
	return out, nil
}

// printResults puts one line per job on stdout: JOB, URL, RESULT and exit
// code, separated by tabs; or a JSON array.
func printResults(w io.Writer, results []*task.Result, asJSON bool) {
	if asJSON {
		if results == nil {
			results = []*task.Result{}
		}
		b, _ := json.Marshal(results)
		fmt.Fprintln(w, string(b))
		return
	}
	for _, r := range results {
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
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\n", r.Job, url, result, r.ExitCode)
	}
}

// manyOutputLines are the per-job keys of --output-file: each key ends in the
// job's name, upper-cased, with anything but letters and digits as _.
func manyOutputLines(results []*task.Result, code int) []string {
	lines := []string{"JENKINS_JOBS=" + strconv.Itoa(len(results))}
	for _, r := range results {
		k := jobKey(r.Job)
		lines = append(lines, "JENKINS_JOB_"+k+"="+jenkins.Clean(r.Job, 500), "JENKINS_EXIT_CODE_"+k+"="+strconv.Itoa(r.ExitCode))
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

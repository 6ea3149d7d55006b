package main

import (
	"errors"
	"fmt"
	"strings"
)

// jobLine is one job of a multi-job call, with its own parameters.
type jobLine struct {
	Ref    string
	Params []string // KEY=VALUE, over the -p given for all jobs
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
		b, err := readTextFile(dir, file)
		if err != nil {
			return nil, usagef("cannot read the jobs file %s: %v", file, err)
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
	ls, err := lines(stripBOM(b))
	if err != nil {
		return nil, err
	}
	var out []jobLine
	for i, line := range ls {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tokens, err := splitWords(line, `"`, false)
		if err != nil {
			return nil, fmt.Errorf("line %d: a double quote is not closed", n)
		}
		if tokens[0] == "" {
			return nil, fmt.Errorf("line %d: the job name is empty", n)
		}
		jl := jobLine{Ref: tokens[0]}
		for _, t := range tokens[1:] {
			if _, _, err := parseParam(t); err != nil {
				return nil, fmt.Errorf("line %d: a parameter %v", n, err)
			}
			jl.Params = append(jl.Params, t)
		}
		out = append(out, jl)
	}
	return out, nil
}

var errUnclosedQuote = errors.New("a quote is not closed")

// splitWords splits s at blanks outside the quote characters given; with
// doubled, a quote written twice inside quotes stands for itself. The jobs
// file uses it with double quotes only; the README's tests with the quoting
// of sh and of testscript.
func splitWords(s, quotes string, doubled bool) ([]string, error) {
	var out []string
	var cur strings.Builder
	var quote rune
	have := false
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0 && r == quote && doubled && i+1 < len(rs) && rs[i+1] == quote:
			cur.WriteRune(r)
			i++
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case strings.ContainsRune(quotes, r):
			quote, have = r, true
		case r == ' ' || r == '\t':
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
	if quote != 0 {
		return nil, errUnclosedQuote
	}
	if have {
		out = append(out, cur.String())
	}
	return out, nil
}

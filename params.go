package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// param is a build parameter and where it came from.
type param struct {
	Name, Value string
	Source      string
}

// parseParam splits at the first '='; the value may be empty or contain '=',
// ',' or ';'. The name must not be empty or carry surrounding spaces.
func parseParam(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" || strings.TrimSpace(name) != name {
		return "", "", fmt.Errorf("%q is not KEY=VALUE", truncate(s, 60))
	}
	if strings.ContainsAny(name, "\x00\r\n") {
		return "", "", fmt.Errorf("parameter name %q contains a control character", truncate(name, 60))
	}
	return name, value, nil
}

// parseParamsFile reads KEY=VALUE lines (properties or .env style) or, when
// the file starts with '{', one JSON object of names to strings, numbers or
// booleans. Lines may end in CRLF; a UTF-8 BOM is ignored; blank lines and
// lines starting with '#' or '!' are comments; an "export " prefix is dropped;
// a value wrapped in matching quotes loses them; nothing is expanded.
func parseParamsFile(b []byte) ([]param, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		return parseParamsJSON(t)
	}
	var out []param
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == '!' {
			continue
		}
		trimmed = strings.TrimPrefix(trimmed, "export ")
		name, value, ok := strings.Cut(trimmed, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("line %d is not KEY=VALUE", n)
		}
		value = unquote(strings.TrimSpace(value))
		if prev, dup := seen[name]; dup {
			return nil, fmt.Errorf("line %d repeats %s from line %d; Jenkins refuses a parameter given twice", n, name, prev)
		}
		seen[name] = n
		out = append(out, param{Name: name, Value: value})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read it: %v", err)
	}
	return out, nil
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

func parseParamsJSON(b []byte) ([]param, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	var out []param
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("not a JSON object: %v", err)
		}
		name, _ := tok.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("bad JSON value for %q: %v", truncate(name, 60), err)
		}
		var value string
		switch x := v.(type) {
		case string:
			value = x
		case json.Number:
			value = x.String()
		case bool:
			value = strconv.FormatBool(x)
		default:
			return nil, fmt.Errorf("the value of %q must be a string, number or boolean", truncate(name, 60))
		}
		if name == "" {
			return nil, fmt.Errorf("a JSON key is empty")
		}
		if seen[name] {
			return nil, fmt.Errorf("%q appears twice; Jenkins refuses a parameter given twice", truncate(name, 60))
		}
		seen[name] = true
		out = append(out, param{Name: name, Value: value})
	}
	if _, err := dec.Token(); err != nil { // }
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("text after the JSON object")
	}
	return out, nil
}

// mergeParams applies precedence per name: -p flags, then the params file,
// then JENKINS_PARAM_* from the environment, then from .env files. The same
// name twice among -p flags is refused: Jenkins cannot take two values.
func mergeParams(flags []string, fileParams []param, envParams []param) ([]param, error) {
	var out []param
	index := map[string]int{}
	for _, f := range flags {
		name, value, err := parseParam(f)
		if err != nil {
			return nil, usagef("-p %v", err)
		}
		if _, dup := index[name]; dup {
			return nil, usagef("-p %s is given twice; Jenkins refuses a parameter given twice", name)
		}
		index[name] = len(out)
		out = append(out, param{Name: name, Value: value, Source: "-p"})
	}
	for _, group := range [][]param{fileParams, envParams} {
		for _, p := range group {
			if _, ok := index[p.Name]; ok {
				continue
			}
			index[p.Name] = len(out)
			out = append(out, p)
		}
	}
	return out, nil
}

// parseFiles reads --file NAME=PATH values, then JENKINS_FILE_<NAME>=PATH
// variables for names not given as flags; the files must exist now.
func parseFiles(dir string, values []string, fromEnv []param) ([]jenkins.File, error) {
	var out []jenkins.File
	given := map[string]bool{}
	for _, v := range values {
		name, path, err := parseParam(v)
		if err != nil || path == "" {
			return nil, usagef("--file %q is not NAME=PATH", truncate(v, 60))
		}
		if given[name] {
			return nil, usagef("--file %s is given twice", name)
		}
		given[name] = true
		out = append(out, jenkins.File{Name: name, Path: path})
	}
	for _, p := range fromEnv {
		if !given[p.Name] && p.Value != "" {
			out = append(out, jenkins.File{Name: p.Name, Path: p.Value})
		}
	}
	for i, f := range out {
		name, path := f.Name, f.Path
		p := resolvePath(dir, path)
		st, err := os.Stat(p)
		if err != nil {
			return nil, usagef("--file %s: cannot read %s: %v", name, path, cleanFSError(err))
		}
		if st.IsDir() {
			return nil, usagef("--file %s: %s is a directory", name, path)
		}
		out[i].Path = p
	}
	return out, nil
}

// secretName matches parameter names whose values must not be printed before
// the job's own definitions say which are passwords.
var secretName = regexp.MustCompile(`(?i)pass|secret|token|credential|apikey|api_key`)

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// parseDelay reads --delay: a Go duration in whole seconds ("10s", "2m"), or 0.
// A bare number is refused, since Jenkins would read it as milliseconds.
func parseDelay(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if _, err := strconv.Atoi(s); err == nil {
		return 0, usagef("--delay %s has no unit; write %ss for seconds", s, s)
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d%time.Second != 0 {
		return 0, usagef("--delay %q must be whole seconds, such as 0s, 10s or 2m", truncate(s, 40))
	}
	return d, nil
}

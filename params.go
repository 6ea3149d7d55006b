package main

import (
	"bytes"
	"encoding/json"
	"errors"
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
	// The messages never quote the text: without its '=' it may be a value,
	// and a value may be a secret.
	name, value, ok := strings.Cut(s, "=")
	switch {
	case !ok:
		return "", "", errors.New("has no '='; write NAME=VALUE")
	case name == "":
		return "", "", errors.New("has no name before '='; write NAME=VALUE")
	case strings.TrimSpace(name) != name:
		return "", "", errors.New("has spaces around its name; write NAME=VALUE with nothing around the name")
	case strings.ContainsAny(name, "\x00\r\n"):
		return "", "", errors.New("has a control character in its name")
	}
	return name, value, nil
}

// parseParamsFile reads KEY=VALUE lines (properties or .env style) or, when
// the file starts with '{', one JSON object of names to strings, numbers or
// booleans. Lines may end in CRLF; a UTF-8 BOM is ignored; blank lines and
// lines starting with '#' or '!' are comments; an "export " prefix is dropped;
// a value wrapped in matching quotes loses them; nothing is expanded.
func parseParamsFile(b []byte) ([]param, error) {
	b = stripBOM(b)
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		return parseParamsJSON(t)
	}
	ls, err := lines(b)
	if err != nil {
		return nil, err
	}
	var out []param
	seen := map[string]int{}
	for i, line := range ls {
		n := i + 1
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
		return nil, jsonProblem(dec)
	}
	var out []param
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonProblem(dec)
		}
		name, _ := tok.(string)
		if rest := bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n"); len(rest) == 0 || rest[0] != ':' {
			// Not followed by ':', so not a key: it may be a value written
			// where a key belongs, and a value may be a secret.
			return nil, jsonProblem(dec)
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("the value of %q is not valid JSON (near byte %d)", truncate(name, 60), dec.InputOffset())
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
		return nil, jsonProblem(dec)
	}
	if dec.More() {
		return nil, fmt.Errorf("text after the JSON object")
	}
	return out, nil
}

// mergeParams applies precedence per name: -p flags, then the params file,
// then JENKINS_PARAM_* from the environment, then from .env files. The same
// name twice among -p flags is refused: Jenkins cannot take two values.
// jsonProblem says where the JSON went wrong; the decoder's own message can
// quote the text, which may be a secret.
func jsonProblem(dec *json.Decoder) error {
	return fmt.Errorf("not one JSON object of names to values (the problem is near byte %d)", dec.InputOffset())
}

func mergeParams(flags []string, fileParams []param, envParams []param) ([]param, error) {
	var out []param
	index := map[string]int{}
	for i, f := range flags {
		name, value, err := parseParam(f)
		if err != nil {
			return nil, usagef("-p (number %d) %v", i+1, err)
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
var secretName = regexp.MustCompile(`(?i)pass|pwd|secret|token|credential|api_?key|private`)

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

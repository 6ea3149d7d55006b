package jenkins

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrBadJob reports a job reference or base URL that cannot be used: a usage
// error, found before anything is sent.
var ErrBadJob = errors.New("bad job reference or Jenkins URL")

func badJob(format string, args ...any) *Error {
	return &Error{Kind: ErrBadJob, Msg: fmt.Sprintf(format, args...)}
}

// Job addresses one job: the Jenkins base URL and the item names of its path.
type Job struct {
	Base  *url.URL // ends with "/"; may carry a context path such as /jenkins/
	Names []string // item names, outermost folder first (not display names)
}

// FullName is the job's full name as Jenkins writes it: names joined by "/".
func (j Job) FullName() string { return strings.Join(j.Names, "/") }

// URL is the job's URL with its trailing slash: {base}job/A/job/B/. Each name is
// percent-encoded as one path segment, so a multibranch item name "feature%2Ffoo"
// becomes "feature%252Ffoo", exactly as Jenkins writes its own URLs.
func (j Job) URL() *url.URL {
	var b strings.Builder
	for _, n := range j.Names {
		b.WriteString("job/")
		b.WriteString(url.PathEscape(n))
		b.WriteString("/")
	}
	return resolve(j.Base, b.String())
}

// resolve joins a relative, already-escaped path to base, keeping base's context path.
func resolve(base *url.URL, rel string) *url.URL {
	u, err := base.Parse(rel)
	if err != nil {
		// rel is built from escaped segments; a parse failure is a bug.
		panic(fmt.Sprintf("jenkins: resolve %q: %v", rel, err))
	}
	return u
}

// ParseBase checks a Jenkins base URL and returns it with a trailing slash.
func ParseBase(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, badJob("the Jenkins URL must be an http:// or https:// URL such as https://ci.example.com/ (got %q)", redactInput(s)).fix(SetURL)
	}
	if u.User != nil {
		return nil, badJob("the Jenkins URL carries credentials (user:token@host); remove them and set a user and API token instead").fix(SetURL, SetUser, SetAPIToken)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, badJob("the Jenkins URL must not have a query or fragment: %s", u.Redacted()).fix(SetURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

// redactInput hides anything that looks like user info in text we could not parse.
func redactInput(s string) string {
	if i := strings.LastIndex(s, "@"); i >= 0 {
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			return s[:j+3] + "REDACTED@" + s[i+1:]
		}
		return "REDACTED@" + s[i+1:]
	}
	return s
}

// ParseJob reads a job reference. ref is either
//   - a path of item names, "name" or "folder/sub/name" (a name that itself
//     contains "/", like a multibranch branch, is written with %2F: "repo/feature%2Ffoo"), or
//   - a job URL pasted from the browser, "https://ci/jenkins/job/folder/job/name/".
//
// For a URL, base may be nil: the base URL is then derived from it. When base is
// set, the URL must agree with it.
func ParseJob(base *url.URL, ref string) (Job, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Job{}, badJob("no job given").fix(SetJob)
	}
	if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
		return parseJobURL(base, ref)
	}
	if base == nil {
		return Job{}, badJob("the Jenkins URL is not set; set it, or give the job as its full URL").fix(SetURL)
	}
	// Each segment is an item name, taken literally: ordinary names cannot contain
	// "%", and a multibranch branch's item name already carries its "%2F".
	var names []string
	for _, name := range strings.Split(strings.Trim(ref, "/"), "/") {
		if err := checkName(name, ref); err != nil {
			return Job{}, err
		}
		names = append(names, name)
	}
	return Job{Base: base, Names: names}, nil
}

func checkName(name, ref string) error {
	switch {
	case name == "":
		return badJob("job %q has an empty path segment", ref)
	case name == "." || name == "..":
		return badJob("job %q: %q is not an item name", ref, name)
	case strings.ContainsAny(name, "\x00\r\n\t"):
		return badJob("job %q contains a control character", ref)
	}
	return nil
}

// parseJobURL splits a browser URL into base and item names. The path is read as
// {context}/job/A/job/B/[anything], where view/NAME pairs may stand between jobs.
func parseJobURL(base *url.URL, ref string) (Job, error) {
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" {
		return Job{}, badJob("cannot read job URL %q", redactInput(ref))
	}
	if u.User != nil {
		return Job{}, badJob("the job URL carries credentials (user:token@host); remove them and set a user and API token instead").fix(SetUser, SetAPIToken)
	}
	segs := strings.Split(u.EscapedPath(), "/")
	start := -1
	for i, s := range segs {
		if s == "job" || s == "view" {
			start = i
			break
		}
	}
	if start < 0 {
		return Job{}, badJob("%s is not a job URL (no /job/ in its path)", u.Redacted())
	}
	var names []string
	i := start
	for ; i+1 < len(segs) && (segs[i] == "job" || segs[i] == "view"); i += 2 {
		if segs[i] == "view" {
			continue
		}
		name, err := url.PathUnescape(segs[i+1])
		if err != nil {
			return Job{}, badJob("bad escape in job URL %s", u.Redacted())
		}
		if err := checkName(name, ref); err != nil {
			return Job{}, err
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return Job{}, badJob("%s names no job", u.Redacted())
	}
	derived := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}
	if ctx := strings.Join(segs[:start], "/"); ctx != "" {
		p, err := url.PathUnescape(ctx)
		if err != nil {
			return Job{}, badJob("bad escape in job URL %s", u.Redacted())
		}
		derived.Path = p + "/"
		derived.RawPath = ctx + "/"
	}
	if base == nil {
		return Job{Base: derived, Names: names}, nil
	}
	if !sameBase(base, derived) {
		return Job{}, badJob("the job URL is on %s but the Jenkins URL is %s; make them agree, or pass the job as a path (folder/name)",
			derived.Redacted(), base.Redacted())
	}
	return Job{Base: base, Names: names}, nil
}

func sameBase(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(hostPort(a), hostPort(b)) &&
		a.EscapedPath() == b.EscapedPath()
}

func hostPort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return u.Host
	}
	return u.Host + map[string]string{"http": ":80", "https": ":443"}[strings.ToLower(u.Scheme)]
}

package jenkins

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func mustBase(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := ParseBase(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestParseJob(t *testing.T) {
	t.Parallel()
	ctx := "https://ci.example.com/jenkins/"
	tests := []struct {
		name    string
		base    string
		ref     string
		names   []string
		jobURL  string
		baseOut string
		err     string
	}{
		{name: "top-level job", base: ctx, ref: "hello", names: []string{"hello"}, jobURL: ctx + "job/hello/"},
		{name: "folders", base: ctx, ref: "team/sub/app", names: []string{"team", "sub", "app"}, jobURL: ctx + "job/team/job/sub/job/app/"},
		{name: "surrounding slashes", base: ctx, ref: "/team/app/", names: []string{"team", "app"}, jobURL: ctx + "job/team/job/app/"},
		{name: "space and non-ASCII are escaped per segment", base: ctx, ref: "my job/\u00e9t\u00e9", names: []string{"my job", "\u00e9t\u00e9"},
			jobURL: ctx + "job/my%20job/job/%C3%A9t%C3%A9/"},
		{name: "semicolon, question mark and hash are escaped", base: ctx, ref: "a;b?c#d", names: []string{"a;b?c#d"}, jobURL: ctx + "job/a%3Bb%3Fc%23d/"},
		{name: "multibranch branch name is its item name", base: ctx, ref: "repo/feature%2Ffoo", names: []string{"repo", "feature%2Ffoo"},
			jobURL: ctx + "job/repo/job/feature%252Ffoo/"},
		{name: "plus stays a plus", base: ctx, ref: "c++", names: []string{"c++"}, jobURL: ctx + "job/c++/"},
		{name: "base without trailing slash", base: "https://ci.example.com/jenkins", ref: "x", names: []string{"x"}, jobURL: ctx + "job/x/"},
		{name: "browser URL with context path, base derived", ref: "https://ci.example.com/jenkins/job/team/job/app/", names: []string{"team", "app"},
			jobURL: ctx + "job/team/job/app/", baseOut: ctx},
		{name: "browser URL through a view, with a build number", ref: "https://ci.example.com/view/All/job/app/42/console",
			names: []string{"app"}, jobURL: "https://ci.example.com/job/app/", baseOut: "https://ci.example.com/"},
		{name: "browser URL of a multibranch branch is taken verbatim", ref: "https://ci.example.com/job/repo/job/feature%252Ffoo/",
			names: []string{"repo", "feature%2Ffoo"}, jobURL: "https://ci.example.com/job/repo/job/feature%252Ffoo/", baseOut: "https://ci.example.com/"},
		{name: "browser URL agreeing with JENKINS_URL", base: ctx, ref: "https://CI.example.com:443/jenkins/job/x", names: []string{"x"}, jobURL: ctx + "job/x/"},
		{name: "browser URL on another host", base: ctx, ref: "https://other.example.com/jenkins/job/x/", err: "the job URL is on https://other.example.com/jenkins/"},
		{name: "browser URL with another context path", base: ctx, ref: "https://ci.example.com/job/x/", err: "but the Jenkins URL is"},
		{name: "browser URL without /job/", ref: "https://ci.example.com/jenkins/", err: "is not a job URL"},
		{name: "credentials in the job URL", ref: "https://u:CANARY@ci.example.com/job/x/", err: "carries credentials"},
		{name: "no base, no URL", ref: "x", err: "Jenkins URL is not set"},
		{name: "empty", base: ctx, ref: " ", err: "no job given"},
		{name: "empty segment", base: ctx, ref: "a//b", err: "empty path segment"},
		{name: "dot-dot", base: ctx, ref: "a/../b", err: `".." is not an item name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var base *url.URL
			if tt.base != "" {
				base = mustBase(t, tt.base)
			}
			j, err := ParseJob(base, tt.ref)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "CANARY") {
					t.Errorf("error leaks the URL's password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(j.Names, tt.names) {
				t.Errorf("names = %q, want %q", j.Names, tt.names)
			}
			if got := j.URL().String(); got != tt.jobURL {
				t.Errorf("URL = %s, want %s", got, tt.jobURL)
			}
			if tt.baseOut != "" && j.Base.String() != tt.baseOut {
				t.Errorf("base = %s, want %s", j.Base, tt.baseOut)
			}
		})
	}
}

func TestParseBase(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "ci.example.com", "ftp://ci/", "https://u:CANARY@ci/", "https://ci/?x=1", "http://"} {
		_, err := ParseBase(bad)
		if err == nil {
			t.Errorf("ParseBase(%q) succeeded", bad)
		} else if strings.Contains(err.Error(), "CANARY") {
			t.Errorf("ParseBase(%q) leaks the password: %v", bad, err)
		}
	}
}

// FuzzParseJob: any path reference either fails cleanly or yields a URL whose
// segments decode back to the item names, below the base.
func FuzzParseJob(f *testing.F) {
	for _, s := range []string{"hello", "a/b/c", "repo/feature%2Ffoo", "a b/c;d", "%zz", "a//b", "https://ci/jenkins/job/a/job/b/", "https://ci/job/x%2", ".."} {
		f.Add(s)
	}
	base := mustBase(f, "https://ci.example.com/jenkins/")
	f.Fuzz(func(t *testing.T, ref string) {
		j, err := ParseJob(base, ref)
		if err != nil {
			return
		}
		u := j.URL()
		if !strings.HasPrefix(u.String(), "https://ci.example.com/jenkins/job/") || !strings.HasSuffix(u.EscapedPath(), "/") {
			t.Fatalf("ParseJob(%q) URL %s escapes the base", ref, u)
		}
		if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
			return
		}
		segs := strings.Split(strings.TrimSuffix(strings.TrimPrefix(u.EscapedPath(), "/jenkins/"), "/"), "/")
		var names []string
		for i := 0; i+1 < len(segs); i += 2 {
			if segs[i] != "job" {
				t.Fatalf("ParseJob(%q) path %s is not job/NAME pairs", ref, u.EscapedPath())
			}
			n, err := url.PathUnescape(segs[i+1])
			if err != nil {
				t.Fatalf("ParseJob(%q) segment %q does not unescape: %v", ref, segs[i+1], err)
			}
			names = append(names, n)
		}
		if !reflect.DeepEqual(names, j.Names) {
			t.Fatalf("ParseJob(%q): URL %s decodes to %q, want %q", ref, u, names, j.Names)
		}
	})
}

func TestQueueIDFromLocation(t *testing.T) {
	t.Parallel()
	good := map[string]int64{
		"http://127.0.0.1:18080/queue/item/7/": 7,
		"https://ci/jenkins/queue/item/12345/": 12345,
		"/jenkins/queue/item/28/":              28,
		"http://internal:8080/queue/item/3":    3,
		" http://x/queue/item/9/ ":             9,
	}
	for in, want := range good {
		if id, ok := QueueIDFromLocation(in); !ok || id != want {
			t.Errorf("QueueIDFromLocation(%q) = %d, %v; want %d", in, id, ok, want)
		}
	}
	for _, in := range []string{"", "http://x/job/params/", "http://x/queue/item/0/", "http://x/queue/item/-1/",
		"http://x/queue/item/abc/", "http://x/queue/item/99999999999999999999/", "http://x/queue/item/5/api/json"} {
		if id, ok := QueueIDFromLocation(in); ok {
			t.Errorf("QueueIDFromLocation(%q) = %d, want no id", in, id)
		}
	}
}

func FuzzQueueIDFromLocation(f *testing.F) {
	for _, s := range []string{"http://x/queue/item/7/", "/queue/item/1", "http://x/job/a/", "%", "http://x/queue/item/0/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, loc string) {
		if id, ok := QueueIDFromLocation(loc); ok && id <= 0 {
			t.Fatalf("QueueIDFromLocation(%q) = %d", loc, id)
		}
	})
}

func FuzzParseCrumb(f *testing.F) {
	for _, s := range []string{`{"_class":"hudson.security.csrf.DefaultCrumbIssuer","crumb":"abc","crumbRequestField":"Jenkins-Crumb"}`,
		`{"crumb":""}`, `<html>`, `{"crumb":"a\r\nX-Evil: 1","crumbRequestField":"F"}`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cr, err := ParseCrumb(b)
		if err != nil {
			return
		}
		if cr.Field == "" || cr.Value == "" || strings.ContainsAny(cr.Field+cr.Value, "\r\n") {
			t.Fatalf("ParseCrumb(%q) = %+v: unusable as a header", b, cr)
		}
	})
}

func TestClean(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"  Error 404\r\n Not\tFound ", 100, "Error 404 Not Found"},
		{"caf\u00e9 \x1b[31mred", 100, "caf\u00e9 [31mred"},
		{"日本語ジョブ", 100, "日本語ジョブ"},
		{"\u2018Publish JUnit test result report\u2019", 100, "\u2018Publish JUnit test result report\u2019"},
		{"evil\u202egnp.exe \xff\x00end", 100, "evilgnp.exe end"},
		{strings.Repeat("x", 20), 10, "xxxxxxxxxx..."},
	}
	for _, tt := range tests {
		if got := Clean(tt.in, tt.max); got != tt.want {
			t.Errorf("Clean(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// Did-you-mean offers only names that are close (issue 16): a few edits, and
// fewer edits than the shorter name has letters.
func TestSuggestOnlyClose(t *testing.T) {
	t.Parallel()
	names := []string{"deploy", "hello", "greeting", "ab"}
	for _, tt := range []struct{ in, want string }{
		{"helo", "hello"}, {"HELLO", "hello"}, {"greting", "greeting"}, {"deplyo", "deploy"},
		{"日本語ジョブ", ""}, {"cd", ""}, {"xyz", ""}, {"release", ""},
	} {
		if got := Suggest(tt.in, names); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

package main

import (
	"context"
	"encoding/base64"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

// canary is a secret that must never appear in anything we print.
const canary = "CANARY-7f3a9c2e"

// leaks lists the forms in which the canary could escape.
func leaks(out string) []string {
	var found []string
	for _, form := range []string{
		canary,
		url.QueryEscape(canary),
		base64.StdEncoding.EncodeToString([]byte("builder:" + canary)),
		base64.StdEncoding.EncodeToString([]byte(canary)),
	} {
		if strings.Contains(out, form) {
			found = append(found, form)
		}
	}
	return found
}

func TestCanarySecretNeverPrinted(t *testing.T) {
	t.Parallel()
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedURL := "http://" + refused.Addr().String() + "/"
	refused.Close()

	withCanaryUser := func(s *jenkinstest.Server) {
		s.Users["canary"] = &jenkinstest.User{APIToken: canary, Password: canary}
		s.Jobs["tokenjob"].Token = canary
		s.Jobs["team"].Jobs["app"].Token = canary
	}
	type scenario struct {
		name      string
		configure func(*jenkinstest.Server)
		env       func(s *jenkinstest.Server) []string
		args      []string
	}
	base := func(s *jenkinstest.Server, more ...string) []string {
		return append([]string{"JENKINS_URL=" + s.URL(), "JENKINS_RETRY_FOR=0"}, more...)
	}
	scenarios := []scenario{
		{name: "api token accepted", configure: withCanaryUser, args: []string{"greeting", "-p", "DB_PASSWORD=" + canary, "--json"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=canary", "JENKINS_API_TOKEN="+canary)
			}},
		{name: "api token rejected (401)", args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=builder", "JENKINS_API_TOKEN="+canary)
			}},
		{name: "password rejected at the crumb request", args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=builder", "JENKINS_PASSWORD="+canary)
			}},
		{name: "password accepted with crumb", configure: withCanaryUser, args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=canary", "JENKINS_PASSWORD="+canary)
			}},
		{name: "job token accepted", configure: withCanaryUser, args: []string{"tokenjob", "--cause", "ci"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=builder", "JENKINS_API_TOKEN="+apiToken, "JENKINS_JOB_TOKEN="+canary)
			}},
		{name: "job token rejected", args: []string{"tokenjob"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=builder", "JENKINS_API_TOKEN="+apiToken, "JENKINS_JOB_TOKEN="+canary)
			}},
		{name: "job token alone, anonymous refused", args: []string{"tokenjob"},
			env: func(s *jenkinstest.Server) []string { return base(s, "JENKINS_JOB_TOKEN="+canary) }},
		{name: "build-token-root accepted", configure: withCanaryUser, args: []string{"team/app", "--build-token-root", "-p", "ENV=qa"},
			env: func(s *jenkinstest.Server) []string { return base(s, "JENKINS_JOB_TOKEN="+canary) }},
		{name: "build-token-root rejected", args: []string{"tokenjob", "--build-token-root"},
			env: func(s *jenkinstest.Server) []string { return base(s, "JENKINS_JOB_TOKEN="+canary) }},
		{name: "redirected to a login page that echoes the request URL", args: []string{"tokenjob"},
			configure: func(s *jenkinstest.Server) { s.RedirectTo = "https://sso.example.com/login" },
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=builder", "JENKINS_API_TOKEN="+canary, "JENKINS_JOB_TOKEN="+canary)
			}},
		{name: "credentials in JENKINS_URL", args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=http://builder:" + canary + "@127.0.0.1/", "JENKINS_USER=builder", "JENKINS_API_TOKEN=" + canary}
			}},
		{name: "credentials in a pasted job URL", args: []string{"https://builder:" + canary + "@ci.example.com/job/x/"},
			env: func(s *jenkinstest.Server) []string { return []string{"JENKINS_API_TOKEN=" + canary} }},
		{name: "unreachable, token in the query", args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string {
				return []string{"JENKINS_URL=" + refusedURL, "JENKINS_JOB_TOKEN=" + canary, "JENKINS_USER=builder", "JENKINS_API_TOKEN=" + canary, "JENKINS_RETRY_FOR=0"}
			}},
		{name: "secret given as a flag", configure: withCanaryUser, args: []string{"hello", "--user", "canary", "--api-token", canary, "--job-token", canary},
			env: func(s *jenkinstest.Server) []string { return base(s) }},
		{name: "secret from a file", configure: withCanaryUser, args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=canary", "JENKINS_API_TOKEN_FILE=secret.txt")
			}},
		{name: "secrets in .env", configure: withCanaryUser, args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string { return base(s, "JENKINS_ENV_FILE=secrets.env") }},
		{name: "following a build with every output", args: []string{"ok", "--follow", "--output-file", "out.properties", "--json"},
			configure: func(s *jenkinstest.Server) {
				withCanaryUser(s)
				s.Jobs["ok"].Script.Duration = 30 * time.Millisecond
			},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=canary", "JENKINS_PASSWORD="+canary, "GITHUB_OUTPUT=gh.txt")
			}},
		{name: "params with an API token", configure: withCanaryUser, args: []string{"params", "alltypes"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=canary", "JENKINS_API_TOKEN="+canary)
			}},
		{name: "doctor with password and job token", configure: withCanaryUser, args: []string{"doctor", "tokenjob"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=canary", "JENKINS_PASSWORD="+canary, "JENKINS_JOB_TOKEN="+canary)
			}},
		{name: "doctor with a rejected token", args: []string{"doctor", "hello"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=builder", "JENKINS_API_TOKEN="+canary)
			}},
		{name: "a password parameter whose name says nothing", args: []string{"vault", "--json", "--output-file", "out.properties"},
			configure: func(s *jenkinstest.Server) {
				s.Jobs["vault"] = &jenkinstest.Job{Params: []jenkinstest.ParamDef{{Name: "DB", Type: "password"}, {Name: "V", Type: "string"}}}
			},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=builder", "JENKINS_API_TOKEN="+apiToken, "JENKINS_PARAM_DB="+canary, "JENKINS_PARAM_V=1")
			}},
		{name: "a .env file whose quote is not closed", args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string { return base(s, "JENKINS_ENV_FILE=unclosed.env") }},
		{name: "a .env file whose token line has no name", args: []string{"hello"},
			env: func(s *jenkinstest.Server) []string { return base(s, "JENKINS_ENV_FILE=bare.env") }},
		{name: "a params file with a bad line", args: []string{"greeting", "--params-file", "bad.params"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=builder", "JENKINS_API_TOKEN="+apiToken)
			}},
		{name: "a params file with broken JSON", args: []string{"greeting", "--params-file", "bad.json"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=builder", "JENKINS_API_TOKEN="+apiToken)
			}},
		{name: "a jobs file with a bad parameter", args: []string{"--jobs-file", "bad.jobs"},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=builder", "JENKINS_API_TOKEN="+apiToken)
			}},
		{name: "a -p without =", args: []string{"greeting", "-p", canary},
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=builder", "JENKINS_API_TOKEN="+apiToken)
			}},
		{name: "timeout and cancel with password crumbs", args: []string{"slow", "--wait", "--timeout", "50ms"},
			configure: withCanaryUser,
			env: func(s *jenkinstest.Server) []string {
				return base(s, "JENKINS_USER=canary", "JENKINS_PASSWORD="+canary)
			}},
	}
	for _, sc := range scenarios {
		for _, extra := range [][]string{nil, {"--verbose"}, {"--dry-run"}, {"--dry-run", "--verbose", "--json"}} {
			t.Run(sc.name+strings.Join(extra, ""), func(t *testing.T) {
				t.Parallel()
				configure := func(*jenkinstest.Server) {}
				if sc.configure != nil {
					configure = sc.configure
				}
				s := newFake(t, configure)
				dir := t.TempDir()
				writeFile(t, dir, "secret.txt", canary+"\n")
				writeFile(t, dir, "secrets.env", "JENKINS_USER=canary\nJENKINS_API_TOKEN='"+canary+"'\nJENKINS_PARAM_TOKEN="+canary+"\n")
				writeFile(t, dir, "unclosed.env", "JENKINS_USER=canary\nJENKINS_API_TOKEN='"+canary+"\n")
				writeFile(t, dir, "bare.env", "JENKINS_USER=canary\n"+canary+"\n")
				writeFile(t, dir, "bad.params", "GREETING="+canary+"\n"+canary+"\n")
				writeFile(t, dir, "bad.json", `{"GREETING": "`+canary+`", "X": `+canary+`}`)
				writeFile(t, dir, "bad.jobs", "hello X="+canary+" "+canary+"\n")
				r := runFollow(t, context.Background(), dir, fast, sc.env(s), append(append([]string{}, sc.args...), extra...)...)
				files := ""
				for _, name := range []string{"out.properties", "gh.txt"} {
					b, _ := os.ReadFile(filepath.Join(dir, name))
					files += string(b)
				}
				if found := leaks(r.stdout + r.stderr + files); len(found) > 0 {
					t.Errorf("exit %d: the secret leaked as %q:\nstdout: %s\nstderr: %s", r.code, found, r.stdout, r.stderr)
				}
				if r.code == exitInternal {
					t.Errorf("internal failure: %s", r.stderr)
				}
				checkLines(t, r)
			})
		}
	}
}

// FuzzParseErrorsHoldNoSecret puts the canary where a value stands in
// malformed .env, params, jobs and -p input: whatever else is wrong, no
// parser's message may quote it.
func FuzzParseErrorsHoldNoSecret(f *testing.F) {
	for _, seed := range []struct{ before, quote, after string }{
		{"", "'", ""}, {"", `"`, "\n"}, {"A=1\n", "'", "\nB"}, {"export ", `"`, `\"`},
		{"{\"X\": ", "", "}"}, {"{\"X\": \"", "", ""}, {"job ", `"`, ""}, {"job Y=1 ", "", " Z"},
		{"X", "", "\x00"}, {"\xef\xbb\xbf", "`", "\r\n="}, {"A=\"\n", "", "\n\""},
	} {
		f.Add(seed.before, seed.quote, seed.after)
	}
	f.Fuzz(func(t *testing.T, before, quote, after string) {
		// The canary stands right after "X=" (and a quote): a value, never a name.
		in := before + "X=" + quote + canary + after
		check := func(what string, err error) {
			if err != nil && strings.Contains(err.Error(), canary) {
				t.Fatalf("%s(%q): the message quotes the value: %v", what, in, err)
			}
		}
		_, err := parseEnvFile([]byte(in))
		check("parseEnvFile", err)
		if t := strings.TrimSpace(strings.TrimPrefix(in, "\xef\xbb\xbf")); !strings.HasPrefix(t, "{") {
			_, err = parseParamsFile([]byte(in))
			check("parseParamsFile", err)
		}
		// A params file in JSON, the canary after a key.
		js := `{"X": ` + quote + canary + after
		_, err = parseParamsFile([]byte(js))
		check("parseParamsFile", err)
		_, err = parseJobsFile([]byte(in))
		check("parseJobsFile", err)
		// A -p argument: the canary is the value, or part of text without '='.
		_, err = mergeParams([]string{before + quote + canary + strings.ReplaceAll(after, "=", "")}, nil, nil)
		check("mergeParams", err)
	})
}

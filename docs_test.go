package main

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// documented lists every flag with its environment name, from the grammar itself.
func documented(t *testing.T) map[string]string {
	t.Helper()
	parser, err := kong.New(&cli{}, kong.Name("jenkins-trigger"), kong.Vars{"version": "test"})
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]string{}
	for _, f := range parser.Model.Flags {
		flags[f.Name] = f.Tag.Get("envname")
	}
	return flags
}

func TestHelpNamesEveryEnvironmentVariable(t *testing.T) {
	t.Parallel()
	r := runWith(t, "", nil, "--help")
	if r.code != 0 {
		t.Fatalf("--help exit %d", r.code)
	}
	for flag, env := range documented(t) {
		if !strings.Contains(r.stdout, "--"+flag) {
			t.Errorf("--help lacks --%s", flag)
		}
		if env != "" && !strings.Contains(r.stdout, "$"+env) {
			t.Errorf("--help does not name $%s for --%s", env, flag)
		}
	}
	if !strings.Contains(r.stdout, "--job NAME") {
		t.Errorf("--help does not say how to trigger a job named like a subcommand")
	}
}

func TestREADMEDocumentsEveryFlagAndExitCode(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for flag, env := range documented(t) {
		if !strings.Contains(readme, "`--"+flag) {
			t.Errorf("README's flag table lacks --%s", flag)
		}
		if env != "" && !strings.Contains(readme, "`"+env+"`") {
			t.Errorf("README's flag table lacks %s", env)
		}
	}
	table := map[string]bool{} // codes in the first column of the exit-code table, "10 / 11" split
	_, section, _ := strings.Cut(readme, "### Exit codes")
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		for _, c := range strings.Split(cells[1], "/") {
			table[strings.TrimSpace(c)] = true
		}
	}
	for _, code := range []int{exitOK, exitInternal, exitUsage, exitAuth, exitForbidden, exitNotFound, exitRejected,
		exitUnreachable, exitProtocol, exitMerged, exitInterrupted, exitTerminated} {
		if !table[strconv.Itoa(code)] {
			t.Errorf("README's exit-code table lacks %d", code)
		}
	}
	for _, section := range []string{"## Try it", "## Test it", "### NAnt", "### MSBuild", "### Make", "### Windows cmd", "### PowerShell",
		"## Troubleshooting", "## Dependencies", "go test -race -count=1 ./..."} {
		if !strings.Contains(readme, section) {
			t.Errorf("README lacks %q", section)
		}
	}
}

func TestEnvfileExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("envfile.example")
	if err != nil {
		t.Fatal(err)
	}
	vars, err := parseEnvFile(b)
	if err != nil {
		t.Fatalf("envfile.example does not parse: %v", err)
	}
	if vars["JENKINS_URL"] == "" || vars["JENKINS_USER"] == "" || vars["JENKINS_API_TOKEN"] == "" {
		t.Errorf("envfile.example should set URL, user and token: %v", vars)
	}
	text := string(b)
	for flag, env := range documented(t) {
		if env != "" && !strings.Contains(text, env+"=") {
			t.Errorf("envfile.example lacks %s (--%s)", env, flag)
		}
	}
	for _, env := range []string{"JENKINS_USER_ID=", "JENKINS_PARAM_", "JENKINS_FILE_"} {
		if !strings.Contains(text, env) {
			t.Errorf("envfile.example lacks %s", env)
		}
	}
}

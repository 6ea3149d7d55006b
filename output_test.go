package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The lines measured in ../shared/build-clients.md: MSBuild fails a build on
// the first list and not on the second.
func TestMSBuildCanonicalPattern(t *testing.T) {
	t.Parallel()
	for _, line := range []string{"error: x", "ERROR: x", "tool: error: x", "Error 404: Not Found",
		"jenkins-trigger: HTTP error 404: not found", "tool: job 'x' error: nope", "fatal error: boom",
		"jenkins-trigger: warning: something", "main.c:3:4: error: bad", "C:\\dir\\file.cs(10,5): error CS1002: ; expected"} {
		if !msbuildCanonicalMatch(line) {
			t.Errorf("%q should match MSBuild's canonical format", line)
		}
	}
	for _, line := range []string{"jenkins-trigger: failed to trigger job 'x' (HTTP 404 Not Found)", "jenkins-trigger: FAILED: HTTP 404",
		"Build error happened", "errors: 0", "jenkins-trigger: caution: --insecure: TLS certificates are not verified"} {
		if msbuildCanonicalMatch(line) {
			t.Errorf("%q should not match MSBuild's canonical format", line)
		}
	}
}

func TestMSBuildSafeDefusesServerText(t *testing.T) {
	t.Parallel()
	for _, msg := range []string{"job x error: nope", "HTTP error 404: not found", "warning: x", "a: b: error: c"} {
		line := msbuildSafe("jenkins-trigger: " + msg)
		if msbuildCanonicalMatch(line) {
			t.Errorf("msbuildSafe left %q matching", line)
		}
		if !strings.HasPrefix(line, "jenkins-trigger: ") {
			t.Errorf("msbuildSafe lost the prefix: %q", line)
		}
	}
	if got := msbuildSafe("jenkins-trigger: job not found: x"); got != "jenkins-trigger: job not found: x" {
		t.Errorf("msbuildSafe changed a safe line: %q", got)
	}
}

// A job named like MSBuild's pattern cannot turn our messages into build errors.
func TestRunMessagesStaySafeWithHostileNames(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	for _, job := range []string{"error", "x error: y", "warning 42", "tool: error: z"} {
		r := runWith(t, "", tokenEnv(s), job)
		if r.code != exitNotFound && r.code != exitUsage {
			t.Errorf("%q: exit %d, want 5 or 2: %s", job, r.code, r.stderr)
		}
		checkLines(t, r)
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrinterStatusLineOnTerminals(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := &printer{w: &buf, tty: true}
	p.status("building #1, 1s elapsed")
	p.status("building #1, 2s")
	p.note("build #1 finished SUCCESS")
	want := "\rjenkins-trigger: building #1, 1s elapsed" + "\rjenkins-trigger: building #1, 2s" + strings.Repeat(" ", 8) +
		"\r" + strings.Repeat(" ", len("jenkins-trigger: building #1, 2s")) + "\r" + "jenkins-trigger: build #1 finished SUCCESS\n"
	if buf.String() != want {
		t.Errorf("terminal output %q, want %q", buf.String(), want)
	}
	var logs bytes.Buffer
	p = &printer{w: &logs}
	p.status("building #1")
	if logs.Len() != 0 {
		t.Errorf("status line in a log: %q", logs.String())
	}
}

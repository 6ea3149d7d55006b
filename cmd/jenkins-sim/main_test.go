package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

func TestRunPassesTheCommandsExitCodeAndEnvironment(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--", "sh", "-c", `case "$JENKINS_URL" in http://127.0.0.1:*/jenkins/) ;; *) exit 99;; esac; [ "$JENKINS_USER" = builder ] || exit 98; exit 10`},
		nil, &stdout, &stderr)
	if code != 10 {
		t.Fatalf("exit %d, want the command's 10; stderr:\n%s", code, stderr.String())
	}
	if !strings.HasSuffix(stderr.String(), "jenkins-sim: sh exited 10\n") {
		t.Errorf("the last line does not say the command's exit code:\n%s", stderr.String())
	}
}

func TestServeWritesAnEnvFileThatPointsAtIt(t *testing.T) {
	t.Parallel()
	envFile := filepath.Join(t.TempDir(), "sim.env")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var stderr bytes.Buffer
	go func() { done <- run(ctx, []string{"--write-env", envFile}, nil, &bytes.Buffer{}, &stderr) }()
	var vars map[string]string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, err := os.ReadFile(envFile)
		if err == nil && bytes.HasSuffix(b, []byte("\n")) {
			vars = map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				k, v, _ := strings.Cut(line, "=")
				vars[k] = v
			}
			break
		}
	}
	if vars["JENKINS_API_TOKEN"] != jenkinstest.SampleAPIToken {
		t.Fatalf("env file = %v", vars)
	}
	req, _ := http.NewRequest(http.MethodGet, vars["JENKINS_URL"]+"crumbIssuer/api/json", nil)
	req.SetBasicAuth(vars["JENKINS_USER"], vars["JENKINS_API_TOKEN"])
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Jenkins") == "" {
		t.Errorf("crumb issuer answered %d without X-Jenkins", resp.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d after cancel", code)
	}
}

func TestConfigAddsJobsAndRecordKeepsParameters(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sim.json")
	record := filepath.Join(dir, "record.json")
	if err := os.WriteFile(cfg, []byte(`{"jobs": {"team/x": {"params": [{"name": "NOTE"}], "result": "UNSTABLE", "duration": "10ms"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	// The command (this test binary, as a helper process) triggers team/x with a parameter.
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"--config", cfg, "--record", record, "--", os.Args[0], "-test.run=^TestHelperTrigger$"},
		[]string{"SIM_HELPER=1"}, &bytes.Buffer{}, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(record)
	if err != nil || !strings.Contains(string(b), `"job": "team/x"`) || !strings.Contains(string(b), `"NOTE": "a & b = ü"`) {
		t.Errorf("record = %s (%v)", b, err)
	}
	if code := run(context.Background(), []string{"--config", filepath.Join(dir, "missing.json")}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("a missing --config file: exit %d, want 2", code)
	}
}

// TestHelperTrigger is the helper process above: it posts one trigger to the
// simulator named in its environment, as any client would.
func TestHelperTrigger(t *testing.T) {
	if os.Getenv("SIM_HELPER") != "1" {
		t.Skip("only runs as a helper process")
	}
	form := url.Values{"NOTE": {"a & b = ü"}}
	req, _ := http.NewRequest(http.MethodPost, os.Getenv("JENKINS_URL")+"job/team/job/x/buildWithParameters", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(os.Getenv("JENKINS_USER"), os.Getenv("JENKINS_API_TOKEN"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("trigger: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestParseFault(t *testing.T) {
	t.Parallel()
	f, err := jenkinstest.ParseFault("post:/build:reset-after-read:1")
	if err != nil || f.Method != "POST" || f.Path != "/build" || f.Kind.String() != "reset-after-read" || f.Times != 1 {
		t.Errorf("parseFault = %+v, %v", f, err)
	}
	for _, bad := range []string{"POST:/build", "POST:/build:nonsense", "POST:/build:proxy-502:x", "a:b:c:d:e"} {
		if _, err := jenkinstest.ParseFault(bad); err == nil {
			t.Errorf("jenkinstest.ParseFault(%q) succeeded", bad)
		}
	}
}

// TestMain lets this test binary be the background simulator that --detach
// starts (os.Executable is the test binary here).
func TestMain(m *testing.M) {
	if os.Getenv(detachedVar) != "" {
		main()
	}
	m.Run() // its result becomes the exit code when TestMain returns
}

// Two simulators started with --detach side by side: each returns only once
// its env file is complete, so the very next step can use it; --stop ends
// each (writing its --record) and removes its file.
func TestDetachIsReadyWhenItReturnsAndStopEndsIt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	type sim struct{ env, record, log string }
	sims := []sim{}
	for _, name := range []string{"a", "b"} {
		sims = append(sims, sim{filepath.Join(dir, name+".env"), filepath.Join(dir, name+".json"), filepath.Join(dir, name+".log")})
	}
	done := make(chan string, len(sims))
	for _, s := range sims {
		go func() {
			var stderr bytes.Buffer
			if code := run(context.Background(), []string{"--detach", "--write-env", s.env, "--record", s.record, "--log", s.log}, os.Environ(), &bytes.Buffer{}, &stderr); code != 0 {
				done <- fmt.Sprintf("--detach: exit %d: %s", code, stderr.String())
				return
			}
			if !strings.Contains(stderr.String(), "stop it with: jenkins-sim --stop "+s.env) {
				done <- "--detach does not say how to stop it: " + stderr.String()
				return
			}
			done <- ""
		}()
	}
	for range sims {
		if msg := <-done; msg != "" {
			t.Fatal(msg)
		}
	}
	urls := map[string]bool{}
	for _, s := range sims {
		// No waiting: the file is there and complete when --detach returns.
		pid, url, err := envPID(s.env)
		if err != nil || pid == os.Getpid() {
			t.Fatalf("%s: pid %d, %v", s.env, pid, err)
		}
		urls[url] = true
		req, _ := http.NewRequest(http.MethodPost, url+"job/hello/build", nil)
		req.SetBasicAuth(jenkinstest.SampleUser, jenkinstest.SampleAPIToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("the detached simulator does not answer: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("trigger answered %d", resp.StatusCode)
		}
	}
	if len(urls) != 2 {
		t.Errorf("the two simulators share a URL: %v", urls)
	}
	for _, s := range sims {
		pid, _, _ := envPID(s.env)
		var stderr bytes.Buffer
		if code := run(context.Background(), []string{"--stop", s.env}, nil, &bytes.Buffer{}, &stderr); code != 0 {
			t.Fatalf("--stop: exit %d: %s", code, stderr.String())
		}
		if alive(pid) {
			t.Errorf("pid %d still runs after --stop", pid)
		}
		if _, err := os.Stat(s.env); !os.IsNotExist(err) {
			t.Errorf("--stop left %s (%v)", s.env, err)
		}
		if runtime.GOOS != "windows" {
			if b, err := os.ReadFile(s.record); err != nil || !strings.Contains(string(b), `"job": "hello"`) {
				t.Errorf("record after --stop: %s (%v)", b, err)
			}
			if b, _ := os.ReadFile(s.log); !strings.Contains(string(b), "received POST /job/hello/build") {
				t.Errorf("--log lacks the summary:\n%s", b)
			}
		}
	}
}

func TestDetachNeedsAnEnvFile(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--detach"}, {"--detach", "--write-env", "x.env", "--", "true"}, {"--log", "x.log"}} {
		var stderr bytes.Buffer
		if code := run(context.Background(), args, nil, &bytes.Buffer{}, &stderr); code != 2 || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%q: exit %d, want 2 with one line: %q", args, code, stderr.String())
		}
	}
}

package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
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

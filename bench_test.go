package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

// BenchmarkFinishDetection follows a build of fixed length with the default
// polling and reports how late its end was seen (ms from the build's end to
// run returning) and how many requests that cost. Run it with
// go test -run '^$' -bench FinishDetection -benchtime 3x .
func BenchmarkFinishDetection(b *testing.B) {
	for _, bc := range []struct {
		name     string
		length   time.Duration
		estimate time.Duration
	}{
		{"3s-estimated", 3 * time.Second, 3 * time.Second},
		{"3s-no-estimate", 3 * time.Second, 0},
		{"8s-estimated", 8 * time.Second, 8 * time.Second},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var late, requests float64
			for i := 0; i < b.N; i++ {
				s := jenkinstest.Sample()
				s.Jobs["job"] = &jenkinstest.Job{Script: &jenkinstest.Script{Duration: bc.length, Estimated: bc.estimate}}
				s.Start()
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), osEnv{Args: []string{"job", "--wait"}, Environ: tokenEnv(s), Dir: b.TempDir(), Stdout: &stdout, Stderr: &stderr})
				done := time.Now()
				if code != 0 {
					b.Fatalf("exit %d: %s", code, stderr.String())
				}
				build := onlyBuild(b, s, "job")
				late += float64(done.Sub(build.End).Milliseconds())
				for _, r := range s.Requests() {
					if !strings.HasPrefix(r.Path, "/crumbIssuer") {
						requests++
					}
				}
				s.Close()
			}
			b.ReportMetric(late/float64(b.N), "ms-late")
			b.ReportMetric(requests/float64(b.N), "requests")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkTriggerPath is one trigger through run, in process, against the
// fake: flag parsing, configuration, client set-up and the POST. For the
// profiling notes in BENCHMARKS.md:
// go test -run '^$' -bench TriggerPath -benchmem -cpuprofile cpu.out -memprofile mem.out .
func BenchmarkTriggerPath(b *testing.B) {
	for _, bc := range []struct {
		name string
		args []string
	}{{"no-preflight", []string{"hello", "--no-preflight"}}, {"preflight", []string{"hello"}}} {
		b.Run(bc.name, func(b *testing.B) {
			s := jenkinstest.Sample()
			s.Start()
			defer s.Close()
			env := tokenEnv(s)
			dir := b.TempDir()
			b.ReportAllocs()
			for b.Loop() {
				var stdout, stderr bytes.Buffer
				if code := run(context.Background(), osEnv{Args: bc.args, Environ: env, Dir: dir, Stdout: &stdout, Stderr: &stderr}); code != 0 {
					b.Fatalf("exit %d: %s", code, stderr.String())
				}
			}
		})
	}
}

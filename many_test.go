package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

func manyFake(t *testing.T) *jenkinstest.Server {
	return newFake(t,
		withScript("ok1", jenkinstest.Script{Duration: 60 * time.Millisecond, Log: []string{"alpha", "beta"}}),
		withScript("ok2", jenkinstest.Script{Duration: 90 * time.Millisecond, Log: []string{"gamma"}}),
		withScript("bad", jenkinstest.Script{Duration: 40 * time.Millisecond, Result: "FAILURE"}),
		withScript("meh", jenkinstest.Script{Duration: 30 * time.Millisecond, Result: "UNSTABLE"}))
}

func TestManyJobs(t *testing.T) {
	t.Parallel()
	s := manyFake(t)
	r := runFollow(t, context.Background(), "", fast, tokenEnv(s), "ok1", "bad", "meh", "--wait")
	if r.code != 11 {
		t.Errorf("exit %d, want 11 (FAILURE is worse than UNSTABLE); stderr:\n%s", r.code, r.stderr)
	}
	want := "ok1\t" + s.URL() + "job/ok1/1/\tSUCCESS\t0\n" + "bad\t" + s.URL() + "job/bad/1/\tFAILURE\t11\n" + "meh\t" + s.URL() + "job/meh/1/\tUNSTABLE\t10\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	for _, line := range []string{"jenkins-trigger: [bad] build #1 finished FAILURE", "jenkins-trigger: [ok1] started build #1",
		"2 of 3 jobs did not succeed: bad (exit 11), meh (exit 10)"} {
		if !strings.Contains(r.stderr, line) {
			t.Errorf("stderr lacks %q:\n%s", line, r.stderr)
		}
	}
	checkLines(t, r)
	if s.TriggerPOSTs() != 3 {
		t.Errorf("%d trigger POSTs, want 3", s.TriggerPOSTs())
	}
}

func TestManyJobsAllSucceedWithJSONAndOutputFile(t *testing.T) {
	t.Parallel()
	s := manyFake(t)
	dir := t.TempDir()
	r := runFollow(t, context.Background(), dir, fast, tokenEnv(s), "ok1", "ok2", "--wait", "--json", "--output-file", "out.properties", "--parallel", "1")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 2 || got[0]["job"] != "ok1" || got[1]["result"] != "SUCCESS" {
		t.Errorf("JSON %s (%v)", r.stdout, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "out.properties"))
	for _, line := range []string{"JENKINS_JOBS=2", "JENKINS_BUILD_URL_OK1=" + s.URL() + "job/ok1/1/", "JENKINS_BUILD_RESULT_OK2=SUCCESS",
		"JENKINS_EXIT_CODE_OK2=0", "JENKINS_EXIT_CODE=0"} {
		if !strings.Contains(string(b), line+"\n") {
			t.Errorf("output file lacks %q:\n%s", line, b)
		}
	}
}

// Followed consoles interleave by whole lines, each with its job's prefix.
func TestManyJobsFollowInterleavesByLine(t *testing.T) {
	t.Parallel()
	s := manyFake(t)
	r := runFollow(t, context.Background(), "", fast, tokenEnv(s), "ok1", "ok2", "--follow")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var console []string
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if strings.HasPrefix(l, "ok1\t") || strings.HasPrefix(l, "ok2\t") {
			continue // the result lines
		}
		if !strings.HasPrefix(l, "[ok1] ") && !strings.HasPrefix(l, "[ok2] ") {
			t.Errorf("console line without its job's prefix: %q", l)
		}
		console = append(console, l)
	}
	for _, want := range []string{"[ok1] alpha", "[ok1] beta", "[ok2] gamma", "[ok1] Finished: SUCCESS", "[ok2] Finished: SUCCESS"} {
		found := false
		for _, l := range console {
			found = found || l == want
		}
		if !found {
			t.Errorf("console lacks the line %q:\n%s", want, r.stdout)
		}
	}
}

func TestJobsFile(t *testing.T) {
	t.Parallel()
	s := manyFake(t)
	dir := t.TempDir()
	writeFile(t, dir, "jobs.txt", "\xef\xbb\xbf# jobs to run\r\ngreeting GREETING=\"hello world\" ENV=qa\r\n\r\n\"greeting\" ENV=prod\r\n")
	r := runWith(t, dir, tokenEnv(s), "--jobs-file", "jobs.txt", "-p", "GREETING=overridden", "-p", "FLAG=true")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	q := s.Queue()
	if len(q) != 2 {
		t.Fatalf("queue = %+v", q)
	}
	var params []map[string]string
	for _, item := range q {
		params = append(params, item.Params)
	}
	wantQA := map[string]string{"GREETING": "hello world", "ENV": "qa", "FLAG": "true"}
	wantProd := map[string]string{"GREETING": "overridden", "ENV": "prod", "FLAG": "true"}
	if !(reflect.DeepEqual(params[0], wantQA) && reflect.DeepEqual(params[1], wantProd)) && !(reflect.DeepEqual(params[1], wantQA) && reflect.DeepEqual(params[0], wantProd)) {
		t.Errorf("params = %v, want %v and %v (a line's values over -p, -p for the rest)", params, wantQA, wantProd)
	}
}

func TestParseJobsFile(t *testing.T) {
	t.Parallel()
	got, err := parseJobsFile([]byte("a\nteam/b X=1 \"Y=two words\" Z=\"three more words\"\n# c\n"))
	want := []jobLine{{Ref: "a"}, {Ref: "team/b", Params: []string{"X=1", "Y=two words", "Z=three more words"}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v", got, err)
	}
	for _, bad := range []string{"a \"unclosed", "a novalue"} {
		if _, err := parseJobsFile([]byte(bad)); err == nil {
			t.Errorf("parseJobsFile(%q) succeeded", bad)
		}
	}
}

func FuzzParseJobsFile(f *testing.F) {
	for _, s := range []string{"a\n", "team/b X=1 \"Y=two words\"\r\n", "# c", "a \"", "\xef\xbb\xbfa B=\"c d\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lines, err := parseJobsFile(b)
		if err != nil {
			return
		}
		for _, l := range lines {
			if l.Ref == "" {
				t.Fatalf("an empty job from %q", b)
			}
			for _, p := range l.Params {
				if _, _, err := parseParam(p); err != nil {
					t.Fatalf("a bad parameter %q passed from %q", p, b)
				}
			}
		}
	})
}

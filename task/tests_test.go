package task

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

// Issue 18: a build's test results come with its result: the counts from
// the test result action read with the build's state, the report read once
// and only when a test failed (or the whole report is wanted), never for a
// build without tests.
func TestTestResults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		job, result string
		report      bool
		reads       int
		total       int
		failed      int
		line        string
	}{
		{job: "tested", result: "UNSTABLE", reads: 1, total: 7, failed: 1,
			line: "build #1 finished UNSTABLE: 1 of 7 tests failed (a.b.CalcTest.divides: expected 4 but was 5): "},
		{job: "tested-ok", result: "SUCCESS", reads: 0, total: 3, line: "build #1 finished SUCCESS after 1s; 3 tests passed: "},
		{job: "tested-ok", result: "SUCCESS", report: true, reads: 1, total: 3, line: "3 tests passed"},
		{job: "deploy", result: "SUCCESS", reads: 0, line: "build #1 finished SUCCESS after 1s: "},
	} {
		synctest.Test(t, func(t *testing.T) {
			s := jenkinstest.Sample()
			s.StartInMemory()
			t.Cleanup(s.Close)
			sp := spec(t, s, tc.job, WaitEnd)
			sp.Timing, sp.Report = DefaultTiming, tc.report
			rc := &record{}
			res, err := Run(context.Background(), client(t, s), sp, rc.events())
			var re *ResultError
			switch {
			case tc.result == "SUCCESS" && err != nil:
				t.Fatalf("%s: %v", tc.job, err)
			case tc.result != "SUCCESS" && (!errors.As(err, &re) || !strings.HasPrefix(err.Error(), tc.line)):
				t.Errorf("%s: err = %v, want it to start %q", tc.job, err, tc.line)
			case tc.result == "SUCCESS" && rc.count(tc.line) != 1:
				t.Errorf("%s: no line with %q in %q", tc.job, tc.line, rc.progress)
			}
			reads := 0
			for _, r := range s.Requests() {
				if strings.Contains(r.Path, "/testReport/") {
					reads++
				}
			}
			if reads != tc.reads {
				t.Errorf("%s: %d test report reads, want %d", tc.job, reads, tc.reads)
			}
			switch {
			case tc.total == 0 && res.Tests != nil:
				t.Errorf("%s: tests %+v for a build without a report", tc.job, res.Tests)
			case tc.total > 0 && (res.Tests == nil || res.Tests.Total != tc.total || res.Tests.Failed != tc.failed):
				t.Errorf("%s: tests %+v, want %d with %d failed", tc.job, res.Tests, tc.total, tc.failed)
			case tc.failed > 0 && (len(res.Tests.Failures) != 1 || res.Tests.Failures[0] != (Failure{Suite: "a.b.CalcTest", Class: "a.b.CalcTest", Name: "divides", Message: "expected 4 but was 5"})):
				t.Errorf("%s: failures %+v", tc.job, res.Tests.Failures)
			}
			if (res.Report != nil) != (tc.reads == 1) {
				t.Errorf("%s: report %v, want it only when read", tc.job, res.Report != nil)
			}
		})
	}
}

func TestTestsSummary(t *testing.T) {
	t.Parallel()
	many := &Tests{Total: 70, Failed: 5, Failures: []Failure{{Class: "a.B", Name: "x", Message: "boom\nline two"}, {Class: "a.B", Name: "y"},
		{Name: "z", Message: "m"}, {Class: "a.B", Name: "w"}, {Class: "a.B", Name: "v"}}}
	for _, tc := range []struct {
		t    *Tests
		want string
	}{
		{&Tests{Total: 7}, "7 tests passed"},
		{&Tests{Total: 7, Skipped: 1}, "6 of 7 tests passed, 1 skipped"},
		{many, "5 of 70 tests failed (a.B.x: boom line two; a.B.y; z: m; and 2 more)"},
		{&Tests{Total: 3, Failed: 1}, "1 of 3 tests failed"},
	} {
		if got := tc.t.Summary(); got != tc.want {
			t.Errorf("Summary() = %q, want %q", got, tc.want)
		}
	}
}

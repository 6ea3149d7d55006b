package task

import (
	"context"
	"fmt"
	"strings"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// Tests are a build's test results, from the JUnit plugin's report. Field
// names are the --json keys.
type Tests struct {
	Total    int       `json:"total"`
	Failed   int       `json:"failed"`
	Skipped  int       `json:"skipped"`
	Failures []Failure `json:"failures,omitempty"` // the first maxFailures
}

// Failure is one failed test.
type Failure struct {
	Suite   string `json:"suite"`
	Class   string `json:"class"`
	Name    string `json:"name"`
	Message string `json:"message,omitempty"`
}

// maxFailures bounds the failures carried in a result; lineFailures how
// many the result line names.
const (
	maxFailures  = 50
	lineFailures = 3
)

// Summary is the tests' part of a result line: "1 of 7 tests failed
// (a.b.CalcTest.divides: expected 4 but was 5)", or the counts when none failed.
func (t *Tests) Summary() string {
	if t.Failed == 0 {
		passed := t.Total - t.Skipped
		if t.Skipped > 0 {
			return fmt.Sprintf("%d of %d tests passed, %d skipped", passed, t.Total, t.Skipped)
		}
		return fmt.Sprintf("%d tests passed", t.Total)
	}
	var names []string
	for i, f := range t.Failures {
		if i == lineFailures {
			break
		}
		n := f.Class + "." + f.Name
		if f.Class == "" {
			n = f.Name
		}
		if f.Message != "" {
			n += ": " + jenkins.Clean(f.Message, 120)
		}
		names = append(names, n)
	}
	if more := t.Failed - len(names); more > 0 && len(names) > 0 {
		names = append(names, fmt.Sprintf("and %d more", more))
	}
	s := fmt.Sprintf("%d of %d tests failed", t.Failed, t.Total)
	if len(names) > 0 {
		s += " (" + strings.Join(names, "; ") + ")"
	}
	return s
}

// readTests fills the result's tests from the build's test result action:
// the counts cost nothing (they come with the build's state); the report
// is read, once, only when a test failed or the whole report was asked for.
func (r *runner) readTests(ctx context.Context, b *jenkins.Build) error {
	counts := b.Tests()
	if counts == nil {
		return nil
	}
	t := &Tests{Total: counts.Total, Failed: counts.Failed, Skipped: counts.Skipped}
	r.res.Tests = t
	if counts.Failed == 0 && !r.spec.Report {
		return nil
	}
	rep, err := r.c.TestReport(ctx, r.spec.Trigger.Job, r.number)
	if err != nil || rep == nil {
		return err
	}
	r.res.Report = rep
	for _, su := range rep.Suites {
		for _, c := range su.Cases {
			if !c.Failed() || len(t.Failures) == maxFailures {
				continue
			}
			msg := ""
			if c.ErrorDetails != nil {
				msg = jenkins.Clean(*c.ErrorDetails, 500)
			}
			t.Failures = append(t.Failures, Failure{Suite: su.Name, Class: c.ClassName, Name: c.Name, Message: msg})
		}
	}
	return nil
}

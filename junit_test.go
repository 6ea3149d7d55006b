package main

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// The JUnit file is valid XML whatever the report holds (control
// characters, markup, quotes, non-ASCII), and keeps what can be kept.
func TestJUnitXMLHoldsAnyText(t *testing.T) {
	t.Parallel()
	hostile := "a\x00b\x1bc <x> & \"q\" ]]> ü 日本 \ufffe end"
	stack := "at x\n\tat y\r\n" + hostile
	rep := &jenkins.TestReport{Suites: []jenkins.TestSuite{{Name: hostile, Duration: 1.5, Cases: []jenkins.TestCase{
		{ClassName: "a.B", Name: hostile, Status: "FAILED", Duration: 1.5, ErrorDetails: &hostile, ErrorStackTrace: &stack},
		{ClassName: "a.B", Name: "skips", Status: "SKIPPED", Skipped: true, SkippedMessage: &hostile},
		{ClassName: "a.B", Name: "passes", Status: "PASSED"},
	}}}}
	b, found := junitXML([]task.Outcome{{Result: &task.Result{Job: "j", Number: 3, Report: rep}}})
	if !found {
		t.Fatal("no report found")
	}
	var doc junitSuites
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not valid XML: %v\n%s", err, b)
	}
	if doc.Tests != 3 || doc.Failures != 1 || doc.Skipped != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 3 {
		t.Fatalf("counts %+v", doc)
	}
	c := doc.Suites[0].Cases[0]
	if c.Failure == nil || !strings.Contains(c.Failure.Message, `<x> & "q" ]]> ü 日本`) || !strings.HasPrefix(c.Failure.Text, "at x\n\tat y\r\n") {
		t.Errorf("failure %+v", c.Failure)
	}
	if doc.Suites[0].Cases[1].Skipped == nil || doc.Suites[0].Cases[2].Failure != nil {
		t.Errorf("cases %+v", doc.Suites[0].Cases)
	}
	if _, found := junitXML([]task.Outcome{{Result: &task.Result{Job: "j"}}}); found {
		t.Error("a build without a report gave one")
	}
}

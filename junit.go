package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// The JUnit XML that --junit writes: the format Azure DevOps, TeamCity,
// GitLab, GitHub's test reporters and Jenkins itself read. encoding/xml
// escapes every string and replaces characters XML 1.0 cannot hold with
// U+FFFD, so any report gives a valid file.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr,omitempty"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func seconds(s float64) string { return strconv.FormatFloat(s, 'f', 3, 64) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// junitXML turns the reports of one or several builds into one JUnit file;
// with several, each suite's name starts with its job's.
func junitXML(outcomes []task.Outcome) ([]byte, bool) {
	doc := junitSuites{}
	var total float64
	found := 0
	for _, o := range outcomes {
		rep := o.Result.Report
		if rep == nil {
			continue
		}
		found++
		if doc.Name == "" {
			doc.Name = fmt.Sprintf("%s #%d", o.Result.Job, o.Result.Number)
		}
		for _, su := range rep.Suites {
			js := junitSuite{Name: su.Name, Time: seconds(su.Duration)}
			if len(outcomes) > 1 {
				js.Name = o.Result.Job + " / " + su.Name
			}
			for _, c := range su.Cases {
				jc := junitCase{ClassName: c.ClassName, Name: c.Name, Time: seconds(c.Duration)}
				switch {
				case c.Failed():
					jc.Failure = &junitMessage{Message: deref(c.ErrorDetails), Text: deref(c.ErrorStackTrace)}
					js.Failures++
				case c.Skipped || c.Status == "SKIPPED":
					jc.Skipped = &junitMessage{Message: deref(c.SkippedMessage)}
					js.Skipped++
				}
				js.Tests++
				js.Cases = append(js.Cases, jc)
			}
			doc.Tests += js.Tests
			doc.Failures += js.Failures
			doc.Skipped += js.Skipped
			total += su.Duration
			doc.Suites = append(doc.Suites, js)
		}
	}
	if found > 1 {
		doc.Name = ""
	}
	doc.Time = seconds(total)
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err) // plain structs of strings and numbers always marshal
	}
	return append([]byte(xml.Header), append(b, '\n')...), found > 0
}

// writeJUnit writes the test reports as JUnit XML to path (relative to dir),
// through a temporary file in the same folder, so no partial file is ever
// left under the final name. It reports whether there was any report.
func writeJUnit(dir, path string, outcomes []task.Outcome) (bool, error) {
	b, found := junitXML(outcomes)
	if !found {
		return false, nil
	}
	final := resolvePath(dir, path)
	f, err := os.CreateTemp(filepath.Dir(final), ".junit-*")
	if err != nil {
		return true, usagef("cannot write --junit %s: %v", path, cleanFSError(err))
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), final)
	}
	if werr != nil {
		_ = os.Remove(f.Name())
		return true, usagef("cannot write --junit %s: %v", path, cleanFSError(werr))
	}
	return true, nil
}

package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// printer writes the lines meant for people to stderr: prefixed, one line,
// plain ASCII, never in MSBuild's error/warning format.
type printer struct {
	w         io.Writer
	mu        *sync.Mutex // shared by the tagged printers of several jobs
	tag       string      // "[job] " when several jobs run
	quiet     bool
	tty       bool // stderr is a terminal: show a live status line
	statusLen int  // length of the status line on screen, 0 when none
}

// status shows a live status line on a terminal; in logs it shows nothing
// (heartbeats go through note instead).
func (p *printer) status(msg string) {
	if !p.tty || p.quiet {
		return
	}
	line := "jenkins-trigger: " + jenkins.Clean(msg, 150)
	pad := max(p.statusLen-len(line), 0)
	fmt.Fprint(p.w, "\r"+line+strings.Repeat(" ", pad))
	p.statusLen = len(line)
}

// endStatus clears the status line.
func (p *printer) endStatus() {
	if p.statusLen > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.statusLen)+"\r")
		p.statusLen = 0
	}
}

func (p *printer) fail(msg string)    { p.line(msg) }
func (p *printer) caution(msg string) { p.line("caution: " + msg) }
func (p *printer) always(msg string)  { p.line(msg) }

func (p *printer) note(msg string) {
	if !p.quiet {
		p.line(msg)
	}
}

func (p *printer) line(msg string) {
	if p.mu != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
	}
	p.endStatus()
	fmt.Fprintln(p.w, msbuildSafe("jenkins-trigger: "+p.tag+jenkins.Clean(msg, 2000)))
}

// tagged returns a printer for one of several jobs: its lines name the job,
// and it shows no live status line (several would fight over it).
// Call it only after p.mu is set.
func (p *printer) tagged(tag string) *printer {
	return &printer{w: p.w, mu: p.mu, tag: tag, quiet: p.quiet}
}

// MSBuild reads tool output for "origin: [subcategory] error|warning [code]: text"
// and gcc's "file:line:col: error: text", and fails the build on a match even
// when the exit code is 0 (dotnet/msbuild src/Shared/CanonicalError.cs). It
// scans the first 400 characters, ignoring case.
var msbuildCanonical = []*regexp.Regexp{
	// ^\s*((ORIGIN):|())(SUBCATEGORY: empty or "...? ")(error|warning)( CODE)?\s*:TEXT$
	regexp.MustCompile(`(?i)^\s*(?:(?:(?:(?:\d+>)?[a-zA-Z]?:[^:]*)|(?:[^:]*)):|)(?:|[^:]*? )(?:error|warning)(?: \s*[^: ]*)?\s*:.*$`),
	// file:line:col: error: text (clang/gcc)
	regexp.MustCompile(`(?i)^\s*.*:[0-9]*:[0-9]*:(?: error| warning):.*`),
}

func msbuildCanonicalMatch(line string) bool {
	if len(line) > 400 {
		line = line[:400]
	}
	for _, re := range msbuildCanonical {
		if re.MatchString(line) {
			return true
		}
	}
	return false
}

// msbuildSafe defuses a line MSBuild would read as an error or warning by
// turning colons into " -", from the first one after our prefix, until it no
// longer matches.
func msbuildSafe(line string) string {
	skip := 0
	if strings.HasPrefix(line, "jenkins-trigger:") {
		skip = len("jenkins-trigger:")
	}
	for i := 0; msbuildCanonicalMatch(line) && i < 20; i++ {
		j := strings.Index(line[skip:], ":")
		if j < 0 {
			break
		}
		j += skip
		line = line[:j] + " -" + line[j+1:]
	}
	return line
}

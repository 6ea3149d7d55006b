package jenkinstest

import (
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Script says how the builds of a job behave. A job without one never gets an
// executor: its items wait in the queue, which is how merging happens.
type Script struct {
	QueueFor  time.Duration // time waiting for an executor after the quiet period
	Why       []string      // the queue's why while waiting, each shown for an equal share of QueueFor
	Cancelled bool          // someone cancels the item instead of starting it
	Duration  time.Duration // how long the build runs
	Result    string        // SUCCESS when empty; any other text is passed through
	Log       []string      // console lines, revealed evenly over Duration; may carry "\r"
	Notes     bool          // lines carry hidden console notes (ESC[8mha:...ESC[0m), as since Jenkins 2.509
	Estimated time.Duration // estimatedDuration; 0 means unknown (-1 on the wire)
	Pipeline  bool          // a WorkflowRun rather than a FreeStyleBuild
	// StopsNeeded is how many of stop, term, kill it takes to end it: 1 (the
	// default) stops on stop; 3 only dies on kill.
	StopsNeeded int
	// LogBytes, when set, makes a synthetic console of that many bytes (64-byte
	// lines), generated as it is served, never held: for logs of gigabytes.
	LogBytes int64
	// Stages make it a Pipeline of stages (see Stage); Log, Duration and
	// Result follow from them.
	Stages []Stage
	// Artifacts are the files the build archives as it ends, by relative
	// path ("out/app.zip"), served as Jenkins serves them (artifactRoute).
	Artifacts map[string][]byte
	// ArtifactBytes are artifacts of that many bytes, generated as they are
	// served (byte i is i*7 mod 256), never held: for files of gigabytes.
	ArtifactBytes map[string]int64
	// Tests, when set, is the JUnit report the build publishes as it ends:
	// its test result action and {build}testReport/api/json, as the JUnit
	// plugin serves them (../shared/recordings, results.jsonl).
	Tests []TestSuite
}

// TestSuite is a suite of a build's JUnit report.
type TestSuite struct {
	Name  string
	Cases []TestCase
}

// TestCase is one test: Status PASSED, FAILED or SKIPPED; Message is the
// failure's errorDetails or the skip's message.
type TestCase struct {
	Class, Name, Status, Message, Stack string
	Duration                            time.Duration
}

// testCounts are the counts of a report: total, failed, skipped.
func testCounts(suites []TestSuite) (total, failed, skipped int) {
	for _, su := range suites {
		for _, c := range su.Cases {
			total++
			switch c.Status {
			case "FAILED", "REGRESSION":
				failed++
			case "SKIPPED":
				skipped++
			}
		}
	}
	return total, failed, skipped
}

// testReportJSON is {build}testReport/api/json as the JUnit plugin answers it.
func testReportJSON(suites []TestSuite) map[string]any {
	total, failed, skipped := testCounts(suites)
	var all float64
	out := []any{}
	for _, su := range suites {
		var d float64
		cases := []any{}
		for _, c := range su.Cases {
			cd := c.Duration.Seconds()
			d += cd
			var details, stack, skipMsg any
			switch c.Status {
			case "FAILED", "REGRESSION":
				details, stack = c.Message, c.Stack
			case "SKIPPED":
				skipMsg = c.Message
			}
			cases = append(cases, map[string]any{"className": c.Class, "name": c.Name, "status": c.Status, "duration": cd,
				"errorDetails": details, "errorStackTrace": stack, "skipped": c.Status == "SKIPPED", "skippedMessage": skipMsg})
		}
		all += d
		out = append(out, map[string]any{"name": su.Name, "duration": d, "cases": cases})
	}
	return map[string]any{"_class": "hudson.tasks.junit.TestResult", "duration": all, "empty": total == 0,
		"failCount": failed, "passCount": total - failed - skipped, "skipCount": skipped, "suites": out}
}

const synthLine = 64

// synthetic writes bytes [from, to) of a synthetic log, \n as \r\n.
func synthetic(w io.Writer, from, to int64) error {
	buf := make([]byte, 0, 64<<10)
	for i := from / synthLine; i*synthLine < to; i++ {
		line := fmt.Sprintf("line %010d of a long synthetic console log, padded to 64 b", i)
		line = line[:synthLine-1] + "\n"
		lo, hi := max(from-i*synthLine, 0), min(to-i*synthLine, synthLine)
		part := line[lo:hi]
		buf = append(buf, strings.ReplaceAll(part, "\n", "\r\n")...)
		if len(buf) > 60<<10 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err := w.Write(buf)
	return err
}

// syntheticSize is how much of a synthetic log exists at now.
func (b *Build) syntheticSize(now time.Time) int64 {
	total := b.script.LogBytes
	if !b.End.IsZero() || b.script.Duration <= 0 {
		return total
	}
	n := int64(float64(total) * float64(now.Sub(b.Start)) / float64(b.script.Duration))
	return min(n/synthLine*synthLine, total)
}

// Build is one run of a job.
type Build struct {
	Number   int
	QueueID  int64
	Job      string
	Start    time.Time
	End      time.Time // set when done
	Result   string    // set when done
	Stops    []string  // stop, term, kill requests received
	script   Script
	names    []string
	lines    [][]byte // the console lines with their notes, without "Finished"
	user     string
	params   map[string]string
	final    []byte    // the whole log once done
	abortAt  time.Time // when a stop takes effect (Server.StopTakes after it)
	pipeline bool
	pl       pipelineState
	// abortLine is the console line an ABORTED build ends with ("Aborted by builder" when empty).
	abortLine string
}

// queued item state, kept on QueueItem.
type itemState struct {
	due, startAt time.Time
	maintained   time.Time // the first queue maintenance after due
	job          *Job
	left         time.Time // zero while in the queue
	cancelled    bool
	gone         bool // lost in a controller restart
	build        *Build
	script       *Script
	names        []string
}

// freeAt reports whether every executor is busy at t and, if so, when the
// first one frees up. Call with s.mu held.
func (s *Server) freeAt(t time.Time) (time.Time, bool) {
	running := 0
	var free time.Time
	for _, j := range s.allJobs() {
		for _, b := range j.builds {
			if b.pipeline {
				continue // runs on a flyweight executor
			}
			end := b.End
			if end.IsZero() {
				end = b.Start.Add(b.script.Duration)
				if !b.abortAt.IsZero() && b.abortAt.Before(end) {
					end = b.abortAt
				}
			}
			if !b.Start.After(t) && end.After(t) {
				running++
				if free.IsZero() || end.Before(free) {
					free = end
				}
			}
		}
	}
	return free, running >= s.Executors
}

// advance moves items and builds along to now. Call with s.mu held.
func (s *Server) advance(now time.Time) {
	for {
		// The next item due to start, in start order.
		var q *QueueItem
		for _, x := range s.queue {
			if x.st.script != nil && x.st.left.IsZero() && !x.st.cancelled && !now.Before(x.st.startAt) &&
				(q == nil || x.st.startAt.Before(q.st.startAt)) {
				q = x
			}
		}
		if q == nil {
			break
		}
		if s.Executors > 0 && !q.st.script.Pipeline && len(q.st.script.Stages) == 0 { // a Pipeline needs no executor to start
			// All executors busy at its start: it waits for the first to free up.
			if free, busy := s.freeAt(q.st.startAt); busy {
				if free.After(now) {
					break
				}
				q.st.startAt = free
				continue
			}
		}
		q.st.left = q.st.startAt
		if q.st.script.Cancelled {
			q.st.cancelled = true
			continue
		}
		job, _ := s.lookupFull(q.Job)
		job.nextBuild++
		sc := *q.st.script
		prepareStages(&sc)
		b := &Build{Number: job.nextBuild, QueueID: q.ID, Job: q.Job, Start: q.st.startAt, script: sc,
			names: q.st.names, pipeline: sc.Pipeline, user: q.User, params: q.Params}
		b.lines = append(b.lines, []byte("Started by user "+SampleUser+"\n"))
		for i, l := range sc.Log {
			line := l + "\n"
			if sc.Notes && i%2 == 0 {
				line = "\x1b[8mha:AAAAWB+LCAAAAAAAAP9b85aBtbiIQSmjNKU4P08vOT+vOD8nVc8DzHWtSEgtKMnMz/PPyyxJTXEvys9L8cwrAfKBRcHFvr7cMAoBALKGHn9MAAAA\x1b[0m" + line
			}
			b.lines = append(b.lines, []byte(line))
		}
		job.builds = append(job.builds, b)
		q.st.build = b
	}
	for _, j := range s.allJobs() {
		for _, b := range j.builds {
			s.waitForNodes(b, now)
			b.pauseAtInputs(now)
			end, running := b.plannedEnd()
			if b.End.IsZero() && !b.abortAt.IsZero() && !now.Before(b.abortAt) && (!running || b.abortAt.Before(end)) {
				b.finish(b.abortAt, "ABORTED", b.revealed(b.abortAt))
				continue
			}
			if b.End.IsZero() && running && !now.Before(end) {
				result := b.script.Result
				if result == "" {
					result = "SUCCESS"
				}
				b.finish(end, result, len(b.lines))
			}
		}
	}
}

func (b *Build) finish(at time.Time, result string, lines int) {
	var log []byte
	for _, l := range b.lines[:lines] {
		log = append(log, l...)
	}
	if result == "ABORTED" {
		line := b.abortLine
		if line == "" {
			line = "Aborted by " + SampleUser
		}
		log = append(log, line+"\n"...)
	}
	b.final = append(log, "Finished: "+result+"\n"...)
	b.End, b.Result = at, result
}

// revealed is how many console lines a running build has written by now.
func (b *Build) revealed(now time.Time) int {
	if b.script.Duration <= 0 {
		return len(b.lines)
	}
	elapsed := now.Sub(b.Start)
	if len(b.script.Stages) > 0 {
		elapsed = b.elapsed(now)
	}
	n := 1 + int(float64(len(b.lines)-1)*float64(elapsed)/float64(b.script.Duration))
	return min(max(n, 1), len(b.lines))
}

func (b *Build) log(now time.Time) []byte {
	if !b.End.IsZero() {
		return b.final
	}
	var log []byte
	for _, l := range b.lines[:b.revealed(now)] {
		log = append(log, l...)
	}
	return log
}

func (s *Server) allJobs() []*Job {
	var out []*Job
	var walk func(map[string]*Job)
	walk = func(m map[string]*Job) {
		for _, j := range m {
			out = append(out, j)
			walk(j.Jobs)
		}
	}
	walk(s.Jobs)
	return out
}

// Restart simulates a controller restart: a new X-Jenkins-Session, the
// left-item cache lost, queue ids counting from 1 again; builds survive.
func (s *Server) Restart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.now())
	s.SessionHash = fmt.Sprintf("%08x", time.Now().UnixNano()&0xffffffff)
	for _, q := range s.queue {
		if !q.st.left.IsZero() {
			q.st.gone = true
		}
	}
	s.nextID = 1
}

// TruncateLog replaces the console of a job's running build with one short
// line, as log rotation or a truncation on the controller would.
func (s *Server) TruncateLog(full string, number int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	job, _ := s.lookupFull(full)
	for _, b := range job.builds {
		if b.Number == number {
			b.lines = [][]byte{[]byte("(log truncated)\n")}
		}
	}
}

// Builds returns copies of a job's builds.
func (s *Server) Builds(full string) []Build {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.now())
	job, _ := s.lookupFull(full)
	if job == nil {
		return nil
	}
	out := make([]Build, len(job.builds))
	for i, b := range job.builds {
		out[i] = *b
	}
	return out
}

// ConsoleBytes is how many bytes of console logs (by raw offset) were served.
func (s *Server) ConsoleBytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.consoleBytes
}

// CancelledItems counts queue items cancelled through /queue/cancelItem.
func (s *Server) CancelledItems() int {
	n := 0
	for _, r := range s.Requests() {
		if r.Path == "/queue/cancelItem" && r.Status == http.StatusNoContent {
			n++
		}
	}
	return n
}

// buildRoute serves {job}{number}/...
func (s *Server) buildRoute(w http.ResponseWriter, r *http.Request, c caller, job *Job, names []string, number string, rest []string) {
	n, err := strconv.Atoi(number)
	s.mu.Lock()
	s.advance(s.now())
	var b *Build
	for _, x := range job.builds {
		if job.Discard {
			break
		}
		switch {
		case err == nil && x.Number == n,
			number == "lastBuild",
			number == "lastCompletedBuild" && !x.End.IsZero(),
			number == "lastSuccessfulBuild" && (x.Result == "SUCCESS" || x.Result == "UNSTABLE"), // Jenkins: at least UNSTABLE
			number == "lastStableBuild" && x.Result == "SUCCESS",
			number == "lastFailedBuild" && x.Result == "FAILURE":
			b = x // the last match wins: builds are in number order
		}
	}
	s.mu.Unlock()
	if b == nil {
		s.notFound(w, r)
		return
	}
	if s.pipelineRoute(w, r, c, b, rest) {
		return
	}
	if len(rest) > 0 && rest[0] == "artifact" {
		s.artifactRoute(w, r, b, strings.Join(rest[1:], "/"))
		return
	}
	switch strings.Join(rest, "/") {
	case "api/json":
		s.mu.Lock()
		out := s.buildJSON(r, b, s.now())
		s.mu.Unlock()
		s.writeJSON(w, r, out)
	case "logText/progressiveText":
		s.progressiveText(w, r, b)
	case "testReport/api/json":
		s.mu.Lock()
		done := !b.End.IsZero()
		s.mu.Unlock()
		if !done || len(b.script.Tests) == 0 {
			// Published as the build ends; without one, a small "Not found"
			// page that refreshes to the build, without X-Jenkins.
			for _, k := range []string{"X-Jenkins", "X-Jenkins-Session", "X-Hudson"} {
				w.Header().Del(k)
			}
			w.Header().Set("Content-Type", "text/html;charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, "<html><head><meta http-equiv='refresh' content='1;url=..'/></head><body>\nNot found\n</body></html>")
			return
		}
		s.writeJSON(w, r, testReportJSON(b.script.Tests))
	case "consoleText":
		s.mu.Lock()
		log := stripNotes(b.log(s.now()))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		_, _ = w.Write(log)
	case "stop", "term", "kill":
		if r.Method != http.MethodPost {
			s.postRequired(w)
			return
		}
		s.mu.Lock()
		finished := !b.End.IsZero()
		s.mu.Unlock()
		// Stopping a finished build has nothing to do: Jenkins checks no permission.
		if c.user == nil || (c.user.NoBuild && !(finished && rest[0] == "stop")) {
			s.accessDenied(w, c.name, "missing the Job/Cancel permission", "hudson.model.Item.Cancel")
			return
		}
		buildURL := s.jobURL(r, names) + number + "/" // as asked for: a number or a permalink
		switch {
		case rest[0] != "stop" && !b.pipeline:
			// Not an action of a freestyle build: Stapler redirects to it as a page.
			w.Header().Set("Location", s.redirect(buildURL+rest[0]+"/"))
			w.WriteHeader(http.StatusFound)
			return
		case rest[0] != "stop" && s.Profile == Profile2372:
			// WorkflowRun#doTerm and #doKill: 200 with an empty body, no headers.
			s.mu.Lock()
			s.stop(b, rest[0], s.now())
			s.mu.Unlock()
			w.WriteHeader(http.StatusOK)
			return
		}
		// stop, and on 2.568.2 a Pipeline's term and kill too: 302 to the build.
		s.mu.Lock()
		s.stop(b, rest[0], s.now())
		s.mu.Unlock()
		w.Header().Set("Location", s.redirect(buildURL))
		w.WriteHeader(http.StatusFound)
	default:
		s.notFound(w, r)
	}
}

// stop applies stop, term or kill; it always answers 302, like Jenkins.
func (s *Server) stop(b *Build, action string, now time.Time) {
	b.Stops = append(b.Stops, action)
	if !b.End.IsZero() {
		return
	}
	need := max(b.script.StopsNeeded, 1)
	step := map[string]int{"stop": 1, "term": 2, "kill": 3}[action]
	if step >= need && b.abortAt.IsZero() {
		takes := s.StopTakes
		if !b.pipeline || action == "kill" {
			takes = 0 // a freestyle build's executor is interrupted at once; kill is at once
		}
		b.abortAt = now.Add(takes)
		if takes <= 0 {
			b.finish(now, "ABORTED", b.revealed(now))
		}
	}
}

func (s *Server) buildJSON(r *http.Request, b *Build, now time.Time) map[string]any {
	class := "hudson.model.FreeStyleBuild"
	if b.pipeline {
		class = "org.jenkinsci.plugins.workflow.job.WorkflowRun"
	}
	est := int64(-1)
	if b.script.Estimated > 0 {
		est = b.script.Estimated.Milliseconds()
	}
	out := map[string]any{"_class": class, "number": b.Number, "id": strconv.Itoa(b.Number), "url": s.jobURL(r, b.names) + strconv.Itoa(b.Number) + "/",
		"building": b.End.IsZero(), "inProgress": b.End.IsZero(), "result": nil, "duration": 0,
		"estimatedDuration": est, "timestamp": b.Start.UnixMilli(), "queueId": b.QueueID}
	if !b.End.IsZero() {
		out["result"] = b.Result
		out["duration"] = b.End.Sub(b.Start).Milliseconds()
		arts := []any{}
		names := slices.Collect(maps.Keys(b.script.Artifacts))
		for p := range b.script.ArtifactBytes {
			names = append(names, p)
		}
		slices.Sort(names)
		for _, p := range names {
			arts = append(arts, map[string]any{"displayPath": path.Base(p), "fileName": path.Base(p), "relativePath": p})
		}
		out["artifacts"] = arts
		if len(b.script.Tests) > 0 {
			total, failed, skipped := testCounts(b.script.Tests)
			out["actions"] = []any{map[string]any{"_class": "hudson.model.CauseAction"},
				map[string]any{"_class": "hudson.tasks.junit.TestResultAction", "failCount": failed, "skipCount": skipped,
					"totalCount": total, "urlName": "testReport"}, map[string]any{}}
		}
	}
	return out
}

// progressiveText is LargeText#doProgressText: X-Text-Size is the raw offset,
// X-More-Data is present only while the log may grow, a start past the end
// starts again from 0, and bare \n become \r\n in the body.
func (s *Server) progressiveText(w http.ResponseWriter, r *http.Request, b *Build) {
	start, err := strconv.ParseInt(r.URL.Query().Get("start"), 10, 64)
	if r.URL.Query().Get("start") == "" {
		start, err = 0, nil
	}
	if err != nil || (start < 0 && s.Profile == Profile2372) {
		s.oops(w, http.StatusInternalServerError)
		return
	}
	if b.script.LogBytes > 0 {
		s.mu.Lock()
		size, done := b.syntheticSize(s.now()), !b.End.IsZero()
		s.mu.Unlock()
		if start > size {
			start = 0
		}
		w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		w.Header().Set("X-Text-Size", strconv.FormatInt(size, 10))
		if !done {
			w.Header().Set("X-More-Data", "true")
		}
		s.mu.Lock()
		s.consoleBytes += size - start
		s.mu.Unlock()
		_ = synthetic(w, start, size)
		return
	}
	s.mu.Lock()
	now := s.now()
	raw := b.log(now)
	done := !b.End.IsZero()
	s.mu.Unlock()
	if start > int64(len(raw)) {
		start = 0
	}
	w.Header().Set("Content-Type", "text/plain;charset=utf-8")
	w.Header().Set("X-Text-Size", strconv.Itoa(len(raw)))
	if start < 0 { // 2.568.2: an empty answer (2.372: 500, above)
		w.WriteHeader(http.StatusOK)
		return
	}
	s.mu.Lock()
	s.consoleBytes += int64(len(raw)) - start
	s.mu.Unlock()
	chunk := raw[start:]
	if s.Profile == Profile2372 {
		chunk = stripNotes(chunk) // 2.372 hides the notes; 2.568.2 sends them, offsets count them in both
	}
	body := strings.ReplaceAll(strings.ReplaceAll(string(chunk), "\r\n", "\n"), "\n", "\r\n")
	if !done {
		w.Header().Set("X-More-Data", "true")
	}
	_, _ = w.Write([]byte(body))
}

func stripNotes(b []byte) []byte {
	var out []byte
	for {
		i := strings.Index(string(b), "\x1b[8mha:")
		if i < 0 {
			return append(out, b...)
		}
		j := strings.Index(string(b[i:]), "\x1b[0m")
		if j < 0 {
			return append(out, b...)
		}
		out = append(out, b[:i]...)
		b = b[i+j+4:]
	}
}

// cancelItem is Queue#doCancelItem: 204, 404 for an unknown id, 500 for an
// item that has already left the queue.
func (s *Server) cancelItem(w http.ResponseWriter, r *http.Request, c caller) {
	if r.Method != http.MethodPost {
		s.postRequired(w)
		return
	}
	id, _ := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
	s.mu.Lock()
	s.advance(s.now())
	item := s.findItem(id)
	switch {
	case item == nil:
		s.mu.Unlock()
		s.oops(w, http.StatusNotFound)
	case c.user != nil && c.user.NoBuild:
		s.mu.Unlock()
		s.oops(w, 422)
	case !item.st.left.IsZero() || item.st.cancelled:
		s.mu.Unlock()
		s.oops(w, http.StatusInternalServerError)
	default:
		item.st.cancelled = true
		item.st.left = s.now()
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}
}

// findItem finds a queue item Jenkins still knows. Call with s.mu held.
func (s *Server) findItem(id int64) *QueueItem {
	for i := len(s.queue) - 1; i >= 0; i-- {
		q := s.queue[i]
		if q.ID != id || q.st.gone {
			continue
		}
		if !q.st.left.IsZero() && s.now().Sub(q.st.left) > s.LeftRetention {
			return nil // the left-items cache expired it
		}
		return q
	}
	return nil
}

func (s *Server) queueItemJSON(r *http.Request, q *QueueItem, now time.Time) map[string]any {
	names := strings.Split(q.Job, "/")
	out := map[string]any{"id": q.ID, "inQueueSince": q.Created.UnixMilli(), "url": fmt.Sprintf("queue/item/%d/", q.ID),
		"blocked": false, "buildable": false, "stuck": false, "params": "",
		"task": map[string]any{"_class": projectClass(q.st.job), "name": names[len(names)-1], "url": s.jobURL(r, names)}}
	switch {
	case !q.st.left.IsZero():
		out["_class"] = "hudson.model.Queue$LeftItem"
		out["cancelled"] = q.st.cancelled
		out["why"] = nil
		out["executable"] = nil
		if b := q.st.build; b != nil {
			out["executable"] = map[string]any{"_class": buildClass(b.pipeline), "number": b.Number,
				"url": s.jobURL(r, b.names) + strconv.Itoa(b.Number) + "/"}
		}
	case now.Before(q.st.due):
		out["_class"] = "hudson.model.Queue$WaitingItem"
		out["timestamp"] = q.st.due.UnixMilli()
		out["why"] = "In the quiet period. Expires in " + timeSpan(q.st.due.Sub(now))
	case now.Before(q.st.maintained):
		out["_class"] = "hudson.model.Queue$WaitingItem"
		out["timestamp"] = q.st.due.UnixMilli()
		out["why"] = "Finished waiting"
	default:
		out["_class"] = "hudson.model.Queue$BuildableItem"
		out["buildable"] = true
		out["why"] = "Waiting for next available executor"
		if sc := q.st.script; sc != nil && len(sc.Why) > 0 && sc.QueueFor > 0 {
			i := int(float64(len(sc.Why)) * float64(now.Sub(q.st.due)) / float64(sc.QueueFor))
			out["why"] = sc.Why[min(max(i, 0), len(sc.Why)-1)]
		}
	}
	return out
}

// actions is how Jenkins exports an item's or a build's causes and parameters.
func actions(user string, params map[string]string) []map[string]any {
	cause := map[string]any{"_class": "hudson.model.Cause$UserIdCause", "shortDescription": "Started by user " + user, "userId": user}
	if user == "" {
		cause = map[string]any{"_class": "hudson.model.Cause$RemoteCause", "shortDescription": "Started by remote host 127.0.0.1"}
	}
	out := []map[string]any{{"_class": "hudson.model.CauseAction", "causes": []map[string]any{cause}}}
	if len(params) > 0 {
		var ps []map[string]any
		for _, k := range slices.Sorted(maps.Keys(params)) {
			ps = append(ps, map[string]any{"name": k, "value": params[k]})
		}
		out = append(out, map[string]any{"_class": "hudson.model.ParametersAction", "parameters": ps})
	}
	return out
}

// queueJSON is GET queue/api/json: the items still in the queue that the caller may read.
func (s *Server) queueJSON(w http.ResponseWriter, r *http.Request, c caller) {
	s.mu.Lock()
	now := s.now()
	s.advance(now)
	items := []map[string]any{}
	for _, q := range s.queue {
		if !q.st.left.IsZero() || q.st.gone || !s.canRead(c) {
			continue
		}
		item := s.queueItemJSON(r, q, now)
		item["actions"] = actions(q.User, q.Params)
		items = append(items, item)
	}
	if s.canRead(c) {
		items = append(items, s.placeholders()...)
	}
	s.mu.Unlock()
	s.writeJSON(w, r, map[string]any{"_class": "hudson.model.Queue", "items": items})
}

// timeSpan is Jenkins' Util.getTimeSpanString, as the quiet period's countdown
// shows it: "9 min 59 sec", "29 sec", "4.9 sec", "4 sec", "0.88 sec", "26 ms".
func timeSpan(d time.Duration) string {
	ms := d.Milliseconds()
	switch {
	case ms >= 60_000:
		return fmt.Sprintf("%d min %d sec", ms/60_000, ms%60_000/1000)
	case ms >= 10_000:
		return fmt.Sprintf("%d sec", ms/1000)
	case ms >= 1000:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", math.Floor(float64(ms)/100)/10), "0"), ".") + " sec"
	case ms >= 100:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", math.Floor(float64(ms)/10)/100), "0"), ".") + " sec"
	}
	return fmt.Sprintf("%d ms", ms)
}

// artifactRoute is {build}artifact/PATH as Jenkins answers it (results.jsonl):
// GET and HEAD of a finished build's file, Accept-Ranges: bytes, one range
// "bytes=N-M" or "bytes=N-" answered 206 with Content-Range, a suffix or
// several ranges answered 200 with the whole file, a start past the end 500;
// anything else 404.
func (s *Server) artifactRoute(w http.ResponseWriter, r *http.Request, b *Build, rel string) {
	s.mu.Lock()
	done := !b.End.IsZero()
	s.mu.Unlock()
	data, ok := b.script.Artifacts[rel]
	size := int64(len(data))
	if n, synth := b.script.ArtifactBytes[rel]; synth {
		ok, size = true, n
	}
	if !done || !ok {
		s.notFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.postRequired(w)
		return
	}
	h := w.Header()
	for _, k := range []string{"X-Jenkins", "X-Jenkins-Session", "X-Hudson"} {
		h.Del(k) // Jenkins serves a file without them
	}
	h.Set("Accept-Ranges", "bytes")
	switch path.Ext(rel) {
	case ".txt":
		h.Set("Content-Type", "text/plain")
	case ".zip":
		h.Set("Content-Type", "application/zip")
	default:
		h.Set("Content-Type", "application/octet-stream")
	}
	modified := b.End.UTC().Truncate(time.Second)
	h.Set("Last-Modified", modified.Format(http.TimeFormat))
	if since, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !modified.After(since) {
		h.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	from, to, ranged := int64(0), size-1, false
	if spec, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes="); ok && !strings.Contains(spec, ",") && !strings.HasPrefix(spec, "-") {
		a, z, _ := strings.Cut(spec, "-")
		start, err := strconv.ParseInt(a, 10, 64)
		end := size - 1
		if z != "" {
			if e, err2 := strconv.ParseInt(z, 10, 64); err2 == nil && e < end {
				end = e
			}
		}
		switch {
		case err != nil:
		case start >= size:
			h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, size-1, size))
			s.oops(w, http.StatusInternalServerError) // Jenkins' own answer to a range past the end
			return
		default:
			from, to, ranged = start, end, true
		}
	}
	h.Set("Content-Length", strconv.FormatInt(to-from+1, 10))
	if ranged {
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, to, size))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	switch {
	case r.Method != http.MethodGet:
	case data != nil:
		_, _ = w.Write(data[from : to+1])
	default:
		// byte i is i*7 mod 256: a pattern of period 256, written from one
		// block, so serving costs little CPU next to the client measured.
		const block = 256 << 10
		pattern := make([]byte, block+256)
		for i := range pattern {
			pattern[i] = byte(i * 7)
		}
		for off := from; off <= to; {
			n := min(int64(block), to+1-off)
			start := off % 256
			if _, err := w.Write(pattern[start : start+n]); err != nil {
				return
			}
			off += n
		}
	}
}

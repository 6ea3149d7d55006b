package jenkinstest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Stage is one stage of a scripted Pipeline (Script.Stages). The stages run
// one after the other, each for its Duration; the build's Duration is their
// sum up to the stage that ends it. A Stage without a Name stands for steps
// outside any stage: wfapi does not list it.
type Stage struct {
	Name     string
	Duration time.Duration
	Log      []string
	// Fail ends the build FAILURE at the end of this stage, with this error
	// ("boom" gives the console line "ERROR: boom"); later stages do not run.
	Fail string
	// Input pauses the build when this stage starts, until it is approved
	// (the stage then runs) or aborted (the build ends ABORTED).
	Input *InputStep
	// Node makes the stage a node block: it needs an executor, and while all
	// are busy (Server.Executors) it waits as a queue item "part of JOB #N".
	Node bool
}

// InputStep is an input step: input(message: Message, id: ID, ok: "Yes").
type InputStep struct {
	ID, Message string
	Params      []string // names of its parameters; approving needs values for them
}

// pipelineState is what a build with stages keeps about them.
type pipelineState struct {
	pausedSince time.Time // waiting for its input or an executor since then; zero when not
	paused      *InputStep
	nodeWait    int64             // the placeholder item's queue id while a node block waits for an executor
	settled     map[string]string // input id -> "approved" or "rejected"
	nodesDone   int               // node blocks that got an executor
	shift       time.Duration     // time spent paused, added to the stages' times
}

// prepareStages fills in a staged Pipeline's log lines and duration.
func prepareStages(sc *Script) {
	if len(sc.Stages) == 0 {
		return
	}
	var total time.Duration
	var log []string
	log = append(log, "[Pipeline] Start of Pipeline")
	failed := false
	for _, st := range sc.Stages {
		total += st.Duration
		if st.Name != "" {
			log = append(log, "[Pipeline] stage", "[Pipeline] { ("+st.Name+")")
		}
		if st.Input != nil {
			log = append(log, "[Pipeline] input", st.Input.Message, "Yes or Abort")
		}
		log = append(log, st.Log...)
		if st.Name != "" {
			log = append(log, "[Pipeline] }", "[Pipeline] // stage")
		}
		if st.Fail != "" {
			log = append(log, "[Pipeline] End of Pipeline", "ERROR: "+st.Fail)
			failed = true
			break
		}
	}
	if !failed {
		log = append(log, "[Pipeline] End of Pipeline")
	} else if sc.Result == "" {
		sc.Result = "FAILURE"
	}
	sc.Log, sc.Duration, sc.Pipeline, sc.Notes = log, total, true, true
}

// stageTimes are each stage's start and end offsets from the build's start,
// counting time paused at inputs; only the stages that run.
func (b *Build) stageTimes() (starts, ends []time.Duration) {
	var at time.Duration
	for _, st := range b.script.Stages {
		starts = append(starts, at)
		at += st.Duration
		ends = append(ends, at)
		if st.Fail != "" {
			break
		}
	}
	return starts, ends
}

// elapsed is how far the build's stages have got at now.
func (b *Build) elapsed(now time.Time) time.Duration {
	if !b.End.IsZero() {
		now = b.End
	}
	e := now.Sub(b.Start) - b.pl.shift
	if !b.pl.pausedSince.IsZero() {
		e -= now.Sub(b.pl.pausedSince)
	}
	return e
}

// pauseAtInputs stops a staged build at the first unsettled input it reached.
// Call with s.mu held, before finishing builds.
func (b *Build) pauseAtInputs(now time.Time) {
	if len(b.script.Stages) == 0 || !b.End.IsZero() || !b.pl.pausedSince.IsZero() {
		return
	}
	starts, _ := b.stageTimes()
	for i, st := range b.script.Stages[:len(starts)] {
		if st.Input == nil || b.pl.settled[st.Input.ID] != "" {
			continue
		}
		at := b.Start.Add(starts[i] + b.pl.shift)
		if !now.Before(at) {
			b.pl.pausedSince, b.pl.paused = at, st.Input
			return
		}
	}
}

// waitForNodes holds a staged build at the start of a node block while every
// executor is busy, and lets it go on when one frees up. Call with s.mu held.
func (s *Server) waitForNodes(b *Build, now time.Time) {
	if len(b.script.Stages) == 0 || !b.End.IsZero() || s.Executors <= 0 {
		return
	}
	if b.pl.nodeWait != 0 {
		if free, busy := s.freeAt(now); !busy || !free.After(now) {
			b.pl.shift += now.Sub(b.pl.pausedSince)
			b.pl.pausedSince, b.pl.nodeWait = time.Time{}, 0
			b.pl.nodesDone++
		}
		return
	}
	if !b.pl.pausedSince.IsZero() {
		return
	}
	starts, _ := b.stageTimes()
	node := 0
	for i, st := range b.script.Stages[:len(starts)] {
		if !st.Node {
			continue
		}
		node++
		if node <= b.pl.nodesDone {
			continue
		}
		at := b.Start.Add(starts[i] + b.pl.shift)
		if now.Before(at) {
			return
		}
		// Every node block goes through the queue as a placeholder task, so
		// it takes a queue id even when an executor is free at once.
		if _, busy := s.freeAt(at); busy {
			b.pl.pausedSince, b.pl.nodeWait = at, s.nextID
		} else {
			b.pl.nodesDone++
		}
		s.nextID++
		return
	}
}

// placeholders are the queue items of node blocks waiting for an executor.
func (s *Server) placeholders() []map[string]any {
	var out []map[string]any
	for _, j := range s.allJobs() {
		for _, b := range j.builds {
			if b.pl.nodeWait == 0 {
				continue
			}
			url := strings.TrimPrefix(s.jobPath(b.names), s.Context+"/") + strconv.Itoa(b.Number) + "/"
			out = append(out, map[string]any{"_class": "hudson.model.Queue$BuildableItem", "id": b.pl.nodeWait, "blocked": false,
				"buildable": true, "stuck": false, "why": "Waiting for next available executor", "inQueueSince": b.pl.pausedSince.UnixMilli(),
				"task": map[string]any{"_class": "org.jenkinsci.plugins.workflow.support.steps.ExecutorStepExecution$PlaceholderTask",
					"name": "part of " + b.Job + " #" + strconv.Itoa(b.Number), "url": url}})
		}
	}
	return out
}

// settle approves or rejects the input the build waits at.
func (s *Server) settle(b *Build, approve bool, now time.Time) {
	id := b.pl.paused.ID
	if b.pl.settled == nil {
		b.pl.settled = map[string]string{}
	}
	b.pl.shift += now.Sub(b.pl.pausedSince)
	b.pl.pausedSince, b.pl.paused = time.Time{}, nil
	if approve {
		b.pl.settled[id] = "approved" // the pause is in shift: the stages go on from here
		return
	}
	b.pl.settled[id] = "rejected"
	b.abortLine = "Rejected by " + SampleUser
	b.finish(now, "ABORTED", b.revealed(now))
}

// plannedEnd is when the build ends by itself; false while it waits at an input.
func (b *Build) plannedEnd() (time.Time, bool) {
	if !b.pl.pausedSince.IsZero() {
		return time.Time{}, false
	}
	return b.Start.Add(b.script.Duration + b.pl.shift), true
}

// jobPath is a job's URL as a path, as wfapi's links give it.
func (s *Server) jobPath(names []string) string {
	var sb strings.Builder
	sb.WriteString(s.Context + "/")
	for _, n := range names {
		sb.WriteString("job/" + rawEncode(n) + "/")
	}
	return sb.String()
}

// wfapiStatus is a run's or stage's status as the Pipeline REST API says it.
func wfapiStatus(result string) string {
	switch result {
	case "SUCCESS":
		return "SUCCESS"
	case "FAILURE":
		return "FAILED"
	case "":
		return "IN_PROGRESS"
	}
	return result // UNSTABLE, ABORTED, NOT_BUILT
}

// describe is {build}wfapi/describe.
func (s *Server) describe(r *http.Request, b *Build, now time.Time) map[string]any {
	self := s.jobPath(b.names) + strconv.Itoa(b.Number) + "/"
	links := map[string]any{"self": map[string]any{"href": self + "wfapi/describe"}}
	status := wfapiStatus(b.Result)
	if b.pl.paused != nil {
		status = "PAUSED_PENDING_INPUT"
		links["pendingInputActions"] = map[string]any{"href": self + "wfapi/pendingInputActions"}
	}
	end := now
	if !b.End.IsZero() {
		end = b.End
	}
	out := map[string]any{"_links": links, "id": strconv.Itoa(b.Number), "name": "#" + strconv.Itoa(b.Number), "status": status,
		"startTimeMillis": b.Start.UnixMilli(), "endTimeMillis": end.UnixMilli(), "durationMillis": end.Sub(b.Start).Milliseconds(),
		"queueDurationMillis": 3, "pauseDurationMillis": b.pl.shift.Milliseconds()}
	stages := []map[string]any{}
	elapsed := b.elapsed(now)
	starts, ends := b.stageTimes()
	for i := range starts {
		st := b.script.Stages[i]
		if elapsed < starts[i] && b.End.IsZero() {
			break
		}
		if st.Name == "" {
			continue
		}
		stStatus := "IN_PROGRESS"
		switch {
		case b.pl.paused != nil && st.Input == b.pl.paused:
			stStatus = "PAUSED_PENDING_INPUT"
		case elapsed >= ends[i] && st.Fail != "":
			stStatus = "FAILED"
		case elapsed >= ends[i]:
			stStatus = "SUCCESS"
		case !b.End.IsZero():
			stStatus = wfapiStatus(b.Result) // ended inside this stage (stopped, rejected)
		}
		dur := min(max(elapsed-starts[i], 0), st.Duration)
		id := strconv.Itoa(4 + 6*i)
		stage := map[string]any{"_links": map[string]any{"self": map[string]any{"href": self + "execution/node/" + id + "/wfapi/describe"}},
			"id": id, "name": st.Name, "execNode": "", "status": stStatus,
			"startTimeMillis": b.Start.Add(starts[i]).UnixMilli(), "durationMillis": dur.Milliseconds(), "pauseDurationMillis": 0}
		if stStatus == "FAILED" {
			stage["error"] = map[string]any{"message": st.Fail, "type": "hudson.AbortException"}
		}
		stages = append(stages, stage)
	}
	out["stages"] = stages
	return out
}

// graphTree is Pipeline Graph View's {build}stages/tree data, modelled on
// its source (AbstractPipelineViewAction#getTree, PipelineStage, PipelineState):
// the stages with lower-case states, and whether the run is complete.
func (s *Server) graphTree(b *Build, now time.Time) map[string]any {
	d := s.describe(nil, b, now)
	states := map[string]string{"IN_PROGRESS": "running", "PAUSED_PENDING_INPUT": "paused", "SUCCESS": "success",
		"FAILED": "failure", "UNSTABLE": "unstable", "ABORTED": "aborted", "NOT_BUILT": "not_built"}
	stages := []map[string]any{}
	for _, st := range d["stages"].([]map[string]any) {
		stages = append(stages, map[string]any{"id": st["id"], "name": st["name"], "title": "", "type": "STAGE",
			"state": states[st["status"].(string)], "startTimeMillis": st["startTimeMillis"], "totalDurationMillis": st["durationMillis"],
			"pauseDurationMillis": 0, "children": []any{}, "seqContainerName": nil, "nextSibling": nil, "isSequential": false,
			"synthetic": false, "agent": nil, "url": s.jobPath(b.names) + strconv.Itoa(b.Number) + "/pipeline-console?selected-node=" + st["id"].(string)})
	}
	return map[string]any{"stages": stages, "complete": !b.End.IsZero()}
}

// pendingInputs is {build}wfapi/pendingInputActions.
func (s *Server) pendingInputs(b *Build) []map[string]any {
	out := []map[string]any{}
	if in := b.pl.paused; in != nil {
		self := s.jobPath(b.names) + strconv.Itoa(b.Number) + "/"
		inputs := []map[string]any{}
		for _, p := range in.Params {
			inputs = append(inputs, map[string]any{"type": "StringParameterDefinition", "name": p, "description": "", "definition": map[string]any{}})
		}
		out = append(out, map[string]any{"id": in.ID, "proceedText": "Yes", "message": in.Message, "inputs": inputs,
			"proceedUrl": self + "wfapi/inputSubmit?inputId=" + in.ID, "abortUrl": self + "input/" + in.ID + "/abort",
			"redirectApprovalUrl": self + "input/"})
	}
	return out
}

// pipelineRoute serves wfapi and input under a build; ok is false when the
// path is not one of them.
func (s *Server) pipelineRoute(w http.ResponseWriter, r *http.Request, c caller, b *Build, rest []string) bool {
	path := strings.Join(rest, "/")
	switch {
	case strings.HasPrefix(path, "wfapi/") && (s.NoWfapi || !b.pipeline),
		path == "stages/tree" && (s.NoGraphView || !b.pipeline):
		s.notFound(w, r)
	case path == "stages/tree":
		s.mu.Lock()
		now := s.now()
		s.advance(now)
		out := s.graphTree(b, now)
		s.mu.Unlock()
		s.writePluginJSON(w, r, map[string]any{"status": "ok", "data": out})
	case path == "wfapi/describe":
		s.mu.Lock()
		now := s.now()
		s.advance(now)
		out := s.describe(r, b, now)
		s.mu.Unlock()
		s.writePluginJSON(w, r, out)
	case path == "wfapi/pendingInputActions" || path == "wfapi/nextPendingInputAction":
		s.mu.Lock()
		s.advance(s.now())
		out := s.pendingInputs(b)
		s.mu.Unlock()
		if path == "wfapi/pendingInputActions" {
			s.writePluginJSON(w, r, out)
			return true
		}
		if len(out) == 0 {
			s.notFound(w, r)
			return true
		}
		s.writePluginJSON(w, r, out[0])
	case len(rest) == 3 && rest[0] == "input" && (rest[2] == "proceedEmpty" || rest[2] == "abort"):
		if r.Method != http.MethodPost {
			s.postRequired(w)
			return true
		}
		s.mu.Lock()
		now := s.now()
		s.advance(now)
		waiting := b.pl.paused != nil && b.pl.paused.ID == rest[1] // the id is case-sensitive
		s.mu.Unlock()
		switch {
		case !waiting:
			s.notFound(w, r) // 2.372: a bare Jetty page; 2.568.2: Jenkins' own
		case c.user == nil || c.user.NoBuild:
			// InputStepExecution answers 400, not 403, to a user without the permission.
			msg := "You need to have Job/Build permissions to submit this."
			if rest[2] == "abort" {
				msg = "You need to have Job/Cancel permissions to cancel this."
			}
			s.advertise(w)
			w.Header().Set("Content-Type", "text/html;charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("<html><head><title>Error [Jenkins]</title></head><body><h1>Error</h1><p>" + msg + "</p></body></html>"))
		default:
			s.mu.Lock()
			s.settle(b, rest[2] == "proceedEmpty", now)
			s.mu.Unlock()
			w.WriteHeader(http.StatusOK) // an empty body
		}
	default:
		return false
	}
	return true
}

// writePluginJSON is JSON written by a plugin's own servlet code (wfapi): no
// X-Jenkins headers, unlike Stapler's remote API.
func (s *Server) writePluginJSON(w http.ResponseWriter, r *http.Request, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

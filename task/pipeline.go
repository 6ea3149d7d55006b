package task

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// InputPolicy says what to do when a Pipeline waits at an input step.
type InputPolicy int

// Input policies.
const (
	InputWait    InputPolicy = iota // keep waiting, bounded by the timeout
	InputFail                       // end with ErrWaitsForInput; the build stays paused
	InputAbort                      // abort the input, then follow the build to its end
	InputProceed                    // approve an input without parameters
)

// ErrWaitsForInput is a build paused at an input step that the run did not
// answer (InputFail, or InputProceed with an input that asks for values).
var ErrWaitsForInput = errors.New("build waits for input")

// InputResult says that the build waited for input and what became of it.
type InputResult struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Outcome string `json:"outcome"` // waiting, approved, aborted, settled (by somebody else)
}

// stageSource is where stages are read from: the best the controller has,
// found once per run.
type stageSource int

const (
	sourceUnknown stageSource = iota
	sourceGraph               // Pipeline Graph View: {build}stages/tree
	sourceWfapi               // the Pipeline REST API: {build}wfapi/describe
)

// stageWatch follows a Pipeline's stages and inputs through the best source
// the controller has (Pipeline Graph View, else the Pipeline REST API), one
// request per poll, found once; with neither, it is left alone.
type stageWatch struct {
	r       *runner
	source  stageSource
	off     bool              // no stage source on this controller
	seen    map[string]string // stage id -> last status
	current string            // the stage running now
	failed  *jenkins.Stage    // the last stage that ended other than SUCCESS
	input   *jenkins.PendingInput
	node    string    // why a node block waits for an executor; "" when it does not
	nodeAt  time.Time // when to look in the queue for a waiting node block next
}

// stages reads the run's stages from the source found, finding it first.
func (w *stageWatch) stages(ctx context.Context) (*jenkins.Run, error) {
	r := w.r
	if w.source == sourceUnknown || w.source == sourceGraph {
		run, err := r.c.GraphTree(ctx, r.spec.Trigger.Job, r.number)
		if !errors.Is(err, jenkins.ErrNoStages) {
			w.source = sourceGraph
			return run, err
		}
		if w.source == sourceGraph {
			return nil, err
		}
	}
	run, err := r.c.Describe(ctx, r.spec.Trigger.Job, r.number)
	if err == nil {
		w.source = sourceWfapi
	}
	return run, err
}

// checkNode looks in the queue, every few polls and at every poll while one
// waits, for a node block of the build that waits for an executor: the build
// then runs but its steps do not.
func (w *stageWatch) checkNode(ctx context.Context) error {
	r := w.r
	if w.node == "" && time.Now().Before(w.nodeAt) {
		return nil
	}
	w.nodeAt = time.Now().Add(3 * r.t.PollMax)
	why, err := r.c.NodeWait(ctx, r.spec.Trigger.Job, r.number)
	if err != nil {
		return ctx.Err() // best effort, as stage tracking
	}
	switch {
	case why != "" && w.node == "":
		r.progress("build #%d runs, but a node block waits for an executor: %s", r.number, why)
	case why == "" && w.node != "":
		r.progress("build #%d got an executor for its node block", r.number)
	}
	w.node = why
	return nil
}

// poll reads the run's stages and inputs, says what changed, and applies the
// input policy. Only the context's end and the policy's outcomes are errors:
// stage tracking never fails a run.
func (w *stageWatch) poll(ctx context.Context) error {
	if w.off {
		return nil
	}
	r := w.r
	run, err := w.stages(ctx)
	switch {
	case errors.Is(err, jenkins.ErrNoStages):
		w.off = true
		r.detail("this Jenkins has neither Pipeline Graph View nor the Pipeline REST API (wfapi): stages and input steps are not followed")
		return nil
	case err != nil:
		return ctx.Err()
	}
	if w.seen == nil {
		w.seen = map[string]string{}
	}
	w.current = ""
	for _, st := range run.Stages {
		prev, known := w.seen[st.ID]
		w.seen[st.ID] = st.Status
		if !known {
			r.progress("stage %q started", st.Name)
		}
		switch {
		case !st.Ended():
			w.current = st.Name
		case !known || !(jenkins.Stage{Status: prev}).Ended():
			d := round(time.Duration(st.DurationMillis) * time.Millisecond)
			if st.Status == "SUCCESS" {
				r.progress("stage %q finished after %s", st.Name, d)
			} else {
				r.progress("stage %q %s after %s", st.Name, st.Status, d)
				w.failed = &st
			}
		}
	}
	if run.Status != "PAUSED_PENDING_INPUT" {
		if w.input != nil && r.res.Input != nil && r.res.Input.Outcome == "waiting" {
			r.res.Input.Outcome = "settled"
		}
		w.input = nil
		return nil
	}
	return w.paused(ctx)
}

// paused says once that the build waits for input, and applies the policy.
func (w *stageWatch) paused(ctx context.Context) error {
	r := w.r
	if w.input != nil {
		return nil // said already, policy applied
	}
	ins, err := r.c.PendingInputs(ctx, r.spec.Trigger.Job, r.number)
	if errors.Is(err, jenkins.ErrNoStages) {
		// Pipeline Graph View shows the pause but not the input: without wfapi
		// its id and message are unknown, so it can only be answered in Jenkins.
		ins, err = []jenkins.PendingInput{{Message: "(unknown without the Pipeline REST API)"}}, nil
	}
	if err != nil || len(ins) == 0 {
		return ctx.Err()
	}
	in := ins[0]
	w.input = &in
	r.res.Input = &InputResult{ID: in.ID, Message: in.Message, Outcome: "waiting"}
	where := r.buildU + "input/"
	if in.ID == "" {
		r.progress("build #%d waits for an input step: approve or abort at %s", r.number, where)
	} else {
		r.progress("build #%d waits for input %q (id %s): approve or abort at %s", r.number, jenkins.Clean(in.Message, 100), jenkins.Clean(in.ID, 60), where)
	}
	switch {
	case in.ID == "" && r.spec.OnInput != InputWait:
		return newOutcome(fmt.Sprintf("build #%d waits for an input step that cannot be answered from here without the Pipeline REST API (wfapi); it stays paused: answer it at %s",
			r.number, where), ErrWaitsForInput)
	case in.ID == "":
		return nil
	}
	switch r.spec.OnInput {
	case InputFail:
		return newOutcome(fmt.Sprintf("build #%d waits for input %q (id %s), and failing on an input was asked for; it stays paused: approve or abort it at %s",
			r.number, jenkins.Clean(in.Message, 100), jenkins.Clean(in.ID, 60), where), ErrWaitsForInput)
	case InputProceed:
		if len(in.Inputs) > 0 {
			var names []string
			for _, p := range in.Inputs {
				names = append(names, p.Name)
			}
			return newOutcome(fmt.Sprintf("build #%d waits for input %q, which asks for values (%s), so it cannot be approved from here; it stays paused: answer it at %s",
				r.number, jenkins.Clean(in.Message, 100), jenkins.Clean(strings.Join(names, ", "), 100), where), ErrWaitsForInput)
		}
		if err := r.c.SubmitInput(ctx, r.spec.Trigger.Job, r.number, in.ID, true); err != nil {
			return r.following(err)
		}
		r.res.Input.Outcome = "approved"
		r.caution("approved input %q (id %s) of build #%d as %s, as asked (proceed): %s", jenkins.Clean(in.Message, 100), jenkins.Clean(in.ID, 60), r.number, r.c.User(), r.buildU)
	case InputAbort:
		if err := r.c.SubmitInput(ctx, r.spec.Trigger.Job, r.number, in.ID, false); err != nil {
			return r.following(err)
		}
		r.res.Input.Outcome = "aborted"
		r.progress("aborted input %q (id %s) of build #%d, as asked (abort); following it to its end", jenkins.Clean(in.Message, 100), jenkins.Clean(in.ID, 60), r.number)
	}
	return nil
}

// consoleStages says when stages start and end from the console's own
// markers, for a controller without wfapi whose console is being read anyway.
type consoleStages struct {
	r     *runner
	stack []string // the open blocks; a stage's name, or "" for other blocks
}

func (cs *consoleStages) line(l string) {
	switch {
	case strings.HasPrefix(l, "[Pipeline] { (") && strings.HasSuffix(l, ")"):
		name := strings.TrimSuffix(strings.TrimPrefix(l, "[Pipeline] { ("), ")")
		cs.stack = append(cs.stack, name)
		cs.r.progress("stage %q started", jenkins.Clean(name, 100))
	case strings.HasPrefix(l, "[Pipeline] {"):
		cs.stack = append(cs.stack, "")
	case l == "[Pipeline] }" && len(cs.stack) > 0:
		name := cs.stack[len(cs.stack)-1]
		cs.stack = cs.stack[:len(cs.stack)-1]
		if name != "" {
			cs.r.progress("stage %q ended", jenkins.Clean(name, 100))
		}
	}
}

// activity is what the build is doing, for the heartbeat and status line.
func (w *stageWatch) activity() string {
	switch {
	case w == nil:
		return ""
	case w.input != nil && w.r.res.Input != nil && w.r.res.Input.Outcome == "waiting":
		return fmt.Sprintf(", waiting for input %q", jenkins.Clean(w.input.Message, 60))
	case w.node != "":
		return ", a node block waiting for an executor"
	case w.current != "":
		return fmt.Sprintf(", stage %q", jenkins.Clean(w.current, 60))
	}
	return ""
}

// explain finds where and why a build ended other than SUCCESS: the failing
// stage from wfapi, and the reason from the stage's error or the console.
func (r *runner) explain(ctx context.Context, w *stageWatch, con *console) (stage, reason string) {
	if w != nil && !w.off {
		if w.seen == nil { // the build ended before a poll saw it running
			if run, err := w.stages(ctx); err == nil {
				for _, st := range run.Stages {
					if st.Ended() && st.Status != "SUCCESS" {
						s := st
						w.failed = &s
					}
				}
			}
		}
		if w.failed != nil {
			stage = w.failed.Name
			if w.failed.Error != nil && w.failed.Error.Message != "" {
				reason = "ERROR: " + jenkins.Clean(w.failed.Error.Message, 200)
			}
		}
	}
	if in := r.res.Input; in != nil && in.Outcome == "aborted" {
		return stage, fmt.Sprintf("input %q aborted, as asked", jenkins.Clean(in.Message, 100))
	}
	if reason != "" {
		return stage, reason
	}
	var found string
	if con != nil && con.reason.last != "" {
		found = con.reason.last
	} else {
		found = r.scanConsole(ctx)
	}
	if in := r.res.Input; in != nil && strings.HasPrefix(found, "Rejected by ") {
		return stage, fmt.Sprintf("rejected at input %q by %s", jenkins.Clean(in.Message, 100), strings.TrimPrefix(found, "Rejected by "))
	}
	if strings.HasPrefix(found, "Aborted by ") || strings.HasPrefix(found, "Rejected by ") {
		return stage, strings.ToLower(found[:1]) + found[1:]
	}
	return stage, found
}

// scanConsole reads the finished console once, keeping only the line that
// best says why the build failed.
func (r *runner) scanConsole(ctx context.Context) string {
	ch, err := r.c.Console(ctx, r.spec.Trigger.Job, r.number, 0)
	if err != nil {
		return ""
	}
	defer ch.Body.Close()
	var rs reasonScan
	sc := bufio.NewScanner(ch.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		rs.line(jenkins.CleanConsole(sc.Bytes()))
	}
	return rs.last
}

// reasonScan keeps the last console line that says why a build failed, and
// hands every complete line to onLine when set. It looks at each byte once:
// consoles are large.
type reasonScan struct {
	last    string
	partial []byte
	onLine  func(string)
}

var reasonPrefixes = [][]byte{[]byte("ERROR: "), []byte("Build step '"), []byte("Aborted by "), []byte("Rejected by ")}

func (rs *reasonScan) line(l []byte) {
	l = bytes.TrimRight(l, "\r")
	if rs.onLine != nil {
		rs.onLine(string(l))
	}
	for i, p := range reasonPrefixes {
		if bytes.HasPrefix(l, p) && (i != 1 || bytes.Contains(l, []byte("marked build as failure"))) {
			rs.last = jenkins.Clean(string(l), 200)
			return
		}
	}
}

// write feeds console text that may end inside a line.
func (rs *reasonScan) write(text []byte) {
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			if len(rs.partial)+len(text) <= 4096 { // a very long line says nothing useful
				rs.partial = append(rs.partial, text...)
			}
			return
		}
		if len(rs.partial) > 0 {
			rs.line(append(rs.partial, text[:i]...))
			rs.partial = rs.partial[:0]
		} else {
			rs.line(text[:i])
		}
		text = text[i+1:]
	}
}

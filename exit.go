package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// This file is the one mapping from outcomes to exit codes, a contract with
// build files documented in the README. Errors are classified by type
// (errors.Is/As), never by their text; several jobs are ranked by outcome,
// then mapped once, in either numbering.

// Exit codes of tool outcomes; build results have their own table below.
const (
	exitOK             = 0
	exitInternal       = 1
	exitUsage          = 2
	exitAuth           = 3
	exitForbidden      = 4
	exitNotFound       = 5
	exitRejected       = 6
	exitUnreachable    = 7
	exitProtocol       = 8
	exitUnknownResult  = 14
	exitQueueCancelled = 20
	exitLost           = 21
	exitMerged         = 22
	exitWaitsForInput  = 23
	exitNoArtifact     = 24
	exitDownload       = 25
	exitQueueTimeout   = 30
	exitBuildTimeout   = 31
	exitInterrupted    = 130
	exitTerminated     = 143
)

// outcome is what happened to one job or one call, ordered from the least to
// the most severe: several jobs exit with the code of the most severe one.
type outcome int

const (
	outOK outcome = iota
	outMerged
	outUnstable
	outNotBuilt
	outUnknownResult
	outAborted
	outFailure
	outQueueTimeout
	outBuildTimeout
	outWaitsForInput
	outNoArtifact
	outDownload
	outCancelled
	outLost
	outRejected
	outNotFound
	outForbidden
	outAuth
	outProtocol
	outUnreachable
	outUsage
	outInternal
	outInterrupted // signals end everything: they outrank every job's outcome
	outTerminated
)

// codeStyle is the numbering of build results: ours, or jenkins-cli's.
type codeStyle int

const (
	defaultCodes codeStyle = iota
	jenkinsCLICodes
)

// codes maps each outcome to its exit code; build results depend on the style.
func (o outcome) code(style codeStyle) int {
	if style == jenkinsCLICodes {
		switch o {
		case outUnstable:
			return 1
		case outFailure:
			return 2
		case outNotBuilt:
			return 3
		case outAborted:
			return 4
		}
	}
	return [...]int{
		outOK: exitOK, outMerged: exitMerged, outUnstable: 10, outNotBuilt: 13, outUnknownResult: exitUnknownResult,
		outAborted: 12, outFailure: 11, outQueueTimeout: exitQueueTimeout, outBuildTimeout: exitBuildTimeout,
		outWaitsForInput: exitWaitsForInput, outNoArtifact: exitNoArtifact, outDownload: exitDownload, outCancelled: exitQueueCancelled, outLost: exitLost, outRejected: exitRejected, outNotFound: exitNotFound,
		outForbidden: exitForbidden, outAuth: exitAuth, outProtocol: exitProtocol, outUnreachable: exitUnreachable,
		outUsage: exitUsage, outInternal: exitInternal, outInterrupted: exitInterrupted, outTerminated: exitTerminated,
	}[o]
}

// signalError is the cause of a context cancelled by a signal. Its text
// starts the line that says what was done: "terminated; stopped build #12".
type signalError struct{ sig os.Signal }

func (e signalError) Error() string {
	if e.sig == os.Interrupt {
		return "interrupted"
	}
	return "terminated"
}

// results maps a finished build's result to its outcome.
var results = map[string]outcome{"UNSTABLE": outUnstable, "FAILURE": outFailure, "ABORTED": outAborted, "NOT_BUILT": outNotBuilt}

// classify is the one place that reads an error's kind.
func classify(err error) outcome {
	var (
		se signalError
		re *task.ResultError
		me *manyError
		ue *usageError
	)
	switch {
	case err == nil:
		return outOK
	case errors.As(err, &me):
		return me.worst
	case errors.As(err, &se):
		if se.sig == os.Interrupt {
			return outInterrupted
		}
		return outTerminated
	case errors.Is(err, context.Canceled):
		return outInterrupted
	case errors.As(err, &re):
		if o, ok := results[re.Result]; ok {
			return o
		}
		return outUnknownResult
	case errors.As(err, &ue), errors.Is(err, jenkins.ErrBadJob), errors.Is(err, auth.ErrIncomplete):
		return outUsage
	case errors.As(err, new(*task.BugError)):
		return outInternal
	}
	for _, m := range []struct {
		kind error
		out  outcome
	}{
		{task.ErrCancelled, outCancelled},
		{task.ErrLost, outLost},
		{task.ErrQueueTimeout, outQueueTimeout},
		{task.ErrTimeout, outQueueTimeout}, // params and doctor: nothing started, as before a build's start
		{task.ErrBuildTimeout, outBuildTimeout},
		{task.ErrMerged, outMerged},
		{task.ErrWaitsForInput, outWaitsForInput},
		{task.ErrNoArtifact, outNoArtifact},
		{task.ErrDownload, outDownload},
		{task.ErrUnconfirmed, outUnreachable},
		{jenkins.ErrAuth, outAuth},
		{jenkins.ErrForbidden, outForbidden},
		{jenkins.ErrNotFound, outNotFound},
		{jenkins.ErrRejected, outRejected},
		{jenkins.ErrUnreachable, outUnreachable},
		{jenkins.ErrProtocol, outProtocol},
	} {
		if errors.Is(err, m.kind) {
			return m.out
		}
	}
	return outInternal
}

// exitCode maps an error to the process's exit code.
func exitCode(err error, style codeStyle) int { return classify(err).code(style) }

// worst returns the most severe of errs' outcomes and the error that had it
// (nil when every one succeeded).
func worst(errs []error) (outcome, error) {
	w, we := outOK, error(nil)
	for _, err := range errs {
		if o := classify(err); o > w {
			w, we = o, err
		}
	}
	return w, we
}

// manyError is the outcome of several jobs: the most severe one decides the
// exit code.
type manyError struct {
	worst  outcome
	err    error // the job's error that had it
	failed []string
	total  int
}

func (e *manyError) Error() string {
	return fmt.Sprintf("%d of %d jobs did not succeed: %s", len(e.failed), e.total, strings.Join(e.failed, ", "))
}

// Several jobs are ranked and mapped here, next to the one mapping; each
// job's own line has already said why it failed and how to fix it, so the
// summary carries no job's hint.
func (e *manyError) Unwrap() error { return e.err }

// newManyError ranks the jobs' outcomes; nil when every job succeeded.
func newManyError(lines []jobLine, errs []error, style codeStyle) error {
	w, we := worst(errs)
	if w == outOK {
		return nil
	}
	m := &manyError{worst: w, err: we, total: len(errs)}
	for i, err := range errs {
		if err != nil {
			m.failed = append(m.failed, fmt.Sprintf("%s (exit %d)", lines[i].Ref, exitCode(err, style)))
		}
	}
	return m
}

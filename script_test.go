package main

import (
	"errors"
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

// TestMain lets the acceptance scripts run the real program as
// "jenkins-trigger": testscript re-executes this test binary under that name.
func TestMain(m *testing.M) {
	// Most tests here wait on a fake's real clock or on the programs they
	// run, not on the CPU: unless -parallel is given, run 8 at once rather
	// than GOMAXPROCS (2 on the CI machine), so that waiting tests do not
	// queue behind each other.
	// (Not when testscript runs this binary as jenkins-trigger: then the
	// arguments are the program's.)
	if filepath.Base(os.Args[0]) != "jenkins-trigger" {
		flag.Parse()
		given := false
		flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
		if !given {
			_ = flag.Set("test.parallel", "8")
		}
	}
	testscript.Main(m, map[string]func(){"jenkins-trigger": main})
}

// TestScripts runs the CLI acceptance scripts in testdata/script against the
// simulator's jobs (jenkinstest.Sample, as `jenkins-sim` serves them), once
// answering like Jenkins 2.372 and once like 2.568.2, one fresh fake per script, with JENKINS_URL, JENKINS_USER and
// JENKINS_API_TOKEN set as `jenkins-sim -- COMMAND` sets them.
//
// Script commands beyond testscript's own:
//
//	exits N COMMAND ARGS...   run COMMAND; its exit code must be N
//	closedport                set CLOSED to a loopback URL where nothing listens
//	fault METHOD:PATH:KIND[:TIMES]  inject a fault into the fake, as jenkins-sim --fault does
func TestScripts(t *testing.T) {
	t.Parallel()
	for _, p := range jenkinstest.Profiles {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			runScripts(t, p)
		})
	}
}

// runScripts runs the scripts against a simulator answering like Jenkins p.
func runScripts(t *testing.T, p jenkinstest.Profile) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			s := simulator()
			s.UseProfile(p)
			s.Start()
			env.Defer(s.Close)
			env.Setenv("JENKINS_URL", s.URL())
			env.Setenv("JENKINS_USER", jenkinstest.SampleUser)
			env.Setenv("JENKINS_API_TOKEN", jenkinstest.SampleAPIToken)
			env.Values[simKey{}] = s
			env.Setenv("SIM", s.URL())
			// A -race binary sleeps a second as it exits (the race runtime's
			// atexit_sleep_ms), and the scripts run it some hundred times.
			env.Setenv("GORACE", "atexit_sleep_ms=0")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":      cmdExits,
			"closedport": cmdClosedPort,
			"fault":      cmdFault,
		},
	})
}

// simulator is jenkins-sim's set of jobs, with the slowest ones shortened so
// that the scripts take seconds: the waits and results stay the same.
func simulator() *jenkinstest.Server {
	s := jenkinstest.Sample()
	s.Jobs["waits"].Script.QueueFor = 600 * time.Millisecond
	s.Jobs["waits"].Script.Duration = 300 * time.Millisecond
	s.Jobs["ok"].Script.Duration, s.Jobs["ok"].Script.Estimated = time.Second, time.Second
	for _, name := range []string{"fails", "unstable", "aborted", "notbuilt", "deploy"} {
		s.Jobs[name].Script.Duration = 300 * time.Millisecond
	}
	s.Jobs["slow"].Script.StopsNeeded = 1 // stop ends it: no 15 s grace before term
	for _, name := range []string{"pipeline", "pipe-fails", "approve"} {
		for i := range s.Jobs[name].Script.Stages {
			s.Jobs[name].Script.Stages[i].Duration = 200 * time.Millisecond
		}
	}
	return s
}

func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %q is not a number", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d\nstderr:\n%s", got, want, ts.ReadFile("stderr"))
	}
}

func cmdClosedPort(ts *testscript.TestScript, neg bool, _ []string) {
	if neg {
		ts.Fatalf("usage: closedport")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	addr := l.Addr().String()
	ts.Check(l.Close())
	ts.Setenv("CLOSED", "http://"+addr+"/")
}

type simKey struct{}

func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fault METHOD:PATH:KIND[:TIMES]")
	}
	f, err := jenkinstest.ParseFault(args[0])
	ts.Check(err)
	ts.Value(simKey{}).(*jenkinstest.Server).Inject(f)
}

// Command jenkins-sim serves a fake Jenkins on loopback, so that jenkins-trigger
// and build files can be tried without a real one. It serves the same fake the
// tests use (package jenkinstest), with sample jobs.
//
//	jenkins-sim [--addr 127.0.0.1:0] [--write-env FILE]        serve until stopped
//	jenkins-sim [--addr ...] -- COMMAND [ARGS...]               run COMMAND against it
//
// With a command, JENKINS_URL, JENKINS_USER and JENKINS_API_TOKEN are set for
// it, its exit code becomes ours, and what the fake received is summarised on
// stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("jenkins-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (loopback only by default)")
	ctxPath := fs.String("context", "/jenkins", "context path Jenkins is served under")
	envFile := fs.String("write-env", "", "write JENKINS_URL, JENKINS_USER and JENKINS_API_TOKEN to this .env file")
	csrfOff := fs.Bool("csrf-off", false, "run without a crumb issuer (CSRF protection off)")
	config := fs.String("config", "", "add the jobs of this JSON file (see README)")
	recordTo := fs.String("record", "", "on exit, write every queue item and its parameters to this JSON file")
	profile := jenkinstest.Profile2568
	fs.Func("profile", "answer like this Jenkins version where versions differ: 2.372 or 2.568 (default 2.568)", func(v string) error {
		p, err := jenkinstest.ParseProfile(v)
		profile = p
		return err
	})
	var faults []jenkinstest.Fault
	fs.Func("fault", "inject a fault: METHOD:PATH-SUFFIX:KIND[:TIMES], e.g. POST:/build:reset-after-read:1 (repeatable; kinds: "+
		strings.Join(jenkinstest.FaultKinds(), ", ")+")", func(v string) error {
		f, err := jenkinstest.ParseFault(v)
		faults = append(faults, f)
		return err
	})
	if err := fs.Parse(args); err != nil {
		return 2
	}
	sim := jenkinstest.Sample()
	sim.UseProfile(profile)
	sim.Context = strings.TrimSuffix(*ctxPath, "/")
	sim.CSRFDisabled = *csrfOff
	if *config != "" {
		if err := applyConfig(sim, *config); err != nil {
			fmt.Fprintf(stderr, "jenkins-sim: cannot use --config: %v\n", err)
			return 2
		}
	}
	for _, f := range faults {
		sim.Inject(f)
	}
	defer func() {
		if *recordTo != "" {
			if err := writeRecord(sim, *recordTo); err != nil {
				fmt.Fprintf(stderr, "jenkins-sim: cannot write --record %s: %v\n", *recordTo, err)
			}
		}
	}()
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "jenkins-sim: cannot listen on %s: %v\n", *addr, err)
		return 2
	}
	defer l.Close()
	go sim.Serve(l) //nolint:errcheck // ends when the listener closes
	url := "http://" + l.Addr().String() + sim.Context + "/"
	vars := []string{"JENKINS_URL=" + url, "JENKINS_USER=" + jenkinstest.SampleUser, "JENKINS_API_TOKEN=" + jenkinstest.SampleAPIToken}
	if *envFile != "" {
		if err := os.WriteFile(*envFile, []byte(strings.Join(vars, "\n")+"\n"), 0o600); err != nil {
			fmt.Fprintf(stderr, "jenkins-sim: cannot write %s: %v\n", *envFile, err)
			return 2
		}
	}
	fmt.Fprintf(stderr, "jenkins-sim: serving a fake Jenkins at %s (user %s, API token %s, password %s, job token %s)\n",
		url, jenkinstest.SampleUser, jenkinstest.SampleAPIToken, jenkinstest.SamplePassword, jenkinstest.SampleJobToken)
	fmt.Fprintf(stderr, "jenkins-sim: jobs: %s\n", strings.Join(jobNames(sim.Jobs, ""), ", "))
	if fs.NArg() == 0 {
		<-ctx.Done()
		summarise(sim, stderr)
		return 0
	}
	cmd := exec.CommandContext(ctx, fs.Arg(0), fs.Args()[1:]...)
	cmd.Env = append(environ, vars...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, stdout, stderr
	err = cmd.Run()
	summarise(sim, stderr)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil:
		fmt.Fprintf(stderr, "jenkins-sim: cannot run %s: %v\n", fs.Arg(0), err)
		return 127
	}
	return 0
}

func jobNames(jobs map[string]*jenkinstest.Job, prefix string) []string {
	var out []string
	for name, j := range jobs {
		if j.Folder || j.Multibranch {
			out = append(out, jobNames(j.Jobs, prefix+name+"/")...)
			continue
		}
		out = append(out, prefix+name)
	}
	sort.Strings(out)
	return out
}

func summarise(sim *jenkinstest.Server, w io.Writer) {
	for _, r := range sim.Requests() {
		fmt.Fprintf(w, "jenkins-sim: received %s %s as %s, answered %d\n", r.Method, r.Path, who(r), r.Status)
	}
	for _, q := range sim.Queue() {
		var params []string
		for k, v := range q.Params {
			params = append(params, fmt.Sprintf("%s=%q", k, v))
		}
		sort.Strings(params)
		fmt.Fprintf(w, "jenkins-sim: queue item %d: %s %s\n", q.ID, q.Job, strings.Join(params, " "))
	}
}

func who(r jenkinstest.Request) string {
	if r.User == "" {
		return r.Auth
	}
	return r.User + " (" + r.Auth + ")"
}

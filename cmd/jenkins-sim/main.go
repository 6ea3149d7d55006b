// Command jenkins-sim serves a fake Jenkins on loopback, so that jenkins-trigger
// and build files can be tried without a real one. It serves the same fake the
// tests use (package jenkinstest), with sample jobs.
//
//	jenkins-sim [--addr 127.0.0.1:0] [--write-env FILE]        serve until stopped
//	jenkins-sim --detach --write-env FILE [--log LOG]          serve in the background
//	jenkins-sim --stop FILE                                    stop that one
//	jenkins-sim [--addr ...] -- COMMAND [ARGS...]               run COMMAND against it
//
// With a command, JENKINS_URL, JENKINS_USER and JENKINS_API_TOKEN are set for
// it, its exit code becomes ours, and what the fake received is summarised on
// stderr. With --detach it returns only once FILE is written, so the next
// line of a script can use it; FILE names the process, for --stop.
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
	"strconv"
	"strings"
	"syscall"
	"time"

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
	config := fs.String("config", "", "add the jobs of this JSON file (see CONTRIBUTING.md)")
	recordTo := fs.String("record", "", "on exit, write every queue item and its parameters to this JSON file")
	detach := fs.Bool("detach", false, "serve in the background: return once the --write-env file is written (stop it with --stop FILE)")
	logTo := fs.String("log", "", "with --detach: write what the simulator says and receives to this file")
	stopFile := fs.String("stop", "", "stop the simulator started with --detach --write-env FILE, and remove FILE")
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
	if *stopFile != "" {
		return stop(*stopFile, stderr)
	}
	background := *detach && !hasVar(environ, detachedVar)
	if *detach && (*envFile == "" || fs.NArg() > 0) {
		fmt.Fprintln(stderr, "jenkins-sim: --detach needs --write-env FILE (how else would anyone find it) and no command")
		return 2
	}
	if *logTo != "" && !*detach {
		fmt.Fprintln(stderr, "jenkins-sim: --log goes with --detach; without it, the simulator speaks on stderr")
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
	if background {
		return startDetached(ctx, args, environ, *envFile, *logTo, stderr)
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
		if err := writeEnv(*envFile, vars); err != nil {
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
		// go run would hide the code behind its own 1; say it.
		fmt.Fprintf(stderr, "jenkins-sim: %s exited %d\n", fs.Arg(0), exit.ExitCode())
		return exit.ExitCode()
	case err != nil:
		fmt.Fprintf(stderr, "jenkins-sim: cannot run %s: %v\n", fs.Arg(0), err)
		return 127
	}
	fmt.Fprintf(stderr, "jenkins-sim: %s exited 0\n", fs.Arg(0))
	return 0
}

// pidLine starts the env file's comment that names the simulator's process.
const pidLine = "# jenkins-sim pid "

// writeEnv writes the variables, and the process for --stop as a comment,
// to a temporary file that is then renamed: a reader sees all or nothing.
func writeEnv(file string, vars []string) error {
	text := pidLine + strconv.Itoa(os.Getpid()) + "\n" + strings.Join(vars, "\n") + "\n"
	tmp := file + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, file); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// envPID reads the process named by an env file that writeEnv wrote.
func envPID(file string) (int, string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, "", err
	}
	var pid int
	var url string
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, pidLine); ok {
			pid, _ = strconv.Atoi(strings.TrimSpace(rest))
		}
		if rest, ok := strings.CutPrefix(line, "JENKINS_URL="); ok {
			url = rest
		}
	}
	if pid <= 0 {
		return 0, "", fmt.Errorf("%s was not written by jenkins-sim (no %q line)", file, strings.TrimSpace(pidLine))
	}
	return pid, url, nil
}

// detachedVar tells the background process that it is the one to serve.
const detachedVar = "JENKINS_SIM_DETACHED"

func hasVar(environ []string, name string) bool {
	for _, kv := range environ {
		if strings.HasPrefix(kv, name+"=") {
			return true
		}
	}
	return false
}

// startDetached starts this program again, in the background and in its own
// process group (a Ctrl-C in the terminal is not for it), and returns once
// that process has written envFile, or has failed.
func startDetached(ctx context.Context, args, environ []string, envFile, logTo string, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "jenkins-sim: cannot find its own program to start in the background: %v\n", err)
		return 1
	}
	out, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if logTo != "" {
		out, err = os.OpenFile(logTo, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	}
	if err != nil {
		fmt.Fprintf(stderr, "jenkins-sim: cannot open --log %s: %v\n", logTo, err)
		return 2
	}
	defer out.Close()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(append([]string{}, environ...), detachedVar+"=1")
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = ownProcessGroup()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "jenkins-sim: cannot start in the background: %v\n", err)
		return 1
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	give := time.NewTimer(time.Minute)
	defer give.Stop()
	why := "run it without --detach to see why"
	if logTo != "" {
		why = "see " + logTo
	}
	for {
		select {
		case err := <-exited:
			fmt.Fprintf(stderr, "jenkins-sim: the background simulator ended before it was ready (%v); %s\n", err, why)
			return 1
		case <-give.C:
			_ = cmd.Process.Kill()
			fmt.Fprintf(stderr, "jenkins-sim: the background simulator did not write %s within a minute; stopped it; %s\n", envFile, why)
			return 1
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			return 130
		case <-tick.C:
			if pid, url, err := envPID(envFile); err == nil && pid == cmd.Process.Pid {
				fmt.Fprintf(stderr, "jenkins-sim: serving a fake Jenkins at %s in the background (pid %d; its settings are in %s); stop it with: jenkins-sim --stop %s\n",
					url, pid, envFile, envFile)
				return 0
			}
		}
	}
}

// stop ends the simulator that wrote envFile, waits until it has (so its
// --record and --log files are complete), and removes envFile.
func stop(envFile string, stderr io.Writer) int {
	pid, _, err := envPID(envFile)
	if err != nil {
		fmt.Fprintf(stderr, "jenkins-sim: cannot --stop: %v\n", err)
		return 2
	}
	if err := terminate(pid); err != nil {
		fmt.Fprintf(stderr, "jenkins-sim: no simulator runs as pid %d (%v); removed %s\n", pid, err, envFile)
		os.Remove(envFile)
		return 0
	}
	for deadline := time.Now().Add(30 * time.Second); alive(pid) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if alive(pid) {
		fmt.Fprintf(stderr, "jenkins-sim: asked the simulator (pid %d) to stop, but it still runs after 30s; %s is left in place\n", pid, envFile)
		return 1
	}
	os.Remove(envFile)
	fmt.Fprintf(stderr, "jenkins-sim: stopped the simulator (pid %d) and removed %s\n", pid, envFile)
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

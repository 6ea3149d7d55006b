package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// osEnv is what run needs from the operating system.
type osEnv struct {
	Args    []string
	Environ []string
	Dir     string // working directory: ./.env and relative paths are read from here
	Stdout  io.Writer
	Stderr  io.Writer
	Proxy   func(*http.Request) (*url.URL, error)
	// StderrTTY says stderr is a terminal: progress is then one live status line.
	StderrTTY bool
	// Timing overrides the polling intervals (tests run in milliseconds).
	Timing *task.Timing
	// Dial, when set, makes the connections (tests reach an in-memory fake).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

var version, commit = "dev", "none" // set by -ldflags "-X main.version=... -X main.commit=..."

func versionString() string {
	v, c := version, commit
	if bi, ok := debug.ReadBuildInfo(); ok {
		v, c = stamped(v, c, bi)
	}
	return fmt.Sprintf("jenkins-trigger %s (commit %s, %s %s/%s)", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// stamped fills in, for a binary built without -ldflags (go install
// MODULE@VERSION, or go build in a clone), the version and commit the Go
// toolchain recorded.
func stamped(v, c string, bi *debug.BuildInfo) (string, string) {
	if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	if c == "none" {
		rev, dirty := "", ""
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && len(s.Value) >= 12:
				rev = s.Value[:12]
			case s.Key == "vcs.modified" && s.Value == "true":
				dirty = "+dirty"
			}
		}
		if rev != "" {
			c = rev + dirty
		}
	}
	return v, c
}

// run is the whole program; main only wires the OS into it. It parses the
// command line, loads and validates the settings once, sets up the printer
// once, runs the selected command and maps its error to the exit code.
func run(ctx context.Context, e osEnv) (code int) {
	start := time.Now() // --timeout counts from here, for every command
	out := &printer{w: e.Stderr, tty: e.StderrTTY}
	defer func() {
		if r := recover(); r != nil { // a bug: one line and exit 1, never a stack trace
			out.fail(fmt.Sprintf("internal failure (a bug; please report it): %v", r))
			code = exitInternal
		}
	}()
	var c cli
	exited := -1
	parser, err := kong.New(&c, kong.Name("jenkins-trigger"), kong.Description(description),
		kong.Vars{"version": versionString()}, kong.Writers(e.Stdout, e.Stderr),
		kong.Exit(func(code int) { exited = code }), kong.ConfigureHelp(kong.HelpOptions{Compact: true, WrapUpperBound: 100}))
	if err != nil {
		panic(err) // a grammar bug; every test that calls run catches it
	}
	if err := precheckArgs(parser.Model, e.Args); err != nil {
		out.fail(err.Error())
		return exitUsage
	}
	kctx, err := parser.Parse(e.Args)
	if err == nil && kctx.Selected() != nil && kctx.Selected().Name == "help" {
		kctx, err = parser.Parse(append(c.Help.Command, "--help"))
	}
	if exited >= 0 { // --help or --version printed already
		return exited
	}
	if err != nil {
		out.fail("usage: " + err.Error() + "; see jenkins-trigger --help")
		return exitUsage
	}
	a, err := setup(ctx, e, &c, kctx, out)
	if a != nil {
		a.start = start
	}
	if err != nil {
		out.fail(describe(err))
		return exitCode(err, defaultCodes)
	}
	kctx.BindTo(ctx, (*context.Context)(nil))
	err = kctx.Run(a)
	if err != nil {
		out.fail(describe(err))
	}
	return exitCode(err, a.style)
}

// jobArgs is implemented by each command: the jobs named as arguments.
type jobArgs interface{ jobArgs() []string }

func (t *triggerCmd) jobArgs() []string   { return t.Jobs }
func (p *paramsCmd) jobArgs() []string    { return nonEmpty(p.Job) }
func (d *doctorCmd) jobArgs() []string    { return nonEmpty(d.Job) }
func (x *artifactsCmd) jobArgs() []string { return nonEmpty(x.Job) }

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// setup loads the settings (flags, environment, .env files) and validates them.
func setup(ctx context.Context, e osEnv, c *cli, kctx *kong.Context, out *printer) (*app, error) {
	flags, flagSecrets := flagLayer(kctx)
	var args []string
	if ja, ok := kctx.Selected().Target.Addr().Interface().(jobArgs); ok {
		args = ja.jobArgs()
	}
	var from map[string]string
	switch {
	case len(args) == 1:
		if c.JobFlag != "" && args[0] != c.JobFlag {
			return nil, usagef("the job is given twice, as %q and as --job %q; give it once", args[0], c.JobFlag)
		}
		flags["JENKINS_JOB"] = args[0]
		from = map[string]string{"JENKINS_JOB": "argument"}
	case len(args) > 1 && c.JobFlag != "":
		return nil, usagef("--job names one job, but %d are given as arguments; give them all as arguments, or one with --job", len(args))
	case c.JobFlag != "" && c.Trigger.JobsFile != "":
		return nil, usagef("--job and --jobs-file both name jobs; give the jobs in one place")
	}
	cfg, err := loadConfig(ctx, e.Dir, e.Environ, flags, from, c.EnvFile)
	if err != nil {
		return nil, err
	}
	out.quiet = cfg.Quiet
	arts, artifactsCommand := c.Trigger.Artifacts, kctx.Selected() != nil && kctx.Selected().Name == "artifacts"
	if artifactsCommand {
		arts = c.Artifacts.Artifacts
	}
	a := &app{env: e, cfg: cfg, out: out, params: c.Trigger.Param, files: c.Trigger.File, arts: arts, jobs: args,
		artifactsCommand: artifactsCommand,
		clients:          &clients{env: e, cfg: cfg, out: out, flagSecrets: flagSecrets}}
	if err := a.validate(); err != nil {
		return nil, err
	}
	return a, nil
}

// flagLayer returns the values of the flags that were given, by env name, and
// the names of secrets given as flags.
func flagLayer(kctx *kong.Context) (map[string]string, []string) {
	vars := map[string]string{}
	var secrets []string
	for _, f := range kctx.Flags() {
		name := f.Tag.Get("envname")
		if name == "" || !f.Set {
			continue
		}
		vars[name] = fmt.Sprint(f.Target.Interface())
		switch f.Name {
		case "api-token", "password", "job-token":
			secrets = append(secrets, f.Name)
		}
	}
	return vars, secrets
}

// validate checks the settings whose values are words, once, before any
// command runs, and fixes the exit-code numbering.
func (a *app) validate() error {
	cfg := a.cfg
	switch cfg.ExitCodes {
	case "default":
	case "jenkins-cli":
		a.style = jenkinsCLICodes
	default:
		return usagef("--exit-codes %q: use default or jenkins-cli", cfg.ExitCodes)
	}
	var err error
	if a.console, a.tail, err = consoleMode(cfg.Console, cfg.Follow); err != nil {
		return err
	}
	if a.onTimeout, err = policy("--on-timeout", cfg.OnTimeout); err != nil {
		return err
	}
	if a.onInterrupt, err = policy("--on-interrupt", cfg.OnInterrupt); err != nil {
		return err
	}
	if a.onInput, err = inputPolicy(cfg.OnInput); err != nil {
		return err
	}
	if cfg.PollInterval < task.DefaultTiming.PollMin {
		return usagef("--poll-interval %s is too short; %s is the least", cfg.PollInterval, task.DefaultTiming.PollMin)
	}
	if cfg.Parallel < 1 {
		return usagef("--parallel must be at least 1")
	}
	// 0 turns --timeout, --queue-timeout and --retry-for off and makes
	// --stop-grace escalate at once; a request or a connection needs time.
	for _, d := range []struct {
		key   string
		value time.Duration
	}{{"JENKINS_REQUEST_TIMEOUT", cfg.RequestTimeout}, {"JENKINS_CONNECT_TIMEOUT", cfg.ConnectTimeout}} {
		if d.value <= 0 {
			return &usageError{msg: (&settingError{key: d.key, value: cfg.valueOf(d.key), source: cfg.sourceOf(d.key),
				problem: "leaves no time; give it a duration such as 30s"}).Error()}
		}
	}
	return a.conflicts()
}

// conflicts refuses settings that contradict each other, naming where each came from.
func (a *app) conflicts() error {
	cfg := a.cfg
	name := func(key string) string {
		if cfg.sourceOf(key) == "flag" {
			return "--" + flagFor(key)
		}
		return key + " (" + cfg.sourceOf(key) + ")"
	}
	secret := func(key string) string {
		if cfg.valueOf(key) != "" {
			return name(key)
		}
		return name(key + "_FILE")
	}
	waitsForEnd := cfg.Wait || cfg.Follow || (cfg.Console != "" && cfg.Console != "none")
	switch {
	case cfg.Quiet && cfg.Verbose:
		return usagef("%s and %s contradict each other; give one", name("JENKINS_QUIET"), name("JENKINS_VERBOSE"))
	case (cfg.APIToken != "" || cfg.APITokenFile != "") && (cfg.Password != "" || cfg.PasswordFile != ""):
		return usagef("both an API token, %s, and a password, %s, are set; give one (an API token is better)", secret("JENKINS_API_TOKEN"), secret("JENKINS_PASSWORD"))
	case cfg.JUnit != "" && !waitsForEnd && !a.artifactsCommand:
		return usagef("%s needs the build's end, where its test report is: add --wait", name("JENKINS_JUNIT"))
	case len(a.arts) > 0 && !waitsForEnd && !a.artifactsCommand:
		return usagef("--artifacts needs the build's end, where its artifacts are: add --wait")
	case cfg.ArtifactsOn != "success" && cfg.ArtifactsOn != "any":
		return usagef("%s %q: use success or any", name("JENKINS_ARTIFACTS_ON"), cfg.ArtifactsOn)
	case cfg.WaitStart && waitsForEnd:
		other := "JENKINS_WAIT"
		switch {
		case cfg.Follow:
			other = "JENKINS_FOLLOW"
		case !cfg.Wait:
			other = "JENKINS_CONSOLE"
		}
		return usagef("%s waits for the start only, but %s waits for the end; give one", name("JENKINS_WAIT_START"), name(other))
	}
	return nil
}

func consoleMode(console string, follow bool) (task.ConsoleMode, int, error) {
	if console == "" && follow {
		console = "stream"
	}
	switch {
	case console == "" || console == "none":
		return task.ConsoleNone, 0, nil
	case console == "stream":
		return task.ConsoleStream, 0, nil
	case console == "on-failure":
		return task.ConsoleOnFailure, 0, nil
	case strings.HasPrefix(console, "tail:"):
		n, err := strconv.Atoi(strings.TrimPrefix(console, "tail:"))
		if err != nil || n <= 0 {
			return 0, 0, usagef("--console %q: tail needs a line count, such as tail:50", console)
		}
		return task.ConsoleTail, n, nil
	}
	return 0, 0, usagef("--console %q: use none, stream, tail:N or on-failure", console)
}

func policy(flag, v string) (task.Policy, error) {
	switch v {
	case "cancel":
		return task.Cancel, nil
	case "detach":
		return task.Detach, nil
	}
	return task.Cancel, usagef("%s %q: use cancel or detach", flag, v)
}

func inputPolicy(v string) (task.InputPolicy, error) {
	switch v {
	case "wait":
		return task.InputWait, nil
	case "fail":
		return task.InputFail, nil
	case "abort":
		return task.InputAbort, nil
	case "proceed":
		return task.InputProceed, nil
	}
	return task.InputWait, usagef("--on-input %q: use wait, fail, abort or proceed", v)
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alecthomas/kong"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// Exit codes: a contract with build files, documented in the README.
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
	exitQueueCancelled = 20
	exitLost           = 21
	exitMerged         = 22
	exitQueueTimeout   = 30
	exitBuildTimeout   = 31
	exitInterrupted    = 130
	exitTerminated     = 143
)

// signalError is the cause of a context cancelled by a signal.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "interrupted by " + e.sig.String() }

// codeStyle is the numbering of build results: ours, or jenkins-cli's.
type codeStyle int

const (
	defaultCodes codeStyle = iota
	jenkinsCLICodes
)

// resultCodes map a finished build's result to an exit code, per style.
var resultCodes = map[codeStyle]map[string]int{
	defaultCodes:    {"UNSTABLE": 10, "FAILURE": 11, "ABORTED": 12, "NOT_BUILT": 13},
	jenkinsCLICodes: {"UNSTABLE": 1, "FAILURE": 2, "NOT_BUILT": 3, "ABORTED": 4},
}

const exitUnknownResult = 14

// exitCode is the one mapping from errors to exit codes.
func exitCode(err error, style codeStyle) int {
	var (
		se signalError
		re *task.ResultError
		me *manyError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &me):
		return me.code
	case errors.As(err, &se):
		if se.sig == os.Interrupt {
			return exitInterrupted
		}
		return exitTerminated
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &re):
		if code, ok := resultCodes[style][re.Result]; ok {
			return code
		}
		return exitUnknownResult
	}
	var ue *usageError
	if errors.As(err, &ue) || errors.Is(err, jenkins.ErrBadJob) || errors.Is(err, auth.ErrIncomplete) {
		return exitUsage
	}
	for _, m := range []struct {
		kind error
		code int
	}{
		{task.ErrCancelled, exitQueueCancelled},
		{task.ErrLost, exitLost},
		{task.ErrQueueTimeout, exitQueueTimeout},
		{task.ErrBuildTimeout, exitBuildTimeout},
		{jenkins.ErrAuth, exitAuth},
		{jenkins.ErrForbidden, exitForbidden},
		{jenkins.ErrNotFound, exitNotFound},
		{jenkins.ErrRejected, exitRejected},
		{jenkins.ErrUnreachable, exitUnreachable},
		{jenkins.ErrProtocol, exitProtocol},
		{jenkins.ErrMerged, exitMerged},
	} {
		if errors.Is(err, m.kind) {
			return m.code
		}
	}
	return exitInternal
}

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
}

var version, commit = "dev", "none" // set by -ldflags "-X main.version=... -X main.commit=..."

func versionString() string {
	return fmt.Sprintf("jenkins-trigger %s (commit %s, %s %s/%s)", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// run is the whole program; main only wires the OS into it.
func run(ctx context.Context, e osEnv) (code int) {
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
	kctx, err := parser.Parse(e.Args)
	if exited >= 0 { // --help or --version printed already
		return exited
	}
	if err != nil {
		out.fail("usage: " + err.Error() + "; see jenkins-trigger --help")
		return exitUsage
	}
	results, cfg, err := trigger(ctx, e, &c, kctx, out)
	code = exitCode(err, cfg.codeStyle())
	if err != nil {
		out.fail(err.Error())
	}
	many := len(c.Trigger.Jobs) > 1 || (cfg != nil && cfg.JobsFile != "")
	switch {
	case many:
		printResults(e.Stdout, results, cfg.JSON)
	case len(results) == 1:
		results[0].ExitCode = code
		printResult(e.Stdout, results[0], cfg.JSON)
	}
	if cfg != nil && !cfg.DryRun {
		lines := outputLines(first(results), jenkins.Clean(cfg.Job, 500), code)
		if many {
			lines = manyOutputLines(results, code)
		}
		if werr := writeOutputs(e, cfg, lines); werr != nil {
			out.fail(werr.Error())
		}
	}
	return code
}

func first(results []*task.Result) *task.Result {
	if len(results) == 0 {
		return nil
	}
	return results[0]
}

func (c *config) codeStyle() codeStyle {
	if c != nil && c.ExitCodes == "jenkins-cli" {
		return jenkinsCLICodes
	}
	return defaultCodes
}

// printResult puts the one result on stdout: the build URL once known, else
// the queue item URL; or the JSON object.
func printResult(w io.Writer, res *task.Result, asJSON bool) {
	switch {
	case asJSON:
		b, _ := json.Marshal(res)
		fmt.Fprintln(w, string(b))
	case res.URL != "":
		fmt.Fprintln(w, res.URL)
	default:
		fmt.Fprintln(w, res.QueueURL)
	}
}

// outputLines are the KEY=VALUE lines of --output-file and GITHUB_OUTPUT.
func outputLines(res *task.Result, job string, code int) []string {
	lines := []string{"JENKINS_JOB=" + job}
	if res != nil {
		lines = append(lines, "JENKINS_QUEUE_ID="+strconv.FormatInt(res.QueueID, 10), "JENKINS_QUEUE_URL="+res.QueueURL,
			"JENKINS_MERGED="+strconv.FormatBool(res.Merged))
		if res.Number > 0 {
			lines = append(lines, "JENKINS_BUILD_NUMBER="+strconv.Itoa(res.Number), "JENKINS_BUILD_URL="+res.URL)
		}
		if res.Result != "" {
			lines = append(lines, "JENKINS_BUILD_RESULT="+res.Result, "JENKINS_BUILD_DURATION_MS="+strconv.FormatInt(res.DurationMs, 10))
		}
	}
	return append(lines, "JENKINS_EXIT_CODE="+strconv.Itoa(code))
}

// writeOutputs writes --output-file and appends to GITHUB_OUTPUT when set.
func writeOutputs(e osEnv, cfg *config, lines []string) error {
	text := strings.Join(lines, "\n") + "\n"
	if cfg.OutputFile != "" {
		if err := os.WriteFile(resolvePath(e.Dir, cfg.OutputFile), []byte(text), 0o644); err != nil { //nolint:gosec // read by build files
			return fmt.Errorf("cannot write --output-file %s: %v", cfg.OutputFile, cleanFSError(err))
		}
	}
	if gh := environMap(e.Environ)["GITHUB_OUTPUT"]; gh != "" {
		f, err := os.OpenFile(resolvePath(e.Dir, gh), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644) //nolint:gosec // GitHub's own file
		if err != nil {
			return fmt.Errorf("cannot append to GITHUB_OUTPUT %s: %v", gh, cleanFSError(err))
		}
		defer f.Close()
		if _, err := f.WriteString(text); err != nil {
			return fmt.Errorf("cannot append to GITHUB_OUTPUT %s: %v", gh, err)
		}
	}
	return nil
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

func trigger(ctx context.Context, e osEnv, c *cli, kctx *kong.Context, out *printer) ([]*task.Result, *config, error) {
	flags, flagSecrets := flagLayer(kctx)
	command, _, _ := strings.Cut(kctx.Command(), " ")
	job := map[string]string{"params": c.Params.Job, "doctor": c.Doctor.Job}[command]
	if command == "trigger" && len(c.Trigger.Jobs) == 1 {
		job = c.Trigger.Jobs[0]
	}
	if job != "" && c.JobFlag != "" && job != c.JobFlag {
		return nil, nil, usagef("the job is given twice, as %q and as --job %q; give it once", job, c.JobFlag)
	}
	var from map[string]string
	if job != "" {
		flags["JENKINS_JOB"] = job
		from = map[string]string{"JENKINS_JOB": "argument"}
	}
	cfg, err := loadConfigFrom(ctx, e.Dir, e.Environ, flags, from, c.EnvFile)
	if err != nil {
		return nil, nil, err
	}
	switch command {
	case "params":
		return nil, cfg, listParams(ctx, e, c, cfg, flagSecrets, out)
	case "doctor":
		return nil, cfg, doctor(ctx, e, c, cfg, out)
	}
	if len(c.Trigger.Jobs) > 1 || cfg.JobsFile != "" {
		results, err := triggerMany(ctx, e, c, cfg, flagSecrets, out)
		return results, cfg, err
	}
	res, err := triggerWith(ctx, e, c, cfg, flagSecrets, out)
	if res == nil {
		return nil, cfg, err
	}
	return []*task.Result{res}, cfg, err
}

// connection is what every command needs: credentials and a client for the job's Jenkins.
type connection struct {
	creds  auth.Credentials
	client *jenkins.Client
}

// connect reads the credentials and builds the client for base, printing the
// cautions the settings deserve.
func connect(e osEnv, cfg *config, flagSecrets []string, base *url.URL, out *printer) (*connection, error) {
	out.quiet, out.verbose = cfg.Quiet, cfg.Verbose || cfg.DryRun
	for _, name := range flagSecrets {
		out.caution(fmt.Sprintf("--%s puts the secret in process lists and build logs; use the environment variable or --%s-file instead", name, name))
	}
	creds, err := credentials(cfg, e.Dir)
	if err != nil {
		return nil, err
	}
	if _, _, basic := creds.Basic(); (basic || creds.JobToken != "") && base.Scheme == "http" && !auth.IsLoopback(base) {
		out.caution("credentials go in clear text over http:// to " + base.Host + "; use https:// in JENKINS_URL")
	}
	if cfg.Insecure {
		out.caution("--insecure: TLS certificates are not verified, so anyone on the network path can read the credentials")
	}
	var caPEM []byte
	if cfg.CACert != "" {
		if caPEM, err = os.ReadFile(resolvePath(e.Dir, cfg.CACert)); err != nil {
			return nil, usagef("cannot read --ca-cert %s: %v", cfg.CACert, cleanFSError(err))
		}
	}
	opts := jenkins.Options{
		Base: base, Creds: creds, CACertPEM: caPEM, Insecure: cfg.Insecure,
		ConnectTimeout: cfg.ConnectTimeout, RequestTimeout: cfg.RequestTimeout, RetryFor: cfg.RetryFor,
		Proxy: e.Proxy, Warn: out.caution, UserAgent: "jenkins-trigger/" + version,
	}
	if cfg.Verbose {
		opts.Log = out.note
	}
	client, err := jenkins.New(opts)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return &connection{creds: creds, client: client}, nil
}

// clientFor is connect for the commands that only read a job.
func clientFor(e osEnv, _ *cli, cfg *config, flagSecrets []string, out *printer) (*jenkins.Client, jenkins.Job, error) {
	job, err := jobSetting(cfg)
	if err != nil {
		return nil, jenkins.Job{}, err
	}
	conn, err := connect(e, cfg, flagSecrets, job.Base, out)
	if err != nil {
		return nil, jenkins.Job{}, err
	}
	return conn.client, job, nil
}

func triggerWith(ctx context.Context, e osEnv, c *cli, cfg *config, flagSecrets []string, out *printer) (*task.Result, error) {
	req, params, err := triggerRequest(cfg, c, e.Dir)
	if err != nil {
		return nil, err
	}
	conn, err := connect(e, cfg, flagSecrets, req.Job.Base, out)
	if err != nil {
		return nil, err
	}
	creds, client := conn.creds, conn.client
	spec, err := followSpec(cfg, req, creds)
	if err != nil {
		return nil, err
	}
	if e.Timing != nil {
		spec.Timing = *e.Timing
	}
	if cfg.OutputFile != "" && !cfg.DryRun { // fail before triggering, not after the build ran
		if err := os.WriteFile(resolvePath(e.Dir, cfg.OutputFile), nil, 0o644); err != nil { //nolint:gosec // read by build files
			return nil, usagef("cannot write --output-file %s: %v", cfg.OutputFile, cleanFSError(err))
		}
	}
	if req.Cause != "" && creds.JobToken == "" {
		out.note("--cause is recorded by Jenkins only for job-token triggers; it is ignored here")
	}
	preflight := preflightWanted(cfg, creds, spec, out)
	if cfg.DryRun {
		plan := client.Plan(req)
		if preflight {
			plan = append([]jenkins.Planned{{Method: http.MethodGet, URL: client.JobInfoURL(req.Job),
				Why: "pre-flight: check the job and its parameters"}}, plan...)
		}
		dryRun(out, cfg, creds, plan, params, req.Files)
		return nil, nil
	}
	if preflight {
		note := func(string) {}
		if cfg.Verbose {
			note = out.note
		}
		checked, err := task.Preflight(ctx, client, req, note)
		switch {
		case err == nil:
			req, spec.Trigger = checked, checked
		case tokenMode(creds) && spec.Wait == task.WaitNone && readFailure(err):
			// The token may trigger what the user cannot read: go on without the check.
			out.note("pre-flight skipped: the job could not be read (" + err.Error() + "); triggering with the job token anyway")
		case tokenMode(creds) && readFailure(err):
			return nil, fmt.Errorf("the job token could trigger, but the build could not be followed: %w", err)
		default:
			return nil, err
		}
	}
	merged := func(id int64) {
		out.note(fmt.Sprintf("the trigger merged into queue item %d, which was already waiting with the same parameters; its build is shared with another trigger", id))
	}
	res, err := task.Run(ctx, client, spec, task.Events{Progress: out.note, Status: out.status, Console: e.Stdout, Merged: merged})
	out.endStatus()
	var re *task.ResultError
	if errors.As(err, &re) && re.Result == "UNSTABLE" && cfg.UnstableOK {
		out.note(fmt.Sprintf("build #%d finished UNSTABLE, accepted by --unstable-ok: %s", re.Number, re.URL))
		err = nil
	}
	if res == nil && err != nil && ctx.Err() != nil {
		err = &interruptedTrigger{cause: context.Cause(ctx)}
	}
	return res, err
}

// preflightWanted says whether to read the job before triggering: not with
// --no-preflight, and not when the credentials cannot read it (a bare job
// token, build-token-root without a user).
func preflightWanted(cfg *config, creds auth.Credentials, spec task.Spec, out *printer) bool {
	if cfg.NoPreflight {
		return false
	}
	if _, _, basic := creds.Basic(); !basic && tokenMode(creds) {
		if cfg.Verbose {
			out.note("pre-flight skipped: a job token alone cannot read the job; parameters are not checked")
		}
		return false
	}
	return true
}

func tokenMode(c auth.Credentials) bool {
	return c.Mode() == auth.JobToken || c.Mode() == auth.BuildTokenRoot
}

func readFailure(err error) bool {
	return errors.Is(err, jenkins.ErrNotFound) || errors.Is(err, jenkins.ErrForbidden) || errors.Is(err, jenkins.ErrAuth)
}

// interruptedTrigger is a signal that came before Jenkins answered the trigger.
type interruptedTrigger struct{ cause error }

func (e *interruptedTrigger) Error() string {
	return "interrupted before Jenkins answered; the trigger may or may not have been queued, so check the job in Jenkins"
}
func (e *interruptedTrigger) Unwrap() error { return e.cause }

// followSpec turns the settings into what to wait for and how.
func followSpec(cfg *config, req jenkins.TriggerRequest, creds auth.Credentials) (task.Spec, error) {
	spec := task.Spec{Trigger: req, FailIfMerged: cfg.FailIfMerged, Prefix: cfg.ConsolePrefix,
		QueueTimeout: cfg.QueueTimeout, Timeout: cfg.Timeout, Timing: task.DefaultTiming}
	switch {
	case cfg.Wait || cfg.Follow || (cfg.Console != "" && cfg.Console != "none"):
		spec.Wait = task.WaitEnd
	case cfg.WaitStart:
		spec.Wait = task.WaitStart
	}
	console := cfg.Console
	if console == "" && cfg.Follow {
		console = "stream"
	}
	switch {
	case console == "" || console == "none":
	case console == "stream":
		spec.Console = task.ConsoleStream
	case console == "on-failure":
		spec.Console = task.ConsoleOnFailure
	case strings.HasPrefix(console, "tail:"):
		n, err := strconv.Atoi(strings.TrimPrefix(console, "tail:"))
		if err != nil || n <= 0 {
			return spec, usagef("--console %q: tail needs a line count, such as tail:50", console)
		}
		spec.Console, spec.Tail = task.ConsoleTail, n
	default:
		return spec, usagef("--console %q: use none, stream, tail:N or on-failure", console)
	}
	var err error
	if spec.OnTimeout, err = policy("--on-timeout", cfg.OnTimeout); err != nil {
		return spec, err
	}
	if spec.OnInterrupt, err = policy("--on-interrupt", cfg.OnInterrupt); err != nil {
		return spec, err
	}
	if cfg.ExitCodes != "default" && cfg.ExitCodes != "jenkins-cli" {
		return spec, usagef("--exit-codes %q: use default or jenkins-cli", cfg.ExitCodes)
	}
	if cfg.PollInterval < 250*time.Millisecond {
		return spec, usagef("--poll-interval %s is too short; 250ms is the least", cfg.PollInterval)
	}
	spec.Timing.PollMax = cfg.PollInterval
	for name, d := range map[string]time.Duration{"--timeout": cfg.Timeout, "--queue-timeout": cfg.QueueTimeout} {
		if d < 0 {
			return spec, usagef("%s must not be negative", name)
		}
	}
	if _, _, basic := creds.Basic(); spec.Wait != task.WaitNone && creds.Mode() == auth.BuildTokenRoot && !basic {
		return spec, usagef("waiting needs a user that can read the job: build-token-root triggers anonymously, and anonymous users cannot read the queue item or the build; set JENKINS_USER and JENKINS_API_TOKEN of a user with Job/Read (used for polling), or drop --wait")
	}
	return spec, nil
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

func credentials(cfg *config, dir string) (auth.Credentials, error) {
	token, err := cfg.secret(dir, "API_TOKEN", cfg.APIToken, cfg.APITokenFile)
	if err != nil {
		return auth.Credentials{}, err
	}
	password, err := cfg.secret(dir, "PASSWORD", cfg.Password, cfg.PasswordFile)
	if err != nil {
		return auth.Credentials{}, err
	}
	jobToken, err := cfg.secret(dir, "JOB_TOKEN", cfg.JobToken, cfg.JobTokenFile)
	if err != nil {
		return auth.Credentials{}, err
	}
	creds := auth.Credentials{User: cfg.User, APIToken: auth.Secret(token), Password: auth.Secret(password),
		JobToken: auth.Secret(jobToken), TokenRoot: cfg.BuildTokenRoot}
	return creds, creds.Validate()
}

// jobSetting reads JENKINS_URL and the job into a jenkins.Job.
func jobSetting(cfg *config) (jenkins.Job, error) {
	var base *url.URL
	if cfg.URL != "" {
		var err error
		if base, err = jenkins.ParseBase(cfg.URL); err != nil {
			return jenkins.Job{}, err
		}
	}
	return jenkins.ParseJob(base, cfg.Job)
}

func triggerRequest(cfg *config, c *cli, dir string) (jenkins.TriggerRequest, []param, error) {
	job, err := jobSetting(cfg)
	if err != nil {
		return jenkins.TriggerRequest{}, nil, err
	}
	var fileParams []param
	if cfg.ParamsFile != "" {
		b, err := os.ReadFile(resolvePath(dir, cfg.ParamsFile))
		if err != nil {
			return jenkins.TriggerRequest{}, nil, usagef("cannot read the params file %s: %v", cfg.ParamsFile, cleanFSError(err))
		}
		if fileParams, err = parseParamsFile(b); err != nil {
			return jenkins.TriggerRequest{}, nil, usagef("params file %s: %v", cfg.ParamsFile, err)
		}
		for i := range fileParams {
			fileParams[i].Source = "params file " + cfg.ParamsFile
		}
	}
	params, err := mergeParams(c.Param, fileParams, cfg.prefixedVars("JENKINS_PARAM_"))
	if err != nil {
		return jenkins.TriggerRequest{}, nil, err
	}
	files, err := parseFiles(dir, c.File, cfg.prefixedVars("JENKINS_FILE_"))
	if err != nil {
		return jenkins.TriggerRequest{}, nil, err
	}
	req := jenkins.TriggerRequest{Job: job, Files: files, Cause: cfg.Cause}
	for _, p := range params {
		req.Params = append(req.Params, jenkins.Param{Name: p.Name, Value: p.Value})
	}
	if cfg.Delay != "" {
		d, err := parseDelay(cfg.Delay)
		if err != nil {
			return jenkins.TriggerRequest{}, nil, err
		}
		req.Delay = &d
	}
	return req, params, nil
}

// parseDelay reads --delay: a Go duration in whole seconds ("10s", "2m"), or 0.
// A bare number is refused, since Jenkins would read it as milliseconds.
func parseDelay(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if _, err := strconv.Atoi(s); err == nil {
		return 0, usagef("--delay %s has no unit; write %ss for seconds", s, s)
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d%time.Second != 0 {
		return 0, usagef("--delay %q must be whole seconds, such as 0s, 10s or 2m", truncate(s, 40))
	}
	return d, nil
}

// dryRun shows the requests and where each setting came from; secrets are masked.
func dryRun(out *printer, cfg *config, creds auth.Credentials, plan []jenkins.Planned, params []param, files []jenkins.File) {
	out.always("dry run: nothing is sent")
	for _, st := range cfg.list() {
		src, found := cfg.origin[st.name]
		switch {
		case st.name == "JENKINS_USER_ID":
			continue // shown as JENKINS_USER
		case !found && !st.hasDefault:
			continue
		case !found:
			src = "default"
		}
		value := st.value
		if isSecretSetting(st.name) {
			value = "[redacted]"
		}
		out.always(fmt.Sprintf("setting %s = %s (from %s)", st.name, value, src))
	}
	out.always("auth mode: " + creds.Mode().String() + authNote(creds))
	for i, p := range plan {
		out.always(fmt.Sprintf("request %d: %s %s (%s)", i+1, p.Method, p.URL, p.Why))
		if p.Method != http.MethodPost {
			continue
		}
		for _, pr := range params {
			v := strconv.Quote(pr.Value)
			if secretName.MatchString(pr.Name) {
				v = "[redacted]"
			}
			out.always(fmt.Sprintf("request %d field %s = %s (from %s)", i+1, pr.Name, v, pr.Source))
		}
		for _, f := range files {
			out.always(fmt.Sprintf("request %d file %s = %s", i+1, f.Name, f.Path))
		}
	}
}

func isSecretSetting(name string) bool {
	return !strings.HasSuffix(name, "_FILE") && (strings.HasSuffix(name, "TOKEN") || strings.HasSuffix(name, "PASSWORD"))
}

func authNote(c auth.Credentials) string {
	switch c.Mode() {
	case auth.APIToken:
		return " (user " + c.User + ", pre-emptive Basic, no crumb needed)"
	case auth.Password:
		return " (user " + c.User + ", Basic with a session-bound CSRF crumb)"
	case auth.JobToken:
		if c.User != "" {
			return " (token= plus user " + c.User + ")"
		}
		return " (token= as anonymous, with an anonymous crumb)"
	case auth.BuildTokenRoot:
		return " (/buildByToken with token=, no crumb)"
	}
	return " (no credentials)"
}

// printer writes the lines meant for people to stderr: prefixed, one line,
// plain ASCII, never in MSBuild's error/warning format.
type printer struct {
	w              io.Writer
	mu             *sync.Mutex // shared by the tagged printers of several jobs
	tag            string      // "[job] " when several jobs run
	quiet, verbose bool
	tty            bool // stderr is a terminal: show a live status line
	statusLen      int  // length of the status line on screen, 0 when none
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
	return &printer{w: p.w, mu: p.mu, tag: tag, quiet: p.quiet, verbose: p.verbose}
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

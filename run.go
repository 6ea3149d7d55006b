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
	"time"

	"github.com/alecthomas/kong"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// Exit codes: a contract with build files, documented in the README.
const (
	exitOK          = 0
	exitInternal    = 1
	exitUsage       = 2
	exitAuth        = 3
	exitForbidden   = 4
	exitNotFound    = 5
	exitRejected    = 6
	exitUnreachable = 7
	exitProtocol    = 8
	exitMerged      = 22
	exitInterrupted = 130
	exitTerminated  = 143
)

// signalError is the cause of a context cancelled by a signal.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "interrupted by " + e.sig.String() }

// exitCode is the one mapping from errors to exit codes.
func exitCode(err error) int {
	var se signalError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &se):
		if se.sig == os.Interrupt {
			return exitInterrupted
		}
		return exitTerminated
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	}
	var ue *usageError
	if errors.As(err, &ue) || errors.Is(err, jenkins.ErrBadJob) || errors.Is(err, auth.ErrIncomplete) {
		return exitUsage
	}
	for _, m := range []struct {
		kind error
		code int
	}{
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
}

var version, commit = "dev", "none" // set by -ldflags "-X main.version=... -X main.commit=..."

func versionString() string {
	return fmt.Sprintf("jenkins-trigger %s (commit %s, %s %s/%s)", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// run is the whole program; main only wires the OS into it.
func run(ctx context.Context, e osEnv) (code int) {
	out := &printer{w: e.Stderr}
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
	err = trigger(ctx, e, &c, kctx, out)
	if err != nil {
		if ctx.Err() != nil {
			err = context.Cause(ctx)
			out.fail("interrupted before Jenkins answered; the trigger may or may not have been queued, so check the job in Jenkins")
		} else {
			out.fail(err.Error())
		}
	}
	return exitCode(err)
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

func trigger(ctx context.Context, e osEnv, c *cli, kctx *kong.Context, out *printer) error {
	flags, flagSecrets := flagLayer(kctx)
	if c.Job != "" && c.JobFlag != "" && c.Job != c.JobFlag {
		return usagef("the job is given twice, as %q and as --job %q; give it once", c.Job, c.JobFlag)
	}
	if c.Job != "" {
		flags["JENKINS_JOB"] = c.Job
	}
	cfg, err := loadConfig(ctx, e.Dir, e.Environ, flags, c.EnvFile)
	if err != nil {
		return err
	}
	out.quiet, out.verbose = cfg.Quiet, cfg.Verbose || cfg.DryRun
	for _, name := range flagSecrets {
		out.caution(fmt.Sprintf("--%s puts the secret in process lists and build logs; use the environment variable or --%s-file instead", name, name))
	}
	creds, err := credentials(cfg, e.Dir)
	if err != nil {
		return err
	}
	req, params, err := triggerRequest(cfg, c, e.Dir)
	if err != nil {
		return err
	}
	base := req.Job.Base
	if _, _, basic := creds.Basic(); (basic || creds.JobToken != "") && base.Scheme == "http" && !auth.IsLoopback(base) {
		out.caution("credentials go in clear text over http:// to " + base.Host + "; use https:// in JENKINS_URL")
	}
	if cfg.Insecure {
		out.caution("--insecure: TLS certificates are not verified, so anyone on the network path can read the credentials")
	}
	if req.Cause != "" && creds.JobToken == "" {
		out.note("--cause is recorded by Jenkins only for job-token triggers; it is ignored here")
	}
	var caPEM []byte
	if cfg.CACert != "" {
		if caPEM, err = os.ReadFile(resolvePath(e.Dir, cfg.CACert)); err != nil {
			return usagef("cannot read --ca-cert %s: %v", cfg.CACert, cleanFSError(err))
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
		return usagef("%v", err)
	}
	if cfg.DryRun {
		dryRun(out, cfg, creds, client.Plan(req), params, req.Files)
		return nil
	}
	res, err := task.Run(ctx, client, task.Spec{Trigger: req, FailIfMerged: cfg.FailIfMerged})
	if res != nil {
		if res.Merged {
			out.note(fmt.Sprintf("the trigger merged into queue item %d, which was already waiting with the same parameters; its build is shared with another trigger", res.QueueID))
		}
		if cfg.JSON {
			b, _ := json.Marshal(res)
			fmt.Fprintln(e.Stdout, string(b))
		} else {
			fmt.Fprintln(e.Stdout, res.QueueURL)
		}
	}
	return err
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

func triggerRequest(cfg *config, c *cli, dir string) (jenkins.TriggerRequest, []param, error) {
	var base *url.URL
	if cfg.URL != "" {
		var err error
		if base, err = jenkins.ParseBase(cfg.URL); err != nil {
			return jenkins.TriggerRequest{}, nil, err
		}
	}
	job, err := jenkins.ParseJob(base, cfg.Job)
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
	quiet, verbose bool
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
	fmt.Fprintln(p.w, msbuildSafe("jenkins-trigger: "+jenkins.Clean(msg, 2000)))
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
// turning colons into " -", starting with the first, until it no longer matches.
func msbuildSafe(line string) string {
	for i := 0; msbuildCanonicalMatch(line) && i < 20; i++ {
		j := strings.Index(line[len("jenkins-trigger:"):], ":")
		if j < 0 {
			break
		}
		j += len("jenkins-trigger:")
		line = line[:j] + " -" + line[j+1:]
	}
	return line
}

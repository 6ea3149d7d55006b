package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// app is what every command's Run gets (bound by kong): the command's start,
// the settings loaded and validated once (config), the printer set up once,
// and the factory of clients that share the credentials.
type app struct {
	start  time.Time // the command's start: --timeout counts from here
	env    osEnv
	cfg    *config
	out    *printer
	params []string // -p KEY=VALUE
	files  []string // --file NAME=PATH
	arts   []string // --artifacts GLOB

	artifactsCommand bool     // the artifacts command: no --wait needed for --junit or --artifacts
	jobs             []string // jobs named as arguments

	// The trigger's word-valued settings, validated once.
	style       codeStyle
	console     task.ConsoleMode
	tail        int
	onTimeout   task.Policy
	onInterrupt task.Policy
	onInput     task.InputPolicy

	*clients
}

// clients makes the clients of one run: one per job (a client keeps a crumb
// and cookies), sharing credentials resolved once (secret files read once)
// and cautions said once.
type clients struct {
	env         osEnv
	cfg         *config
	out         *printer
	flagSecrets []string // secrets given as flags, for the caution

	creds     *auth.Credentials
	caPEM     []byte
	cautioned map[string]bool // hosts already warned about clear-text credentials
}

// credentials resolves the credentials once: secret files are read here and
// nowhere else, and the cautions about them print once.
func (a *clients) credentials() (auth.Credentials, error) {
	if a.creds != nil {
		return *a.creds, nil
	}
	cfg, dir := a.cfg, a.env.Dir
	for _, name := range a.flagSecrets {
		a.out.caution(fmt.Sprintf("--%s puts the secret in process lists and build logs; use the environment variable or --%s-file instead", name, name))
	}
	var secrets [3]string
	for i, s := range []struct{ name, value, file string }{
		{"API_TOKEN", cfg.APIToken, cfg.APITokenFile},
		{"PASSWORD", cfg.Password, cfg.PasswordFile},
		{"JOB_TOKEN", cfg.JobToken, cfg.JobTokenFile},
	} {
		v, err := cfg.secret(dir, s.name, s.value, s.file)
		if err != nil {
			return auth.Credentials{}, err
		}
		secrets[i] = v
	}
	creds := auth.Credentials{User: cfg.User, APIToken: auth.Secret(secrets[0]), Password: auth.Secret(secrets[1]),
		JobToken: auth.Secret(secrets[2]), TokenRoot: cfg.BuildTokenRoot}
	switch err := creds.Validate(); {
	case errors.Is(err, auth.ErrNoSecret):
		return auth.Credentials{}, usagef("JENKINS_USER is set but neither JENKINS_API_TOKEN nor JENKINS_PASSWORD is")
	case errors.Is(err, auth.ErrNoUser):
		return auth.Credentials{}, usagef("an API token or password is set but JENKINS_USER is not (use the Jenkins user ID)")
	case errors.Is(err, auth.ErrNoJobToken):
		return auth.Credentials{}, usagef("--build-token-root needs the job's trigger token in JENKINS_JOB_TOKEN")
	case err != nil:
		return auth.Credentials{}, err
	}
	if cfg.Insecure {
		a.out.caution("--insecure: TLS certificates are not verified, so anyone on the network path can read the credentials")
	}
	if cfg.CACert != "" {
		b, err := os.ReadFile(resolvePath(dir, cfg.CACert))
		if err != nil {
			return auth.Credentials{}, usagef("cannot read --ca-cert %s: %v", cfg.CACert, cleanFSError(err))
		}
		a.caPEM = b
	}
	a.creds = &creds
	return creds, nil
}

// client builds a client for the Jenkins at base. Each job gets its own (a
// client keeps a crumb and cookies); the clear-text caution prints once per host.
func (a *clients) client(base *url.URL) (*jenkins.Client, auth.Credentials, error) {
	creds, err := a.credentials()
	if err != nil {
		return nil, creds, err
	}
	if _, _, basic := creds.Basic(); (basic || creds.JobToken != "") && base.Scheme == "http" && !auth.IsLoopback(base) && !a.cautioned[base.Host] {
		if a.cautioned == nil {
			a.cautioned = map[string]bool{}
		}
		a.cautioned[base.Host] = true
		a.out.caution("credentials go in clear text over http:// to " + base.Host + "; use https:// in JENKINS_URL")
	}
	cfg := a.cfg
	opts := jenkins.Options{
		Base: base, Creds: creds, CACertPEM: a.caPEM, Insecure: cfg.Insecure,
		ConnectTimeout: cfg.ConnectTimeout, RequestTimeout: cfg.RequestTimeout, RetryFor: cfg.RetryFor,
		Proxy: a.env.Proxy, Dial: a.env.Dial, Warn: a.out.caution, UserAgent: "jenkins-trigger/" + version,
	}
	if cfg.Verbose {
		opts.Log = a.out.note
	}
	c, err := jenkins.New(opts)
	switch {
	case errors.Is(err, jenkins.ErrNoPEM):
		return nil, creds, usagef("--ca-cert %s holds no PEM certificate", cfg.CACert)
	case err != nil:
		return nil, creds, usagef("%v", err)
	}
	return c, creds, nil
}

// job parses ref (a name, a path or a URL) against JENKINS_URL.
func (a *app) job(ref string) (jenkins.Job, error) {
	var base *url.URL
	if a.cfg.URL != "" {
		var err error
		if base, err = jenkins.ParseBase(a.cfg.URL); err != nil {
			return jenkins.Job{}, err
		}
	}
	return jenkins.ParseJob(base, ref)
}

// jobClient is the job the settings name (argument, --job or JENKINS_JOB)
// and a client for its Jenkins: what params and artifacts start from.
func (a *app) jobClient() (jenkins.Job, *jenkins.Client, error) {
	job, err := a.job(a.cfg.Job)
	if err != nil {
		return job, nil, err
	}
	client, _, err := a.client(job.Base)
	return job, client, err
}

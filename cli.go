package main

import "github.com/alecthomas/kong"

// cli is the command-line grammar. Settings that the environment can also
// supply have no kong default and no kong env tag: config.go merges flags,
// environment and .env files in one place. The envname tag names each flag's
// environment variable.
type cli struct {
	Trigger   triggerCmd   `cmd:"" default:"withargs" help:"Trigger JOB; the default command, so 'jenkins-trigger JOB' does it."`
	Params    paramsCmd    `cmd:"" help:"List the parameters of JOB: name, type, default, choices, description (a table, or --json)."`
	Doctor    doctorCmd    `cmd:"" help:"Check every step from this machine to Jenkins and JOB, and say what to fix; triggers nothing."`
	Artifacts artifactsCmd `cmd:"" help:"Download archived files (and the test report) of an existing build: artifacts JOB [BUILD]."`
	Help      helpCmd      `cmd:"" help:"Show the help of jenkins-trigger, or of one command: help params."`

	globalFlags `embed:""`
	Version     kong.VersionFlag `name:"version" help:"Print version, commit and Go version, then exit."`
}

// globalFlags are the flags of every command: where Jenkins is, who we are,
// how to reach it, how long the whole run may take, and how much to say.
type globalFlags struct {
	JobFlag      string `name:"job" envname:"JENKINS_JOB" placeholder:"JOB" help:"The job, as a flag: also one named like a command (trigger, params, doctor, artifacts, help) ($$JENKINS_JOB)."`
	URL          string `name:"url" envname:"JENKINS_URL" placeholder:"URL" help:"Jenkins base URL, with its context path if any, e.g. https://ci.example.com/jenkins/ ($$JENKINS_URL)."`
	User         string `name:"user" envname:"JENKINS_USER" placeholder:"ID" help:"Jenkins user ID ($$JENKINS_USER, or $$JENKINS_USER_ID as jenkins-cli names it)."`
	APIToken     string `name:"api-token" envname:"JENKINS_API_TOKEN" placeholder:"TOKEN" help:"API token of the user; prefer the environment or --api-token-file, a flag shows in process lists ($$JENKINS_API_TOKEN)."`
	APITokenFile string `name:"api-token-file" envname:"JENKINS_API_TOKEN_FILE" placeholder:"FILE" help:"Read the API token from FILE ($$JENKINS_API_TOKEN_FILE)."`
	Password     string `name:"password" envname:"JENKINS_PASSWORD" placeholder:"PASSWORD" help:"Password of the user (needs a CSRF crumb; an API token is better) ($$JENKINS_PASSWORD)."`
	PasswordFile string `name:"password-file" envname:"JENKINS_PASSWORD_FILE" placeholder:"FILE" help:"Read the password from FILE ($$JENKINS_PASSWORD_FILE)."`

	EnvFile        []string `name:"env-file" sep:"none" placeholder:"FILE" help:"Read settings from FILE in .env format, after ./.env; repeatable, later files win ($$JENKINS_ENV_FILE names one)."`
	CACert         string   `name:"ca-cert" envname:"JENKINS_CA_CERT" placeholder:"FILE" help:"Also trust the PEM certificates in FILE ($$JENKINS_CA_CERT)."`
	Insecure       bool     `name:"insecure" envname:"JENKINS_INSECURE" help:"Do not verify TLS certificates (unsafe; prints a caution) ($$JENKINS_INSECURE)."`
	ConnectTimeout string   `name:"connect-timeout" envname:"JENKINS_CONNECT_TIMEOUT" placeholder:"DURATION" help:"Time allowed to connect, including TLS (default 10s) ($$JENKINS_CONNECT_TIMEOUT)."`
	RequestTimeout string   `name:"request-timeout" envname:"JENKINS_REQUEST_TIMEOUT" placeholder:"DURATION" help:"Time allowed for one request and its answer (default 30s) ($$JENKINS_REQUEST_TIMEOUT)."`
	RetryFor       string   `name:"retry-for" envname:"JENKINS_RETRY_FOR" placeholder:"DURATION" help:"How long to re-send a trigger that provably never reached Jenkins; 0 never (default 30s) ($$JENKINS_RETRY_FOR)."`
	Timeout        string   `name:"timeout" envname:"JENKINS_TIMEOUT" placeholder:"DURATION" help:"Give up DURATION after jenkins-trigger started, whatever it is doing: exit 31, or 30 before the build started (and for params and doctor); 0, the default, means never ($$JENKINS_TIMEOUT)."`
	Quiet          bool     `name:"quiet" short:"q" envname:"JENKINS_QUIET" help:"Print only failures and cautions on stderr ($$JENKINS_QUIET)."`
	Verbose        bool     `name:"verbose" short:"v" envname:"JENKINS_VERBOSE" help:"Print each request (method, redacted URL, status, time) on stderr ($$JENKINS_VERBOSE)."`
}

// tokenFlags are the job-token flags of the commands that trigger or check a trigger.
type tokenFlags struct {
	JobToken       string `name:"job-token" envname:"JENKINS_JOB_TOKEN" placeholder:"TOKEN" help:"The job's 'Trigger builds remotely' token, sent as token= ($$JENKINS_JOB_TOKEN)."`
	JobTokenFile   string `name:"job-token-file" envname:"JENKINS_JOB_TOKEN_FILE" placeholder:"FILE" help:"Read the job token from FILE ($$JENKINS_JOB_TOKEN_FILE)."`
	BuildTokenRoot bool   `name:"build-token-root" envname:"JENKINS_BUILD_TOKEN_ROOT" help:"Trigger through the build-token-root plugin's /buildByToken (job token, no user, no crumb) ($$JENKINS_BUILD_TOKEN_ROOT)."`
}

type triggerCmd struct {
	Jobs          []string `arg:"" optional:"" placeholder:"JOB" help:"Job(s) to trigger: name, folder/sub/name, or the job's URL from the browser. Also --job or JENKINS_JOB. Several run concurrently."`
	tokenFlags    `embed:""`
	Param         []string `name:"param" short:"p" sep:"none" placeholder:"KEY=VALUE" help:"Build parameter; repeatable; the value is never split. Also JENKINS_PARAM_<KEY>=VALUE."`
	ParamsFile    string   `name:"params-file" envname:"JENKINS_PARAMS_FILE" placeholder:"FILE" help:"Read parameters from FILE: KEY=VALUE lines, or one JSON object ($$JENKINS_PARAMS_FILE)."`
	File          []string `name:"file" sep:"none" placeholder:"NAME=PATH" help:"File parameter NAME, uploaded from PATH; repeatable. Also JENKINS_FILE_<NAME>=PATH."`
	Delay         string   `name:"delay" envname:"JENKINS_DELAY" placeholder:"DURATION" help:"Quiet period before the build starts, e.g. 0s, 10s, 2m (default: the job's own) ($$JENKINS_DELAY)."`
	Cause         string   `name:"cause" envname:"JENKINS_CAUSE" placeholder:"TEXT" help:"Note recorded as the build's cause; Jenkins keeps it only for job-token triggers ($$JENKINS_CAUSE)."`
	JobsFile      string   `name:"jobs-file" envname:"JENKINS_JOBS_FILE" placeholder:"FILE" help:"Trigger the jobs listed in FILE, one per line: JOB [KEY=VALUE ...] (values with spaces in double quotes) ($$JENKINS_JOBS_FILE)."`
	Parallel      int      `name:"parallel" envname:"JENKINS_PARALLEL" placeholder:"N" help:"With several jobs, how many to trigger and follow at once (default 8) ($$JENKINS_PARALLEL)."`
	NoPreflight   bool     `name:"no-preflight" envname:"JENKINS_NO_PREFLIGHT" help:"Trigger without first reading the job to check it and its parameters ($$JENKINS_NO_PREFLIGHT)."`
	FailIfMerged  bool     `name:"fail-if-merged" envname:"JENKINS_FAIL_IF_MERGED" help:"Exit 22 when Jenkins folds the trigger into an identical item already queued ($$JENKINS_FAIL_IF_MERGED)."`
	WaitStart     bool     `name:"wait-start" envname:"JENKINS_WAIT_START" help:"Wait until the build has a number and print its URL ($$JENKINS_WAIT_START)."`
	Wait          bool     `name:"wait" short:"w" envname:"JENKINS_WAIT" help:"Wait for the build's result and exit with it: SUCCESS 0, UNSTABLE 10, FAILURE 11, ABORTED 12, NOT_BUILT 13 ($$JENKINS_WAIT)."`
	Follow        bool     `name:"follow" short:"f" envname:"JENKINS_FOLLOW" help:"Stream the console to stdout while waiting; implies --wait ($$JENKINS_FOLLOW)."`
	Console       string   `name:"console" envname:"JENKINS_CONSOLE" placeholder:"MODE" help:"Console to print: none, stream, tail:N (the last N lines at the end) or on-failure (the failing stage's part, or the last 200 lines); implies --wait ($$JENKINS_CONSOLE)."`
	ConsolePrefix string   `name:"console-prefix" envname:"JENKINS_CONSOLE_PREFIX" placeholder:"TEXT" help:"Put TEXT before every console line ($$JENKINS_CONSOLE_PREFIX)."`
	UnstableOK    bool     `name:"unstable-ok" envname:"JENKINS_UNSTABLE_OK" help:"Exit 0 for an UNSTABLE build ($$JENKINS_UNSTABLE_OK)."`
	ExitCodes     string   `name:"exit-codes" envname:"JENKINS_EXIT_CODES" placeholder:"STYLE" help:"Numbering of build results: default, or jenkins-cli (SUCCESS 0, UNSTABLE 1, FAILURE 2, NOT_BUILT 3, ABORTED 4) ($$JENKINS_EXIT_CODES)."`
	QueueTimeout  string   `name:"queue-timeout" envname:"JENKINS_QUEUE_TIMEOUT" placeholder:"DURATION" help:"Give up when the build has not started DURATION after jenkins-trigger started (checks and trigger included): exit 30 ($$JENKINS_QUEUE_TIMEOUT)."`
	OnTimeout     string   `name:"on-timeout" envname:"JENKINS_ON_TIMEOUT" placeholder:"POLICY" help:"On a timeout: cancel (dequeue, or stop the build; the default) or detach (leave it running) ($$JENKINS_ON_TIMEOUT)."`
	OnInput       string   `name:"on-input" envname:"JENKINS_ON_INPUT" placeholder:"POLICY" help:"When a Pipeline waits at an input step: wait (the default), fail (exit 23; the build stays paused), abort (reject it, then follow the build), or proceed (approve an input without parameters) ($$JENKINS_ON_INPUT)."`
	OnInterrupt   string   `name:"on-interrupt" envname:"JENKINS_ON_INTERRUPT" placeholder:"POLICY" help:"On Ctrl-C, Ctrl-Break or SIGTERM while waiting: cancel (the default) or detach ($$JENKINS_ON_INTERRUPT)."`
	StopGrace     string   `name:"stop-grace" envname:"JENKINS_STOP_GRACE" placeholder:"DURATION" help:"When cancelling a build: how long it may take to end after stop (for a Pipeline, then term, then kill) (default 15s) ($$JENKINS_STOP_GRACE)."`
	PollInterval  string   `name:"poll-interval" envname:"JENKINS_POLL_INTERVAL" placeholder:"DURATION" help:"Slowest polling interval while waiting (default 5s); polling is quicker at first and near the expected end ($$JENKINS_POLL_INTERVAL)."`
	OutputFile    string   `name:"output-file" envname:"JENKINS_OUTPUT_FILE" placeholder:"FILE" help:"Write the result as KEY=VALUE lines (JENKINS_BUILD_NUMBER, JENKINS_BUILD_URL, ...) to FILE ($$JENKINS_OUTPUT_FILE)."`
	Artifacts     []string `name:"artifacts" sep:"none" placeholder:"GLOB" help:"With --wait: download the build's archived files matching GLOB (* within a folder, ** across folders); repeatable; a pattern that matches nothing exits 24."`
	ArtifactsDir  string   `name:"artifacts-dir" envname:"JENKINS_ARTIFACTS_DIR" placeholder:"DIR" help:"Where --artifacts puts the files, keeping their relative paths; with several jobs, under DIR/JOB/ (default .) ($$JENKINS_ARTIFACTS_DIR)."`
	ArtifactsOn   string   `name:"artifacts-on" envname:"JENKINS_ARTIFACTS_ON" placeholder:"WHEN" help:"For which results --artifacts downloads: success (the default) or any ($$JENKINS_ARTIFACTS_ON)."`
	JUnit         string   `name:"junit" envname:"JENKINS_JUNIT" placeholder:"FILE" help:"With --wait: write the build's test report (JUnit plugin) to FILE as JUnit XML, for the calling build system to publish ($$JENKINS_JUNIT)."`
	DryRun        bool     `name:"dry-run" envname:"JENKINS_DRY_RUN" help:"Print the requests that would be sent and where each setting came from; send nothing ($$JENKINS_DRY_RUN)."`
	JSON          bool     `name:"json" envname:"JENKINS_JSON" help:"Print the result as one JSON object on stdout ($$JENKINS_JSON)."`
}

type paramsCmd struct {
	Job  string `arg:"" optional:"" placeholder:"JOB" help:"The job: name, folder/sub/name, or its URL. Also --job or JENKINS_JOB."`
	JSON bool   `name:"json" envname:"JENKINS_JSON" help:"Print the parameters as a JSON array on stdout ($$JENKINS_JSON)."`
}

type doctorCmd struct {
	Job        string `arg:"" optional:"" placeholder:"JOB" help:"The job: name, folder/sub/name, or its URL. Also --job or JENKINS_JOB."`
	tokenFlags `embed:""`
}

type artifactsCmd struct {
	Job          string   `arg:"" placeholder:"JOB" help:"The job: name, folder/sub/name, or its URL."`
	Build        string   `arg:"" optional:"" placeholder:"BUILD" help:"A build number, last, or last-successful (which in Jenkins includes UNSTABLE builds); default last-successful."`
	Artifacts    []string `name:"artifacts" sep:"none" placeholder:"GLOB" help:"Download the archived files matching GLOB (* within a folder, ** across folders); repeatable; default ** (all)."`
	ArtifactsDir string   `name:"artifacts-dir" envname:"JENKINS_ARTIFACTS_DIR" placeholder:"DIR" help:"Where the files go, keeping their relative paths (default .) ($$JENKINS_ARTIFACTS_DIR)."`
	JUnit        string   `name:"junit" envname:"JENKINS_JUNIT" placeholder:"FILE" help:"Also write the build's test report to FILE as JUnit XML ($$JENKINS_JUNIT)."`
	JSON         bool     `name:"json" envname:"JENKINS_JSON" help:"Print the files (path, size, sha256) as a JSON array on stdout ($$JENKINS_JSON)."`
}

// helpCmd is `jenkins-trigger help [COMMAND]`; a job named "help" is
// triggered with --job help.
type helpCmd struct {
	Command []string `arg:"" optional:"" placeholder:"COMMAND" help:"The command to show the help of: trigger, params or doctor."`
}

const description = `Trigger a Jenkins job and print its queue item URL; with --wait, follow the
build to its result and exit with it.

  jenkins-trigger JOB... [flags]         trigger (the default command)
  jenkins-trigger params JOB [flags]     list the job's parameters
  jenkins-trigger doctor [JOB] [flags]   check the way to Jenkins and the job
  jenkins-trigger artifacts JOB [BUILD]  download a build's artifacts
  jenkins-trigger help [COMMAND]         this help, or a command's flags

Settings come from flags, then the environment, then .env files (./.env and
--env-file), then defaults. Secrets belong in the environment or in files,
never on the command line.

Each command takes its own flags: the trigger's (--wait, -p, --follow, ...)
are listed by jenkins-trigger help trigger. A job named like a command
can always be triggered with --job NAME or JENKINS_JOB=NAME.

Exit codes:
  0    what was asked happened (queued; started; SUCCESS with --wait)
  1    internal error (a bug)
  2    usage or configuration error; nothing was sent
  3    authentication failed          4    forbidden (a permission, a token)
  5    job not found                  6    trigger rejected (disabled, parameters)
  7    unreachable, or a lost answer that cannot be confirmed
  8    unexpected response (not Jenkins)
  10   UNSTABLE    11   FAILURE    12   ABORTED    13   NOT_BUILT    14   other
       (with --exit-codes jenkins-cli: UNSTABLE 1, FAILURE 2, NOT_BUILT 3, ABORTED 4)
  20   queue item cancelled           21   build lost
  22   merged (with --fail-if-merged) 23   waits at an input step (--on-input)
  24   no artifact matches --artifacts 25   an artifact download failed
  30   timed out before the start     31   timed out after the start
  130  interrupted                    143  terminated`

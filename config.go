package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/joho/godotenv"
	"github.com/sethvargo/go-envconfig"
)

// settings are the values that flags, the environment and .env files can all
// supply. The env names are the JENKINS_ variables without their prefix.
type settings struct {
	URL            string        `env:"URL"`
	User           string        `env:"USER"`
	UserID         string        `env:"USER_ID"`
	Job            string        `env:"JOB"`
	APIToken       string        `env:"API_TOKEN"`
	APITokenFile   string        `env:"API_TOKEN_FILE"`
	Password       string        `env:"PASSWORD"`
	PasswordFile   string        `env:"PASSWORD_FILE"`
	JobToken       string        `env:"JOB_TOKEN"`
	JobTokenFile   string        `env:"JOB_TOKEN_FILE"`
	BuildTokenRoot bool          `env:"BUILD_TOKEN_ROOT"`
	ParamsFile     string        `env:"PARAMS_FILE"`
	Delay          string        `env:"DELAY"`
	Cause          string        `env:"CAUSE"`
	JobsFile       string        `env:"JOBS_FILE"`
	Parallel       int           `env:"PARALLEL, default=8"`
	NoPreflight    bool          `env:"NO_PREFLIGHT"`
	FailIfMerged   bool          `env:"FAIL_IF_MERGED"`
	JSON           bool          `env:"JSON"`
	Quiet          bool          `env:"QUIET"`
	Verbose        bool          `env:"VERBOSE"`
	DryRun         bool          `env:"DRY_RUN"`
	CACert         string        `env:"CA_CERT"`
	Insecure       bool          `env:"INSECURE"`
	WaitStart      bool          `env:"WAIT_START"`
	Wait           bool          `env:"WAIT"`
	Follow         bool          `env:"FOLLOW"`
	Console        string        `env:"CONSOLE"`
	ConsolePrefix  string        `env:"CONSOLE_PREFIX"`
	UnstableOK     bool          `env:"UNSTABLE_OK"`
	ExitCodes      string        `env:"EXIT_CODES, default=default"`
	QueueTimeout   time.Duration `env:"QUEUE_TIMEOUT"`
	Timeout        time.Duration `env:"TIMEOUT"`
	OnTimeout      string        `env:"ON_TIMEOUT, default=cancel"`
	OnInterrupt    string        `env:"ON_INTERRUPT, default=cancel"`
	OnInput        string        `env:"ON_INPUT, default=wait"`
	StopGrace      time.Duration `env:"STOP_GRACE, default=15s"`
	PollInterval   time.Duration `env:"POLL_INTERVAL, default=5s"`
	OutputFile     string        `env:"OUTPUT_FILE"`
	JUnit          string        `env:"JUNIT"`
	ArtifactsDir   string        `env:"ARTIFACTS_DIR, default=."`
	ArtifactsOn    string        `env:"ARTIFACTS_ON, default=success"`
	ConnectTimeout time.Duration `env:"CONNECT_TIMEOUT, default=10s"`
	RequestTimeout time.Duration `env:"REQUEST_TIMEOUT, default=30s"`
	RetryFor       time.Duration `env:"RETRY_FOR, default=30s"`
}

// layer is one source of settings, highest precedence first in a config.
type layer struct {
	name string            // for people: "flag", "environment", ".env file X", ...
	vars map[string]string // JENKINS_* name -> value
	from map[string]string // per-name source when it differs from name (the file of a merged .env)
}

func (l layer) source(key string) string {
	if f, ok := l.from[key]; ok {
		return f
	}
	return l.name
}

// config is the merged configuration and where each value came from.
type config struct {
	settings
	layers []layer
	origin map[string]string // JENKINS_* name -> source, for every name that was looked up and found
	rank   map[string]int    // JENKINS_* name -> index of the layer it came from
}

// recorder is an envconfig.Lookuper over the layers that remembers where each
// value came from.
type recorder struct{ c *config }

func (r recorder) Lookup(key string) (string, bool) {
	for i, l := range r.c.layers {
		if v, ok := l.vars[key]; ok {
			r.c.origin[key] = l.source(key)
			r.c.rank[key] = i
			return v, true
		}
	}
	return "", false
}

// usageError is a problem with the configuration or the command line: exit 2,
// and nothing was sent.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// loadConfig merges, highest first: flags, the process environment, .env files
// (./.env, then each --env-file, later files winning), a JENKINS_URL that
// Jenkins injected into a build step, then defaults. flagFrom names the
// source of flag-layer values that did not come from a flag (the positional
// JOB argument).
func loadConfig(ctx context.Context, dir string, environ []string, flags, flagFrom map[string]string, envFiles []string) (*config, error) {
	env := environMap(environ)
	injected := map[string]string{}
	// Inside a Jenkins build step, Jenkins sets JENKINS_URL to itself and
	// BUILD_URL below it. The user did not write that value, so .env files win.
	if u, ok := env["JENKINS_URL"]; ok && u != "" && strings.HasPrefix(env["BUILD_URL"], u) {
		injected["JENKINS_URL"] = u
		delete(env, "JENKINS_URL")
	}
	if len(envFiles) == 0 && env["JENKINS_ENV_FILE"] != "" {
		envFiles = []string{env["JENKINS_ENV_FILE"]}
	}
	dotenv := layer{name: ".env file", vars: map[string]string{}, from: map[string]string{}}
	paths := append([]string{".env"}, envFiles...)
	for i, p := range paths {
		b, err := readTextFile(dir, p)
		if errors.Is(err, fs.ErrNotExist) && i == 0 {
			continue // ./.env is optional; named files are not
		}
		if err != nil {
			return nil, usagef("cannot read env file %s: %v", p, err)
		}
		vars, err := parseEnvFile(b)
		if err != nil {
			return nil, usagef("env file %s, %v", p, err)
		}
		for k, v := range vars {
			dotenv.vars[k] = v
			dotenv.from[k] = ".env file " + p
		}
	}
	c := &config{
		layers: []layer{
			{name: "flag", vars: flags, from: flagFrom},
			{name: "environment", vars: env},
			dotenv,
			{name: "environment (set by Jenkins for this build step, below .env files)", vars: injected},
		},
		origin: map[string]string{},
		rank:   map[string]int{},
	}
	if err := checkKinds(c); err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	err := envconfig.ProcessWith(ctx, &envconfig.Config{
		Target:   &c.settings,
		Lookuper: envconfig.PrefixLookuper("JENKINS_", recorder{c}),
	})
	if err != nil {
		return nil, usagef("bad setting: %v", err)
	}
	// JENKINS_USER_ID is jenkins-cli's name; the higher layer wins, JENKINS_USER on a tie.
	if c.UserID != "" && (c.User == "" || c.rank["JENKINS_USER_ID"] < c.rank["JENKINS_USER"]) {
		c.User = c.UserID
		c.origin["JENKINS_USER"] = c.origin["JENKINS_USER_ID"]
	}
	return c, nil
}

// setting is one entry of the settings struct, for --dry-run.
type setting struct {
	name, value string
	hasDefault  bool
}

// list returns every setting, in declaration order, with its JENKINS_ name.
func (c *config) list() []setting {
	v := reflect.ValueOf(c.settings)
	var out []setting
	for i := range v.NumField() {
		tag := v.Type().Field(i).Tag.Get("env")
		name, opts, _ := strings.Cut(tag, ",")
		out = append(out, setting{name: "JENKINS_" + name, value: fmt.Sprint(v.Field(i).Interface()),
			hasDefault: strings.Contains(opts, "default=")})
	}
	return out
}

// valueOf is the text of a setting as the layers hold it ("" when unset).
func (c *config) valueOf(key string) string {
	for _, l := range c.layers {
		if v, ok := l.vars[key]; ok {
			return v
		}
	}
	return ""
}

// sourceOf says where a setting came from, for --dry-run.
func (c *config) sourceOf(name string) string {
	if s, ok := c.origin[name]; ok {
		return s
	}
	return "default"
}

// secret returns the value of a secret that may be given directly (NAME) or
// in a file (NAME_FILE); the one from the higher layer wins.
func (c *config) secret(dir, name, value, file string) (string, error) {
	if file == "" {
		return value, nil
	}
	if value != "" && c.rank["JENKINS_"+name] < c.rank["JENKINS_"+name+"_FILE"] {
		return value, nil
	}
	b, err := readTextFile(dir, file)
	if err != nil {
		return "", usagef("cannot read the JENKINS_%s_FILE %s: %v", name, file, err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" || strings.ContainsAny(s, "\r\n") {
		return "", usagef("the JENKINS_%s_FILE %s must hold the secret on one line", name, file)
	}
	c.origin["JENKINS_"+name] = c.origin["JENKINS_"+name+"_FILE"] + " (file " + file + ")"
	c.rank["JENKINS_"+name] = c.rank["JENKINS_"+name+"_FILE"]
	return s, nil
}

// prefixedVars returns the <NAME>=value pairs of variables named prefix+NAME
// (JENKINS_PARAM_, JENKINS_FILE_) from the environment layers, the highest
// layer winning per name, with their sources.
func (c *config) prefixedVars(prefix string) []param {
	seen := map[string]bool{}
	var out []param
	for _, l := range c.layers[1:] { // flags carry no such names
		var names []string
		for k := range l.vars {
			if n, ok := strings.CutPrefix(k, prefix); ok && n != "" && !seen[n] {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		for _, n := range names {
			seen[n] = true
			out = append(out, param{Name: n, Value: l.vars[prefix+n], Source: l.source(prefix + n)})
		}
	}
	return out
}

// environMap turns KEY=VALUE strings into a map. Windows treats names without
// regard to case, so there they are normalised (see normaliseName).
func environMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		if runtime.GOOS == "windows" {
			k = normaliseName(k)
		}
		m[k] = v
	}
	return m
}

// prefixed are the variable families whose suffix is a Jenkins parameter name,
// which is case-sensitive.
var prefixed = []string{"JENKINS_PARAM_", "JENKINS_FILE_"}

// normaliseName upper-cases a variable name, except the parameter name after
// JENKINS_PARAM_ or JENKINS_FILE_.
func normaliseName(k string) string {
	for _, p := range prefixed {
		if len(k) > len(p) && strings.EqualFold(k[:len(p)], p) {
			return p + k[len(p):]
		}
	}
	return strings.ToUpper(k)
}

// parseEnvFile parses .env text (godotenv's rules). Its errors name the line
// and the variable, never a value: godotenv's own message quotes the value,
// which may be a token.
func parseEnvFile(b []byte) (map[string]string, error) {
	b = bytes.ReplaceAll(stripBOM(b), []byte("\r\n"), []byte("\n"))
	ls, err := lines(b)
	if err != nil {
		return nil, err
	}
	m, err := godotenv.UnmarshalBytes(b)
	if err != nil {
		return nil, envFileProblem(ls)
	}
	return m, nil
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

// envFileProblem finds the line godotenv could not read and says what is
// wrong with it in words that hold no value.
func envFileProblem(ls []string) error {
	for i := 0; i < len(ls); i++ {
		line := strings.TrimSpace(ls[i])
		if line == "" || line[0] == '#' {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		eq := strings.IndexAny(line, "=:")
		if eq < 0 {
			return fmt.Errorf("line %d is not NAME=VALUE", i+1)
		}
		name := strings.TrimSpace(line[:eq])
		where := fmt.Sprintf("line %d", i+1)
		if !envNameRE.MatchString(name) {
			return fmt.Errorf("%s: the name before = is not a variable name (letters, digits and _)", where)
		}
		where += " (" + name + ")"
		value := strings.TrimSpace(line[eq+1:])
		if value == "" || (value[0] != '"' && value[0] != '\'') {
			continue
		}
		q := value[0]
		rest, closed := value[1:], false
		for j := i; ; j++ {
			if closingQuote(rest, q) >= 0 {
				closed = true
				i = j
				break
			}
			if j+1 >= len(ls) {
				break
			}
			rest = ls[j+1]
		}
		if !closed {
			return fmt.Errorf("%s: its quoted value has no closing %c", where, q)
		}
	}
	return errors.New("it is not in .env format (NAME=VALUE lines)")
}

// closingQuote is the index of the first q in s that no backslash escapes, or -1.
func closingQuote(s string, q byte) int {
	for k := 0; k < len(s); k++ {
		switch s[k] {
		case '\\':
			k++
		case q:
			return k
		}
	}
	return -1
}

// cleanFSError drops the path from a *fs.PathError; callers name the file themselves.
func cleanFSError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

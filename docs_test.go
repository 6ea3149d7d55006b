package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// documented lists every flag with its environment name, from the grammar itself.
func documented(t *testing.T) map[string]string {
	t.Helper()
	parser, err := kong.New(&cli{}, kong.Name("jenkins-trigger"), kong.Vars{"version": "test"})
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]string{}
	for _, n := range append([]*kong.Node{parser.Model.Node}, parser.Model.Children...) {
		for _, f := range n.Flags {
			flags[f.Name] = f.Tag.Get("envname")
		}
	}
	return flags
}

// Each command's help lists its own flags with their variables, and no other
// command's flags.
func TestHelpNamesEveryEnvironmentVariable(t *testing.T) {
	t.Parallel()
	parser, err := kong.New(&cli{}, kong.Name("jenkins-trigger"), kong.Vars{"version": "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range parser.Model.Children {
		r := runWith(t, "", nil, "help", cmd.Name)
		if r.code != 0 {
			t.Fatalf("help %s: exit %d", cmd.Name, r.code)
		}
		own := map[string]bool{}
		for _, n := range []*kong.Node{parser.Model.Node, cmd} {
			for _, f := range n.Flags {
				own[f.Name] = true
				if !strings.Contains(r.stdout, "--"+f.Name) {
					t.Errorf("help %s lacks --%s", cmd.Name, f.Name)
				}
				if env := f.Tag.Get("envname"); env != "" && !strings.Contains(r.stdout, "$"+env) {
					t.Errorf("help %s does not name $%s for --%s", cmd.Name, env, f.Name)
				}
			}
		}
		for _, other := range parser.Model.Children {
			for _, f := range other.Flags {
				if !own[f.Name] && strings.Contains(r.stdout, "--"+f.Name+" ") {
					t.Errorf("help %s lists --%s, a flag of %s only", cmd.Name, f.Name, other.Name)
				}
			}
		}
	}
	r := runWith(t, "", nil, "--help")
	if !strings.Contains(r.stdout, "--job NAME") || !strings.Contains(r.stdout, "help trigger") {
		t.Errorf("--help does not say how to trigger a job named like a subcommand, or where the trigger's flags are")
	}
}

func TestREADMEDocumentsEveryFlagAndExitCode(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for flag, env := range documented(t) {
		if !strings.Contains(readme, "`--"+flag) {
			t.Errorf("README's flag table lacks --%s", flag)
		}
		if env != "" && !strings.Contains(readme, "`"+env+"`") {
			t.Errorf("README's flag table lacks %s", env)
		}
	}
	table := map[string]bool{} // codes in the first column of the exit-code table, "10 / 11" split
	_, section, _ := strings.Cut(readme, "### Exit codes")
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		for _, c := range strings.Split(cells[1], "/") {
			table[strings.TrimSpace(c)] = true
		}
	}
	// Every code the one mapping can give, in either numbering, is in the
	// README's table and in --help's list: the three cannot drift apart.
	_, helpCodes, _ := strings.Cut(description, "Exit codes:")
	for o := outOK; o <= outTerminated; o++ {
		for _, style := range []codeStyle{defaultCodes, jenkinsCLICodes} {
			code := strconv.Itoa(o.code(style))
			if style == defaultCodes && !table[code] {
				t.Errorf("README's exit-code table lacks %s (outcome %d)", code, o)
			}
			if !regexp.MustCompile(`(^|\s)` + code + `(\s|,|\))`).MatchString(helpCodes) {
				t.Errorf("--help's exit codes lack %s (outcome %d)", code, o)
			}
		}
	}
	for _, section := range []string{"## Try it", "## Test it", "### NAnt", "### MSBuild", "### Make", "### Windows cmd", "### PowerShell",
		"## Troubleshooting", "## Dependencies", "go test -race -count=1 ./..."} {
		if !strings.Contains(readme, section) {
			t.Errorf("README lacks %q", section)
		}
	}
}

func TestEnvfileExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("envfile.example")
	if err != nil {
		t.Fatal(err)
	}
	vars, err := parseEnvFile(b)
	if err != nil {
		t.Fatalf("envfile.example does not parse: %v", err)
	}
	if vars["JENKINS_URL"] == "" || vars["JENKINS_USER"] == "" || vars["JENKINS_API_TOKEN"] == "" {
		t.Errorf("envfile.example should set URL, user and token: %v", vars)
	}
	text := string(b)
	for flag, env := range documented(t) {
		if env != "" && !strings.Contains(text, env+"=") {
			t.Errorf("envfile.example lacks %s (--%s)", env, flag)
		}
	}
	for _, env := range []string{"JENKINS_USER_ID=", "JENKINS_PARAM_", "JENKINS_FILE_"} {
		if !strings.Contains(text, env) {
			t.Errorf("envfile.example lacks %s", env)
		}
	}
}

// readmeCommands returns the commands of README.md that run jenkins-trigger:
// lines of ```sh blocks and inline code that start with "jenkins-trigger " or
// with "go run ./cmd/jenkins-sim -- go run . ", as argument lists.
func readmeCommands(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var candidates []string
	inSh := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
			inSh = !inSh && strings.TrimPrefix(line, "```") == "sh"
			continue
		case inSh:
			candidates = append(candidates, line)
			continue
		}
		for _, m := range inlineCode.FindAllStringSubmatch(line, -1) {
			candidates = append(candidates, m[1])
		}
	}
	var out [][]string
	for _, c := range candidates {
		c = strings.TrimSpace(c)
		if rest, ok := strings.CutPrefix(c, "go run ./cmd/jenkins-sim -- go run . "); ok {
			c = "jenkins-trigger " + rest
		}
		if !strings.HasPrefix(c, "jenkins-trigger ") {
			continue
		}
		words, err := shellWords(c)
		if err != nil {
			t.Errorf("README command %q: %v", c, err)
			continue
		}
		if placeholder(words) {
			continue // a synopsis such as "jenkins-trigger doctor [JOB]"
		}
		out = append(out, words)
	}
	return out
}

var (
	inlineCode   = regexp.MustCompile("`(jenkins-trigger [^`]+)`")
	placeholders = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$|\.\.\.|^\[|\|`)
)

func placeholder(words []string) bool {
	for _, w := range words {
		if placeholders.MatchString(w) {
			return true
		}
	}
	return false
}

// shellWords splits a command line as sh does for the quoting a README uses:
// single and double quotes, no expansion.
func shellWords(s string) ([]string, error) { return splitWords(s, `'"`, false) }

// scriptWords splits a testscript line as testscript does: single quotes,
// with a quote written twice for a quote inside them.
func scriptWords(s string) []string {
	w, _ := splitWords(s, "'", true)
	return w
}

// TestREADMECommandsAreRun: every README command that can run against the
// simulator is run by testdata/script/readme.txtar, word for word, so the
// manual cannot drift from the program (issue 10, failure 7).
func TestREADMECommandsAreRun(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/script/readme.txtar")
	if err != nil {
		t.Fatal(err)
	}
	scripted := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		words := scriptWords(line)
		switch {
		case len(words) > 1 && words[0] == "exec":
			words = words[1:]
		case len(words) > 2 && words[0] == "exits":
			words = words[2:]
		default:
			continue
		}
		scripted[strings.Join(words, "\x00")] = true
	}
	// Commands that need more than the simulator, and why.
	elsewhere := map[string]string{
		"jenkins-trigger --env-file sim.env": "needs a jenkins-sim started with --write-env; examples/check.sh does that",
	}
	cmds := readmeCommands(t)
	if len(cmds) < 15 {
		t.Fatalf("found only %d commands in README.md: is the extraction broken?", len(cmds))
	}
	for _, words := range cmds {
		line := strings.Join(words, " ")
		if !scripted[strings.Join(words, "\x00")] && elsewhere[line] == "" {
			t.Errorf("README.md's %q is not run by testdata/script/readme.txtar: add it there (or say in this test why it cannot run against the simulator)", line)
		}
	}
}

// TestREADMEFirstCommand runs the README's first command exactly as written,
// through sh, go run and the real simulator (issue 10, failure 7).
func TestREADMEFirstCommand(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds two programs")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(b), "```sh\n")
	first, _, _ := strings.Cut(after, "\n")
	if !strings.HasPrefix(first, "go run ./cmd/jenkins-sim -- go run . ") {
		t.Fatalf("the first command is %q; this test expects the simulator", first)
	}
	cmd := exec.Command("sh", "-c", first)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", first, err, stdout.String(), stderr.String())
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+/jenkins/queue/item/1/\n$`).MatchString(stdout.String()) {
		t.Errorf("stdout %q, want the queue item URL", stdout.String())
	}
	if !strings.Contains(stderr.String(), "received POST /job/greeting/buildWithParameters") {
		t.Errorf("the simulator did not report the trigger:\n%s", stderr.String())
	}
}

// TestLowerLayersNameNoFlags: the words a user acts on (flags, JENKINS_*
// variables) are added by the command layer; jenkins and task name what to
// fix in plain words and in types (jenkins.Setting, task.ParamError).
func TestLowerLayersNameNoFlags(t *testing.T) {
	t.Parallel()
	flagLike := regexp.MustCompile(`JENKINS_[A-Z]|(^|[\s(])--?[a-z][a-z-]*[\s=]`)
	for _, dir := range []string{"jenkins", "task", "auth", "doctor"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(parsed, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && flagLike.MatchString(lit.Value) {
					t.Errorf("%s: %s names a flag or variable; say it in plain words and let the CLI add the name", f, lit.Value)
				}
				return true
			})
		}
	}
}

// TestLicensesOfEveryDependency: every module compiled into the binaries has
// its license text in licenses/, which every release artifact carries.
func TestLicensesOfEveryDependency(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", ".", "./cmd/jenkins-sim").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := map[string]bool{}
	for _, mod := range strings.Fields(string(out)) {
		if mod == "github.com/jenkins-trigger/jenkins-trigger" || seen[mod] {
			continue
		}
		seen[mod] = true
		file := filepath.Join("licenses", strings.ReplaceAll(mod, "/", "_")+".txt")
		if b, err := os.ReadFile(file); err != nil || len(b) < 500 {
			t.Errorf("%s is compiled in but %s is missing or too short for a license", mod, file)
		}
	}
	if len(seen) == 0 {
		t.Fatal("no dependency listed: is go list broken?")
	}
}

// TestHelpListsEveryExitCode: an agent rarely has the README, so --help
// lists the exit codes too, the same as the README's table.
func TestHelpListsEveryExitCode(t *testing.T) {
	t.Parallel()
	r := runWith(t, "", nil, "--help")
	_, codes, ok := strings.Cut(r.stdout, "Exit codes:")
	if !ok {
		t.Fatalf("--help has no exit codes:\n%s", r.stdout)
	}
	for _, code := range []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "10", "11", "12", "13", "14", "20", "21", "22", "23", "30", "31", "130", "143"} {
		if !regexp.MustCompile(`(^|\s)` + code + `\s`).MatchString(codes) {
			t.Errorf("--help does not list exit code %s", code)
		}
	}
}

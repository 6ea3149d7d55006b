package main

import (
	"bytes"
	"context"
	"fmt"
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
	"testing/synctest"
	"unicode"

	"github.com/alecthomas/kong"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// readDoc reads one of the project's documents (or fails the test).
func readDoc(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readmeTable returns the rows of the README's table with this header.
func readmeTable(t *testing.T, header string) string {
	t.Helper()
	_, table, ok := strings.Cut(string(readDoc(t, "README.md")), header+"\n")
	if !ok {
		t.Fatalf("README.md lacks the table %s", header)
	}
	_, table, _ = strings.Cut(table, "\n") // the |---| line
	table, _, _ = strings.Cut(table, "\n\n")
	return table
}

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
	b := readDoc(t, "README.md")
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
	_, section, _ := strings.Cut(readme, "\n## Exit codes\n")
	section, _, _ = strings.Cut(section, "\n## ")
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
}

// TestREADMEOutline: the README is for users, in the order issue 19 gave:
// what it is, install, quick start, one exit-code table, one examples
// section, the reference, troubleshooting; contributors' matters live in
// CONTRIBUTING.md, which holds the test command (the README points to it).
func TestREADMEOutline(t *testing.T) {
	t.Parallel()
	b := readDoc(t, "README.md")
	readme := string(b)
	lines := strings.Split(readme, "\n")
	lineOf := func(heading string) int {
		for i, l := range lines {
			if l == heading {
				return i + 1
			}
		}
		return 0
	}
	var order []string
	for _, l := range lines {
		if strings.HasPrefix(l, "## ") {
			order = append(order, l)
		}
	}
	want := []string{"## Install", "## Quick start", "## Exit codes", "## Examples for build systems", "## Reference", "## Troubleshooting", "## Dependencies", "## Contributing"}
	if strings.Join(order, "\n") != strings.Join(want, "\n") {
		t.Errorf("README's sections are\n%s\nwant\n%s", strings.Join(order, "\n"), strings.Join(want, "\n"))
	}
	if n := lineOf("## Install"); n == 0 || n > 40 {
		t.Errorf("install starts at line %d; it belongs in the first 40", n)
	}
	if n := lineOf("## Quick start"); n == 0 || n > 80 {
		t.Errorf("the quick start starts at line %d; it belongs in the first 80", n)
	}
	if n := strings.Count(readme, "| code | meaning |"); n != 1 {
		t.Errorf("README has %d exit-code tables, want one", n)
	}
	for _, h := range []string{"### Try it without a Jenkins", "### NAnt", "### MSBuild", "### Make", "### Windows cmd", "### PowerShell", "### GitHub Actions"} {
		if lineOf(h) == 0 {
			t.Errorf("README lacks %q", h)
		}
	}
	for _, h := range []string{"## Test", "## Layout", "## Benchmarks", "## Releasing", "### Reliability", "## Which Jenkins"} {
		if strings.Contains(readme, "\n"+h) {
			t.Errorf("README has the contributors' section %q; it belongs in CONTRIBUTING.md or docs/", h)
		}
	}
	c := readDoc(t, "CONTRIBUTING.md")
	const testCommand = "go test -race -count=1 ./..."
	if !strings.Contains(string(c), "```sh\n"+testCommand+"\n```") || !strings.Contains(readme, "`"+testCommand+"`") {
		t.Errorf("CONTRIBUTING.md should hold the test command %q in a sh block, and the README name it", testCommand)
	}
}

func TestEnvfileExample(t *testing.T) {
	t.Parallel()
	b := readDoc(t, "envfile.example")
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
// with "bin/jenkins-sim -- bin/jenkins-trigger ", as argument lists.
func readmeCommands(t *testing.T) [][]string {
	t.Helper()
	b := readDoc(t, "README.md")
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
		if rest, ok := strings.CutPrefix(c, simRun); ok {
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
	if len(cmds) < 8 {
		t.Fatalf("found only %d commands in README.md: is the extraction broken?", len(cmds))
	}
	for _, words := range cmds {
		line := strings.Join(words, " ")
		if !scripted[strings.Join(words, "\x00")] && elsewhere[line] == "" {
			t.Errorf("README.md's %q is not run by testdata/script/readme.txtar: add it there (or say in this test why it cannot run against the simulator)", line)
		}
	}
}

// simRun starts the README's commands that the simulator runs.
const simRun = "bin/jenkins-sim -- bin/jenkins-trigger "

// TestREADMETryIt runs the README's "Try it" block as a user pastes it into
// a fresh clone: line by line through sh, in a copy of the repository's
// sources. Each line's exit code is the tool's, said by the simulator's last
// line, and the one the README's sample-jobs table leads one to expect.
func TestREADMETryIt(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds two programs")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	b := readDoc(t, "README.md")
	_, after, _ := strings.Cut(string(b), "### Try it without a Jenkins")
	_, block, _ := strings.Cut(after, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if len(lines) < 2 || lines[0] != "go build -o bin/ . ./cmd/jenkins-sim" {
		t.Fatalf("the Try it block starts %q; this test expects the build, then the simulator", lines)
	}
	want := map[string]int{ // the job's first word after the tool, and its exit code
		"greeting": 0, "fails": 11, "pipe-fails": 11, "approve": 0, "disabled": 6, "params": 0, "doctor": 0, "slow": 31,
	}
	dir := copySources(t)
	sh := func(line string) (code int, stdout, stderr string, err error) {
		cmd := exec.Command("sh", "-c", line)
		cmd.Dir = dir
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err = cmd.Run()
		if cmd.ProcessState == nil { // sh did not start
			return -1, out.String(), errOut.String(), err
		}
		return cmd.ProcessState.ExitCode(), out.String(), errOut.String(), err
	}
	if _, _, stderr, err := sh(lines[0]); err != nil {
		t.Fatalf("%s: %v\n%s", lines[0], err, stderr)
	}
	// Each line starts its own simulator, so they may run at once.
	for _, line := range lines[1:] {
		t.Run(line, func(t *testing.T) {
			t.Parallel()
			rest, ok := strings.CutPrefix(line, simRun)
			if !ok {
				t.Fatalf("the line does not let the simulator run the tool")
			}
			job, _, _ := strings.Cut(rest, " ")
			code, stdout, stderr, _ := sh(line)
			if w, ok := want[job]; !ok || code != w {
				t.Errorf("exit %d, want %d (known: %v)\nstderr:\n%s", code, w, ok, stderr)
			}
			if said := fmt.Sprintf("jenkins-sim: bin/jenkins-trigger exited %d\n", code); !strings.HasSuffix(stderr, said) {
				t.Errorf("the last line does not say %q:\n%s", said, stderr)
			}
			if job == "greeting" && !regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+/jenkins/queue/item/1/\n$`).MatchString(stdout) {
				t.Errorf("stdout %q, want the queue item URL", stdout)
			}
		})
	}
}

// copySources copies what building the two programs needs (go.mod, go.sum
// and the non-test Go files) to a new folder, as a fresh clone would have it.
func copySources(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bin" || name == "dist") {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, path), 0o755)
		}
		if !(path == "go.mod" || path == "go.sum" || strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, path), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
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

// Markers around the README's flags table, which flagsTable writes.
const (
	flagsBegin = "<!-- flags: generated from the command-line grammar by `go test -run TestREADMEFlagsTable -update`; edit cli.go, not this table -->\n"
	flagsEnd   = "<!-- end of flags -->\n"
)

// flagsTable renders every flag of the grammar once: its names, its
// environment variable, the commands that take it, and its help text (the
// same as --help's, without the variable it already names).
func flagsTable(t *testing.T) string {
	t.Helper()
	parser, err := kong.New(&cli{}, kong.Name("jenkins-trigger"), kong.Vars{"version": "test"})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		flag     *kong.Flag
		commands []string
	}
	var rows []*row
	byName := map[string]*row{}
	add := func(f *kong.Flag, command string) {
		if r := byName[f.Name]; r != nil {
			r.commands = append(r.commands, command)
			return
		}
		r := &row{flag: f, commands: []string{command}}
		byName[f.Name] = r
		rows = append(rows, r)
	}
	for _, f := range parser.Model.Flags {
		if f.Name == "help" || f.Name == "version" {
			continue // kong's own; the commands table has them
		}
		add(f, "all")
	}
	for _, cmd := range parser.Model.Children {
		for _, f := range cmd.Flags {
			add(f, cmd.Name)
		}
	}
	envSuffix := regexp.MustCompile(`\s*\(\$JENKINS_[A-Z_]+\)`)
	angle := regexp.MustCompile(`\S*<[A-Z]+>\S*`)
	var b strings.Builder
	b.WriteString("| flag | variable | commands | meaning |\n|---|---|---|---|\n")
	for _, r := range rows {
		f := r.flag
		name := "`--" + f.Name
		if !f.IsBool() {
			name += " " + f.FormatPlaceHolder()
		}
		name += "`"
		if f.Short != 0 {
			name = "`-" + string(f.Short) + "`, " + name
		}
		env := ""
		if e := f.Tag.Get("envname"); e != "" {
			env = "`" + e + "`"
		}
		help := envSuffix.ReplaceAllString(f.Help, "")
		help = angle.ReplaceAllStringFunc(help, func(s string) string {
			trail := strings.TrimRight(s, ".,;)")
			return "`" + trail + "`" + s[len(trail):]
		})
		help = strings.NewReplacer("|", `\|`, "*", `\*`).Replace(help)
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", name, env, strings.Join(r.commands, ", "), help)
	}
	return b.String()
}

// TestREADMEFlagsTable: the README's flags table is the grammar's, so the two
// cannot drift apart; -update rewrites it.
func TestREADMEFlagsTable(t *testing.T) {
	t.Parallel()
	b := readDoc(t, "README.md")
	readme := string(b)
	before, rest, ok1 := strings.Cut(readme, flagsBegin)
	got, after, ok2 := strings.Cut(rest, flagsEnd)
	if !ok1 || !ok2 {
		t.Fatalf("README.md lacks the flags table's markers:\n%s%s", flagsBegin, flagsEnd)
	}
	want := flagsTable(t)
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile("README.md", []byte(before+flagsBegin+want+flagsEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's flags table differs from the grammar; run go test -run TestREADMEFlagsTable -update\nwant:\n%s", want)
}

// TestREADMESimulatorJobs: the README's table of the simulator's jobs names
// every sample job, and each ends with --wait as the table says, run in
// virtual time with a 15-minute --timeout (the first number of the last
// column is that run's exit code).
func TestREADMESimulatorJobs(t *testing.T) {
	t.Parallel()
	table := readmeTable(t, "| jobs | what they are | `--wait` exits |")
	name, number := regexp.MustCompile("`([^`]+)`"), regexp.MustCompile(`\b[0-9]+\b`)
	sample := jenkinstest.Sample()
	all := map[string]bool{}
	var walk func(prefix string, jobs map[string]*jenkinstest.Job)
	walk = func(prefix string, jobs map[string]*jenkinstest.Job) {
		for n, j := range jobs {
			all[prefix+n] = true
			walk(prefix+n+"/", j.Jobs)
		}
	}
	walk("", sample.Jobs)
	want := map[string]int{}
	for _, row := range strings.Split(table, "\n") {
		cells := strings.Split(row, " | ")
		if len(cells) != 3 {
			t.Fatalf("row %q has %d cells", row, len(cells))
		}
		codes := number.FindAllString(cells[2], -1)
		if len(codes) == 0 {
			t.Fatalf("row %q gives no exit code", row)
		}
		jobs := strings.Split(strings.TrimPrefix(cells[0], "| "), " / ")
		for i, part := range jobs { // "`aborted` / `notbuilt`" with "12 / 13"
			code, _ := strconv.Atoi(codes[min(i, len(codes)-1)])
			for _, m := range name.FindAllStringSubmatch(part, -1) {
				if all[m[1]] {
					want[m[1]] = code
				}
			}
		}
	}
	for job := range all {
		if _, ok := want[job]; !ok {
			t.Errorf("the simulator's job %q is not in the README's table", job)
		}
	}
	for job, code := range want {
		t.Run(job, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := newMemFake(t)
				r := runFake(t, s, context.Background(), "", task.DefaultTiming, tokenEnv(s), "--job", job, "--wait", "--timeout", "15m")
				if r.code != code {
					t.Errorf("%s --wait exits %d; the README's table says %d\n%s", job, r.code, code, r.stderr)
				}
			})
		})
	}
}

// TestTroubleshootingQuotesRealMessages: each message the README's
// troubleshooting table quotes is one the program can print: the longest
// literal part of it (between placeholders such as X, N and ...) is in the
// source of a message.
func TestTroubleshootingQuotesRealMessages(t *testing.T) {
	t.Parallel()
	table := readmeTable(t, "| stderr says | what to do |")
	var source strings.Builder
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		source.Write(src)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	code, placeholder := regexp.MustCompile("`([^`]+)`"), regexp.MustCompile(`\.\.\.|"[A-Z]"|\b[XYN]\b|\(HTTP [0-9]+\)`)
	rows := 0
	for _, row := range strings.Split(table, "\n") {
		said, _, _ := strings.Cut(strings.TrimPrefix(row, "| "), " | ")
		rows++
		for _, m := range code.FindAllStringSubmatch(said, -1) {
			longest := ""
			for _, part := range placeholder.Split(m[1], -1) {
				if part = strings.TrimSpace(part); len(part) > len(longest) {
					longest = part
				}
			}
			if len(longest) < 8 {
				t.Errorf("%q: too little of the message to check", m[1])
				continue
			}
			if !strings.Contains(source.String(), longest) {
				t.Errorf("the troubleshooting table quotes %q, but no message in the source says %q", m[1], longest)
			}
		}
	}
	if rows < 10 {
		t.Fatalf("found %d rows: is the table's parsing broken?", rows)
	}
}

// TestDocsLinksResolve: every relative link in the documents names a file
// that exists and, after #, a heading in it (GitHub's anchors).
func TestDocsLinksResolve(t *testing.T) {
	t.Parallel()
	docs, err := filepath.Glob("examples/*/README.md")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("docs/*.md")
	docs = append(append(docs, "README.md", "CONTRIBUTING.md", "BENCHMARKS.md"), more...)
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	anchors := func(file string) map[string]bool {
		out := map[string]bool{}
		for _, line := range strings.Split(string(readDoc(t, file)), "\n") {
			if h, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " "); ok && strings.HasPrefix(line, "#") {
				out[slug(h)] = true
			}
		}
		return out
	}
	checked := 0
	for _, doc := range docs {
		for _, m := range link.FindAllStringSubmatch(string(readDoc(t, doc)), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := doc
			if file != "" {
				path = filepath.Join(filepath.Dir(doc), file)
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s links to %s, which does not exist", doc, target)
					continue
				}
			}
			if anchor != "" && !anchors(path)[anchor] {
				t.Errorf("%s links to %s, but %s has no heading with that anchor", doc, target, path)
			}
			checked++
		}
	}
	if checked < 5 {
		t.Fatalf("checked only %d links: is the parsing broken?", checked)
	}
}

// slug is GitHub's anchor for a heading: lower case, spaces as -, and only
// letters, digits, - and _ kept.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

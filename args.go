package main

import (
	"fmt"
	"strings"

	"github.com/alecthomas/kong"
)

// precheckArgs catches, before kong parses them, the command-line mistakes
// that kong would answer in its own words ("expected string value but got
// "EOL" (<EOL>)", "unknown flag -a"): a flag of another command, a value
// missing or negative, a long flag written with one dash. Its messages name
// flags, never a value, which may be a secret.
func precheckArgs(app *kong.Application, args []string) error {
	own := flagsOf(app.Node)
	all := map[string]*kong.Flag{}
	owner := map[string]string{} // a command's flag name -> the command
	for name, f := range own {
		all[name] = f
	}
	for _, cmd := range app.Children {
		for name, f := range flagsOf(cmd) {
			all[name] = f
			owner[name] = cmd.Name
		}
	}
	// The command is the first argument that is not a flag or a flag's value.
	cmd := "trigger"
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			for _, c := range app.Children {
				if c.Name == a {
					cmd = a
				}
			}
			break
		}
		if f := flagNamed(all, a); f != nil && takesNextArg(f, a) {
			i++
		}
	}
	for _, c := range app.Children {
		if c.Name == cmd {
			for name, f := range flagsOf(c) {
				own[name] = f
			}
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return nil
		case strings.HasPrefix(a, "--"):
			name, _, _ := strings.Cut(a[2:], "=")
			f := own[name]
			if f == nil {
				if o, ok := owner[name]; ok && cmd != "help" {
					return fmt.Errorf("%s does not take --%s, a flag of %s; see jenkins-trigger help %s", cmd, name, o, cmd)
				}
				continue // kong says it is unknown, with its suggestions
			}
			if !takesNextArg(f, a) {
				continue
			}
			if err := checkValueArg(f, args[i+1:]); err != nil {
				return err
			}
			i++
		case len(a) > 2 && a[0] == '-':
			// -wait: a long flag with one dash reads as -w -a -i -t.
			name, _, _ := strings.Cut(a[1:], "=")
			if f, ok := all[name]; ok {
				return fmt.Errorf("-%s: did you mean --%s?", name, f.Name)
			}
		case len(a) == 2 && a[0] == '-':
			if f := flagNamed(all, a); f != nil && takesNextArg(f, a) {
				if err := checkValueArg(f, args[i+1:]); err != nil {
					return err
				}
				i++
			}
		}
	}
	return nil
}

func flagsOf(n *kong.Node) map[string]*kong.Flag {
	out := map[string]*kong.Flag{}
	for _, f := range n.Flags {
		out[f.Name] = f
	}
	return out
}

// flagNamed finds the flag an argument names: --name, --name=value or -x.
func flagNamed(flags map[string]*kong.Flag, a string) *kong.Flag {
	if name, ok := strings.CutPrefix(a, "--"); ok {
		name, _, _ = strings.Cut(name, "=")
		return flags[name]
	}
	if len(a) == 2 && a[0] == '-' {
		for _, f := range flags {
			if f.Short == rune(a[1]) {
				return f
			}
		}
	}
	return nil
}

// takesNextArg says whether the flag's value is the next argument.
func takesNextArg(f *kong.Flag, a string) bool {
	return !f.IsBool() && !f.IsCounter() && !strings.Contains(a, "=")
}

// checkValueArg checks what follows a flag that takes a value.
func checkValueArg(f *kong.Flag, rest []string) error {
	example := f.PlaceHolder
	if example == "" {
		example = strings.ToUpper(f.Name)
	}
	if len(rest) == 0 {
		return fmt.Errorf("--%s needs a value: --%s %s", f.Name, f.Name, example)
	}
	next := rest[0]
	if len(next) > 1 && next[0] == '-' && next[1] >= '0' && next[1] <= '9' && example == "DURATION" {
		return fmt.Errorf("--%s %s: a duration cannot be negative", f.Name, next)
	}
	if strings.HasPrefix(next, "-") && len(next) > 1 {
		return fmt.Errorf("--%s needs a value, but a flag follows it; a value that starts with - goes as --%s=%s", f.Name, f.Name, example)
	}
	return nil
}

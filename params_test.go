package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestParseParam(t *testing.T) {
	t.Parallel()
	good := map[string][2]string{
		"A=1":                      {"A", "1"},
		"A=":                       {"A", ""},
		"A=b=c":                    {"A", "b=c"},
		"A=a,b;c":                  {"A", "a,b;c"},
		"MSG=hello world":          {"MSG", "hello world"},
		"my.param=x":               {"my.param", "x"},
		"GREETING=\u00e9 & \u00fc": {"GREETING", "\u00e9 & \u00fc"},
	}
	for in, want := range good {
		k, v, err := parseParam(in)
		if err != nil || k != want[0] || v != want[1] {
			t.Errorf("parseParam(%q) = %q, %q, %v; want %q, %q", in, k, v, err, want[0], want[1])
		}
	}
	for _, in := range []string{"", "=x", "noequals", " A=1", "A =1", "A\n=1"} {
		if _, _, err := parseParam(in); err == nil {
			t.Errorf("parseParam(%q) succeeded, want an error", in)
		}
	}
}

func TestParseParamsFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []param
		err  string
	}{
		{name: "properties with comments, CRLF and BOM",
			in:   "\xef\xbb\xbf# comment\r\n! also a comment\r\n\r\nGREETING=hello world\r\nURL=https://x/?a=1&b=2\r\nEMPTY=\r\n",
			want: []param{{Name: "GREETING", Value: "hello world"}, {Name: "URL", Value: "https://x/?a=1&b=2"}, {Name: "EMPTY"}}},
		{name: ".env style: export, quotes, spaces around =, nothing expanded",
			in:   "export A=\"quoted value\"\nB = 'single $HOME'\nC=$HOME\n",
			want: []param{{Name: "A", Value: "quoted value"}, {Name: "B", Value: "single $HOME"}, {Name: "C", Value: "$HOME"}}},
		{name: "JSON object of strings, numbers and booleans, order kept",
			in:   `{"B": "two words", "A": 3, "FLAG": true, "NOTE": "line1\nline2"}`,
			want: []param{{Name: "B", Value: "two words"}, {Name: "A", Value: "3"}, {Name: "FLAG", Value: "true"}, {Name: "NOTE", Value: "line1\nline2"}}},
		{name: "repeated name", in: "A=1\nA=2\n", err: "line 2 repeats A from line 1"},
		{name: "line without =", in: "A=1\njunk\n", err: "line 2 is not KEY=VALUE"},
		{name: "JSON array value", in: `{"A": [1, 2]}`, err: "must be a string, number or boolean"},
		{name: "JSON repeated key", in: `{"A": "1", "A": "2"}`, err: "appears twice"},
		{name: "JSON trailing text", in: `{"A": "1"} {}`, err: "text after the JSON object"},
		{name: "broken JSON", in: `{"A": `, err: `the value of "A" is not valid JSON`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseParamsFile([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestMergeParamsPrecedence(t *testing.T) {
	t.Parallel()
	file := []param{{Name: "A", Value: "file", Source: "params file"}, {Name: "B", Value: "file", Source: "params file"}}
	env := []param{{Name: "A", Value: "env", Source: "environment"}, {Name: "B", Value: "env"}, {Name: "C", Value: "env", Source: "environment"}}
	got, err := mergeParams([]string{"A=flag"}, file, env)
	if err != nil {
		t.Fatal(err)
	}
	want := []param{{Name: "A", Value: "flag", Source: "-p"}, {Name: "B", Value: "file", Source: "params file"}, {Name: "C", Value: "env", Source: "environment"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParamsFromEnvironmentLayers(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	dir := t.TempDir()
	writeFile(t, dir, ".env", "JENKINS_PARAM_GREETING=from-dotenv\nJENKINS_PARAM_ENV=qa\n")
	writeFile(t, dir, "p.json", `{"ENV": "prod"}`)
	r := runWith(t, dir, append(tokenEnv(s), "JENKINS_PARAM_GREETING=from-env"), "greeting", "--params-file", "p.json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if q := s.Queue()[0].Params; q["GREETING"] != "from-env" || q["ENV"] != "prod" {
		t.Errorf("params = %v, want GREETING from the environment and ENV from the params file", q)
	}
}

func FuzzParseParam(f *testing.F) {
	for _, s := range []string{"A=1", "A=", "A=b=c", "=x", "noequals", " A=1", "A=a,b;c", "\x00=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, v, err := parseParam(s)
		if err == nil && (k == "" || strings.Contains(k, "=") || k+"="+v != s) {
			t.Fatalf("parseParam(%q) = %q, %q: does not round-trip", s, k, v)
		}
	})
}

func FuzzParseParamsFile(f *testing.F) {
	for _, s := range []string{"A=1\n", "\xef\xbb\xbfA=1\r\nB=2", "# c\nexport A='x'\n", `{"A": "1", "B": 2, "C": false}`, `{"A": [1]}`, "A=1\nA=2", "{", "=\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := parseParamsFile(b)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, p := range ps {
			if p.Name == "" || seen[p.Name] {
				t.Fatalf("parseParamsFile(%q) gave an empty or repeated name: %+v", b, ps)
			}
			seen[p.Name] = true
		}
		// A BOM never changes the result.
		again, err := parseParamsFile(append([]byte("\xef\xbb\xbf"), b...))
		if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) && (err != nil || !reflect.DeepEqual(again, ps)) {
			t.Fatalf("a BOM changed the result of %q: %+v vs %+v (%v)", b, ps, again, err)
		}
	})
}

func FuzzParseEnvFile(f *testing.F) {
	for _, s := range []string{"A=1\n", "export A=1\r\n", "A='x y'\nB=\"z\" # c\n", "\xef\xbb\xbfA=1", "A=$B", "A='unterminated", "#only"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseEnvFile(b)
		if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
			return
		}
		// BOM and CRLF never change the result.
		m2, err2 := parseEnvFile(append([]byte("\xef\xbb\xbf"), b...))
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(m, m2) {
			t.Fatalf("a BOM changed %q: %v %v / %v %v", b, m, err, m2, err2)
		}
		if !bytes.Contains(b, []byte("\r")) {
			m3, err3 := parseEnvFile(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")))
			if (err == nil) != (err3 == nil) || !reflect.DeepEqual(m, m3) {
				t.Fatalf("CRLF changed %q: %v %v / %v %v", b, m, err, m3, err3)
			}
		}
	})
}

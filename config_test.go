package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadConfigPrecedence(t *testing.T) {
	t.Parallel()
	const (
		flagURL   = "https://flag.example.com/"
		envURL    = "https://env.example.com/"
		dotenvURL = "https://dotenv.example.com/"
		otherURL  = "https://other.example.com/"
	)
	tests := []struct {
		name     string
		flags    map[string]string
		environ  []string
		files    map[string]string // file name -> content; ".env" is read by default
		envFiles []string          // --env-file values, in order
		want     map[string]string // JENKINS_* name -> value
		from     map[string]string // JENKINS_* name -> source
	}{
		{name: "flag beats environment and .env",
			flags: map[string]string{"JENKINS_URL": flagURL}, environ: []string{"JENKINS_URL=" + envURL},
			files: map[string]string{".env": "JENKINS_URL=" + dotenvURL},
			want:  map[string]string{"JENKINS_URL": flagURL}, from: map[string]string{"JENKINS_URL": "flag"}},
		{name: "environment beats .env",
			environ: []string{"JENKINS_URL=" + envURL}, files: map[string]string{".env": "JENKINS_URL=" + dotenvURL},
			want: map[string]string{"JENKINS_URL": envURL}, from: map[string]string{"JENKINS_URL": "environment"}},
		{name: ".env beats the default",
			files: map[string]string{".env": "JENKINS_REQUEST_TIMEOUT=5s\nJENKINS_URL=" + dotenvURL},
			want:  map[string]string{"JENKINS_REQUEST_TIMEOUT": "5s", "JENKINS_CONNECT_TIMEOUT": "10s"},
			from:  map[string]string{"JENKINS_REQUEST_TIMEOUT": ".env file .env"}},
		{name: "a JENKINS_URL injected by a Jenkins build step ranks below .env files",
			environ: []string{"JENKINS_URL=" + envURL, "BUILD_URL=" + envURL + "job/caller/7/"},
			files:   map[string]string{".env": "JENKINS_URL=" + dotenvURL},
			want:    map[string]string{"JENKINS_URL": dotenvURL}, from: map[string]string{"JENKINS_URL": ".env file .env"}},
		{name: "an injected JENKINS_URL still beats the default (none)",
			environ: []string{"JENKINS_URL=" + envURL, "BUILD_URL=" + envURL + "job/caller/7/"},
			want:    map[string]string{"JENKINS_URL": envURL}},
		{name: "JENKINS_URL that is not a prefix of BUILD_URL was set by the user",
			environ: []string{"JENKINS_URL=" + envURL, "BUILD_URL=" + otherURL + "job/caller/7/"},
			files:   map[string]string{".env": "JENKINS_URL=" + dotenvURL},
			want:    map[string]string{"JENKINS_URL": envURL}, from: map[string]string{"JENKINS_URL": "environment"}},
		{name: "Jenkins' other build variables are never read",
			environ: []string{"JOB_NAME=caller", "BUILD_NUMBER=7"},
			want:    map[string]string{"JENKINS_JOB": ""}},
		{name: "--env-file files are read after ./.env; later files win",
			files:    map[string]string{".env": "JENKINS_JOB=a\nJENKINS_USER=u0", "one.env": "JENKINS_JOB=b", "two.env": "JENKINS_JOB=c"},
			envFiles: []string{"one.env", "two.env"},
			want:     map[string]string{"JENKINS_JOB": "c", "JENKINS_USER": "u0"}, from: map[string]string{"JENKINS_JOB": ".env file two.env"}},
		{name: "JENKINS_ENV_FILE names a file when no --env-file is given",
			environ: []string{"JENKINS_ENV_FILE=ci.env"}, files: map[string]string{"ci.env": "JENKINS_JOB=from-ci"},
			want: map[string]string{"JENKINS_JOB": "from-ci"}},
		{name: "BOM, CRLF, export, quotes and comments from Notepad or PowerShell 5",
			files: map[string]string{".env": "\xef\xbb\xbf# written on Windows\r\nexport JENKINS_USER=builder\r\nJENKINS_JOB=\"team/my app\" # trailing comment\r\nJENKINS_CAUSE='cost $5 & more'\r\n"},
			want:  map[string]string{"JENKINS_USER": "builder", "JENKINS_JOB": "team/my app", "JENKINS_CAUSE": "cost $5 & more"}},
		{name: "JENKINS_USER_ID is the jenkins-cli alias",
			environ: []string{"JENKINS_USER_ID=cli-user"},
			want:    map[string]string{"JENKINS_USER": "cli-user"}},
		{name: "JENKINS_USER wins over JENKINS_USER_ID from the same layer",
			environ: []string{"JENKINS_USER_ID=cli-user", "JENKINS_USER=builder"},
			want:    map[string]string{"JENKINS_USER": "builder"}},
		{name: "JENKINS_USER_ID from the environment wins over JENKINS_USER from .env",
			environ: []string{"JENKINS_USER_ID=cli-user"}, files: map[string]string{".env": "JENKINS_USER=builder"},
			want: map[string]string{"JENKINS_USER": "cli-user"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			flags := tt.flags
			if flags == nil {
				flags = map[string]string{}
			}
			cfg, err := loadConfig(context.Background(), dir, tt.environ, flags, nil, tt.envFiles)
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				if got := value(cfg, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			for name, want := range tt.from {
				if got := cfg.sourceOf(name); got != want {
					t.Errorf("%s comes from %q, want %q", name, got, want)
				}
			}
		})
	}
}

func value(cfg *config, name string) string {
	for _, st := range cfg.list() {
		if st.name == name {
			return st.value
		}
	}
	return "no such setting " + name
}

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.env"), []byte("JENKINS_URL='unterminated\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		environ  []string
		envFiles []string
		want     string
	}{
		{envFiles: []string{"missing.env"}, want: "cannot read env file missing.env: no such file or directory"},
		{envFiles: []string{"bad.env"}, want: "env file bad.env, line 1 (JENKINS_URL): its quoted value has no closing '"},
		{environ: []string{"JENKINS_REQUEST_TIMEOUT=soon"}, want: "JENKINS_REQUEST_TIMEOUT=soon is not a duration; write it like 90s, 5m or 1h30m"},
		{environ: []string{"JENKINS_PARALLEL=many"}, want: "JENKINS_PARALLEL=many is not a whole number"},
		{environ: []string{"JENKINS_FOLLOW=sure"}, want: "JENKINS_FOLLOW=sure is not a yes or no: use true or false"},
	} {
		_, err := loadConfig(context.Background(), dir, tc.environ, map[string]string{}, nil, tc.envFiles)
		if err == nil || !strings.Contains(err.Error(), tc.want) || exitCode(err, defaultCodes) != exitUsage {
			t.Errorf("loadConfig(%v, %v) = %v, want a usage error containing %q", tc.environ, tc.envFiles, err, tc.want)
		}
	}
}

func TestSecretFromFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token.txt"), []byte("\xef\xbb\xbfsecret-from-file\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		flags   map[string]string
		environ []string
		want    string
	}{
		{name: "file alone", environ: []string{"JENKINS_API_TOKEN_FILE=token.txt"}, want: "secret-from-file"},
		{name: "the file flag beats the variable", flags: map[string]string{"JENKINS_API_TOKEN_FILE": "token.txt"},
			environ: []string{"JENKINS_API_TOKEN=from-env"}, want: "secret-from-file"},
		{name: "both in the same layer: the file, being explicit, wins",
			environ: []string{"JENKINS_API_TOKEN=from-env", "JENKINS_API_TOKEN_FILE=token.txt"}, want: "secret-from-file"},
		{name: "a flag value beats a file from the environment", flags: map[string]string{"JENKINS_API_TOKEN": "from-flag"},
			environ: []string{"JENKINS_API_TOKEN_FILE=token.txt"}, want: "from-flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags := tt.flags
			if flags == nil {
				flags = map[string]string{}
			}
			cfg, err := loadConfig(context.Background(), dir, tt.environ, flags, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cfg.secret(dir, "API_TOKEN", cfg.APIToken, cfg.APITokenFile)
			if err != nil || got != tt.want {
				t.Errorf("secret = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestParseDelay(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"0": 0, "0s": 0, "10s": 10 * time.Second, "2m": 2 * time.Minute, "1h30m": 90 * time.Minute} {
		if got, err := parseDelay(in); err != nil || got != want {
			t.Errorf("parseDelay(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"10", "1.5s", "-1s", "soon", "10sec", ""} {
		if _, err := parseDelay(in); err == nil || exitCode(err, defaultCodes) != exitUsage {
			t.Errorf("parseDelay(%q) = %v, want a usage error", in, err)
		}
	}
}

func TestNormaliseName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"jenkins_url":             "JENKINS_URL",
		"Jenkins_Api_Token":       "JENKINS_API_TOKEN",
		"jenkins_param_myParam":   "JENKINS_PARAM_myParam",
		"JENKINS_FILE_upload.txt": "JENKINS_FILE_upload.txt",
		"jenkins_file_Report":     "JENKINS_FILE_Report",
		"jenkins_param_":          "JENKINS_PARAM_",
		"Path":                    "PATH",
	} {
		if got := normaliseName(in); got != want {
			t.Errorf("normaliseName(%q) = %q, want %q", in, got, want)
		}
	}
}

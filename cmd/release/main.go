// Command release builds jenkins-trigger's release artifacts for one version:
// reproducible archives for every platform (zip for Windows, tar.gz
// otherwise) with README, LICENSE and the dependencies' licenses, .deb and
// .rpm packages (nfpm), a Windows version resource and icon (go-winres),
// optional Authenticode signatures (osslsigncode), SHA256SUMS, and the Scoop,
// winget and Chocolatey manifests that name them.
//
//	go run ./cmd/release -version 1.2.3 [-out dist/release]
//
// The same commit and version give byte-identical archives: builds use
// -trimpath and an empty build id, and archive entries take their times
// from SOURCE_DATE_EPOCH (default: the commit's time). Signing keys come from
// files named by flags, and a key's password only from the environment
// (JENKINS_TRIGGER_SIGN_PASSWORD), never from a command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Pinned tools: go run fetches exactly these versions when they are not installed.
const (
	nfpmModule    = "github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.48.0"
	goWinresModle = "github.com/tc-hib/go-winres@v0.3.3"
)

// target is one platform.
type target struct{ OS, Arch string }

func (t target) String() string { return t.OS + "-" + t.Arch }

func (t target) exe() string {
	if t.OS == "windows" {
		return "jenkins-trigger.exe"
	}
	return "jenkins-trigger"
}

// Targets are the platforms released.
var Targets = []target{
	{"windows", "amd64"}, {"windows", "arm64"}, {"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "arm64"}, {"darwin", "amd64"},
}

// config is one release.
type config struct {
	Version  string
	Commit   string
	Out      string
	Root     string    // the repository
	Epoch    time.Time // SOURCE_DATE_EPOCH
	BaseURL  string    // where the release's files are downloaded from: BaseURL/v{Version}/{file}
	Targets  []target
	Packages bool // build .deb and .rpm with nfpm
	Winres   bool // give Windows binaries a version resource and icon
	SignCert string
	SignKey  string
	SignTS   string // timestamp server URL
	Log      io.Writer

	signPassword string // from $JENKINS_TRIGGER_SIGN_PASSWORD only
	src          string // where to build from: Root, or a copy holding the Windows resources
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "release: "+err.Error())
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := config{Log: stderr, Targets: Targets}
	fs.StringVar(&c.Version, "version", "", "the version to release, such as 1.2.3 (required)")
	fs.StringVar(&c.Out, "out", "dist/release", "where the artifacts go (emptied first)")
	fs.StringVar(&c.Commit, "commit", "", "the commit (default: git rev-parse --short HEAD)")
	fs.StringVar(&c.BaseURL, "base-url", "https://github.com/jenkins-trigger/jenkins-trigger/releases/download", "download URL prefix; files are at BASE/vVERSION/FILE")
	fs.BoolVar(&c.Packages, "packages", true, "build .deb and .rpm packages with nfpm")
	fs.BoolVar(&c.Winres, "winres", true, "give the Windows binaries a version resource and icon with go-winres")
	fs.StringVar(&c.SignCert, "sign-cert", "", "Authenticode: the certificate chain (PEM, for osslsigncode), or with signtool an unprotected .pfx or store:THUMBPRINT")
	fs.StringVar(&c.SignKey, "sign-key", "", "Authenticode: the private key (PEM); its password, if any, in $JENKINS_TRIGGER_SIGN_PASSWORD")
	fs.StringVar(&c.SignTS, "timestamp-url", "", "Authenticode: a timestamp server (RFC 3161) URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !validVersion(c.Version) {
		return fmt.Errorf("-version %q: give a version such as 1.2.3 or 1.2.3-rc.1", c.Version)
	}
	if c.SignKey == "" && c.SignCert != "" && !strings.HasPrefix(c.SignCert, "store:") && !strings.HasSuffix(strings.ToLower(c.SignCert), ".pfx") {
		return errors.New("-sign-cert FILE.pem needs -sign-key (or give a .pfx, or store:THUMBPRINT with signtool)")
	}
	if c.SignKey != "" && c.SignCert == "" {
		return errors.New("-sign-key needs -sign-cert")
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	c.Root = root
	if c.Commit == "" {
		c.Commit = gitOutput(ctx, root, "rev-parse", "--short", "HEAD", "none")
	}
	c.Epoch = sourceDateEpoch(ctx, root)
	c.signPassword = os.Getenv("JENKINS_TRIGGER_SIGN_PASSWORD")
	_, err = Release(ctx, c)
	return err
}

// validVersion accepts semantic versions: 1.2.3, 1.2.3-rc.1.
func validVersion(v string) bool {
	core, pre, _ := strings.Cut(v, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil || p == "" {
			return false
		}
	}
	return !strings.ContainsAny(pre, " /\\")
}

func gitOutput(ctx context.Context, dir string, args ...string) string {
	fallback := args[len(args)-1]
	out, err := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args[:len(args)-1]...)...).Output()
	if err != nil {
		return fallback
	}
	return strings.TrimSpace(string(out))
}

// sourceDateEpoch is $SOURCE_DATE_EPOCH, else the commit's time, else 0.
func sourceDateEpoch(ctx context.Context, root string) time.Time {
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		v = gitOutput(ctx, root, "log", "-1", "--format=%ct", "0")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		n = 0
	}
	return time.Unix(n, 0).UTC()
}

// tool returns how to run a pinned tool: its installed binary when there is
// one, else go run of the pinned module version.
func tool(name, module string) []string {
	if p, err := exec.LookPath(name); err == nil {
		return []string{p}
	}
	if gobin := goBin(); gobin != "" {
		if p := filepath.Join(gobin, name); fileExists(p) {
			return []string{p}
		}
	}
	return []string{"go", "run", module}
}

func goBin() string {
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) > 0 && lines[0] != "" {
		return lines[0]
	}
	if len(lines) > 1 {
		return filepath.Join(lines[1], "bin")
	}
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// runCmd runs a command, its output going to the log.
func (c config) runCmd(ctx context.Context, dir string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = c.Log, c.Log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", strings.Join(args[:min(len(args), 3)], " "), err)
	}
	return nil
}

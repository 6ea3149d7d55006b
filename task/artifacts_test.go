package task

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

// artifactFake has a finished build #1 of job "job" that archived files.
func artifactFake(t *testing.T, files map[string][]byte, faults ...jenkinstest.Fault) (*jenkinstest.Server, jenkins.Job) {
	t.Helper()
	s := memFake(t, jenkinstest.Script{Artifacts: files}, faults...)
	sp := spec(t, s, "job", WaitEnd)
	sp.Timing = DefaultTiming
	if _, err := Run(context.Background(), client(t, s), sp, Events{}); err != nil {
		t.Fatal(err)
	}
	return s, sp.Trigger.Job
}

func TestFetchArtifacts(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	files := map[string][]byte{"out/app.zip": []byte("PK zip"), "out/sub dir/ü-file.txt": []byte("umlaut"), "out/deep/er/c.txt": []byte("c"),
		"notes.txt": []byte("n"), "out/big.bin": big}
	for _, tc := range []struct {
		name     string
		patterns []string
		want     []string
		kind     error
		faults   []jenkinstest.Fault
	}{
		{name: "one file", patterns: []string{"out/app.zip"}, want: []string{"out/app.zip"}},
		{name: "** across folders", patterns: []string{"out/**/*.txt"}, want: []string{"out/deep/er/c.txt", "out/sub dir/ü-file.txt"}},
		{name: "a space and non-ASCII", patterns: []string{"out/sub dir/*"}, want: []string{"out/sub dir/ü-file.txt"}},
		{name: "nothing matches", patterns: []string{"out/*.msi"}, kind: ErrNoArtifact},
		{name: "an answer that ends early is resumed", patterns: []string{"out/big.bin"}, want: []string{"out/big.bin"},
			faults: []jenkinstest.Fault{{Method: "GET", Path: "/artifact/out/big.bin", Kind: jenkinstest.TruncatedJSON, Times: 1}}},
		{name: "an answer that always ends early fails, leaving no file", patterns: []string{"out/big.bin"}, kind: ErrDownload,
			faults: []jenkinstest.Fault{{Method: "GET", Path: "/artifact/out/big.bin", Kind: jenkinstest.TruncatedJSON}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s, j := artifactFake(t, files, tc.faults...)
				dir := t.TempDir()
				var live []string
				got, err := FetchArtifacts(context.Background(), client(t, s), j, 1, Fetch{Patterns: tc.patterns, Dir: dir}, nil,
					func(l string) { live = append(live, l) })
				if tc.kind != nil {
					if !errors.Is(err, tc.kind) {
						t.Fatalf("err = %v, want %v", err, tc.kind)
					}
					leftovers, _ := filepath.Glob(filepath.Join(dir, "out", "*"))
					if len(leftovers) != 0 {
						t.Errorf("files left after a failure: %v", leftovers)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var paths []string
				for _, f := range got {
					paths = append(paths, f.Path)
					b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
					sum := sha256.Sum256(files[f.Path])
					if err != nil || !bytes.Equal(b, files[f.Path]) || f.Size != int64(len(b)) || f.SHA256 != hex.EncodeToString(sum[:]) {
						t.Errorf("%s: %d bytes, %+v, %v; want the archived %d bytes", f.Path, len(b), f, err, len(files[f.Path]))
					}
				}
				if strings.Join(sortedCopy(paths), ",") != strings.Join(tc.want, ",") {
					t.Errorf("downloaded %v, want %v", paths, tc.want)
				}
				if len(live) == 0 || !strings.HasPrefix(live[0], fmt.Sprintf("downloading %d artifact(s): ", len(tc.want))) {
					t.Errorf("live status lines %q", live)
				}
			})
		})
	}
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// Hostile names are refused before anything is written.
func TestArtifactPathsAreChecked(t *testing.T) {
	t.Parallel()
	for _, rel := range []string{"../escape.txt", "out/../../x", "/etc/passwd", "C:/x", `out\x`, "out/CON.txt", "out/nul", "out/a:b",
		"out/x.", "out/x ", "out//x", "out/./x", "out/\x01x", ""} {
		if err := safePath(rel); err == nil {
			t.Errorf("safePath(%q) = nil, want a refusal", rel)
		}
	}
	for _, rel := range []string{"out/app.zip", "out/sub dir/ü-file.txt", "a/b/c/d.e.f", "CONSOLE.txt", ".hidden"} {
		if err := safePath(rel); err != nil {
			t.Errorf("safePath(%q) = %v, want it accepted", rel, err)
		}
	}
	synctest.Test(t, func(t *testing.T) {
		s, j := artifactFake(t, map[string][]byte{"out/App.zip": []byte("a"), "out/app.zip": []byte("b")})
		dir := t.TempDir()
		_, err := FetchArtifacts(context.Background(), client(t, s), j, 1, Fetch{Patterns: []string{"out/*"}, Dir: dir}, nil, nil)
		if !errors.Is(err, ErrDownload) || !strings.Contains(err.Error(), "where case is ignored") {
			t.Errorf("err = %v, want a case collision", err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("files written: %v", entries)
		}
	})
}

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p, s string
		ok   bool
	}{
		{"out/*.zip", "out/app.zip", true}, {"out/*.zip", "out/sub/app.zip", false}, {"**/*.zip", "app.zip", true},
		{"**/*.zip", "a/b/app.zip", true}, {"out/**", "out/a/b", true}, {"out/**/c.txt", "out/c.txt", true},
		{"*", "a/b", false}, {"a/[b", "a/[b", false},
	} {
		if got := globMatch(tc.p, tc.s); got != tc.ok {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.p, tc.s, got, tc.ok)
		}
	}
}

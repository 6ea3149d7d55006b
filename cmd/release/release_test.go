package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// built is the one release the tests below read: building one cross-compiles
// the binaries, so it is built once per test run. Building a whole release
// (every platform, packages, the version resource, signing) twice and
// comparing them is release/check.sh's end-to-end check in CI, not go test's.
var built struct {
	once sync.Once
	dir  string
	res  *Result
	err  error
}

// TestMain removes the shared release; testing exits with m.Run's code.
func TestMain(m *testing.M) {
	m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
}

// testRelease is a release of the two most used platforms, without the
// external tools (nfpm, go-winres), and the folder it is in.
func testRelease(t *testing.T) (string, *Result) {
	t.Helper()
	built.once.Do(func() {
		root, err := filepath.Abs("../..")
		if err != nil {
			built.err = err
			return
		}
		if built.dir, built.err = os.MkdirTemp("", "release-test-"); built.err != nil {
			return
		}
		c := config{Version: "1.2.3-test.1", Commit: "abc1234", Out: built.dir, Root: root, Epoch: time.Unix(1767225600, 0).UTC(),
			BaseURL: "https://example.com/dl", Targets: []target{{"windows", "amd64"}, {"linux", "amd64"}}, Log: io.Discard}
		built.res, built.err = Release(context.Background(), c)
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.dir, built.res
}

// The checksums name every artifact.
func TestChecksumsNameTheArtifacts(t *testing.T) {
	t.Parallel()
	out, _ := testRelease(t)
	sums, _ := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	for _, name := range []string{"jenkins-trigger-1.2.3-test.1-windows-amd64.zip", "jenkins-trigger-1.2.3-test.1-linux-amd64.tar.gz", "JenkinsTrigger.1.2.3-test.1.nupkg"} {
		if !strings.Contains(string(sums), "  "+name+"\n") {
			t.Errorf("SHA256SUMS lacks %s:\n%s", name, sums)
		}
	}
}

// Every archive holds the binary, the README, the LICENSE and the
// dependencies' licenses, under one folder, with fixed times.
func TestArchiveContents(t *testing.T) {
	t.Parallel()
	out, _ := testRelease(t)
	want := []string{"LICENSE", "README.md", "licenses/github.com_alecthomas_kong.txt", "licenses/github.com_joho_godotenv.txt", "licenses/github.com_sethvargo_go-envconfig.txt"}
	zr, err := zip.OpenReader(filepath.Join(out, "jenkins-trigger-1.2.3-test.1-windows-amd64.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, strings.TrimPrefix(f.Name, "jenkins-trigger-1.2.3-test.1-windows-amd64/"))
		if !f.Modified.Equal(time.Unix(1767225600, 0)) {
			t.Errorf("%s: time %s, want SOURCE_DATE_EPOCH", f.Name, f.Modified)
		}
	}
	for _, w := range append(want, "jenkins-trigger.exe") {
		if !slices.Contains(names, w) {
			t.Errorf("the zip lacks %s: %v", w, names)
		}
	}
	f, err := os.Open(filepath.Join(out, "jenkins-trigger-1.2.3-test.1-linux-amd64.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	names = nil
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, strings.TrimPrefix(h.Name, "jenkins-trigger-1.2.3-test.1-linux-amd64/"))
		if h.Name == "jenkins-trigger-1.2.3-test.1-linux-amd64/jenkins-trigger" && h.Mode != 0o755 {
			t.Errorf("the binary's mode is %o", h.Mode)
		}
	}
	for _, w := range append(want, "jenkins-trigger") {
		if !slices.Contains(names, w) {
			t.Errorf("the tar.gz lacks %s: %v", w, names)
		}
	}
}

// The manifests name the artifacts just built: their URLs and checksums.
func TestManifestsNameTheArtifacts(t *testing.T) {
	t.Parallel()
	out, res := testRelease(t)
	zipArt, _ := res.Find(target{"windows", "amd64"}, "zip")
	url := "https://example.com/dl/v1.2.3-test.1/" + zipArt.Name

	var scoop struct {
		Version      string
		Bin          string
		Architecture map[string]struct {
			URL        string
			Hash       string
			ExtractDir string `json:"extract_dir"`
		}
		Checkver   map[string]string
		Autoupdate map[string]any
	}
	b, err := os.ReadFile(filepath.Join(out, "manifests", "scoop", "jenkins-trigger.json"))
	if err != nil || json.Unmarshal(b, &scoop) != nil {
		t.Fatalf("scoop manifest: %v\n%s", err, b)
	}
	x64 := scoop.Architecture["64bit"]
	if scoop.Version != "1.2.3-test.1" || x64.URL != url || x64.Hash != zipArt.SHA256 || scoop.Bin != "jenkins-trigger.exe" ||
		x64.ExtractDir != "jenkins-trigger-1.2.3-test.1-windows-amd64" || scoop.Checkver["github"] == "" || scoop.Autoupdate == nil {
		t.Errorf("scoop manifest: %+v", scoop)
	}

	wg := filepath.Join(out, "manifests", "winget", "manifests", "j", "JenkinsTrigger", "JenkinsTrigger", "1.2.3-test.1")
	inst, err := os.ReadFile(filepath.Join(wg, "JenkinsTrigger.JenkinsTrigger.installer.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"InstallerType: zip", "NestedInstallerType: portable", "Commands:\n- jenkins-trigger", "- Architecture: x64",
		"InstallerUrl: " + url, "InstallerSha256: " + strings.ToUpper(zipArt.SHA256), "PortableCommandAlias: jenkins-trigger", "ManifestVersion: 1.12.0"} {
		if !strings.Contains(string(inst), line) {
			t.Errorf("winget installer lacks %q:\n%s", line, inst)
		}
	}
	for _, f := range []string{"JenkinsTrigger.JenkinsTrigger.yaml", "JenkinsTrigger.JenkinsTrigger.locale.en-US.yaml"} {
		if b, err := os.ReadFile(filepath.Join(wg, f)); err != nil || !strings.Contains(string(b), "PackageVersion: 1.2.3-test.1") {
			t.Errorf("%s: %v\n%s", f, err, b)
		}
	}

	ps, err := os.ReadFile(filepath.Join(out, "manifests", "chocolatey", "tools", "chocolateyinstall.ps1"))
	if err != nil || !strings.Contains(string(ps), "url64bit       = '"+url+"'") || !strings.Contains(string(ps), "checksum64     = '"+zipArt.SHA256+"'") ||
		!strings.Contains(string(ps), "checksumType64 = 'sha256'") {
		t.Errorf("chocolatey install script: %v\n%s", err, ps)
	}
	if nuspec, err := os.ReadFile(filepath.Join(out, "manifests", "chocolatey", "jenkins-trigger.nuspec")); err != nil || !strings.Contains(string(nuspec), "<version>1.2.3-test.1</version>") {
		t.Errorf("chocolatey nuspec: %v\n%s", err, nuspec)
	}
}

// The NuGet package has NuGet's OPC layout, the binaries under tools/ and
// the MSBuild files under build/.
func TestNupkgLayout(t *testing.T) {
	t.Parallel()
	out, _ := testRelease(t)
	zr, err := zip.OpenReader(filepath.Join(out, "JenkinsTrigger.1.2.3-test.1.nupkg"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	for _, w := range []string{"JenkinsTrigger.nuspec", "[Content_Types].xml", "_rels/.rels", "build/JenkinsTrigger.props",
		"build/JenkinsTrigger.targets", "tools/win-x64/jenkins-trigger.exe", "tools/linux-x64/jenkins-trigger", "LICENSE.txt",
		"licenses/github.com_alecthomas_kong.txt"} {
		if !slices.Contains(names, w) {
			t.Errorf("the package lacks %s: %v", w, names)
		}
	}
}

func TestValidVersion(t *testing.T) {
	t.Parallel()
	for v, ok := range map[string]bool{"1.2.3": true, "1.2.3-rc.1": true, "0.0.0-ci": true, "": false, "1.2": false, "v1.2.3": false, "1.2.x": false, "1.2.3-a b": false} {
		if validVersion(v) != ok {
			t.Errorf("validVersion(%q) = %v", v, !ok)
		}
	}
}

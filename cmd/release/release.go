package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// Artifact is one file of the release, with its checksum.
type Artifact struct {
	Name   string // file name in Out
	SHA256 string
	Target target // the platform of an archive or package
	Kind   string // zip, tar.gz, deb, rpm
}

// Result is what a release produced.
type Result struct {
	Artifacts []Artifact
}

// Find returns the artifact of kind for t.
func (r *Result) Find(t target, kind string) (Artifact, bool) {
	for _, a := range r.Artifacts {
		if a.Target == t && a.Kind == kind {
			return a, true
		}
	}
	return Artifact{}, false
}

// Release builds everything into c.Out.
func Release(ctx context.Context, c config) (*Result, error) {
	if err := os.RemoveAll(c.Out); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(c.Out, "bin"), 0o755); err != nil {
		return nil, err
	}
	c.src = c.Root
	if c.Winres {
		// The Windows resources are .syso files in the main package: build from a
		// copy of the sources, so the working tree never holds them.
		src, err := c.copySources(ctx)
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(src)
		c.src = src
		if err := c.windowsResources(ctx, src); err != nil {
			return nil, err
		}
	}
	res := &Result{}
	for _, t := range c.Targets {
		bin, err := c.build(ctx, t)
		if err != nil {
			return nil, err
		}
		if t.OS == "windows" && c.SignCert != "" {
			if err := c.sign(ctx, bin); err != nil {
				return nil, err
			}
		}
		a, err := c.archive(t, bin)
		if err != nil {
			return nil, err
		}
		res.Artifacts = append(res.Artifacts, a)
		if c.Packages && t.OS == "linux" {
			pkgs, err := c.packages(ctx, t, bin)
			if err != nil {
				return nil, err
			}
			res.Artifacts = append(res.Artifacts, pkgs...)
		}
	}
	if err := c.nuget(res); err != nil {
		return nil, err
	}
	if err := c.checksums(res); err != nil {
		return nil, err
	}
	if err := c.manifests(res); err != nil {
		return nil, err
	}
	return res, nil
}

func (c config) ldflags() string {
	return "-s -w -buildid= -X main.version=" + c.Version + " -X main.commit=" + c.Commit
}

// build compiles jenkins-trigger for t: static, -trimpath, no build id.
func (c config) build(ctx context.Context, t target) (string, error) {
	bin := filepath.Join(c.Out, "bin", t.String(), t.exe())
	env := []string{"CGO_ENABLED=0", "GOOS=" + t.OS, "GOARCH=" + t.Arch, "GOFLAGS=-mod=readonly"}
	// -buildvcs=false: the version and commit come from -ldflags; VCS stamping would
	// make the binary depend on whether the working tree is clean at that moment.
	if err := c.runCmd(ctx, c.src, env, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags", c.ldflags(), "-o", abs(bin), "."); err != nil {
		return "", err
	}
	fmt.Fprintf(c.Log, "release: built %s\n", rel(c.Root, bin))
	return bin, nil
}

// windowsResources writes the version resource and icon that the Windows
// builds pick up (rsrc_windows_*.syso in the main package at dir).
func (c config) windowsResources(ctx context.Context, dir string) error {
	tmp, err := os.MkdirTemp("", "jenkins-trigger-winres")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "icon.png"), iconPNG(), 0o644); err != nil {
		return err
	}
	fileVersion := strings.SplitN(c.Version, "-", 2)[0] + ".0"
	productVersion := c.Version + " (commit " + c.Commit + ")" // as --version says
	info := map[string]string{
		"CompanyName": "The jenkins-trigger authors", "FileDescription": "jenkins-trigger: trigger a Jenkins job from a build system",
		"FileVersion": fileVersion, "InternalName": "jenkins-trigger", "LegalCopyright": "Copyright (c) 2026 The jenkins-trigger authors (MIT License)",
		"OriginalFilename": "jenkins-trigger.exe", "ProductName": "jenkins-trigger", "ProductVersion": productVersion,
	}
	res := map[string]any{
		"RT_GROUP_ICON": map[string]any{"APP": map[string]any{"0000": "icon.png"}}, // relative to the JSON file
		"RT_MANIFEST": map[string]any{"#1": map[string]any{"0409": map[string]any{
			"description": "jenkins-trigger", "minimum-os": "win7", "execution-level": "as invoker", "long-path-aware": true}}},
		"RT_VERSION": map[string]any{"#1": map[string]any{"0000": map[string]any{
			"fixed": map[string]any{"file_version": fileVersion, "product_version": fileVersion, "timestamp": c.Epoch.Format(time.RFC3339)},
			"info":  map[string]any{"0409": info}}}},
	}
	spec, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	specFile := filepath.Join(tmp, "winres.json")
	if err := os.WriteFile(specFile, spec, 0o644); err != nil {
		return err
	}
	args := append(tool("go-winres", goWinresModle), "make", "--in", specFile, "--arch", "amd64,arm64", "--out", "rsrc")
	if err := c.runCmd(ctx, dir, nil, args...); err != nil {
		return fmt.Errorf("go-winres: %w", err)
	}
	return nil
}

// copySources copies the files git tracks (or, outside git, every file but
// .git and dist) into a temporary directory to build from.
func (c config) copySources(ctx context.Context) (string, error) {
	dst, err := os.MkdirTemp("", "jenkins-trigger-src")
	if err != nil {
		return "", err
	}
	var files []string
	if out, err := exec.CommandContext(ctx, "git", "-C", c.Root, "ls-files", "-z").Output(); err == nil {
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files = append(files, filepath.FromSlash(f))
			}
		}
	} else {
		err := filepath.WalkDir(c.Root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == ".git" || d.Name() == "dist") {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				files = append(files, rel(c.Root, p))
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(c.Root, f))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted in the working tree
			}
			return "", err
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(f)), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dst, f), b, 0o644); err != nil {
			return "", err
		}
	}
	return dst, nil
}

// iconPNG is the icon: a white "J" on Jenkins-ish blue, drawn so that the
// same bytes come out every time.
func iconPNG() []byte {
	const n = 64
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	blue, white := color.RGBA{0x33, 0x5c, 0x99, 0xff}, color.RGBA{0xff, 0xff, 0xff, 0xff}
	for y := range n {
		for x := range n {
			c := blue
			stem := x >= 36 && x < 44 && y >= 12 && y < 46
			top := y >= 12 && y < 18 && x >= 26 && x < 50
			hook := y >= 40 && y < 48 && x >= 18 && x < 44
			tail := x >= 18 && x < 24 && y >= 34 && y < 48
			if stem || top || hook || tail {
				c = white
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// sign puts an Authenticode signature on a Windows binary: with
// osslsigncode (Linux, macOS, or Windows when installed), else with
// Windows' signtool. A key's password comes only from the environment.
func (c config) sign(ctx context.Context, bin string) error {
	if _, err := exec.LookPath("osslsigncode"); err != nil {
		if _, err := exec.LookPath("signtool"); err == nil {
			return c.signtool(ctx, bin)
		}
	}
	signed := bin + ".signed"
	key := []string{"-certs", c.SignCert, "-key", c.SignKey}
	if strings.HasSuffix(strings.ToLower(c.SignCert), ".pfx") {
		key = []string{"-pkcs12", c.SignCert}
	}
	args := append([]string{"osslsigncode", "sign"}, key...)
	args = append(args, "-n", "jenkins-trigger", "-i", "https://github.com/jenkins-trigger/jenkins-trigger", "-h", "sha256",
		"-in", bin, "-out", signed)
	var env []string
	if c.signPassword != "" {
		// osslsigncode reads -readpass from a file: the password never appears in its arguments.
		pass := filepath.Join(filepath.Dir(bin), ".signpass")
		if err := os.WriteFile(pass, []byte(c.signPassword), 0o600); err != nil {
			return err
		}
		defer os.Remove(pass)
		args = append(args, "-readpass", pass)
	}
	if c.SignTS != "" {
		args = append(args, "-ts", c.SignTS)
	}
	if err := c.runCmd(ctx, c.Root, env, args...); err != nil {
		return err
	}
	fmt.Fprintf(c.Log, "release: signed %s\n", rel(c.Root, bin))
	return os.Rename(signed, bin)
}

// signtool signs with Windows' signtool, with a certificate from the Windows
// certificate store (-sign-cert store:THUMBPRINT) or an unprotected .pfx.
// signtool takes a password only on its command line, where process lists
// would show it: so a password is refused here; import the certificate into
// the store instead.
func (c config) signtool(ctx context.Context, bin string) error {
	args := []string{"sign", "/fd", "sha256", "/d", "jenkins-trigger"}
	switch thumb, ok := strings.CutPrefix(c.SignCert, "store:"); {
	case c.signPassword != "":
		return fmt.Errorf("signtool takes a key's password only on its command line; import the certificate into the Windows certificate store and pass -sign-cert store:THUMBPRINT, or install osslsigncode")
	case ok:
		args = append(args, "/sha1", thumb)
	case strings.HasSuffix(strings.ToLower(c.SignCert), ".pfx"):
		args = append(args, "/f", c.SignCert)
	default:
		return fmt.Errorf("signtool signs with -sign-cert store:THUMBPRINT or an unprotected .pfx; got %s (install osslsigncode for PEM files)", c.SignCert)
	}
	if c.SignTS != "" {
		args = append(args, "/tr", c.SignTS, "/td", "sha256")
	}
	if err := c.runCmd(ctx, c.Root, nil, append(append([]string{"signtool"}, args...), bin)...); err != nil {
		return err
	}
	fmt.Fprintf(c.Log, "release: signed %s with signtool\n", rel(c.Root, bin))
	return nil
}

// archiveName is the file name of t's archive.
func (c config) archiveName(t target) string {
	ext := ".tar.gz"
	if t.OS == "windows" {
		ext = ".zip"
	}
	return "jenkins-trigger-" + c.Version + "-" + t.String() + ext
}

// entry is one file of an archive.
type entry struct {
	name string
	mode os.FileMode
	data []byte
}

// contents are what every archive holds besides the binary: the manual and
// the licenses.
func (c config) contents(t target, bin string) ([]entry, error) {
	b, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	out := []entry{{t.exe(), 0o755, b}}
	files := []string{"README.md", "LICENSE"}
	lic, err := filepath.Glob(filepath.Join(c.Root, "licenses", "*.txt"))
	if err != nil {
		return nil, err
	}
	for _, l := range lic {
		files = append(files, filepath.ToSlash(rel(c.Root, l)))
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(c.Root, filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		out = append(out, entry{f, 0o644, b})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// archive writes t's archive with fixed times, owners and order.
func (c config) archive(t target, bin string) (Artifact, error) {
	entries, err := c.contents(t, bin)
	if err != nil {
		return Artifact{}, err
	}
	name := c.archiveName(t)
	dir := strings.TrimSuffix(strings.TrimSuffix(name, ".zip"), ".tar.gz") + "/"
	var buf bytes.Buffer
	if t.OS == "windows" {
		zw := zip.NewWriter(&buf)
		for _, e := range entries {
			h := &zip.FileHeader{Name: dir + e.name, Method: zip.Deflate, Modified: c.Epoch}
			h.SetMode(e.mode)
			w, err := zw.CreateHeader(h)
			if err != nil {
				return Artifact{}, err
			}
			if _, err := w.Write(e.data); err != nil {
				return Artifact{}, err
			}
		}
		if err := zw.Close(); err != nil {
			return Artifact{}, err
		}
	} else {
		gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		gz.ModTime = c.Epoch // the gzip header carries no name and this fixed time
		tw := tar.NewWriter(gz)
		for _, e := range entries {
			h := &tar.Header{Name: dir + e.name, Mode: int64(e.mode), Size: int64(len(e.data)), ModTime: c.Epoch,
				Typeflag: tar.TypeReg, Uname: "root", Gname: "root", Format: tar.FormatPAX}
			if err := tw.WriteHeader(h); err != nil {
				return Artifact{}, err
			}
			if _, err := tw.Write(e.data); err != nil {
				return Artifact{}, err
			}
		}
		if err := tw.Close(); err != nil {
			return Artifact{}, err
		}
		if err := gz.Close(); err != nil {
			return Artifact{}, err
		}
	}
	kind := "tar.gz"
	if t.OS == "windows" {
		kind = "zip"
	}
	return c.write(name, buf.Bytes(), t, kind)
}

// write puts an artifact into Out and records its checksum.
func (c config) write(name string, data []byte, t target, kind string) (Artifact, error) {
	if err := os.WriteFile(filepath.Join(c.Out, name), data, 0o644); err != nil {
		return Artifact{}, err
	}
	sum := sha256.Sum256(data)
	fmt.Fprintf(c.Log, "release: wrote %s\n", name)
	return Artifact{Name: name, SHA256: hex.EncodeToString(sum[:]), Target: t, Kind: kind}, nil
}

// checksums writes SHA256SUMS in sha256sum's format, sorted by name.
func (c config) checksums(res *Result) error {
	var lines []string
	for _, a := range res.Artifacts {
		lines = append(lines, a.SHA256+"  "+a.Name)
	}
	slices.SortFunc(lines, func(a, b string) int { return strings.Compare(a[66:], b[66:]) })
	return os.WriteFile(filepath.Join(c.Out, "SHA256SUMS"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// url is where a release file is downloaded from.
func (c config) url(name string) string {
	return strings.TrimSuffix(c.BaseURL, "/") + "/v" + c.Version + "/" + name
}

func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return r
	}
	return p
}

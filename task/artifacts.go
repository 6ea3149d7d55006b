package task

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// Sentinels of artifact downloads; the CLI gives each its exit code.
var (
	ErrNoArtifact = errors.New("no artifact matches") // a pattern matched nothing: a build file must not go on without its installer
	ErrDownload   = errors.New("artifact download failed")
)

// Fetch says which of a build's artifacts to download and where.
type Fetch struct {
	Patterns []string // globs over relative paths, / between folders; ** spans folders
	Dir      string   // the files go under it, keeping their relative paths
	Parallel int      // downloads at once (0: 4)
}

// ArtifactFile is a downloaded artifact. Field names are the --json keys.
type ArtifactFile struct {
	Path   string `json:"path"` // relative, with /
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// attempts bounds the tries of one file: a transient failure resumes it
// (Range) or starts it again.
const attempts = 5

// FetchArtifacts downloads the artifacts of build number that match f's
// patterns: one listing, then one GET per file, at most f.Parallel at once.
// Each file is streamed to a temporary file in its folder and renamed when
// complete and its size matches the answer's Content-Length, so no partial
// file ever stands under the final name. Paths are checked first: nothing is
// written for a listing with an unsafe or colliding path.
// progress gets a line per file; status, when set, a live line of the bytes
// so far (a terminal's status line), at most every 200 ms.
func FetchArtifacts(ctx context.Context, c *jenkins.Client, j jenkins.Job, number int, f Fetch, progress, status func(string)) ([]ArtifactFile, error) {
	all, err := c.Artifacts(ctx, j, number)
	if err != nil {
		return nil, err
	}
	var picked []jenkins.Artifact
	for _, p := range f.Patterns {
		n := 0
		for _, a := range all {
			if globMatch(p, a.RelativePath) {
				n++
				if !slices.ContainsFunc(picked, func(x jenkins.Artifact) bool { return x.RelativePath == a.RelativePath }) {
					picked = append(picked, a)
				}
			}
		}
		if n == 0 {
			return nil, newOutcome(fmt.Sprintf("no artifact of build #%d of %q matches %q (%s)", number, j.FullName(), p, listArtifacts(all)), ErrNoArtifact)
		}
	}
	seen := map[string]string{}
	for _, a := range picked {
		if err := safePath(a.RelativePath); err != nil {
			return nil, newOutcome(fmt.Sprintf("artifact %q of build #%d is not downloaded: %v", jenkins.Clean(a.RelativePath, 200), number, err), ErrDownload)
		}
		key := strings.ToLower(a.RelativePath)
		if other, dup := seen[key]; dup {
			return nil, newOutcome(fmt.Sprintf("artifacts %q and %q of build #%d would be one file where case is ignored (Windows, macOS): download them with separate patterns into separate folders",
				jenkins.Clean(other, 200), jenkins.Clean(a.RelativePath, 200), number), ErrDownload)
		}
		seen[key] = a.RelativePath
	}
	meter := &meter{status: status, files: len(picked)}
	out := make([]ArtifactFile, len(picked))
	errs := make([]error, len(picked))
	parallel := f.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, a := range picked {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i], errs[i] = download(ctx, c, j, number, a.RelativePath, f.Dir, meter)
			if errs[i] == nil && progress != nil {
				meter.mu.Lock() // one writer at a time for the lines and the live status
				progress(fmt.Sprintf("downloaded artifact %s (%s) of build #%d", a.RelativePath, bytesWords(out[i].Size), number))
				meter.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// download gets one artifact into dir, resuming after a transient failure.
func download(ctx context.Context, c *jenkins.Client, j jenkins.Job, number int, rel, dir string, m *meter) (ArtifactFile, error) {
	final := filepath.Join(dir, filepath.FromSlash(rel))
	fail := func(format string, args ...any) (ArtifactFile, error) {
		return ArtifactFile{}, newOutcome(fmt.Sprintf("artifact %q of build #%d: ", rel, number)+fmt.Sprintf(format, args...), ErrDownload)
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return fail("cannot make its folder: %v", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".part-*")
	if err != nil {
		return fail("cannot write it here: %v", err)
	}
	defer func() {
		tmp.Close()
		_ = os.Remove(tmp.Name()) // gone already when renamed
	}()
	h := newAsyncHash() // hashing overlaps the network and the disk
	defer h.stop()
	buf := make([]byte, 1<<20)
	var (
		written int64
		size    int64 = -1
		last    error
	)
	for try := 0; try < attempts && ctx.Err() == nil; try++ {
		body, err := c.OpenArtifact(ctx, j, number, rel, written)
		if err != nil {
			var je *jenkins.Error
			if errors.As(err, &je) && (errors.Is(err, jenkins.ErrNotFound) || errors.Is(err, jenkins.ErrForbidden) || errors.Is(err, jenkins.ErrAuth)) {
				return ArtifactFile{}, err
			}
			last = err
			continue
		}
		if body.From == 0 && written > 0 { // the whole file again: start over
			if _, err := tmp.Seek(0, io.SeekStart); err != nil {
				body.Body.Close()
				return fail("%v", err)
			}
			if err := tmp.Truncate(0); err != nil {
				body.Body.Close()
				return fail("%v", err)
			}
			h.reset()
			written = 0
		}
		if body.Size >= 0 {
			size = body.Size
		}
		n, err := io.CopyBuffer(io.MultiWriter(tmp, h, m), body.Body, buf)
		body.Body.Close()
		written += n
		if err == nil && (size < 0 || written == size) {
			break
		}
		last = err
		if err == nil {
			last = fmt.Errorf("the answer ended after %d of %d bytes", written, size)
		}
	}
	switch {
	case ctx.Err() != nil:
		return ArtifactFile{}, ctx.Err()
	case size >= 0 && written != size:
		return fail("%d of %d bytes arrived after %d tries (%v); nothing was left under its name", written, size, attempts, last)
	case size < 0 && last != nil:
		return fail("failed after %d tries (%v); nothing was left under its name", attempts, last)
	}
	// No fsync: the build file reads the file next, on this machine; what
	// matters is that it is whole when it appears under its name.
	if err := tmp.Close(); err != nil {
		return fail("%v", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fail("cannot put it in place: %v", err)
	}
	return ArtifactFile{Path: rel, Size: written, SHA256: hex.EncodeToString(h.sum())}, nil
}

// asyncHash computes SHA-256 on its own goroutine, so that hashing a large
// file overlaps reading it from the network and writing it to disk.
type asyncHash struct {
	ch   chan []byte
	done chan []byte
	free chan []byte
}

func newAsyncHash() *asyncHash {
	a := &asyncHash{ch: make(chan []byte, 4), done: make(chan []byte), free: make(chan []byte, 6)}
	go func() {
		h := sha256.New()
		for b := range a.ch {
			if b == nil { // reset
				h.Reset()
				continue
			}
			h.Write(b)
			select {
			case a.free <- b[:0]:
			default:
			}
		}
		a.done <- h.Sum(nil)
	}()
	return a
}

// Write hands a copy of p to the hashing goroutine.
func (a *asyncHash) Write(p []byte) (int, error) {
	var b []byte
	select {
	case b = <-a.free:
	default:
	}
	a.ch <- append(b, p...)
	return len(p), nil
}

func (a *asyncHash) reset() { a.ch <- nil }

// sum waits for the hashing to finish and returns the digest; the hash
// takes no more writes after it.
func (a *asyncHash) sum() []byte {
	close(a.ch)
	d := <-a.done
	a.ch = nil
	return d
}

// stop ends the hashing goroutine if sum was not called.
func (a *asyncHash) stop() {
	if a.ch != nil {
		close(a.ch)
		<-a.done
	}
}

// globMatch matches a relative path against a pattern of path.Match
// segments, where a ** segment stands for any number of folders.
func globMatch(pattern, rel string) bool {
	return matchSegs(strings.Split(pattern, "/"), strings.Split(rel, "/"))
}

func matchSegs(p, s []string) bool {
	for len(p) > 0 {
		if p[0] == "**" {
			for i := 0; i <= len(s); i++ {
				if matchSegs(p[1:], s[i:]) {
					return true
				}
			}
			return false
		}
		if len(s) == 0 {
			return false
		}
		if ok, err := path.Match(p[0], s[0]); err != nil || !ok {
			return false
		}
		p, s = p[1:], s[1:]
	}
	return len(s) == 0
}

// reserved are Windows' device names, which no file may be called, with or
// without an extension.
var reserved = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true}

// safePath refuses a relative path that could leave the target folder or
// that Windows cannot hold: absolute and drive paths, ".." and ".", empty
// segments, backslashes, reserved names and characters, control
// characters, and segments ending in a dot or a space.
func safePath(rel string) error {
	switch {
	case rel == "":
		return errors.New("its path is empty")
	case strings.HasPrefix(rel, "/"), len(rel) >= 2 && rel[1] == ':':
		return errors.New("its path is absolute")
	case strings.ContainsRune(rel, '\\'):
		return errors.New("its path holds a backslash")
	}
	for _, seg := range strings.Split(rel, "/") {
		base, _, _ := strings.Cut(seg, ".")
		switch {
		case seg == "" || seg == "." || seg == "..":
			return fmt.Errorf("its path has a %q segment", seg)
		case strings.ContainsAny(seg, `<>:"|?*`):
			return errors.New(`its name holds one of <>:"|?*, which Windows refuses`)
		case strings.IndexFunc(seg, unicode.IsControl) >= 0:
			return errors.New("its name holds a control character")
		case strings.HasSuffix(seg, ".") || strings.HasSuffix(seg, " "):
			return errors.New("a name in its path ends in a dot or a space, which Windows drops")
		case reserved[strings.ToUpper(strings.TrimSpace(base))]:
			return fmt.Errorf("%q is a device name on Windows", seg)
		}
	}
	return nil
}

func listArtifacts(all []jenkins.Artifact) string {
	if len(all) == 0 {
		return "the build archived none"
	}
	var names []string
	for _, a := range all {
		names = append(names, a.RelativePath)
	}
	return "its artifacts: " + jenkins.ListNames(names)
}

func bytesWords(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// meter counts the bytes of all downloads for a live status line.
type meter struct {
	status func(string)
	files  int
	mu     sync.Mutex
	bytes  int64
	last   time.Time
}

func (m *meter) Write(p []byte) (int, error) {
	if m == nil || m.status == nil {
		return len(p), nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.bytes += int64(len(p))
	if now := time.Now(); now.Sub(m.last) >= 200*time.Millisecond {
		m.last = now
		m.status(fmt.Sprintf("downloading %d artifact(s): %s so far", m.files, bytesWords(m.bytes)))
	}
	return len(p), nil
}

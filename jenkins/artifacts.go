package jenkins

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Artifact is one archived file of a build. The listing has no sizes: the
// answer's Content-Length is the size to check a download against.
type Artifact struct {
	RelativePath string `json:"relativePath"` // "out/sub dir/ü-file.txt", with / between folders
	FileName     string `json:"fileName"`
}

// maxListing bounds an artifact listing read (streamed, never held as text).
const maxListing = 16 << 20

// Artifacts lists a build's archived files.
// Jenkins: GET {build}api/json?tree=artifacts[relativePath,fileName].
func (c *Client) Artifacts(ctx context.Context, j Job, number int) ([]Artifact, error) {
	u := resolve(BuildURL(j, number), "api/json")
	u.RawQuery = "tree=artifacts[relativePath,fileName]"
	var list struct {
		Artifacts []Artifact `json:"artifacts"`
	}
	status, err := c.getLargeJSON(ctx, u, "listing the artifacts of build "+strconv.Itoa(number), maxListing, TriggerRequest{Job: j}, &list)
	switch {
	case err != nil:
		return nil, err
	case status == http.StatusNotFound:
		return nil, failf(ErrNotFound, status, "build %d of %q is gone (HTTP 404): deleted, or the user lost Job/Read", number, Clean(j.FullName(), 200))
	}
	return list.Artifacts, nil
}

// ArtifactURL is {build}artifact/PATH with every segment percent-encoded as
// UTF-8 (a space is %20: Jenkins reads "+" as a plus and answers 404).
func ArtifactURL(j Job, number int, rel string) *url.URL {
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return resolve(BuildURL(j, number), "artifact/"+strings.Join(segs, "/"))
}

// ArtifactBody is an open download: Body starts at byte From of a file of
// Size bytes (-1 when the answer does not say).
type ArtifactBody struct {
	Body io.ReadCloser
	From int64
	Size int64
}

// OpenArtifact starts downloading an artifact at byte from (0: all of it),
// with the retries of every GET. Asked for a range, Jenkins answers 206 with
// Content-Range, or 200 with the whole file, which From then says.
// Jenkins: GET {build}artifact/PATH, Range: bytes=N-.
func (c *Client) OpenArtifact(ctx context.Context, j Job, number int, rel string, from int64) (*ArtifactBody, error) {
	u := ArtifactURL(j, number, rel)
	var hdr http.Header
	if from > 0 {
		hdr = http.Header{"Range": {"bytes=" + strconv.FormatInt(from, 10) + "-"}}
	}
	what := "downloading artifact " + rel + " of build " + strconv.Itoa(number)
	ex, err := c.getWith(ctx, u, what, true, hdr)
	if err != nil {
		return nil, err
	}
	p := ex.page
	switch p.status {
	case http.StatusOK:
		return &ArtifactBody{Body: ex.resp.Body, From: 0, Size: ex.resp.ContentLength}, nil
	case http.StatusPartialContent:
		start, size, ok := contentRange(p.header.Get("Content-Range"))
		if !ok || start != from {
			ex.resp.Body.Close()
			return nil, failf(ErrProtocol, p.status, "%s: asked for bytes from %d, Jenkins answered the range %q", what, from, Clean(p.header.Get("Content-Range"), 80))
		}
		return &ArtifactBody{Body: ex.resp.Body, From: start, Size: size}, nil
	case http.StatusNotFound:
		return nil, failf(ErrNotFound, p.status, "artifact %q of build %d is not there (HTTP 404): the build did not archive it, or it was deleted", Clean(rel, 300), number)
	}
	return nil, c.explainStatus(TriggerRequest{Job: j}, p, what)
}

// contentRange reads "bytes START-END/SIZE".
func contentRange(v string) (start, size int64, ok bool) {
	v, found := strings.CutPrefix(v, "bytes ")
	rng, total, found2 := strings.Cut(v, "/")
	a, _, found3 := strings.Cut(rng, "-")
	if !found || !found2 || !found3 {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	size, err2 := strconv.ParseInt(total, 10, 64)
	return start, size, err1 == nil && err2 == nil && start >= 0 && size >= 0
}

// BuildNumber is the number a permalink (lastBuild, lastSuccessfulBuild, ...)
// stands for; ErrNotFound when the job has no such build.
// Jenkins: GET {job}{permalink}/api/json?tree=number.
func (c *Client) BuildNumber(ctx context.Context, j Job, permalink string) (int, error) {
	u := resolve(j.URL(), url.PathEscape(permalink)+"/api/json")
	u.RawQuery = "tree=number"
	var b struct {
		Number int `json:"number"`
	}
	status, err := c.getJSON(ctx, u, "reading the "+permalink+" of "+quoteJob(TriggerRequest{Job: j}), &b)
	switch {
	case err != nil:
		return 0, err
	case status == http.StatusNotFound || b.Number <= 0:
		return 0, failf(ErrNotFound, status, "job %q has no %s (HTTP %d): no such build yet, or the job is not visible", Clean(j.FullName(), 200), permalink, status)
	}
	return b.Number, nil
}

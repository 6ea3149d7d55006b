package jenkins

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
)

// Chunk is one answer of the progressive console. Its Body must be closed.
type Chunk struct {
	Body io.ReadCloser // raw, as sent: may carry console notes and \r\n
	Next int64         // X-Text-Size: the start for the next request
	More bool          // X-More-Data: the log may still grow
}

// Console reads the console from byte offset start. The body is streamed, never
// held whole: a log can be gigabytes.
// Jenkins: GET {build}logText/progressiveText?start=N -> X-Text-Size, X-More-Data.
func (c *Client) Console(ctx context.Context, j Job, number int, start int64) (*Chunk, error) {
	u := resolve(BuildURL(j, number), "logText/progressiveText")
	u.RawQuery = "start=" + strconv.FormatInt(start, 10)
	ex, err := c.getWith(ctx, u, "reading the console of build "+strconv.Itoa(number), true, nil)
	if err != nil {
		return nil, err
	}
	p := ex.page
	c.noteSession(p.header)
	if p.status != http.StatusOK {
		return nil, c.explainStatus(TriggerRequest{Job: j}, p, "reading the console")
	}
	if p.html() && !p.jenkins { // the console is text/plain; HTML in its place is someone else's page
		b, _ := io.ReadAll(io.LimitReader(ex.resp.Body, maxBody))
		ex.resp.Body.Close()
		p.body = string(b)
		return nil, notJenkins(c.base, p)
	}
	next, err := strconv.ParseInt(p.header.Get("X-Text-Size"), 10, 64)
	if err != nil || next < 0 {
		ex.resp.Body.Close()
		return nil, failf(ErrProtocol, p.status, "the console answer lacks a valid X-Text-Size header")
	}
	return &Chunk{Body: ex.resp.Body, Next: next, More: p.header.Get("X-More-Data") == "true"}, nil
}

// CleanConsole removes console notes (ESC[8mha:...ESC[0m) and turns CRLF into
// LF. It copies only when there is something to remove.
func CleanConsole(b []byte) []byte {
	if bytes.IndexByte(b, 0x1b) >= 0 {
		b = consoleNote.ReplaceAll(b, nil)
	}
	if bytes.IndexByte(b, '\r') >= 0 {
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	}
	return b
}

package task

import (
	"bytes"
	"io"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// console writes cleaned console text, prefixing lines, holding back bytes
// that may be the start of a console note or a CRLF split across chunks.
type console struct {
	w       io.Writer
	prefix  string
	offset  int64
	more    bool
	pending []byte     // held back: an unfinished note or a trailing \r
	midLine bool       // the last byte written was not a newline
	broken  int        // console transfers that broke off in a row
	reason  reasonScan // the last line that says why a build failed
}

var noteStart = []byte("\x1b[8mha:")

// Write lets the console take a streamed body.
func (c *console) Write(b []byte) (int, error) {
	c.write(b)
	return len(b), nil
}

func (c *console) write(b []byte) {
	if len(c.pending) > 0 {
		b = append(c.pending, b...)
		c.pending = nil
	}
	hold := len(b)
	if i := bytes.LastIndex(b, noteStart); i >= 0 && !bytes.Contains(b[i:], []byte("\x1b[0m")) {
		hold = i // an unfinished note
	} else {
		for k := min(len(noteStart)-1, len(b)); k > 0; k-- {
			if bytes.HasSuffix(b, noteStart[:k]) {
				hold = len(b) - k // the start of what may be a note
				break
			}
		}
	}
	if hold == len(b) && hold > 0 && b[hold-1] == '\r' {
		hold-- // the \r of a \r\n cut in two
	}
	b, c.pending = b[:hold], append([]byte(nil), b[hold:]...)
	c.emit(jenkins.CleanConsole(b))
}

func (c *console) emit(text []byte) {
	if len(text) == 0 {
		return
	}
	c.reason.write(text)
	if c.w == nil {
		return
	}
	if c.prefix == "" {
		_, _ = c.w.Write(text)
		c.midLine = text[len(text)-1] != '\n'
		return
	}
	var out bytes.Buffer
	for len(text) > 0 {
		if !c.midLine {
			out.WriteString(c.prefix)
		}
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			out.Write(text)
			c.midLine = true
			break
		}
		out.Write(text[:i+1])
		text = text[i+1:]
		c.midLine = false
	}
	_, _ = c.w.Write(out.Bytes())
}

// flush writes what was held back and ends an unfinished last line.
func (c *console) flush() {
	if len(c.pending) > 0 {
		c.emit(jenkins.CleanConsole(c.pending))
		c.pending = nil
	}
	if c.midLine {
		c.emit([]byte("\n"))
	}
}

// tail keeps the last n lines written to it; with a sink, each complete line
// goes to the sink instead.
type tail struct {
	n     int
	lines [][]byte
	cur   []byte
	sink  interface{ line([]byte) }
}

func (t *tail) Write(b []byte) (int, error) {
	for _, c := range b {
		t.cur = append(t.cur, c)
		if c == '\n' && t.sink != nil {
			t.sink.line(t.cur)
			t.cur = nil
			continue
		}
		if c == '\n' {
			t.lines = append(t.lines, t.cur)
			t.cur = nil
			if len(t.lines) > t.n {
				t.lines = t.lines[1:]
			}
		}
	}
	return len(b), nil
}

func (t *tail) flushTo(w io.Writer) {
	if len(t.cur) > 0 {
		_, _ = t.Write([]byte("\n"))
	}
	for _, l := range t.lines {
		_, _ = w.Write(l)
	}
}

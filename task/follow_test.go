package task

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

const note = "\x1b[8mha:AAAAWB+LCAAAAAAAAP9b85aBtbiIQSmjNKU4P08vOT+vOD8nVc8DzHWtSEgtKMnMz/PPyyxJTXEvys9L8cwrAfKBRcHFvr7cMAoBALKGHn9MAAAA\x1b[0m"

// feed writes text in the given pieces and returns what the console printed.
func feed(prefix string, pieces ...string) string {
	var out bytes.Buffer
	c := &console{w: &out, prefix: prefix}
	for _, p := range pieces {
		c.write([]byte(p))
	}
	c.flush()
	return out.String()
}

func TestConsoleCleansAcrossChunkBorders(t *testing.T) {
	t.Parallel()
	raw := "Started\r\n" + note + "[Pipeline] sh\r\n+ make\r\nno newline at the end"
	want := "Started\n[Pipeline] sh\n+ make\nno newline at the end\n"
	for cut := 0; cut <= len(raw); cut++ {
		if got := feed("", raw[:cut], raw[cut:]); got != want {
			t.Fatalf("cut at %d: got %q, want %q", cut, got, want)
		}
	}
	if got := feed("[ci] ", raw[:20], raw[20:]); got != "[ci] Started\n[ci] [Pipeline] sh\n[ci] + make\n[ci] no newline at the end\n" {
		t.Errorf("prefixed: %q", got)
	}
}

// FuzzConsole: however Jenkins cuts the log into chunks, the same text comes out.
func FuzzConsole(f *testing.F) {
	f.Add("a\r\nb\n"+note+"c\r\n", 3, 7)
	f.Add("\x1b[8mha:unterminated", 2, 4)
	f.Add("x\r", 1, 1)
	f.Fuzz(func(t *testing.T, raw string, i, j int) {
		if i < 0 || j < 0 {
			return
		}
		i, j = i%(len(raw)+1), j%(len(raw)+1)
		if i > j {
			i, j = j, i
		}
		whole := feed("> ", raw)
		if got := feed("> ", raw[:i], raw[i:j], raw[j:]); got != whole {
			t.Fatalf("chunks %d,%d of %q: %q, whole: %q", i, j, raw, got, whole)
		}
		if strings.Contains(whole, "\x1b[8mha:") && strings.Contains(raw, "\x1b[0m") && !strings.Contains(raw, "\x1b[8mha:\x1b[8mha:") {
			// a complete note must never survive
			for _, l := range strings.Split(whole, "\n") {
				if k := strings.Index(l, "\x1b[8mha:"); k >= 0 && strings.Contains(l[k:], "\x1b[0m") && consoleNoteLike(l[k:]) {
					t.Fatalf("a console note survived in %q", whole)
				}
			}
		}
	})
}

func consoleNoteLike(s string) bool {
	end := strings.Index(s, "\x1b[0m")
	body := s[len("\x1b[8mha:"):end]
	return strings.Trim(body, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") == ""
}

func TestTail(t *testing.T) {
	t.Parallel()
	tl := &tail{n: 2}
	_, _ = tl.Write([]byte("one\ntwo\nthr"))
	_, _ = tl.Write([]byte("ee\nfour"))
	var out bytes.Buffer
	tl.flushTo(&out)
	if out.String() != "three\nfour\n" {
		t.Errorf("tail = %q", out.String())
	}
}

func TestPollScheduleIsCheapAndPrompt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		length, estimate time.Duration
		maxPolls         int
		maxLate          time.Duration
	}{
		{5 * time.Second, 5 * time.Second, 15, time.Second},
		{60 * time.Second, 60 * time.Second, 30, time.Second},
		{10 * time.Minute, 10 * time.Minute, 150, time.Second},
		{10 * time.Minute, 9 * time.Minute, 150, time.Second},       // estimate a little short
		{10 * time.Minute, 0, 150, DefaultTiming.PollMax},           // no estimate: at most one poll interval late
		{10 * time.Minute, time.Minute, 160, DefaultTiming.PollMax}, // estimate far off
	} {
		polls, late := Schedule(DefaultTiming, tc.length, tc.estimate)
		t.Logf("%s build, estimate %s: %d polls, end seen %s late", tc.length, tc.estimate, polls, late)
		if polls > tc.maxPolls || late > tc.maxLate {
			t.Errorf("%s build, estimate %s: %d polls, seen %s late; want at most %d and %s", tc.length, tc.estimate, polls, late, tc.maxPolls, tc.maxLate)
		}
	}
}

func TestWhyKind(t *testing.T) {
	t.Parallel()
	same := [][]string{
		{"In the quiet period. Expires in 4.9 sec", "In the quiet period. Expires in 4 sec", "In the quiet period. Expires in 0.88 sec", "In the quiet period. Expires in 26 ms"},
		{"In the quiet period. Expires in 9 min 59 sec", "In the quiet period. Expires in 29 sec"},
	}
	for _, group := range same {
		for _, w := range group[1:] {
			if whyKind(w) != whyKind(group[0]) {
				t.Errorf("%q and %q are different kinds: %q, %q", group[0], w, whyKind(group[0]), whyKind(w))
			}
		}
	}
	for _, pair := range [][2]string{
		{"In the quiet period. Expires in 4 sec", "Finished waiting"},
		{"Waiting for next available executor", "Waiting for next available executor on 'win-agent-1'"},
		{"There are no nodes with the label 'linux'", "There are no nodes with the label 'windows'"},
	} {
		if whyKind(pair[0]) == whyKind(pair[1]) {
			t.Errorf("%q and %q are the same kind", pair[0], pair[1])
		}
	}
}

// BenchmarkConsoleWrite is the console's cost per byte, notes and the reason
// scan included: a regression here once made following a large log 20 times
// slower (BENCHMARKS.md).
func BenchmarkConsoleWrite(b *testing.B) {
	chunk := bytes.Repeat([]byte("line 0000000001 of a long synthetic console log, padded to 64 b\r\n"), 16<<10) // 1 MiB
	c := &console{w: io.Discard}
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		c.write(chunk)
	}
}

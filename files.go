package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The files we read (.env files, the params file, the jobs file, secret
// files) are small text files written by people, often on Windows. They go
// through readTextFile, which holds the limits and drops a UTF-8 byte order
// mark (Notepad, PowerShell 5), so each parser sees plain text.
const (
	maxTextFile = 4 << 20 // the most a settings, params or jobs file may hold
	maxLine     = 1 << 20 // the most one line of it may hold
)

// fileTooBig is a file over maxTextFile.
type fileTooBig struct{ size int64 }

func (e *fileTooBig) Error() string {
	return fmt.Sprintf("it is %s, more than the %s such a file may hold", sizeWords(e.size), sizeWords(maxTextFile))
}

// readTextFile reads a file named by the user: dir is the working directory
// that a relative path is read from.
func readTextFile(dir, path string) ([]byte, error) {
	f, err := os.Open(resolvePath(dir, path))
	if err != nil {
		return nil, cleanFSError(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > maxTextFile {
		return nil, &fileTooBig{size: st.Size()}
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, cleanFSError(err)
	}
	if buf.Len() > maxTextFile {
		return nil, &fileTooBig{size: int64(buf.Len())}
	}
	return stripBOM(buf.Bytes()), nil
}

func stripBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }

// lines splits text into lines without their line ends (LF or CRLF). A line
// over maxLine is an error naming its number: the limit, never the text.
func lines(b []byte) ([]string, error) {
	var out []string
	for n := 1; len(b) > 0; n++ {
		i := bytes.IndexByte(b, '\n')
		line := b
		if i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(line) > maxLine {
			return nil, fmt.Errorf("line %d is longer than %s, the most one line may hold", n, sizeWords(maxLine))
		}
		out = append(out, strings.TrimSuffix(string(line), "\r"))
	}
	return out, nil
}

func sizeWords(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", (n+(1<<20)-1)>>20)
	}
	return fmt.Sprintf("%d KiB", (n+1023)>>10)
}

// resolvePath reads a relative path from dir, the working directory.
func resolvePath(dir, p string) string {
	if filepath.IsAbs(p) || dir == "" {
		return p
	}
	return filepath.Join(dir, p)
}

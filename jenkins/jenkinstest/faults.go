package jenkinstest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// FaultKind is a failure between the client and Jenkins, or of Jenkins.
type FaultKind int

// The faults the fake can inject.
const (
	ResetBeforeRead FaultKind = iota + 1 // the connection dies before the request is read: Jenkins never saw it
	ResetAfterRead                       // Jenkins handles the request, then the connection dies before the answer
	SlowHeaders                          // Jenkins handles the request, but the answer comes only after Delay
	SlowBody                             // the headers come at once, the rest of the body after Delay
	Proxy502                             // a proxy answers 502 without asking Jenkins
	Proxy503                             // a proxy answers 503 without asking Jenkins
	Proxy504                             // a proxy answers 504 after Jenkins handled the request
	Startup503                           // Jenkins' own start-up page: nothing was handled
	TruncatedJSON                        // the answer is cut off in the middle (the connection closes)
	InvalidJSON                          // 200 with a body that is not JSON
	LoginPage                            // an SSO gateway's 200 HTML login page, no X-Jenkins
	RedirectLoop                         // 302 to the same URL, forever
	Oversized                            // 200 with a 64 MiB body
	TooMany                              // 429 with Retry-After: 1, from a rate limiter in front
)

var faultNames = map[FaultKind]string{ResetBeforeRead: "reset-before-read", ResetAfterRead: "reset-after-read",
	SlowHeaders: "slow-headers", SlowBody: "slow-body", Proxy502: "proxy-502", Proxy503: "proxy-503", Proxy504: "proxy-504",
	Startup503: "startup-503", TruncatedJSON: "truncated-json", InvalidJSON: "invalid-json", LoginPage: "login-page",
	RedirectLoop: "redirect-loop", Oversized: "oversized", TooMany: "too-many"}

func (k FaultKind) String() string { return faultNames[k] }

// Fault injects Kind into requests whose method and path match.
type Fault struct {
	Method string        // "" for any
	Path   string        // a suffix of the path below the context path; "" for any
	Kind   FaultKind     //
	Times  int           // how many matching requests it hits; 0 for all of them
	Delay  time.Duration // for SlowHeaders and SlowBody
	hits   int
}

// Inject adds a fault; faults are tried in the order they were added.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// fault returns the fault for this request, if any, counting the hit.
func (s *Server) fault(r *http.Request, path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if (f.Method == "" || f.Method == r.Method) && strings.HasSuffix(path, f.Path) && (f.Times == 0 || f.hits < f.Times) {
			f.hits++
			return f
		}
	}
	return nil
}

// injected serves a request that a fault hits. It reports whether the fault
// took over the whole answer.
func (s *Server) injected(f *Fault, w http.ResponseWriter, r *http.Request, rec *Request) bool {
	switch f.Kind {
	case ResetBeforeRead:
		if f.Delay > 0 { // a proxy that held the request, then dropped it
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
			}
		}
		rec.Status = -1
		reset(w)
		return true
	case ResetAfterRead:
		s.serve(httptest.NewRecorder(), r, rec)
		reset(w)
		return true
	case SlowHeaders:
		rr := httptest.NewRecorder()
		s.serve(rr, r, rec) // Jenkins does the work at once; only the answer is late
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true
		}
		for k, v := range rr.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rr.Code)
		_, _ = w.Write(rr.Body.Bytes())
		return true
	case SlowBody, TruncatedJSON:
		rr := httptest.NewRecorder()
		s.serve(rr, r, rec)
		body := rr.Body.Bytes()
		for k, v := range rr.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(rr.Code)
		half := len(body) / 2
		_, _ = w.Write(body[:half])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		if f.Kind == TruncatedJSON {
			reset(w)
			return true
		}
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true
		}
		_, _ = w.Write(body[half:])
		return true
	case Proxy502, Proxy503, Proxy504:
		code := map[FaultKind]int{Proxy502: 502, Proxy503: 503, Proxy504: 504}[f.Kind]
		if f.Kind == Proxy504 {
			s.serve(httptest.NewRecorder(), r, rec) // the gateway timed out on an answer Jenkins was still giving
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><center><h1>%d %s</h1></center><hr><center>nginx</center></body></html>",
			code, http.StatusText(code), code, http.StatusText(code))
		return true
	case Startup503:
		startingUp(w)
		return true
	case InvalidJSON:
		s.advertise(w)
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = w.Write([]byte(`{"_class": "hudson.model.FreeStyleBuild", "building": tru`))
		return true
	case LoginPage:
		ssoLogin(w)
		return true
	case RedirectLoop:
		w.Header().Set("Location", r.URL.RequestURI())
		w.WriteHeader(http.StatusFound)
		return true
	case Oversized:
		s.advertise(w)
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		chunk := bytes.Repeat([]byte(" "), 64<<10)
		for i := 0; i < 1024; i++ {
			if _, err := w.Write(chunk); err != nil {
				break
			}
		}
		return true
	case TooMany:
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	}
	return false
}

// reset closes the connection without an answer.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("jenkinstest: connection cannot be hijacked")
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	_ = buf.Flush()
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // RST, not FIN; an in-memory connection just closes
	}
	_ = conn.Close()
}

// ParseFault reads a fault as jenkins-sim --fault takes it: METHOD:PATH-SUFFIX:KIND[:TIMES]; an empty METHOD or PATH matches all.
func ParseFault(v string) (Fault, error) {
	parts := strings.Split(v, ":")
	if len(parts) < 3 || len(parts) > 4 {
		return Fault{}, fmt.Errorf("want METHOD:PATH-SUFFIX:KIND[:TIMES], got %q", v)
	}
	f := Fault{Method: strings.ToUpper(parts[0]), Path: parts[1]}
	for k := ResetBeforeRead; k <= TooMany; k++ {
		if k.String() == parts[2] {
			f.Kind = k
		}
	}
	if f.Kind == 0 {
		return f, fmt.Errorf("unknown fault kind %q (kinds: %s)", parts[2], strings.Join(FaultKinds(), ", "))
	}
	if f.Kind == SlowHeaders || f.Kind == SlowBody {
		f.Delay = 3 * time.Second
	}
	if len(parts) == 4 {
		if _, err := fmt.Sscan(parts[3], &f.Times); err != nil || f.Times < 0 {
			return f, fmt.Errorf("TIMES must be a whole number, got %q", parts[3])
		}
	}
	return f, nil
}

// FaultKinds are the names of the fault kinds.
func FaultKinds() []string {
	var out []string
	for k := ResetBeforeRead; k <= TooMany; k++ {
		out = append(out, k.String())
	}
	return out
}

// Package jenkinstest is a fake Jenkins for tests and for the jenkins-sim
// program. It reproduces the wire behaviour recorded in the project's shared
// docs (jenkins-api.md, jenkins-observed.md): the filter order (semicolons,
// authentication, CSRF, routing), Jetty error pages versus Jenkins' Oops and
// login pages, session-bound crumbs, job tokens, build-token-root, queue
// merging (201 on /build, 303 on /buildWithParameters) and the start-up 503.
// It records every request so tests can count trigger POSTs.
package jenkinstest

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ParamDef is a job's parameter definition. Type is one of string, text,
// boolean, choice, password, file, run.
type ParamDef struct {
	Name        string
	Type        string
	Default     string
	Choices     []string
	Description string
}

// paramClasses are the core ParameterDefinition classes by our short type.
var paramClasses = map[string]string{
	"string": "StringParameterDefinition", "text": "TextParameterDefinition", "boolean": "BooleanParameterDefinition",
	"choice": "ChoiceParameterDefinition", "password": "PasswordParameterDefinition", "file": "FileParameterDefinition",
	"run": "RunParameterDefinition",
}

// Job is an item: a buildable job, a folder, or a multibranch project.
type Job struct {
	Params      []ParamDef
	Disabled    bool
	Token       string          // the "Trigger builds remotely" token
	Folder      bool            // a plain folder (no /build)
	Multibranch bool            // a computed folder: POST /build starts a scan and answers 302
	Veto        bool            // a queue decision handler refuses every schedule
	QuietPeriod int             // seconds
	Jobs        map[string]*Job // children of a folder or multibranch project, by item name
	Script      *Script         // how its builds behave; nil: its items never leave the queue
	Discard     bool            // builds are discarded at once (log rotation): not listed, 404

	nextBuild int
	builds    []*Build
}

// User is a Jenkins account.
type User struct {
	Password string
	APIToken string
	NoBuild  bool // lacks Job/Build
	NoRead   bool // lacks Job/Read: jobs are invisible (404)
}

// QueueItem is a scheduled build.
type QueueItem struct {
	ID      int64
	Job     string // full name
	Params  map[string]string
	Files   map[string]string // parameter name -> content
	Causes  int               // folded causes: more than 1 when triggers merged
	User    string            // who triggered it; "" for anonymous
	Delay   time.Duration
	Created time.Time
	st      itemState
}

// Cancelled reports whether the item was cancelled.
func (q QueueItem) Cancelled() bool { return q.st.cancelled }

// Request is one recorded request.
type Request struct {
	Method   string
	Path     string     // escaped path below the context path, e.g. /job/a/build
	Query    url.Values // query string only
	Form     url.Values // body fields only (urlencoded or multipart)
	Files    map[string]string
	User     string // authenticated user; "" when anonymous
	Auth     string // api-token, password, anonymous, or rejected
	Crumb    string
	Status   int    // -1 when the connection was reset before the request was read
	TextSize string // X-Text-Size of a progressiveText answer
	Fault    string // the fault injected into this request, if any
}

// Server is the fake. Set its exported fields before Start.
type Server struct {
	Context       string // context path, such as /jenkins ("" for the root)
	Version       string // X-Jenkins
	SessionHash   string // X-Jenkins-Session
	Users         map[string]*User
	Jobs          map[string]*Job
	AnonymousRead bool // anonymous has Overall/Read and Job/Read
	CSRFDisabled  bool // no crumb issuer: /crumbIssuer is 404
	// NotParameterized500 makes buildWithParameters on a job without parameters
	// a 500 Oops page, as before Jenkins 2.524; otherwise it is a 400.
	NotParameterized500 bool
	StartupResponses    int           // answer this many requests with the 503 start-up page first
	SSOLogin            bool          // a gateway answers everything with a 200 HTML login page
	RedirectTo          string        // a proxy redirects everything to this origin (http -> https)
	LeftRetention       time.Duration // how long a left item stays readable (Jenkins: 5 minutes)
	FailGETs            int           // a proxy answers this many of the next GETs with 502
	// Profile is the Jenkins version the fake answers like where versions
	// differ; set it with UseProfile.
	Profile Profile
	// NoWfapi leaves out the Pipeline REST API plugin: {build}wfapi/... is 404.
	NoWfapi bool
	// NoGraphView leaves out Pipeline Graph View: {build}stages/tree is 404.
	NoGraphView bool
	// StopTakes is how long a Pipeline runs on after the stop, term or kill
	// that ends it (Jenkins: about 0.3 s); 0: it ends at once. A freestyle
	// build ends at once.
	StopTakes time.Duration
	// Executors limits how many builds run at once (0: no limit); the others
	// wait as BuildableItems, "Waiting for next available executor".
	Executors int
	// MaintenancePeriod and MaintenancePhase model Jenkins' periodic queue
	// maintenance: an item whose quiet period is over stays a WaitingItem
	// ("Finished waiting") until the next run, at Phase past a multiple of
	// Period on the fake's clock (Jenkins: every 5 s). Zero: items move on at once.
	MaintenancePeriod, MaintenancePhase time.Duration
	// Clock, when set, is the fake's time (contract tests replay recordings
	// on the recorded clock); nil means time.Now.
	Clock func() time.Time

	mu           sync.Mutex
	consoleBytes int64
	faults       []*Fault
	queue        []*QueueItem
	nextID       int64
	sessions     map[string]bool
	reqs         []*Request
	srv          *httptest.Server
	mem          *pipeListener // StartInMemory
	memSrv       *http.Server
}

// maintenance is the first queue maintenance at or after t.
func (s *Server) maintenance(t time.Time) time.Time {
	if s.MaintenancePeriod <= 0 {
		return t
	}
	base := t.Truncate(s.MaintenancePeriod).Add(s.MaintenancePhase % s.MaintenancePeriod)
	for base.Before(t) {
		base = base.Add(s.MaintenancePeriod)
	}
	return base
}

// now is the fake's time.
func (s *Server) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// New returns a fake with one user, "builder", and no jobs.
func New() *Server {
	return &Server{
		Context:       "/jenkins",
		Version:       "2.479.3",
		SessionHash:   "1b55176b",
		Users:         map[string]*User{SampleUser: {Password: SamplePassword, APIToken: SampleAPIToken}},
		Jobs:          map[string]*Job{},
		nextID:        1,
		sessions:      map[string]bool{},
		LeftRetention: 5 * time.Minute,
	}
}

// Start serves on a loopback port until Close.
func (s *Server) Start() {
	s.srv = httptest.NewServer(s)
}

// Serve serves on l (for jenkins-sim).
func (s *Server) Serve(l net.Listener) error {
	return (&http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}).Serve(l)
}

// Close stops a started server.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
	if s.memSrv != nil {
		_ = s.memSrv.Close()
	}
}

// URL is the Jenkins base URL, with the context path and a trailing slash.
func (s *Server) URL() string {
	if s.mem != nil {
		return MemoryURL + s.Context + "/"
	}
	return s.srv.URL + s.Context + "/"
}

// Requests returns the recorded requests.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = *r
	}
	return out
}

// TriggerPOSTs counts requests that reached a trigger endpoint with POST.
func (s *Server) TriggerPOSTs() int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == http.MethodPost && isTriggerPath(r.Path) {
			n++
		}
	}
	return n
}

func isTriggerPath(p string) bool {
	return strings.HasSuffix(p, "/build") || strings.HasSuffix(p, "/buildWithParameters")
}

// Queue returns the queued items.
func (s *Server) Queue() []QueueItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]QueueItem, len(s.queue))
	for i, q := range s.queue {
		out[i] = *q
	}
	return out
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	rec := &Request{Method: r.Method, Query: r.URL.Query(), Form: url.Values{}, Files: map[string]string{}}
	rawPath, _, _ := strings.Cut(r.RequestURI, "?")
	rec.Path = strings.TrimPrefix(rawPath, s.Context)
	logged := &Request{Method: rec.Method, Path: rec.Path, Query: rec.Query}
	s.mu.Lock()
	s.reqs = append(s.reqs, logged) // on arrival: a request counts even if its answer never ends
	s.mu.Unlock()
	f := s.fault(r, rec.Path)
	if f != nil {
		rec.Fault = f.Kind.String()
	}
	if f == nil || !s.injected(f, sw, r, rec) {
		s.serve(sw, r, rec)
	}
	if rec.Status != -1 {
		rec.Status = sw.status
	}
	rec.TextSize = sw.Header().Get("X-Text-Size")
	s.mu.Lock()
	*logged = *rec
	s.mu.Unlock()
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Hijack lets faults kill the connection.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return w.ResponseWriter.(http.Hijacker).Hijack()
}

// Flush sends what was written so far.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// caller is who a request runs as.
type caller struct {
	name string // "" for anonymous
	user *User
	kind string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rec *Request) {
	rawPath, _, _ := strings.Cut(r.RequestURI, "?")
	rec.Path = strings.TrimPrefix(rawPath, s.Context)
	// In front of Jenkins: a proxy that redirects, or an SSO gateway.
	if s.RedirectTo != "" {
		w.Header().Set("Location", s.RedirectTo+r.URL.RequestURI())
		w.WriteHeader(http.StatusFound)
		return
	}
	if s.SSOLogin {
		ssoLogin(w)
		return
	}
	s.mu.Lock()
	failing := r.Method == http.MethodGet && s.FailGETs > 0
	if failing {
		s.FailGETs--
	}
	s.mu.Unlock()
	if failing {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"))
		return
	}
	if strings.Contains(rawPath, ";") { // SuspiciousRequestFilter
		jettyError(w, r, http.StatusBadRequest, "Semicolons are not allowed in the request URI")
		return
	}
	if !strings.HasPrefix(rawPath, s.Context+"/") {
		jettyError(w, r, http.StatusNotFound, "Not Found")
		return
	}
	rest := rec.Path
	s.mu.Lock()
	loading := s.StartupResponses > 0
	if loading {
		s.StartupResponses--
	}
	s.mu.Unlock()
	if loading {
		startingUp(w)
		return
	}
	c, ok := s.authenticate(r)
	rec.User, rec.Auth = c.name, c.kind
	if !ok {
		http.SetCookie(w, &http.Cookie{Name: "remember-me", Value: "", Path: "/", MaxAge: -1})
		w.Header().Set("WWW-Authenticate", s.basicChallenge())
		jettyError(w, r, http.StatusUnauthorized, "Unauthorized")
		return
	}
	if err := parseForm(r, rec); err != nil {
		jettyError(w, r, http.StatusBadRequest, "Bad form")
		return
	}
	// CrumbFilter: every POST, before routing, unless authenticated by API token
	// (ApiCrumbExclusion) or aimed at /buildByToken/ (the plugin's exclusion).
	if r.Method == http.MethodPost && !s.CSRFDisabled && c.kind != "api-token" && !strings.HasPrefix(rest, "/buildByToken/") {
		crumb := r.Header.Get("Jenkins-Crumb")
		if crumb == "" {
			crumb = r.PostForm.Get("Jenkins-Crumb")
		}
		rec.Crumb = crumb
		if crumb == "" || !hmac.Equal([]byte(crumb), []byte(s.crumbFor(c.name, sessionID(r)))) {
			jettyError(w, r, http.StatusForbidden, "No valid crumb was included in the request")
			return
		}
	}
	s.route(w, r, c, rest)
}

func (s *Server) authenticate(r *http.Request) (caller, bool) {
	if r.Header.Get("Authorization") == "" {
		return caller{kind: "anonymous"}, true
	}
	name, secret, ok := r.BasicAuth()
	u := s.Users[name]
	switch {
	case !ok || u == nil:
		return caller{kind: "rejected"}, false
	case u.APIToken != "" && hmac.Equal([]byte(secret), []byte(u.APIToken)):
		return caller{name: name, user: u, kind: "api-token"}, true
	case u.Password != "" && hmac.Equal([]byte(secret), []byte(u.Password)):
		return caller{name: name, user: u, kind: "password"}, true
	}
	return caller{name: name, kind: "rejected"}, false
}

// parseForm reads query and body the way the servlet container does, and
// records the body fields.
func parseForm(r *http.Request, rec *Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return err
		}
		for k, vs := range r.MultipartForm.Value {
			rec.Form[k] = vs
			for _, v := range vs {
				r.Form.Add(k, v)
			}
		}
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return err
			}
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return err
			}
			rec.Files[k] = string(b)
		}
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	rec.Form = r.PostForm
	return nil
}

const sessionCookie = "JSESSIONID.2927970d"

func sessionID(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// session returns the caller's session, creating one (and its cookie) if needed.
func (s *Server) session(w http.ResponseWriter, r *http.Request) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id := sessionID(r); id != "" && s.sessions[id] {
		return id
	}
	id := strings.ReplaceAll(uuid(), "-", "")
	s.sessions[id] = true
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true})
	return id
}

// crumbFor binds a crumb to the user and session, as DefaultCrumbIssuer does.
func (s *Server) crumbFor(user, session string) string {
	if session == "" {
		return "no-session"
	}
	m := hmac.New(sha256.New, []byte("fake-salt-"+s.SessionHash))
	m.Write([]byte(user + ";" + session))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) canRead(c caller) bool {
	if c.user == nil {
		return s.AnonymousRead
	}
	return !c.user.NoRead
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, c caller, rest string) {
	switch {
	case rest == "/crumbIssuer/api/json":
		if s.CSRFDisabled {
			jettyError(w, r, http.StatusNotFound, "Not Found")
			return
		}
		if c.user == nil && !s.AnonymousRead {
			s.loginRequired(w, r, "hudson.model.Hudson.Read")
			return
		}
		id := s.session(w, r)
		s.writeJSON(w, r, map[string]any{"_class": "hudson.security.csrf.DefaultCrumbIssuer",
			"crumb": s.crumbFor(c.name, id), "crumbRequestField": "Jenkins-Crumb"})
		return
	case rest == "/whoAmI/api/json":
		name := c.name
		if name == "" {
			name = "anonymous"
		}
		s.writeJSON(w, r, map[string]any{"_class": "hudson.security.WhoAmI", "anonymous": c.user == nil,
			"authenticated": true, "name": name})
		return
	case rest == "/buildByToken/build" || rest == "/buildByToken/buildWithParameters":
		s.buildByToken(w, r, c, strings.TrimPrefix(rest, "/buildByToken/"))
		return
	}
	// Everything else needs Overall/Read (Jenkins#getTarget).
	if c.user == nil && !s.AnonymousRead {
		s.loginRequired(w, r, "hudson.model.Hudson.Read")
		return
	}
	tokens := strings.FieldsFunc(rest, func(r rune) bool { return r == '/' || r == '\\' })
	for i, t := range tokens {
		d, err := url.PathUnescape(t)
		if err != nil {
			jettyError(w, r, http.StatusBadRequest, "Bad escape")
			return
		}
		tokens[i] = d
	}
	if strings.Join(tokens, "/") == "api/json" {
		s.writeJSON(w, r, map[string]any{"_class": "hudson.model.Hudson", "jobs": s.childJobs(r, c, nil, s.Jobs)})
		return
	}
	if strings.Join(tokens, "/") == "queue/api/json" {
		s.queueJSON(w, r, c)
		return
	}
	if len(tokens) == 2 && tokens[0] == "queue" && tokens[1] == "cancelItem" {
		s.cancelItem(w, r, c)
		return
	}
	if len(tokens) >= 4 && tokens[0] == "queue" && tokens[1] == "item" {
		if !s.canRead(c) { // Queue.Item#getApi: no Item/Read, no item
			s.notFound(w, r)
			return
		}
		s.queueItem(w, r, tokens[2], tokens[3:])
		return
	}
	var job *Job
	var names []string
	items := s.Jobs
	parentMultibranch := false
	for len(tokens) >= 2 && tokens[0] == "job" {
		j, name := getItem(items, tokens[1], parentMultibranch)
		if j == nil || !s.canRead(c) {
			s.notFound(w, r)
			return
		}
		job, names = j, append(names, name)
		items, parentMultibranch = j.Jobs, j.Multibranch
		tokens = tokens[2:]
	}
	if job == nil {
		s.notFound(w, r)
		return
	}
	if len(tokens) >= 2 && tokens[0] != "" && (strings.Trim(tokens[0], "0123456789") == "" || permalinks[tokens[0]]) {
		s.buildRoute(w, r, c, job, names, tokens[0], tokens[1:])
		return
	}
	switch strings.Join(tokens, "/") {
	case "api/json":
		s.jobJSON(w, r, c, job, names)
	case "build":
		s.doBuild(w, r, c, job, names)
	case "buildWithParameters":
		s.doBuildWithParameters(w, r, c, job, names)
	default:
		s.notFound(w, r)
	}
}

// getItem looks a child up by item name. A multibranch project also accepts
// the branch name, re-encoding it with NameEncoder (MultiBranchProject#getItem).
func getItem(items map[string]*Job, name string, multibranch bool) (*Job, string) {
	if j, ok := items[name]; ok {
		return j, name
	}
	if multibranch {
		enc := nameEncode(name)
		if j, ok := items[enc]; ok {
			return j, enc
		}
	}
	return nil, ""
}

// nameEncode is branch-api's NameEncoder.encode.
func nameEncode(s string) string {
	r := strings.NewReplacer("%", "%25", "/", "%2F", "#", "%23", "?", "%3F", "[", "%5B", "]", "%5D", "\\", "%5C")
	return r.Replace(s)
}

func (s *Server) lookupFull(full string) (*Job, []string) {
	items := s.Jobs
	var job *Job
	var names []string
	for _, n := range strings.Split(full, "/") {
		j, ok := items[n]
		if !ok {
			return nil, nil
		}
		job, names, items = j, append(names, n), j.Jobs
	}
	return job, names
}

func (s *Server) jobURL(r *http.Request, names []string) string {
	var b strings.Builder
	b.WriteString(origin(r) + s.Context + "/")
	for _, n := range names {
		b.WriteString("job/" + rawEncode(n) + "/")
	}
	return b.String()
}

// rawEncode is hudson.Util.rawEncode for one item name.
func rawEncode(n string) string { return url.PathEscape(n) }

func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// parseDelay is TimeDuration.fromString: "Nsec"/"Nsecs" are seconds, a bare number is milliseconds.
func parseDelay(v string, quiet int) (time.Duration, error) {
	if v == "" {
		return time.Duration(quiet) * time.Second, nil
	}
	unit := time.Millisecond
	for _, suffix := range []string{"secs", "sec"} {
		if strings.HasSuffix(v, suffix) {
			v, unit = strings.TrimSuffix(v, suffix), time.Second
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, err
	}
	return time.Duration(n) * unit, nil
}

// checkPermission is BuildAuthorizationToken.checkPermission: a valid token
// replaces Job/Build and allows any method; a wrong one is refused outright.
func (s *Server) checkPermission(w http.ResponseWriter, r *http.Request, c caller, job *Job) bool {
	if job.Token != "" && r.Form.Has("token") {
		if hmac.Equal([]byte(r.Form.Get("token")), []byte(job.Token)) {
			return true
		}
		if c.user == nil {
			s.loginRequired(w, r, "")
		} else {
			s.accessDenied(w, c.name, "Invalid token provided.", "")
		}
		return false
	}
	switch {
	case c.user == nil:
		s.loginRequired(w, r, "hudson.model.Item.Build")
		return false
	case c.user.NoBuild:
		s.accessDenied(w, c.name, c.name+" is missing the Job/Build permission", "hudson.model.Item.Build")
		return false
	case r.Method != http.MethodPost:
		s.postRequired(w)
		return false
	}
	return true
}

// doBuild is ParameterizedJobMixIn#doBuild.
func (s *Server) doBuild(w http.ResponseWriter, r *http.Request, c caller, job *Job, names []string) {
	if job.Folder {
		s.notFound(w, r)
		return
	}
	if job.Multibranch { // ComputedFolder#doBuild: schedules a scan, forwardToPreviousPage
		if c.user == nil || c.user.NoBuild || r.Method != http.MethodPost {
			s.postRequired(w)
			return
		}
		w.Header().Set("Location", s.jobURL(r, names))
		w.WriteHeader(http.StatusFound)
		return
	}
	delay, err := parseDelay(r.Form.Get("delay"), job.QuietPeriod)
	if err != nil {
		s.oops(w, http.StatusInternalServerError)
		return
	}
	if job.Disabled {
		s.notBuildable(w, r, names)
		return
	}
	if len(job.Params) > 0 && r.Method != http.MethodPost {
		// Observed on 2.372 and 2.568.2: 405 for every caller, whatever their permissions.
		s.postRequired(w)
		return
	}
	if !s.checkPermission(w, r, c, job) {
		return
	}
	if len(job.Params) > 0 { // ParametersDefinitionProperty#_doBuild needs the UI's json field
		if r.Form.Get("json") == "" {
			msg := "Nothing is submitted"
			if len(r.Form) > 0 {
				msg = "This page expects a form submission"
			}
			jettyError(w, r, http.StatusBadRequest, msg)
			return
		}
		// The UI form path answers with the job's URL, never the queue item (jenkins-api.md 2.7).
		w.Header().Set("Location", s.jobURL(r, names))
		w.WriteHeader(http.StatusCreated)
		return
	}
	item, _ := s.schedule(c, job, names, nil, nil, delay)
	if item == nil {
		w.Header().Set("Location", s.jobURL(r, names))
		w.WriteHeader(http.StatusFound)
		return
	}
	// 201 even when merged into an item already waiting (TODO JENKINS-66105 in core).
	w.Header().Set("Location", origin(r)+s.Context+"/queue/item/"+strconv.FormatInt(item.ID, 10)+"/")
	w.WriteHeader(http.StatusCreated)
}

// doBuildWithParameters is ParameterizedJobMixIn#doBuildWithParameters.
func (s *Server) doBuildWithParameters(w http.ResponseWriter, r *http.Request, c caller, job *Job, names []string) {
	if job.Folder || job.Multibranch {
		s.notFound(w, r)
		return
	}
	delay, err := parseDelay(r.Form.Get("delay"), job.QuietPeriod)
	if err != nil {
		s.oops(w, http.StatusInternalServerError)
		return
	}
	if !s.checkPermission(w, r, c, job) {
		return
	}
	if job.Disabled {
		s.notBuildable(w, r, names)
		return
	}
	if len(job.Params) == 0 {
		if s.NotParameterized500 {
			s.oops(w, http.StatusInternalServerError)
		} else {
			jettyError(w, r, http.StatusBadRequest, strings.Join(names, "/")+" is not parameterized")
		}
		return
	}
	values, files, ok := s.paramValues(r, job)
	if !ok {
		s.oops(w, http.StatusInternalServerError)
		return
	}
	item, created := s.schedule(c, job, names, values, files, delay)
	switch {
	case item == nil:
		w.Header().Set("Location", s.jobURL(r, names))
		w.WriteHeader(http.StatusFound)
	case !created:
		w.Header().Set("Location", origin(r)+s.Context+"/queue/item/"+strconv.FormatInt(item.ID, 10)+"/")
		w.WriteHeader(http.StatusSeeOther)
	default:
		w.Header().Set("Location", origin(r)+s.Context+"/queue/item/"+strconv.FormatInt(item.ID, 10)+"/")
		w.WriteHeader(http.StatusCreated)
	}
}

// paramValues is ParameterDefinition#createValue for each definition: only
// defined names are read, unknown ones are ignored.
func (s *Server) paramValues(r *http.Request, job *Job) (map[string]string, map[string]string, bool) {
	values := map[string]string{}
	files := map[string]string{}
	for _, d := range job.Params {
		if d.Type == "file" {
			if r.MultipartForm != nil && len(r.MultipartForm.File[d.Name]) > 0 {
				f, err := r.MultipartForm.File[d.Name][0].Open()
				if err != nil {
					return nil, nil, false
				}
				b, _ := io.ReadAll(f)
				f.Close()
				files[d.Name] = string(b)
			}
			continue
		}
		vs := r.Form[d.Name]
		switch {
		case len(vs) > 1: // "Illegal number of parameter values"
			return nil, nil, false
		case len(vs) == 0 && d.Type == "choice" && d.Default == "" && len(d.Choices) > 0:
			values[d.Name] = d.Choices[0]
		case len(vs) == 0:
			values[d.Name] = d.Default
		case d.Type == "choice" && !slices.Contains(d.Choices, vs[0]):
			return nil, nil, false // "Illegal choice for parameter"
		case d.Type == "boolean":
			values[d.Name] = strconv.FormatBool(strings.EqualFold(vs[0], "true"))
		default:
			values[d.Name] = vs[0]
		}
	}
	return values, files, true
}

// buildByToken is build-token-root's BuildRootAction.
func (s *Server) buildByToken(w http.ResponseWriter, r *http.Request, c caller, endpoint string) {
	job, names := s.lookupFull(r.Form.Get("job"))
	if job == nil || job.Folder || job.Multibranch || job.Token == "" || job.Disabled {
		w.WriteHeader(http.StatusNotFound) // "to not leak existence": empty body
		return
	}
	if !hmac.Equal([]byte(r.Form.Get("token")), []byte(job.Token)) {
		if c.user == nil {
			perm := ""
			if !r.Form.Has("token") {
				perm = "hudson.model.Item.Build"
			}
			s.loginRequired(w, r, perm)
		} else {
			s.accessDenied(w, c.name, "Invalid token provided.", "")
		}
		return
	}
	parameterized := len(job.Params) > 0
	if parameterized != (endpoint == "buildWithParameters") {
		s.oops(w, http.StatusBadRequest)
		return
	}
	delay, err := parseDelay(r.Form.Get("delay"), 0) // the plugin's quiet-period bug: 0 s by default
	if err != nil {
		s.oops(w, http.StatusInternalServerError)
		return
	}
	var values, files map[string]string
	if parameterized {
		var ok bool
		if values, files, ok = s.paramValues(r, job); !ok {
			s.oops(w, http.StatusInternalServerError)
			return
		}
	}
	item, created := s.schedule(c, job, names, values, files, delay)
	switch {
	case item == nil:
		w.WriteHeader(http.StatusForbidden)
	case !created:
		// Folded into a waiting item: the plugin redirects to itself, naming no item.
		w.Header().Set("Location", s.redirect(origin(r)+s.Context+"/buildByToken/"))
		w.WriteHeader(http.StatusFound)
	default:
		w.Header().Set("Location", origin(r)+s.Context+"/queue/item/"+strconv.FormatInt(item.ID, 10)+"/")
		w.WriteHeader(http.StatusCreated)
	}
}

// schedule is Queue#schedule2: an identical item still waiting absorbs the
// request (same job, same parameter values); a veto schedules nothing.
func (s *Server) schedule(c caller, job *Job, names []string, values, files map[string]string, delay time.Duration) (*QueueItem, bool) {
	if job.Veto {
		return nil, false
	}
	full := strings.Join(names, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.advance(now)
	for _, q := range s.queue {
		if q.Job == full && q.st.left.IsZero() && !q.st.gone && maps.Equal(q.Params, values) && maps.Equal(q.Files, files) {
			q.Causes++
			// The earlier end of the quiet period wins (recordings: a 600 s wait
			// cut to 5 s; a 5 s wait not restarted).
			if due := now.Add(delay); due.Before(q.st.due) {
				maintained := s.maintenance(due)
				if !due.After(now) {
					maintained = now // scheduling runs the maintenance at once
				}
				q.st.startAt = q.st.startAt.Add(maintained.Sub(q.st.maintained))
				q.st.due, q.st.maintained = due, maintained
			}
			return q, false
		}
	}
	q := &QueueItem{ID: s.nextID, Job: full, Params: values, Files: files, Causes: 1, Delay: delay, Created: now, User: c.name}
	q.st = itemState{due: now.Add(delay), script: job.Script, names: names, job: job}
	q.st.maintained = s.maintenance(q.st.due)
	if !q.st.due.After(now) {
		q.st.maintained = now // scheduling runs the maintenance: a due item moves on at once
	}
	q.st.startAt = q.st.maintained
	if job.Script != nil {
		q.st.startAt = q.st.maintained.Add(job.Script.QueueFor)
	}
	s.nextID++
	s.queue = append(s.queue, q)
	return q, true
}

func (s *Server) queueItem(w http.ResponseWriter, r *http.Request, idText string, rest []string) {
	id, _ := strconv.ParseInt(idText, 10, 64)
	s.mu.Lock()
	now := s.now()
	s.advance(now)
	item := s.findItem(id)
	var out map[string]any
	if item != nil {
		out = s.queueItemJSON(r, item, now)
	}
	s.mu.Unlock()
	if item == nil || strings.Join(rest, "/") != "api/json" {
		s.notFound(w, r)
		return
	}
	s.writeJSON(w, r, out)
}

// jobJSON is what {job}api/json exports: _class, names, buildable, the
// parameter definitions as core names them, builds, and for folders their jobs.
func (s *Server) jobJSON(w http.ResponseWriter, r *http.Request, c caller, job *Job, names []string) {
	class := projectClass(job)
	switch {
	case job.Folder:
		class = "com.cloudbees.hudson.plugins.folder.Folder"
	case job.Multibranch:
		class = "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject"
	case job.Script != nil && (job.Script.Pipeline || len(job.Script.Stages) > 0):
		class = "org.jenkinsci.plugins.workflow.job.WorkflowJob"
	}
	out := map[string]any{"_class": class, "name": names[len(names)-1], "fullName": strings.Join(names, "/"),
		"url": s.jobURL(r, names)}
	if job.Folder || job.Multibranch {
		out["jobs"] = s.childJobs(r, c, names, job.Jobs)
		s.writeJSON(w, r, out)
		return
	}
	var defs []map[string]any
	for _, d := range job.Params {
		simple := paramClasses[d.Type]
		def := map[string]any{"_class": "hudson.model." + simple, "name": d.Name, "type": simple, "description": d.Description}
		switch d.Type {
		case "choice":
			def["choices"] = d.Choices
			dflt := d.Default
			if dflt == "" && len(d.Choices) > 0 {
				dflt = d.Choices[0]
			}
			def["defaultParameterValue"] = map[string]any{"_class": "hudson.model.StringParameterValue", "name": d.Name, "value": dflt}
		case "boolean":
			def["defaultParameterValue"] = map[string]any{"_class": "hudson.model.BooleanParameterValue", "name": d.Name, "value": d.Default == "true"}
		case "password":
			def["defaultParameterValue"] = map[string]any{"_class": "hudson.model.PasswordParameterValue", "name": d.Name}
		case "file", "run":
			def["defaultParameterValue"] = nil // exported as null
		default:
			def["defaultParameterValue"] = map[string]any{"_class": "hudson.model.StringParameterValue", "name": d.Name, "value": d.Default}
		}
		defs = append(defs, def)
	}
	out["buildable"] = !job.Disabled
	s.mu.Lock()
	s.advance(s.now())
	builds := []map[string]any{}
	for i := len(job.builds) - 1; i >= 0 && len(builds) < 100 && !job.Discard; i-- {
		b := job.builds[i]
		builds = append(builds, map[string]any{"_class": buildClass(b.pipeline), "number": b.Number, "queueId": b.QueueID,
			"url": s.jobURL(r, names) + strconv.Itoa(b.Number) + "/", "timestamp": b.Start.UnixMilli(), "actions": actions(b.user, b.params)})
	}
	out["nextBuildNumber"] = job.nextBuild + 1
	out["queueItem"] = nil
	for _, q := range s.queue {
		if q.Job == strings.Join(names, "/") && q.st.left.IsZero() {
			out["queueItem"] = map[string]any{"_class": "hudson.model.Queue$WaitingItem", "id": q.ID}
			break
		}
	}
	s.mu.Unlock()
	out["builds"] = builds
	props := []map[string]any{}
	if len(defs) > 0 {
		props = append(props, map[string]any{"_class": "hudson.model.ParametersDefinitionProperty", "parameterDefinitions": defs})
	}
	out["property"] = props
	s.writeJSON(w, r, out)
}

// childJobs lists the items a caller may read, as Jenkins filters its listings.
func (s *Server) childJobs(r *http.Request, c caller, parent []string, jobs map[string]*Job) []map[string]any {
	out := []map[string]any{}
	if !s.canRead(c) {
		return out
	}
	for _, name := range slices.Sorted(maps.Keys(jobs)) {
		names := append(slices.Clone(parent), name)
		class := projectClass(jobs[name])
		switch {
		case jobs[name].Folder:
			class = "com.cloudbees.hudson.plugins.folder.Folder"
		case jobs[name].Multibranch:
			class = "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject"
		}
		out = append(out, map[string]any{"_class": class, "name": name, "url": s.jobURL(r, names)})
	}
	return out
}

func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	s.advertise(w)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if tr := r.URL.Query().Get("tree"); tr != "" {
		v = parseTree(tr).apply(roundTrip(v))
	}
	_ = json.NewEncoder(w).Encode(v)
}

// roundTrip turns v into plain maps and slices, as tree filtering needs.
func roundTrip(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

// permalinks are the build aliases Jenkins resolves under a job.
var permalinks = map[string]bool{"lastBuild": true, "lastCompletedBuild": true, "lastSuccessfulBuild": true, "lastFailedBuild": true, "lastStableBuild": true}

// projectClass and buildClass are the item and run classes of a job.
func projectClass(j *Job) string {
	if j != nil && j.Script != nil && (j.Script.Pipeline || len(j.Script.Stages) > 0) {
		return "org.jenkinsci.plugins.workflow.job.WorkflowJob"
	}
	return "hudson.model.FreeStyleProject"
}

func buildClass(pipeline bool) string {
	if pipeline {
		return "org.jenkinsci.plugins.workflow.job.WorkflowRun"
	}
	return "hudson.model.FreeStyleBuild"
}

package jenkinstest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// Each case is a curl call from ../shared/jenkins-observed.md (Jenkins 2.372)
// and what Jenkins answered; the fake must answer the same way.
func TestFakeMatchesObservedJenkins(t *testing.T) {
	t.Parallel()
	type want struct {
		status   int
		jenkins  bool   // X-Jenkins header present
		body     string // substring
		location string // suffix of Location
		header   [2]string
	}
	tests := []struct {
		name   string
		method string
		path   string // below the context path, with query
		body   string
		auth   string // "token", "password", "wrong", "" (anonymous)
		crumb  string // header value to send
		want   want
	}{
		{"wrong password: Jetty 401 with the Basic challenge", "POST", "/job/hello/build", "", "wrong", "",
			want{status: 401, header: [2]string{"WWW-Authenticate", `Basic realm="Jenkins"`}, body: "Error 401 Unauthorized"}},
		{"anonymous POST: the crumb check comes first", "POST", "/job/hello/build", "", "", "",
			want{status: 403, body: "No valid crumb was included in the request"}},
		{"anonymous GET: login page with X-Jenkins", "GET", "/job/hello/api/json", "", "", "",
			want{status: 403, jenkins: true, body: "Authentication required"}},
		{"anonymous GET of a missing job: the same login page", "GET", "/job/nosuchjob/api/json", "", "", "",
			want{status: 403, jenkins: true, body: "/login?from="}},
		{"password without crumb", "POST", "/job/hello/build", "", "password", "",
			want{status: 403, body: "No valid crumb"}},
		{"API token: no crumb needed, bare 201", "POST", "/job/hello/build", "", "token", "",
			want{status: 201, location: "/jenkins/queue/item/1/"}},
		{"API token with a bogus crumb: ignored", "POST", "/job/hello/build", "", "token", "bogus",
			want{status: 201, location: "/jenkins/queue/item/1/"}},
		{"GET build with API token: 405 Form post required", "GET", "/job/hello/build", "", "token", "",
			want{status: 405, jenkins: true, body: "You must use POST method to trigger builds", header: [2]string{"Allow", "POST"}}},
		{"missing job: Jetty 404 without X-Jenkins", "POST", "/job/nosuchjob/build", "", "token", "",
			want{status: 404, body: "Error 404 Not Found"}},
		{"disabled job: 409 Oops page", "POST", "/job/disabled/build", "", "token", "",
			want{status: 409, jenkins: true, body: "Logging ID="}},
		{"disabled job via buildWithParameters: 409", "POST", "/job/disabled/buildWithParameters", "", "token", "",
			want{status: 409, jenkins: true, body: "Oops!"}},
		{"parameterized /build without json: Nothing is submitted", "POST", "/job/greeting/build", "", "token", "",
			want{status: 400, body: "Nothing is submitted"}},
		{"parameterized /build with a query parameter", "POST", "/job/greeting/build?GREETING=x", "", "token", "",
			want{status: 400, body: "This page expects a form submission"}},
		{"parameterized /build with json: 201 to the job, not the queue", "POST", "/job/greeting/build",
			`json={"parameter":[{"name":"GREETING","value":"j"}]}`, "token", "",
			want{status: 201, location: "/jenkins/job/greeting/"}},
		{"buildWithParameters on a job without parameters (2.524+): 400", "POST", "/job/hello/buildWithParameters", "", "token", "",
			want{status: 400, body: "hello is not parameterized"}},
		{"undefined parameter only: accepted with defaults", "POST", "/job/greeting/buildWithParameters?NOPE=1", "", "token", "",
			want{status: 201, location: "/jenkins/queue/item/1/"}},
		{"delay=abc: 500 Oops", "POST", "/job/hello/build?delay=abc", "", "token", "",
			want{status: 500, jenkins: true, body: "Logging ID="}},
		{"anonymous POST with the job token: still the crumb 403", "POST", "/job/tokenjob/build?token=s3cret", "", "", "",
			want{status: 403, body: "No valid crumb"}},
		{"anonymous GET with the job token: login page (no Overall/Read)", "GET", "/job/tokenjob/build?token=s3cret", "", "", "",
			want{status: 403, jenkins: true, body: "Authentication required"}},
		{"GET with job token and API token: 201", "GET", "/job/tokenjob/build?token=s3cret", "", "token", "",
			want{status: 201, location: "/jenkins/queue/item/1/"}},
		{"wrong job token with API token: Invalid token provided", "POST", "/job/tokenjob/build?token=wrong", "", "token", "",
			want{status: 403, jenkins: true, body: "Invalid token provided."}},
		{"GET without job token on a token job: 405", "GET", "/job/tokenjob/build", "", "token", "",
			want{status: 405, jenkins: true, body: "Form post required"}},
		{"buildByToken anonymous GET: 201 (path-only Location, as the plugin's source sets it)", "GET", "/buildByToken/build?job=tokenjob&token=s3cret", "", "", "",
			want{status: 201, location: "/jenkins/queue/item/1/"}},
		{"buildByToken anonymous POST needs no crumb", "POST", "/buildByToken/build?job=tokenjob&token=s3cret", "", "", "",
			want{status: 201}},
		{"buildByToken wrong token, anonymous: login page", "GET", "/buildByToken/build?job=tokenjob&token=wrong", "", "", "",
			want{status: 403, jenkins: true, body: "Authentication required"}},
		{"buildByToken on a job without a token: empty 404", "GET", "/buildByToken/build?job=hello&token=s3cret", "", "", "",
			want{status: 404}},
		{"buildByToken on a disabled job: the same empty 404", "GET", "/buildByToken/build?job=disabled&token=s3cret", "", "", "",
			want{status: 404}},
		{"buildByToken /build on a parameterized job: 400 Oops", "GET", "/buildByToken/build?job=team/app&token=s3cret", "", "", "",
			want{status: 400, jenkins: true, body: "Oops!"}},
		{"buildByToken folder job by full name", "GET", "/buildByToken/buildWithParameters?job=team/app&token=s3cret&ENV=prod", "", "", "",
			want{status: 201}},
		{"folder job through the core API", "GET", "/job/team/job/app/api/json", "", "token", "",
			want{status: 200, jenkins: true, body: `"fullName":"team/app"`}},
		{"literal semicolon in the path", "POST", "/job/a;b/build", "", "token", "",
			want{status: 400, body: "Semicolons are not allowed"}},
		{"multibranch branch by its canonical URL", "POST", "/job/repo/job/feature%252Ffoo/build", "", "token", "",
			want{status: 201}},
		{"multibranch branch with a single-encoded slash (passed through undecoded)", "POST", "/job/repo/job/feature%2Ffoo/build", "", "token", "",
			want{status: 201}},
		{"multibranch project /build: scan and 302", "POST", "/job/repo/build", "", "token", "",
			want{status: 302, location: "/jenkins/job/repo/"}},
		{"plain folder has no /build", "POST", "/job/team/build", "", "token", "",
			want{status: 404}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := Sample()
			s.Start()
			defer s.Close()
			req, err := http.NewRequest(tt.method, strings.TrimSuffix(s.URL(), "/")+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			switch tt.auth {
			case "token":
				req.SetBasicAuth(SampleUser, SampleAPIToken)
			case "password":
				req.SetBasicAuth(SampleUser, SamplePassword)
			case "wrong":
				req.SetBasicAuth(SampleUser, "wrong-password")
			}
			if tt.crumb != "" {
				req.Header.Set("Jenkins-Crumb", tt.crumb)
			}
			resp := do(t, ownTransport(t), req)
			body := readAll(t, resp)
			if resp.StatusCode != tt.want.status {
				t.Errorf("status %d, want %d; body %.200s", resp.StatusCode, tt.want.status, body)
			}
			if got := resp.Header.Get("X-Jenkins") != ""; got != tt.want.jenkins {
				t.Errorf("X-Jenkins present = %v, want %v", got, tt.want.jenkins)
			}
			if !strings.Contains(body, tt.want.body) {
				t.Errorf("body lacks %q: %.300s", tt.want.body, body)
			}
			if loc := resp.Header.Get("Location"); !strings.HasSuffix(loc, tt.want.location) {
				t.Errorf("Location %q, want suffix %q", loc, tt.want.location)
			}
			if h := tt.want.header; h[0] != "" && resp.Header.Get(h[0]) != h[1] {
				t.Errorf("%s = %q, want %q", h[0], resp.Header.Get(h[0]), h[1])
			}
		})
	}
}

// The crumb is bound to the session: it works with the cookie from the crumb
// request and fails without it (SECURITY-626).
func TestFakeCrumbIsBoundToTheSession(t *testing.T) {
	t.Parallel()
	s := Sample()
	s.Start()
	defer s.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Transport: ownTransport(t), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"crumbIssuer/api/json", nil)
	req.SetBasicAuth(SampleUser, SamplePassword)
	resp := do(t, client.Transport, req)
	for _, c := range resp.Cookies() {
		jar.SetCookies(req.URL, []*http.Cookie{c})
	}
	var crumb struct{ Crumb, CrumbRequestField string }
	if err := json.Unmarshal([]byte(readAll(t, resp)), &crumb); err != nil || crumb.CrumbRequestField != "Jenkins-Crumb" {
		t.Fatalf("crumb %+v, %v", crumb, err)
	}
	post := func(withCookie bool) int {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"job/hello/build", nil)
		req.SetBasicAuth(SampleUser, SamplePassword)
		req.Header.Set(crumb.CrumbRequestField, crumb.Crumb)
		c := &http.Client{CheckRedirect: client.CheckRedirect, Transport: client.Transport}
		if withCookie {
			c.Jar = jar
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(false); got != http.StatusForbidden {
		t.Errorf("crumb without its session cookie: %d, want 403", got)
	}
	if got := post(true); got != http.StatusCreated {
		t.Errorf("crumb with its session cookie: %d, want 201", got)
	}
}

// Queue merging: /build answers 201 with the old item, buildWithParameters 303
// for identical parameters and a new item for different ones.
func TestFakeMergesIdenticalQueuedItems(t *testing.T) {
	t.Parallel()
	s := Sample()
	s.Start()
	defer s.Close()
	rt := ownTransport(t)
	trigger := func(path string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+path, nil)
		req.SetBasicAuth(SampleUser, SampleAPIToken)
		resp := do(t, rt, req)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	for i, tc := range []struct {
		path   string
		status int
		item   string
	}{
		{"job/hello/build", 201, "/queue/item/1/"},
		{"job/hello/build", 201, "/queue/item/1/"},
		{"job/greeting/buildWithParameters?GREETING=a", 201, "/queue/item/2/"},
		{"job/greeting/buildWithParameters?GREETING=a", 303, "/queue/item/2/"},
		{"job/greeting/buildWithParameters?GREETING=b", 201, "/queue/item/3/"},
		{"job/greeting/buildWithParameters?GREETING=a&FLAG=1", 303, "/queue/item/2/"}, // FLAG=1 is false: same values
	} {
		status, loc := trigger(tc.path)
		if status != tc.status || !strings.HasSuffix(loc, tc.item) {
			t.Errorf("trigger %d (%s): %d %s, want %d %s", i+1, tc.path, status, loc, tc.status, tc.item)
		}
	}
	if q := s.Queue(); len(q) != 3 || q[0].Causes != 2 {
		t.Errorf("queue = %+v, want 3 items, the first with 2 folded causes", q)
	}
}

// ownTransport keeps parallel tests apart: httptest.Server.Close closes the
// idle connections of http.DefaultTransport, breaking other tests' requests.
func ownTransport(t *testing.T) *http.Transport {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

func do(t *testing.T, rt http.RoundTripper, req *http.Request) *http.Response {
	t.Helper()
	if rt == nil {
		rt = ownTransport(t)
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTimeSpanAsJenkinsWritesIt(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		599 * time.Second: "9 min 59 sec", 29*time.Second + 400*time.Millisecond: "29 sec", 4900 * time.Millisecond: "4.9 sec",
		4 * time.Second: "4 sec", 4040 * time.Millisecond: "4 sec", 880 * time.Millisecond: "0.88 sec", 26 * time.Millisecond: "26 ms",
	} {
		if got := timeSpan(d); got != want {
			t.Errorf("timeSpan(%s) = %q, want %q", d, got, want)
		}
	}
}

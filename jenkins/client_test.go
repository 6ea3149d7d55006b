package jenkins_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/auth"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
)

var (
	tokenCreds    = auth.Credentials{User: jenkinstest.SampleUser, APIToken: auth.Secret(jenkinstest.SampleAPIToken)}
	passwordCreds = auth.Credentials{User: jenkinstest.SampleUser, Password: auth.Secret(jenkinstest.SamplePassword)}
)

// setup starts the sample fake with faults and returns a client for it.
func setup(t *testing.T, creds auth.Credentials, faults ...jenkinstest.Fault) (*jenkins.Client, *jenkinstest.Server) {
	t.Helper()
	s := jenkinstest.Sample()
	for _, f := range faults {
		s.Inject(f)
	}
	s.Start()
	t.Cleanup(s.Close)
	base, err := jenkins.ParseBase(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	c, err := jenkins.New(jenkins.Options{Base: base, Creds: creds, RetryFor: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

func request(t *testing.T, s *jenkinstest.Server, job string, params ...jenkins.Param) jenkins.TriggerRequest {
	t.Helper()
	base, _ := jenkins.ParseBase(s.URL())
	j, err := jenkins.ParseJob(base, job)
	if err != nil {
		t.Fatal(err)
	}
	return jenkins.TriggerRequest{Job: j, Params: params}
}

func paths(s *jenkinstest.Server) []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// The trigger sends what Jenkins needs for each kind of credentials, and
// nothing more.
func TestTriggerRequests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		creds  auth.Credentials
		job    string
		params []jenkins.Param
		want   []string
	}{
		{"API token: one POST, no crumb", tokenCreds, "hello", nil, []string{"POST /job/hello/build"}},
		{"password: a crumb first, bound to the session", passwordCreds, "hello", nil,
			[]string{"GET /crumbIssuer/api/json", "POST /job/hello/build"}},
		{"parameters: buildWithParameters", tokenCreds, "greeting", []jenkins.Param{{Name: "GREETING", Value: "a,b;c"}},
			[]string{"POST /job/greeting/buildWithParameters"}},
		{"a parameterized job through build: 400, then buildWithParameters with defaults", tokenCreds, "greeting", nil,
			[]string{"POST /job/greeting/build", "POST /job/greeting/buildWithParameters"}},
		{"a folder job", tokenCreds, "team/app", []jenkins.Param{{Name: "ENV", Value: "qa"}},
			[]string{"POST /job/team/job/app/buildWithParameters"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, s := setup(t, tc.creds)
			q, err := c.Trigger(context.Background(), request(t, s, tc.job, tc.params...))
			if err != nil || q.ID != 1 || q.Merged || !strings.HasSuffix(q.URL.String(), "/jenkins/queue/item/1/") {
				t.Fatalf("Trigger = %+v, %v", q, err)
			}
			if got := paths(s); !slices.Equal(got, tc.want) {
				t.Errorf("requests %q, want %q", got, tc.want)
			}
			reqs := s.Requests()
			if last := reqs[len(reqs)-1]; tc.creds.Password != "" && last.Crumb == "" {
				t.Errorf("the POST carried no crumb")
			}
		})
	}
}

// GETs retry what may pass (a proxy's 502, 429); the trigger POST is never
// sent twice once it may have reached Jenkins, and is re-sent only when it
// provably did not.
func TestRetries(t *testing.T) {
	t.Parallel()
	t.Run("GET: 502 twice, then the answer", func(t *testing.T) {
		t.Parallel()
		c, s := setup(t, tokenCreds, jenkinstest.Fault{Method: "GET", Path: "/queue/item/1/api/json", Kind: jenkinstest.Proxy502, Times: 2})
		if _, err := c.Trigger(context.Background(), request(t, s, "hello")); err != nil {
			t.Fatal(err)
		}
		item, err := c.QueueItem(context.Background(), 1)
		if err != nil || item.ID != 1 {
			t.Errorf("QueueItem = %+v, %v; want item 1 after two retries", item, err)
		}
	})
	t.Run("POST: the answer is lost after Jenkins read it: ambiguous, never re-sent", func(t *testing.T) {
		t.Parallel()
		c, s := setup(t, tokenCreds, jenkinstest.Fault{Method: "POST", Path: "/build", Kind: jenkinstest.ResetAfterRead, Times: 1})
		_, err := c.Trigger(context.Background(), request(t, s, "hello"))
		var amb *jenkins.AmbiguousError
		if !errors.As(err, &amb) || amb.SentAt.IsZero() || s.TriggerPOSTs() != 1 {
			t.Errorf("err = %v after %d POSTs; want one POST and an AmbiguousError", err, s.TriggerPOSTs())
		}
	})
	t.Run("POST: Jenkins is starting up (its own 503): re-sent", func(t *testing.T) {
		t.Parallel()
		c, s := setup(t, tokenCreds, jenkinstest.Fault{Method: "POST", Path: "/build", Kind: jenkinstest.Startup503, Times: 1})
		if q, err := c.Trigger(context.Background(), request(t, s, "hello")); err != nil || q.ID != 1 {
			t.Errorf("Trigger = %+v, %v; want item 1 after one re-send", q, err)
		}
	})
	t.Run("a deadline cuts the GET retries short", func(t *testing.T) {
		t.Parallel()
		c, s := setup(t, tokenCreds, jenkinstest.Fault{Method: "GET", Path: "/job/hello/api/json", Kind: jenkinstest.Proxy502})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.JobInfo(ctx, request(t, s, "hello").Job)
		if err == nil || time.Since(start) > 2*time.Second {
			t.Errorf("JobInfo = %v after %s; want an error at the deadline", err, time.Since(start))
		}
	})
}

// A trigger cut short by its context says whether the POST may have reached
// Jenkins, and unwraps to the context's cause.
func TestTriggerInterrupted(t *testing.T) {
	t.Parallel()
	cause := errors.New("terminated")
	for _, tc := range []struct {
		name  string
		creds auth.Credentials
		fault jenkinstest.Fault
		sent  bool
	}{
		{"while fetching the crumb", passwordCreds, jenkinstest.Fault{Method: "GET", Path: "/crumbIssuer/api/json", Kind: jenkinstest.SlowHeaders, Delay: time.Minute}, false},
		{"while waiting for the answer", tokenCreds, jenkinstest.Fault{Method: "POST", Path: "/build", Kind: jenkinstest.SlowHeaders, Delay: time.Minute}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, s := setup(t, tc.creds, tc.fault)
			ctx, cancel := context.WithCancelCause(context.Background())
			time.AfterFunc(100*time.Millisecond, func() { cancel(cause) })
			_, err := c.Trigger(ctx, request(t, s, "hello"))
			var ie *jenkins.InterruptedError
			if !errors.As(err, &ie) || ie.Sent != tc.sent || !errors.Is(err, cause) {
				t.Errorf("err = %#v; want an InterruptedError with Sent %v caused by %v", err, tc.sent, cause)
			}
		})
	}
}

// Each refusal is explained with its kind and the settings to check.
func TestExplanations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		creds auth.Credentials
		job   string
		kind  error
		fix   []jenkins.Setting
		msg   string
	}{
		{"a wrong API token", auth.Credentials{User: "builder", APIToken: "11ffffffffffffffffffffffffffffffff"}, "hello", jenkins.ErrAuth,
			[]jenkins.Setting{jenkins.SetUser, jenkins.SetAPIToken}, `Jenkins rejected the credentials of user "builder" (HTTP 401)`},
		{"a wrong job token", auth.Credentials{User: "builder", APIToken: auth.Secret(jenkinstest.SampleAPIToken), JobToken: "wrong"}, "tokenjob", jenkins.ErrForbidden,
			[]jenkins.Setting{jenkins.SetJobToken}, "Invalid token provided"},
		{"no such job", tokenCreds, "nosuch", jenkins.ErrNotFound, nil, `job "nosuch" not found`},
		{"a disabled job", tokenCreds, "disabled", jenkins.ErrRejected, nil, `job "disabled" is disabled or not buildable (HTTP 409)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, s := setup(t, tc.creds)
			_, err := c.Trigger(context.Background(), request(t, s, tc.job))
			var je *jenkins.Error
			if !errors.As(err, &je) || !errors.Is(err, tc.kind) || !strings.Contains(je.Msg, tc.msg) || !slices.Equal(je.Fix, tc.fix) {
				t.Errorf("err = %#v; want %v with %q and fix %v", err, tc.kind, tc.msg, tc.fix)
			}
		})
	}
}

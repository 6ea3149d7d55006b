package auth

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := Secret("CANARY-0b1f")
	creds := Credentials{User: "u", APIToken: s, Password: s, JobToken: s}
	for _, format := range []string{"%s", "%v", "%+v", "%#v", "%q", "%x", "%X"} {
		for _, v := range []any{s, creds, &creds} {
			if out := fmt.Sprintf(format, v); strings.Contains(out, "CANARY") || strings.Contains(out, fmt.Sprintf("%x", "CANARY")) {
				t.Errorf("Sprintf(%q, %T) = %q leaks the secret", format, v, out)
			}
		}
	}
	if s.Reveal() != "CANARY-0b1f" {
		t.Errorf("Reveal = %q", s.Reveal())
	}
}

type recordRT struct{ got []*http.Request }

func (r *recordRT) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got = append(r.got, req)
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
}

func TestTransportSendsCredentialsOnlyToItsOrigin(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://ci.example.com/jenkins/")
	rec := &recordRT{}
	tr := &Transport{Base: rec, Origin: Origin(base), Creds: Credentials{User: "builder", APIToken: "tok"}}
	for _, target := range []string{"https://ci.example.com:443/jenkins/job/x/build", "https://CI.example.com/other",
		"http://ci.example.com/jenkins/", "https://evil.example.com/jenkins/", "https://ci.example.com:8443/"} {
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		if _, err := tr.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []bool{true, true, false, false, false} {
		_, _, got := rec.got[i].BasicAuth()
		if got != want {
			t.Errorf("request to %s carries credentials = %v, want %v", rec.got[i].URL, got, want)
		}
	}
}

func TestModesAndCrumbs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		c     Credentials
		mode  Mode
		crumb bool
	}{
		{Credentials{}, Anonymous, true},
		{Credentials{User: "u", APIToken: "t"}, APIToken, false},
		{Credentials{User: "u", Password: "p"}, Password, true},
		{Credentials{User: "u", APIToken: "t", Password: "p"}, APIToken, false},
		{Credentials{JobToken: "j"}, JobToken, true},
		{Credentials{User: "u", APIToken: "t", JobToken: "j"}, JobToken, false},
		{Credentials{JobToken: "j", TokenRoot: true}, BuildTokenRoot, false},
	}
	for _, tt := range tests {
		if got := tt.c.Mode(); got != tt.mode {
			t.Errorf("%+v: mode %v, want %v", tt.c, got, tt.mode)
		}
		if got := tt.c.NeedsCrumb(); got != tt.crumb {
			t.Errorf("%+v: needs crumb %v, want %v", tt.c, got, tt.crumb)
		}
	}
	for _, bad := range []Credentials{{User: "u"}, {APIToken: "t"}, {Password: "p"}, {TokenRoot: true}} {
		if bad.Validate() == nil {
			t.Errorf("Validate(%+v) = nil, want an error", bad)
		}
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://user:CANARY@ci/job/x/build?token=CANARY&delay=0sec")
	got := RedactURL(u)
	if strings.Contains(got, "CANARY") || !strings.Contains(got, "token=REDACTED") || !strings.Contains(got, "delay=0sec") {
		t.Errorf("RedactURL = %q", got)
	}
}

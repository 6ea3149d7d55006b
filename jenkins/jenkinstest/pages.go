package jenkinstest

import (
	"crypto/rand"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
)

// The pages below reproduce what Jenkins 2.372 sent for each case in
// ../shared/jenkins-observed.md: which ones carry X-Jenkins, their content
// types, and the text clients recognise them by.

// jettyError is the servlet container's error page (sendError): no X-Jenkins.
func jettyError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Content-Type", "text/html;charset=iso-8859-1")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<html><head><meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>
<title>Error %d %s</title></head><body><h2>HTTP ERROR %d %s</h2><table>
<tr><th>URI:</th><td>%s</td></tr><tr><th>STATUS:</th><td>%d</td></tr><tr><th>MESSAGE:</th><td>%s</td></tr>
<tr><th>SERVLET:</th><td>Stapler</td></tr></table><hr/><a href="https://eclipse.org/jetty">Powered by Jetty:// 10.0.12</a></body></html>`,
		status, html.EscapeString(msg), status, html.EscapeString(msg), html.EscapeString(r.URL.EscapedPath()), status, html.EscapeString(msg))
}

func (s *Server) advertise(w http.ResponseWriter) {
	w.Header().Set("X-Jenkins", s.Version)
	w.Header().Set("X-Jenkins-Session", s.SessionHash)
	w.Header().Set("X-Hudson", "1.395")
}

// oops is Jenkins' "Oops!" page for uncaught exceptions: the message is hidden,
// only a Logging ID is shown.
func (s *Server) oops(w http.ResponseWriter, status int) {
	s.advertise(w)
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Jenkins [Jenkins]</title></head><body>
<h1>Oops!</h1><div id="error-description"><h2>A problem occurred while processing the request.</h2>
<p>Logging ID=%s</p></div></body></html>`, uuid())
}

// notFound is the 404 of an unknown job, build or queue item: 2.372 leaves it
// to Jetty (no X-Jenkins); 2.568.2 renders its own page, with X-Jenkins and a
// session cookie.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if s.Profile == Profile2372 {
		jettyError(w, r, http.StatusNotFound, "Not Found")
		return
	}
	s.advertise(w)
	s.session(w, r)
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Not Found [Jenkins]</title></head><body><h1>Not Found</h1><p>This page may not exist, or you may not have permission to see it.</p></body></html>`)
}

// notBuildable is the 409 of a disabled job: 2.372's Oops page, 2.568.2's
// bare Jetty page.
func (s *Server) notBuildable(w http.ResponseWriter, r *http.Request, names []string) {
	if s.Profile == Profile2372 {
		s.oops(w, http.StatusConflict)
		return
	}
	jettyError(w, r, http.StatusConflict, strings.Join(names, "/")+" is not buildable")
}

// redirect is a Location as Jenkins writes it: absolute on 2.372, a path on 2.568.2.
func (s *Server) redirect(abs string) string {
	if s.Profile == Profile2372 {
		return abs
	}
	if u, err := url.Parse(abs); err == nil {
		return u.RequestURI()
	}
	return abs
}

// basicChallenge is the WWW-Authenticate of a 401.
func (s *Server) basicChallenge() string {
	if s.Profile == Profile2372 {
		return `Basic realm="Jenkins"`
	}
	return `Basic realm="Jenkins", charset="UTF-8"`
}

// loginRequired is the 403 an anonymous caller gets when it lacks a
// permission. 2.568.2 names the caller and the missing permission (perm), as
// for a logged-in user; perm is "" where Jenkins names none (a wrong token).
func (s *Server) loginRequired(w http.ResponseWriter, r *http.Request, perm string) {
	s.advertise(w)
	if s.Profile == Profile2568 && perm != "" {
		w.Header().Set("X-You-Are-Authenticated-As", "anonymous")
		w.Header().Set("X-Required-Permission", perm)
	}
	s.session(w, r)
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	from := url.QueryEscape(r.URL.RequestURI())
	fmt.Fprintf(w, `<html><head><meta http-equiv='refresh' content='1;url=%s/login?from=%s'/>
<script>window.location.replace('%s/login?from=%s');</script></head><body style='background-color:white; color:white;'>
Authentication required
</body></html>`, s.Context, from, s.Context, from)
}

// accessDenied is the 403 an authenticated caller gets.
func (s *Server) accessDenied(w http.ResponseWriter, user, msg, permission string) {
	s.advertise(w)
	if permission != "" {
		w.Header().Set("X-You-Are-Authenticated-As", user)
		w.Header().Set("X-You-Are-In-Group-Disabled", "JENKINS-39402: use -Dhudson.security.AccessDeniedException2.REPORT_GROUP_HEADERS=true or use /whoAmI to diagnose")
		w.Header().Set("X-Required-Permission", permission)
		w.Header().Set("X-Permission-Implied-By", "hudson.security.Permission.GenericWrite")
	}
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Jenkins</title></head><body><h1>Access Denied</h1><p>%s</p></body></html>`, html.EscapeString(msg))
}

func (s *Server) postRequired(w http.ResponseWriter) {
	s.advertise(w)
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.Header().Set("Allow", "POST")
	w.WriteHeader(http.StatusMethodNotAllowed)
	fmt.Fprint(w, `<html><head><title>Form post required [Jenkins]</title></head><body>You must use POST method to trigger builds. (From scripts you may instead pass a per-project authentication token, or authenticate with your API token.)</body></html>`)
}

// startingUp is HudsonIsLoading's page while Jenkins starts.
func startingUp(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache,no-store,must-revalidate")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Starting Jenkins</title></head><body><h1>Please wait while Jenkins is getting ready to work</h1><p>Your browser will reload automatically when Jenkins is ready.</p></body></html>`)
}

// ssoLogin is a 200 HTML login page served by a gateway in front of Jenkins.
func ssoLogin(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Sign in - Example SSO</title></head><body><form action="/oauth2/start">Sign in with your company account</form></body></html>`)
}

func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

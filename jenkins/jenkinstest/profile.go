package jenkinstest

import "fmt"

// Profile is a Jenkins version whose answers the fake imitates where the
// versions recorded in ../shared/recordings differ (its README lists them):
// error pages, headers of 403 and 401 answers, relative redirects, console
// notes in progressiveText, and the answer to buildWithParameters on a job
// without parameters.
type Profile int

// The recorded versions.
const (
	Profile2372 Profile = iota // Jenkins 2.372 (Jetty 10)
	Profile2568                // Jenkins 2.568.2 LTS (Jetty 12)
)

// Profiles are all profiles, oldest first.
var Profiles = []Profile{Profile2372, Profile2568}

func (p Profile) String() string {
	if p == Profile2568 {
		return "2.568.2"
	}
	return "2.372"
}

// ParseProfile reads "2.372" or "2.568" (or "2.568.2").
func ParseProfile(v string) (Profile, error) {
	switch v {
	case "2.372":
		return Profile2372, nil
	case "2.568", "2.568.2":
		return Profile2568, nil
	}
	return 0, fmt.Errorf("unknown profile %q: use 2.372 or 2.568", v)
}

// UseProfile makes the fake answer like p, X-Jenkins included.
func (s *Server) UseProfile(p Profile) {
	s.Profile = p
	s.Version = p.String()
	s.NotParameterized500 = p == Profile2372
}

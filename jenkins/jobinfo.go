package jenkins

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// ParamDef is a parameter definition as {job}api/json exports it.
type ParamDef struct {
	Class       string   `json:"_class"`
	Name        string   `json:"name"`
	Type        string   `json:"type"` // StringParameterDefinition, BooleanParameterDefinition, ...
	Description string   `json:"description"`
	Choices     []string `json:"choices"`
	Default     *struct {
		Value any `json:"value"`
	} `json:"defaultParameterValue"`
}

// Kind is the short type name: string, text, boolean, choice, password, file,
// run, or the definition's own type for plugin types.
func (d ParamDef) Kind() string {
	t := strings.TrimSuffix(d.Type, "ParameterDefinition")
	switch t {
	case "String", "Text", "Boolean", "Choice", "Password", "File", "Run":
		return strings.ToLower(t)
	}
	return d.Type
}

// DefaultText is the default value as text; "" when there is none. A
// password's default is never returned.
func (d ParamDef) DefaultText() (string, bool) {
	if d.Default == nil || d.Default.Value == nil || d.Kind() == "password" {
		return "", false
	}
	switch v := d.Default.Value.(type) {
	case string:
		return v, true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// JobInfo is what the pre-flight learns about a job.
type JobInfo struct {
	Class     string `json:"_class"`
	Name      string `json:"name"`
	FullName  string `json:"fullName"`
	URL       string `json:"url"`
	Buildable *bool  `json:"buildable"`
	Jobs      []struct {
		Name string `json:"name"`
	} `json:"jobs"` // present (even empty) only on folders
	Property []struct {
		ParameterDefinitions []ParamDef `json:"parameterDefinitions"`
	} `json:"property"`
	Actions []struct {
		ParameterDefinitions []ParamDef `json:"parameterDefinitions"`
	} `json:"actions"` // where very old Jenkins exported the definitions
	// NextBuildNumber and QueueItem say what existed when the job was read:
	// evidence for telling our build from a neighbour's after a lost answer.
	NextBuildNumber int `json:"nextBuildNumber"`
	QueueItem       *struct {
		ID int64 `json:"id"`
	} `json:"queueItem"`
}

// Params returns the job's parameter definitions.
func (i *JobInfo) Params() []ParamDef {
	var out []ParamDef
	for _, p := range i.Property {
		out = append(out, p.ParameterDefinitions...)
	}
	if len(out) == 0 {
		for _, a := range i.Actions {
			out = append(out, a.ParameterDefinitions...)
		}
	}
	return out
}

// Pipeline reports a Pipeline job (WorkflowJob), whose parameters may be
// declared in its Jenkinsfile and known only after its first build.
func (i *JobInfo) Pipeline() bool { return strings.HasSuffix(i.Class, "WorkflowJob") }

// NeverBuilt reports a job that has not been built yet (as far as the
// pre-flight's tree shows).
func (i *JobInfo) NeverBuilt() bool { return i.NextBuildNumber == 1 }

// Folder reports an item that holds jobs instead of building.
func (i *JobInfo) Folder() bool { return i.Jobs != nil }

// Multibranch reports a multibranch project or organization folder.
func (i *JobInfo) Multibranch() bool {
	return strings.Contains(i.Class, "MultiBranchProject") || strings.Contains(i.Class, "OrganizationFolder")
}

// ChildNames lists the items of a folder.
func (i *JobInfo) ChildNames() []string {
	var out []string
	for _, j := range i.Jobs {
		out = append(out, j.Name)
	}
	return out
}

const jobTree = "name,fullName,url,buildable,jobs[name],nextBuildNumber,queueItem[id]," +
	"property[parameterDefinitions[name,type,description,choices,defaultParameterValue[value]]]," +
	"actions[parameterDefinitions[name,type,description,choices,defaultParameterValue[value]]]"

// JobInfoURL is the pre-flight request, for --dry-run.
func (c *Client) JobInfoURL(j Job) string {
	u := resolve(j.URL(), "api/json")
	u.RawQuery = "tree=" + jobTree
	return u.String()
}

// JobInfo reads the job's kind, buildability and parameter definitions. A 404
// says what may be wrong, with a "did you mean" from the parent folder.
// Jenkins: GET {job}api/json?tree=... (needs Job/Read).
func (c *Client) JobInfo(ctx context.Context, j Job) (*JobInfo, error) {
	u := resolve(j.URL(), "api/json")
	u.RawQuery = "tree=" + jobTree
	var info JobInfo
	status, err := c.getJSON(ctx, u, "reading job "+quoteJob(TriggerRequest{Job: j}), &info)
	if err != nil {
		return nil, err
	}
	if status == http.StatusNotFound {
		return nil, c.notFound(ctx, j)
	}
	return &info, nil
}

// notFound explains a missing job, suggesting a sibling with a similar name.
func (c *Client) notFound(ctx context.Context, j Job) error {
	job := quoteJob(TriggerRequest{Job: j})
	msg := "job " + job + " not found at " + j.URL().Redacted() + " (HTTP 404), or user \"" + displayUser(c.creds.User) + "\" lacks Job/Read on it"
	parent := Job{Base: j.Base, Names: j.Names[:len(j.Names)-1]}
	u := resolve(parent.URL(), "api/json")
	u.RawQuery = "tree=jobs[name]"
	var list JobInfo
	if status, err := c.getJSON(ctx, u, "listing the jobs", &list); err == nil && status == http.StatusOK {
		name := j.Names[len(j.Names)-1]
		if s := Suggest(name, list.ChildNames()); s != "" && s != name {
			full := strings.Join(append(slices.Clone(parent.Names), s), "/")
			return failf(ErrNotFound, 404, "%s: did you mean %q? (item names are case-sensitive)", msg, full)
		}
		if len(parent.Names) > 0 {
			return failf(ErrNotFound, 404, "%s: folder %q holds %s", msg, parent.FullName(), ListNames(list.ChildNames()))
		}
	}
	return failf(ErrNotFound, 404, "%s: names are case-sensitive item names (not display names), a job in a folder is folder/name, and multibranch branch feature/foo is repo/feature%%2Ffoo", msg)
}

// ListNames joins names for a message, cut after a dozen; "none" when empty.
func ListNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	if len(names) > 12 {
		return strings.Join(names[:12], ", ") + ", ..."
	}
	return strings.Join(names, ", ")
}

// Suggest returns the candidate closest to name: the same name in another case,
// or one within a small edit distance; "" when none is close.
func Suggest(name string, candidates []string) string {
	best, bestDist := "", 0
	for _, c := range candidates {
		if strings.EqualFold(c, name) {
			return c
		}
		// Close means a few edits, fewer than the shorter name has letters:
		// "deploy" is no suggestion for 日本語ジョブ, six edits away.
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		n := min(utf8.RuneCountInString(name), utf8.RuneCountInString(c))
		if d <= max(2, n/3) && d < n && (best == "" || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance, on runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

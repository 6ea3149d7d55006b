package task

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
)

// FuzzCheck: whatever a server answers to the pre-flight, checking a request
// against it never panics, and a request it passes has only defined names.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(`{"_class":"hudson.model.FreeStyleProject","buildable":true,"property":[{"parameterDefinitions":[{"name":"ENV","type":"ChoiceParameterDefinition","choices":["a","b"]},{"name":"F","type":"BooleanParameterDefinition","defaultParameterValue":{"value":true}}]}]}`), "ENV", "a")
	f.Add([]byte(`{"_class":"com.cloudbees.hudson.plugins.folder.Folder","jobs":[{"name":"x"}]}`), "A", "1")
	f.Add([]byte(`{"buildable":false}`), "", "")
	f.Add([]byte(`{"actions":[{"parameterDefinitions":[{"name":"R","type":"RunParameterDefinition"}]}]}`), "R", "job#1")
	base, _ := url.Parse("https://ci.example.com/")
	f.Fuzz(func(t *testing.T, body []byte, name, value string) {
		var info jenkins.JobInfo
		if json.Unmarshal(body, &info) != nil {
			return
		}
		req := jenkins.TriggerRequest{Job: jenkins.Job{Base: base, Names: []string{"job"}}}
		if name != "" {
			req.Params = []jenkins.Param{{Name: name, Value: value}}
		}
		out, err := Check(&info, req, func(string) {})
		if err != nil {
			return
		}
		defined := map[string]string{}
		for _, d := range info.Params() {
			defined[d.Name] = d.Kind()
		}
		for _, p := range out.Params {
			kind, ok := defined[p.Name]
			if !ok {
				t.Fatalf("undefined parameter %q passed the check", p.Name)
			}
			if kind == "boolean" && p.Value != "true" && p.Value != "false" {
				t.Fatalf("boolean %s sent as %q", p.Name, p.Value)
			}
		}
	})
}

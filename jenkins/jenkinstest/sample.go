package jenkinstest

// Sample returns a fake with the jobs the tests, the README and the simulator
// use. The user "builder" has the API token SampleAPIToken and the password
// SamplePassword.
func Sample() *Server {
	s := New()
	s.Jobs = map[string]*Job{
		"hello": {},
		"params": {Params: []ParamDef{
			{Name: "GREETING", Type: "string", Default: "hi"},
			{Name: "FLAG", Type: "boolean", Default: "false"},
			{Name: "ENV", Type: "choice", Choices: []string{"dev", "qa", "prod"}},
		}},
		"disabled":    {Disabled: true},
		"tokenjob":    {Token: SampleJobToken},
		"vetoed":      {Veto: true},
		"hello world": {},
		"fileparam":   {Params: []ParamDef{{Name: "upload.txt", Type: "file"}}},
		"team": {Folder: true, Jobs: map[string]*Job{
			"app": {Token: SampleJobToken, Params: []ParamDef{{Name: "ENV", Type: "string", Default: "dev"}}},
		}},
		"repo": {Multibranch: true, Jobs: map[string]*Job{"main": {}, "feature%2Ffoo": {}}},
	}
	return s
}

// Credentials of the sample fake.
const (
	SampleUser     = "builder"
	SampleAPIToken = "110123456789abcdef0123456789abcdef"
	SamplePassword = "builder-password"
	SampleJobToken = "s3cret"
)

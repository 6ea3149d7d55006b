package jenkinstest

import "time"

// Sample returns a fake with the jobs the tests, the README and the simulator
// use. The user "builder" has the API token SampleAPIToken and the password
// SamplePassword.
func Sample() *Server {
	s := New()
	s.Jobs = map[string]*Job{
		"hello": {},
		"greeting": {Params: []ParamDef{
			{Name: "GREETING", Type: "string", Default: "hi", Description: "What to say"},
			{Name: "FLAG", Type: "boolean", Default: "false", Description: "Say it loudly"},
			{Name: "ENV", Type: "choice", Choices: []string{"dev", "qa", "prod"}, Description: "Where to deploy"},
		}},
		"alltypes": {Params: []ParamDef{
			{Name: "VERSION", Type: "string", Default: "1.0", Description: "Version to build"},
			{Name: "NOTES", Type: "text", Default: "line one\nline two", Description: "Release notes"},
			{Name: "DRY_RUN", Type: "boolean", Default: "true", Description: "Only pretend"},
			{Name: "TARGET", Type: "choice", Choices: []string{"staging", "production"}, Description: "Where to deploy"},
			{Name: "DB_PASSWORD", Type: "password", Default: "s3cret-default", Description: "Database password"},
			{Name: "ARTIFACT", Type: "file", Description: "The package to deploy"},
			{Name: "UPSTREAM", Type: "run", Description: "The build to promote"},
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
		// Jobs whose builds run, for following them to their result.
		"deploy": {Params: []ParamDef{
			{Name: "VERSION", Type: "string", Default: "1.0", Description: "Version to deploy"},
			{Name: "NOTES", Type: "text", Description: "Release notes"},
			{Name: "TARGET", Type: "choice", Choices: []string{"staging", "production"}, Description: "Where to deploy"},
		}, Script: &Script{Duration: time.Second, Estimated: time.Second, Log: []string{"deploying", "done"}}},
		"ok": {Script: &Script{Duration: 3 * time.Second, Estimated: 3 * time.Second, Notes: true,
			Log: []string{"Building in workspace /var/jenkins/workspace/ok", "[Pipeline] sh", "+ make", "compiling", "linking", "tests: 42 passed"}}},
		"fails":     {Script: &Script{Duration: 2 * time.Second, Result: "FAILURE", Log: []string{"compiling", "main.c:3:4: error: expected ';'", "make: *** [all] Error 1"}}},
		"unstable":  {Script: &Script{Duration: 2 * time.Second, Result: "UNSTABLE", Log: []string{"tests: 40 passed, 2 failed"}}},
		"aborted":   {Script: &Script{Duration: 2 * time.Second, Result: "ABORTED", Log: []string{"Aborted by someone"}}},
		"notbuilt":  {Script: &Script{Duration: time.Second, Result: "NOT_BUILT"}},
		"cancelled": {Script: &Script{QueueFor: 2 * time.Second, Cancelled: true}},
		"waits": {Script: &Script{QueueFor: 6 * time.Second, Duration: 2 * time.Second,
			Why: []string{"Waiting for next available executor", "There are no nodes with the label 'windows'", "Waiting for next available executor on 'win-agent-1'"}}},
		// Pipelines with stages: two stages; a stage that fails; an input step.
		"pipeline": {Script: &Script{Estimated: 2 * time.Second, Stages: []Stage{
			{Name: "Build", Duration: time.Second, Log: []string{"compiling"}},
			{Name: "Test", Duration: time.Second, Log: []string{"tests: 42 passed"}}}}},
		"pipe-fails": {Script: &Script{Stages: []Stage{
			{Name: "Build", Duration: 500 * time.Millisecond, Log: []string{"compiling"}},
			{Name: "Deploy", Duration: 500 * time.Millisecond, Log: []string{"deploying"}, Fail: "boom"}}}},
		"approve": {Script: &Script{Stages: []Stage{
			{Name: "Build", Duration: 500 * time.Millisecond, Log: []string{"compiling"}},
			{Name: "Deploy", Duration: 500 * time.Millisecond, Log: []string{"deploying"}, Input: &InputStep{ID: "Deploy", Message: "Deploy?"}}}}},
		// Builds that publish JUnit reports: the recorded "tested" (UNSTABLE,
		// 7 tests, 1 failed, 1 skipped) and one whose tests all pass.
		"tested": {Script: &Script{Duration: time.Second, Result: "UNSTABLE", Log: []string{"Recording test results"}, Tests: sampleTests,
			Artifacts: map[string][]byte{"out/app.zip": []byte("PK\x03\x04 not really a zip\n"), "out/notes.txt": []byte("release notes of tested\n"),
				"out/sub dir/\u00fc-file.txt": []byte("a file with a space and a non-ASCII name\n")}}},
		"tested-ok": {Script: &Script{Duration: time.Second, Log: []string{"Recording test results"},
			Artifacts: map[string][]byte{"out/result.txt": []byte("result of tested-ok\n")}, Tests: []TestSuite{
				{Name: "a.b.IoTest", Cases: []TestCase{{Class: "a.b.IoTest", Name: "reads", Status: "PASSED", Duration: 20 * time.Millisecond},
					{Class: "a.b.IoTest", Name: "writes", Status: "PASSED", Duration: 11 * time.Millisecond},
					{Class: "a.b.IoTest", Name: "closes", Status: "PASSED", Duration: 3 * time.Millisecond}}}}}},
		"slow": {Script: &Script{Duration: 10 * time.Minute, Estimated: 10 * time.Minute, Pipeline: true, StopsNeeded: 2,
			Log: []string{"[Pipeline] stage", "[Pipeline] { (Long test)", "running the long test suite"}}},
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

// sampleTests is the report of the recorded job "tested" (results.jsonl).
var sampleTests = []TestSuite{
	{Name: "a.b.CalcTest", Cases: []TestCase{
		{Class: "a.b.CalcTest", Name: "adds", Status: "PASSED", Duration: 4 * time.Millisecond},
		{Class: "a.b.CalcTest", Name: "subtracts", Status: "PASSED", Duration: 3 * time.Millisecond},
		{Class: "a.b.CalcTest", Name: "multiplies", Status: "PASSED", Duration: 2 * time.Millisecond},
		{Class: "a.b.CalcTest", Name: "divides", Status: "FAILED", Duration: 71 * time.Millisecond, Message: "expected 4 but was 5",
			Stack: "java.lang.AssertionError: expected 4 but was 5\n\tat org.junit.Assert.fail(Assert.java:89)\n\tat org.junit.Assert.assertEquals(Assert.java:146)\n\tat a.b.CalcTest.divides(CalcTest.java:42)\n"},
		{Class: "a.b.CalcTest", Name: "powers", Status: "SKIPPED", Message: "not implemented yet"}}},
	{Name: "a.b.IoTest", Cases: []TestCase{
		{Class: "a.b.IoTest", Name: "reads", Status: "PASSED", Duration: 20 * time.Millisecond},
		{Class: "a.b.IoTest", Name: "writes", Status: "PASSED", Duration: 11 * time.Millisecond}}},
}

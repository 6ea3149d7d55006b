package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// nugetTargets gives an MSBuild project a JenkinsTrigger target. Properties
// in: JenkinsJob (required), JenkinsWait, JenkinsFollow, JenkinsTimeout,
// JenkinsAllowUnstable, JenkinsContinueOnError, JenkinsTriggerExe,
// JenkinsArtifactsDir, JenkinsJUnitFile; items in: JenkinsParameter
// (Include=NAME, Value=...), JenkinsArtifacts (Include=a name, Pattern=the
// glob: a pattern in Include would be expanded against the local disk by
// MSBuild). Properties out:
// JenkinsTriggerExitCode, JenkinsBuildUrl, JenkinsBuildNumber,
// JenkinsBuildResult. Secrets (JENKINS_URL, JENKINS_USER, JENKINS_API_TOKEN)
// come from the environment or a .env file, never from the project.
// Parameters go through a params file, so no value is ever split or quoted
// by a shell; the tool's own lines never take MSBuild's error format, and
// IgnoreStandardErrorWarningFormat keeps the remote console from failing the
// build by its text.
const nugetTargets = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="http://schemas.microsoft.com/developer/msbuild/2003" ToolsVersion="4.0">
  <Target Name="JenkinsTrigger">
    <Error Condition="'$(JenkinsJob)' == ''" Text="JenkinsTrigger: set the JenkinsJob property to the job to trigger" />
    <PropertyGroup>
      <_JtDir>$(IntermediateOutputPath)</_JtDir>
      <_JtDir Condition="'$(_JtDir)' == ''">$(MSBuildProjectDirectory)\obj\</_JtDir>
      <_JtParams>$(_JtDir)jenkins-trigger.params</_JtParams>
      <_JtResult>$(_JtDir)jenkins-trigger.result</_JtResult>
      <_JtArgs>--job &quot;$(JenkinsJob)&quot; --output-file &quot;$(_JtResult)&quot;</_JtArgs>
      <_JtArgs Condition="'$(JenkinsWait)' == 'true'">$(_JtArgs) --wait</_JtArgs>
      <_JtArgs Condition="'$(JenkinsFollow)' == 'true'">$(_JtArgs) --follow</_JtArgs>
      <_JtArgs Condition="'$(JenkinsTimeout)' != ''">$(_JtArgs) --timeout $(JenkinsTimeout)</_JtArgs>
      <_JtArgs Condition="'$(JenkinsAllowUnstable)' == 'true'">$(_JtArgs) --unstable-ok</_JtArgs>
      <_JtArgs Condition="'@(JenkinsParameter)' != ''">$(_JtArgs) --params-file &quot;$(_JtParams)&quot;</_JtArgs>
      <_JtArgs Condition="'@(JenkinsArtifacts)' != ''">$(_JtArgs) @(JenkinsArtifacts->'--artifacts &quot;%(Pattern)&quot;', ' ')</_JtArgs>
      <_JtArgs Condition="'$(JenkinsArtifactsDir)' != ''">$(_JtArgs) --artifacts-dir &quot;$(JenkinsArtifactsDir)&quot;</_JtArgs>
      <_JtArgs Condition="'$(JenkinsJUnitFile)' != ''">$(_JtArgs) --junit &quot;$(JenkinsJUnitFile)&quot;</_JtArgs>
    </PropertyGroup>
    <MakeDir Directories="$(_JtDir)" />
    <WriteLinesToFile File="$(_JtParams)" Lines="@(JenkinsParameter->'%(Identity)=%(Value)')" Overwrite="true" Condition="'@(JenkinsParameter)' != ''" />
    <Exec Command="&quot;$(JenkinsTriggerExe)&quot; $(_JtArgs)" IgnoreExitCode="true" IgnoreStandardErrorWarningFormat="true">
      <Output TaskParameter="ExitCode" PropertyName="JenkinsTriggerExitCode" />
    </Exec>
    <ReadLinesFromFile File="$(_JtResult)" Condition="Exists('$(_JtResult)')">
      <Output TaskParameter="Lines" ItemName="_JtResultLine" />
    </ReadLinesFromFile>
    <CreateProperty Value=";@(_JtResultLine);">
      <Output TaskParameter="Value" PropertyName="_JtResultText" />
    </CreateProperty>
    <PropertyGroup>
      <JenkinsBuildUrl>$([System.Text.RegularExpressions.Regex]::Replace($(_JtResultText), '^(?:.*;JENKINS_BUILD_URL=([^;]*);.*|.*)$', '$1'))</JenkinsBuildUrl>
      <JenkinsBuildNumber>$([System.Text.RegularExpressions.Regex]::Replace($(_JtResultText), '^(?:.*;JENKINS_BUILD_NUMBER=([^;]*);.*|.*)$', '$1'))</JenkinsBuildNumber>
      <JenkinsBuildResult>$([System.Text.RegularExpressions.Regex]::Replace($(_JtResultText), '^(?:.*;JENKINS_BUILD_RESULT=([^;]*);.*|.*)$', '$1'))</JenkinsBuildResult>
    </PropertyGroup>
    <Message Importance="high" Text="jenkins-trigger: exit $(JenkinsTriggerExitCode), build $(JenkinsBuildUrl) $(JenkinsBuildResult)" />
    <Error Condition="'$(JenkinsTriggerExitCode)' != '0' And '$(JenkinsContinueOnError)' != 'true'"
           Text="JenkinsTrigger: jenkins-trigger exited $(JenkinsTriggerExitCode) for job $(JenkinsJob) (see its line above and the exit-code table in its README)" />
  </Target>
</Project>
`

// nugetProps picks the binary for the machine the build runs on: Windows by
// PROCESSOR_ARCHITECTURE; on Linux x64 unless JenkinsTriggerRid says
// linux-arm64 (xbuild has no property function that tells the architecture).
const nugetProps = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="http://schemas.microsoft.com/developer/msbuild/2003" ToolsVersion="4.0">
  <PropertyGroup>
    <_JtTools>$(MSBuildThisFileDirectory)..\tools\</_JtTools>
    <_JtRid Condition="'$(JenkinsTriggerRid)' == '' And '$(OS)' == 'Windows_NT' And '$(PROCESSOR_ARCHITECTURE)' == 'ARM64'">win-arm64</_JtRid>
    <_JtRid Condition="'$(JenkinsTriggerRid)' == '' And '$(OS)' == 'Windows_NT' And '$(_JtRid)' == ''">win-x64</_JtRid>
    <_JtRid Condition="'$(JenkinsTriggerRid)' != ''">$(JenkinsTriggerRid)</_JtRid>
    <_JtRid Condition="'$(_JtRid)' == ''">linux-x64</_JtRid>
    <JenkinsTriggerExe Condition="'$(JenkinsTriggerExe)' == '' And '$(OS)' == 'Windows_NT'">$(_JtTools)$(_JtRid)\jenkins-trigger.exe</JenkinsTriggerExe>
    <JenkinsTriggerExe Condition="'$(JenkinsTriggerExe)' == ''">$(_JtTools)$(_JtRid)/jenkins-trigger</JenkinsTriggerExe>
  </PropertyGroup>
</Project>
`

// nugetRID is the tools/ folder of each platform in the package.
var nugetRID = map[target]string{
	{"windows", "amd64"}: "win-x64", {"windows", "arm64"}: "win-arm64", {"linux", "amd64"}: "linux-x64", {"linux", "arm64"}: "linux-arm64",
}

// nuget writes JenkinsTrigger.<version>.nupkg in the OPC layout NuGet reads:
// the nuspec, [Content_Types].xml, _rels/.rels, the binaries under tools/ and
// the MSBuild files under build/. It is reproducible like the archives.
func (c config) nuget(res *Result) error {
	type file struct {
		name string
		data []byte
	}
	id := "JenkinsTrigger"
	nuspec := fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>%s</id>
    <version>%s</version>
    <authors>The jenkins-trigger authors</authors>
    <license type="expression">MIT</license>
    <projectUrl>https://github.com/jenkins-trigger/jenkins-trigger</projectUrl>
    <description>jenkins-trigger for MSBuild: a JenkinsTrigger target that triggers a Jenkins job, optionally follows the build, and returns its exit code and build URL as properties. Secrets come from the environment.</description>
    <tags>jenkins msbuild ci</tags>
    <developmentDependency>true</developmentDependency>
  </metadata>
</package>
`, id, c.Version)
	files := []file{
		{id + ".nuspec", []byte(nuspec)},
		{"build/" + id + ".props", []byte(nugetProps)},
		{"build/" + id + ".targets", []byte(nugetTargets)},
	}
	for _, t := range c.Targets {
		rid, ok := nugetRID[t]
		if !ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join(c.Out, "bin", t.String(), t.exe()))
		if err != nil {
			return err
		}
		files = append(files, file{"tools/" + rid + "/" + t.exe(), b})
	}
	if len(files) == 3 {
		return nil // no Windows or Linux binary in this release
	}
	lic, err := os.ReadFile(filepath.Join(c.Root, "LICENSE"))
	if err != nil {
		return err
	}
	files = append(files, file{"LICENSE.txt", lic})
	deps, err := filepath.Glob(filepath.Join(c.Root, "licenses", "*.txt"))
	if err != nil {
		return err
	}
	for _, d := range deps {
		b, err := os.ReadFile(d)
		if err != nil {
			return err
		}
		files = append(files, file{"licenses/" + filepath.Base(d), b})
	}
	files = append(files,
		file{"[Content_Types].xml", []byte(`<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" /><Default Extension="nuspec" ContentType="application/octet" /><Default Extension="props" ContentType="application/octet" /><Default Extension="targets" ContentType="application/octet" /><Default Extension="exe" ContentType="application/octet" /><Default Extension="txt" ContentType="application/octet" /><Override PartName="/tools/linux-x64/jenkins-trigger" ContentType="application/octet" /><Override PartName="/tools/linux-arm64/jenkins-trigger" ContentType="application/octet" /></Types>
`)},
		file{"_rels/.rels", []byte(`<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/` + id + `.nuspec" Id="R1" /></Relationships>
`)})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: c.Epoch}
		mode := os.FileMode(0o644)
		if len(f.name) > 6 && f.name[:6] == "tools/" {
			mode = 0o755
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := w.Write(f.data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	a, err := c.write(id+"."+c.Version+".nupkg", buf.Bytes(), target{}, "nupkg")
	if err != nil {
		return err
	}
	res.Artifacts = append(res.Artifacts, a)
	return nil
}

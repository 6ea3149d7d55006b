package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// manifests writes the package-manager manifests for the Windows archives:
// Scoop (JSON, with checkver and autoupdate), winget (version, installer and
// default-locale YAML of manifest schema 1.12.0, which winget-pkgs
// submissions use now; a portable installer in a zip) and a Chocolatey
// package source (nuspec and an install script that checks the archive's
// SHA-256).
func (c config) manifests(res *Result) error {
	win := map[string]Artifact{}
	for _, arch := range []string{"amd64", "arm64"} {
		if a, ok := res.Find(target{"windows", arch}, "zip"); ok {
			win[arch] = a
		}
	}
	if len(win) == 0 {
		return nil // no Windows archive in this release
	}
	dir := filepath.Join(c.Out, "manifests")
	if err := c.scoop(dir, win); err != nil {
		return err
	}
	if err := c.winget(dir, win); err != nil {
		return err
	}
	return c.chocolatey(dir, win)
}

func writeFile(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

var scoopArch = map[string]string{"amd64": "64bit", "arm64": "arm64"}

func (c config) scoop(dir string, win map[string]Artifact) error {
	type arch struct {
		URL        string `json:"url"`
		Hash       string `json:"hash"`
		ExtractDir string `json:"extract_dir"`
	}
	archs := map[string]arch{}
	auto := map[string]arch{}
	for a, art := range win {
		extract := strings.TrimSuffix(art.Name, ".zip")
		archs[scoopArch[a]] = arch{URL: c.url(art.Name), Hash: art.SHA256, ExtractDir: extract}
		auto[scoopArch[a]] = arch{URL: strings.ReplaceAll(c.url(art.Name), c.Version, "$version"), ExtractDir: strings.ReplaceAll(extract, c.Version, "$version")}
	}
	m := map[string]any{
		"version":      c.Version,
		"description":  "Trigger a Jenkins job from a build system and exit with a documented code",
		"homepage":     "https://github.com/jenkins-trigger/jenkins-trigger",
		"license":      "MIT",
		"architecture": archs,
		"bin":          "jenkins-trigger.exe",
		"checkver":     map[string]string{"github": "https://github.com/jenkins-trigger/jenkins-trigger"},
		"autoupdate": map[string]any{"architecture": auto,
			"hash": map[string]string{"url": strings.ReplaceAll(c.url("SHA256SUMS"), c.Version, "$version")}},
	}
	b, err := json.MarshalIndent(m, "", "    ")
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "scoop", "jenkins-trigger.json"), string(b)+"\n")
}

var wingetArch = map[string]string{"amd64": "x64", "arm64": "arm64"}

// winget writes the three manifests of package JenkinsTrigger.JenkinsTrigger.
func (c config) winget(dir string, win map[string]Artifact) error {
	const id = "JenkinsTrigger.JenkinsTrigger"
	const schema = "1.12.0"
	base := filepath.Join(dir, "winget", "manifests", "j", "JenkinsTrigger", "JenkinsTrigger", c.Version)
	header := func(kind string) string {
		return fmt.Sprintf("# yaml-language-server: $schema=https://aka.ms/winget-manifest.%s.%s.schema.json\n", kind, schema)
	}
	version := header("version") + fmt.Sprintf("PackageIdentifier: %s\nPackageVersion: %s\nDefaultLocale: en-US\nManifestType: version\nManifestVersion: %s\n", id, c.Version, schema)
	var inst strings.Builder
	inst.WriteString(header("installer"))
	fmt.Fprintf(&inst, "PackageIdentifier: %s\nPackageVersion: %s\nInstallerType: zip\nNestedInstallerType: portable\n", id, c.Version)
	fmt.Fprintf(&inst, "Commands:\n- jenkins-trigger\nReleaseDate: %s\nInstallers:\n", c.Epoch.Format("2006-01-02"))
	for _, a := range []string{"amd64", "arm64"} {
		art, ok := win[a]
		if !ok {
			continue
		}
		folder := strings.TrimSuffix(art.Name, ".zip")
		fmt.Fprintf(&inst, "- Architecture: %s\n  NestedInstallerFiles:\n  - RelativeFilePath: %s\\jenkins-trigger.exe\n    PortableCommandAlias: jenkins-trigger\n  InstallerUrl: %s\n  InstallerSha256: %s\n",
			wingetArch[a], folder, c.url(art.Name), strings.ToUpper(art.SHA256))
	}
	fmt.Fprintf(&inst, "ManifestType: installer\nManifestVersion: %s\n", schema)
	locale := header("defaultLocale") + fmt.Sprintf(`PackageIdentifier: %s
PackageVersion: %s
PackageLocale: en-US
Publisher: The jenkins-trigger authors
PublisherUrl: https://github.com/jenkins-trigger
PackageName: jenkins-trigger
PackageUrl: https://github.com/jenkins-trigger/jenkins-trigger
License: MIT
LicenseUrl: https://github.com/jenkins-trigger/jenkins-trigger/blob/v%s/LICENSE
ShortDescription: Trigger a Jenkins job from a build system and exit with a documented code.
Tags:
- jenkins
- ci
- build
ManifestType: defaultLocale
ManifestVersion: %s
`, id, c.Version, c.Version, schema)
	for name, text := range map[string]string{
		id + ".yaml": version, id + ".installer.yaml": inst.String(), id + ".locale.en-US.yaml": locale,
	} {
		if err := writeFile(filepath.Join(base, name), text); err != nil {
			return err
		}
	}
	return nil
}

// chocolatey writes a package source: the nuspec and tools/chocolateyinstall.ps1,
// which downloads the archive for the machine and checks its SHA-256.
func (c config) chocolatey(dir string, win map[string]Artifact) error {
	base := filepath.Join(dir, "chocolatey")
	nuspec := fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2015/06/nuspec.xsd">
  <metadata>
    <id>jenkins-trigger</id>
    <version>%s</version>
    <title>jenkins-trigger</title>
    <authors>The jenkins-trigger authors</authors>
    <projectUrl>https://github.com/jenkins-trigger/jenkins-trigger</projectUrl>
    <licenseUrl>https://github.com/jenkins-trigger/jenkins-trigger/blob/v%s/LICENSE</licenseUrl>
    <requireLicenseAcceptance>false</requireLicenseAcceptance>
    <tags>jenkins ci build cli</tags>
    <summary>Trigger a Jenkins job from a build system and exit with a documented code.</summary>
    <description>jenkins-trigger reads the Jenkins URL, job, user and API token from the environment or .env files, triggers the job, optionally follows the build to its result, and exits with documented codes that build systems branch on.</description>
  </metadata>
  <files>
    <file src="tools\**" target="tools" />
  </files>
</package>
`, c.Version, c.Version)
	var ps strings.Builder
	ps.WriteString("$ErrorActionPreference = 'Stop'\n$toolsDir = Split-Path -Parent $MyInvocation.MyCommand.Definition\n")
	ps.WriteString("$packageArgs = @{\n  packageName    = $env:ChocolateyPackageName\n  unzipLocation  = $toolsDir\n")
	if a, ok := win["amd64"]; ok {
		fmt.Fprintf(&ps, "  url64bit       = '%s'\n  checksum64     = '%s'\n  checksumType64 = 'sha256'\n", c.url(a.Name), a.SHA256)
	}
	ps.WriteString("}\n")
	if a, ok := win["arm64"]; ok {
		fmt.Fprintf(&ps, "if ($env:PROCESSOR_ARCHITECTURE -eq 'ARM64') {\n  $packageArgs.url64bit = '%s'\n  $packageArgs.checksum64 = '%s'\n}\n", c.url(a.Name), a.SHA256)
	}
	ps.WriteString("Install-ChocolateyZipPackage @packageArgs\n")
	if err := writeFile(filepath.Join(base, "jenkins-trigger.nuspec"), nuspec); err != nil {
		return err
	}
	return writeFile(filepath.Join(base, "tools", "chocolateyinstall.ps1"), ps.String())
}

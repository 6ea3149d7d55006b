package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// packages builds the .deb and .rpm of a Linux target with nfpm; both
// install /usr/bin/jenkins-trigger and the licenses.
func (c config) packages(ctx context.Context, t target, bin string) ([]Artifact, error) {
	work := filepath.Join(c.Out, "pkg", t.String())
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	conf := filepath.Join(work, "nfpm.yaml")
	yaml := fmt.Sprintf(`name: jenkins-trigger
arch: %s
platform: linux
version: %s
version_schema: semver
section: devel
priority: optional
maintainer: The jenkins-trigger authors <jenkins-trigger@users.noreply.github.com>
description: |
  Trigger a Jenkins job from a build system and exit with a documented code.
  Reads the URL, job and API token from the environment or .env files, follows
  the build to its result, and never puts a secret on a command line.
vendor: jenkins-trigger
homepage: https://github.com/jenkins-trigger/jenkins-trigger
license: MIT
mtime: %s
contents:
  - src: %s
    dst: /usr/bin/jenkins-trigger
    file_info: {mode: 0755}
  - src: %s
    dst: /usr/share/doc/jenkins-trigger/copyright
    file_info: {mode: 0644}
  - src: %s
    dst: /usr/share/doc/jenkins-trigger/README.md
    file_info: {mode: 0644}
  - src: %s
    dst: /usr/share/doc/jenkins-trigger/licenses
    type: tree
`, t.Arch, c.Version, c.Epoch.Format("2006-01-02T15:04:05Z"), abs(bin), abs(filepath.Join(c.Root, "LICENSE")),
		abs(filepath.Join(c.Root, "README.md")), abs(filepath.Join(c.Root, "licenses")))
	if err := os.WriteFile(conf, []byte(yaml), 0o644); err != nil {
		return nil, err
	}
	var out []Artifact
	for _, p := range []struct{ packager, ext string }{{"deb", ".deb"}, {"rpm", ".rpm"}} {
		name := "jenkins-trigger_" + c.Version + "_linux_" + t.Arch + p.ext
		target := filepath.Join(work, name)
		args := append(tool("nfpm", nfpmModule), "package", "--config", conf, "--packager", p.packager, "--target", target)
		env := []string{"SOURCE_DATE_EPOCH=" + strconv.FormatInt(c.Epoch.Unix(), 10)}
		if err := c.runCmd(ctx, c.Root, env, args...); err != nil {
			return nil, fmt.Errorf("nfpm: %w", err)
		}
		data, err := os.ReadFile(target)
		if err != nil {
			return nil, err
		}
		a, err := c.write(name, data, t, p.packager)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, os.RemoveAll(filepath.Join(c.Out, "pkg"))
}

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

#!/usr/bin/env bash
# Builds a whole release for a test version and checks it as a user would meet
# it: the same commit gives the same archives twice; the .deb installs with
# dpkg and runs; the Windows binaries carry a version resource and, signed
# with a throwaway self-signed certificate, a signature osslsigncode verifies;
# and the NuGet package's MSBuild targets run through real xbuild against
# jenkins-sim (a success, a FAILURE that fails the build, an UNSTABLE build
# tolerated on request). Run by .ci/run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
sim_pid=""
cleanup() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$root"
export SOURCE_DATE_EPOCH=1767225600
version=0.0.0-ci.1
gobin="$(go env GOPATH)/bin"
export PATH="$gobin:$PATH"

need() { # command package
  command -v "$1" >/dev/null 2>&1 && return
  echo "release: installing $2"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need osslsigncode osslsigncode
need openssl openssl
need xbuild mono-xbuild
need python3 python3
command -v nfpm >/dev/null 2>&1 || GOFLAGS= go install github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.48.0
command -v go-winres >/dev/null 2>&1 || GOFLAGS= go install github.com/tc-hib/go-winres@v0.3.3

echo "release: a throwaway self-signed code-signing certificate"
# The key is encrypted; its password (a canary) reaches the release tool only through the environment.
export JENKINS_TRIGGER_SIGN_PASSWORD="canary-sign-$RANDOM$RANDOM"
openssl req -x509 -newkey rsa:2048 -days 2 -subj "/CN=jenkins-trigger CI test signing" -addext "extendedKeyUsage=codeSigning" \
  -keyout "$work/sign.key" -out "$work/sign.crt" -passout env:JENKINS_TRIGGER_SIGN_PASSWORD 2>/dev/null

echo "release: building $version twice"
go run ./cmd/release -version "$version" -out "$work/a" -sign-cert "$work/sign.crt" -sign-key "$work/sign.key" 2>"$work/a.log" || { cat "$work/a.log"; exit 1; }
go run ./cmd/release -version "$version" -out "$work/b" -packages=false 2>"$work/b.log" || { cat "$work/b.log"; exit 1; }
if grep -rqF "$JENKINS_TRIGGER_SIGN_PASSWORD" "$work/a.log" "$work/a"; then echo "release: the signing password leaked into the log or the release"; exit 1; fi
unset JENKINS_TRIGGER_SIGN_PASSWORD
# Signatures carry no timestamp server here but are not reproducible by design; compare what is.
for f in jenkins-trigger-$version-linux-amd64.tar.gz jenkins-trigger-$version-darwin-arm64.tar.gz; do
  cmp "$work/a/$f" "$work/b/$f" || { echo "release: $f differs between two builds"; exit 1; }
done
echo "release: reproducible"
(cd "$work/a" && sha256sum -c --quiet SHA256SUMS) || { echo "release: SHA256SUMS does not match"; exit 1; }

echo "release: the .deb installs and runs"
dpkg -i "$work/a/jenkins-trigger_${version}_linux_amd64.deb" >/dev/null
/usr/bin/jenkins-trigger --version | grep -qF "jenkins-trigger $version" || { echo "release: the installed binary is not $version"; exit 1; }
test -f /usr/share/doc/jenkins-trigger/copyright
dpkg -r jenkins-trigger >/dev/null

echo "release: the Windows binary's version resource and signature"
exe="$work/a/bin/windows-amd64/jenkins-trigger.exe"
python3 - "$exe" "$version" <<'PY' || { echo "release: the version resource lacks a field"; exit 1; }
import sys
text = open(sys.argv[1], 'rb').read().decode('utf-16-le', 'ignore')
assert all(k in text for k in ('FileDescription', 'ProductVersion', 'FileVersion', 'ProductName', 'CompanyName', 'OriginalFilename', 'LegalCopyright', sys.argv[2] + ' (commit '))
PY
osslsigncode verify -in "$exe" -CAfile "$work/sign.crt" >"$work/verify.log" 2>&1 || { cat "$work/verify.log"; echo "release: the signature does not verify"; exit 1; }
grep -q "Signature verification: ok" "$work/verify.log" || { cat "$work/verify.log"; exit 1; }
if osslsigncode verify -in "$exe" >/dev/null 2>&1; then
  echo "release: a self-signed signature verified without its CA: unexpected"; exit 1
fi
echo "release: signed; verifies against its own certificate, and (as expected) not against the system's"

echo "release: the NuGet package's targets through xbuild"
pkg="$work/packages/JenkinsTrigger"
mkdir -p "$pkg"
(cd "$pkg" && python3 -c "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall('.')" "$work/a/JenkinsTrigger.$version.nupkg")
chmod +x "$pkg"/tools/*/jenkins-trigger
go build -o "$work/jenkins-sim" ./cmd/jenkins-sim
"$work/jenkins-sim" --config examples/sim.json --write-env "$work/sim.env" 2>"$work/sim.log" &
sim_pid=$!
for _ in $(seq 100); do [ -s "$work/sim.env" ] && break; sleep 0.1; done
set -a; . "$work/sim.env"; set +a
cat > "$work/use.proj" <<PROJ
<Project xmlns="http://schemas.microsoft.com/developer/msbuild/2003" ToolsVersion="4.0" DefaultTargets="Deploy">
  <Import Project="$pkg/build/JenkinsTrigger.props" />
  <Import Project="$pkg/build/JenkinsTrigger.targets" />
  <PropertyGroup>
    <JenkinsJob Condition="'\$(JenkinsJob)' == ''">deploy</JenkinsJob>
    <JenkinsWait>true</JenkinsWait>
  </PropertyGroup>
  <ItemGroup>
    <JenkinsParameter Include="VERSION"><Value>1.2.3 &amp; more</Value></JenkinsParameter>
  </ItemGroup>
  <Target Name="Deploy" DependsOnTargets="JenkinsTrigger">
    <Message Importance="high" Text="next step: \$(JenkinsBuildUrl) \$(JenkinsBuildResult) exit \$(JenkinsTriggerExitCode)" />
  </Target>
</Project>
PROJ
failed=0
expect() { # name want pattern -- command
  local name=$1 want=$2 pattern=$3; shift 4
  local got=0
  "$@" >"$work/out" 2>&1 || got=$?
  if { [ "$want" = nonzero ] && [ $got -ne 0 ]; } || [ "$want" = "$got" ]; then
    if grep -qF -- "$pattern" "$work/out"; then echo "release: ok: $name"; return; fi
  fi
  failed=1; echo "release: FAILED: $name (exit $got, want $want, pattern $pattern):"; sed 's/^/    /' "$work/out"
}
expect "nuget targets: SUCCESS, build URL as a property" 0 "next step: ${JENKINS_URL}job/deploy/1/ SUCCESS exit 0" -- xbuild /nologo "$work/use.proj"
expect "nuget targets: FAILURE fails the build" nonzero "jenkins-trigger exited 11" -- xbuild /nologo "$work/use.proj" /p:JenkinsJob=deploy-fails
expect "nuget targets: UNSTABLE tolerated on request" 0 "UNSTABLE exit 0" -- xbuild /nologo "$work/use.proj" /p:JenkinsJob=deploy-unstable /p:JenkinsAllowUnstable=true
cat > "$work/fetch.proj" <<PROJ
<Project xmlns="http://schemas.microsoft.com/developer/msbuild/2003" ToolsVersion="4.0" DefaultTargets="Publish">
  <Import Project="$pkg/build/JenkinsTrigger.props" />
  <Import Project="$pkg/build/JenkinsTrigger.targets" />
  <PropertyGroup>
    <JenkinsJob>tested-ok</JenkinsJob>
    <JenkinsWait>true</JenkinsWait>
    <JenkinsArtifactsDir>$work/fetched</JenkinsArtifactsDir>
    <JenkinsJUnitFile>$work/fetched-tests.xml</JenkinsJUnitFile>
  </PropertyGroup>
  <ItemGroup>
    <JenkinsArtifacts Include="results"><Pattern>out/**/*.txt</Pattern></JenkinsArtifacts>
  </ItemGroup>
  <Target Name="Publish" DependsOnTargets="JenkinsTrigger">
    <Message Importance="high" Text="fetched: \$(JenkinsBuildResult)" />
  </Target>
</Project>
PROJ
expect "nuget targets: an artifact fetched and the JUnit file written" 0 "fetched: SUCCESS" -- xbuild /nologo "$work/fetch.proj"
{ [ -f "$work/fetched/out/result.txt" ] && grep -q '<testsuites' "$work/fetched-tests.xml"; } || { failed=1; echo "release: FAILED: the artifact or the JUnit file is missing"; }
# A successful build's log has no line in MSBuild's error or warning format (the tool defuses its own lines).
if grep -E '(^|: )(error|warning)( [A-Za-z]*[0-9]*)? *:' "$work/out"; then
  failed=1; echo "release: FAILED: a line in MSBuild's error/warning format in a build that succeeded"
fi
echo "release: the GitHub Action's script with the release as its download"
gh="$work/github_output"
: > "$gh"
expect "action: SUCCESS, results in GITHUB_OUTPUT" 0 "started build" -- env JT_RELEASE_DIR="$work/a" JT_VERSION="$version" \
  RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TEMP="$work" GITHUB_OUTPUT="$gh" JT_JOB=deploy JT_WAIT=true \
  JT_PARAMETERS=$'VERSION=2.0 beta & more\nTARGET=staging' bash action/run.sh
for key in "JENKINS_BUILD_URL=${JENKINS_URL}job/deploy/" JENKINS_BUILD_RESULT=SUCCESS JENKINS_EXIT_CODE=0; do
  grep -qF "$key" "$gh" || { failed=1; echo "release: FAILED: GITHUB_OUTPUT lacks $key:"; cat "$gh"; }
done
expect "action: FAILURE exits 11" 11 "finished FAILURE" -- env JT_RELEASE_DIR="$work/a" JT_VERSION="$version" \
  RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TEMP="$work" GITHUB_OUTPUT="$gh" JT_JOB=deploy-fails JT_WAIT=true bash action/run.sh
cp -r "$work/a" "$work/tampered"
echo "tampered" >> "$work/tampered/jenkins-trigger-$version-linux-amd64.tar.gz"
expect "action: a download that does not match SHA256SUMS is not run" 2 "does not match SHA256SUMS" -- env JT_RELEASE_DIR="$work/tampered" \
  JT_VERSION="$version" RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TEMP="$work" GITHUB_OUTPUT="$gh" JT_JOB=deploy bash action/run.sh

[ $failed = 0 ] || exit 1
echo "release: ok"

#!/usr/bin/env bash
# The GitHub Action's step (action.yml): fetch the release for this runner,
# verify it against SHA256SUMS, run jenkins-trigger, and leave its result in
# GITHUB_OUTPUT (the tool writes JENKINS_* keys there itself).
# Inputs come as JT_* variables; JT_RELEASE_DIR (a folder holding a release)
# stands in for the download in tests; JT_RELEASE_BASE overrides the URL.
set -euo pipefail
: "${JT_JOB:?the job input is required}"
version=${JT_VERSION:?}
base=${JT_RELEASE_BASE:-https://github.com/jenkins-trigger/jenkins-trigger/releases/download/v$version}

case "${RUNNER_OS:-$(uname -s)}" in
  Linux) os=linux ;; macOS | Darwin) os=darwin ;; Windows | MINGW* | MSYS*) os=windows ;;
  *) echo "jenkins-trigger action: unsupported runner OS ${RUNNER_OS:-$(uname -s)}" >&2; exit 2 ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
  X64 | x86_64 | amd64) arch=amd64 ;; ARM64 | arm64 | aarch64) arch=arm64 ;;
  *) echo "jenkins-trigger action: unsupported runner architecture ${RUNNER_ARCH:-$(uname -m)}" >&2; exit 2 ;;
esac
ext=tar.gz exe=jenkins-trigger
[ "$os" = windows ] && ext=zip exe=jenkins-trigger.exe
name="jenkins-trigger-$version-$os-$arch"
dir=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/jenkins-trigger.XXXXXX")
fetch() { # file
  if [ -n "${JT_RELEASE_DIR:-}" ]; then cp "$JT_RELEASE_DIR/$1" "$dir/$1"; else curl -fsSL --retry 3 -o "$dir/$1" "$base/$1"; fi
}
fetch SHA256SUMS
fetch "$name.$ext"
want=$(awk -v f="$name.$ext" '$2 == f {print $1}' "$dir/SHA256SUMS")
got=$(sha256sum "$dir/$name.$ext" 2>/dev/null | awk '{print $1}' || shasum -a 256 "$dir/$name.$ext" | awk '{print $1}')
if [ -z "$want" ] || [ "$want" != "$got" ]; then
  echo "jenkins-trigger action: $name.$ext does not match SHA256SUMS (want ${want:-none}, got $got); not running it" >&2
  exit 2
fi
if [ "$ext" = zip ]; then (cd "$dir" && unzip -q "$name.zip"); else tar -xzf "$dir/$name.tar.gz" -C "$dir"; fi
jt="$dir/$name/$exe"

args=(--job "$JT_JOB")
[ -n "${JT_URL:-}" ] && args+=(--url "$JT_URL")
[ "${JT_WAIT:-false}" = true ] && args+=(--wait)
[ "${JT_FOLLOW:-false}" = true ] && args+=(--follow)
[ -n "${JT_TIMEOUT:-}" ] && args+=(--timeout "$JT_TIMEOUT")
if [ -n "${JT_PARAMETERS:-}" ]; then
  printf '%s\n' "$JT_PARAMETERS" > "$dir/params"
  args+=(--params-file "$dir/params")
fi
# JT_ARGS is split at blanks on purpose: extra flags such as --unstable-ok.
# shellcheck disable=SC2206
[ -n "${JT_ARGS:-}" ] && args+=($JT_ARGS)
code=0
"$jt" "${args[@]}" || code=$?
rm -rf "$dir"
exit $code

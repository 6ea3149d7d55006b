#!/usr/bin/env bash
# Runs the examples through the real build clients against jenkins-sim and checks
# what each build system saw: SUCCESS passes, FAILURE fails the build, UNSTABLE is
# tolerated as exit 10 where the example says so, the build URL reaches the next
# step, and parameters with spaces, &, =, quotes and non-ASCII text arrive intact.
# Make and Mono's xbuild (Debian package mono-xbuild, installed when missing) always;
# the Windows .bat through Wine's cmd only when wine is installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
sim_pid=""
cleanup() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"; rm -f "$root"/examples/*/build.properties; rm -rf "$root"/examples/*/dist "$root"/examples/*/test-results.xml; }
trap cleanup EXIT

if ! command -v xbuild >/dev/null 2>&1; then
  echo "examples: installing mono-xbuild"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mono-xbuild >/dev/null
fi

cd "$root"
go build -o "$work/jenkins-trigger" .
go build -o "$work/jenkins-sim" ./cmd/jenkins-sim
"$work/jenkins-sim" --config examples/sim.json --write-env "$work/sim.env" --record "$work/record.json" 2>"$work/sim.log" &
sim_pid=$!
for _ in $(seq 100); do [ -s "$work/sim.env" ] && break; sleep 0.1; done
set -a; . "$work/sim.env"; set +a

passed=0
failed=0
# expect NAME WANT_EXIT PATTERN... -- COMMAND...: run COMMAND, check its exit code and that
# its output holds every PATTERN (fixed strings).
expect() {
  local name=$1 want=$2; shift 2
  local patterns=()
  while [ "$1" != "--" ]; do patterns+=("$1"); shift; done
  shift
  local got=0
  "$@" >"$work/out" 2>&1 || got=$?
  local ok=1
  if [ "$want" = nonzero ]; then [ "$got" -ne 0 ] || ok=0; else [ "$got" -eq "$want" ] || ok=0; fi
  for p in "${patterns[@]}"; do grep -qF -- "$p" "$work/out" || { ok=0; echo "examples: $name: output lacks: $p"; }; done
  if [ $ok = 1 ]; then
    passed=$((passed + 1)); echo "examples: ok: $name (exit $got)"
  else
    failed=$((failed + 1)); echo "examples: FAILED: $name (exit $got, want $want); its output:"; sed 's/^/    /' "$work/out"
  fi
}

JT="$work/jenkins-trigger"
expect "make: SUCCESS passes and the build URL reaches the next step" 0 \
  "next step: deploying build 1 from ${JENKINS_URL}job/deploy/1/" -- make -C examples/make JT="$JT" deploy
expect "make: FAILURE fails the build with the tool's code" 2 "Error 11" -- make -C examples/make JT="$JT" fails
expect "make: UNSTABLE tolerated on purpose" 0 "unstable build tolerated" -- make -C examples/make JT="$JT" unstable-tolerated
expect "make: an artifact and the JUnit report brought back" 0 "packaged: result.txt" "3 tests passed" -- make -C examples/make JT="$JT" package
grep -q '<testsuites name="tested-ok' examples/make/test-results.xml || { failed=$((failed + 1)); echo "examples: FAILED: make: no JUnit file"; }

proj=examples/msbuild/deploy.proj
expect "xbuild: SUCCESS passes and the build URL reaches the next step" 0 \
  "next step: JENKINS_JOB=deploy" "JENKINS_BUILD_URL=${JENKINS_URL}job/deploy/2/" "JENKINS_BUILD_RESULT=SUCCESS" \
  -- xbuild /nologo "$proj" /p:JenkinsTrigger="$JT"
expect "xbuild: an artifact and the JUnit report brought back" 0 "packaged: result.txt" -- xbuild /nologo "$proj" /p:JenkinsTrigger="$JT" /t:Package
grep -q '<testsuites name="tested-ok' examples/msbuild/test-results.xml || { failed=$((failed + 1)); echo "examples: FAILED: xbuild: no JUnit file"; }
expect "xbuild: FAILURE fails the build" nonzero "jenkins-trigger exited 11" -- xbuild /nologo "$proj" /p:JenkinsTrigger="$JT" /p:Job=deploy-fails
expect "xbuild: UNSTABLE captured as 10 and tolerated" 0 "UNSTABLE build tolerated" "JENKINS_EXIT_CODE=10" \
  -- xbuild /nologo "$proj" /p:JenkinsTrigger="$JT" /p:Job=deploy-unstable /p:AllowUnstable=true
expect "xbuild: UNSTABLE fails where not tolerated" nonzero "jenkins-trigger exited 10" \
  -- xbuild /nologo "$proj" /p:JenkinsTrigger="$JT" /p:Job=deploy-unstable

wine_setup="$root/../shared/tools/wine-go/setup.sh"
if command -v wine >/dev/null 2>&1 && command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 && [ -f "$wine_setup" ]; then
  echo "examples: wine found; running deploy.bat through cmd /c"
  export WINEPREFIX="$work/wineprefix" WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
  bash "$wine_setup" >"$work/wine-setup.log" 2>&1 || { cat "$work/wine-setup.log"; exit 1; }
  GOOS=windows GOARCH=amd64 go build -o "$work/jenkins-trigger.exe" .
  export JT="$(winepath -w "$work/jenkins-trigger.exe")"
  bat="$(winepath -w "$root/examples/windows/deploy.bat")"
  expect "wine cmd: deploy.bat SUCCESS, build URL to the next step" 0 "next step: deploying ${JENKINS_URL}job/deploy/" -- wine cmd /c "$bat" deploy
  expect "wine cmd: deploy.bat FAILURE sets ERRORLEVEL 11" 11 "jenkins-trigger exited 11" -- wine cmd /c "$bat" deploy-fails
  expect "wine cmd: deploy.bat tolerates UNSTABLE" 0 "UNSTABLE build tolerated" -- wine cmd /c "$bat" deploy-unstable
  unset JT
else
  echo "examples: wine (with mingw-w64 and ../shared/tools/wine-go) not installed: skipping the Windows .bat checks"
fi

# The README's own Make and MSBuild snippets, as written there (they trigger
# team/deploy, which examples/sim.json adds), with jenkins-trigger on the PATH.
snippet() { # HEADING LANGUAGE: the first block of that language after the README's heading
  awk -v h="$1" -v lang="$2" '$0 == h { found = 1; next } found && $0 == "```" lang { on = 1; next } on && /^```$/ { exit } on' README.md
}
snip="$work/snippets"
mkdir -p "$snip"
cp examples/msbuild/deploy.properties "$snip/"
snippet "### Make" make >"$snip/Makefile"
{
  echo '<Project xmlns="http://schemas.microsoft.com/developer/msbuild/2003" ToolsVersion="4.0" DefaultTargets="Snippet"><Target Name="Snippet">'
  snippet "### MSBuild" xml
  echo '<Message Importance="high" Text="result: @(JenkinsResult)" /></Target></Project>'
} >"$snip/snippet.proj"
expect "README's Make snippet: deploy" 0 "finished SUCCESS" -- env PATH="$work:$PATH" make -C "$snip" deploy
expect "README's Make snippet: deploy-tolerant" 0 "finished SUCCESS" -- env PATH="$work:$PATH" make -C "$snip" deploy-tolerant
expect "README's MSBuild snippet" 0 "JENKINS_BUILD_URL=${JENKINS_URL}job/team/job/deploy/" -- env PATH="$work:$PATH" xbuild /nologo "$snip/snippet.proj"

# Each example's README block, pasted as it is into the root of a clone, in two
# clones at once while the simulator above runs too: no fixed path, no shared
# state, no race with the background start. A line's expected exit code is
# its "# exit N" comment, 0 without one.
readme_block() { # README: its first sh block, each line followed by a check of its exit code
  awk '/^```sh$/ { on = 1; next } /^```$/ { if (on) exit } on' "$1" | while IFS= read -r line; do
    want=0
    case "$line" in *"# exit "*) want=${line##*# exit }; want=${want%%:*} ;; esac
    printf '%s\n' "$line"
    printf 'rc=$?; [ "$rc" -eq %s ] || { echo "block: exit $rc, want %s: %s" >&2; fail=1; }\n' "$want" "$want" "${line//\"/\\\"}"
  done
}
clone() { # DIR: a copy of the repository as a fresh clone has it
  mkdir -p "$1"
  (cd "$root" && git ls-files --cached --others --exclude-standard -z | xargs -0 cp --parents -t "$1")
}
for readme in examples/make/README.md examples/msbuild/README.md; do
  script="$work/block.sh"
  { echo 'fail=0'; readme_block "$readme"; echo 'exit $fail'; } >"$script"
  if [ "$(grep -c '^rc=' "$script")" -lt 3 ]; then
    failed=$((failed + 1)); echo "examples: FAILED: no sh block found in $readme"; continue
  fi
  pids=()
  for n in 1 2; do
    dir="$work/clone-$n-$(basename "$(dirname "$readme")")"
    clone "$dir"
    (cd "$dir" && env -u JENKINS_URL -u JENKINS_USER -u JENKINS_API_TOKEN bash "$script" >"$dir.out" 2>&1) & pids+=($!)
  done
  n=0
  for pid in "${pids[@]}"; do
    n=$((n + 1)); dir="$work/clone-$n-$(basename "$(dirname "$readme")")"
    if wait "$pid"; then
      passed=$((passed + 1)); echo "examples: ok: $readme's block as pasted, clone $n of 2 at once"
    else
      failed=$((failed + 1)); echo "examples: FAILED: $readme's block as pasted, clone $n of 2; its output:"; sed 's/^/    /' "$dir.out"
    fi
    # A detached simulator the block failed to stop would outlive this check.
    [ -f "$dir/sim.env" ] && "$dir/bin/jenkins-sim" --stop "$dir/sim.env" 2>/dev/null
  done
done

kill -TERM "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=""
want_notes='"NOTES": "Release \"Cosmos\" & friends: a = b, 100% ünïcödé 日本"'
if [ "$(grep -cF -- "$want_notes" "$work/record.json")" -ge 5 ]; then
  passed=$((passed + 1)); echo "examples: ok: parameters with spaces, &, =, quotes and non-ASCII arrived intact (make and xbuild)"
else
  failed=$((failed + 1)); echo "examples: FAILED: the simulator did not receive the parameters intact:"; cat "$work/record.json"
fi
echo "examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Build jenkins-trigger and jenkins-sim for every supported platform into dist/.
# Same steps as build.ps1: vet, test, then static, stamped, -trimpath builds and SHA256SUMS.
set -euo pipefail
cd "$(dirname "$0")"

# ./build.sh --release VERSION: the release artifacts (archives, packages,
# manifests, NuGet package, SHA256SUMS) into dist/release; see cmd/release.
if [ "${1:-}" = "--release" ]; then
  [ -n "${2:-}" ] || { echo "usage: ./build.sh --release VERSION" >&2; exit 2; }
  go vet ./...
  go test -race -count=1 ./...
  exec go run ./cmd/release -version "$2" -out dist/release "${@:3}"
fi

version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo none)
ldflags="-s -w -X main.version=${version} -X main.commit=${commit}"
targets="windows/amd64 windows/arm64 linux/amd64 linux/arm64 darwin/arm64"

go vet ./...
go test -race -count=1 ./...

rm -rf dist
mkdir -p dist
for target in $targets; do
  os=${target%/*}
  arch=${target#*/}
  ext=""
  [ "$os" = windows ] && ext=".exe"
  for prog in jenkins-trigger jenkins-sim; do
    pkg=.
    [ "$prog" = jenkins-sim ] && pkg=./cmd/jenkins-sim
    out="dist/${prog}-${os}-${arch}${ext}"
    CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$out" "$pkg"
    echo "built $out"
  done
done
(cd dist && sha256sum -- * > SHA256SUMS)
echo "version ${version} (${commit}); checksums in dist/SHA256SUMS"

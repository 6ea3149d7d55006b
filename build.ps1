# Build jenkins-trigger and jenkins-sim for every supported platform into dist/.
# Same steps as build.sh: vet, test, then static, stamped, -trimpath builds and SHA256SUMS.
# .\build.ps1 -Release VERSION builds the release artifacts into dist/release (cmd/release);
# signing: -SignCert cert.pem -SignKey key.pem, the key's password in $env:JENKINS_TRIGGER_SIGN_PASSWORD.
param([string]$Release = '', [string]$SignCert = '', [string]$SignKey = '', [string]$TimestampUrl = '')
$ErrorActionPreference = 'Stop'
Set-Location -Path $PSScriptRoot

function Invoke-Go {
    & go @args
    if ($LASTEXITCODE -ne 0) { throw "go $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

if ($Release) {
    Invoke-Go vet ./...
    Invoke-Go test -count=1 ./...
    $releaseArgs = @('run', './cmd/release', '-version', $Release, '-out', 'dist/release')
    if ($SignCert) { $releaseArgs += @('-sign-cert', $SignCert, '-sign-key', $SignKey) }
    if ($TimestampUrl) { $releaseArgs += @('-timestamp-url', $TimestampUrl) }
    Invoke-Go @releaseArgs
    exit 0
}

$version = (git describe --tags --always --dirty 2>$null)
if ($LASTEXITCODE -ne 0 -or -not $version) { $version = 'dev' }
$commit = (git rev-parse --short HEAD 2>$null)
if ($LASTEXITCODE -ne 0 -or -not $commit) { $commit = 'none' }
$ldflags = "-s -w -X main.version=$version -X main.commit=$commit"
$targets = @('windows/amd64', 'windows/arm64', 'linux/amd64', 'linux/arm64', 'darwin/arm64')

Invoke-Go vet ./...
# -race needs cgo and a C compiler; on Windows agents without one, test without it.
if (Get-Command gcc -ErrorAction SilentlyContinue) { Invoke-Go test -race -count=1 ./... } else { Invoke-Go test -count=1 ./... }

if (Test-Path dist) { Remove-Item -Recurse -Force dist }
New-Item -ItemType Directory -Path dist | Out-Null
$env:CGO_ENABLED = '0'
foreach ($target in $targets) {
    $os, $arch = $target.Split('/')
    $ext = if ($os -eq 'windows') { '.exe' } else { '' }
    foreach ($prog in @('jenkins-trigger', 'jenkins-sim')) {
        $pkg = if ($prog -eq 'jenkins-sim') { './cmd/jenkins-sim' } else { '.' }
        $out = "dist/$prog-$os-$arch$ext"
        $env:GOOS = $os; $env:GOARCH = $arch
        Invoke-Go build -trimpath -ldflags $ldflags -o $out $pkg
        Write-Output "built $out"
    }
}
Remove-Item Env:GOOS, Env:GOARCH, Env:CGO_ENABLED
$sums = Get-ChildItem dist -File | Sort-Object Name | ForEach-Object {
    "$((Get-FileHash -Algorithm SHA256 $_.FullName).Hash.ToLower())  $($_.Name)"
}
[System.IO.File]::WriteAllLines((Join-Path $PSScriptRoot 'dist/SHA256SUMS'), [string[]]$sums)
Write-Output "version $version ($commit); checksums in dist/SHA256SUMS"

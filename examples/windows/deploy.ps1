# jenkins-trigger from PowerShell (Windows PowerShell 5 or PowerShell 7).
# Secrets (JENKINS_URL, JENKINS_USER, JENKINS_API_TOKEN) come from the agent's
# environment or from .env in the current directory; never from this script.
# Usage: .\deploy.ps1 [-Job deploy] [-AllowUnstable] [-JenkinsTrigger path\to\jenkins-trigger.exe]
param(
    [string]$Job = 'deploy',
    [switch]$AllowUnstable,
    [string]$JenkinsTrigger = 'jenkins-trigger.exe'
)
$ErrorActionPreference = 'Stop'
$here = Split-Path -Parent $MyInvocation.MyCommand.Path

# Values with quotes, & or non-ASCII text go in deploy.properties: PowerShell 5
# passes embedded quotes to native programs incorrectly.
$buildUrl = & $JenkinsTrigger $Job --wait --params-file (Join-Path $here 'deploy.properties') --output-file (Join-Path $here 'build.properties')
$rc = $LASTEXITCODE
if ($rc -eq 10 -and $AllowUnstable) {
    Write-Host 'UNSTABLE build tolerated'
} elseif ($rc -ne 0) {
    throw "jenkins-trigger exited $rc, see the exit-code table"
}
$result = @{}
Get-Content (Join-Path $here 'build.properties') | ForEach-Object { $k, $v = $_ -split '=', 2; $result[$k] = $v }
Write-Host "next step: deploying build $($result['JENKINS_BUILD_NUMBER']) from $buildUrl"

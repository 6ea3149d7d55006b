@echo off
rem jenkins-trigger from a Windows batch file.
rem Secrets (JENKINS_URL, JENKINS_USER, JENKINS_API_TOKEN) come from the agent's
rem environment or from .env in the current directory; never from this file.
rem Usage: deploy.bat [JOB]   (JT may name the executable; default jenkins-trigger.exe)
setlocal
if "%JT%"=="" set JT=jenkins-trigger.exe
set JOB=%~1
if "%JOB%"=="" set JOB=deploy

"%JT%" "%JOB%" --wait --params-file "%~dp0deploy.properties" --output-file "%~dp0build.properties"
set rc=%ERRORLEVEL%
if "%rc%"=="10" (
  echo UNSTABLE build tolerated
  set rc=0
)
if not "%rc%"=="0" (
  echo jenkins-trigger exited %rc%, see the exit-code table
  exit /b %rc%
)
for /f "usebackq tokens=1,* delims==" %%a in ("%~dp0build.properties") do if "%%a"=="JENKINS_BUILD_URL" set BUILD_URL=%%b
echo next step: deploying %BUILD_URL%

rem What the build archived (under dist\) and its test report as JUnit XML, when
rem PACKAGE is set: 24 means no file matched, 25 a failed download. Outside a
rem parenthesized block, so that %ERRORLEVEL% is read after the command ran.
if "%PACKAGE%"=="" exit /b 0
"%JT%" tested-ok --wait --artifacts "out/*.txt" --artifacts-dir "%~dp0dist" --junit "%~dp0test-results.xml"
exit /b %ERRORLEVEL%

package main

import (
	"errors"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

// settingWords say how each setting that jenkins' messages point at is set:
// the words a user acts on belong to the command layer.
var settingWords = map[jenkins.Setting]string{
	jenkins.SetURL:            "JENKINS_URL",
	jenkins.SetJob:            "JOB, --job or JENKINS_JOB",
	jenkins.SetUser:           "JENKINS_USER",
	jenkins.SetAPIToken:       "JENKINS_API_TOKEN",
	jenkins.SetPassword:       "JENKINS_PASSWORD",
	jenkins.SetJobToken:       "JENKINS_JOB_TOKEN",
	jenkins.SetBuildTokenRoot: "--build-token-root",
	jenkins.SetParams:         "-p NAME=VALUE",
	jenkins.SetCACert:         "--ca-cert FILE",
	jenkins.SetProxy:          "HTTPS_PROXY, HTTP_PROXY, NO_PROXY",
	jenkins.SetRequestTimeout: "--request-timeout",
	jenkins.SetInsecure:       "--insecure",
	jenkins.SetCause:          "--cause",
}

// describe is an error's line for people: its message, then the variables
// or flags that set what the message asks to check.
func describe(err error) string {
	msg := err.Error()
	if errors.As(err, new(*manyError)) {
		return msg // the summary of several jobs: each job's line had its hint
	}
	var pe *task.ParamError
	if errors.As(err, &pe) {
		if pe.File {
			return msg + " (--file " + pe.Name + "=PATH)"
		}
		return msg + " (-p " + pe.Name + "=VALUE)"
	}
	var je *jenkins.Error
	if !errors.As(err, &je) || len(je.Fix) == 0 {
		return msg
	}
	return msg + " (" + fixWords(je.Fix) + ")"
}

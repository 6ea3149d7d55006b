package main

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// settingError is a setting whose value is not of its kind, in words that
// name it as the user wrote it (--timeout 5, JENKINS_WAIT=maybe) and the fix.
// Only booleans, durations and numbers are checked this way, never secrets.
type settingError struct {
	key     string // JENKINS_TIMEOUT
	value   string
	source  string // "flag", "environment", ".env file X"
	problem string // "has no unit; write 5s"
}

func (e *settingError) Error() string {
	if e.source == "flag" {
		if flag := flagFor(e.key); flag != "" {
			return fmt.Sprintf("--%s %s %s", flag, e.value, e.problem)
		}
	}
	where := ""
	if e.source != "environment" && e.source != "" {
		where = " (in " + e.source + ")"
	}
	return fmt.Sprintf("%s=%s%s %s", e.key, e.value, where, e.problem)
}

// checkKinds checks every boolean, duration and number setting the layers
// hold before they are converted, so that a bad one is said in our words
// rather than strconv's ("strconv.ParseBool: parsing "maybe": invalid syntax").
func checkKinds(c *config) error {
	t := reflect.TypeOf(c.settings)
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		key := "JENKINS_" + name
		v, ok := recorder{c}.Lookup(key)
		if !ok || v == "" { // empty is unset, as go-envconfig reads it
			continue
		}
		if problem := kindProblem(f.Type, v); problem != "" {
			return &settingError{key: key, value: v, source: c.origin[key], problem: problem}
		}
	}
	return nil
}

var durationType = reflect.TypeOf(time.Duration(0))

// kindProblem says what is wrong with v as a value of type t, or "".
func kindProblem(t reflect.Type, v string) string {
	switch {
	case t == durationType:
		return durationProblem(v)
	case t.Kind() == reflect.Bool:
		if _, err := strconv.ParseBool(v); err != nil {
			return "is not a yes or no: use true or false"
		}
	case t.Kind() == reflect.Int:
		if _, err := strconv.Atoi(strings.TrimSpace(v)); err != nil {
			return "is not a whole number"
		}
	}
	return ""
}

func durationProblem(v string) string {
	v = strings.TrimSpace(v)
	if _, err := strconv.ParseFloat(v, 64); err == nil && v != "0" {
		return "has no unit; write " + v + "s for seconds (or m, h)"
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		return "is not a duration; write it like 90s, 5m or 1h30m"
	case d < 0:
		return "cannot be negative"
	}
	return ""
}

// flagFor is the flag that sets an environment variable, from the grammar.
func flagFor(key string) string {
	for _, t := range []reflect.Type{reflect.TypeOf(globalFlags{}), reflect.TypeOf(tokenFlags{}), reflect.TypeOf(triggerCmd{}), reflect.TypeOf(paramsCmd{})} {
		for i := range t.NumField() {
			if f := t.Field(i); f.Tag.Get("envname") == key {
				return f.Tag.Get("name")
			}
		}
	}
	return ""
}

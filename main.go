// Command jenkins-trigger triggers a Jenkins job from a build system and exits
// with a documented code. main only wires the operating system into run.
package main

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	// On Windows, Ctrl-C and Ctrl-Break arrive as os.Interrupt, closing the console as SIGTERM.
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		cancel(signalError{sig}) // the first signal lets run finish cleanly
		sig = <-sigs             // a second one exits at once
		os.Exit(exitCode(signalError{sig}, defaultCodes))
	}()
	dir, _ := os.Getwd()
	st, err := os.Stderr.Stat()
	tty := err == nil && st.Mode()&os.ModeCharDevice != 0
	os.Exit(run(ctx, osEnv{Args: os.Args[1:], Environ: os.Environ(), Dir: dir,
		Stdout: os.Stdout, Stderr: os.Stderr, Proxy: http.ProxyFromEnvironment, StderrTTY: tty}))
}

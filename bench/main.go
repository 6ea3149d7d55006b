// Command bench measures jenkins-trigger against the fake Jenkins on loopback,
// side by side with curl where curl does the same job, and prints the results
// as Markdown for BENCHMARKS.md.
//
//	go run ./bench [-quick]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jenkins-trigger/jenkins-trigger/jenkins/jenkinstest"
	"github.com/jenkins-trigger/jenkins-trigger/task"
)

func main() {
	quick := flag.Bool("quick", false, "fewer runs and shorter builds (a smoke run, not for the record)")
	long := flag.Bool("long", false, "only follow two real 10-minute builds, with and without an estimate")
	arts := flag.Bool("artifacts", false, "only download artifacts of 1 GiB and 64 MiB, side by side with curl")
	flag.Parse()
	if *arts {
		if err := runArtifacts(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *long {
		if err := runLong(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*quick, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type env struct {
	dir  string // temporary: binaries live here
	bin  string // jenkins-trigger
	sim  *jenkinstest.Server
	vars []string // JENKINS_* for the fake, and PATH and HOME for curl
	out  io.Writer
}

func script(length, estimate time.Duration) *jenkinstest.Job {
	return &jenkinstest.Job{Script: &jenkinstest.Script{Duration: length, Estimated: estimate}}
}

// newEnv builds jenkins-trigger and starts the sample fake with jobs added.
// done removes both.
func newEnv(out io.Writer, jobs map[string]*jenkinstest.Job) (e *env, done func(), err error) {
	dir, err := os.MkdirTemp("", "jt-bench")
	if err != nil {
		return nil, nil, err
	}
	e = &env{dir: dir, bin: filepath.Join(dir, "jenkins-trigger"), out: out}
	if err := goBuild(e.bin, "linux", runtime.GOARCH); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	e.sim = jenkinstest.Sample()
	for name, j := range jobs {
		e.sim.Jobs[name] = j
	}
	e.sim.Start()
	e.vars = []string{"JENKINS_URL=" + e.sim.URL(), "JENKINS_USER=" + jenkinstest.SampleUser, "JENKINS_API_TOKEN=" + jenkinstest.SampleAPIToken,
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	return e, func() { e.sim.Close(); os.RemoveAll(dir) }, nil
}

func run(quick bool, out io.Writer) error {
	jobs := map[string]*jenkinstest.Job{
		"b5s":     script(5*time.Second, 5*time.Second),
		"b60s":    script(60*time.Second, 60*time.Second),
		"big":     {Script: &jenkinstest.Script{Duration: 20 * time.Second, LogBytes: 1 << 30}},
		"bigdone": {Script: &jenkinstest.Script{Duration: time.Millisecond, LogBytes: 1 << 30}},
	}
	for i := range 100 {
		jobs[fmt.Sprintf("many%03d", i)] = script(2*time.Second, 2*time.Second)
	}
	if quick {
		jobs["b60s"] = script(10*time.Second, 10*time.Second)
		jobs["big"].Script.LogBytes = 64 << 20
		jobs["bigdone"].Script.LogBytes = 64 << 20
	}
	e, closeEnv, err := newEnv(out, jobs)
	if err != nil {
		return err
	}
	defer closeEnv()

	fmt.Fprintf(out, "Measured %s on %s (%d cores), %s, with `go run ./bench`.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), cpuModel(), runtime.NumCPU(), runtime.Version())
	n := 200
	if quick {
		n = 30
	}
	e.startup(n)
	e.trigger(n)
	e.finish(quick)
	e.console()
	e.many()
	return e.sizes()
}

// timeRuns runs cmd n times and returns the per-run wall times.
func timeRuns(n int, env []string, name string, args ...string) ([]time.Duration, error) {
	var out []time.Duration
	for range n {
		c := exec.Command(name, args...)
		c.Env = env
		start := time.Now()
		if b, err := c.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, b)
		}
		out = append(out, time.Since(start))
	}
	return out, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// runLong follows real 10-minute builds under default polling.
func runLong(out io.Writer) error {
	e, closeEnv, err := newEnv(out, map[string]*jenkinstest.Job{
		"b10m":       script(10*time.Minute, 10*time.Minute),
		"b10m-noest": script(10*time.Minute, 0),
	})
	if err != nil {
		return err
	}
	defer closeEnv()
	fmt.Fprintf(out, "Measured %s on %s (%d cores), %s, with `go run ./bench -long`.\n\n| build | late | polls | target |\n|---|---|---|---|\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), cpuModel(), runtime.NumCPU(), runtime.Version())
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, job := range []string{"b10m", "b10m-noest"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			late, polls, err := e.follow(job)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				fmt.Fprintf(out, "| %s | failed: %v | | |\n", job, err)
				return
			}
			fmt.Fprintf(out, "| %s, real wall time | %s | %d | within 1 s; under 150 polls |\n", job, ms(late), polls)
		}()
	}
	wg.Wait()
	return nil
}

// follow waits for one build of job with --wait and returns how late its end
// was seen and how many GETs of its queue item and build it cost.
func (e *env) follow(job string) (time.Duration, int, error) {
	c := exec.Command(e.bin, job, "--wait", "--no-preflight", "--json")
	c.Env = e.vars
	var stdout bytes.Buffer
	c.Stdout = &stdout
	if err := c.Run(); err != nil {
		return 0, 0, err
	}
	done := time.Now()
	number := 0
	_, _ = fmt.Sscanf(stdout.String()[strings.Index(stdout.String(), `"number":`)+len(`"number":`):], "%d", &number)
	var end time.Time
	for _, b := range e.sim.Builds(job) {
		if b.Number == number {
			end = b.End
		}
	}
	polls := 0
	for _, r := range e.sim.Requests() {
		if r.Method == "GET" && (strings.HasPrefix(r.Path, fmt.Sprintf("/job/%s/%d/", job, number)) || queueOf(r.Path, e.sim, job, number)) {
			polls++
		}
	}
	return done.Sub(end), polls, nil
}

func (e *env) startup(n int) {
	fmt.Fprintf(e.out, "## Start-up\n\nWhole-process time of `--version`, median of %d runs.\n\n", n)
	tool, err := timeRuns(n, e.vars, e.bin, "--version")
	if err != nil {
		fmt.Fprintf(e.out, "failed: %v\n\n", err)
		return
	}
	curl, cerr := timeRuns(n, e.vars, "curl", "--version")
	fmt.Fprintln(e.out, "| command | median | ratio to curl | target |\n|---|---|---|---|")
	if cerr != nil {
		fmt.Fprintf(e.out, "| jenkins-trigger --version | %s | (curl unavailable) | within 2x |\n\n", ms(median(tool)))
		return
	}
	fmt.Fprintf(e.out, "| jenkins-trigger --version | %s | %.2f | within 2x |\n| curl --version | %s | 1 | |\n\n",
		ms(median(tool)), float64(median(tool))/float64(median(curl)), ms(median(curl)))
}

func (e *env) requests() int { return len(e.sim.Requests()) }

func (e *env) trigger(n int) {
	fmt.Fprintf(e.out, "## Trigger\n\nAn API-token trigger of the same job, whole process, median of %d runs each (interleaved in rounds).\n\n", n)
	url := e.sim.URL() + "job/hello/build"
	var tool, pre, curl []time.Duration
	for round := range 4 {
		_ = round
		t1, err1 := timeRuns(n/4, e.vars, e.bin, "hello", "--no-preflight")
		t2, err2 := timeRuns(n/4, e.vars, e.bin, "hello")
		t3, err3 := timeRuns(n/4, e.vars, "curl", "-sf", "-o", "/dev/null", "-X", "POST", "-u", jenkinstest.SampleUser+":"+jenkinstest.SampleAPIToken, url)
		if err1 != nil || err2 != nil {
			fmt.Fprintf(e.out, "failed: %v %v\n\n", err1, err2)
			return
		}
		tool, pre = append(tool, t1...), append(pre, t2...)
		if err3 == nil {
			curl = append(curl, t3...)
		}
	}
	before := e.requests()
	_, _ = timeRuns(1, e.vars, e.bin, "hello", "--no-preflight")
	one := e.requests() - before
	before = e.requests()
	_, _ = timeRuns(1, e.vars, e.bin, "hello")
	two := e.requests() - before
	fmt.Fprintln(e.out, "| command | median | ratio to curl | HTTP requests | target |\n|---|---|---|---|---|")
	ratio := func(d time.Duration) string {
		if len(curl) == 0 {
			return "(curl unavailable)"
		}
		return fmt.Sprintf("%.2f", float64(d)/float64(median(curl)))
	}
	fmt.Fprintf(e.out, "| jenkins-trigger hello --no-preflight | %s | %s | %d | within 1.3x; 1 request |\n", ms(median(tool)), ratio(median(tool)), one)
	fmt.Fprintf(e.out, "| jenkins-trigger hello (pre-flight) | %s | %s | %d | 2 requests |\n", ms(median(pre)), ratio(median(pre)), two)
	if len(curl) > 0 {
		fmt.Fprintf(e.out, "| curl -X POST | %s | 1 | 1 | |\n", ms(median(curl)))
	}
	fmt.Fprintln(e.out)
}

// finish measures how late the end of a build is seen, and the polls it costs.
func (e *env) finish(quick bool) {
	fmt.Fprintln(e.out, "## Finish detection\n\nDefault polling (`--wait`, no flags). Late = the tool's exit minus the build's end, by the fake's clock;"+
		" polls = GETs of the queue item and the build. Real wall time; 5 s and 60 s builds run concurrently, several of each;"+
		" the 10-minute build is the same poll schedule computed without waiting (`task.Schedule`).")
	fmt.Fprintln(e.out, "\n| build | runs | late, median | late, max | polls, median | target |\n|---|---|---|---|---|---|")
	type run struct {
		late  time.Duration
		polls int
	}
	runs := map[string][]run{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	count := 5
	if quick {
		count = 2
	}
	for _, job := range []string{"b5s", "b60s"} {
		for range count {
			wg.Add(1)
			go func() {
				defer wg.Done()
				late, polls, err := e.follow(job)
				if err != nil {
					fmt.Fprintf(os.Stderr, "bench: %s: %v\n", job, err)
					return
				}
				mu.Lock()
				runs[job] = append(runs[job], run{late: late, polls: polls})
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	for _, job := range []string{"b5s", "b60s"} {
		var lates []time.Duration
		var polls []time.Duration
		for _, r := range runs[job] {
			lates = append(lates, r.late)
			polls = append(polls, time.Duration(r.polls))
		}
		if len(lates) == 0 {
			continue
		}
		fmt.Fprintf(e.out, "| %s | %d | %s | %s | %d | within 1 s at p50 |\n", e.sim.Jobs[job].Script.Duration, len(lates), ms(median(lates)), ms(slices.Max(lates)), int(median(polls)))
	}
	polls, late := task.Schedule(task.DefaultTiming, 10*time.Minute, 10*time.Minute)
	fmt.Fprintf(e.out, "| 10m0s (schedule) | - | %s | - | %d | within 1 s; under 150 polls |\n", ms(late), polls)
	polls, late = task.Schedule(task.DefaultTiming, 10*time.Minute, 0)
	fmt.Fprintf(e.out, "| 10m0s, no estimate (schedule) | - | %s | - | %d | |\n\n", ms(late), polls)
}

// queueOf tells whether a /queue/item/N/ path is the queue item of job's build number.
func queueOf(path string, sim *jenkinstest.Server, job string, number int) bool {
	for _, b := range sim.Builds(job) {
		if b.Number == number {
			return strings.HasPrefix(path, fmt.Sprintf("/queue/item/%d/", b.QueueID))
		}
	}
	return false
}

func (e *env) console() {
	size := e.sim.Jobs["big"].Script.LogBytes
	fmt.Fprintf(e.out, "## Console\n\n`--follow` of a %d MiB synthetic log written over %s, stdout to /dev/null.\n\n", size>>20, e.sim.Jobs["big"].Script.Duration)
	before := e.sim.ConsoleBytes()
	c := exec.Command(e.bin, "big", "--follow", "--no-preflight")
	c.Env = e.vars
	start := time.Now()
	if err := c.Run(); err != nil {
		fmt.Fprintf(e.out, "failed: %v\n\n", err)
		return
	}
	wall := time.Since(start)
	rss := c.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	fetched := e.sim.ConsoleBytes() - before
	// Throughput: a build whose whole log is there at once, read at full speed.
	c2 := exec.Command(e.bin, "bigdone", "--follow", "--no-preflight")
	c2.Env = e.vars
	s2 := time.Now()
	_ = c2.Run()
	catchUp := time.Since(s2)
	rss2 := c2.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	fmt.Fprintln(e.out, "| measure | value | target |\n|---|---|---|")
	fmt.Fprintf(e.out, "| peak RSS while following | %.1f MB | under 30 MB |\n", float64(rss)/1024)
	fmt.Fprintf(e.out, "| bytes fetched / log size | %.3f | 1.0 |\n", float64(fetched)/float64(size))
	fmt.Fprintf(e.out, "| wall time following (the build takes %s) | %s | |\n", e.sim.Jobs["big"].Script.Duration, wall.Round(time.Millisecond))
	fmt.Fprintf(e.out, "| throughput, a whole log there at once (`--follow`) | %.0f MB/s | |\n", float64(size)/(1<<20)/catchUp.Seconds())
	fmt.Fprintf(e.out, "| peak RSS reading it | %.1f MB | under 30 MB |\n\n", float64(rss2)/1024)
}

func (e *env) many() {
	fmt.Fprintln(e.out, "## Several jobs\n\n100 jobs of 2 s each in one call, `--wait --parallel 100`.")
	args := []string{"--wait", "--parallel", "100", "--no-preflight"}
	for i := range 100 {
		args = append(args, fmt.Sprintf("many%03d", i))
	}
	c := exec.Command(e.bin, args...)
	c.Env = e.vars
	start := time.Now()
	err := c.Run()
	wall := time.Since(start)
	fmt.Fprintln(e.out, "\n| measure | value | target |\n|---|---|---|")
	fmt.Fprintf(e.out, "| wall time for 100 jobs of 2 s | %s (exit %v) | about the slowest job, not 200 s |\n\n", wall.Round(time.Millisecond), err)
}

func (e *env) sizes() error {
	fmt.Fprintln(e.out, "## Binary sizes\n\n`CGO_ENABLED=0 go build -trimpath -ldflags \"-s -w\"`, as build.sh does.\n\n| binary | size | target |\n|---|---|---|")
	for _, t := range [][2]string{{"windows", "amd64"}, {"windows", "arm64"}, {"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "arm64"}} {
		out := filepath.Join(e.dir, "jt-"+t[0]+"-"+t[1])
		if err := goBuild(out, t[0], t[1]); err != nil {
			return err
		}
		st, err := os.Stat(out)
		if err != nil {
			return err
		}
		target := ""
		if t[0] == "windows" {
			target = "under 10 MB"
		}
		fmt.Fprintf(e.out, "| jenkins-trigger %s/%s | %.1f MB | %s |\n", t[0], t[1], float64(st.Size())/1e6, target)
	}
	fmt.Fprintln(e.out)
	return nil
}

func goBuild(out, goos, goarch string) error {
	c := exec.CommandContext(context.Background(), "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, ".")
	c.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	if b, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s/%s: %v: %s", goos, goarch, err, b)
	}
	return nil
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOOS + "/" + runtime.GOARCH
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			_, v, _ := strings.Cut(l, ":")
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOOS + "/" + runtime.GOARCH
}

// runArtifacts downloads one archived file of 1 GiB and one of 64 MiB with
// the artifacts command and with curl, three times each, in the same run:
// time (median, ratio to curl), requests, and the tool's peak RSS, which must
// not grow with the file's size.
func runArtifacts(out io.Writer) error {
	// Generated as served: the fake holds neither file, so the tool's peak
	// RSS is its own (a child forked from a process holding a gigabyte would
	// report that gigabyte).
	sizes := map[string]int64{"out/big.bin": 1 << 30, "out/mid.bin": 64 << 20}
	e, closeEnv, err := newEnv(out, map[string]*jenkinstest.Job{"arts": {Script: &jenkinstest.Script{Duration: time.Millisecond, ArtifactBytes: sizes}}})
	if err != nil {
		return err
	}
	defer closeEnv()
	first := exec.Command(e.bin, "arts", "--wait", "--no-preflight")
	first.Env = e.vars
	if b, err := first.CombinedOutput(); err != nil {
		return fmt.Errorf("the build: %v: %s", err, b)
	}
	fmt.Fprintf(out, "## Artifacts\n\nMeasured %s on %s (%d cores), %s, with `go run ./bench -artifacts`: `jenkins-trigger artifacts arts 1 --artifacts PATH` against `curl -sf -u USER:TOKEN -o FILE URL`, three runs each, alternating, files written to a temporary folder.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), cpuModel(), runtime.NumCPU(), runtime.Version())
	fmt.Fprintln(out, "| file | jenkins-trigger (median) | curl (median) | ratio to curl | throughput | requests | peak RSS |\n|---|---|---|---|---|---|---|")
	for _, name := range []string{"out/mid.bin", "out/big.bin"} {
		var tool, curl []time.Duration
		var rss int64
		reqs := 0
		for range 3 {
			dir, err := os.MkdirTemp(e.dir, "dl")
			if err != nil {
				return err
			}
			before := e.requests()
			c := exec.Command(e.bin, "artifacts", "arts", "1", "--artifacts", name, "--artifacts-dir", dir)
			c.Env = e.vars
			start := time.Now()
			if b, err := c.CombinedOutput(); err != nil {
				return fmt.Errorf("jenkins-trigger artifacts: %v: %s", err, b)
			}
			tool = append(tool, time.Since(start))
			reqs = e.requests() - before
			rss = max(rss, c.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
			os.RemoveAll(dir)
			target := filepath.Join(e.dir, "curl.bin")
			cc := exec.Command("curl", "-sf", "-u", jenkinstest.SampleUser+":"+jenkinstest.SampleAPIToken, "-o", target, e.sim.URL()+"job/arts/1/artifact/"+name)
			cc.Env = e.vars
			start = time.Now()
			if err := cc.Run(); err == nil {
				curl = append(curl, time.Since(start))
			}
			os.Remove(target)
		}
		ratio, curlMs := "(curl unavailable)", "-"
		if len(curl) > 0 {
			ratio, curlMs = fmt.Sprintf("%.2f", float64(median(tool))/float64(median(curl))), ms(median(curl))
		}
		fmt.Fprintf(out, "| %s (%d MiB) | %s | %s | %s | %.0f MB/s | %d | %.1f MB |\n", name, sizes[name]>>20, ms(median(tool)), curlMs, ratio,
			float64(sizes[name])/(1<<20)/median(tool).Seconds(), reqs, float64(rss)/1024)
	}
	fmt.Fprintln(out)
	return nil
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// This file holds what both modes share: starting a server in its own
// process, reading its CPU time and memory from /proc, and the load loop.

// child is a server the bench runs in its own process: the sandbox, or the
// bare handler perf compares it with.
type child struct {
	name    string
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:port, read from the banner
	logPath string // the child's stderr
	done    chan struct{}
}

// startChild starts path with args and waits, a minute at most, for the
// "listening on ADDR" line of its banner (cmd/bacasable's printBanner; the
// bare handler prints the same line). The address must be loopback.
func startChild(ctx context.Context, name, logPath, path string, args ...string) (*child, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = pw, logf
	// A child outliving the bench (killed with SIGKILL) is stopped too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(c.done) }()

	addrc := make(chan string, 1)
	out := bufio.NewReader(pr)
	go func() {
		// Read the banner, then drain stdout until the child exits.
		defer pr.Close()
		for i := 0; i < 100; i++ {
			line, err := out.ReadString('\n')
			if addr, ok := listenAddr(line); ok {
				addrc <- addr
				break
			}
			if err != nil {
				return
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	timeout := time.NewTimer(time.Minute)
	defer timeout.Stop()
	select {
	case addr := <-addrc:
		ap, err := netip.ParseAddrPort(addr)
		if err != nil || !isBenchLoopback(ap.Addr()) {
			c.stop()
			return nil, fmt.Errorf("%s listens on %q, not on 127.0.0.1 or [::1]", name, addr)
		}
		c.base = "http://" + addr
		return c, nil
	case <-c.done:
		return nil, fmt.Errorf("%s exited before listening:\n%s", name, c.logTail())
	case <-timeout.C:
		c.stop()
		return nil, fmt.Errorf("%s printed no \"listening on\" line within a minute", name)
	case <-ctx.Done():
		c.stop()
		return nil, ctx.Err()
	}
}

// listenAddr reads the address of a banner's "listening on ADDR" line.
func listenAddr(line string) (string, bool) {
	f := strings.Fields(line)
	if len(f) >= 3 && f[0] == "listening" && f[1] == "on" {
		return f[2], true
	}
	return "", false
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// stop ends the child with SIGTERM (a graceful shutdown), then SIGKILL after
// ten seconds.
func (c *child) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// logTail is the end of the child's stderr, for error messages.
func (c *child) logTail() string {
	b, _ := os.ReadFile(c.logPath)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// buildSandbox builds cmd/bacasable, as a user would run it, into a new
// temporary directory, which the bench's files also go to; the caller
// removes it.
func buildSandbox(ctx context.Context) (dir, bin string, err error) {
	if dir, err = os.MkdirTemp("", "bacasable-bench-"); err != nil {
		return "", "", err
	}
	bin = filepath.Join(dir, "bacasable")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/bacasable/bacasable/cmd/bacasable")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(dir)
		return "", "", fmt.Errorf("go build ./cmd/bacasable (run the bench from the module): %w", err)
	}
	return dir, bin, nil
}

// startSandbox starts the built binary on a free loopback port. Its log
// (warnings and errors only, so that logging does not weigh on the
// measure) goes to dir/sandbox.log.
func startSandbox(ctx context.Context, dir, bin string, extra ...string) (*child, error) {
	args := append([]string{"--listen", "127.0.0.1:0", "--log-level", "warn"}, extra...)
	return startChild(ctx, "sandbox", filepath.Join(dir, "sandbox.log"), bin, args...)
}

// clockTicks is USER_HZ, the unit of the times in /proc/<pid>/stat: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// cpuTime is the user plus system CPU time pid has used.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	ticks, err := parseStatCPU(b)
	return time.Duration(ticks) * (time.Second / clockTicks), err
}

// parseStatCPU returns utime+stime, fields 14 and 15 of /proc/<pid>/stat,
// in clock ticks. The command name (field 2) is in parentheses and may
// hold spaces and parentheses: fields are counted after its last ')'.
func parseStatCPU(stat []byte) (int64, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("/proc stat: no command name")
	}
	f := strings.Fields(string(stat[i+1:])) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc stat: %d fields after the command name", len(f))
	}
	utime, err1 := strconv.ParseInt(f[14-3], 10, 64)
	stime, err2 := strconv.ParseInt(f[15-3], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc stat: %w", err)
	}
	return utime + stime, nil
}

// statusKB reads a "kB" line of /proc/<pid>/status, e.g. VmRSS or VmHWM.
func statusKB(pid int, key string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseStatusKB(b, key)
}

// parseStatusKB finds "key:   1234 kB" in the text of /proc/<pid>/status.
func parseStatusKB(status []byte, key string) (int64, error) {
	for line := range strings.Lines(string(status)) {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name != key {
			continue
		}
		f := strings.Fields(value)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("/proc status: %s: %q is not a size in kB", key, strings.TrimSpace(value))
		}
		return strconv.ParseInt(f[0], 10, 64)
	}
	return 0, fmt.Errorf("/proc status: no %s line", key)
}

// resetPeakRSS starts VmHWM again from the current RSS (Linux: "5" written
// to clear_refs), so that it measures one scenario.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// sampleRSS reads VmRSS every period until stop is called, which returns the
// largest value seen, in kB. VmHWM cannot serve here: it never goes down.
func sampleRSS(pid int, period time.Duration) (stop func() int64) {
	done, result := make(chan struct{}), make(chan int64)
	go func() {
		var peak int64
		sample := func() {
			if kb, err := statusKB(pid, "VmRSS"); err == nil && kb > peak {
				peak = kb
			}
		}
		sample()
		t := time.NewTicker(period)
		defer t.Stop()
		for i := 0; i < 100_000; i++ { // an hour and more at 200 ms
			select {
			case <-done:
				sample()
				result <- peak
				return
			case <-t.C:
				sample()
			}
		}
		<-done
		result <- peak
	}()
	return func() int64 { close(done); return <-result }
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

// machine describes where the bench runs, for the tables' headers: the
// processors, and the load average (other work skews the measures).
func machine() string {
	load := "?"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			load = f[0]
		}
	}
	return fmt.Sprintf("%d CPUs (%s/%s), load average %s at the end, %s", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH,
		load, time.Now().Format(time.DateOnly))
}

// op is what one worker of the load loop repeats: prepare, untimed and
// optional (a token to refresh), then do, timed.
type op struct {
	prepare func(ctx context.Context) error
	do      func(ctx context.Context) error
}

// result is what a load loop measured.
type result struct {
	ok, failed int             // operations that succeeded, that failed
	status5xx  int             // failures that were 5xx answers
	errs       map[string]int  // failures by kind
	lat        []time.Duration // of the successful operations, sorted
	elapsed    time.Duration
}

// rate is the successful operations per second: errors are not throughput.
func (r *result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

// maxOpsPerWorker bounds each worker's loop besides its duration.
const maxOpsPerWorker = 2_000_000

// load runs workers goroutines for d, each repeating an op made by newOp
// (one per worker, so it may keep state such as a token).
func load(ctx context.Context, workers int, d time.Duration, newOp func() op) *result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	total := &result{errs: map[string]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		o := newOp()
		wg.Go(func() {
			r := &result{errs: map[string]int{}}
			for i := 0; i < maxOpsPerWorker && ctx.Err() == nil; i++ {
				if o.prepare != nil {
					if err := o.prepare(ctx); err != nil {
						r.fail(ctx, "prepare: ", err)
						continue
					}
				}
				t := time.Now()
				if err := o.do(ctx); err != nil {
					r.fail(ctx, "", err)
					continue
				}
				r.ok++
				r.lat = append(r.lat, time.Since(t))
			}
			mu.Lock()
			defer mu.Unlock()
			total.ok += r.ok
			total.failed += r.failed
			total.status5xx += r.status5xx
			total.lat = append(total.lat, r.lat...)
			for k, n := range r.errs {
				total.errs[k] += n
			}
		})
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	slices.Sort(total.lat)
	return total
}

// fail counts a failed operation, unless it was cut by the end of the run.
func (r *result) fail(ctx context.Context, prefix string, err error) {
	if ctx.Err() != nil && !isStatus(err) {
		return
	}
	r.failed++
	var se *statusError
	if errors.As(err, &se) && se.status >= 500 {
		r.status5xx++
	}
	r.errs[prefix+truncate(err.Error(), 160)]++
}

// percentile is the nearest-rank percentile p (0–100] of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// printErrors lists a run's failures by kind, the most frequent first.
func printErrors(w io.Writer, label string, r *result) {
	if r.failed == 0 {
		return
	}
	kinds := make([]string, 0, len(r.errs))
	for k := range r.errs {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b string) int { return r.errs[b] - r.errs[a] })
	fmt.Fprintf(w, "- %s: %d errors\n", label, r.failed)
	for i, k := range kinds {
		if i == 5 {
			fmt.Fprintf(w, "  - … and %d other kinds\n", len(kinds)-5)
			break
		}
		fmt.Fprintf(w, "  - %d × %s\n", r.errs[k], k)
	}
}

// statusError is an answer outside 2xx and 3xx.
type statusError struct {
	method, path string
	status       int
	body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s → %d %s", e.method, e.path, e.status, truncate(strings.Join(strings.Fields(e.body), " "), 100))
}

func isStatus(err error) bool {
	var se *statusError
	return errors.As(err, &se)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// newClient is the load generator's HTTP client: keep-alive connections,
// conns of them kept idle, redirects not followed (the code of a login is
// read from Location), and dials to loopback only.
func newClient(conns int) *http.Client {
	tr := &http.Transport{
		DialContext:         loopbackDial,
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: 2 * conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// loopbackDial refuses any address but 127.0.0.1 and [::1].
func loopbackDial(ctx context.Context, network, addr string) (net.Conn, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !isBenchLoopback(ap.Addr()) {
		return nil, fmt.Errorf("the bench connects to 127.0.0.1 or [::1] only, not %q", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func isBenchLoopback(a netip.Addr) bool {
	return a == netip.MustParseAddr("127.0.0.1") || a == netip.IPv6Loopback()
}

// send does req and reads the answer's body (4 MB at most); an answer
// outside 2xx and 3xx is a *statusError.
func send(c *http.Client, req *http.Request) (*http.Response, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 399 {
		return resp, body, &statusError{method: req.Method, path: req.URL.Path, status: resp.StatusCode, body: string(body)}
	}
	return resp, body, nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

// readyRow is the start of one command, measured runs times.
type readyRow struct {
	name  string
	times []time.Duration // sorted
	cpu   []time.Duration // the process's CPU time when it first answered, sorted
	// rssKB and peakKB are the last run's VmRSS and VmHWM settle after it
	// answered: what the command keeps once started.
	rssKB, peakKB int64
}

// settle is how long after its first answer the last start of each
// command is left before its memory is read: long enough for what the
// sandbox does in the background after it listens (the population's
// lookups, memory handed back).
const settle = 3 * time.Second

// started is what one start measured; rssKB and peakKB only when asked.
type started struct {
	wall, cpu     time.Duration
	rssKB, peakKB int64
}

// startReady measures how long path takes, from its start, to answer 200
// to GET probe on a free loopback port it is told to listen on (addrArg
// makes the arguments that say so): a fresh connection every millisecond,
// each refused until the server listens. It also reads the CPU time the
// process had used by then: on a shared machine the wall time moves with
// the load, the CPU time much less. With memory, it then waits settle and
// reads the process's RSS and peak RSS. A start that has not answered
// within a minute is an error.
func startReady(ctx context.Context, path string, args []string, addrArg func(addr string) []string, probe string, memory bool) (st started, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return st, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(path, append(slices.Clone(args), addrArg(addr)...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DialContext: loopbackDial, DisableKeepAlives: true}}
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return st, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+probe, nil)
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				st.wall = time.Since(begin)
				if st.cpu, err = cpuTime(cmd.Process.Pid); err != nil || !memory {
					return st, err
				}
				select {
				case <-ctx.Done():
					return st, ctx.Err()
				case <-time.After(settle):
				}
				if st.rssKB, err = statusKB(cmd.Process.Pid, "VmRSS"); err != nil {
					return st, err
				}
				st.peakKB, err = statusKB(cmd.Process.Pid, "VmHWM")
				return st, err
			}
		}
		switch {
		case ctx.Err() != nil:
			return st, ctx.Err()
		case time.Since(begin) > time.Minute:
			return st, fmt.Errorf("%s did not answer %s within a minute", path, probe)
		}
		time.Sleep(time.Millisecond)
	}
}

// measureReady starts the command runs times, one after the other; the
// last run also reads the memory once settled.
func measureReady(name string, runs int, start func(memory bool) (started, error)) (readyRow, error) {
	row := readyRow{name: name}
	for i := range runs {
		st, err := start(i == runs-1)
		if err != nil {
			return row, fmt.Errorf("%s: %w", name, err)
		}
		row.times, row.cpu = append(row.times, st.wall), append(row.cpu, st.cpu)
		row.rssKB, row.peakKB = st.rssKB, st.peakKB
	}
	slices.Sort(row.times)
	slices.Sort(row.cpu)
	return row, nil
}

// readyRows measures the bare handler's start, the sandbox's on its
// embedded defaults and with 100 000 generated personas.
func readyRows(ctx context.Context, bin string, runs int) ([]readyRow, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	listen := func(addr string) []string { return []string{"--listen", addr} }
	type command struct {
		name  string
		runs  int
		start func(memory bool) (started, error)
	}
	commands := []command{
		{"bare net/http JSON handler (first 200 of GET /)", runs, func(memory bool) (started, error) {
			return startReady(ctx, self, []string{"bare"}, func(addr string) []string { return []string{addr} }, "/", memory)
		}},
		{"sandbox, embedded defaults (first 200 of GET /_bacasable/health)", runs, func(memory bool) (started, error) {
			return startReady(ctx, bin, []string{"--log-level", "warn"}, listen, "/_bacasable/health", memory)
		}},
		{"sandbox, --population 100000", max(runs/2, 1), func(memory bool) (started, error) {
			return startReady(ctx, bin, []string{"--log-level", "warn", "--population", "100000"}, listen, "/_bacasable/health", memory)
		}},
	}
	var rows []readyRow
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  ready: %s…\n", c.name)
		row, err := measureReady(c.name, c.runs, c.start)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func printReady(w io.Writer, rows []readyRow) {
	fmt.Fprintf(w, "\n| start (process start to first HTTP answer) | runs | median | min | max | CPU used by then (median) | RSS %s after (last run) | peak RSS (last run) |\n", settle)
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %.0f MB | %.0f MB |\n", r.name, len(r.times), ms(r.times[len(r.times)/2]), ms(r.times[0]), ms(r.times[len(r.times)-1]),
			ms(r.cpu[len(r.cpu)/2]), mb(r.rssKB), mb(r.peakKB))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

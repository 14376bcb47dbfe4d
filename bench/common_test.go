package main

import (
	"net/netip"
	"os"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		d := make([]time.Duration, len(ns))
		for i, n := range ns {
			d[i] = time.Duration(n) * time.Millisecond
		}
		return d
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of odd", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"median of even is the lower (nearest rank)", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p0 is the min", hundred, 0, 1 * time.Millisecond},
		{"p99 of 10 is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
	} {
		if got := percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("%s: percentile(p%v) = %v, want %v", tc.name, tc.p, got, tc.want)
		}
	}
}

func TestParseStatCPU(t *testing.T) {
	for _, tc := range []struct {
		name, stat string
		want       int64
		wantErr    bool
	}{
		{"plain", "25487 (bacasable) S 1 25456 24153 0 -1 4194304 8367 0 0 0 20 10 0 0 20 0 9 0 216883 1916350464 8911", 30, false},
		{"name with spaces and parentheses", "42 (a b) (c)) R 1 42 42 0 -1 0 0 0 0 0 1234 567 0 0 20 0 1 0 1 1 1", 1801, false},
		{"truncated", "42 (x) R 1 2 3", 0, true},
		{"no name", "42 x R", 0, true},
		{"not a number", "42 (x) R 1 42 42 0 -1 0 0 0 0 0 lots 1 0 0 20 0 1 0 1 1 1", 0, true},
	} {
		got, err := parseStatCPU([]byte(tc.stat))
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("%s: parseStatCPU = %d, %v; want %d, error %v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestParseStatusKB(t *testing.T) {
	status := "Name:\tbacasable\nVmPeak:\t 1871436 kB\nVmHWM:\t   43616 kB\nVmRSS:\t   35792 kB\nThreads:\t9\n"
	for _, tc := range []struct {
		key     string
		want    int64
		wantErr bool
	}{
		{"VmHWM", 43616, false},
		{"VmRSS", 35792, false},
		{"VmSwap", 0, true},  // absent
		{"Threads", 0, true}, // not in kB
		{"Vm", 0, true},      // a prefix is not a key
	} {
		got, err := parseStatusKB([]byte(status), tc.key)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseStatusKB(%s) = %d, %v; want %d, error %v", tc.key, got, err, tc.want, tc.wantErr)
		}
	}
}

// TestProcSelf reads the test's own process, as the bench reads its child's.
func TestProcSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	if _, err := cpuTime(os.Getpid()); err != nil {
		t.Error(err)
	}
	if kb, err := statusKB(os.Getpid(), "VmRSS"); err != nil || kb <= 0 {
		t.Errorf("VmRSS = %d, %v", kb, err)
	}
}

func TestListenAddr(t *testing.T) {
	if addr, ok := listenAddr("  listening on   127.0.0.1:43065\n"); !ok || addr != "127.0.0.1:43065" {
		t.Errorf("listenAddr = %q, %v", addr, ok)
	}
	if _, ok := listenAddr("  issuer         http://localhost:43065/api/v2\n"); ok {
		t.Error("listenAddr read an address from the issuer line")
	}
}

func TestLoopbackOnly(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1": true, "::1": true, "127.0.0.2": false, "10.0.0.1": false, "::ffff:127.0.0.1": false} {
		if got := isBenchLoopback(netip.MustParseAddr(addr)); got != want {
			t.Errorf("isBenchLoopback(%s) = %v", addr, got)
		}
	}
	if _, err := loopbackDial(t.Context(), "tcp", "192.0.2.1:80"); err == nil {
		t.Error("loopbackDial dialled a non-loopback address")
	}
}

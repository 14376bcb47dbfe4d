package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// soak floods the sandbox, one flood after the other (each on a fresh
// sandbox, so that each starts from the same memory), and watches its
// memory and the throughput of a normal login meanwhile.

// Targets of the issue "Hardening", point 6.
const (
	targetPeakMB       = 256
	targetAfterRatio   = 1.2 // RSS after expiry ≤ idle × this
	targetLoginRatio   = 0.5 // login throughput during a flood ≥ this × without
	rssPeriod          = 200 * time.Millisecond
	expiryAdvance      = "2h"
	afterExpiryWait    = 12 * time.Second // the binary's sweep period (10 s) and a margin
	largeHeaderBytes   = 60 << 10         // the server's MaxHeaderBytes is 64 KB
	authorizeParamSize = 2048             // the sandbox's cap on each authorize parameter
)

// flood is one kind of abuse, run for a duration against s.
type flood struct {
	name string
	run  func(ctx context.Context, s *sandbox, d time.Duration) (r *result, note string, err error)
}

// soakRow is what one flood measured.
type soakRow struct {
	flood                   string
	r                       *result
	note                    string
	idleKB, peakKB, afterKB int64
	login                   *result
}

func runSoak(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	duration := fs.Duration("duration", 60*time.Second, "how long each flood lasts (and the login measure without flood)")
	concurrency := fs.Int("concurrency", 50, "concurrent clients of each request flood")
	listeners := fs.Int("listeners", 500, "idle Server-Sent Events listeners of the journal flood")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *duration <= 0 || *duration > 10*time.Minute || *concurrency < 1 || *concurrency > 1000 || *listeners < 1 || *listeners > 5000 {
		return errors.New("soak: -duration must be in (0, 10m], -concurrency in [1, 1000], -listeners in [1, 5000]")
	}
	dir, bin, err := buildSandbox(ctx)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	conc := *concurrency
	// The normal login without flood, on a sandbox of its own; and which
	// page opens a Démoville session, for the flood (d).
	fmt.Fprintf(os.Stderr, "bench soak: %s per flood, %d clients\n  normal login, no flood…\n", *duration, conc)
	var baseline *result
	var demovillePath, demovilleNote string
	err = withSandbox(ctx, dir, bin, conc, func(s, normal *sandbox, _ int) error {
		var err error
		if demovillePath, demovilleNote, err = demovilleSessionPath(ctx, s); err != nil {
			return err
		}
		baseline = load(ctx, 1, *duration, func() op { return op{do: normal.fullLogin} })
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	floods := []flood{
		{"(a) GET /api/v2/authorize, nonce and state of 2048 bytes, every scope", maxAuthorizeFlood(conc)},
		{"(b) gateway POST /token", requestFlood(conc, func(s *sandbox) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := s.gatewayToken(ctx, "bacasable-demo", "bacasable-demo-secret", "RessourceIR RessourceIRDerniere RessourceIRDerniere2")
				return err
			}
		})},
		{"(c) GET /api/v2/jwks with a 60 KB header", requestFlood(conc, (*sandbox).largeHeader)},
		{"(d) Démoville anonymous sessions (GET " + demovillePath + ")", requestFlood(conc, func(s *sandbox) func(context.Context) error {
			return s.demovilleSession(demovillePath)
		})},
		{fmt.Sprintf("(e) %d idle listeners of /_bacasable/api/journal/stream", *listeners), func(ctx context.Context, s *sandbox, d time.Duration) (*result, string, error) {
			r, note := s.streamFlood(ctx, *listeners, d)
			return r, note, nil
		}},
	}
	var rows []soakRow
	for _, f := range floods {
		fmt.Fprintf(os.Stderr, "  %s…\n", f.name)
		err := withSandbox(ctx, dir, bin, conc, func(s, normal *sandbox, pid int) error {
			row, err := soakOne(ctx, s, normal, pid, f, *duration)
			rows = append(rows, row)
			return err
		})
		if err != nil {
			return err
		}
	}
	printSoak(stdout, *duration, conc, baseline, rows, demovilleNote)
	return nil
}

// withSandbox starts a fresh sandbox, so that every flood starts from the
// same memory, and calls fn with a client for floods and one for the
// normal login (its own, so that it never waits for a flood's connection).
func withSandbox(ctx context.Context, dir, bin string, conc int, fn func(s, normal *sandbox, pid int) error) error {
	sb, err := startSandbox(ctx, dir, bin)
	if err != nil {
		return err
	}
	defer sb.stop()
	time.Sleep(2 * time.Second) // the sandbox settles: background lookups, memory given back
	return fn(&sandbox{base: sb.base, http: newClient(conc)}, &sandbox{base: sb.base, http: newClient(1)}, sb.pid())
}

// soakOne measures the idle RSS, runs f with the normal login beside it
// while sampling the RSS, then lets the clock expire what f left and
// samples once more.
func soakOne(ctx context.Context, s, normal *sandbox, pid int, f flood, d time.Duration) (soakRow, error) {
	row := soakRow{flood: f.name}
	var err error
	if row.idleKB, err = statusKB(pid, "VmRSS"); err != nil {
		return row, err
	}
	stopRSS := sampleRSS(pid, rssPeriod)
	loginc := make(chan *result, 1)
	go func() { loginc <- load(ctx, 1, d, func() op { return op{do: normal.fullLogin} }) }()
	row.r, row.note, err = f.run(ctx, s, d)
	row.login = <-loginc
	row.peakKB = stopRSS()
	if err != nil {
		return row, err
	}
	if ctx.Err() != nil {
		return row, ctx.Err()
	}
	if err := s.control(ctx, http.MethodPost, "/clock/advance", map[string]string{"by": expiryAdvance}, nil); err != nil {
		return row, fmt.Errorf("advance the clock: %w", err)
	}
	// The binary sweeps its stores every 10 s and, after a large sweep,
	// hands the memory back to the system: wait for one sweep.
	time.Sleep(afterExpiryWait)
	row.afterKB, err = statusKB(pid, "VmRSS")
	return row, err
}

// requestFlood is a flood of concurrency clients each repeating the
// request mk makes for a sandbox.
func requestFlood(concurrency int, mk func(s *sandbox) func(ctx context.Context) error) func(context.Context, *sandbox, time.Duration) (*result, string, error) {
	return func(ctx context.Context, s *sandbox, d time.Duration) (*result, string, error) {
		do := mk(s)
		return load(ctx, concurrency, d, func() op { return op{do: do} }), "", nil
	}
}

// maxAuthorizeFlood floods authorize with requests as large as the sandbox
// takes, with every scope its discovery lists.
func maxAuthorizeFlood(concurrency int) func(context.Context, *sandbox, time.Duration) (*result, string, error) {
	return func(ctx context.Context, s *sandbox, d time.Duration) (*result, string, error) {
		var scopes struct {
			Supported []string `json:"scopes_supported"`
		}
		if err := getJSON(ctx, s, "/api/v2/.well-known/openid-configuration", &scopes); err != nil {
			return nil, "", err
		}
		return requestFlood(concurrency, func(s *sandbox) func(context.Context) error { return s.maxAuthorize(scopes.Supported) })(ctx, s, d)
	}
}

// maxAuthorize is an authorize request as large as the sandbox takes: a
// nonce and a state of 2048 random characters, every scope, claims and
// prompt. Each starts a login in progress (the provider choice page), kept
// 30 minutes.
func (s *sandbox) maxAuthorize(scopes []string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		u := s.authorizeURL(url.Values{
			"scope": {strings.Join(scopes, " ")}, "nonce": {randomString(authorizeParamSize)}, "state": {randomString(authorizeParamSize)},
			"claims": {`{"id_token":{"amr":{"essential":true}}}`}, "prompt": {"login consent"},
		})
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		resp, _, err := send(s.http, req)
		if err == nil && !strings.Contains(resp.Header.Get("Location"), "/interaction/") {
			err = fmt.Errorf("authorize: %d to %q, not to the interaction pages", resp.StatusCode, truncate(resp.Header.Get("Location"), 100))
		}
		return err
	}
}

// largeHeader is a GET of the JWKS, which the journal records, with a
// header of 60 KB.
func (s *sandbox) largeHeader() func(ctx context.Context) error {
	padding := strings.Repeat("a", largeHeaderBytes)
	return func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/api/v2/jwks", nil)
		req.Header.Set("X-Bench-Padding", padding)
		_, _, err := send(s.http, req)
		return err
	}
}

// demovilleSession is a visit without cookies that must open a session.
func (s *sandbox) demovilleSession(path string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		_, err := s.newDemovilleSession(ctx, path)
		return err
	}
}

// newDemovilleSession reports whether a GET of path without cookies sets
// Démoville's session cookie.
func (s *sandbox) newDemovilleSession(ctx context.Context, path string) (bool, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
	resp, _, err := send(s.http, req)
	if err != nil {
		return false, err
	}
	for _, c := range resp.Cookies() {
		if c.Name == "demoville_session" && c.Value != "" {
			return true, nil
		}
	}
	return false, fmt.Errorf("GET %s: %d without a demoville_session cookie", path, resp.StatusCode)
}

// demovilleSessionPath is the page an anonymous visit opens a session on:
// the home page if it does, else the start of a FranceConnect login (which
// keeps its state and nonce in a new session).
func demovilleSessionPath(ctx context.Context, s *sandbox) (path, note string, err error) {
	if ok, _ := s.newDemovilleSession(ctx, "/demoville/"); ok {
		return "/demoville/", "", nil
	}
	path = "/demoville/cantine/connexion"
	if _, err := s.newDemovilleSession(ctx, path); err != nil {
		return "", "", err
	}
	return path, "GET /demoville/ without cookies opens no session (checked): the flood (d) visits " + path + ", which does.", nil
}

// streamFlood opens n journal streams and holds those accepted, reading
// what they send, for d. The sandbox serves 32 at once and refuses the
// others with 503 "unavailable": refusals count as answers, not as 5xx.
func (s *sandbox) streamFlood(ctx context.Context, n int, d time.Duration) (*result, string) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{DialContext: loopbackDial, DisableCompression: true}} // no timeout: a stream lasts
	defer client.CloseIdleConnections()
	r := &result{errs: map[string]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	accepted, refused := 0, 0
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/_bacasable/api/journal/stream", nil)
			resp, err := client.Do(req)
			if err != nil {
				mu.Lock()
				r.fail(ctx, "", err)
				mu.Unlock()
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				mu.Lock()
				accepted++
				mu.Unlock()
				_, _ = io.Copy(io.Discard, resp.Body) // until the end of the flood
				return
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			mu.Lock()
			defer mu.Unlock()
			if resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(body), "unavailable") {
				refused++
				return
			}
			r.fail(ctx, "", &statusError{method: req.Method, path: req.URL.Path, status: resp.StatusCode, body: string(body)})
		})
	}
	wg.Wait()
	r.ok = accepted + refused
	return r, fmt.Sprintf("%d streams accepted, %d refused (503 unavailable)", accepted, refused)
}

func getJSON(ctx context.Context, s *sandbox, path string, out any) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
	_, body, err := send(s.http, req)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

func printSoak(w io.Writer, d time.Duration, conc int, baseline *result, rows []soakRow, note string) {
	fmt.Fprintf(w, "%s per flood, %d concurrent clients per request flood, each flood on a fresh sandbox; %s.\n\n", d, conc, machine())
	fmt.Fprintf(w, "Normal login (one client, authorize → token → userinfo, one after the other) without flood: %.0f logins/s, p50 %s, p99 %s.\n\n",
		baseline.rate(), fmtDur(percentile(baseline.lat, 50)), fmtDur(percentile(baseline.lat, 99)))
	fmt.Fprintf(w, "Targets: peak RSS ≤ %d MB; RSS %s after the clock moves %s ≤ idle + 20 %%; logins/s during the flood ≥ %.0f %% of without; 0 5xx.\n\n",
		targetPeakMB, afterExpiryWait, expiryAdvance, targetLoginRatio*100)
	fmt.Fprintln(w, "| flood | requests | req/s | errors | idle RSS | peak RSS | RSS after expiry | logins/s during | vs no flood | 5xx |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, row := range rows {
		rate := "–" // the listeners' flood is not a rate
		if row.r.elapsed > 0 {
			rate = fmt.Sprintf("%.0f", row.r.rate())
		}
		lr := 0.0
		if baseline.rate() > 0 {
			lr = row.login.rate() / baseline.rate()
		}
		n5xx := row.r.status5xx + row.login.status5xx
		fmt.Fprintf(w, "| %s | %d | %s | %d | %.0f MB | %.0f MB %s | %.0f MB %s | %.0f | %.0f %% %s | %d %s |\n",
			row.flood, row.r.ok, rate, row.r.failed, mb(row.idleKB),
			mb(row.peakKB), check(mb(row.peakKB) <= targetPeakMB),
			mb(row.afterKB), check(float64(row.afterKB) <= float64(row.idleKB)*targetAfterRatio),
			row.login.rate(), lr*100, check(lr >= targetLoginRatio), n5xx, check(n5xx == 0))
	}
	fmt.Fprintln(w)
	if note != "" {
		fmt.Fprintln(w, "- "+note)
	}
	for _, row := range rows {
		if row.note != "" {
			fmt.Fprintf(w, "- %s: %s.\n", row.flood, row.note)
		}
	}
	printErrors(w, "normal login without flood", baseline)
	for _, row := range rows {
		printErrors(w, row.flood, row.r)
		printErrors(w, "normal login during "+row.flood, row.login)
	}
}

func check(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// perf measures the sandbox per scenario, and a bare net/http JSON handler
// the same way, for scale.

// The gateway client and habilitation of the API scenarios: every resource,
// both modes (fixtures/habilitations.yaml).
const (
	completClientID = "bacasable-complet"
	completSecret   = "bacasable-complet-secret"
	completService  = "BACASABLE-COMPLET"
	completSPI      = "3999999887219" // Angela DUBOIS, the test persona
	// fcTokenAge is how long a worker uses a FranceConnect access token
	// before it logs in again (the token lives 60 s).
	fcTokenAge = 50 * time.Second
)

// perfScenario is one line of the table.
type perfScenario struct {
	key   string // for -scenarios
	name  string
	newOp func() op
	// setup, when set, runs before the scenario, on the reset sandbox and
	// before its CPU is read.
	setup func(ctx context.Context) error
}

// scenarioKeys are perf's scenarios, in the table's order.
var scenarioKeys = []string{"spi", "fc", "token", "login", "control"}

func fcHeader(token string) http.Header {
	return http.Header{"X-Franceconnect-Oauth": {token}}
}

// perfRow is what one scenario measured.
type perfRow struct {
	name   string
	r      *result
	cpu    time.Duration // the server process's CPU time during the run
	peakKB int64         // its VmHWM, reset before the run
	note   string        // printed under the table
}

// merge is two runs of the same scenario as one.
func (row perfRow) merge(other perfRow) perfRow {
	r := &result{ok: row.r.ok + other.r.ok, failed: row.r.failed + other.r.failed, status5xx: row.r.status5xx + other.r.status5xx,
		errs: map[string]int{}, elapsed: row.r.elapsed + other.r.elapsed}
	for _, errs := range []map[string]int{row.r.errs, other.r.errs} {
		for k, n := range errs {
			r.errs[k] += n
		}
	}
	r.lat = append(append(make([]time.Duration, 0, len(row.r.lat)+len(other.r.lat)), row.r.lat...), other.r.lat...)
	slices.Sort(r.lat)
	return perfRow{name: row.name, r: r, cpu: row.cpu + other.cpu, peakKB: max(row.peakKB, other.peakKB)}
}

func runPerf(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("perf", flag.ContinueOnError)
	duration := fs.Duration("duration", 10*time.Second, "how long each scenario runs")
	concurrency := fs.Int("concurrency", 50, "concurrent clients (goroutines, each with a keep-alive connection)")
	readyRuns := fs.Int("ready-runs", 9, "starts measured for the ready table (half as many with 100 000 personas); 0 skips it")
	only := fs.String("scenarios", strings.Join(scenarioKeys, ","), "the scenarios to run, comma-separated, among "+strings.Join(scenarioKeys, ", ")+" (the bare handler always runs)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *duration <= 0 || *duration > 10*time.Minute || *concurrency < 1 || *concurrency > 1000 || *readyRuns < 0 || *readyRuns > 100 {
		return errors.New("perf: -duration must be in (0, 10m], -concurrency in [1, 1000], -ready-runs in [0, 100]")
	}
	chosen := map[string]bool{}
	for _, k := range strings.Split(*only, ",") {
		if k = strings.TrimSpace(k); !slices.Contains(scenarioKeys, k) {
			return fmt.Errorf("perf: -scenarios: unknown scenario %q (known: %s)", k, strings.Join(scenarioKeys, ", "))
		}
		chosen[k] = true
	}
	dir, bin, err := buildSandbox(ctx)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fixtures, err := benchFixtures(ctx, bin, dir)
	if err != nil {
		return err
	}
	sb, err := startSandbox(ctx, dir, bin, "--fixtures", fixtures)
	if err != nil {
		return err
	}
	defer sb.stop()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	client := newClient(*concurrency)
	s := &sandbox{base: sb.base, http: client}
	// The canned login's answers, which the bare process replays.
	canned, err := recordLogin(ctx, s)
	if err != nil {
		return fmt.Errorf("record a login: %w", err)
	}
	cannedFile := filepath.Join(dir, "canned-login.json")
	if err := canned.write(cannedFile); err != nil {
		return err
	}
	bare, err := startChild(ctx, "bare", filepath.Join(dir, "bare.log"), self, "bare", "127.0.0.1:0", cannedFile)
	if err != nil {
		return err
	}
	defer bare.stop()

	year, err := s.latestYear(ctx)
	if err != nil {
		return fmt.Errorf("read the clock: %w", err)
	}
	gw, err := s.gatewayToken(ctx, completClientID, completSecret, "RessourceIR")
	if err != nil {
		return err
	}
	spiPath := fmt.Sprintf("/spi/%s/situations/ir/assiettes/annrev/%d", completSPI, year)
	fcPath := fmt.Sprintf("/situations/ir/assiettes/annrev/%d", year)
	get := func(base, path string) func() op {
		return func() op {
			return op{do: func(ctx context.Context) error {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
				_, _, err := send(client, req)
				return err
			}}
		}
	}
	// The FranceConnect mode's logins are made before its run (setup): its
	// row measures API calls, the login has its own. newOp is called once
	// per worker, one after the other: each takes one.
	var fcLogins []string
	var fcLoggedIn time.Time
	scenarios := []perfScenario{
		{key: "spi", name: fmt.Sprintf("API, SPI mode (GET …/spi/%s/…/annrev/%d)", completSPI, year), newOp: func() op {
			return op{do: func(ctx context.Context) error { return s.apiCall(ctx, spiPath, gw, completService, nil) }}
		}},
		{key: "fc", name: "API, FranceConnect mode (same resource, X-FranceConnect-OAuth)", newOp: func() op {
			var h http.Header
			var since time.Time
			if n := len(fcLogins); n > 0 {
				h, since, fcLogins = fcHeader(fcLogins[n-1]), fcLoggedIn, fcLogins[:n-1]
			}
			return op{
				// A token lives 60 s: past 50 s the worker logs in again
				// (never within the default 10 s run).
				prepare: func(ctx context.Context) error {
					if h != nil && time.Since(since) < fcTokenAge {
						return nil
					}
					at, err := s.login(ctx, loginPersona)
					if err != nil {
						return err
					}
					h, since = fcHeader(at), time.Now()
					return nil
				},
				do: func(ctx context.Context) error { return s.apiCall(ctx, fcPath, gw, completService, h) },
			}
		}, setup: func(ctx context.Context) error {
			fcLogins, fcLoggedIn = nil, time.Now()
			for range *concurrency {
				at, err := s.login(ctx, loginPersona)
				if err != nil {
					return fmt.Errorf("login before the FranceConnect mode's run: %w", err)
				}
				fcLogins = append(fcLogins, at)
			}
			return nil
		}},
		{key: "token", name: "gateway POST /token", newOp: func() op {
			return op{do: func(ctx context.Context) error {
				_, err := s.gatewayToken(ctx, completClientID, completSecret, "RessourceIR")
				return err
			}}
		}},
		{key: "login", name: "full login (authorize → token → userinfo)", newOp: func() op {
			return op{do: s.fullLogin}
		}},
		{key: "control", name: "control API GET /_bacasable/api/clock", newOp: get(sb.base, "/_bacasable/api/clock")},
	}

	fmt.Fprintf(os.Stderr, "bench perf: %s per scenario, %d clients; sandbox %s (pid %d), bare %s (pid %d)\n",
		*duration, *concurrency, sb.base, sb.pid(), bare.base, bare.pid())
	// The bare handler runs before the scenarios and after them: its cost
	// per request moves with the machine (±20 %), and the sandbox's rows
	// are compared with both runs together.
	bareName := "bare net/http JSON handler (GET /)"
	bareBefore, err := measure(ctx, bare, bareName, *concurrency, *duration, get(bare.base, "/"))
	if err != nil {
		return err
	}
	rows := []perfRow{bareBefore}
	loginRow := -1
	for _, sc := range scenarios {
		if !chosen[sc.key] {
			continue
		}
		fmt.Fprintf(os.Stderr, "  %s…\n", sc.name)
		// Each scenario starts on a reset sandbox (no gateway token, no
		// login, code or token of FranceConnect; the journal stays): a
		// row does not pay for what the one before left (the gateway
		// token row leaves 100 000 live tokens).
		if err := s.control(ctx, http.MethodPost, "/reset", nil, nil); err != nil {
			return fmt.Errorf("reset before %s: %w", sc.key, err)
		}
		if gw, err = s.gatewayToken(ctx, completClientID, completSecret, "RessourceIR"); err != nil {
			return err
		}
		if sc.setup != nil {
			if err := sc.setup(ctx); err != nil {
				return err
			}
		}
		row, err := measure(ctx, sb, sc.name, *concurrency, *duration, sc.newOp)
		if err != nil {
			return err
		}
		rows = append(rows, row)
		if sc.key == "login" {
			loginRow = len(rows) - 1
			fmt.Fprintf(os.Stderr, "  %s…\n", cannedName)
			cannedRow, err := measure(ctx, bare, cannedName, *concurrency, *duration, func() op {
				return op{do: (&sandbox{base: bare.base, http: client}).fullLogin}
			})
			if err != nil {
				return err
			}
			rows = append(rows, cannedRow)
		}
	}
	bareAfter, err := measure(ctx, bare, bareName, *concurrency, *duration, get(bare.base, "/"))
	if err != nil {
		return err
	}
	rows[0] = bareBefore.merge(bareAfter)
	rows[0].name = bareName + ", before and after the scenarios"
	rows[0].note = fmt.Sprintf("The bare handler ran before the scenarios (%s of CPU per request, %.0f req/s) and after them (%s, %.0f req/s);\n"+
		"its row is both runs together.", fmtDur(bareBefore.cpuPerOp()), bareBefore.r.rate(), fmtDur(bareAfter.cpuPerOp()), bareAfter.r.rate())
	if loginRow > 0 {
		es256, err := es256Cost()
		if err != nil {
			return fmt.Errorf("time an ES256 signature: %w", err)
		}
		rows[loginRow].note = floorNote(rows[0].cpuPerOp(), rows[loginRow+1].cpuPerOp(), rows[loginRow].cpuPerOp(), es256)
	}
	printPerf(stdout, rows, *duration, *concurrency)
	if *readyRuns > 0 {
		sb.stop()
		bare.stop()
		ready, err := readyRows(ctx, bin, *readyRuns)
		if err != nil {
			return err
		}
		printReady(stdout, ready)
	}
	return nil
}

// measure runs one scenario against c and reads c's CPU time and peak RSS.
func measure(ctx context.Context, c *child, name string, conc int, d time.Duration, newOp func() op) (perfRow, error) {
	if err := resetPeakRSS(c.pid()); err != nil {
		return perfRow{}, fmt.Errorf("reset the peak RSS of %s: %w", c.name, err)
	}
	cpu0, err := cpuTime(c.pid())
	if err != nil {
		return perfRow{}, err
	}
	r := load(ctx, conc, d, newOp)
	cpu1, err := cpuTime(c.pid())
	if err != nil {
		return perfRow{}, err
	}
	peak, err := statusKB(c.pid(), "VmHWM")
	if err != nil {
		return perfRow{}, err
	}
	if ctx.Err() != nil {
		return perfRow{}, ctx.Err()
	}
	return perfRow{name: name, r: r, cpu: cpu1 - cpu0, peakKB: peak}, nil
}

func (row perfRow) cpuPerOp() time.Duration {
	if row.r.ok == 0 {
		return 0
	}
	return row.cpu / time.Duration(row.r.ok)
}

func printPerf(w io.Writer, rows []perfRow, d time.Duration, conc int) {
	bare := rows[0]
	fmt.Fprintf(w, "%s per scenario, %d concurrent keep-alive clients; %s.\n\n", d, conc, machine())
	fmt.Fprintln(w, "| scenario | requests | errors | req/s | p50 | p99 | server CPU/req | server cores busy | peak RSS | req/s vs bare | CPU/req vs bare |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, row := range rows {
		r := row.r
		fmt.Fprintf(w, "| %s | %d | %d | %.0f | %s | %s | %s | %.2f | %.0f MB | %s | %s |\n",
			row.name, r.ok, r.failed, r.rate(), fmtDur(percentile(r.lat, 50)), fmtDur(percentile(r.lat, 99)),
			fmtDur(row.cpuPerOp()), row.cpu.Seconds()/r.elapsed.Seconds(), mb(row.peakKB),
			ratio(r.rate(), bare.r.rate()), ratio(float64(row.cpuPerOp()), float64(bare.cpuPerOp())))
	}
	fmt.Fprintln(w)
	for _, row := range rows {
		if row.note != "" {
			fmt.Fprintln(w, row.note)
		}
	}
	fmt.Fprintln(w, "A full login counts as one request (three HTTP requests). In FranceConnect mode each client logs in")
	fmt.Fprintf(w, "before the run and again after %s (the token lives 60 s).\n", fcTokenAge)
	for _, row := range rows {
		printErrors(w, row.name, row.r)
	}
}

func fmtDur(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// completQuota finds BACASABLE-COMPLET's quota in habilitations.yaml.
var completQuota = regexp.MustCompile(`(?s)(id_teleservice: ` + completService + `\n.*?quota_par_minute: )\d+`)

// benchFixtures exports the embedded fixtures to dir/fixtures with one
// change: BACASABLE-COMPLET's quota, 1 000 calls a minute, which the API
// scenarios pass within a second, raised to a billion.
func benchFixtures(ctx context.Context, bin, dir string) (string, error) {
	fx := filepath.Join(dir, "fixtures")
	if out, err := exec.CommandContext(ctx, bin, "export", fx).CombinedOutput(); err != nil {
		return "", fmt.Errorf("bacasable export: %w\n%s", err, out)
	}
	path := filepath.Join(fx, "habilitations.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if !completQuota.Match(b) {
		return "", fmt.Errorf("%s: no quota_par_minute for %s", path, completService)
	}
	return fx, os.WriteFile(path, completQuota.ReplaceAll(b, []byte("${1}1000000000")), 0o644)
}

// bareBody is the bare handler's answer: a small fixed JSON.
var bareBody = []byte(`{"rfr":41220,"nbPart":3}` + "\n")

// cannedName is the canned login's row (floor.go).
const cannedName = "canned login: the same three requests, the sandbox's recorded answers, on the bare process"

// runBare serves bareBody on addr until ctx is done, printing the address
// as the sandbox's banner does; with a canned login's file (floor.go), it
// also answers the login's three requests as recorded.
func runBare(ctx context.Context, addr, cannedFile string, stdout io.Writer) error {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bareBody)
	})
	if cannedFile != "" {
		canned, err := readCannedLogin(cannedFile)
		if err != nil {
			return err
		}
		h = canned.handler(h)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: h}
	fmt.Fprintf(stdout, "bare net/http JSON handler\n  listening on   %s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

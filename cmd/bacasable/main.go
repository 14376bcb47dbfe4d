// Command bacasable runs the sandbox: an emulated FranceConnect v2 and API
// Impôt particulier with a fictitious population, on embedded defaults.
//
//	go run ./cmd/bacasable            # serves http://localhost:8080
//	go run ./cmd/bacasable --help     # every flag and its environment variable
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
	// Europe/Paris drives the taxation calendar and the DGFiP's timestamps:
	// the binary carries the zone database, so a slim image without
	// /usr/share/zoneinfo still gets them right.
	_ "time/tzdata"

	"github.com/bacasable/bacasable/cmd/bacasable/internal/initgc"
	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/impotparticulier"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "bacasable:", err)
		os.Exit(1)
	}
}

// options are the command-line settings; each flag has an environment
// variable, read when the flag is not given.
type options struct {
	listen         string
	publicURL      string
	fixtures       string
	keys           string
	logLevel       string
	logFormat      string
	nonceMinLength int
	pkce           bool
	taxationDate   string
	bareErrors     bool
	controlToken   string
	scenarios      string
	contracts      string
	clockStart     string
	clockFrozen    bool
	// The generated population (commands.go).
	population int
	seed       int64
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("bacasable", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&o.listen, "listen", env("BACASABLE_LISTEN", "127.0.0.1:8080"), "address to listen on (env BACASABLE_LISTEN)")
	fs.StringVar(&o.publicURL, "public-url", env("BACASABLE_PUBLIC_URL", ""), "base URL browsers and clients use; default http://localhost:<port of --listen> (env BACASABLE_PUBLIC_URL)")
	fs.StringVar(&o.fixtures, "fixtures", env("BACASABLE_FIXTURES", ""), "load fixtures from this directory instead of the embedded ones (env BACASABLE_FIXTURES)")
	fs.StringVar(&o.scenarios, "scenarios", env("BACASABLE_SCENARIOS", ""), "load scenario files (*.yaml) from this directory instead of the embedded ones (env BACASABLE_SCENARIOS)")
	fs.StringVar(&o.contracts, "openapi", env("BACASABLE_OPENAPI", ""), "load the OpenAPI contracts from this directory instead of the embedded ones (env BACASABLE_OPENAPI)")
	fs.StringVar(&o.keys, "keys", env("BACASABLE_KEYS", ""), "JWKS file with FranceConnect's private signing keys (one EC P-256, one RSA); created with fresh keys if missing; default: new keys at each start (env BACASABLE_KEYS)")
	fs.StringVar(&o.logLevel, "log-level", env("BACASABLE_LOG_LEVEL", "info"), "debug, info, warn or error (env BACASABLE_LOG_LEVEL)")
	fs.StringVar(&o.logFormat, "log-format", env("BACASABLE_LOG_FORMAT", "text"), "text or json (env BACASABLE_LOG_FORMAT)")
	nonceDefault := 22
	if v := getenv("BACASABLE_NONCE_MIN_LENGTH"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("BACASABLE_NONCE_MIN_LENGTH=%q is not a number", v)
		}
		nonceDefault = n
	}
	fs.IntVar(&o.nonceMinLength, "nonce-min-length", nonceDefault, "minimum nonce length FranceConnect enforces (env BACASABLE_NONCE_MIN_LENGTH)")
	fs.BoolVar(&o.pkce, "pkce", getenv("BACASABLE_PKCE") == "true", "accept PKCE (code_challenge) at authorize, which the real FranceConnect v2 refuses with Y030007: a departure for clients that cannot turn it off; the variable takes true or false (env BACASABLE_PKCE)")
	fs.StringVar(&o.taxationDate, "taxation-date", env("BACASABLE_TAXATION_DATE", "07-22"), "MM-DD on which revenue year N-1 becomes available in year N (env BACASABLE_TAXATION_DATE)")
	fs.BoolVar(&o.bareErrors, "bare-errors", getenv("BACASABLE_BARE_ERRORS") == "true", "send the DGFiP's error messages without the sandbox's explanation; the variable takes true or false (env BACASABLE_BARE_ERRORS)")
	// Read from the environment after parsing, so that --help never prints the token.
	fs.StringVar(&o.controlToken, "control-token", "", "bearer token the control API (/_bacasable/api/) then requires from every caller, loopback included; default: none, and it answers loopback callers only. Set it when others can reach the sandbox; prefer the variable, a flag shows in the process list (env BACASABLE_CONTROL_TOKEN)")
	fs.StringVar(&o.clockStart, "clock", env("BACASABLE_CLOCK", ""), "start the virtual clock at this instant (RFC 3339, e.g. 2027-03-01T09:00:00+01:00, or a day 2027-03-01); default: real time (env BACASABLE_CLOCK)")
	fs.BoolVar(&o.clockFrozen, "clock-frozen", getenv("BACASABLE_CLOCK_FROZEN") == "true", "keep the virtual clock still (it moves only through the control API); the variable takes true or false (env BACASABLE_CLOCK_FROZEN)")
	if err := populationFlags(fs, getenv, &o.population, &o.seed); err != nil { // commands.go
		return nil, err
	}
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: bacasable [flags]\n"+usageSubcommands+"\nRuns the FranceConnect and API Impôt particulier sandbox.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.controlToken == "" {
		o.controlToken = getenv("BACASABLE_CONTROL_TOKEN")
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if o.clockStart != "" {
		if _, err := clock.ParseInstant(o.clockStart); err != nil {
			return nil, fmt.Errorf("--clock: %w", err)
		}
	}
	if err := checkPopulation(o.population); err != nil { // commands.go
		return nil, err
	}
	if o.nonceMinLength < 1 {
		return nil, fmt.Errorf("--nonce-min-length must be at least 1")
	}
	if _, err := impotparticulier.ParseTaxationDay(o.taxationDate); err != nil {
		return nil, fmt.Errorf("--taxation-date: %w", err)
	}
	return o, nil
}

// newLogger is the sandbox's log, written to w in batches (logbuffer.go).
func newLogger(o *options, w *logBuffer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", o.logLevel)
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch o.logFormat {
	case "text":
		return slog.New(flushOnWarn{slog.NewTextHandler(w, hopts), w}), nil
	case "json":
		return slog.New(flushOnWarn{slog.NewJSONHandler(w, hopts), w}), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", o.logFormat)
}

// run starts the sandbox and serves until ctx is done.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// bacasable export …, bacasable check … (commands.go).
	if len(args) > 0 {
		if cmd, ok := subcommands[args[0]]; ok {
			initgc.Resume() // export and check read populations of any size
			return cmd(ctx, args[1:], getenv, stdout, stderr)
		}
		if args[0] == "--version" || args[0] == "-version" {
			return runVersion(ctx, nil, getenv, stdout, stderr)
		}
	}
	o, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	logOut := newLogBuffer(stderr, logFlushDelay)
	defer logOut.Close()
	logger, err := newLogger(o, logOut)
	if err != nil {
		return err
	}
	keys, err := loadKeys(o.keys)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	publicURL := strings.TrimRight(o.publicURL, "/")
	if publicURL == "" {
		publicURL = fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	}
	calendar, _ := impotparticulier.ParseTaxationDay(o.taxationDate)
	cfg := simulator.Config{PublicURL: publicURL, Logger: logger, Keys: keys, NonceMinLength: o.nonceMinLength, PKCE: o.pkce,
		Calendar: calendar, BareErrors: o.bareErrors, BackChannelURL: backChannelURL(ln.Addr().(*net.TCPAddr))}
	cfg.Generate = generator(o.population, o.seed) // --population, --seed (commands.go)
	cfg.ControlToken = o.controlToken
	cfg.Clock = startClock(o.clockStart, o.clockFrozen)
	if o.fixtures != "" {
		fsys, missing, err := fixturesFS(o.fixtures)
		if err != nil {
			return fmt.Errorf("--fixtures: %w", err)
		}
		cfg.Fixtures = fsys
		if note := describeMissing(o.fixtures, missing); note != "" {
			logger.Info(note)
		}
		// A fixture directory may carry its own scenarios, as `check` reads them.
		if st, err := os.Stat(filepath.Join(o.fixtures, checkScenariosDir)); err == nil && st.IsDir() && o.scenarios == "" {
			cfg.Scenarios = os.DirFS(filepath.Join(o.fixtures, checkScenariosDir))
			logger.Info("scenarios read from " + filepath.Join(o.fixtures, checkScenariosDir))
		}
	}
	for _, dir := range []struct {
		flag, path string
		fsys       *fs.FS
	}{{"scenarios", o.scenarios, &cfg.Scenarios}, {"openapi", o.contracts, &cfg.Contracts}} {
		if dir.path == "" {
			continue
		}
		if st, err := os.Stat(dir.path); err != nil || !st.IsDir() {
			return fmt.Errorf("--%s %q is not a directory", dir.flag, dir.path)
		}
		*dir.fsys = os.DirFS(dir.path)
	}
	started := time.Now()
	resumeGC := keepGCPaused(o.population > 0 || o.fixtures != "")
	sb, err := simulator.New(cfg)
	if err != nil {
		resumeGC()
		return fmt.Errorf("the fixtures are not valid:\n%w", err)
	}
	ctx, cancelOrphan := orphanContext(ctx, time.Second)
	defer cancelOrphan()

	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	// Shutdown waits for every request; the journal's live streams (an open
	// console) would keep it waiting until its deadline: they end first.
	srv.RegisterOnShutdown(sb.EndStreams)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// Listening. The embedded population, which New leaves until the
	// sandbox answers (requests wait for it), is read now: the banner
	// lists its personas. The tests build it, so it does not fail; should
	// it all the same, the start fails as with invalid fixtures.
	err = sb.Population.Wait()
	resumeGC()
	if err != nil {
		srv.Close()
		return fmt.Errorf("the fixtures are not valid:\n%w", err)
	}
	paceGC(getenv, len(sb.Population.Personas()))
	printBanner(stdout, publicURL, ln.Addr().String(), sb, time.Since(started))
	// What else the start left so as to answer sooner on a two-core
	// machine (the embedded contracts, the RSA key, the pages, the Insee
	// reference: Sandbox.WarmUp) is made in the background. Loading a large population leaves memory
	// the heap no longer uses (gigabytes for 100 000 personas read from
	// YAML files), and so do its lookups, made in the background: once
	// they are made, give it back now rather than over the next minutes,
	// then set a soft memory limit and sweep the stores from time to time
	// (memory.go).
	go func() {
		sb.WarmUp()
		sb.Population.Current().Warm()
		debug.FreeOSMemory()
		setMemoryLimit(getenv)
	}()
	go sweep(ctx, sb, 10*time.Second)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// backChannelURL is how the sandbox reaches itself (Démoville's server
// calls): its own listener, on loopback when it listens on every address.
func backChannelURL(addr *net.TCPAddr) string {
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
}

// startClock is the sandbox's virtual clock: real time, or set at start,
// running or frozen.
func startClock(start string, frozen bool) *clock.Virtual {
	c := clock.NewVirtual()
	t := c.Now()
	if start != "" {
		t, _ = clock.ParseInstant(start) // checked by parseFlags
		c.Set(t)
	}
	if frozen {
		c.Freeze(t)
	}
	return c
}

// loadKeys reads the --keys file, creating it with fresh keys when it does
// not exist; no file means new keys at each start.
func loadKeys(path string) (*franceconnect.Keys, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		keys, err := franceconnect.GenerateKeys()
		if err != nil {
			return nil, err
		}
		out, err := keys.MarshalPrivate()
		if err != nil {
			return nil, err
		}
		return keys, os.WriteFile(path, out, 0o600)
	}
	if err != nil {
		return nil, err
	}
	keys, err := franceconnect.ParseKeys(data)
	if err != nil {
		return nil, fmt.Errorf("--keys %s: %w", path, err)
	}
	if keys.Added() {
		// A file written by an earlier version lacks the data providers'
		// encryption key: keep the one just made, so it survives restarts.
		out, err := keys.MarshalPrivate()
		if err != nil {
			return nil, err
		}
		return keys, os.WriteFile(path, out, 0o600)
	}
	return keys, nil
}

func printBanner(w io.Writer, publicURL, addr string, sb *simulator.Sandbox, loading time.Duration) {
	var b strings.Builder
	fmt.Fprintf(&b, "bacasable — bac à sable FranceConnect v2 + API Impôt particulier (personnes fictives)\n")
	fmt.Fprintf(&b, "  listening on   %s\n", addr)
	fmt.Fprintf(&b, "  issuer         %s/api/v2\n", publicURL)
	fmt.Fprintf(&b, "  discovery      %s/api/v2/.well-known/openid-configuration\n", publicURL)
	fmt.Fprintf(&b, "  impôt part.    %s/impotparticulier/1.0  (contract: …/openapi.yaml; gateway token: POST %s/token)\n", publicURL, publicURL)
	fmt.Fprintf(&b, "  gateway demo   client_id bacasable-demo, secret bacasable-demo-secret, ID_Teleservice BACASABLE-DEMO\n")
	if sps := sb.Clients.ServiceProviders(); len(sps) > 0 {
		fmt.Fprintf(&b, "  demo client    client_id     %s\n", sps[0].ID)
		fmt.Fprintf(&b, "                 client_secret %s\n", sps[0].Secret)
		fmt.Fprintf(&b, "                 redirect_uri  any http://localhost:*/… (e.g. http://localhost:3000/callback)\n")
	}
	var tries []string
	for _, login := range []string{"test"} {
		if p, ok := sb.Population.ByLogin(login); ok {
			tries = append(tries, fmt.Sprintf("%s / %s (%s)", p.Login, p.Password, p.DisplayName()))
		}
	}
	for _, p := range sb.Population.Personas() {
		if len(tries) >= 3 {
			break
		}
		if p.Login != "test" && p.SPI != "" {
			tries = append(tries, fmt.Sprintf("%s / %s (%s, SPI %s)", p.Login, p.Password, p.DisplayName(), p.SPI))
		}
	}
	fmt.Fprintf(&b, "  try logging in %s\n", strings.Join(tries, "\n                 "))
	fmt.Fprintf(&b, "  %d personas; password 123 for all. Ready in %.1f s. Ctrl-C stops.\n", len(sb.Population.Personas()), loading.Seconds())
	fmt.Fprint(w, b.String())
}

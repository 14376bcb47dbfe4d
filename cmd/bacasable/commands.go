package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/fixture"
	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/impotparticulier"
	"github.com/bacasable/bacasable/simulator/population"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// subcommands run instead of the server when the first argument names one:
//
//	bacasable export [--population N] [--seed S] [--fixtures DIR] DIR
//	bacasable check DIR
//	bacasable health [URL]
//	bacasable login PERSONA
//	bacasable version
var subcommands = map[string]func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error{
	"export":  runExport,
	"check":   runCheck,
	"version": runVersion,
	"health":  runHealth,
	"login":   runLogin,
}

// usageSubcommands is the part of --help about the subcommands.
const usageSubcommands = `       bacasable export [--population N] [--seed S] [--fixtures DIR] [--format json|yaml] [--force] DIR
       bacasable check DIR
       bacasable health [URL]     (exit 0 when the sandbox at URL is ready; default BACASABLE_LISTEN or 127.0.0.1:8080)
       bacasable login [--url URL] [--scope S] [--client-id ID --client-secret S --redirect-uri U] PERSONA
                                  (the whole chain for PERSONA, printed step by step)
       bacasable version          (also --version)
`

// ── The generated population flags, shared by the server and export ────

// populationFlags defines --population and --seed, read from
// BACASABLE_POPULATION and BACASABLE_SEED when absent.
func populationFlags(fs *flag.FlagSet, getenv func(string) string, n *int, seed *int64) error {
	defaultN, defaultSeed := 0, int64(1)
	if v := strings.TrimSpace(getenv("BACASABLE_POPULATION")); v != "" {
		parsed, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("BACASABLE_POPULATION=%q is not a number", v)
		}
		defaultN = parsed
	}
	if v := strings.TrimSpace(getenv("BACASABLE_SEED")); v != "" {
		parsed, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("BACASABLE_SEED=%q is not a number", v)
		}
		defaultSeed = parsed
	}
	fs.IntVar(n, "population", defaultN, "add N generated personas and their foyers to the fixtures' (env BACASABLE_POPULATION)")
	fs.Int64Var(seed, "seed", defaultSeed, "seed of the generated population: the same seed gives the same people, byte for byte (env BACASABLE_SEED)")
	return nil
}

// checkPopulation validates the value of --population.
func checkPopulation(n int) error {
	if n < 0 || n > population.MaxGenerated {
		return fmt.Errorf("--population %d: give a number of personas from 0 to %d", n, population.MaxGenerated)
	}
	return nil
}

// generator is what simulator.Config.Generate takes: nil for no generated
// population.
func generator(n int, seed int64) func(*population.COG) ([]population.Document, error) {
	if n == 0 {
		return nil
	}
	return population.Generator{N: n, Seed: seed}.Documents
}

// parseInterspersed parses args with fs, allowing flags after the
// positional arguments ("export DIR --seed 3"), and returns the latter.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// ── export ───────────────────────────────────────────────────────────────

// runExport writes the population as a fixture directory.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("bacasable export", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var n int
	var seed int64
	if err := populationFlags(fset, getenv, &n, &seed); err != nil {
		return err
	}
	from := fset.String("fixtures", getenv("BACASABLE_FIXTURES"), "start from the fixtures of this directory instead of the embedded ones (env BACASABLE_FIXTURES)")
	force := fset.Bool("force", false, "write into DIR even when it is not empty (its fixture files are replaced)")
	format := fset.String("format", string(population.FormatJSON), "json: personas.json and foyers.json, one item a line, read back fast at any size; "+
		"yaml: personas.yaml and foyers.yaml with the fixtures' comments, to edit by hand (read ten times slower: keep it for a few thousand personas)")
	fset.Usage = func() {
		fmt.Fprint(stderr, "Usage: bacasable export [--population N] [--seed S] [--fixtures DIR] [--format json|yaml] [--force] DIR\n\n"+
			"Writes the population (the fixtures' personas and foyers, plus the generated ones) as\n"+
			"personas.json and foyers.json (or .yaml) in DIR, with a copy of the other fixture files, so\n"+
			"that the files can be edited and loaded with `bacasable --fixtures DIR`.\n\nFlags:\n")
		fset.PrintDefaults()
	}
	positional, err := parseInterspersed(fset, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		fset.Usage()
		return fmt.Errorf("export: give one directory to write to, not %d arguments", len(positional))
	}
	dir := positional[0]
	if err := checkPopulation(n); err != nil {
		return err
	}
	if f := population.Format(*format); f != population.FormatJSON && f != population.FormatYAML {
		return fmt.Errorf("export: --format %q: give json or yaml", *format)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 && !*force {
		return fmt.Errorf("export: %s is not empty; give --force to replace its fixture files, or another directory", dir)
	}
	fsys, missing, err := fixturesFS(*from)
	if err != nil {
		return fmt.Errorf("--fixtures: %w", err)
	}
	if note := describeMissing(*from, missing); note != "" {
		fmt.Fprintln(stderr, "bacasable:", note)
	}
	cog, err := population.LoadCOG(fsys)
	if err != nil {
		return fmt.Errorf("the fixtures are not valid:\n%s", strings.Join(problems(*from, "", err), "\n"))
	}
	pop, err := population.Build(population.Source{Fixtures: fsys, Generate: generator(n, seed)}, cog)
	if err != nil {
		return fmt.Errorf("the fixtures are not valid:\n%s", strings.Join(problems(*from, "", err), "\n"))
	}
	if err := population.Export(pop, dir, population.Format(*format)); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stdout, "exported %d personas and %d foyers to %s; load them with: bacasable --fixtures %s\n",
		len(pop.Personas()), len(pop.Foyers()), dir, dir)
	return nil
}

// ── check ────────────────────────────────────────────────────────────────

// checkScenariosDir is the subdirectory of a checked directory whose
// *.yaml files are validated as scenarios, when it exists.
const checkScenariosDir = "scenarios"

// runCheck validates a fixture directory as the server would at start,
// without starting it: every problem is printed as file:line: message, and
// the command fails when there is any.
func runCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("bacasable check", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {
		fmt.Fprint(stderr, "Usage: bacasable check DIR\n\n"+
			"Validates the fixture files of DIR (personas.yaml, foyers.yaml, clients.yaml,\n"+
			"habilitations.yaml, cog/, and scenarios/*.yaml when present) as `bacasable --fixtures DIR`\n"+
			"would at start, and prints every problem as file:line: message. Exits with a non-zero\n"+
			"status when there is one: a vendor's CI can run it on its fixtures.\n")
	}
	positional, err := parseInterspersed(fset, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		fset.Usage()
		return fmt.Errorf("check: give one directory to check, not %d arguments", len(positional))
	}
	dir := positional[0]
	fsys, missing, err := fixturesFS(dir)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if note := describeMissing(dir, missing); note != "" {
		fmt.Fprintln(stdout, "note:", note)
	}

	// Each file is checked on its own, so that one run reports them all.
	var found []string
	var counts []string
	report := func(prefix string, err error) bool {
		if err != nil {
			found = append(found, problems(dir, prefix, err)...)
			return false
		}
		return true
	}
	cog, err := population.LoadCOG(fsys)
	if report("", err) {
		pop, err := population.Load(fsys, cog)
		if report("", err) {
			counts = append(counts, plural(len(pop.Personas()), "persona"), plural(len(pop.Foyers()), "foyer"))
		}
	}
	clients, err := franceconnect.LoadClients(fsys)
	if report("", err) {
		counts = append(counts, fmt.Sprintf("%s (%s, %s)",
			plural(len(clients.ServiceProviders())+len(clients.DataProviders()), "client"),
			plural(len(clients.ServiceProviders()), "service provider"), plural(len(clients.DataProviders()), "data provider")))
	}
	habilitations, err := impotparticulier.LoadHabilitations(fsys)
	if report("", err) {
		n := 0
		for _, c := range habilitations.Clients() {
			n += len(c.Habilitations)
		}
		counts = append(counts, fmt.Sprintf("%s with %s", plural(len(habilitations.Clients()), "gateway client"), plural(n, "habilitation")))
	}
	var scenarios fs.FS
	if st, err := fs.Stat(fsys, checkScenariosDir); err == nil && st.IsDir() {
		scenarios, _ = fs.Sub(fsys, checkScenariosDir)
		set, err := scenario.Load(scenarios)
		if report(checkScenariosDir+"/", err) {
			counts = append(counts, plural(len(set.Names()), "scenario"))
		}
	}
	// What spans several files (a persona naming a scenario…) is checked
	// by building the sandbox as the server does.
	if len(found) == 0 {
		_, err := simulator.New(simulator.Config{PublicURL: "http://localhost:8080", Fixtures: fsys, Scenarios: scenarios})
		report("", err)
	}

	if len(found) > 0 {
		for _, p := range found {
			fmt.Fprintln(stderr, p)
		}
		return fmt.Errorf("check %s: %s", dir, plural(len(found), "problem"))
	}
	fmt.Fprintf(stdout, "ok: %s\n", strings.Join(counts, ", "))
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// problemLine is a line of a loader's error that names its file: "file:12:
// message" or "file: message".
var problemLine = regexp.MustCompile(`^([\w./-]+\.(?:ya?ml|csv))((?::[0-9]+)?: .*)$`)

// problems lists the problems err reports, one "path:line: message" each,
// the path being the file inside dir (under prefix, for a subdirectory).
func problems(dir, prefix string, err error) []string {
	path := func(file string) string {
		if dir == "" {
			return prefix + file // the embedded fixtures
		}
		return filepath.Join(dir, filepath.FromSlash(prefix+file))
	}
	format := func(e *fixture.Error) string {
		if e.Line > 0 {
			return fmt.Sprintf("%s:%d: %s", path(e.File), e.Line, e.Msg)
		}
		return fmt.Sprintf("%s: %s", path(e.File), e.Msg)
	}
	var list fixture.Errors
	var one *fixture.Error
	var pathErr *fs.PathError
	switch {
	case errors.As(err, &list):
		out := make([]string, len(list))
		for i, e := range list {
			out[i] = format(e)
		}
		return out
	case errors.As(err, &one):
		return []string{format(one)}
	case errors.As(err, &pathErr):
		return []string{fmt.Sprintf("%s: %v", path(pathErr.Path), pathErr.Err)}
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(err.Error()), "\n") {
		switch m := problemLine.FindStringSubmatch(line); {
		case m != nil:
			out = append(out, path(m[1])+m[2])
		case dir != "":
			out = append(out, filepath.Join(dir, filepath.FromSlash(prefix))+": "+line)
		default:
			out = append(out, line)
		}
	}
	return out
}

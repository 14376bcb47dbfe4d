package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/scenarios"
	"github.com/bacasable/bacasable/simulator/population"
)

// embeddedPersonas is how many personas the embedded fixtures hold.
func embeddedPersonas(t *testing.T) int {
	t.Helper()
	cog, err := population.LoadCOG(fixtures.FS())
	if err != nil {
		t.Fatal(err)
	}
	pop, err := population.Load(fixtures.FS(), cog)
	if err != nil {
		t.Fatal(err)
	}
	return len(pop.Personas())
}

// runCommand runs bacasable with args to completion.
func runCommand(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), args, mapEnv(env), &out, &errOut)
	return out.String(), errOut.String(), err
}

// editLine replaces, in file, the first line after the line matching after
// that satisfies match; it returns the 1-based number of the line changed.
func editLine(t *testing.T, file, after string, match func(string) bool, replace func(string) string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.TrimSpace(l) == after })
	if start < 0 {
		t.Fatalf("%s has no line %q", file, after)
	}
	for i := start; i < len(lines); i++ {
		if match(lines[i]) {
			lines[i] = replace(lines[i])
			if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			return i + 1
		}
	}
	t.Fatalf("%s: no line to edit after %q", file, after)
	return 0
}

func TestCheckAcceptsTheFixtures(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{copyFixtures(t), filepath.Join("..", "..", "fixtures")} {
		stdout, stderr, err := runCommand(t, nil, "check", dir)
		if err != nil {
			t.Fatalf("check %s: %v\n%s", dir, err, stderr)
		}
		want := regexp.MustCompile(`^ok: [0-9]+ personas, [0-9]+ foyers, [0-9]+ clients \([0-9]+ service providers, 1 data provider\), [0-9]+ gateway clients with [0-9]+ habilitations\n$`)
		if !want.MatchString(stdout) {
			t.Errorf("check %s printed %q", dir, stdout)
		}
	}
}

// TestCheckReportsEveryProblem breaks two files: check names both, with
// their lines, and fails.
func TestCheckReportsEveryProblem(t *testing.T) {
	t.Parallel()
	dir := copyFixtures(t)
	personas := filepath.Join(dir, "personas.yaml")
	badPersona := editLine(t, personas, "- id: angela-dubois",
		func(l string) bool { return strings.TrimSpace(l) == `birthplace: "75107"` },
		func(l string) string { return strings.Replace(l, "75107", "99999", 1) })
	clients := filepath.Join(dir, "clients.yaml")
	badClient := editLine(t, clients, "- client_id: bacasable-rs256",
		func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "name:") },
		func(l string) string { return strings.Replace(l, "name:", "nom:", 1) })

	stdout, stderr, err := runCommand(t, nil, "check", dir)
	if err == nil {
		t.Fatalf("check of a broken directory succeeded:\n%s", stdout)
	}
	if !strings.Contains(err.Error(), "2 problems") {
		t.Errorf("check error = %v, want it to count 2 problems", err)
	}
	for _, want := range []string{
		fmt.Sprintf("%s:%d: persona \"angela-dubois\": birthplace \"99999\" is not an Insee commune code", personas, badPersona),
		fmt.Sprintf("%s:%d: unknown key \"nom\"", clients, badClient),
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("check output lacks %q:\n%s", want, stderr)
		}
	}
	if stdout != "" {
		t.Errorf("check of a broken directory printed on stdout: %q", stdout)
	}
}

// Scenario files in DIR/scenarios are checked too, and so are the
// references between files (a persona naming an unknown scenario).
func TestCheckScenarios(t *testing.T) {
	t.Parallel()
	dir := copyFixtures(t)
	sdir := filepath.Join(dir, "scenarios")
	if err := os.CopyFS(sdir, scenarios.FS()); err != nil {
		t.Fatal(err)
	}
	embedded, err := fs.Glob(scenarios.FS(), "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	good := "nom: lent-demo\ntitre: \"Lent\"\ndescription: \"Une réponse lente\"\neffets:\n  - service: impotparticulier\n    latence: 2s\n"
	if err := os.WriteFile(filepath.Join(sdir, "lent-demo.yaml"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if stdout, stderr, err := runCommand(t, nil, "check", dir); err != nil || !strings.HasSuffix(stdout, fmt.Sprintf(", %d scenarios\n", len(embedded)+1)) {
		t.Fatalf("check with one more scenario: %v, %q\n%s", err, stdout, stderr)
	}
	// A persona naming a scenario the directory does not declare.
	if err := os.Remove(filepath.Join(sdir, "dgfip-lent.yaml")); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := runCommand(t, nil, "check", dir)
	if want := `personas.yaml: persona "dgfip-lent": scenario "dgfip-lent" is not declared`; err == nil || !strings.Contains(stderr, want) {
		t.Errorf("check without a scenario a persona names: %v, want %q\n%s", err, want, stderr)
	}
	bad := strings.Replace(good, "latence: 2s", "latence: 2s\n    couleur: rouge", 1)
	if err := os.WriteFile(filepath.Join(sdir, "lent-demo.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err = runCommand(t, nil, "check", dir)
	if want := filepath.Join(sdir, "lent-demo.yaml") + ":7: "; err == nil || !strings.Contains(stderr, want) {
		t.Errorf("check with a broken scenario: %v, want a problem at %s\n%s", err, want, stderr)
	}
}

func TestCheckArguments(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "personas.yaml")
	if err := os.WriteFile(file, []byte("personas: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"check"}, {"check", "a", "b"}, {"check", file}, {"check", "--nope", "x"}} {
		if _, _, err := runCommand(t, nil, args...); err == nil {
			t.Errorf("bacasable %q: no error", args)
		}
	}
	if _, stderr, err := runCommand(t, nil, "check", "--help"); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "Usage: bacasable check DIR") {
		t.Errorf("check --help: %v\n%s", err, stderr)
	}
}

// TestExportThenServe exports the fixtures and a generated population,
// checks the directory and serves it: a generated declarant logs in.
func TestExportThenServe(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "export")
	// Flags after the directory are read too.
	stdout, stderr, err := runCommand(t, nil, "export", dir, "--population", "300", "--seed", "4")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	total := embeddedPersonas(t) + 300
	if !strings.HasPrefix(stdout, fmt.Sprintf("exported %d personas and ", total)) {
		t.Errorf("export printed %q", stdout)
	}
	if _, stderr, err := runCommand(t, nil, "check", dir); err != nil {
		t.Fatalf("check of the export: %v\n%s", err, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "personas.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("generated population (--population 300 --seed 4)")) {
		t.Error("personas.json does not name the generated population and its seed")
	}
	m := regexp.MustCompile(`(?m)^\{"id":"gen-000001","login":"([^"]+)","spi":"([0-9]{13})"`).FindSubmatch(data)
	if m == nil {
		t.Fatal("personas.json has no generated declarant gen-000001")
	}
	if _, err := os.Stat(filepath.Join(dir, "personas.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("personas.yaml exported too (%v)", err)
	}

	rs := startRun(t, []string{"--listen", "127.0.0.1:0", "--fixtures", dir}, nil)
	b := rs.waitBanner(t)
	if got := bannerPersonas(t, rs.stdout.String()); got != total {
		t.Errorf("the banner counts %d personas, want %d", got, total)
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: noRedirect}
	for _, who := range []string{string(m[1]), string(m[2])} { // login (Démonstration), SPI (impots.gouv.fr)
		req, err := http.NewRequest(http.MethodGet, "http://"+b.listen+"/api/v2/authorize?"+url.Values{
			"client_id": {demoClientID}, "redirect_uri": {demoRedirectURI}, "response_type": {"code"},
			"scope": {"openid profile"}, "acr_values": {"eidas1"}, "nonce": {randomString(t)}, "state": {randomString(t)},
		}.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Bacasable-Persona", who)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Query().Get("code") == "" {
			t.Errorf("authorize as %s: %s, Location %q\n%s", who, resp.Status, resp.Header.Get("Location"), body)
		}
	}
}

// bannerPersonas reads "N personas" in the banner.
func bannerPersonas(t *testing.T, banner string) int {
	t.Helper()
	m := regexp.MustCompile(`([0-9]+) personas; password`).FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("the banner does not count the personas:\n%s", banner)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// The same flags export the same bytes; the export can be made from, and
// into, the directory loaded.
func TestExportIsReproducible(t *testing.T) {
	t.Parallel()
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	env := map[string]string{"BACASABLE_POPULATION": "200", "BACASABLE_SEED": "9"}
	for _, dir := range []string{a, b} {
		if _, stderr, err := runCommand(t, env, "export", dir); err != nil {
			t.Fatalf("export %s: %v\n%s", dir, err, stderr)
		}
	}
	for _, f := range []string{"personas.json", "foyers.json", "clients.yaml", "habilitations.yaml", "cog/communes.csv"} {
		da, errA := os.ReadFile(filepath.Join(a, f))
		db, errB := os.ReadFile(filepath.Join(b, f))
		if errA != nil || errB != nil || !bytes.Equal(da, db) {
			t.Errorf("%s differs between two exports (%v, %v)", f, errA, errB)
		}
	}
	// Re-exported from itself, adding nothing: the same population.
	before, _ := os.ReadFile(filepath.Join(a, "foyers.json"))
	if _, _, err := runCommand(t, nil, "export", "--fixtures", a, a); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("export into a non-empty directory without --force: %v", err)
	}
	if _, stderr, err := runCommand(t, nil, "export", "--force", "--fixtures", a, a); err != nil {
		t.Fatalf("export --force --fixtures %s %s: %v\n%s", a, a, err, stderr)
	}
	if _, stderr, err := runCommand(t, nil, "check", a); err != nil {
		t.Fatalf("check after re-export: %v\n%s", err, stderr)
	}
	after, _ := os.ReadFile(filepath.Join(a, "foyers.json"))
	if bytes.Equal(before, after) || !bytes.Contains(after, []byte("from: foyers.json.")) {
		t.Errorf("the re-export should name foyers.json as its origin:\n%.300s", after)
	}
	// And again in YAML, which replaces the JSON files.
	if _, stderr, err := runCommand(t, nil, "export", "--force", "--format", "yaml", "--fixtures", a, a); err != nil {
		t.Fatalf("export --format yaml: %v\n%s", err, stderr)
	}
	if stdout, stderr, err := runCommand(t, nil, "check", a); err != nil || strings.Contains(stdout, "embedded") {
		t.Fatalf("check after the export in YAML: %v\n%s%s", err, stdout, stderr)
	}
	if yml, err := os.ReadFile(filepath.Join(a, "foyers.yaml")); err != nil || !bytes.Contains(yml, []byte("from: foyers.json.")) {
		t.Errorf("foyers.yaml: %v\n%.300s", err, yml)
	}
	if _, err := os.Stat(filepath.Join(a, "foyers.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("foyers.json is still there after the export in YAML (%v)", err)
	}
}

func TestExportErrors(t *testing.T) {
	t.Parallel()
	broken := copyFixtures(t)
	bad := editLine(t, filepath.Join(broken, "personas.yaml"), "- id: angela-dubois",
		func(l string) bool { return strings.TrimSpace(l) == "gender: female" },
		func(l string) string { return strings.Replace(l, "female", "femme", 1) })
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"export"}, nil, "one directory"},
		{[]string{"export", "a", "b"}, nil, "one directory"},
		{[]string{"export", "--population", "-2", t.TempDir()}, nil, "--population -2"},
		{[]string{"export", "--format", "xml", t.TempDir()}, nil, `--format "xml"`},
		{[]string{"export", t.TempDir()}, map[string]string{"BACASABLE_POPULATION": "many"}, "BACASABLE_POPULATION"},
		{[]string{"export", "--fixtures", filepath.Join(t.TempDir(), "none"), t.TempDir()}, nil, "not a directory"},
		{[]string{"export", "--fixtures", broken, t.TempDir()}, nil, fmt.Sprintf("%s:%d: ", filepath.Join(broken, "personas.yaml"), bad)},
	}
	for _, tt := range tests {
		_, _, err := runCommand(t, tt.env, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("bacasable %q: %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
}

// TestRunGeneratedPopulation starts the server with a generated
// population, by flags then by environment.
func TestRunGeneratedPopulation(t *testing.T) {
	t.Parallel()
	base := embeddedPersonas(t)
	for _, tt := range []struct {
		args []string
		env  map[string]string
		n    int
	}{
		{[]string{"--population", "150", "--seed", "2"}, nil, 150},
		{nil, map[string]string{"BACASABLE_POPULATION": "90", "BACASABLE_SEED": "-7"}, 90},
	} {
		rs := startRun(t, append([]string{"--listen", "127.0.0.1:0"}, tt.args...), tt.env)
		rs.waitBanner(t)
		if got := bannerPersonas(t, rs.stdout.String()); got != base+tt.n {
			t.Errorf("%q %v: %d personas, want %d", tt.args, tt.env, got, base+tt.n)
		}
		if err := rs.stop(t); err != nil {
			t.Error(err)
		}
	}
}

func TestParsePopulationFlags(t *testing.T) {
	o, err := parseFlags([]string{"--population", "1000", "--seed", "-3"}, mapEnv(map[string]string{"BACASABLE_POPULATION": "5"}), io.Discard)
	if err != nil || o.population != 1000 || o.seed != -3 {
		t.Errorf("parseFlags = %+v, %v", o, err)
	}
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, map[string]string{"BACASABLE_POPULATION": "x"}, "BACASABLE_POPULATION"},
		{nil, map[string]string{"BACASABLE_SEED": "1.5"}, "BACASABLE_SEED"},
		{[]string{"--population", "-1"}, nil, "--population -1"},
		{[]string{"--population", strconv.Itoa(population.MaxGenerated + 1)}, nil, "--population"},
	} {
		if _, err := parseFlags(tt.args, mapEnv(tt.env), io.Discard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseFlags(%q, %v) = %v, want an error naming %s", tt.args, tt.env, err, tt.want)
		}
	}
}

// TestFixtureDirectoryWithSomeFiles: a directory with only personas.yaml
// (and its scenarios/) is enough; the messages say which files the
// embedded fixtures stand in for.
func TestFixtureDirectoryWithSomeFiles(t *testing.T) {
	dir := t.TempDir()
	personas, err := fs.ReadFile(fixtures.FS(), "personas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "personas.yaml"), personas, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runCommand(t, nil, "check", dir)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "has no foyers.yaml, clients.yaml, habilitations.yaml, cog/communes.csv") || !strings.Contains(stdout, "the embedded ones are used") {
		t.Errorf("check did not say which files are embedded:\n%s", stdout)
	}
}

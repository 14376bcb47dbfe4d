package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// testTimeout bounds what each test does in its tab.
const testTimeout = 60 * time.Second

// startTimeout bounds the start of the browser, and the opening of a tab.
const startTimeout = 30 * time.Second

// within runs f, and gives up waiting for it after d. Whoever cancels the
// contexts f uses ends it then.
func within(d time.Duration, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("no answer after %v", d)
	}
}

// failuresDir is where a failed test's screenshot goes, under the package
// directory (go test runs there).
var failuresDir = filepath.Join("testdata", "failures")

// findChromium returns the browser to drive: BACASABLE_CHROMIUM, else the
// first of chromium, chromium-browser and google-chrome on the PATH. Without
// one the test skips, or fails when BACASABLE_REQUIRE_CHROMIUM=1 (CI).
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("BACASABLE_CHROMIUM"); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("BACASABLE_CHROMIUM=%s: %v", p, err)
		}
		return found
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("BACASABLE_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("no Chromium installed (apt-get install chromium), and BACASABLE_REQUIRE_CHROMIUM=1")
	}
	t.Skip("no Chromium installed (apt-get install chromium); browser tests skipped")
	return ""
}

// browser is the one Chromium the package's tests share; each test gets a
// tab in a browser context of its own (its own cookies and storage), as a
// fresh incognito window.
var browser struct {
	once   sync.Once
	ctx    context.Context // the browser's first context, without a deadline
	err    error
	cancel func()
}

// TestMain stops the shared browser and removes its profile.
func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	os.Exit(code)
}

// startBrowser starts the shared browser, once, with a fresh profile.
func startBrowser(exe string) (context.Context, error) {
	browser.once.Do(func() {
		profile, err := os.MkdirTemp("", "bacasable-chromium-")
		if err != nil {
			browser.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(exe),
			chromedp.Headless,
			chromedp.NoSandbox, // CI runs as root
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.UserDataDir(profile),
			chromedp.WindowSize(1280, 1024),
			// The machine has no network: nothing may try to reach Google.
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-domain-reliability", true),
			chromedp.Flag("no-default-browser-check", true),
			chromedp.Flag("lang", "fr-FR"),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelBrowser := chromedp.NewContext(allocCtx)
		browser.cancel = func() {
			cancelBrowser()
			cancelAlloc()
			os.RemoveAll(profile)
		}
		// The first action starts the browser. Its context gets no
		// deadline, since cancelling that context stops the browser.
		if err := within(startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
			browser.err = fmt.Errorf("starting %s: %w", exe, err)
			return
		}
		browser.ctx = ctx
	})
	return browser.ctx, browser.err
}

// session is one test's sandbox and the browser tab that visits it.
type session struct {
	t   *testing.T
	sb  *sandboxtest.Sandbox
	ctx context.Context // the tab, with the test's deadline

	mu       sync.Mutex
	problems []string // the page's JavaScript errors and console errors
}

// newSession starts a sandbox under the frozen clock at
// sandboxtest.AfterTaxation, and opens a tab on it in a new browser
// context. When the test fails, the page is saved as a screenshot and its
// text is logged.
func newSession(t *testing.T) *session {
	t.Helper()
	findChromium(t) // skip before starting anything
	return openTab(t, sandboxtest.New(t, sandboxtest.AfterTaxation, nil))
}

// openTab opens a tab in a new browser context to visit sb.
func openTab(t *testing.T, sb *sandboxtest.Sandbox) *session {
	t.Helper()
	exe := findChromium(t)
	bctx, err := startBrowser(exe)
	if err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, sb: sb}
	tab, cancelTab := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	// As for the browser, the tab's first action gets no deadline: the tab
	// lives as long as that action's context.
	if err := within(startTimeout, func() error { return chromedp.Do(tab) }); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	if err := chromedp.Listen(tab, s.listen); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tab, testTimeout)
	t.Cleanup(cancel)
	s.ctx = ctx
	t.Cleanup(func() {
		if t.Failed() {
			s.saveFailure(tab)
		}
	})
	return s
}

// listen keeps the page's errors for the failure report. It runs on
// chromedp's reading goroutine: quick, no browser command.
func (s *session) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil && ev.ExceptionDetails.Exception.Description != "" {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeWarning {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			if a.Value != nil {
				parts = append(parts, string(a.Value))
			} else if a.Description != "" {
				parts = append(parts, a.Description)
			}
		}
		msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelError {
			return
		}
		msg = "log: " + ev.Entry.Text
		if ev.Entry.URL != "" {
			msg += " (" + ev.Entry.URL + ")"
		}
	default:
		return
	}
	s.mu.Lock()
	s.problems = append(s.problems, msg)
	s.mu.Unlock()
}

// saveFailure writes a full-page screenshot to
// testdata/failures/<TestName>.png and logs the address, the page's text
// and its JavaScript errors.
func (s *session) saveFailure(tab context.Context) {
	t := s.t
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		t.Logf("page at failure: %s", loc)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		t.Logf("no screenshot: %v", err)
	} else {
		name := strings.NewReplacer("/", "_", " ", "_", ":", "_").Replace(t.Name()) + ".png"
		path := filepath.Join(failuresDir, name)
		if err := os.MkdirAll(failuresDir, 0o755); err != nil {
			t.Logf("no screenshot: %v", err)
		} else if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Logf("no screenshot: %v", err)
		} else {
			if abs, err := filepath.Abs(path); err == nil {
				path = abs
			}
			t.Logf("screenshot of the page: %s", path)
		}
	}
	if text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`)); err == nil {
		const max = 6000
		if len(text) > max {
			text = text[:max] + "\n[…]"
		}
		t.Logf("text of the page:\n%s", text)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.problems {
		t.Logf("page error: %s", p)
	}
}

// step runs actions in the browser; a failure names what was being done.
func (s *session) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, actions...); err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

// open loads a page of the sandbox, path being relative to its URL, and
// waits for the element sel.
func (s *session) open(path, sel string) {
	s.t.Helper()
	s.step("open "+path, chromedp.Navigate(s.sb.URL+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// click clicks the element sel, then waits for the element next, which
// must be one the current page lacks (the page that the click leads to).
func (s *session) click(what, sel, next string) {
	s.t.Helper()
	s.step(what+" (click "+sel+", then wait for "+next+")", chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(next)))
}

// typeIn types text into the field sel, key by key.
func (s *session) typeIn(sel, text string) {
	s.t.Helper()
	s.step(fmt.Sprintf("type %q in %s", text, sel), chromedp.Click(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text))
}

// text returns the visible text of the element sel, with no-break spaces
// as plain spaces (Démoville writes « 3,90 € » with U+00A0 and U+202F).
func (s *session) text(sel string) string {
	s.t.Helper()
	txt, err := chromedp.Run(s.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		s.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(txt)
}

// location is the tab's current address.
func (s *session) location() string {
	s.t.Helper()
	loc, err := chromedp.Run(s.ctx, chromedp.Location())
	if err != nil {
		s.t.Fatalf("location: %v", err)
	}
	return loc
}

// contains reports every want that text lacks.
func contains(t *testing.T, where, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q; it reads:\n%s", where, w, text)
		}
	}
}

// lacks reports every unwanted string text holds.
func lacks(t *testing.T, where, text string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(text, u) {
			t.Errorf("%s shows %q; it reads:\n%s", where, u, text)
		}
	}
}

// The pages' landmarks: for each page of the journey, an element no other
// page of it has, which tells the page has loaded.
const (
	demovilleHome   = `#service-cantine`
	fcChoose        = `form[action$="/idp/demo"] button`
	fcLogin         = `#q`
	fcConsentAccept = `button[name="action"][value="accept"]`
)

// servicePage is the landmark of a Démoville service's page.
func servicePage(slug string) string { return `main a[href$="/compte?suite=` + slug + `"]` }

// startFranceConnect opens Démoville's home, goes to the service slug and
// clicks « S'identifier avec FranceConnect », which leads to
// FranceConnect's choice of provider; there it chooses « Démonstration ».
func (s *session) startFranceConnect(slug string) {
	s.t.Helper()
	s.open("/demoville/", demovilleHome)
	s.click("open the service "+slug, `section[aria-labelledby="service-`+slug+`"] a[href$="/demoville/`+slug+`"]`, servicePage(slug))
	s.click("click « S'identifier avec FranceConnect »", `main form[action$="/`+slug+`/connexion"] button.fc-bouton`, fcChoose)
	contains(s.t, "FranceConnect's choice of provider", s.text("main"), "Je choisis un compte pour me connecter", "Démonstration", "impots.gouv.fr")
	s.click("choose the provider « Démonstration »", fcChoose, fcLogin)
}

// choosePersona searches FranceConnect's persona list for query and clicks
// « Choisir » on the row of login, which leads to the consent page.
func (s *session) choosePersona(query, login string) {
	s.t.Helper()
	s.choosePersonaTo(query, login, fcConsentAccept)
}

// choosePersonaTo is choosePersona for a login that leads elsewhere than
// the consent page: to the element next.
func (s *session) choosePersonaTo(query, login, next string) {
	s.t.Helper()
	s.typeIn(fcLogin, query)
	// The search reloads the page; the server writes the query back as the
	// field's value attribute, which the page being left lacks.
	s.click("search the personas for "+query, `form[role="search"] button[type="submit"]`, `#q[value="`+query+`"]`)
	row := `[data-persona="` + login + `"]`
	s.click("choose the persona "+login, row+` button[type="submit"]`, next)
}

// consent reads the consent page, then clicks « Continuer sur … », which
// leads back to the service, to the element next.
func (s *session) consent(next string) string {
	s.t.Helper()
	page := s.text("main")
	s.click("consent", fcConsentAccept, next)
	return page
}

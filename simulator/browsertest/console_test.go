package browsertest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestConsoleJournal: after a canteen login, the console's journal shows
// that login's timeline — one element [data-login] holding the authorize,
// the token and the API call, for persona test.
func TestConsoleJournal(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	requireConsole(t, sb)
	s := openTab(t, sb)

	s.startFranceConnect("cantine")
	s.choosePersona("dubois", "test")
	s.consent("#tarif")
	checkJournal(t, s)
}

// checkJournal opens the console and checks the journal's timeline of the
// login just made as persona test.
func checkJournal(t *testing.T, s *session) {
	t.Helper()
	s.open("/_bacasable/", "#onglet-journal")
	// The login's timeline is the one holding an API call; entries arrive
	// by the event stream or by polling, so wait for the call to be shown.
	timeline := `#journal [data-login]:not([data-login=""]):has(li[data-entry-id][data-service="impotparticulier"])`
	s.click("open the journal", "#onglet-journal", timeline)
	for _, entry := range []string{
		`li[data-entry-id][data-service="franceconnect"][data-status="303"]`, // authorize, login, consent
		`li[data-entry-id][data-service="franceconnect"][data-status="200"]`, // pages, token, userinfo
		`li[data-entry-id][data-service="impotparticulier"][data-status="200"]`,
	} {
		s.step("find "+entry+" in the timeline", chromedp.WaitVisible(chromedp.CSS(timeline+" "+entry)))
	}
	if who := strings.TrimSpace(s.text(timeline + " h3 strong")); who != "test" {
		t.Errorf("the timeline is headed for persona %q, want test", who)
	}

	// The journey in order: authorize, then the token, then the API call.
	text := s.text(timeline)
	last := -1
	for _, path := range []string{"/api/v2/authorize?", "/api/v2/interaction/", "/api/v2/token", "/api/v2/userinfo", "/impotparticulier/1.0/dernieresituation/ir/assiettes/deuxans"} {
		i := strings.Index(text, path)
		switch {
		case i < 0:
			t.Errorf("the login's timeline lacks %s; it reads:\n%s", path, text)
		case i < last:
			t.Errorf("the login's timeline shows %s out of order; it reads:\n%s", path, text)
		default:
			last = i
		}
	}
}

// requireConsole fails the test at once when the sandbox does not serve
// the console and its journal, with a message saying so.
func requireConsole(t *testing.T, sb *sandboxtest.Sandbox) {
	t.Helper()
	for _, path := range []string{"/_bacasable/", "/_bacasable/api/journal"} {
		resp, err := http.Get(sb.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the sandbox does not serve the console: GET %s → %d (simulator.New must mount simulator/console and the control API's journal)", path, resp.StatusCode)
		}
	}
}

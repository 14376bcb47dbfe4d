package browsertest

import (
	"net/http"
	"strings"
	"testing"
	"time"

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

// checkJournal opens the console and checks the journal's lines for the
// login just made as persona test, then that login's journey, in order,
// through « Voir tout le parcours » of the API call's detail.
func checkJournal(t *testing.T, s *session) {
	t.Helper()
	s.open("/_bacasable/", "#onglet-journal")
	// Entries arrive by the event stream or by polling: wait for the API call.
	apiCall := `#journal-lignes tr[data-entry-id][data-service="impotparticulier"][data-status="200"]`
	s.click("open the journal", "#onglet-journal", apiCall)
	for _, entry := range []string{
		`#journal-lignes tr[data-service="franceconnect"][data-status="303"]`, // authorize, login, consent
		`#journal-lignes tr[data-service="franceconnect"][data-status="200"]`, // pages, token, userinfo
	} {
		s.step("find "+entry+" in the journal", chromedp.WaitVisible(chromedp.CSS(entry)))
	}

	// The API call's detail, beside the table; from it, the whole journey.
	s.click("open the API call's detail", apiCall+` button[data-action="detail"]`, `#journal-detail:not([hidden]) button[data-action="parcours"]`)
	detail := s.text("#journal-detail")
	contains(t, "the API call's detail", detail, "/impotparticulier/1.0/", "Pourquoi cette réponse", "En-têtes de la requête")
	s.step("show the journey", chromedp.Click(chromedp.CSS(`#journal-detail button[data-action="parcours"]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('#journal-recherche').value !== '' && !document.querySelector('#journal-table').hasAttribute('aria-busy')`,
			chromedp.WithPollingTimeout(20*time.Second)))
	// The journey in order: authorize, then the token, then the API call
	// (the table shows the newest first).
	text := s.text("#journal-lignes")
	last := len(text) + 1
	for _, path := range []string{"/api/v2/authorize", "/api/v2/interaction/", "/api/v2/token", "/api/v2/userinfo", "/impotparticulier/1.0/dernieresituation/ir/assiettes/deuxans"} {
		i := strings.LastIndex(text, path)
		switch {
		case i < 0:
			t.Errorf("the login's journey lacks %s; it reads:\n%s", path, text)
		case i > last:
			t.Errorf("the login's journey shows %s out of order; it reads:\n%s", path, text)
		default:
			last = i
		}
	}
}

// TestJournalFindsCorrelationID: the support reference of a call (its
// X-Correlation-ID) typed in the journal's search finds that call alone;
// its line opens its detail, and the exports follow the search.
func TestJournalFindsCorrelationID(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	requireConsole(t, sb)
	const known = "7d0c2f4e-91ab-4c5d-8e6f-a1b2c3d4e5f6"
	gw := sb.DemoToken()
	path := "/spi/" + sandboxtest.AngelaSPI + "/situations/ir/assiettes/annrev/2025"
	sb.Call(sandboxtest.APICall{Path: path, Gateway: gw, Teleservice: "BACASABLE-DEMO"})
	sb.Call(sandboxtest.APICall{Path: path, Gateway: gw, Teleservice: "BACASABLE-DEMO", Correlation: known})
	sb.Call(sandboxtest.APICall{Path: path, Gateway: gw, Teleservice: "BACASABLE-DEMO"})
	s := openTab(t, sb)

	s.open("/_bacasable/#vue-journal", `#journal-lignes tr[data-service="impotparticulier"]`)
	s.typeIn("#journal-recherche", known)
	found := `#journal-lignes tr[data-service="impotparticulier"] td.correlation code[title="` + known + `"]`
	s.step("wait for the search to keep one line", chromedp.Poll[chromedp.Void](
		`document.querySelectorAll('#journal-lignes tr').length === 1 && document.querySelector('`+found+`') !== null`,
		chromedp.WithPollingTimeout(20*time.Second)))
	if got := s.text("#journal-annonce"); !strings.Contains(got, "1 requête trouvée") {
		t.Errorf("the search's summary reads %q, want « 1 requête trouvée »", got)
	}
	for _, id := range []string{"journal-jsonl", "journal-har"} {
		href, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](`document.getElementById('`+id+`').getAttribute('href')`))
		if err != nil || !strings.Contains(href, "q="+known) {
			t.Errorf("#%s leads to %q (%v), want the search q=%s", id, href, err, known)
		}
	}

	s.click("open the line's detail", `#journal-lignes tr button[data-action="detail"]`, `#journal-detail:not([hidden]) [data-testid="correlation"]`)
	if got := strings.TrimSpace(s.text(`#journal-detail [data-testid="correlation"]`)); got != known {
		t.Errorf("the detail's correlation id is %q, want %s", got, known)
	}
	contains(t, "the detail", s.text("#journal-detail"), path, "200")
	focused, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ''`))
	if err != nil || focused != "journal-detail-titre" {
		t.Errorf("after opening the detail the focus is on #%s (%v), want its heading", focused, err)
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

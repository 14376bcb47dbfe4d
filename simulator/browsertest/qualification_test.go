package browsertest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestConsoleQualification: after a canteen login, the console's
// Qualification section shows Démoville passing; a login with a short state
// then fails fc-state, with a link to the request in the journal; « Lancer
// les fautes » queues every fault of a hostile FranceConnect.
func TestConsoleQualification(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	requireConsole(t, sb)
	s := openTab(t, sb)

	s.startFranceConnect("cantine")
	s.choosePersona("dubois", "test")
	s.consent("#tarif")

	s.open("/_bacasable/#vue-qualification", "#qualification-evaluer")
	s.click("evaluate Démoville", "#qualification-evaluer", `li[data-rule="fc-state"][data-status="passed"]`)
	if text := s.text("#qualification-regles"); strings.Contains(text, "Échouée") {
		t.Errorf("Démoville fails a rule:\n%s", text)
	}

	// A login of Démoville's client with a 5-character state.
	q := url.Values{"client_id": {"demoville"}, "redirect_uri": {sb.URL + "/demoville/callback"}, "response_type": {"code"},
		"acr_values": {"eidas1"}, "scope": {"openid identite_pivot"}, "nonce": {strings.Repeat("n", 32)}, "state": {"court"}}
	req, _ := http.NewRequest(http.MethodGet, sb.URL+"/api/v2/authorize?"+q.Encode(), nil)
	req.Header.Set(franceconnect.PersonaHeader, "test")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize with a short state: %d", resp.StatusCode)
	}

	failed := `li[data-rule="fc-state"][data-status="failed"]`
	s.click("evaluate again", "#qualification-evaluer", failed+` li[data-entry] a`)
	if text := s.text(failed); !strings.Contains(text, "court") && !strings.Contains(text, "22") {
		t.Errorf("fc-state's failure does not say why:\n%s", text)
	}
	link, err := chromedp.Run(s.ctx, chromedp.AttributeValue(chromedp.CSS(failed+` li[data-entry] a`), "href"))
	if err != nil {
		t.Fatal(err)
	}
	href := link.Value
	if !strings.HasPrefix(href, "/_bacasable/api/journal?after=") {
		t.Errorf("the evidence links to %q, not to the journal", href)
	}

	s.click("queue the faults", "#qualification-fautes", `#qualification-attente:not(:empty)`)
	want := fmt.Sprintf("%d fautes en attente pour demoville", len(franceconnect.Faults))
	if text := s.text("#qualification-attente"); !strings.Contains(text, want) {
		t.Errorf("after « Lancer les fautes »: %q, want %q", text, want)
	}
}

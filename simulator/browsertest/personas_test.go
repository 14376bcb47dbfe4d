package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestPersonasDetailBesideTheList: a persona's card opens beside the list
// on a laptop and right after it on a phone, in view either way, its
// heading focused; every choice of the « Scénario porté » filter finds
// someone.
func TestPersonasDetailBesideTheList(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	requireConsole(t, sb)
	s := openTab(t, sb)
	row := `#personas-lignes tr[data-persona="test"]`

	for _, w := range []struct {
		width  int64
		beside bool
	}{{1366, true}, {390, false}} {
		s.resize(w.width)
		s.open("/_bacasable/#vue-personas", row)
		s.click(fmt.Sprintf("open test's card at %d px", w.width), row+` button[data-action="detail"]`, `#persona-detail[data-persona-detail="test"]:not([hidden])`)
		box, err := chromedp.Run(s.ctx, chromedp.Evaluate[cardBox](`(() => {
  const l = document.querySelector('#personas-zone .maitre').getBoundingClientRect();
  const d = document.getElementById('persona-detail').getBoundingClientRect();
  return {ListRight: l.right, ListTop: l.top, ListBottom: l.bottom, DetailLeft: d.left, DetailTop: d.top, DetailBottom: d.bottom,
    ViewHeight: window.innerHeight, Focused: document.activeElement ? document.activeElement.id : ''};
})()`))
		if err != nil {
			t.Fatal(err)
		}
		if w.beside && (box.DetailLeft < box.ListRight || box.DetailTop > box.ListTop+50) {
			t.Errorf("at %d px the card is not beside the list: %+v", w.width, box)
		}
		if !w.beside && box.DetailTop < box.ListBottom {
			t.Errorf("at %d px the card is not after the list: %+v", w.width, box)
		}
		if box.DetailTop >= box.ViewHeight || box.DetailBottom <= 0 {
			t.Errorf("at %d px the card is out of view: %+v", w.width, box)
		}
		if box.Focused != "persona-detail-titre" {
			t.Errorf("at %d px the focus is on #%s, want the card's heading", w.width, box.Focused)
		}
		// Closed, the focus goes back to the persona's row.
		s.step("close the card", chromedp.Click(chromedp.CSS(`#persona-detail-fermer`)), chromedp.WaitNotVisible(chromedp.CSS(`#persona-detail`)))
		back, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](`document.activeElement.closest('tr') ? document.activeElement.closest('tr').dataset.persona : ''`))
		if err != nil || back != "test" {
			t.Errorf("at %d px, the card closed, the focus is in row %q (%v), want test's", w.width, back, err)
		}
	}

	// Every scenario offered is carried by someone.
	options, err := chromedp.Run(s.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#personas-scenario option')].map(o => o.value).filter(Boolean)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(options) == 0 {
		t.Fatal("the « Scénario porté » filter offers no scenario")
	}
	for _, name := range options {
		s.step("filter on "+name, chromedp.SetValue(chromedp.CSS(`#personas-scenario`), name),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('personas-scenario').dispatchEvent(new Event('change'))`),
			chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('#personas-lignes tr')].length > 0 && [...document.querySelectorAll('#personas-lignes tr')].every(tr => tr.textContent.includes('`+name+`'))`,
				chromedp.WithPollingTimeout(20*time.Second)))
		if summary := s.text("#personas-resume"); strings.Contains(summary, "Aucun") {
			t.Errorf("the filter %s finds nobody: %s", name, summary)
		}
	}
}

// cardBox is where a persona's card stands against the list, and what has
// the focus.
type cardBox struct {
	ListRight, ListTop, ListBottom, DetailLeft, DetailTop, DetailBottom, ViewHeight float64
	Focused                                                                         string
}

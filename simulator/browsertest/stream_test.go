package browsertest

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestJournalStreamSurvivesRestart: the console follows the journal live;
// the sandbox stops (its shutdown ends the stream) — the badge no longer
// says « En direct » and a notice says it tries again; the sandbox starts
// again at the same address, with a journal of its own whose ids start
// again at 1 — the console reconnects, says so, and shows the new
// sandbox's requests instead of the old ones.
func TestJournalStreamSurvivesRestart(t *testing.T) {
	findChromium(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	url := "http://" + addr
	serve := func(ln net.Listener) *http.Server {
		sb, err := simulator.New(simulator.Config{PublicURL: url, Clock: clock.NewFrozen(sandboxtest.AfterTaxation)})
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: sb.Handler()}
		srv.RegisterOnShutdown(sb.EndStreams)
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
		return srv
	}
	first := serve(ln)
	s := openTab(t, &sandboxtest.Sandbox{URL: url})

	s.open("/_bacasable/#vue-journal", `#journal-etat.en-direct`)
	s.step("wait for the live stream", chromedp.Poll[chromedp.Void](`document.getElementById('journal-etat').textContent === 'En direct'`,
		chromedp.WithPollingTimeout(20*time.Second)))

	// Two requests to the first sandbox: entries 1 and 2 of its journal.
	postToken(t, url)
	postToken(t, url)
	s.step("wait for them", chromedp.Poll[chromedp.Void](`document.querySelectorAll('#journal-lignes tr').length === 2`,
		chromedp.WithPollingTimeout(20*time.Second)))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := first.Shutdown(ctx); err != nil {
		t.Fatalf("stopping the first sandbox with a console open: %v", err)
	}
	s.step("wait for the badge to say it reconnects", chromedp.Poll[chromedp.Void](
		`document.getElementById('journal-etat').textContent !== 'En direct' && !document.getElementById('journal-connexion').hidden`,
		chromedp.WithPollingTimeout(20*time.Second)))
	contains(t, "the notice of a dropped stream", s.text("#journal-connexion"), "interrompu", "nouvelle tentative")

	// The sandbox starts again, at the same address (once the port is free).
	var ln2 net.Listener
	for range 50 {
		if ln2, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("listening again on %s: %v", addr, err)
	}
	serve(ln2)
	s.step("wait for the stream to be back", chromedp.Poll[chromedp.Void](
		`document.getElementById('journal-etat').textContent === 'En direct' && document.getElementById('journal-connexion').textContent.includes('rétabli')`,
		chromedp.WithPollingTimeout(30*time.Second)))
	// A request to the new sandbox shows, though its journal started again at 1.
	postToken(t, url)
	s.step("wait for the new sandbox's request alone", chromedp.Poll[chromedp.Void](
		`document.querySelectorAll('#journal-lignes tr').length === 1 && document.querySelector('#journal-lignes tr[data-service="passerelle"][data-entry-id="1"]') !== null`,
		chromedp.WithPollingTimeout(20*time.Second)))
}

// postToken makes a request the journal records: a gateway token request
// without credentials.
func postToken(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Post(url+"/token", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

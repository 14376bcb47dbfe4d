package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

func TestFloorNote(t *testing.T) {
	got := floorNote(35*time.Microsecond, 120*time.Microsecond, 330*time.Microsecond, 29*time.Microsecond)
	for _, want := range []string{"row: 120 µs, against 3 × 35 µs", "2 × 29 µs", "= 178 µs", "used 330 µs: 152 µs of it"} {
		if !strings.Contains(got, want) {
			t.Errorf("floorNote: no %q in\n%s", want, got)
		}
	}
}

// TestCannedLogin: a login recorded from a sandbox, saved and read back,
// is answered by the bare handler well enough for the bench's own login
// to pass against it; other paths still get the bare answer.
func TestCannedLogin(t *testing.T) {
	sb := sandboxtest.New(t, sandboxtest.AfterTaxation, nil)
	client := newClient(2)
	canned, err := recordLogin(t.Context(), &sandbox{base: sb.URL, http: client})
	if err != nil {
		t.Fatal(err)
	}
	if a := canned[authorizePath]; a.Status != http.StatusSeeOther || a.Header.Get("Content-Security-Policy") == "" || a.Header.Get("Date") != "" {
		t.Errorf("recorded authorize: %d %v", a.Status, a.Header)
	}
	file := filepath.Join(t.TempDir(), "canned.json")
	if err := canned.write(file); err != nil {
		t.Fatal(err)
	}
	back, err := readCannedLogin(file)
	if err != nil {
		t.Fatal(err)
	}
	bare := httptest.NewServer(back.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bareBody)
	})))
	defer bare.Close()
	replay := &sandbox{base: bare.URL, http: client}
	for range 3 {
		if err := replay.fullLogin(t.Context()); err != nil {
			t.Fatalf("login against the canned answers: %v", err)
		}
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, bare.URL+"/", nil)
	if _, body, err := send(client, req); err != nil || !bytes.Equal(body, bareBody) {
		t.Errorf("GET / on the bare handler: %q, %v", body, err)
	}
	ui := canned[userinfoPath]
	if strings.Count(string(ui.Body), ".") != 2 || ui.Header.Get("Content-Type") != "application/jwt; charset=utf-8" {
		t.Errorf("recorded userinfo: %v %q", ui.Header, ui.Body)
	}
}

func TestES256Cost(t *testing.T) {
	d, err := es256Cost()
	if err != nil {
		t.Fatal(err)
	}
	if d <= 0 {
		t.Fatalf("es256Cost = %v: the thread's CPU time did not move", d)
	}
	t.Logf("one ES256 signature: %v of CPU", d)
}

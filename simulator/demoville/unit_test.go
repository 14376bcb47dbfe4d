package demoville

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestQuotientFamilialBrackets(t *testing.T) {
	bs := DefaultBrackets()
	for _, tc := range []struct {
		rfr    int64
		nbPart float64
		qf     int
		code   string
	}{
		{41220, 3, 1145, "D"}, // the DUBOIS household
		{50760, 6, 705, "C"},  // the N'DIAYE household
		{14400, 3, 400, "A"},  // exactly on a ceiling: the lower bracket
		{14436, 3, 401, "B"},
		{14435, 3, 400, "A"}, // 400.97 rounds down
		{54000, 3, 1500, "D"},
		{54036, 3, 1501, "E"},
		{0, 1, 0, "A"},
	} {
		qf := quotientFamilial(tc.rfr, tc.nbPart)
		if qf != tc.qf || bracketFor(bs, qf).Code != tc.code {
			t.Errorf("rfr %d, %v parts: QF %d tariff %s, want %d %s", tc.rfr, tc.nbPart, qf, bracketFor(bs, qf).Code, tc.qf, tc.code)
		}
	}
	if got := euroCents(390); got != "3,90\u00a0€" {
		t.Errorf("euroCents = %q", got)
	}
	if got := parts(2.5); got != "2,5" {
		t.Errorf("parts = %q", got)
	}
}

func TestParkingZone(t *testing.T) {
	s := &Site{}
	var err error
	if s.zone, err = parseZone([]string{"33130 Bègles", "33140 Villenave-d'Ornon", "94300 Saint-Mandé"}); err != nil {
		t.Fatal(err)
	}
	str := func(v string) *string { return &v }
	for _, tc := range []struct {
		name    string
		sit     situationIR
		cp      string
		commune string
		in      bool
	}{
		{"aftDetail", situationIR{AftDetail: &aftDetail{CodePostal: str("33130"), Commune: str("BEGLES")}}, "33130", "BEGLES", true},
		{"aftDetail, 2019 names", situationIR{AftDetail: &aftDetail{CodePostal2019: str("33140"), Commune2019: str("VILLENAVE D ORNON")}}, "33140", "VILLENAVE D ORNON", true},
		{"aft line only", situationIR{Aft: str("BAT 3 APT 93 10 RUE DU CENTRE 93160 NOISY LE GRAND")}, "93160", "NOISY LE GRAND", false},
		{"saint abbreviated", situationIR{Aft: str("1 RUE X 94300 ST MANDE")}, "94300", "ST MANDE", true},
		{"same postal code, other commune", situationIR{Aft: str("1 RUE X 33140 CADAUJAC")}, "33140", "CADAUJAC", false},
		{"empty aftDetail, aft line", situationIR{Aft: str("12 RUE DES ECOLES 33130 BEGLES"), AftDetail: &aftDetail{}}, "33130", "BEGLES", true},
	} {
		addr, ok := fiscalAddress(&tc.sit)
		if !ok || addr.PostalCode != tc.cp || addr.Commune != tc.commune {
			t.Errorf("%s: %+v %v", tc.name, addr, ok)
			continue
		}
		if _, in := s.inZone(addr.PostalCode, addr.Commune); in != tc.in {
			t.Errorf("%s: in zone %v", tc.name, in)
		}
	}
	if _, ok := fiscalAddress(&situationIR{Aft: str("ADRESSE SANS CODE")}); ok {
		t.Error("an address without postal code was read")
	}
}

// fakeDGFiP is a gateway and an API answering what the test says.
type fakeDGFiP struct {
	tokens atomic.Int32
	calls  atomic.Int32
	api    func(w http.ResponseWriter, r *http.Request, call int32)
}

func (f *fakeDGFiP) client(t *testing.T) *impotsClient {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			id, secret, _ := r.BasicAuth()
			if id != "demo" || secret != "secret" || r.FormValue("scope") != gatewayScope {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
				return
			}
			n := f.tokens.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "gw" + string(rune('0'+n)), "token_type": "Bearer", "expires_in": 3600})
			return
		}
		f.api(w, r, f.calls.Add(1))
	}))
	t.Cleanup(srv.Close)
	return newImpotsClient(impotsConfig{
		APIURL: srv.URL + "/impotparticulier/1.0", TokenURL: srv.URL + "/token",
		ClientID: "demo", ClientSecret: "secret", Teleservice: "DEMO",
		Client: &http.Client{Timeout: 5 * time.Second}, Logger: slog.New(slog.DiscardHandler),
	})
}

func erreur(status, code int, message string) func(http.ResponseWriter, *http.Request, int32) {
	return func(w http.ResponseWriter, r *http.Request, _ int32) {
		w.Header().Set("Content-Type", "application/json")
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "90")
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"erreur": map[string]any{"code": code, "message": message, "horodatage": "2026-11-25T11:00:00"}})
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestAPIRequest(t *testing.T) {
	f := &fakeDGFiP{api: func(w http.ResponseWriter, r *http.Request, _ int32) {
		h := r.Header
		switch {
		case h.Get("Authorization") != "Bearer gw1", !uuidV4.MatchString(h.Get("X-Correlation-ID")), h.Get("ID_Teleservice") != "DEMO":
			t.Errorf("headers %v", h)
		case r.URL.Path == "/impotparticulier/1.0/dernieresituation/ir/assiettes/deuxans" && h.Get("X-FranceConnect-OAuth") != "fc-token":
			t.Errorf("FranceConnect mode without X-FranceConnect-OAuth: %v", h)
		case r.URL.Path == "/impotparticulier/1.0/spi/3999999887219/dernieresituation/ir/assiettes/deuxans" && h.Get("X-FranceConnect-OAuth") != "":
			t.Errorf("SPI mode with X-FranceConnect-OAuth")
		}
		w.Header().Set("Content-Type", mediaDerniereSituationIR)
		_, _ = w.Write([]byte(`{"annRevenu":2025,"rfr":41220,"nbPart":3,"sitFam":"M","pac":{"nbPac":2},"aft":null}`))
	}}
	c := f.client(t)
	for _, who := range []subject{{FranceConnectToken: "fc-token"}, {SPI: "3999999887219"}} {
		sit, ref, err := c.derniereSituation(context.Background(), who)
		if err != nil {
			t.Fatal(err)
		}
		if *sit.RFR != 41220 || *sit.NbPart != 3 || *sit.AnnRevenu != 2025 || *sit.Pac.NbPac != 2 || sit.Aft != nil || !uuidV4.MatchString(ref) {
			t.Errorf("%+v %s", sit, ref)
		}
	}
	if f.tokens.Load() != 1 {
		t.Errorf("%d gateway tokens for two calls: not cached", f.tokens.Load())
	}
}

func TestAPIRetriesOnceWithANewGatewayToken(t *testing.T) {
	f := &fakeDGFiP{api: func(w http.ResponseWriter, r *http.Request, call int32) {
		if r.Header.Get("Authorization") == "Bearer gw1" {
			erreur(http.StatusUnauthorized, 4010, "Jeton invalide")(w, r, call)
			return
		}
		_, _ = w.Write([]byte(`{"annRevenu":2025,"rfr":1,"nbPart":1}`))
	}}
	if _, _, err := f.client(t).derniereSituation(context.Background(), subject{SPI: "3999999887219"}); err != nil {
		t.Fatal(err)
	}
	if f.tokens.Load() != 2 || f.calls.Load() != 2 {
		t.Errorf("%d tokens, %d calls", f.tokens.Load(), f.calls.Load())
	}
}

func TestAPIErrorsForTheCitizen(t *testing.T) {
	for _, tc := range []struct {
		name    string
		api     func(http.ResponseWriter, *http.Request, int32)
		spi     bool
		ctx     func() (context.Context, context.CancelFunc)
		status  int
		level   slog.Level
		message string
	}{
		{name: "410 not yet taxed", api: erreur(410, 4101, "Aucun résultat"), status: 200, level: slog.LevelInfo,
			message: "vos informations fiscales pour cette année ne sont pas encore disponibles"},
		{name: "410 unknown SPI", api: erreur(410, 4102, "SPI inconnu"), spi: true, status: 200, level: slog.LevelWarn,
			message: "ne correspond à aucun usager"},
		{name: "404 not a declarant", api: erreur(404, 4040, "Personne non trouvée"), status: 200, level: slog.LevelInfo,
			message: "l'administration fiscale ne vous connaît pas comme déclarant"},
		{name: "204", api: func(w http.ResponseWriter, _ *http.Request, _ int32) { w.WriteHeader(http.StatusNoContent) }, status: 200, level: slog.LevelInfo,
			message: "ne vous connaît pas comme déclarant"},
		{name: "403 consent", api: erreur(403, 4033, "Jeton FranceConnect invalide"), status: 200, level: slog.LevelInfo,
			message: "vous n'avez pas autorisé démoville"},
		{name: "403 habilitation", api: erreur(403, 4031, "Accès refusé"), status: 500, level: slog.LevelError,
			message: "problème technique de notre côté"},
		{name: "400", api: erreur(400, 4000, "Requête mal formée"), status: 500, level: slog.LevelError,
			message: "problème technique de notre côté"},
		{name: "429", api: erreur(429, 4290, "Quota dépassé"), status: 503, level: slog.LevelWarn,
			message: "trop de demandes"},
		{name: "500", api: erreur(500, 5000, "Erreur technique"), status: 502, level: slog.LevelError,
			message: "le service des impôts ne répond pas"},
		{name: "503", api: erreur(503, 5030, "Indisponible"), status: 502, level: slog.LevelWarn,
			message: "le service des impôts ne répond pas"},
		{name: "timeout", api: func(w http.ResponseWriter, r *http.Request, _ int32) {},
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithDeadline(context.Background(), time.Unix(0, 0))
			},
			status: 504, level: slog.LevelWarn, message: "le service des impôts ne répond pas"},
		{name: "gateway without JSON", api: func(w http.ResponseWriter, _ *http.Request, _ int32) {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>Bad Gateway</html>"))
		}, status: 502, level: slog.LevelWarn, message: "le service des impôts ne répond pas"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := (&fakeDGFiP{api: tc.api}).client(t)
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			who := subject{FranceConnectToken: "fc"}
			if tc.spi {
				who = subject{SPI: "3999999887219"}
			}
			_, ref, err := c.derniereSituation(ctx, who)
			if err == nil {
				t.Fatal("no error")
			}
			p := apiProblem(err, tc.spi)
			all := strings.ToLower(p.Title + " " + p.Message + " " + p.Hint)
			if p.Status != tc.status || p.Level != tc.level || !strings.Contains(all, strings.ToLower(tc.message)) || p.Ref != ref {
				t.Errorf("got %d %v %q (ref %q), want %d %v …%q…", p.Status, p.Level, all, p.Ref, tc.status, tc.level, tc.message)
			}
			if tc.name == "429" && !strings.Contains(p.Hint, "2 minutes") {
				t.Errorf("Retry-After not told: %q", p.Hint)
			}
		})
	}
}

func TestGatewayRefusesCredentials(t *testing.T) {
	c := (&fakeDGFiP{api: func(http.ResponseWriter, *http.Request, int32) { t.Error("API called without token") }}).client(t)
	c.gateway.ClientSecret = "wrong"
	_, _, err := c.derniereSituation(context.Background(), subject{SPI: "3999999887219"})
	if p := apiProblem(err, true); p.Status != http.StatusInternalServerError || p.Level != slog.LevelError {
		t.Errorf("gateway refusal: %d %v %s", p.Status, p.Level, p.Message)
	}
}

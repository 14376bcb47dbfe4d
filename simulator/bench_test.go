package simulator_test

import (
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/population"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// BenchmarkStart100k measures what `bacasable --population 100000` does
// before it listens: the fixtures, 100 000 generated personas and their
// foyers checked, every service built. It reports the heap the running
// sandbox keeps (heap-MB, after a collection, with the lookups it builds
// in the background once started) next to the time.
func BenchmarkStart100k(b *testing.B) {
	gen := population.Generator{N: 100_000, Seed: 1}.Documents
	b.ReportAllocs()
	var heap uint64
	for b.Loop() {
		sb, err := simulator.New(simulator.Config{PublicURL: "http://localhost:8080", Generate: gen})
		if err != nil {
			b.Fatal(err)
		}
		if n := len(sb.Population.Personas()); n < 100_000 {
			b.Fatalf("%d personas", n)
		}
		b.StopTimer()
		// The lookups built in the background after the start.
		pop := sb.Population.Current()
		pop.Search("x")
		pop.ByIdentity("x")
		pop.FoyersOf("x")
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = ms.HeapAlloc
		runtime.KeepAlive(sb)
		b.StartTimer()
	}
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
}

// BenchmarkServe100k measures requests to a sandbox holding 100 000
// generated personas, through its HTTP server: an API call in SPI mode
// for a different declarant each time (so most compute their avis for the
// first time), a whole FranceConnect login followed by an API call, and
// the control API's searches the console makes.
func BenchmarkServe100k(b *testing.B) {
	s := sandboxtest.New(b, sandboxtest.AfterTaxation, func(cfg *simulator.Config) {
		cfg.Generate = population.Generator{N: 100_000, Seed: 1}.Documents
	})
	var declarants []*population.Persona
	for _, p := range s.SB.Population.Personas() {
		if s.SB.Population.FoyerRole(p.ID) == population.RoleDeclarant && strings.HasPrefix(p.ID, "gen-") {
			declarants = append(declarants, p)
		}
	}
	// The quota of BACASABLE-DEMO is 200 calls a minute of the (frozen)
	// clock: move it a minute every 150 calls, with a new gateway token.
	var gw string
	calls := 0
	token := func() string {
		if calls%150 == 0 {
			s.Clock.Advance(time.Minute)
			gw = s.DemoToken()
		}
		calls++
		return gw
	}
	b.Run("api-spi", func(b *testing.B) {
		i := 0
		for b.Loop() {
			p := declarants[i*7919%len(declarants)]
			i++
			// 410 for a year with a death: two avis, the answer of the real API.
			if a := s.Call(sandboxtest.APICall{Path: "/spi/" + p.SPI + "/situations/ir/assiettes/annrev/2025", Gateway: token(), Teleservice: "BACASABLE-DEMO"}); a.Status != 200 && a.Status != 410 {
				b.Fatalf("%s: %d %s", p.ID, a.Status, a.Raw)
			}
		}
	})
	b.Run("login-and-api", func(b *testing.B) {
		i := 0
		for b.Loop() {
			p := declarants[i*104729%len(declarants)]
			i++
			fc := s.FCToken(p.Login, "openid identite_pivot dgfip_rfr dgfip_nbpart")
			if a := s.Call(sandboxtest.APICall{Path: "/situations/ir/assiettes/annrev/2025", Gateway: token(), FC: fc, Teleservice: "BACASABLE-DEMO"}); a.Status != 200 && a.Status != 410 {
				b.Fatalf("%s: %d %s", p.ID, a.Status, a.Raw)
			}
		}
	})
	for _, path := range []string{"personas?q=martin&limit=20", "foyers?q=lyon&limit=20", "personas?limit=20&offset=50000"} {
		b.Run("control "+path, func(b *testing.B) {
			for b.Loop() {
				resp, err := http.Get(s.URL + "/_bacasable/api/" + path)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("%s: %d", path, resp.StatusCode)
				}
			}
		})
	}
}

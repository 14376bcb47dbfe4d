package impotparticulier_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator"
	"github.com/bacasable/bacasable/simulator/sandboxtest"
)

// TestAnswersEncodedAsEncodingJSON: every answer (errors too) for every fixture
// household, for every resource and year, is byte for byte what
// encoding/json writes for the same tree (keys sorted, HTML left as is).
// The API encodes without reflection (simulator/jsonenc); this is the
// golden comparison that keeps it honest.
func TestAnswersEncodedAsEncodingJSON(t *testing.T) {
	s := sandboxtest.New(t, sandboxtest.AfterTaxation, func(c *simulator.Config) { c.Fixtures = sandboxtest.UnlimitedQuota(t) })
	gw := s.GatewayToken("bacasable-complet", "bacasable-complet-secret", sandboxtest.AllIR)
	seen := map[string]bool{}
	answers := 0
	for _, p := range s.SB.Population.Personas() {
		if p.SPI == "" || seen[p.SPI] {
			continue
		}
		seen[p.SPI] = true
		for _, path := range []string{
			"situations/ir/assiettes/annrev/2025", "situations/ir/assiettes/annrev/2024", "dernieresituation/ir/assiettes/annrev/2025",
			"dernieresituation/ir/assiettes/deuxans", "situations/ir/assiettes/multiple/annrev/2025", "situations/ir/factures/annrev/2025",
			"situations/ifiisf/assiettes/annrev/2025",
		} {
			a := s.Call(sandboxtest.APICall{Path: "/spi/" + p.SPI + "/" + path, Gateway: gw, Teleservice: "BACASABLE-COMPLET"})
			if a.Status == 204 || a.Raw == "" { // a scenario's delay or cut
				continue
			}
			dec := json.NewDecoder(strings.NewReader(a.Raw))
			dec.UseNumber()
			var tree any
			if err := dec.Decode(&tree); err != nil {
				t.Fatalf("%s %s: %v", p.ID, path, err)
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(tree)
			if a.Raw != want.String() {
				t.Errorf("%s %s:\n got %s\nwant %s", p.ID, path, a.Raw, want.String())
			}
			if a.Status == 200 {
				answers++
			}
		}
	}
	if answers < 50 {
		t.Errorf("only %d answers compared", answers)
	}
}

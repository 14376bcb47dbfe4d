// Package banner says what makes the sandbox behave otherwise than its
// fixtures right now — scenario activations, a clock set, moved or frozen
// since start — for the banner FranceConnect's and Démoville's pages show
// above their content, with the way to clear it. The console draws the same
// banner itself, from the control API.
//
// The pages cannot clear anything themselves: the control API answers only
// the sandbox's own origin, with its Host check and cross-site protections
// (simulator/hostguard, simulator/control). The banner links to the
// console's scenarios, whose « Tout désactiver » clears the activations and
// puts the clock back in one click (docs/scenarios.md).
package banner

import (
	"fmt"
	"strings"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// ConsolePath is where the banner's link leads, under the public URL: the
// console's scenarios and its « Tout désactiver ».
const ConsolePath = "/_bacasable/#vue-scenarios"

// Banner is what a page says of the sandbox's state.
type Banner struct {
	// Scenarios are the activations in force, one sentence each:
	// « DGFiP indisponible » (dgfip-indisponible), pour tout le bac à
	// sable, jusqu'au retrait.
	Scenarios []string
	// Clock says how the clock differs from its setting at start, or is
	// empty.
	Clock string
	// ClearURL is the console's page that clears it all.
	ClearURL string
}

// Text is the banner's sentence, after « Comportement modifié : »: each
// scenario, then the clock, separated by « ; ».
func (b *Banner) Text() string {
	parts := make([]string, 0, len(b.Scenarios)+1)
	for _, s := range b.Scenarios {
		parts = append(parts, "scénario "+s)
	}
	if b.Clock != "" {
		parts = append(parts, b.Clock)
	}
	return strings.Join(parts, " ; ")
}

// Scenarios are the activations, and the scenarios for their titles.
type Scenarios interface {
	Set() *scenario.Set
	Activations() []scenario.Activation
}

// Clock is the sandbox's clock and its setting.
type Clock interface {
	Now() time.Time
	State() clock.State
}

var (
	_ Scenarios = (*scenario.Engine)(nil)
	_ Clock     = (*clock.Virtual)(nil)
)

// Source builds the banner from the sandbox's state.
type Source struct {
	Scenarios Scenarios
	Clock     Clock
	// Start is the clock's setting at start, which POST /clock/reset
	// returns to: the clock is said to be moved when it differs.
	Start clock.State
	// PublicURL is the sandbox's base URL, for ClearURL.
	PublicURL string
}

// Banner returns the banner to show, or nil when the sandbox behaves as
// its fixtures say (no activation, the clock as it started).
func (s *Source) Banner() *Banner {
	var b Banner
	set := s.Scenarios.Set()
	for _, a := range s.Scenarios.Activations() {
		b.Scenarios = append(b.Scenarios, describe(a, set))
	}
	if st := s.Clock.State(); !st.Equal(s.Start) {
		now := s.Clock.Now().In(clock.Paris()).Format("02/01/2006 à 15:04")
		if st.Frozen != nil {
			b.Clock = "horloge figée au " + now
		} else {
			b.Clock = "horloge déplacée : il est " + now + " pour le bac à sable"
		}
	}
	if len(b.Scenarios) == 0 && b.Clock == "" {
		return nil
	}
	b.ClearURL = s.PublicURL + ConsolePath
	return &b
}

// describe says one activation in French.
func describe(a scenario.Activation, set *scenario.Set) string {
	title := a.Scenario
	if sc, ok := set.Get(a.Scenario); ok && sc.Title != "" {
		title = sc.Title
	}
	var scope string
	switch a.Scope {
	case scenario.ScopeClient:
		scope = "pour le client " + a.Target
	case scenario.ScopePersona:
		scope = "pour le persona " + a.Target
	default:
		scope = "pour tout le bac à sable"
	}
	until := "jusqu'au retrait"
	if a.Calls > 0 {
		until = fmt.Sprintf("encore %d appel%s", a.Calls, plural(a.Calls))
	}
	return fmt.Sprintf("« %s » (%s), %s, %s", title, a.Scenario, scope, until)
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

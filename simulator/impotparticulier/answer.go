package impotparticulier

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/population"
)

// answer finds the household's avis for the call's year and writes the
// resource's body, as the habilitation and the consent allow; none is
// why there is no answer to give (a 204) when body is nil. The body is
// written in a buffer of bodies (putBody gives it back).
func (a *API) answer(c *call) (body []byte, none string, e *Erreur) {
	now := a.cfg.Clock.Now()
	ref := now.In(clock.Paris()).Year() - 1 // the fixtures' N-1
	latest := a.cfg.Calendar.LatestAvailable(now)
	allowed := allowedFields(c.hab.fields, c.consent)
	b := getBody()

	if c.op.Resource == DeuxAns {
		avis, e := a.deuxAns(c, ref, latest)
		if e != nil {
			return nil, "", e
		}
		return a.write(a.answers.appendAnswer(b, derniereSituationAnswer, avis, allowed), avis)
	}
	annrev, _ := strconv.Atoi(c.params["annrev"])
	if e := a.checkYear(c, annrev, latest); e != nil {
		return nil, "", e
	}
	avis, e := a.avis(c, annrev, ref)
	if e != nil {
		return nil, "", e
	}
	last := avis[len(avis)-1]
	switch c.op.Resource {
	case Situations:
		if len(avis) > 1 {
			return nil, "", ErrAucunResultat.With("l'année %d a %d avis (décès en cours d'année) : utilisez dernieresituation ou situations/ir/assiettes/multiple", annrev, len(avis))
		}
		return a.write(a.answers.appendAnswer(b, situationAnswer, last, allowed), last)
	case DerniereSituation:
		return a.write(a.answers.appendAnswer(b, derniereSituationAnswer, last, allowed), last)
	case Factures:
		if len(avis) > 1 {
			return nil, "", ErrAucunResultat.With("l'année %d a %d avis (décès en cours d'année) : utilisez situations/ir/assiettes/multiple", annrev, len(avis))
		}
		return a.write(a.answers.appendAnswer(b, facturesAnswer, last, allowed), last)
	case Multiple:
		b = append(b, `{"situationsIR":[`...)
		for i, av := range avis {
			if i > 0 {
				b = append(b, ',')
			}
			b = a.answers.appendAnswer(b, multipleAnswer, av, allowed)
		}
		return a.write(append(b, "]}"...), avis...)
	case IFI:
		if !last.IFI {
			return nil, "", ErrAucunResultat.With("le foyer n'est pas redevable de l'IFI pour %d", annrev)
		}
		return appendView(b, ifiObject, struct{}{}, allowed), "", nil
	case LEP:
		// The 204 « Aucune réponse ne peut être apportée » has no body.
		// The published contract lists it without saying when; the
		// sandbox gives it when the household and its avis are known but
		// the barème asked for is later than the clock's year, so that no
		// ceiling exists to compare the RFR with (an assumption).
		if bareme, _ := strconv.Atoi(c.params["bareme"]); bareme > now.In(clock.Paris()).Year() {
			return nil, fmt.Sprintf("le barème %d du LEP n'est pas encore connu (nous sommes en %d) : aucune réponse ne peut être apportée", bareme, now.In(clock.Paris()).Year()), nil
		}
		return a.write(appendView(b, lepObject, lepStatut(last, c.params["departement"]), allowed), last)
	}
	return nil, "", ErrTechnique.With("ressource %s sans réponse", c.op.Resource)
}

// bodies are the buffers answers are written in: an answer is a few
// kilobytes, and allocating them was a third of an API call's memory.
var bodies = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// getBody is an empty buffer of bodies.
func getBody() []byte { return (*bodies.Get().(*[]byte))[:0] }

// putBody gives an answer's buffer back once written to the client.
func putBody(b []byte) {
	if cap(b) <= 64<<10 {
		bodies.Put(&b)
	}
}

// write is the body written from avis, or a 5000 when one of their
// numbers has no JSON form.
func (a *API) write(body []byte, avis ...*population.Avis) ([]byte, string, *Erreur) {
	if !finite(avis) {
		putBody(body)
		return nil, "", ErrTechnique.With("réponse impossible à encoder : un nombre de parts n'est pas un nombre")
	}
	return body, "", nil
}

// deuxAns finds the latest available avis, or the one before when the
// household has none for the latest year.
func (a *API) deuxAns(c *call, ref, latest int) (*population.Avis, *Erreur) {
	for _, year := range []int{latest, latest - 1} {
		f, avis, ok := a.cfg.Households.AvisBySPI(c.spi, year, ref)
		if !ok {
			return nil, a.unknownSPI(c)
		}
		journal.Why(c.ctx, foyerNote(f, year, len(avis)))
		if len(avis) > 0 {
			return avis[len(avis)-1], nil
		}
	}
	return nil, ErrAucunResultat.With("aucun avis pour %d ni %d", latest, latest-1)
}

// checkYear applies the taxation calendar, the habilitation's years rule
// and, in FranceConnect mode, the years the user consented to.
func (a *API) checkYear(c *call, annrev, latest int) *Erreur {
	if annrev > latest {
		return ErrAucunResultat.With("les revenus %d ne sont pas encore taxés : disponibles à partir du %s ; dernière année disponible : %d",
			annrev, a.cfg.Calendar.TaxationDate(annrev).Format("02/01/2006"), latest)
	}
	if c.op.Resource == LEP {
		return nil
	}
	var buf [4]int // the four years rules
	years := a.yearsOf(buf[:0], c.hab.Annees, latest)
	if !slices.Contains(years, annrev) {
		return ErrAccesRefuse.With("l'habilitation %s couvre les revenus %s (règle %s), pas %d", c.hab.IDTeleservice, joinYears(years), strings.Join(c.hab.Annees, ", "), annrev)
	}
	if c.consent != nil {
		var rbuf [4]string
		rules := rbuf[:0]
		for _, s := range c.consent {
			if rule, ok := strings.CutPrefix(s, "dgfip_annee_"); ok {
				rules = append(rules, rule)
			}
		}
		if len(rules) > 0 {
			var cbuf [4]int
			if consented := a.yearsOf(cbuf[:0], rules, latest); !slices.Contains(consented, annrev) {
				return ErrJetonFC.With("l'usager a consenti aux revenus %s, pas %d", joinYears(consented), annrev)
			}
		}
	}
	return nil
}

// yearsOf appends to out the revenue years of years rules at the clock's
// year N.
func (a *API) yearsOf(out []int, rules []string, latest int) []int {
	n := a.cfg.Clock.Now().In(clock.Paris()).Year()
	for _, r := range rules {
		year := 0
		switch r {
		case "n_moins_1":
			year = n - 1
		case "n_moins_2":
			year = n - 2
		case "n_moins_3":
			year = n - 3
		case "n_moins_2_si_indispo_n_moins_1":
			year = latest
		}
		// Each year once, in the rules' order: « 2025, 2024 », not
		// « 2025, 2024, 2025 » for n_moins_1, n_moins_2 and the fallback.
		if year != 0 && !slices.Contains(out, year) {
			out = append(out, year)
		}
	}
	return out
}

func joinYears(years []int) string {
	s := make([]string, len(years))
	for i, y := range years {
		s[i] = strconv.Itoa(y)
	}
	return strings.Join(s, ", ")
}

// avis returns the avis of annrev for the call's SPI.
func (a *API) avis(c *call, annrev, ref int) ([]*population.Avis, *Erreur) {
	f, avis, ok := a.cfg.Households.AvisBySPI(c.spi, annrev, ref)
	if !ok {
		return nil, a.unknownSPI(c)
	}
	journal.Why(c.ctx, foyerNote(f, annrev, len(avis)))
	if len(avis) == 0 {
		return nil, ErrAucunResultat.With("aucune déclaration des revenus %d pour ce foyer", annrev)
	}
	return avis, nil
}

// foyerNote is the journal's note of the avis found: « foyer F (fixtures),
// revenus 2025 : 1 avis ».
func foyerNote(f *population.Foyer, annrev, n int) string {
	return "foyer " + f.ID + " (fixtures), revenus " + strconv.Itoa(annrev) + " : " + strconv.Itoa(n) + " avis"
}

func (a *API) unknownSPI(c *call) *Erreur {
	if c.op.FCMode {
		return ErrUsagerInconnu.With("l'usager n'est déclarant d'aucun foyer fiscal")
	}
	return ErrSPIInconnu.With("le SPI %s n'est déclarant d'aucun foyer fiscal du bac à sable", c.spi)
}

// lepStatut says whether the household may open a livret d'épargne
// populaire: its RFR under the ceiling for its parts (2025 ceilings: 22 823 €
// for one part plus 6 095 € per half-part in metropolitan France; 27 009 €
// plus 7 212 € overseas). The sandbox uses these for every barème year.
func lepStatut(a *population.Avis, departement string) string {
	base, half := 22823.0, 6095.0
	if strings.HasPrefix(departement, "97") {
		base, half = 27009.0, 7212.0
	}
	ceiling := base + (a.NbPart-1)*2*half
	if float64(a.RFR) <= ceiling {
		return "O"
	}
	return "N"
}

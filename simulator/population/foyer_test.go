package population

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/fixtures"
	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/simulator/fixture"
)

// ref is the latest revenue year the tests use: the clock in 2026.
const ref = 2025

// SPIs of the embedded personas used below.
const (
	spiAngela    = "3999999887219"
	spiGerard    = "3999999810142"
	spiDanielle  = "3999999826158"
	spiRene      = "3999999827159"
	spiMaxime    = "3999999828160"
	spiInes      = "3999999829161"
	spiStephane  = "3999999830162"
	spiYanis     = "3999999825157"
	spiNadia     = "3999999831163"
	spiCharlesEd = "3999999821153"
)

var embeddedCOG = sync.OnceValues(func() (*COG, error) { return LoadCOG(fixtures.FS()) })

func testCOG(t *testing.T) *COG {
	t.Helper()
	cog, err := embeddedCOG()
	if err != nil {
		t.Fatalf("LoadCOG: %v", err)
	}
	return cog
}

// embedded loads the embedded fixtures.
func embedded(t *testing.T) *Population {
	t.Helper()
	pop, err := Load(fixtures.FS(), testCOG(t))
	if err != nil {
		t.Fatalf("Load(fixtures.FS()): %v", err)
	}
	return pop
}

// avisOf returns the avis of spi for annrev, failing when spi is unknown.
func avisOf(t *testing.T, pop *Population, spi string, annrev int) (*Foyer, []*Avis) {
	t.Helper()
	f, avis, ok := pop.AvisBySPI(spi, annrev, ref)
	if !ok {
		t.Fatalf("AvisBySPI(%s, %d): SPI unknown", spi, annrev)
	}
	return f, avis
}

func TestEmbeddedFoyersLoad(t *testing.T) {
	if _, err := fs.Stat(fixtures.FS(), FoyersFile); err != nil {
		t.Fatalf("the embedded fixtures must hold %s: %v", FoyersFile, err)
	}
	pop := embedded(t)
	if n := len(pop.Foyers()); n < 25 {
		t.Errorf("%d foyers, want at least 25", n)
	}
	for _, p := range pop.Personas() {
		if p.SPI == "" {
			continue
		}
		if role := pop.FoyerRole(p.ID); role != RoleDeclarant {
			t.Errorf("persona %s has SPI %s but FoyerRole %q: every SPI holder must be a declarant", p.ID, p.SPI, role)
		}
		if _, _, ok := pop.AvisBySPI(p.SPI, ref, ref); !ok {
			t.Errorf("AvisBySPI(%s of %s): unknown", p.SPI, p.ID)
		}
	}
	for _, f := range pop.Foyers() {
		if got, ok := pop.FoyerByID(f.ID); !ok || got != f {
			t.Errorf("FoyerByID(%s) = %v, %v", f.ID, got, ok)
		}
	}
}

func TestEmbeddedDubois(t *testing.T) {
	pop := embedded(t)
	f, avis := avisOf(t, pop, spiAngela, ref)
	if f.ID != "dubois-perrin" || len(avis) != 1 {
		t.Fatalf("Angela, %d: foyer %s, %d avis; want dubois-perrin, 1", ref, f.ID, len(avis))
	}
	a := avis[0]
	if a.RFR != 41220 || a.NbPart != 3 || a.SitFam != "M" || a.MntRevbareme != 740 || a.ImpAvImput != 0 || a.MontTotIr != 0 {
		t.Errorf("Angela, %d: rfr %d, nbPart %g, sitFam %s, mntRevbareme %d, impAvImput %d, montTotIr %d; want 41220, 3, M, 740, 0, 0",
			ref, a.RFR, a.NbPart, a.SitFam, a.MntRevbareme, a.ImpAvImput, a.MontTotIr)
	}
	if a.AnnRev != ref || a.DateDebutPeriode != "2025-01-01" || a.DateFinPeriode != "2025-12-31" || a.DatEtab != "2026-07-22" || a.DatRec != "2026-07-31" {
		t.Errorf("Angela, %d: dates %d %s..%s etab %s rec %s", ref, a.AnnRev, a.DateDebutPeriode, a.DateFinPeriode, a.DatEtab, a.DatRec)
	}
	if got := a.Aft.Ligne(); got != "12 RUE DES ECOLES 33130 BEGLES" {
		t.Errorf("aft = %q", got)
	}
	if a.Dec1.SPI != spiAngela || a.Dec2 == nil || a.Dec2.SPI != spiGerard {
		t.Errorf("declarants %+v %+v", a.Dec1, a.Dec2)
	}
	// Declarant 2 reaches the same foyer.
	if g, _ := avisOf(t, pop, spiGerard, ref); g != f {
		t.Errorf("Gérard's foyer is %s, want Angela's", g.ID)
	}
	// The children stay minors whatever the clock: relative dates.
	for _, d := range f.Dependants {
		if d.Categorie != CategorieF || d.Persona != nil {
			t.Errorf("dependant %+v", d)
		}
	}
	if got := f.Dependants[0].BirthDate(ref); got != "2015-03-14" {
		t.Errorf("BirthDate(N-11-03-14) with N = 2026 = %s", got)
	}
	if got := f.Dependants[0].BirthDate(2030); got != "2020-03-14" {
		t.Errorf("BirthDate(N-11-03-14) with N = 2031 = %s", got)
	}
}

// TestEmbeddedDuboisMatchesContract compares Angela's avis for the revenues
// 2024 (clock in 2025) with the examples of the project's contract.
func TestEmbeddedDuboisMatchesContract(t *testing.T) {
	data, err := fs.ReadFile(openapi.FS(), "impot-particulier.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	example := func(name string) map[string]any {
		ex, _ := dig(doc, "components", "examples", name, "value").(map[string]any)
		if ex == nil {
			t.Fatalf("the contract has no example %s", name)
		}
		return ex
	}
	want := example("SituationIRAssiettesDubois2024")
	_, avis, ok := embedded(t).AvisBySPI(spiAngela, 2024, 2024)
	if !ok || len(avis) != 1 {
		t.Fatalf("AvisBySPI(Angela, 2024, 2024) = %d avis, %v", len(avis), ok)
	}
	a := avis[0]
	got := map[string]any{
		"rfr": a.RFR, "sitFam": a.SitFam, "nbPart": a.NbPart, "aft": a.Aft.Ligne(),
		"nmNaiDec1": a.Dec1.NomNaissance, "nmUsaDec1": a.Dec1.NomUsage, "prnmDec1": a.Dec1.Prenoms,
		"dptNaissDec1": a.Dec1.DptNaissance, "lieuNaissDec1": a.Dec1.LieuNaissance,
		"nmNaiDec2": a.Dec2.NomNaissance, "nmUsaDec2": a.Dec2.NomUsage, "prnmDec2": a.Dec2.Prenoms,
		"dptNaissDec2": a.Dec2.DptNaissance, "lieuNaissDec2": a.Dec2.LieuNaissance,
		"pensAlPer": a.PensAlPer, "indDeficit": a.IndDeficit, "revenuBrutGlobal": a.RevenuBrutGlobal,
		"mntRevbareme": a.MntRevbareme, "datRec": a.DatRec, "datEtab": a.DatEtab, "impAvImput": a.ImpAvImput,
		"montTotIr": a.MontTotIr, "revImposable": a.RevImposable, "numRole": a.NumRole,
	}
	for k, v := range got {
		if fmt.Sprint(v) != fmt.Sprint(want[k]) {
			t.Errorf("%s = %v, the contract's example says %v", k, v, want[k])
		}
	}
	pacWant, _ := want["pac"].(map[string]any)
	for k, v := range map[string]int{"nbPac": a.Pac.NbPac, "nbPacF": a.Pac.NbPacF, "nbPacG": a.Pac.NbPacG, "nbPacH": a.Pac.NbPacH,
		"nbPacI": a.Pac.NbPacI, "nbPacR": a.Pac.NbPacR, "nbPacJ": a.Pac.NbPacJ, "nbPacN": a.Pac.NbPacN, "nbPacP": a.Pac.NbPacP} {
		if fmt.Sprint(v) != fmt.Sprint(pacWant[k]) {
			t.Errorf("pac.%s = %d, the contract's example says %v", k, v, pacWant[k])
		}
	}
	for n, d := range map[string]*DeclarantAvis{"1": a.Dec1, "2": a.Dec2} {
		date := fmt.Sprint(dig(want, "dateNaisDec"+n, "annee"), "-", dig(want, "dateNaisDec"+n, "mois"), "-", dig(want, "dateNaisDec"+n, "jour"))
		if d.DateNaissance != date {
			t.Errorf("dateNaisDec%s = %s, the contract's example says %s", n, d.DateNaissance, date)
		}
	}
	detail := a.Aft
	if fmt.Sprint(dig(want, "aftDetail", "voie")) != detail.Voie || fmt.Sprint(dig(want, "aftDetail", "getcommune")) != detail.Commune ||
		fmt.Sprint(dig(want, "aftDetail", "getcodePostal")) != detail.CodePostal || dig(want, "aftDetail", "complementAdresse") != nil || detail.Complement != "" {
		t.Errorf("aftDetail = %+v, the contract's example says %v", detail, want["aftDetail"])
	}
	var tspr []string
	for _, l := range a.Rev.Tspr {
		tspr = append(tspr, l.Code+"="+l.Valeur)
	}
	var tsprWant []string
	for _, l := range dig(want, "rev", "tspr").([]any) {
		m := l.(map[string]any)
		tsprWant = append(tsprWant, fmt.Sprint(m["code"], "=", m["valeur"]))
	}
	if fmt.Sprint(tspr) != fmt.Sprint(tsprWant) {
		t.Errorf("rev.tspr = %v, the contract's example says %v", tspr, tsprWant)
	}
	var lines, linesWant []string
	for _, l := range a.Factures {
		lines = append(lines, fmt.Sprint(l.NumLigne, l.CodeLigne, l.LibelleLigne, l.Colonne1, l.Colonne2, l.Colonne3, l.Colonne4))
	}
	for _, l := range example("SituationIRFacturesDubois2024")["facture"].([]any) {
		m := l.(map[string]any)
		col := func(k string) string {
			if m[k] == nil {
				return ""
			}
			return fmt.Sprint(m[k])
		}
		linesWant = append(linesWant, fmt.Sprint(m["numLigne"], m["codeLigne"], m["libelleLigne"], col("colonne1"), col("colonne2"), col("colonne3"), col("colonne4")))
	}
	if strings.Join(lines, "\n") != strings.Join(linesWant, "\n") {
		t.Errorf("facture lines:\n%s\nthe contract's example says:\n%s", strings.Join(lines, "\n"), strings.Join(linesWant, "\n"))
	}
	multi, _ := dig(example("SituationsIRMultipleDubois2024"), "situationsIR").([]any)
	if len(multi) != 1 {
		t.Fatalf("multiple example: %d periods", len(multi))
	}
	m := multi[0].(map[string]any)
	if fmt.Sprint(m["typeAvis"]) != fmt.Sprint(a.TypeAvis) || m["dateDebutPeriode"] != a.DateDebutPeriode || m["dateFinPeriode"] != a.DateFinPeriode {
		t.Errorf("period %d %s..%s, the contract's example says %v %v..%v", a.TypeAvis, a.DateDebutPeriode, a.DateFinPeriode, m["typeAvis"], m["dateDebutPeriode"], m["dateFinPeriode"])
	}
}

// dig walks nested YAML maps.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestEmbeddedMarriageDuringN1(t *testing.T) {
	pop := embedded(t)
	for _, spi := range []string{spiMaxime, spiInes} {
		f, avis := avisOf(t, pop, spi, ref)
		if f.ID != "girard-da-silva" || len(avis) != 1 || avis[0].SitFam != "M" || avis[0].Dec2 == nil || avis[0].Dec1.SPI != spiMaxime || avis[0].Dec2.SPI != spiInes {
			t.Errorf("%s, N-1: foyer %s, %d avis %+v; want the joint avis of girard-da-silva", spi, f.ID, len(avis), avis)
		}
	}
	for spi, want := range map[string]string{spiMaxime: "girard", spiInes: "da-silva"} {
		for _, year := range []int{ref - 1, ref - 2} {
			f, avis := avisOf(t, pop, spi, year)
			if f.ID != want || len(avis) != 1 || avis[0].SitFam != "C" || avis[0].Dec2 != nil || avis[0].Dec1.SPI != spi || avis[0].NbPart != 1 {
				t.Errorf("%s, %d: foyer %s, %d avis; want %s alone", spi, year, f.ID, len(avis), want)
			}
		}
	}
}

func TestEmbeddedDeathDuringN1(t *testing.T) {
	pop := embedded(t)
	for _, spi := range []string{spiDanielle, spiRene} {
		f, avis := avisOf(t, pop, spi, ref)
		if f.ID != "chevalier" || len(avis) != 2 {
			t.Fatalf("%s, N-1: foyer %s, %d avis; want chevalier, 2 periods", spi, f.ID, len(avis))
		}
		before, after := avis[0], avis[1]
		if before.TypeAvis != TypeAvisInitial || before.SitFam != "M" || before.DateDebutPeriode != "2025-01-01" || before.DateFinPeriode != "2025-04-17" ||
			before.Dec2 == nil || before.Dec2.SPI != spiRene || before.Dec2.DateDeces != "2025-04-17" || before.Dec1.DateDeces != "" || before.NbPart != 2.5 {
			t.Errorf("before the death: %+v (dec2 %+v)", before, before.Dec2)
		}
		if after.TypeAvis != TypeAvisApresDeces || after.SitFam != "V" || after.DateDebutPeriode != "2025-04-18" || after.DateFinPeriode != "2025-12-31" ||
			after.Dec2 != nil || after.Dec1.SPI != spiDanielle || after.NbPart != 2 {
			t.Errorf("after the death: %+v", after)
		}
	}
	// The other years: one avis of the couple.
	_, avis := avisOf(t, pop, spiRene, ref-1)
	if len(avis) != 1 || avis[0].SitFam != "M" || avis[0].Dec2.DateDeces != "" {
		t.Errorf("N-2: %d avis", len(avis))
	}
	// A leap year moves nothing: 17 April stays 17 April.
	_, avis, _ = pop.AvisBySPI(spiDanielle, 2028, 2028)
	if len(avis) != 2 || avis[1].DateDebutPeriode != "2028-04-18" {
		t.Errorf("N-1 = 2028: %d avis", len(avis))
	}
}

func TestEmbeddedCorrectiveAvis(t *testing.T) {
	pop := embedded(t)
	f, avis := avisOf(t, pop, spiStephane, ref-1)
	if len(avis) != 1 {
		t.Fatalf("N-2: %d avis, want the corrective one only", len(avis))
	}
	a := avis[0]
	// 38 700 − 3 870 = 34 830 (the initial avis had 34 000 − 3 400 = 30 600).
	if !a.Rectificatif || a.TypeAvis != TypeAvisRectificatif || a.RFR != 34830 || a.Rev.Tspr[0].Valeur != "38700" || a.DatEtab != "2025-11-18" || a.NumRole != "002" {
		t.Errorf("corrective avis: %+v", a)
	}
	if _, initial := f.years[2].avis(f); initial == nil || initial.RFR != 30600 || initial.Rectificatif {
		t.Errorf("initial avis kept: %+v", initial)
	}
	if _, avis := avisOf(t, pop, spiStephane, ref); len(avis) != 1 || avis[0].Rectificatif || avis[0].TypeAvis != TypeAvisInitial {
		t.Errorf("N-1 is not corrected: %+v", avis)
	}
}

func TestEmbeddedEdgeCases(t *testing.T) {
	pop := embedded(t)

	// No declaration for N-2: the foyer is known, without avis.
	if f, avis := avisOf(t, pop, spiYanis, ref-1); f.ID != "haddad" || len(avis) != 0 {
		t.Errorf("Yanis, N-2: foyer %s, %d avis; want haddad, none", f.ID, len(avis))
	}
	if _, avis := avisOf(t, pop, spiYanis, ref); len(avis) != 1 {
		t.Errorf("Yanis, N-1: %d avis", len(avis))
	}
	// Outside N-3…N-1: known SPI, latest foyer, no avis.
	if f, avis := avisOf(t, pop, spiMaxime, ref-5); f.ID != "girard-da-silva" || avis != nil {
		t.Errorf("Maxime, N-6: foyer %s, %d avis", f.ID, len(avis))
	}
	if _, avis := avisOf(t, pop, spiMaxime, ref+1); avis != nil {
		t.Errorf("Maxime, N: %d avis", len(avis))
	}
	// Unknown SPI.
	if f, avis, ok := pop.AvisBySPI("3999999999999", ref, ref); ok || f != nil || avis != nil {
		t.Errorf("unknown SPI: %v %v %v", f, avis, ok)
	}
	// Roles.
	for id, want := range map[string]string{
		"lucas-janssens": "", "hugo-bertin": RoleDependant, "zoe-vasseur": RoleDependant, "ibrahima-ndiaye": RoleDependant,
		"angela-dubois": RoleDeclarant, "rene-chevalier": RoleDeclarant, "helene-castel": "", "nobody": "",
	} {
		if got := pop.FoyerRole(id); got != want {
			t.Errorf("FoyerRole(%s) = %q, want %q", id, got, want)
		}
	}
	// Parking refusal: fiscal address in another commune than the residence.
	f, avis := avisOf(t, pop, spiNadia, ref)
	if got := avis[0].Aft.Ligne(); got != "BAT 3 APT 93 10 RUE DU CENTRE 93160 NOISY LE GRAND" {
		t.Errorf("Nadia's aft = %q", got)
	}
	if avis[0].Aft.Commune != "NOISY LE GRAND" || avis[0].Aft.Complement != "BAT 3 APT 93" || f.Residence.Commune != "Vincennes" {
		t.Errorf("Nadia: aft %+v, residence %+v", avis[0].Aft, f.Residence)
	}
	// High income: IFI, 45 % bracket, dividends' abatement in the rfr.
	_, avis = avisOf(t, pop, spiCharlesEd, ref)
	if a := avis[0]; !a.IFI || a.RFR != a.RevImposable+96000 || a.MontTotIr <= 100000 {
		t.Errorf("de Montfort: %+v", a)
	}
	// Dependants: an adult attached son who is a persona.
	bertin, _ := pop.FoyerByID("bertin")
	if bertin.Dependants[0].Persona == nil || bertin.Dependants[0].Persona.ID != "hugo-bertin" || bertin.Dependants[0].Categorie != CategorieJ {
		t.Errorf("bertin dependants: %+v", bertin.Dependants)
	}
}

func TestEmbeddedDeclarantNames(t *testing.T) {
	pop := embedded(t)
	for _, tc := range []struct {
		spi  string
		want DeclarantAvis
	}{
		{"3999999813145", DeclarantAvis{NomNaissance: "LEFEVRE", NomUsage: "BERTIN", Prenoms: "CAMILLE HELENE", DateNaissance: "1980-02-07", DptNaissance: "35", LieuNaissance: "RENNES"}},
		{"3999999814146", DeclarantAvis{NomNaissance: "BENALI", NomUsage: "BENALI", Prenoms: "KARIM", DateNaissance: "1990-04-21", DptNaissance: "99", LieuNaissance: "ALGERIE"}},
		{"3999999817149", DeclarantAvis{NomNaissance: "GAUTHIER", NomUsage: "LEMAIRE", Prenoms: "FRANCOISE JEANNE MARIE", DateNaissance: "1941-03-08", DptNaissance: "2B", LieuNaissance: "BASTIA"}},
		{"3999999818150", DeclarantAvis{NomNaissance: "N'DIAYE", NomUsage: "N'DIAYE", Prenoms: "MOUSSA", DateNaissance: "1978-12-03", DptNaissance: "99", LieuNaissance: "SENEGAL"}},
		{"3999999832164", DeclarantAvis{NomNaissance: "HOANG", NomUsage: "HOANG", Prenoms: "", DateNaissance: "1956-04-12", DptNaissance: "99", LieuNaissance: "VIETNAM"}},
		{"3999999833165", DeclarantAvis{NomNaissance: "", NomUsage: "", Prenoms: "AICHA MERIEM", DateNaissance: "1990-05-17", DptNaissance: "06", LieuNaissance: "NICE"}},
		{"3999999834166", DeclarantAvis{NomNaissance: "EL IDRISSI", NomUsage: "EL IDRISSI", Prenoms: "MOHAMED AMINE", DateNaissance: "1977-09-00", DptNaissance: "99", LieuNaissance: "MAROC"}},
		{"3999999821153", DeclarantAvis{NomNaissance: "DE MONTFORT-LAVALLIERE DU PLESSIS-BEAUCHAMP DE SAINTE-OPPORTUNE", NomUsage: "DE MONTFORT-LAVALLIERE DU PLESSIS-BEAUCHAMP DE SAINTE-OPPORTUNE",
			Prenoms: "CHARLES-EDOUARD HENRI MARIE GONZAGUE", DateNaissance: "1958-10-02", DptNaissance: "78", LieuNaissance: "VERSAILLES"}},
	} {
		_, avis := avisOf(t, pop, tc.spi, ref)
		got := *avis[0].Dec1
		if avis[0].Dec2 != nil && avis[0].Dec2.SPI == tc.spi {
			got = *avis[0].Dec2
		}
		tc.want.SPI = tc.spi
		if got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.spi, got, tc.want)
		}
	}
}

// TestAvisDatedForTheYearAsked: the avis are dated for the calendar year
// asked, the same on every call, and dated again when the clock's latest
// year moves (the dated avis are kept for the last year asked); AftLigne
// is Aft on one line.
func TestAvisDatedForTheYearAsked(t *testing.T) {
	pop := embedded(t)
	_, avis := avisOf(t, pop, spiAngela, ref)
	if avis[0].AftLigne != avis[0].Aft.Ligne() || avis[0].AftLigne == "" {
		t.Errorf("AftLigne %q, Aft.Ligne() %q", avis[0].AftLigne, avis[0].Aft.Ligne())
	}
	dates := func(a *Avis) string {
		return fmt.Sprint(a.AnnRev, a.DateDebutPeriode, a.DateFinPeriode, a.DatEtab, a.DatRec)
	}
	want := fmt.Sprint(ref, fmt.Sprintf("%d-01-01", ref), fmt.Sprintf("%d-12-31", ref), fmt.Sprintf("%d-07-22", ref+1), fmt.Sprintf("%d-07-31", ref+1))
	if got := dates(avis[0]); got != want {
		t.Errorf("dated %s, want %s", got, want)
	}
	// The same foyer year a year later (N-1 is then ref+1).
	_, later, _ := pop.AvisBySPI(spiAngela, ref+1, ref+1)
	wantLater := fmt.Sprint(ref+1, fmt.Sprintf("%d-01-01", ref+1), fmt.Sprintf("%d-12-31", ref+1), fmt.Sprintf("%d-07-22", ref+2), fmt.Sprintf("%d-07-31", ref+2))
	if len(later) == 0 || dates(later[0]) != wantLater {
		t.Fatalf("a year later: %v, want one avis dated %s", later, wantLater)
	}
	if _, again := avisOf(t, pop, spiAngela, ref); dates(again[0]) != want || again[0].RFR != avis[0].RFR {
		t.Errorf("asked again: dated %s (RFR %d), want %s (RFR %d)", dates(again[0]), again[0].RFR, want, avis[0].RFR)
	}
}

func TestAdresseLigne(t *testing.T) {
	for _, tc := range []struct {
		a    Adresse
		want string
	}{
		{Adresse{Complement: "Bât 3 Apt 93", Voie: "10 rue du Centre", CodePostal: "93160", Commune: "Noisy-le-Grand"}, "BAT 3 APT 93 10 RUE DU CENTRE 93160 NOISY LE GRAND"},
		{Adresse{Voie: "12 rue des Écoles", CodePostal: "33130", Commune: "Bègles"}, "12 RUE DES ECOLES 33130 BEGLES"},
		{Adresse{Voie: "12 rue de l’Aiguillerie", CodePostal: "34000", Commune: "Montpellier"}, "12 RUE DE L AIGUILLERIE 34000 MONTPELLIER"},
		{Adresse{Voie: " 3  place  de l'Œuvre ", CodePostal: "67000", Commune: "STRASBOURG"}, "3 PLACE DE L OEUVRE 67000 STRASBOURG"},
		{Adresse{}, ""},
	} {
		if got := tc.a.Ligne(); got != tc.want {
			t.Errorf("Ligne(%+v) = %q, want %q", tc.a, got, tc.want)
		}
	}
	if got := communeKey("St-Étienne"); got != communeKey("Saint-Étienne") {
		t.Errorf("communeKey: %q", got)
	}
}

// mapFS is a fixture directory with the embedded personas and foyers.
func mapFS(t *testing.T, foyers string) fstest.MapFS {
	t.Helper()
	personas, err := fs.ReadFile(fixtures.FS(), PersonasFile)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{PersonasFile: {Data: personas}}
	if foyers != "" {
		fsys[FoyersFile] = &fstest.MapFile{Data: []byte(foyers)}
	}
	return fsys
}

func TestLoadWithoutFoyers(t *testing.T) {
	pop, err := Load(mapFS(t, ""), testCOG(t))
	if err != nil {
		t.Fatalf("Load without %s: %v", FoyersFile, err)
	}
	if len(pop.Foyers()) != 0 || pop.FoyerRole("angela-dubois") != "" {
		t.Errorf("foyers without the file: %d", len(pop.Foyers()))
	}
	if _, _, ok := pop.AvisBySPI(spiAngela, ref, ref); ok {
		t.Error("AvisBySPI found a foyer without the file")
	}
}

// single is a valid foyers.yaml of one single declarant, to break line by
// line in the error tests:
//
//	1 foyers:
//	2   - id: roux
//	3     declarant1: julien-roux
//	4     residence: {voie: "1 rue A", code_postal: "69003", commune: "Lyon"}
//	5     annees:
//	6       N-1:
//	7         sitFam: C
//	8         revenus: {1AJ: 30000}
const single = `foyers:
  - id: roux
    declarant1: julien-roux
    residence: {voie: "1 rue A", code_postal: "69003", commune: "Lyon"}
    annees:
      N-1:
        sitFam: C
        revenus: {1AJ: 30000}
`

// couple is a valid married couple with one child (lines 1 to 11).
const couple = `foyers:
  - id: dubois
    declarant1: angela-dubois
    declarant2: gerard-perrin
    dependants:
      - {prenoms: "Léo", nom: "PERRIN", date_naissance: "N-10-05-01", categorie: F}
    residence: {voie: "12 rue des Écoles", code_postal: "33130", commune: "Bègles"}
    annees:
      N-1:
        sitFam: M
        revenus: {1AJ: 25800, 1BJ: 20000}
`

func TestValidFoyersLoad(t *testing.T) {
	for name, text := range map[string]string{"single": single, "couple": couple} {
		pop, err := Load(mapFS(t, text), testCOG(t))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(pop.Foyers()) != 1 || pop.Foyers()[0].Line != 2 {
			t.Errorf("%s: %d foyers", name, len(pop.Foyers()))
		}
	}
}

func TestFoyersErrors(t *testing.T) {
	replace := func(text, old, new string) string {
		if !strings.Contains(text, old) {
			t.Fatalf("%q not in the test text", old)
		}
		return strings.Replace(text, old, new, 1)
	}
	withHugo := replace(couple, `{prenoms: "Léo", nom: "PERRIN", date_naissance: "N-10-05-01", categorie: F}`, "{persona: hugo-bertin, categorie: J}")
	for _, tc := range []struct {
		name string
		text string
		line int
		want string
	}{
		{"unknown persona", replace(single, "julien-roux", "nobody"), 3, `declarant1 "nobody" is not a persona id`},
		{"declarant without SPI", replace(single, "julien-roux", "lucas-janssens"), 3, "has no SPI"},
		{"unknown foyer key", replace(single, "    residence:", "    residense:"), 4, `unknown key "residense"`},
		{"missing residence", replace(single, "    residence:", "    #"), 2, `missing key "residence"`},
		{"unknown year key", replace(single, "        revenus:", "        revenu:"), 8, `unknown key "revenu"`},
		{"unknown address key", replace(single, `voie: "1 rue A"`, `rue: "1 rue A"`), 4, `unknown key "rue"`},
		{"commune not served by the postal code", replace(single, `commune: "Lyon"`, `commune: "Marseille"`), 4, `commune "Marseille" is not served by code_postal 69003`},
		{"postal code of no commune", replace(single, `"69003"`, `"69999"`), 4, "serves no commune"},
		{"postal code not 5 digits", replace(single, `"69003"`, `"6900"`), 4, "must be 5 digits"},
		{"married with one declarant", replace(single, "sitFam: C", "sitFam: M"), 7, "sitFam M needs two declarants"},
		{"single status with two declarants", replace(couple, "sitFam: M", "sitFam: C"), 10, "sitFam C is for a single declarant"},
		{"unknown sitFam", replace(single, "sitFam: C", "sitFam: X"), 7, `sitFam "X" must be`},
		{"bad categorie", replace(couple, "categorie: F", "categorie: X"), 6, `categorie "X" is none of`},
		{"nbPart inconsistent", single + "        nbPart: 2\n", 9, "nbPart is 2 in the fixture, but the quotient familial gives 1"},
		{"couple nbPart inconsistent", couple + "        nbPart: 3\n", 12, "nbPart is 3 in the fixture, but the quotient familial gives 2.5 (sitFam M, F=1)"},
		{"rfr inconsistent", single + "        rfr: 30000\n", 9, "rfr is 30000 in the fixture, but the computation gives 27000"},
		{"montTotIr inconsistent", single + "        montTotIr: 0\n", 9, "montTotIr is 0 in the fixture, but the computation gives"},
		{"unknown revenue code", replace(single, "1AJ: 30000", "1ZZ: 30000"), 8, `unknown revenue code "1ZZ"`},
		{"declarant 2 code without declarant 2", replace(single, "1AJ: 30000", "1BJ: 30000"), 8, "1BJ is an amount of declarant 2"},
		{"negative amount", replace(single, "1AJ: 30000", "1AJ: -3"), 8, "must not be negative"},
		{"bad year", replace(single, "N-1:", "N-4:"), 6, `year "N-4" must be N-1, N-2 or N-3`},
		{"same SPI in two foyers the same year", single + strings.TrimPrefix(replace(single, "id: roux", "id: roux-bis"), "foyers:\n"), 13, `julien-roux (SPI 3999999811143) is already a declarant of foyer "roux" for N-1`},
		{"duplicate foyer id", single + strings.TrimPrefix(replace(single, "julien-roux", "sandrine-petit"), "foyers:\n"), 9, `foyer id "roux" is used twice`},
		{"declarant2 is declarant1", replace(couple, "declarant2: gerard-perrin", "declarant2: angela-dubois"), 4, "declarant2 is declarant1 again"},
		{"death without the period after it", replace(couple, "        sitFam: M\n", "        sitFam: M\n        deces_declarant2: \"04-17\"\n"), 11, `needs "apres_deces"`},
		{"death date not MM-DD", replace(couple, "        sitFam: M\n", "        sitFam: M\n        deces_declarant2: \"2025-04-17\"\n"), 11, "must be the day in the year, MM-DD"},
		{"death of a single declarant", replace(single, "        sitFam: C\n", "        sitFam: C\n        deces_declarant2: \"04-17\"\n"), 8, "deces_declarant2 needs a couple"},
		{"after the death without a death", couple + "        apres_deces: {revenus: {1AS: 1000}}\n", 12, "apres_deces without deces_declarant2"},
		{"unknown key after the death", replace(couple, "        sitFam: M\n", "        sitFam: M\n        deces_declarant2: \"04-17\"\n        apres_deces: {revenu: {1AS: 1000}}\n"), 12, `unknown key "revenu"`},
		{"corrective avis without revenus", couple + "        rectificatif: {rfr: 1}\n", 12, `the corrective avis needs its "revenus"`},
		{"corrective avis inconsistent", couple + "        rectificatif: {revenus: {1AJ: 30000}, rfr: 1}\n", 12, "rectificatif: rfr is 1 in the fixture"},
		{"no declaration with figures", replace(single, "        sitFam: C\n", "        aucune_declaration: true\n"), 7, "aucune_declaration excludes every other key"},
		{"case T for a couple", replace(couple, "        sitFam: M\n", "        sitFam: M\n        parent_isole: true\n"), 11, "parent_isole (case T) is for a single or divorced declarant"},
		{"case T without child", replace(single, "        sitFam: C\n", "        sitFam: C\n        parent_isole: true\n"), 8, "parent_isole (case T)"},
		{"disabled declarant 2 without declarant 2", replace(single, "        sitFam: C\n", "        sitFam: C\n        invalidite_declarant2: true\n"), 8, "invalidite_declarant2 without declarant2"},
		{"child too old for F", replace(couple, "N-10-05-01", "N-30-05-01"), 6, "is 28 on 1 January N-1: categorie F is for a child under 18"},
		{"adult category for a minor", replace(couple, "categorie: F", "categorie: J"), 6, "is a minor in N-1: categorie J is for an adult"},
		{"child born after the year", replace(couple, `"N-10-05-01"`, `"N-1-05-01"`) + "      N-2:\n        sitFam: M\n", 6, "born in N-1, cannot be a dependant for N-2"},
		{"child older than the parent", replace(couple, "N-10-05-01", "1970-05-01"), 6, `born when declarant "angela-dubois" was 7`},
		{"bad date of birth", replace(couple, "N-10-05-01", "01/05/2015"), 6, "must be YYYY-MM-DD or, relative"},
		{"dependant who is a declarant of the foyer", replace(couple, `{prenoms: "Léo", nom: "PERRIN", date_naissance: "N-10-05-01", categorie: F}`, "{persona: gerard-perrin, categorie: F}"), 6, "is a declarant of this foyer"},
		{"dependant who is a declarant elsewhere", replace(couple, `{prenoms: "Léo", nom: "PERRIN", date_naissance: "N-10-05-01", categorie: F}`, "{persona: julien-roux, categorie: J}") + strings.TrimPrefix(single, "foyers:\n"), 16, "julien-roux is a dependant of foyer \"dubois\" for N-1: not also a declarant"},
		{"dependant of two foyers", withHugo + strings.TrimPrefix(replace(replace(replace(withHugo, "id: dubois", "id: bertin"), "angela-dubois", "thomas-bertin"), "gerard-perrin", "camille-bertin"), "foyers:\n"),
			19, `hugo-bertin is already a dependant of foyer "dubois" for N-1`},
		{"persona and names together", replace(couple, `{prenoms: "Léo", nom: "PERRIN", date_naissance: "N-10-05-01", categorie: F}`, `{persona: hugo-bertin, nom: "X", categorie: J}`), 6, "either a persona or prenoms/nom/date_naissance"},
		{"no annees", replace(single, "    annees:\n      N-1:\n        sitFam: C\n        revenus: {1AJ: 30000}\n", ""), 2, `missing key "annees"`},
		{"no foyers key", "other: []\n", 1, `missing top-level key "foyers"`},
		{"foyer year twice", single + "      N-1:\n        sitFam: C\n", 9, "year N-1 is given twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(mapFS(t, tc.text), testCOG(t))
			if err == nil {
				t.Fatalf("no error for\n%s", tc.text)
			}
			var errs fixture.Errors
			var one *fixture.Error
			switch {
			case errors.As(err, &errs):
			case errors.As(err, &one):
				errs = fixture.Errors{one}
			default:
				t.Fatalf("error %T %v, want fixture errors", err, err)
			}
			prefix := fmt.Sprintf("%s:%d: ", FoyersFile, tc.line)
			for _, e := range errs {
				if strings.HasPrefix(e.Error(), prefix) && strings.Contains(e.Msg, tc.want) {
					return
				}
			}
			t.Errorf("no error %q…%q in:\n%v", prefix, tc.want, err)
		})
	}
}

// relativeDate reads what the pattern ^N-([0-9]{1,3})-([0-9]{2})-([0-9]{2})$
// matched.
func TestRelativeDate(t *testing.T) {
	t.Parallel()
	pattern := regexp.MustCompile(`^N-([0-9]{1,3})-([0-9]{2})-([0-9]{2})$`)
	for _, s := range []string{"N-10-05-01", "N-1-12-31", "N-999-02-29", "N-0-01-01", "N-1000-01-01", "N--01-01", "N-1-1-01", "N-1-01-1",
		"N-1-01-011", "N-a-01-01", "N-1-0a-01", "N-1-01/01", "n-1-01-01", "N-1-01-01 ", "1990-01-01", "N-1", ""} {
		k, md, ok := relativeDate(s)
		m := pattern.FindStringSubmatch(s)
		if ok != (m != nil) || ok && (k != m[1] || md != m[2]+"-"+m[3]) {
			t.Errorf("relativeDate(%q) = %q, %q, %v; the pattern %q", s, k, md, ok, m)
		}
	}
}

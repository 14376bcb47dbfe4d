package impotparticulier

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bacasable/bacasable/simulator/population"
)

// platformDGFiPScopes are FranceConnect's 44 DGFiP scopes on fcp-low
// (back/libs/scopes/src/data/dgfip/dgfip.claims.ts; research scopes.md §1.2).
var platformDGFiPScopes = []string{
	"dgfip_rfr", "dgfip_annee_n_moins_1", "dgfip_annee_n_moins_2", "dgfip_annee_n_moins_3", "dgfip_nbpart", "dgfip_sitfam",
	"dgfip_aft", "dgfip_nbpac", "dgfip_inddeficit", "dgfip_pariso", "dgfip_decl", "dgfip_pac", "dgfip_locaux_th",
	"dgfip_nmUsaDec1", "dgfip_nmNaiDec1", "dgfip_prnmDec1", "dgfip_dateNaisDec1", "dgfip_nmUsaDec2", "dgfip_nmNaiDec2",
	"dgfip_prnmDec2", "dgfip_dateNaisDec2", "dgfip_locaux_th_ident", "dgfip_locaux_th_Nat", "dgfip_locaux_th_Tax",
	"dgfip_locaux_th_Aff", "dgfip_pac_nbPac", "dgfip_mntRevbareme", "dgfip_indiIFI", "dgfip_RevDecl_Cat1_Tspr",
	"dgfip_RevDecl_Cat1_RentOn", "dgfip_RevDecl_Cat2_Rcm", "dgfip_RevDecl_Cat3_PMV", "dgfip_RevDecl_Cat4_Ref",
	"dgfip_RevDecl_Cat5_NonSal", "dgfip_RevNets_Cat1_Tspr", "dgfip_RevNets_Cat1_RentOn", "dgfip_RevNets_Cat2_Rcm",
	"dgfip_RevNets_Cat3_PMV", "dgfip_RevNets_Cat4_Ref", "dgfip_RevNets_Cat5_NonSal", "dgfip_PaDeduc_EnfMaj",
	"dgfip_PaDeduc_Autres", "dgfip_EpargRetrDeduc", "dgfip_annee_n_moins_2_si_indispo_n_moins_1",
}

// TestConsentScopesAreThePlatforms: the consent mapping knows exactly the
// platform's DGFiP scopes — no dgfip_IndLep (SPI-only LEP), no …_PlusVal.
func TestConsentScopesAreThePlatforms(t *testing.T) {
	if len(platformDGFiPScopes) != 44 {
		t.Fatalf("the platform list has %d scopes, want 44", len(platformDGFiPScopes))
	}
	got := slices.Sorted(maps.Keys(consentScopes))
	want := slices.Sorted(slices.Values(platformDGFiPScopes))
	if !slices.Equal(got, want) {
		t.Errorf("consentScopes = %v\nwant %v", got, want)
	}
}

// TestConsentPartsExist: every part a scope names is a field of the
// answers, a property of pac or rev, or a four-digit codeLigne.
func TestConsentPartsExist(t *testing.T) {
	sample := decoded(t, situationObject.whole(nil, &population.Avis{}))
	code := regexp.MustCompile(`^[0-9]{4}$`)
	for scope, names := range consentScopes {
		for _, name := range names {
			field, sub, isProp := strings.Cut(name, ".")
			_, line, isLine := strings.Cut(name, "/")
			switch {
			case isLine:
				if !strings.HasPrefix(name, "facture/") || !code.MatchString(line) {
					t.Errorf("%s: %q is not an avis line", scope, name)
				}
			case isProp:
				obj, _ := sample[field].(map[string]any)
				if _, ok := obj[sub]; !ok {
					t.Errorf("%s: %q is not a property of an answer", scope, name)
				}
			default:
				if !slices.Contains(fieldNames, name) {
					t.Errorf("%s: %q is not a data field", scope, name)
				}
			}
		}
	}
}

// TestConsentFiltering: in FranceConnect mode each scope releases its
// parts — pac.nbPac alone, rev lists, avis lines — and the parts no scope
// names follow the habilitation; SPI mode follows the habilitation only.
func TestConsentFiltering(t *testing.T) {
	avis := &population.Avis{
		RFR: 41220, Pac: population.Pac{NbPac: 2, NbPacF: 2},
		Rev: population.Revenus{
			Tspr: []population.LigneRevenu{{Code: "1AJ", Valeur: "25800"}},
			Rcm:  []population.LigneRevenu{{Code: "2TR", Valeur: "300"}},
			Fonc: []population.LigneRevenu{{Code: "4BE", Valeur: "6000"}},
			Pro:  []population.LigneRevenu{{Code: "5HQ", Valeur: "9000"}},
		},
		Factures: []population.LigneFacture{{NumLigne: 1, CodeLigne: "0020"}, {NumLigne: 2, CodeLigne: "0240"},
			{NumLigne: 3, CodeLigne: "1320"}, {NumLigne: 4, CodeLigne: "1830"}},
	}
	hab := &Habilitation{Donnees: []string{"rfr", "pac", "rev", "facture", "revImposable"}}
	sorted := func(m map[string]any) string { return strings.Join(slices.Sorted(maps.Keys(m)), " ") }
	codes := func(v any) string {
		var out []string
		for _, l := range v.([]any) {
			out = append(out, l.(map[string]any)["codeLigne"].(string))
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		name    string
		consent []string // nil: SPI mode
		fields  string   // top-level fields
		pac     string   // pac's properties, if pac is there
		rev     string   // rev's lists, if rev is there
		lines   string   // facture's codeLigne, if facture is there
	}{
		{"SPI mode", nil, "facture pac rev revImposable rfr", "nbPac nbPacF nbPacG nbPacH nbPacI nbPacJ nbPacN nbPacP nbPacR",
			"alpha chges div fonc pro pv rcm rici tspr", "0020 0240 1320 1830"},
		{"rfr only", []string{"dgfip_rfr"}, "facture rev revImposable rfr", "", "alpha chges div pro rici", "1830"},
		{"dgfip_nbpac: the total only", []string{"dgfip_nbpac"}, "facture pac rev revImposable", "nbPac", "alpha chges div pro rici", "1830"},
		{"dgfip_pac_nbPac: the total only", []string{"dgfip_pac_nbPac"}, "facture pac rev revImposable", "nbPac", "alpha chges div pro rici", "1830"},
		{"dgfip_pac: the detail", []string{"dgfip_pac", "dgfip_nbpac"}, "facture pac rev revImposable",
			"nbPac nbPacF nbPacG nbPacH nbPacI nbPacJ nbPacN nbPacP nbPacR", "alpha chges div pro rici", "1830"},
		{"declared categories 2 to 4", []string{"dgfip_RevDecl_Cat2_Rcm", "dgfip_RevDecl_Cat3_PMV", "dgfip_RevDecl_Cat4_Ref"},
			"facture rev revImposable", "", "alpha chges div fonc pro pv rcm rici", "1830"},
		{"rentes viagères: rev.tspr", []string{"dgfip_RevDecl_Cat1_RentOn"}, "facture rev revImposable", "", "alpha chges div pro rici tspr", "1830"},
		{"declared salaries: avis lines", []string{"dgfip_RevDecl_Cat1_Tspr"}, "facture rev revImposable", "", "alpha chges div pro rici", "0020 1830"},
		{"nets and deductions: avis lines", []string{"dgfip_RevNets_Cat1_Tspr", "dgfip_PaDeduc_EnfMaj"}, "facture rev revImposable", "",
			"alpha chges div pro rici", "0240 1320 1830"},
		{"taxe d'habitation: nothing", []string{"dgfip_locaux_th", "dgfip_locaux_th_Nat"}, "facture rev revImposable", "", "alpha chges div pro rici", "1830"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := facturesView(t, avis, allowedFields(fieldsOf(hab.Donnees), tc.consent))
			if s := sorted(got); s != tc.fields {
				t.Fatalf("fields = %q, want %q", s, tc.fields)
			}
			if pac, ok := got["pac"].(map[string]any); ok && sorted(pac) != tc.pac {
				t.Errorf("pac = %q, want %q", sorted(pac), tc.pac)
			}
			if rev, ok := got["rev"].(map[string]any); ok && sorted(rev) != tc.rev {
				t.Errorf("rev = %q, want %q", sorted(rev), tc.rev)
			}
			if f, ok := got["facture"]; ok && codes(f) != tc.lines {
				t.Errorf("facture = %q, want %q", codes(f), tc.lines)
			}
		})
	}
	// A consented line outside the habilitation stays out.
	got := facturesView(t, avis, allowedFields(fieldsOf([]string{"rfr"}), []string{"dgfip_RevDecl_Cat1_Tspr"}))
	if _, ok := got["facture"]; ok {
		t.Errorf("facture outside the habilitation: %v", got)
	}
	// With no line left and none consented, facture is left out.
	noLines := *avis
	noLines.Factures = []population.LigneFacture{{NumLigne: 1, CodeLigne: "0020"}}
	if got := facturesView(t, &noLines, allowedFields(fieldsOf(hab.Donnees), []string{"dgfip_rfr"})); got["facture"] != nil {
		t.Errorf("facture = %v, want it left out", got["facture"])
	}
}

// facturesView is the factures answer of avis under w, decoded.
func facturesView(t *testing.T, avis *population.Avis, w view) map[string]any {
	t.Helper()
	return decoded(t, appendView(nil, facturesSituationObject, avis, w))
}

func decoded(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return m
}

package impotparticulier

import "slices"

// fieldNames are the data fields a habilitation may grant: the top-level
// properties of the contract's response schemas.
var fieldNames = []string{
	"rfr", "sitFam", "nbPart", "pac",
	"nmNaiDec1", "nmUsaDec1", "prnmDec1", "dateNaisDec1", "dptNaissDec1", "lieuNaissDec1",
	"nmNaiDec2", "nmUsaDec2", "prnmDec2", "dateNaisDec2", "dptNaissDec2", "lieuNaissDec2",
	"aft", "aftDetail", "sitParIso", "pensAlPer", "indDeficit", "revenuBrutGlobal", "sitPart", "sitParDeclaree",
	"indOptionImpotSepar", "mntRevbareme", "datRec", "datEtab", "impAvImput", "montTotIr", "revImposable",
	"numRole", "fipNum", "rev", "facture", "indicateurIfiIsf", "statut",
}

// structuralFields are always returned: they say which avis or period an
// answer is, not what it contains.
var structuralFields = []string{"annRevenu", "spiDec1", "spiDec2", "dateDebutPeriode", "dateFinPeriode", "typeAvis",
	"dateDecesdec1", "dateDecesdec2"}

// consentScopes maps the FranceConnect scopes the user consents to
// (dgfip_*) to the fields they release. In FranceConnect mode a field that
// one of these scopes covers is returned only when the user consented to one
// of its scopes; fields no scope covers are governed by the habilitation
// alone (the sandbox's reading of guide §6.1, see README).
var consentScopes = map[string][]string{
	"dgfip_rfr":                  {"rfr"},
	"dgfip_nbpart":               {"nbPart"},
	"dgfip_sitfam":               {"sitFam"},
	"dgfip_nbpac":                {"pac"},
	"dgfip_pac":                  {"pac"},
	"dgfip_pariso":               {"sitParIso"},
	"dgfip_aft":                  {"aft", "aftDetail"},
	"dgfip_decl":                 {"nmNaiDec1", "nmUsaDec1", "prnmDec1", "dateNaisDec1", "dptNaissDec1", "lieuNaissDec1", "nmNaiDec2", "nmUsaDec2", "prnmDec2", "dateNaisDec2", "dptNaissDec2", "lieuNaissDec2"},
	"dgfip_inddeficit":           {"indDeficit"},
	"dgfip_nmUsaDec1":            {"nmUsaDec1"},
	"dgfip_nmNaiDec1":            {"nmNaiDec1"},
	"dgfip_prnmDec1":             {"prnmDec1"},
	"dgfip_dateNaisDec1":         {"dateNaisDec1", "dptNaissDec1", "lieuNaissDec1"},
	"dgfip_nmUsaDec2":            {"nmUsaDec2"},
	"dgfip_nmNaiDec2":            {"nmNaiDec2"},
	"dgfip_prnmDec2":             {"prnmDec2"},
	"dgfip_dateNaisDec2":         {"dateNaisDec2", "dptNaissDec2", "lieuNaissDec2"},
	"dgfip_mntRevbareme":         {"mntRevbareme"},
	"dgfip_indiIFI":              {"indicateurIfiIsf"},
	"dgfip_RevDecl_Cat1_Tspr":    {"rev"},
	"dgfip_RevNets_Cat1_Tspr":    {"rev"},
	"dgfip_RevDecl_Cat2_Rcm":     {"rev"},
	"dgfip_RevNets_Cat2_Rcm":     {"rev"},
	"dgfip_RevDecl_Cat3_PlusVal": {"rev"},
	"dgfip_RevNets_Cat3_PlusVal": {"rev"},
	"dgfip_RevDecl_Cat4_Ref":     {"rev"},
	"dgfip_RevNets_Cat4_Ref":     {"rev"},
	"dgfip_RevDecl_Cat5_NonSal":  {"rev"},
	"dgfip_RevNets_Cat5_NonSal":  {"rev"},
	"dgfip_PaDeduc_EnfMaj":       {"rev"},
	"dgfip_PaDeduc_Autres":       {"rev"},
	"dgfip_EpargRetrDeduc":       {"rev"},
	"dgfip_IndLep":               {"statut"},
}

// consentCovered is every field some consent scope covers.
var consentCovered = func() map[string]bool {
	m := map[string]bool{}
	for _, fields := range consentScopes {
		for _, f := range fields {
			m[f] = true
		}
	}
	return m
}()

// allowedFields returns the set of fields an answer may carry: those of the
// habilitation, narrowed in FranceConnect mode (consented != nil) to the
// consented ones where a consent scope covers the field.
func allowedFields(h *Habilitation, consented []string) map[string]bool {
	allowed := map[string]bool{}
	for _, f := range h.Donnees {
		allowed[f] = true
	}
	if consented == nil {
		return allowed
	}
	granted := map[string]bool{}
	for _, s := range consented {
		for _, f := range consentScopes[s] {
			granted[f] = true
		}
	}
	for f := range allowed {
		if consentCovered[f] && !granted[f] {
			delete(allowed, f)
		}
	}
	return allowed
}

// filter keeps the allowed and structural properties of one answer object.
func filter(obj map[string]any, allowed map[string]bool) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		if allowed[k] || slices.Contains(structuralFields, k) {
			out[k] = v
		}
	}
	return out
}

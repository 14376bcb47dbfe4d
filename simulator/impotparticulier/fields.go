package impotparticulier

import (
	"strings"
	"sync"
	"sync/atomic"
)

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

// consentScopes maps each of FranceConnect's 44 DGFiP scopes (fcp-low,
// back/libs/scopes/src/data/dgfip: one claim per scope) to the parts of an
// answer it releases, matched to the guide's §7 table (« Exemples de
// données restituées ») whose wording the platform's labels copy. A part is
//
//	"rfr"           a top-level field, whole;
//	"pac.nbPac"     one property of an object field;
//	"facture/0020"  the avis lines (facture resource) of that codeLigne.
//
// In FranceConnect mode a part that some scope names is returned only when
// the user consented to one of the scopes naming it (or naming its whole
// field); parts no scope names (revenuBrutGlobal, tax amounts, rev.pro…,
// avis lines such as 1830) follow the habilitation alone — the sandbox's
// reading of guide §6.1. Scopes that name nothing:
//   - dgfip_annee_*: which revenue years the user consented to (checkYear);
//   - dgfip_locaux_th*: the taxe d'habitation resource, removed in guide
//     v2.9 (22/05/2025) — the platform still offers the scopes.
//
// dgfip_IndLep is not a FranceConnect scope (LEP is SPI-only, for banks).
var consentScopes = map[string][]string{
	"dgfip_rfr":                                  {"rfr"},
	"dgfip_annee_n_moins_1":                      nil,
	"dgfip_annee_n_moins_2":                      nil,
	"dgfip_annee_n_moins_3":                      nil,
	"dgfip_annee_n_moins_2_si_indispo_n_moins_1": nil,
	"dgfip_nbpart":                               {"nbPart"},
	"dgfip_sitfam":                               {"sitFam"},
	"dgfip_aft":                                  {"aft", "aftDetail"},
	"dgfip_nbpac":                                {"pac.nbPac"},
	"dgfip_pac_nbPac":                            {"pac.nbPac"},
	// The detail (cases F, G, H, I, J, N, P, R) and the total with it.
	"dgfip_pac":        {"pac"},
	"dgfip_inddeficit": {"indDeficit"},
	"dgfip_pariso":     {"sitParIso"},
	"dgfip_decl": {"nmNaiDec1", "nmUsaDec1", "prnmDec1", "dateNaisDec1", "dptNaissDec1", "lieuNaissDec1",
		"nmNaiDec2", "nmUsaDec2", "prnmDec2", "dateNaisDec2", "dptNaissDec2", "lieuNaissDec2"},
	"dgfip_locaux_th":       nil,
	"dgfip_locaux_th_ident": nil,
	"dgfip_locaux_th_Nat":   nil,
	"dgfip_locaux_th_Tax":   nil,
	"dgfip_locaux_th_Aff":   nil,
	"dgfip_nmUsaDec1":       {"nmUsaDec1"},
	"dgfip_nmNaiDec1":       {"nmNaiDec1"},
	"dgfip_prnmDec1":        {"prnmDec1"},
	// The guide's row is « Date et lieu de naissance »: the sandbox
	// releases the place with the date (the platform's label says only
	// « Date de naissance »).
	"dgfip_dateNaisDec1": {"dateNaisDec1", "dptNaissDec1", "lieuNaissDec1"},
	"dgfip_nmUsaDec2":    {"nmUsaDec2"},
	"dgfip_nmNaiDec2":    {"nmNaiDec2"},
	"dgfip_prnmDec2":     {"prnmDec2"},
	"dgfip_dateNaisDec2": {"dateNaisDec2", "dptNaissDec2", "lieuNaissDec2"},
	"dgfip_mntRevbareme": {"mntRevbareme"},
	"dgfip_indiIFI":      {"indicateurIfiIsf"},
	// Gross (declared) categorical income: categories 1 (salaries) and 5
	// are avis lines; rentes viagères, 2, 3 and 4 are rev lists.
	"dgfip_RevDecl_Cat1_Tspr": lines("0020", "0021", "0022", "0024", "0025", "0026", "0027", "0030", "0040", "0041",
		"0070", "0150", "0170", "0171", "0175", "0180"),
	"dgfip_RevDecl_Cat1_RentOn": {"rev.tspr"},
	"dgfip_RevDecl_Cat2_Rcm":    {"rev.rcm"},
	"dgfip_RevDecl_Cat3_PMV":    {"rev.pv"},
	"dgfip_RevDecl_Cat4_Ref":    {"rev.fonc"},
	"dgfip_RevDecl_Cat5_NonSal": lines("0361", "0369", "0370", "0440", "0530", "0570", "0600", "0640", "0706", "0707",
		"0721", "0722", "0739", "0760", "0790", "0820"),
	// Net categorical income, deductions: avis lines only.
	"dgfip_RevNets_Cat1_Tspr":   lines("0240"),
	"dgfip_RevNets_Cat1_RentOn": lines("0902"),
	"dgfip_RevNets_Cat2_Rcm":    lines("0940"),
	"dgfip_RevNets_Cat3_PMV":    lines("3012", "6898", "6899", "0991", "4802", "4803"),
	"dgfip_RevNets_Cat4_Ref":    lines("1000", "1010"),
	"dgfip_RevNets_Cat5_NonSal": lines("0363", "0470", "0550", "0591", "0620", "0670", "0710", "0711", "0725", "0726",
		"0748", "0780", "0810", "0825"),
	"dgfip_PaDeduc_EnfMaj": lines("1320"),
	"dgfip_PaDeduc_Autres": lines("1330", "1340"),
	"dgfip_EpargRetrDeduc": lines("1400", "1402"),
}

// lines names the avis lines of those codes.
func lines(codes ...string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = "facture/" + c
	}
	return out
}

// parts is a set of parts of an answer, as consentScopes names them.
type parts struct {
	whole map[string]bool            // field
	sub   map[string]map[string]bool // field → property, or field → codeLigne
}

func newParts(names ...[]string) parts {
	p := parts{whole: map[string]bool{}, sub: map[string]map[string]bool{}}
	for _, list := range names {
		for _, name := range list {
			field, sub, ok := strings.Cut(name, ".")
			if !ok {
				field, sub, ok = strings.Cut(name, "/")
			}
			if !ok {
				p.whole[field] = true
				continue
			}
			if p.sub[field] == nil {
				p.sub[field] = map[string]bool{}
			}
			p.sub[field][sub] = true
		}
	}
	return p
}

// names tells whether p names field or a part of it.
func (p parts) names(field string) bool { return p.whole[field] || len(p.sub[field]) > 0 }

// has tells whether p holds the part sub of field.
func (p parts) has(field, sub string) bool { return p.whole[field] || p.sub[field][sub] }

// covered is every part some consent scope names.
var covered = func() parts {
	all := make([][]string, 0, len(consentScopes))
	for _, names := range consentScopes {
		all = append(all, names)
	}
	return newParts(all...)
}()

// fieldSet is a set of fieldNames, by their index.
type fieldSet uint64

// fieldIndex is the index of each of fieldNames.
var fieldIndex = func() map[string]int {
	if len(fieldNames) > 64 {
		panic("impotparticulier: more than 64 data fields for a fieldSet")
	}
	m := make(map[string]int, len(fieldNames))
	for i, name := range fieldNames {
		m[name] = i
	}
	return m
}()

// fieldsOf is the set of the named fields (names not in fieldNames are
// left out: the fixtures' check refuses them).
func fieldsOf(names []string) fieldSet {
	var set fieldSet
	for _, f := range names {
		if i, ok := fieldIndex[f]; ok {
			set |= 1 << i
		}
	}
	return set
}

// has tells whether the set holds the field of that index (-1: none).
func (s fieldSet) has(i int) bool { return i >= 0 && s&(1<<i) != 0 }

// view is what one answer may show: the habilitation's fields and, in
// FranceConnect mode, the parts the user consented to.
type view struct {
	fields    fieldSet
	consented *parts // nil in SPI mode
}

// allowedFields returns the view of an answer: the habilitation's fields,
// narrowed in FranceConnect mode (consented != nil) to the consented parts
// where a consent scope names them.
func allowedFields(fields fieldSet, consented []string) view {
	v := view{fields: fields}
	if consented != nil {
		v.consented = consentedParts(consented)
	}
	return v
}

// consentCache holds the parts of the consent sets met so far, by the
// scopes joined: a sandbox meets few (its clients' scopes), and building
// the parts was a tenth of an API call in FranceConnect mode. It stops
// growing at consentCacheSize sets; others are built per call.
var (
	consentCache     sync.Map // string → *parts
	consentCacheLen  atomic.Int32
	consentCacheSize = int32(1024)
)

// consentedParts returns the parts the consented scopes name.
func consentedParts(consented []string) *parts {
	key := strings.Join(consented, " ")
	if p, ok := consentCache.Load(key); ok {
		return p.(*parts)
	}
	granted := make([][]string, 0, len(consented))
	for _, s := range consented {
		granted = append(granted, consentScopes[s])
	}
	p := newParts(granted...)
	if consentCacheLen.Add(1) <= consentCacheSize {
		consentCache.Store(key, &p)
	}
	return &p
}

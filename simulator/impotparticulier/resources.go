package impotparticulier

import (
	"strings"

	"github.com/bacasable/bacasable/simulator/population"
)

// situation is the 34 properties of situations/ir/assiettes for one avis.
// Absent data is null, as the real API sends it.
func situation(a *population.Avis) map[string]any {
	m := map[string]any{
		"rfr": a.RFR, "sitFam": a.SitFam, "nbPart": a.NbPart,
		"pac": map[string]any{
			"nbPac": a.Pac.NbPac, "nbPacF": a.Pac.NbPacF, "nbPacG": a.Pac.NbPacG, "nbPacH": a.Pac.NbPacH, "nbPacI": a.Pac.NbPacI,
			"nbPacR": a.Pac.NbPacR, "nbPacJ": a.Pac.NbPacJ, "nbPacN": a.Pac.NbPacN, "nbPacP": a.Pac.NbPacP,
		},
		"aft": a.Aft.Ligne(),
		"aftDetail": map[string]any{
			"complementAdresse": nullable(a.Aft.Complement), "voie": nullable(a.Aft.Voie),
			"getcommune": nullable(a.Aft.Commune), "getcodePostal": nullable(a.Aft.CodePostal),
		},
		"sitParIso": nullable(a.SitParIso), "pensAlPer": a.PensAlPer, "indDeficit": nullable(a.IndDeficit),
		"revenuBrutGlobal": a.RevenuBrutGlobal, "sitPart": nil,
		"sitParDeclaree": map[string]any{
			"sitPartP": nil, "sitPartF": nil, "sitPartW": nil, "sitComb": nil, "pensVeufGuerre": nil, "indEnfSeul5ansMin": nil, "indNonSeul": nil,
		},
		"indOptionImpotSepar": nil, "mntRevbareme": a.MntRevbareme, "datRec": nullable(a.DatRec), "datEtab": nullable(a.DatEtab),
		"impAvImput": a.ImpAvImput, "montTotIr": a.MontTotIr, "revImposable": a.RevImposable,
		"numRole": nullable(a.NumRole), "fipNum": nil,
		"rev": map[string]any{
			"tspr": lignes(a.Rev.Tspr), "rcm": lignes(a.Rev.Rcm), "pv": lignes(a.Rev.Pv), "fonc": lignes(a.Rev.Fonc),
			"pro": lignes(a.Rev.Pro), "chges": lignes(a.Rev.Chges), "rici": lignes(a.Rev.Rici), "alpha": lignes(a.Rev.Alpha),
			"div": lignes(a.Rev.Div),
		},
	}
	declarant(m, "1", a.Dec1)
	declarant(m, "2", a.Dec2)
	return m
}

// declarant sets the six identity properties of declarant n.
func declarant(m map[string]any, n string, d *population.DeclarantAvis) {
	if d == nil {
		for _, k := range []string{"nmNaiDec", "nmUsaDec", "prnmDec", "dateNaisDec", "dptNaissDec", "lieuNaissDec"} {
			m[k+n] = nil
		}
		return
	}
	m["nmNaiDec"+n] = nullable(d.NomNaissance)
	m["nmUsaDec"+n] = nullable(d.NomUsage)
	m["prnmDec"+n] = nullable(d.Prenoms)
	m["dateNaisDec"+n] = dateNaissance(d.DateNaissance)
	m["dptNaissDec"+n] = nullable(d.DptNaissance)
	m["lieuNaissDec"+n] = nullable(d.LieuNaissance)
}

// dateNaissance splits YYYY-MM-DD into the API's {jour, mois, annee}.
func dateNaissance(d string) any {
	parts := strings.Split(d, "-")
	if len(parts) != 3 {
		return nil
	}
	return map[string]any{"jour": parts[2], "mois": parts[1], "annee": parts[0]}
}

func lignes(ls []population.LigneRevenu) []map[string]any {
	out := make([]map[string]any, 0, len(ls))
	for _, l := range ls {
		out = append(out, map[string]any{"code": l.Code, "valeur": l.Valeur})
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// derniereSituation adds annRevenu to the situation.
func derniereSituation(a *population.Avis) map[string]any {
	m := situation(a)
	m["annRevenu"] = a.AnnRev
	return m
}

// facturesSituation adds the avis lines.
func facturesSituation(a *population.Avis) map[string]any {
	m := situation(a)
	lines := make([]map[string]any, 0, len(a.Factures))
	for _, f := range a.Factures {
		lines = append(lines, map[string]any{
			"numLigne": f.NumLigne, "codeLigne": f.CodeLigne, "libelleLigne": f.LibelleLigne,
			"colonne1": nullable(f.Colonne1), "colonne2": nullable(f.Colonne2), "colonne3": nullable(f.Colonne3), "colonne4": nullable(f.Colonne4),
		})
	}
	m["facture"] = lines
	return m
}

// multipleSituation is one period of a year with several avis.
func multipleSituation(a *population.Avis) map[string]any {
	m := situation(a)
	m["spiDec1"], m["spiDec2"] = nil, nil
	m["dateDecesdec1"], m["dateDecesdec2"] = nil, nil
	if a.Dec1 != nil {
		m["spiDec1"] = nullable(a.Dec1.SPI)
		m["dateDecesdec1"] = nullable(a.Dec1.DateDeces)
	}
	if a.Dec2 != nil {
		m["spiDec2"] = nullable(a.Dec2.SPI)
		m["dateDecesdec2"] = nullable(a.Dec2.DateDeces)
	}
	m["dateDebutPeriode"] = a.DateDebutPeriode
	m["dateFinPeriode"] = a.DateFinPeriode
	m["typeAvis"] = a.TypeAvis
	return m
}

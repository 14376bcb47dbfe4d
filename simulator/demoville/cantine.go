package demoville

import (
	"math"
	"strconv"
)

// cantine prices a school meal by the household's quotient familial. It
// asks FranceConnect for the identity, the email (to confirm the
// registration) and four tax data of the latest avis: N-1, or N-2 while N-1
// is not yet available.
var cantine = &service{
	Slug:    "cantine",
	Name:    "Inscription à la cantine scolaire",
	Summary: "Le prix du repas dépend de votre quotient familial, calculé à partir de votre dernier avis d'imposition.",
	Scopes: []string{"openid", "identite_pivot", "email",
		"dgfip_rfr", "dgfip_nbpart", "dgfip_sitfam", "dgfip_nbpac", "dgfip_annee_n_moins_2_si_indispo_n_moins_1"},
	Data:   []string{"revenu fiscal de référence", "nombre de parts", "situation de famille", "nombre de personnes à charge"},
	decide: (*Site).decideCantine,
}

// cantineResult is the tariff and how it was computed.
type cantineResult struct {
	Bracket  Bracket
	QF       int // quotient familial, whole euros
	RFR      int64
	NbPart   float64
	SitFam   string // the DGFiP's code, M, O, C, D or V; "" when not sent
	NbPac    *int
	Brackets []bracketRow
}

// SitFamLabel is the situation de famille in words.
func (c *cantineResult) SitFamLabel() string {
	switch c.SitFam {
	case "M":
		return "marié(e)s"
	case "O":
		return "pacsé(e)s"
	case "C":
		return "célibataire"
	case "D":
		return "divorcé(e) ou séparé(e)"
	case "V":
		return "veuf ou veuve"
	case "":
		return "non transmise"
	}
	return c.SitFam
}

func (s *Site) decideCantine(sit *situationIR) (*outcome, *problem) {
	if sit.RFR == nil || sit.NbPart == nil || *sit.NbPart <= 0 || sit.AnnRevenu == nil {
		return nil, missingData("revenu fiscal de référence et nombre de parts")
	}
	qf := quotientFamilial(*sit.RFR, *sit.NbPart)
	res := &cantineResult{
		Bracket: bracketFor(s.cfg.Brackets, qf), QF: qf, RFR: *sit.RFR, NbPart: *sit.NbPart,
		Brackets: bracketRows(s.cfg.Brackets),
	}
	if sit.SitFam != nil {
		res.SitFam = *sit.SitFam
	}
	if sit.Pac != nil {
		res.NbPac = sit.Pac.NbPac
	}
	for i := range res.Brackets {
		res.Brackets[i].Applied = res.Brackets[i].Code == res.Bracket.Code
	}
	return &outcome{Year: *sit.AnnRevenu, Cantine: res}, nil
}

// quotientFamilial is the monthly income per part: revenu fiscal de
// référence / 12 / nombre de parts, rounded down to the euro.
func quotientFamilial(rfr int64, nbPart float64) int {
	if rfr <= 0 {
		return 0
	}
	return int(math.Floor(float64(rfr) / 12 / nbPart))
}

// bracketFor returns the bracket of qf: the first whose ceiling is at least
// qf, or the last.
func bracketFor(brackets []Bracket, qf int) Bracket {
	for _, b := range brackets[:len(brackets)-1] {
		if qf <= b.MaxQF {
			return b
		}
	}
	return brackets[len(brackets)-1]
}

// bracketRow is a bracket as the tariff table shows it.
type bracketRow struct {
	Code    string
	Range   string // « de 401 € à 700 € »
	Price   string // « 1,50 € »
	Applied bool
}

func bracketRows(brackets []Bracket) []bracketRow {
	rows := make([]bracketRow, len(brackets))
	low := 0
	for i, b := range brackets {
		r := bracketRow{Code: b.Code, Price: euroCents(b.MealCents)}
		switch {
		case len(brackets) == 1:
			r.Range = "tous les quotients"
		case i == len(brackets)-1:
			r.Range = "plus de " + euros(int64(low-1))
		case i == 0:
			r.Range = "jusqu'à " + euros(int64(b.MaxQF))
		default:
			r.Range = "de " + euros(int64(low)) + " à " + euros(int64(b.MaxQF))
		}
		rows[i] = r
		low = b.MaxQF + 1
	}
	return rows
}

// euros writes whole euros the French way: « 41 220 € » (no-break spaces).
func euros(n int64) string {
	return groupThousands(n) + "\u00a0€"
}

// euroCents writes cents as « 3,90 € ».
func euroCents(c int) string {
	return groupThousands(int64(c/100)) + "," + pad2(c%100) + "\u00a0€"
}

// parts writes a nombre de parts: « 3 », « 2,5 ».
func parts(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	for i := range s {
		if s[i] == '.' {
			return s[:i] + "," + s[i+1:]
		}
	}
	return s
}

func groupThousands(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, "\u00a0"...)
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

package population

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// The sandbox computes every avis with the parameters of the impôt sur le
// revenu taxed in 2025 (revenus 2024), whatever the revenue year: the
// fixtures' years are relative, so the figures must not depend on the clock.
// This is a documented simplification; so is everything the computation
// leaves out (see Calcule).
const (
	// deductionSalairesTaux is the 10 % deduction for professional expenses
	// on salaries, per person, at least deductionSalairesMin (without
	// exceeding the salary) and at most deductionSalairesMax.
	deductionSalairesTaux = 0.10
	deductionSalairesMin  = 504
	deductionSalairesMax  = 14426
	// abattementPensionsTaux is the 10 % abatement on pensions, at least
	// abattementPensionsMin per pensioner (without exceeding the pension)
	// and at most abattementPensionsMax for the whole foyer.
	abattementPensionsTaux = 0.10
	abattementPensionsMin  = 450
	abattementPensionsMax  = 4399
	// abattementDividendes is the 40 % abatement on dividends (2DC); the
	// RFR adds it back.
	abattementDividendes = 0.40
	// Micro regimes: flat abatement on receipts, at least microMin.
	abattementMicroBNC         = 0.34
	abattementMicroBICServices = 0.50
	abattementMicroFoncier     = 0.30
	abattementMicroMin         = 305
	// abattementRattachement is the abatement per person of a married (or
	// family-supporting) child's household attached to the foyer (case N);
	// half of it per grandchild in alternate residence (case P).
	abattementRattachement = 6794
	// plafondDemiPart caps the advantage of each half-part above the base
	// parts (1, or 2 for a couple). The real law has special ceilings (single
	// parent's first child, widow(er), disabled declarants); the sandbox
	// applies this one to every half-part.
	plafondDemiPart = 1791
	// Décote: base minus tauxDecote × tax, for a single person or a couple
	// taxed jointly, capped at the tax.
	decoteSeul   = 889
	decoteCouple = 1470
	tauxDecote   = 0.4525
	// seuilRecouvrement: a tax below it is not collected (montTotIr 0).
	seuilRecouvrement = 61
)

// tranche is one bracket of the progressive barème: taux applies to the part
// of the quotient above seuil (up to the next bracket's seuil).
type tranche struct {
	seuil int64
	taux  float64
}

// bareme is the 2025 scale (revenus 2024), per part of quotient familial.
var bareme = []tranche{{0, 0}, {11497, 0.11}, {29315, 0.30}, {83823, 0.41}, {180294, 0.45}}

// Categories of dependants, as the cases of the déclaration 2042 and the
// fields of the pac object.
const (
	CategorieF = "F" // child under 18 (or disabled), exclusive residence
	CategorieG = "G" // child of case F holding the disability card (counts in F and G)
	CategorieH = "H" // child under 18 (or disabled), alternate residence
	CategorieI = "I" // child of case H holding the disability card (counts in H and I)
	CategorieR = "R" // other disabled person living under the roof
	CategorieJ = "J" // attached single adult child without children
	CategorieN = "N" // person of an attached married/PACSed or family-supporting child's household
	CategorieP = "P" // grandchild in alternate residence of such a household
)

// Categories lists the dependant categories, in pac order.
var Categories = []string{CategorieF, CategorieG, CategorieH, CategorieI, CategorieR, CategorieJ, CategorieN, CategorieP}

// Pac counts the dependants by category, as the API's pac object. F counts
// the G children too and H the I children; NbPac is F + H + R + J + N + P.
type Pac struct {
	NbPac, NbPacF, NbPacG, NbPacH, NbPacI, NbPacR, NbPacJ, NbPacN, NbPacP int
}

// PacOf counts categories (one per dependant). It reports an unknown
// category as an error.
func PacOf(categories []string) (Pac, error) {
	var p Pac
	for _, c := range categories {
		switch c {
		case CategorieF:
			p.NbPacF++
		case CategorieG:
			p.NbPacF++
			p.NbPacG++
		case CategorieH:
			p.NbPacH++
		case CategorieI:
			p.NbPacH++
			p.NbPacI++
		case CategorieR:
			p.NbPacR++
		case CategorieJ:
			p.NbPacJ++
		case CategorieN:
			p.NbPacN++
		case CategorieP:
			p.NbPacP++
		default:
			return Pac{}, fmt.Errorf("categorie %q is none of %s", c, strings.Join(Categories, ", "))
		}
	}
	p.NbPac = p.NbPacF + p.NbPacH + p.NbPacR + p.NbPacJ + p.NbPacN + p.NbPacP
	return p, nil
}

// String is the pac in the fixture's words, for messages.
func (p Pac) String() string {
	var parts []string
	for _, c := range []struct {
		name string
		n    int
	}{{"F", p.NbPacF}, {"G", p.NbPacG}, {"H", p.NbPacH}, {"I", p.NbPacI}, {"R", p.NbPacR}, {"J", p.NbPacJ}, {"N", p.NbPacN}, {"P", p.NbPacP}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", c.name, c.n))
		}
	}
	if parts == nil {
		return "no dependant"
	}
	return strings.Join(parts, " ")
}

// Declaration is what a foyer declared for one period: the inputs of the
// computation of its avis.
type Declaration struct {
	// SitFam is M, O, C, D or V.
	SitFam string
	// Survivant marks the period after the death of the spouse or partner:
	// the survivor keeps the couple's quotient familial for the year of the
	// death (2 parts plus the dependants), with the single person's décote.
	Survivant bool
	// ParentIsole is case T: a single or divorced parent living alone with
	// a child.
	ParentIsole bool
	// Invalide1 and Invalide2 are cases P and F: the declarant holds a
	// disability pension or card (+0.5 part each).
	Invalide1, Invalide2 bool
	// Pac counts the dependants.
	Pac Pac
	// Revenus maps declaration codes (see RevenueCodes) to amounts in euros.
	Revenus map[string]int64
}

// Couple tells whether the declaration is a joint one (married or PACSed,
// before a death).
func (d Declaration) Couple() bool {
	return (d.SitFam == "M" || d.SitFam == "O") && !d.Survivant
}

// revenueKind says how a declaration code is taxed.
type revenueKind int

const (
	kindSalaire            revenueKind = iota // 10 % deduction per person
	kindPension                               // 10 % abatement per pensioner, foyer ceiling
	kindPensionAlimentaire                    // taxed as a pension, also summed in pensAlPer
	kindDividendes                            // 40 % abatement, added back to the RFR
	kindInterets                              // taxed in full
	kindFoncierReel                           // net rental income, taxed in full
	kindMicroFoncier                          // 30 % abatement
	kindDeficitFoncier                        // deficit set off against the revenu global
	kindMicroBNC                              // 34 % abatement, at least 305
	kindMicroBICServices                      // 50 % abatement, at least 305
	kindPensionVersee                         // deductible charge
)

// RevenueCode is one declaration code the sandbox computes.
type RevenueCode struct {
	Code    string
	Libelle string
	// Category is the rev group of the API the code is listed in: tspr,
	// rcm, fonc, pro or chges.
	Category string
	// Column is who the amount belongs to: 1 declarant 1, 2 declarant 2,
	// 3 dependants, 0 the whole foyer.
	Column int
	kind   revenueKind
	// person tells the pensioners apart for the abatement's floor: 0 to 3
	// for 1A…, 1B…, 1C…, 1D….
	person int
}

// RevenueCodes lists the codes of the déclaration 2042 the sandbox knows.
// RCM are taxed at the barème (as with option 2OP), not at the flat tax.
var RevenueCodes = []RevenueCode{
	{"1AJ", "Salaires du déclarant 1", "tspr", 1, kindSalaire, 0},
	{"1BJ", "Salaires du déclarant 2", "tspr", 2, kindSalaire, 0},
	{"1CJ", "Salaires de la 1re personne à charge", "tspr", 3, kindSalaire, 0},
	{"1DJ", "Salaires de la 2e personne à charge", "tspr", 3, kindSalaire, 0},
	{"1AS", "Pensions et retraites du déclarant 1", "tspr", 1, kindPension, 0},
	{"1BS", "Pensions et retraites du déclarant 2", "tspr", 2, kindPension, 1},
	{"1CS", "Pensions et retraites de la 1re personne à charge", "tspr", 3, kindPension, 2},
	{"1DS", "Pensions et retraites de la 2e personne à charge", "tspr", 3, kindPension, 3},
	{"1AO", "Pensions alimentaires perçues par le déclarant 1", "tspr", 1, kindPensionAlimentaire, 0},
	{"1BO", "Pensions alimentaires perçues par le déclarant 2", "tspr", 2, kindPensionAlimentaire, 1},
	{"2DC", "Dividendes ouvrant droit à l'abattement de 40 %", "rcm", 0, kindDividendes, 0},
	{"2TR", "Intérêts et autres revenus de capitaux mobiliers", "rcm", 0, kindInterets, 0},
	{"4BA", "Revenus fonciers nets (régime réel)", "fonc", 0, kindFoncierReel, 0},
	{"4BE", "Recettes brutes (micro-foncier)", "fonc", 0, kindMicroFoncier, 0},
	{"4BC", "Déficit foncier imputable sur le revenu global", "fonc", 0, kindDeficitFoncier, 0},
	{"5HQ", "Recettes non commerciales (micro-BNC), déclarant 1", "pro", 1, kindMicroBNC, 0},
	{"5IQ", "Recettes non commerciales (micro-BNC), déclarant 2", "pro", 2, kindMicroBNC, 0},
	{"5KP", "Prestations de services (micro-BIC), déclarant 1", "pro", 1, kindMicroBICServices, 0},
	{"5LP", "Prestations de services (micro-BIC), déclarant 2", "pro", 2, kindMicroBICServices, 0},
	{"6GP", "Pensions alimentaires versées (autres personnes)", "chges", 0, kindPensionVersee, 0},
}

// RevenueCodeOf returns the description of a declaration code.
func RevenueCodeOf(code string) (RevenueCode, bool) {
	i := slices.IndexFunc(RevenueCodes, func(c RevenueCode) bool { return c.Code == code })
	if i < 0 {
		return RevenueCode{}, false
	}
	return RevenueCodes[i], true
}

// revenueCodeList is the known codes, for messages.
func revenueCodeList() string {
	codes := make([]string, len(RevenueCodes))
	for i, c := range RevenueCodes {
		codes[i] = c.Code
	}
	return strings.Join(codes, ", ")
}

// Calcul is what the computation gives for one Declaration. Amounts are
// whole euros; columns are declarant 1, declarant 2, dependants.
type Calcul struct {
	NbPart float64
	// Salaires, Pensions (pensions alimentaires included) and NetsTSPR (both
	// after the 10 % deduction and abatement) per column.
	Salaires, Pensions, NetsTSPR [3]int64
	// RCM net of the dividends' abatement; Fonciers net (deficit deducted);
	// Pro net of the micro abatements, per declarant.
	RCM, Fonciers int64
	Pro           [2]int64
	// Charges deducted from the revenu brut global, and the abatements for
	// attached households (cases N and P).
	Charges, AbattementsRattachement int64
	PensAlPer                        int64
	RevenuBrutGlobal                 int64
	RevImposable                     int64
	RFR                              int64
	// Deficit is set when the revenu brut global is negative or a land
	// deficit was declared (indDeficit "1").
	Deficit bool
	// MntRevbareme is the tax at the barème after the quotient familial
	// ceiling; Decote the décote granted; ImpAvImput the tax after the
	// décote; MontTotIr the tax collected (0 below the collection threshold).
	MntRevbareme, Decote, ImpAvImput, MontTotIr int64
}

// Calcule computes an avis: revenue after the 10 % deduction on salaries and
// the abatement on pensions (2025 floors and ceilings), the micro
// abatements, the revenu brut global, the revenu imposable (charges and
// attachment abatements deducted), the RFR (revenu imposable plus the
// dividends' 40 % abatement: the only add-back modelled), the tax at the
// progressive barème with the quotient familial and its ceiling, the décote
// and the collection threshold. Left out: tax reductions and credits, the
// flat tax on RCM (taxed at the barème instead), the exceptional income
// system, the CSG deduction, the special quotient familial ceilings.
func Calcule(d Declaration) (Calcul, error) {
	var c Calcul
	c.NbPart = NbPart(d)
	var pensionsBy [4]int64 // per pensioner
	var dividendes int64
	var deficit int64
	for code, amount := range d.Revenus {
		rc, ok := RevenueCodeOf(code)
		if !ok {
			return Calcul{}, fmt.Errorf("unknown revenue code %q (known codes: %s)", code, revenueCodeList())
		}
		if amount < 0 {
			return Calcul{}, fmt.Errorf("revenue %s is negative (%d)", code, amount)
		}
		col := rc.Column - 1
		switch rc.kind {
		case kindSalaire:
			c.Salaires[col] += amount
			// 1CJ and 1DJ are two people: each has its own deduction.
			c.NetsTSPR[col] += amount - DeductionSalaires(amount)
		case kindPension:
			c.Pensions[col] += amount
			pensionsBy[rc.person] += amount
		case kindPensionAlimentaire:
			c.Pensions[col] += amount
			pensionsBy[rc.person] += amount
			c.PensAlPer += amount
		case kindDividendes:
			dividendes += amount
		case kindInterets:
			c.RCM += amount
		case kindFoncierReel:
			c.Fonciers += amount
		case kindMicroFoncier:
			c.Fonciers += amount - roundEuro(float64(amount)*abattementMicroFoncier)
		case kindDeficitFoncier:
			deficit += amount
		case kindMicroBNC:
			c.Pro[col] += amount - microAbattement(amount, abattementMicroBNC)
		case kindMicroBICServices:
			c.Pro[col] += amount - microAbattement(amount, abattementMicroBICServices)
		case kindPensionVersee:
			c.Charges += amount
		}
	}
	abatPensions := AbattementPensions(pensionsBy[:]...)
	for i := range pensionsBy {
		c.NetsTSPR[min(i, 2)] += pensionsBy[i] - abatPensions[i]
	}
	abatDividendes := roundEuro(float64(dividendes) * abattementDividendes)
	c.RCM += dividendes - abatDividendes
	c.Fonciers -= deficit
	c.RevenuBrutGlobal = c.NetsTSPR[0] + c.NetsTSPR[1] + c.NetsTSPR[2] + c.RCM + c.Fonciers + c.Pro[0] + c.Pro[1]
	c.Deficit = c.RevenuBrutGlobal < 0 || deficit > 0
	c.AbattementsRattachement = int64(d.Pac.NbPacN)*abattementRattachement + int64(d.Pac.NbPacP)*abattementRattachement/2
	c.RevImposable = max(0, c.RevenuBrutGlobal-c.Charges-c.AbattementsRattachement)
	c.RFR = max(0, c.RevImposable+abatDividendes)
	c.MntRevbareme = ImpotQuotientFamilial(c.RevImposable, c.NbPart, PartsBase(d))
	c.Decote = Decote(c.MntRevbareme, d.Couple())
	c.ImpAvImput = c.MntRevbareme - c.Decote
	if c.ImpAvImput >= seuilRecouvrement {
		c.MontTotIr = c.ImpAvImput
	}
	return c, nil
}

// NbPart is the number of parts of quotient familial: 1 for a single
// person, 2 for a couple (and for the survivor in the year of the death, and
// for a widow(er) with children: CGI art. 194 gives them the couple's
// quotient); +0.5 for each of the first two dependants and +1 from the
// third, dependants in exclusive residence (F, G, J, R) ranked before those
// in alternate residence (H, I), which count half (+0.25, then +0.5);
// +0.5 per dependant holding the disability card (G, R; +0.25 for I);
// +0.5 per disabled declarant; +0.5 for a single parent (case T, single or
// divorced, with a child in exclusive residence; +0.25 with children in
// alternate residence only). Cases N and P give an abatement, not parts.
// Case L (having raised a child alone) is not modelled.
func NbPart(d Declaration) float64 {
	p := d.Pac
	children := p.NbPacF + p.NbPacJ + p.NbPacH
	parts := 1.0
	if d.Couple() || d.Survivant || (d.SitFam == "V" && children > 0) {
		parts = 2
	}
	rank := 0
	exclusive := p.NbPacF + p.NbPacJ + p.NbPacR
	for range exclusive {
		rank++
		if rank <= 2 {
			parts += 0.5
		} else {
			parts++
		}
	}
	for range p.NbPacH {
		rank++
		if rank <= 2 {
			parts += 0.25
		} else {
			parts += 0.5
		}
	}
	parts += 0.5*float64(p.NbPacG+p.NbPacR) + 0.25*float64(p.NbPacI)
	if d.Invalide1 {
		parts += 0.5
	}
	if d.Invalide2 {
		parts += 0.5
	}
	if d.ParentIsole && (d.SitFam == "C" || d.SitFam == "D") {
		switch {
		case p.NbPacF+p.NbPacJ > 0:
			parts += 0.5
		case p.NbPacH > 0:
			parts += 0.25
		}
	}
	return parts
}

// PartsBase is the parts the quotient familial ceiling is measured from: 2
// for a couple and for the survivor in the year of the death, 1 otherwise.
func PartsBase(d Declaration) float64 {
	if d.Couple() || d.Survivant {
		return 2
	}
	return 1
}

// DeductionSalaires is the 10 % deduction on one person's salaries: at least
// 504 € (but no more than the salaries), at most 14 426 €.
func DeductionSalaires(salaires int64) int64 {
	if salaires <= 0 {
		return 0
	}
	d := roundEuro(float64(salaires) * deductionSalairesTaux)
	d = max(d, min(deductionSalairesMin, salaires))
	return min(d, deductionSalairesMax)
}

// AbattementPensions is the 10 % abatement on pensions, one amount per
// pensioner: at least 450 € each (but no more than the pension), at most
// 4 399 € for the whole foyer, shared in proportion when capped.
func AbattementPensions(pensions ...int64) []int64 {
	out := make([]int64, len(pensions))
	var total int64
	for i, p := range pensions {
		if p <= 0 {
			continue
		}
		a := roundEuro(float64(p) * abattementPensionsTaux)
		out[i] = max(a, min(abattementPensionsMin, p))
		total += out[i]
	}
	if total <= abattementPensionsMax {
		return out
	}
	// Share the ceiling in proportion; the first pensioner takes the
	// rounding remainder.
	var shared int64
	first := -1
	for i := range out {
		if out[i] == 0 {
			continue
		}
		if first < 0 {
			first = i
		}
		out[i] = out[i] * abattementPensionsMax / total
		shared += out[i]
	}
	out[first] += abattementPensionsMax - shared
	return out
}

// microAbattement is a micro regime's flat abatement: rate × receipts, at
// least 305 € but no more than the receipts.
func microAbattement(recettes int64, rate float64) int64 {
	return min(max(roundEuro(float64(recettes)*rate), abattementMicroMin), recettes)
}

// ImpotBareme applies the progressive barème to revenu divided into parts,
// and multiplies back: the tax before rounding and ceiling.
func ImpotBareme(revenu int64, parts float64) float64 {
	if revenu <= 0 || parts <= 0 {
		return 0
	}
	q := float64(revenu) / parts
	var tax float64
	for i, t := range bareme {
		if q <= float64(t.seuil) {
			break
		}
		top := q
		if i+1 < len(bareme) && q > float64(bareme[i+1].seuil) {
			top = float64(bareme[i+1].seuil)
		}
		tax += (top - float64(t.seuil)) * t.taux
	}
	return tax * parts
}

// ImpotQuotientFamilial is the tax at the barème with parts, capped so that
// the half-parts above base save at most 1 791 € each, rounded to the euro.
func ImpotQuotientFamilial(revenu int64, parts, base float64) int64 {
	tax := ImpotBareme(revenu, parts)
	if parts > base {
		withoutExtra := ImpotBareme(revenu, base)
		ceiling := plafondDemiPart * (parts - base) * 2
		if withoutExtra-tax > ceiling {
			tax = withoutExtra - ceiling
		}
	}
	return roundEuro(tax)
}

// Decote is the décote granted on a tax: 889 € (1 470 € for a couple taxed
// jointly) minus 45.25 % of the tax, rounded to the euro, neither negative
// nor more than the tax.
func Decote(impot int64, couple bool) int64 {
	base := float64(decoteSeul)
	if couple {
		base = decoteCouple
	}
	d := roundEuro(base - tauxDecote*float64(impot))
	return min(max(d, 0), max(impot, 0))
}

// roundEuro rounds to the nearest euro, half away from zero (CGI art. 1657).
func roundEuro(x float64) int64 { return int64(math.Round(x)) }

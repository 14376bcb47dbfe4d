package population

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func pac(t *testing.T, categories ...string) Pac {
	t.Helper()
	p, err := PacOf(categories)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPacOf(t *testing.T) {
	got := pac(t, "F", "G", "H", "I", "R", "J", "N", "P")
	want := Pac{NbPac: 8, NbPacF: 2, NbPacG: 1, NbPacH: 2, NbPacI: 1, NbPacR: 1, NbPacJ: 1, NbPacN: 1, NbPacP: 1}
	if got != want {
		t.Errorf("PacOf = %+v, want %+v", got, want)
	}
	if _, err := PacOf([]string{"F", "X"}); err == nil || !strings.Contains(err.Error(), `"X"`) {
		t.Errorf("PacOf(X) error = %v", err)
	}
}

func TestNbPart(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    Declaration
		want float64
	}{
		{"single", Declaration{SitFam: "C"}, 1},
		{"divorced", Declaration{SitFam: "D"}, 1},
		{"widow without dependant", Declaration{SitFam: "V"}, 1},
		{"married", Declaration{SitFam: "M"}, 2},
		{"PACSed", Declaration{SitFam: "O"}, 2},
		{"couple, 1 child", Declaration{SitFam: "M", Pac: pac(t, "F")}, 2.5},
		{"couple, 2 children", Declaration{SitFam: "M", Pac: pac(t, "F", "F")}, 3},
		{"couple, 3 children: +1 from the third", Declaration{SitFam: "M", Pac: pac(t, "F", "F", "F")}, 4},
		{"couple, 5 children", Declaration{SitFam: "M", Pac: pac(t, "F", "F", "F", "F", "F")}, 6},
		{"attached adult child counts as a child", Declaration{SitFam: "M", Pac: pac(t, "J", "F")}, 3},
		{"single, 1 child, no case T (lives with a partner)", Declaration{SitFam: "C", Pac: pac(t, "F")}, 1.5},
		{"single parent T, 1 child", Declaration{SitFam: "D", ParentIsole: true, Pac: pac(t, "F")}, 2},
		{"single parent T, 2 children", Declaration{SitFam: "D", ParentIsole: true, Pac: pac(t, "F", "F")}, 2.5},
		{"single parent T, 1 child in alternate residence", Declaration{SitFam: "C", ParentIsole: true, Pac: pac(t, "H")}, 1.5},
		// CGI art. 194: a widow(er) with dependent children has the couple's
		// quotient: 2 + 0.5 per child for the first two.
		{"widow, 1 child", Declaration{SitFam: "V", Pac: pac(t, "F")}, 2.5},
		{"widow, 2 children", Declaration{SitFam: "V", Pac: pac(t, "F", "F")}, 3},
		{"widow, case T ignored", Declaration{SitFam: "V", ParentIsole: true, Pac: pac(t, "F")}, 2.5},
		{"couple, 1 child in alternate residence", Declaration{SitFam: "M", Pac: pac(t, "H")}, 2.25},
		{"couple, 1 exclusive + 1 alternate", Declaration{SitFam: "M", Pac: pac(t, "H", "F")}, 2.75},
		{"couple, 2 exclusive + 1 alternate (third: +0.5)", Declaration{SitFam: "M", Pac: pac(t, "F", "H", "F")}, 3.5},
		{"couple, 3 alternate", Declaration{SitFam: "M", Pac: pac(t, "H", "H", "H")}, 3},
		{"couple, disabled child", Declaration{SitFam: "M", Pac: pac(t, "G")}, 3},
		{"couple, disabled child in alternate residence", Declaration{SitFam: "M", Pac: pac(t, "I")}, 2.5},
		{"single, disabled person under the roof", Declaration{SitFam: "C", Pac: pac(t, "R")}, 2},
		{"single, disabled", Declaration{SitFam: "C", Invalide1: true}, 1.5},
		{"couple, both disabled", Declaration{SitFam: "M", Invalide1: true, Invalide2: true}, 3},
		{"attached married child: abatement, no part", Declaration{SitFam: "M", Pac: pac(t, "N", "N", "P")}, 2},
		{"survivor in the year of the death", Declaration{SitFam: "V", Survivant: true}, 2},
		{"survivor with 1 child", Declaration{SitFam: "V", Survivant: true, Pac: pac(t, "F")}, 2.5},
	} {
		if got := NbPart(tc.d); got != tc.want {
			t.Errorf("%s: NbPart = %g, want %g", tc.name, got, tc.want)
		}
	}
}

func TestDeductionSalaires(t *testing.T) {
	for _, tc := range []struct{ salaires, want int64 }{
		{25800, 2580},
		{20000, 2000},
		{3000, 504},     // floor
		{300, 300},      // the floor never exceeds the salaries
		{200000, 14426}, // ceiling
		{144260, 14426}, // exactly at the ceiling
		{19138, 1914},   // 1913.8 rounded
		{0, 0},
	} {
		if got := DeductionSalaires(tc.salaires); got != tc.want {
			t.Errorf("DeductionSalaires(%d) = %d, want %d", tc.salaires, got, tc.want)
		}
	}
}

func TestAbattementPensions(t *testing.T) {
	for _, tc := range []struct {
		pensions []int64
		want     []int64
	}{
		{[]int64{21500}, []int64{2150}},
		{[]int64{2000}, []int64{450}}, // floor per pensioner
		{[]int64{300}, []int64{300}},  // never more than the pension
		{[]int64{20000, 0}, []int64{2000, 0}},
		// 2 040 + 2 580 = 4 620 > 4 399: shared in proportion,
		// 2 040 × 4 399 / 4 620 = 1 942 (+1 of rounding), 2 580 × 4 399 / 4 620 = 2 456.
		{[]int64{20400, 25800}, []int64{1943, 2456}},
		{[]int64{68000}, []int64{4399}},
	} {
		got := AbattementPensions(tc.pensions...)
		if !slices.Equal(got, tc.want) {
			t.Errorf("AbattementPensions(%v) = %v, want %v", tc.pensions, got, tc.want)
		}
	}
}

func TestImpotBareme(t *testing.T) {
	for _, tc := range []struct {
		revenu int64
		parts  float64
		want   float64
	}{
		{11497, 1, 0},
		{20000, 1, 935.33},    // (20 000 − 11 497) × 11 %
		{29315, 1, 1959.98},   // the whole 11 % bracket
		{50000, 1, 8165.48},   // 1 959.98 + (50 000 − 29 315) × 30 %
		{100000, 1, 24944.95}, // 1 959.98 + 16 352.40 + (100 000 − 83 823) × 41 %
		{200000, 1, 66733.19}, // 1 959.98 + 16 352.40 + 39 553.11 + (200 000 − 180 294) × 45 %
		{41220, 3, 740.19},    // the DUBOIS example: 3 × (13 740 − 11 497) × 11 %
		{0, 1, 0},
	} {
		if got := ImpotBareme(tc.revenu, tc.parts); math.Abs(got-tc.want) > 0.005 {
			t.Errorf("ImpotBareme(%d, %g) = %.2f, want %.2f", tc.revenu, tc.parts, got, tc.want)
		}
	}
}

func TestImpotQuotientFamilial(t *testing.T) {
	for _, tc := range []struct {
		name        string
		revenu      int64
		parts, base float64
		want        int64
	}{
		// 3 × 740.19; without the children 2 × 1 002.43 = 2 004.86: the
		// advantage 1 264.67 is under 2 × 1 791.
		{"DUBOIS, under the ceiling", 41220, 3, 2, 740},
		// 3 × 8 165.48 = 24 496.44; 2 parts: 2 × 15 665.48 = 31 330.96;
		// advantage 6 834.52 > 3 582: 31 330.96 − 3 582 = 27 748.96.
		{"couple, 2 children, capped", 150000, 3, 2, 27749},
		// 1.5 × 768.13 = 1 152.20; 1 part: 1 794.53, advantage 642.33 < 1 791.
		{"single, 1.5 parts", 27720, 1.5, 1, 1152},
		{"no extra part", 32760, 1, 1, 2993},
	} {
		if got := ImpotQuotientFamilial(tc.revenu, tc.parts, tc.base); got != tc.want {
			t.Errorf("%s: ImpotQuotientFamilial(%d, %g, %g) = %d, want %d", tc.name, tc.revenu, tc.parts, tc.base, got, tc.want)
		}
	}
}

func TestDecote(t *testing.T) {
	for _, tc := range []struct {
		impot  int64
		couple bool
		want   int64
	}{
		{500, false, 500},  // 889 − 226.25 = 662.75 > 500: the whole tax
		{1500, false, 210}, // 889 − 678.75 = 210.25
		{1964, false, 0},   // 889 − 888.71 = 0.29
		{2000, false, 0},   // negative
		{740, true, 740},   // DUBOIS: 1 470 − 334.85 = 1 135.15 > 740
		{2500, true, 339},  // 1 470 − 1 131.25 = 338.75
		{4000, true, 0},
		{0, false, 0},
	} {
		if got := Decote(tc.impot, tc.couple); got != tc.want {
			t.Errorf("Decote(%d, couple %v) = %d, want %d", tc.impot, tc.couple, got, tc.want)
		}
	}
}

func TestCalcule(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    Declaration
		want Calcul // only the compared fields
	}{
		{
			name: "DUBOIS: the contract's example",
			d:    Declaration{SitFam: "M", Pac: pac(t, "F", "F"), Revenus: map[string]int64{"1AJ": 25800, "1BJ": 20000}},
			want: Calcul{NbPart: 3, RevenuBrutGlobal: 41220, RevImposable: 41220, RFR: 41220, MntRevbareme: 740, Decote: 740, ImpAvImput: 0, MontTotIr: 0},
		},
		{
			// 19 138 − 1 914 = 17 224; (17 224 − 11 497) × 11 % = 629.97 → 630;
			// décote 889 − 285.08 = 603.93 → 604; 26 € is under 61 €: not collected.
			name: "under the collection threshold",
			d:    Declaration{SitFam: "C", Revenus: map[string]int64{"1AJ": 19138}},
			want: Calcul{NbPart: 1, RevenuBrutGlobal: 17224, RevImposable: 17224, RFR: 17224, MntRevbareme: 630, Decote: 604, ImpAvImput: 26, MontTotIr: 0},
		},
		{
			// 32 400 − 3 240 + 180 = 29 340; 1 959.98 + 25 × 30 % = 1 967.48.
			name: "single, taxable, no décote",
			d:    Declaration{SitFam: "C", Revenus: map[string]int64{"1AJ": 32400, "2TR": 180}},
			want: Calcul{NbPart: 1, RevenuBrutGlobal: 29340, RevImposable: 29340, RFR: 29340, MntRevbareme: 1967, ImpAvImput: 1967, MontTotIr: 1967},
		},
		{
			// Dividends: 10 000 × 60 % = 6 000 in the revenu; the 4 000 of
			// abatement go back into the rfr. Micro-BNC 500: the 305 floor.
			// Land deficit 1 000 and pension paid 1 200 deducted.
			name: "dividends, micro-BNC floor, land deficit, pension paid",
			d:    Declaration{SitFam: "C", Revenus: map[string]int64{"2DC": 10000, "5HQ": 500, "4BC": 1000, "6GP": 1200}},
			want: Calcul{NbPart: 1, RevenuBrutGlobal: 6000 + 195 - 1000, RevImposable: 6000 + 195 - 1000 - 1200, RFR: 6000 + 195 - 1000 - 1200 + 4000, Deficit: true},
		},
		{
			// Two people of an attached married child's household: 2 × 6 794.
			// 40 412 / 2 = 20 206; 2 × (20 206 − 11 497) × 11 % = 1 915.98;
			// décote 1 470 − 866.99 = 603.01.
			name: "attachment abatement (N)",
			d:    Declaration{SitFam: "M", Pac: pac(t, "N", "N"), Revenus: map[string]int64{"1AJ": 60000}},
			want: Calcul{NbPart: 2, RevenuBrutGlobal: 54000, RevImposable: 54000 - 13588, RFR: 54000 - 13588, MntRevbareme: 1916, Decote: 603, ImpAvImput: 1313, MontTotIr: 1313},
		},
		{
			// Pensions alimentaires received are pensions, and pensAlPer.
			name: "pension alimentaire received",
			d:    Declaration{SitFam: "D", ParentIsole: true, Pac: pac(t, "F", "F"), Revenus: map[string]int64{"1AJ": 29400, "1AO": 3600}},
			want: Calcul{NbPart: 2.5, PensAlPer: 3600, RevenuBrutGlobal: 26460 + 3150, RevImposable: 29610, RFR: 29610, MntRevbareme: 95, Decote: 95},
		},
		{
			name: "a deficit leaves nothing to tax",
			d:    Declaration{SitFam: "C", Revenus: map[string]int64{"2TR": 1000, "4BC": 5000}},
			want: Calcul{NbPart: 1, RevenuBrutGlobal: -4000, RevImposable: 0, RFR: 0, Deficit: true},
		},
	} {
		got, err := Calcule(tc.d)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got.NbPart != tc.want.NbPart || got.RevenuBrutGlobal != tc.want.RevenuBrutGlobal || got.RevImposable != tc.want.RevImposable ||
			got.RFR != tc.want.RFR || got.MntRevbareme != tc.want.MntRevbareme || got.Decote != tc.want.Decote ||
			got.ImpAvImput != tc.want.ImpAvImput || got.MontTotIr != tc.want.MontTotIr || got.Deficit != tc.want.Deficit ||
			got.PensAlPer != tc.want.PensAlPer {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

func TestCalculeRejectsBadCodes(t *testing.T) {
	if _, err := Calcule(Declaration{SitFam: "C", Revenus: map[string]int64{"1ZZ": 1}}); err == nil || !strings.Contains(err.Error(), `"1ZZ"`) {
		t.Errorf("unknown code: error = %v", err)
	}
	if _, err := Calcule(Declaration{SitFam: "C", Revenus: map[string]int64{"1AJ": -1}}); err == nil {
		t.Error("negative amount: no error")
	}
}

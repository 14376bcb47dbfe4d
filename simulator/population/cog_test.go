package population

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// fixturesDir holds the generated Insee reference (fixtures/cog).
const fixturesDir = "../../fixtures"

// loadFixtureCOG loads the real generated reference.
func loadFixtureCOG(t testing.TB) *COG {
	t.Helper()
	cog, err := LoadCOG(os.DirFS(fixturesDir))
	if err != nil {
		t.Fatalf("LoadCOG: %v", err)
	}
	return cog
}

func TestLoadCOGCommunes(t *testing.T) {
	cog := loadFixtureCOG(t)
	for _, want := range []Commune{
		{Code: "75107", Name: "Paris 7e Arrondissement", Departement: "75", PostalCodes: []string{"75007"}, Type: ArrondissementMunicipal},
		{Code: "13212", Name: "Marseille 12e Arrondissement", Departement: "13", PostalCodes: []string{"13012"}, Type: ArrondissementMunicipal},
		{Code: "69383", Name: "Lyon 3e Arrondissement", Departement: "69", PostalCodes: []string{"69003"}, Type: ArrondissementMunicipal},
		{Code: "2A004", Name: "Ajaccio", Departement: "2A", Type: CommuneActuelle},
		{Code: "2B033", Name: "Bastia", Departement: "2B", Type: CommuneActuelle},
		{Code: "13055", Name: "Marseille", Departement: "13", Type: CommuneActuelle},
		{Code: "97411", Name: "Saint-Denis", Departement: "974", PostalCodes: []string{"97400", "97417", "97490"}, Type: CommuneActuelle},
		{Code: "75056", Name: "Paris", Departement: "75", Type: CommuneActuelle},
	} {
		got, ok := cog.Commune(want.Code)
		if !ok {
			t.Errorf("Commune(%s) not found", want.Code)
			continue
		}
		if got.Name != want.Name || got.Departement != want.Departement || got.Type != want.Type {
			t.Errorf("Commune(%s) = %q, %q, %q; want %q, %q, %q", want.Code, got.Name, got.Departement, got.Type, want.Name, want.Departement, want.Type)
		}
		if want.PostalCodes != nil && !slices.Equal(got.PostalCodes, want.PostalCodes) {
			t.Errorf("Commune(%s).PostalCodes = %q, want %q", want.Code, got.PostalCodes, want.PostalCodes)
		}
		if got.Population <= 0 {
			t.Errorf("Commune(%s).Population = %d, want > 0", want.Code, got.Population)
		}
	}
	if _, ok := cog.Commune("99999"); ok {
		t.Error("Commune(99999) found")
	}
	if _, ok := cog.Commune(""); ok {
		t.Error(`Commune("") found`)
	}
}

func TestLoadCOGCommunesDelegueesAndShape(t *testing.T) {
	cog := loadFixtureCOG(t)
	all := cog.Communes()
	if len(all) < 35000 {
		t.Fatalf("%d communes, want more than 35000", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b Commune) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("Communes() not sorted by code")
	}
	types := map[string]int{}
	for _, c := range all {
		types[c.Type]++
	}
	for _, typ := range []string{CommuneActuelle, ArrondissementMunicipal, CommuneDeleguee, CommuneAssociee} {
		if types[typ] == 0 {
			t.Errorf("no commune of type %s", typ)
		}
	}
	if types[ArrondissementMunicipal] != 20+16+9 {
		t.Errorf("%d arrondissements municipaux, want 45 (Paris, Marseille, Lyon)", types[ArrondissementMunicipal])
	}
	// A code both commune nouvelle and commune déléguée keeps the former.
	if c, ok := cog.Commune("01015"); !ok || c.Type != CommuneActuelle {
		t.Errorf("Commune(01015) = %+v, %v; want the commune-actuelle", c, ok)
	}
	// A former commune, now déléguée under another code.
	if c, ok := cog.Commune("01340"); !ok || c.Type != CommuneDeleguee || c.Departement != "01" || c.Population != 0 || c.PostalCodes != nil {
		t.Errorf("Commune(01340) = %+v, %v; want a commune-deleguee of 01 without population or postal codes", c, ok)
	}
	// Communes returns a copy.
	all[0].Name = "changed"
	if c, _ := cog.Commune(all[0].Code); c.Name == "changed" {
		t.Error("Communes() shares its slice with the COG")
	}
}

func TestCOGCommunesByPostalCode(t *testing.T) {
	cog := loadFixtureCOG(t)
	codes := func(cs []Commune) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Code)
		}
		return out
	}
	if got := codes(cog.CommunesByPostalCode("75007")); !slices.Equal(got, []string{"75056", "75107"}) {
		t.Errorf("CommunesByPostalCode(75007) = %q, want [75056 75107]", got)
	}
	if got := codes(cog.CommunesByPostalCode("20000")); !slices.Equal(got, []string{"2A004"}) {
		t.Errorf("CommunesByPostalCode(20000) = %q, want [2A004]", got)
	}
	if got := cog.CommunesByPostalCode("00000"); got != nil {
		t.Errorf("CommunesByPostalCode(00000) = %v, want nil", got)
	}
	if got := cog.CommunesByPostalCode(""); got != nil {
		t.Errorf(`CommunesByPostalCode("") = %v, want nil`, got)
	}
}

func TestLoadCOGCountries(t *testing.T) {
	cog := loadFixtureCOG(t)
	for code, name := range map[string]string{
		CountryFrance: "France",
		"99352":       "Algérie",
		"99350":       "Maroc",
		"99351":       "Tunisie",
		"99139":       "Portugal",
		"99131":       "Belgique",
		"99134":       "Espagne",
		"99127":       "Italie",
		"99217":       "Japon",
		"99137":       "Luxembourg",
		"99109":       "Allemagne",
		"99141":       "Allemagne de l’Est",
		"99443":       "Bonaire, Saint-Eustache, Saba",
	} {
		got, ok := cog.Country(code)
		if !ok || got.Name != name {
			t.Errorf("Country(%s) = %+v, %v; want %q", code, got, ok, name)
		}
	}
	if _, ok := cog.Country("75107"); ok {
		t.Error("Country(75107) found")
	}
	countries := cog.Countries()
	if len(countries) < 200 {
		t.Errorf("%d countries, want at least 200", len(countries))
	}
	for _, c := range countries {
		if !strings.HasPrefix(c.Code, "99") {
			t.Errorf("country code %s does not start with 99", c.Code)
		}
	}
}

func TestNilCOG(t *testing.T) {
	var cog *COG
	if _, ok := cog.Commune("75107"); ok {
		t.Error("nil COG knows 75107")
	}
	if _, ok := cog.Country(CountryFrance); ok {
		t.Error("nil COG knows France")
	}
	if cog.CommunesByPostalCode("75007") != nil || cog.Communes() != nil || cog.Countries() != nil {
		t.Error("nil COG returns communes or countries")
	}
}

// validCommunes and validCountries are small well-formed reference files.
const (
	validCommunes = "code,nom,departement,codes_postaux,population,type\n" +
		"2A004,Ajaccio,2A,20000 20090 20167,76320,commune-actuelle\n" +
		"75056,Paris,75,75001 75007,2103778,commune-actuelle\n" +
		"75107,\"Paris 7e \"\"Arrondissement\"\"\",75,75007,48015,arrondissement-municipal\n" +
		"97411,Saint-Denis,974,97400,,commune-actuelle\r\n" +
		"\n" +
		"98411,\"Îles Saint-Paul, Nouvelle-Amsterdam\",984,,,commune-actuelle"
	validCountries = "code,nom\n99100,France\n99443,\"Bonaire, Saint-Eustache, Saba\"\n"
)

func cogFS(communes, countries string) fstest.MapFS {
	return fstest.MapFS{
		COGCommunesFile:  {Data: []byte(communes)},
		COGCountriesFile: {Data: []byte(countries)},
	}
}

func TestLoadCOGSmall(t *testing.T) {
	cog, err := LoadCOG(cogFS(validCommunes, validCountries))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(cog.Communes()); got != 5 {
		t.Errorf("%d communes, want 5", got)
	}
	for code, name := range map[string]string{
		"75107": `Paris 7e "Arrondissement"`,
		"97411": "Saint-Denis",
		"98411": "Îles Saint-Paul, Nouvelle-Amsterdam",
	} {
		if c, ok := cog.Commune(code); !ok || c.Name != name {
			t.Errorf("Commune(%s) = %+v, %v; want name %q", code, c, ok, name)
		}
	}
	if c, _ := cog.Commune("97411"); c.Population != 0 || c.Type != CommuneActuelle {
		t.Errorf("Commune(97411) = %+v, want population 0 and type %s", c, CommuneActuelle)
	}
	if c, _ := cog.Commune("98411"); c.PostalCodes != nil {
		t.Errorf("Commune(98411).PostalCodes = %q, want none", c.PostalCodes)
	}
	if c, _ := cog.Country("99443"); c.Name != "Bonaire, Saint-Eustache, Saba" {
		t.Errorf("Country(99443) = %+v", c)
	}
	if got := len(cog.CommunesByPostalCode("75007")); got != 2 {
		t.Errorf("CommunesByPostalCode(75007) has %d communes, want 2", got)
	}
}

func TestLoadCOGErrors(t *testing.T) {
	const header = "code,nom,departement,codes_postaux,population,type\n"
	for _, tc := range []struct {
		name, communes, countries, want string
	}{
		{"population", header + "01001,A,01,01400,860,commune-actuelle\n01002,B,01,01640,many,commune-actuelle\n", validCountries,
			`cog/communes.csv:3: commune 01002 has population "many"`},
		{"fields", header + "01001,A,01,01400,860\n", validCountries,
			"cog/communes.csv:2: 5 fields, want 6"},
		{"too many fields", header + "01001,A,01,01400,860,commune-actuelle,x\n", validCountries,
			"cog/communes.csv:2: 7 fields, want 6"},
		{"header", "code,name,departement,codes_postaux,population,type\n", validCountries,
			"cog/communes.csv:1: header"},
		{"empty", "", validCountries,
			"cog/communes.csv: empty file"},
		{"unsorted", header + "01002,B,01,,,commune-actuelle\n01001,A,01,,,commune-actuelle\n", validCountries,
			"cog/communes.csv:3: commune code 01001 comes after 01002"},
		{"duplicate", header + "01001,A,01,,,commune-actuelle\n01001,A,01,,,commune-deleguee\n", validCountries,
			"cog/communes.csv:3: commune code 01001 comes after 01001"},
		{"code", header + "1001,A,01,,,commune-actuelle\n", validCountries,
			`cog/communes.csv:2: commune code "1001"`},
		{"type", header + "01001,A,01,,,village\n", validCountries,
			`cog/communes.csv:2: commune 01001 has unknown type "village"`},
		{"postal code", header + "01001,A,01,01400  01401,,commune-actuelle\n", validCountries,
			`cog/communes.csv:2: commune 01001 has postal code ""`},
		{"name", header + "01001,,01,,,commune-actuelle\n", validCountries,
			"cog/communes.csv:2: commune 01001 has no name"},
		{"unclosed quote", header + "01001,A,01,,,commune-actuelle\n01002,\"B,01,,,commune-actuelle\n", validCountries,
			"cog/communes.csv:3: quoted field not closed"},
		{"bare quote", header + "01001,A\"b,01,,,commune-actuelle\n", validCountries,
			`cog/communes.csv:2: bare "`},
		{"after quote", header + "01001,\"A\"b,01,,,commune-actuelle\n", validCountries,
			"cog/communes.csv:2: extraneous character after closing quote"},
		{"quoted newline", header + "01001,\"A\nB\",01,,,commune-actuelle\n01002,B,01,,,x\n", validCountries,
			`cog/communes.csv:4: commune 01002 has unknown type "x"`},
		{"country code", validCommunes, "code,nom\n99100,France\n100,Danemark\n",
			`cog/pays.csv:3: country code "100"`},
		{"country name", validCommunes, "code,nom\n99100, \n",
			"cog/pays.csv:2: country 99100 has no name"},
		{"country fields", validCommunes, "code,nom\n99100,France,FR\n",
			"cog/pays.csv:2: 3 fields, want 2"},
		{"country duplicate", validCommunes, "code,nom\n99100,France\n99100,France\n",
			"cog/pays.csv:3: country code 99100 comes after 99100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadCOG(cogFS(tc.communes, tc.countries))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadCOG error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadCOGMissingFile(t *testing.T) {
	_, err := LoadCOG(fstest.MapFS{COGCommunesFile: {Data: []byte(validCommunes)}})
	if err == nil || !strings.Contains(err.Error(), COGCountriesFile) {
		t.Errorf("LoadCOG error = %v, want it to name %s", err, COGCountriesFile)
	}
	_, err = LoadCOG(fstest.MapFS{})
	if err == nil || !strings.Contains(err.Error(), COGCommunesFile) {
		t.Errorf("LoadCOG error = %v, want it to name %s", err, COGCommunesFile)
	}
}

// BenchmarkLoadCOG loads the real generated reference, as every start does.
func BenchmarkLoadCOG(b *testing.B) {
	fsys := os.DirFS(fixturesDir)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadCOG(fsys); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCOGCommunesByPostalCode includes building the postal index once.
func BenchmarkCOGCommunesByPostalCode(b *testing.B) {
	cog := loadFixtureCOG(b)
	b.ReportAllocs()
	for b.Loop() {
		if len(cog.CommunesByPostalCode("75007")) != 2 {
			b.Fatal("75007 does not serve two communes")
		}
	}
}

// TestLoadCOGHorsCOG: the generated cog/hors-cog.csv adds the birthplace
// codes the civil registry keeps outside the current COG, as communes of
// type CodeHorsCOG without population or postal codes.
func TestLoadCOGHorsCOG(t *testing.T) {
	cog := loadFixtureCOG(t)
	for _, want := range []Commune{
		{Code: "75012", Name: "Boulogne-Billancourt (ancien code de la Seine, avant 1968)", Departement: "75", Type: CodeHorsCOG, CurrentCode: "92012"},
		{Code: "98506", Name: "Chirongui (ancien code de Mayotte)", Departement: "985", Type: CodeHorsCOG, CurrentCode: "97606"},
		{Code: "98511", Name: "Mamoudzou (ancien code de Mayotte)", Departement: "985", Type: CodeHorsCOG, CurrentCode: "97611"},
		{Code: "69674", Name: "Code inconnu de l'Insee (compte de démonstration FranceConnect)", Departement: "69", Type: CodeHorsCOG},
	} {
		if got, ok := cog.Commune(want.Code); !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("Commune(%s) = %+v, %v; want %+v", want.Code, got, ok, want)
		}
	}
	// Each Mayotte code before 976xx is today's commune with the same last
	// two digits.
	hors := 0
	for _, c := range cog.Communes() {
		if c.Type != CodeHorsCOG {
			continue
		}
		hors++
		if c.Population != 0 || c.PostalCodes != nil {
			t.Errorf("%s: population %d, postal codes %q; want none", c.Code, c.Population, c.PostalCodes)
		}
		if strings.HasPrefix(c.Code, "985") {
			today, ok := cog.Commune(c.CurrentCode)
			if c.CurrentCode != "976"+c.Code[3:] || !ok || c.Name != today.Name+" (ancien code de Mayotte)" {
				t.Errorf("%s %q is part of %s %q today", c.Code, c.Name, c.CurrentCode, today.Name)
			}
		}
	}
	if hors != 19 {
		t.Errorf("%d codes hors COG, want 19 (75012, 17 in Mayotte, 69674)", hors)
	}
	// The postal index has none.
	for _, c := range cog.CommunesByPostalCode("92100") {
		if c.Code != "92012" {
			t.Errorf("CommunesByPostalCode(92100) has %s", c.Code)
		}
	}
}

// validHorsCOG is a small well-formed cog/hors-cog.csv for validCommunes.
const validHorsCOG = "code,nom,aujourdhui,source\n" +
	"69674,Code inconnu,,compte plusieurs_prénoms_2\n" +
	"75012,\"Boulogne-Billancourt (ancien code de la Seine, avant 1968)\",,x\n" +
	"98511,Mamoudzou (ancien code de Mayotte),97411,\n"

func TestLoadCOGSmallHorsCOG(t *testing.T) {
	fsys := cogFS(validCommunes, validCountries)
	fsys[COGHorsCOGFile] = &fstest.MapFile{Data: []byte(validHorsCOG)}
	cog, err := LoadCOG(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, c := range cog.Communes() {
		codes = append(codes, c.Code)
	}
	if want := []string{"2A004", "69674", "75012", "75056", "75107", "97411", "98411", "98511"}; !slices.Equal(codes, want) {
		t.Errorf("Communes() = %q, want %q", codes, want)
	}
	if c, _ := cog.Commune("98511"); c.Departement != "985" || c.CurrentCode != "97411" || c.Type != CodeHorsCOG {
		t.Errorf("Commune(98511) = %+v", c)
	}
	if c, _ := cog.Commune("75012"); c.Name != "Boulogne-Billancourt (ancien code de la Seine, avant 1968)" {
		t.Errorf("Commune(75012) = %+v", c)
	}
	// Without the file, no code outside the COG.
	if _, ok := loadSmall(t).Commune("75012"); ok {
		t.Error("Commune(75012) found without cog/hors-cog.csv")
	}
}

func loadSmall(t *testing.T) *COG {
	t.Helper()
	cog, err := LoadCOG(cogFS(validCommunes, validCountries))
	if err != nil {
		t.Fatal(err)
	}
	return cog
}

func TestLoadCOGHorsCOGErrors(t *testing.T) {
	const header = "code,nom,aujourdhui,source\n"
	for _, tc := range []struct{ name, hors, want string }{
		{"fields", "code,nom,source\n", "cog/hors-cog.csv:1: 3 fields, want 4"},
		{"header", "code,name,aujourdhui,source\n", "cog/hors-cog.csv:1: header"},
		{"empty", "", "cog/hors-cog.csv: empty file"},
		{"in the COG", header + "75012,A,,x\n75107,Paris 7e,,x\n",
			"cog/hors-cog.csv:3: code 75107 is in cog/communes.csv: a code of the current COG is not hors COG"},
		{"country", header + "99100,France,,x\n", "cog/hors-cog.csv:2: code 99100 is a country code"},
		{"shape", header + "7512,A,,x\n", `cog/hors-cog.csv:2: code "7512" is not 5 characters`},
		{"unsorted", header + "75012,A,,x\n69674,B,,x\n", "cog/hors-cog.csv:3: code 69674 comes after 75012"},
		{"duplicate", header + "75012,A,,x\n75012,A,,x\n", "cog/hors-cog.csv:3: code 75012 comes after 75012"},
		{"name", header + "75012, ,,x\n", "cog/hors-cog.csv:2: code 75012 has no name"},
		{"today", header + "75012,A,92012,x\n", `cog/hors-cog.csv:2: code 75012: aujourdhui "92012" is not a code of cog/communes.csv`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := cogFS(validCommunes, validCountries)
			fsys[COGHorsCOGFile] = &fstest.MapFile{Data: []byte(tc.hors)}
			_, err := LoadCOG(fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadCOG error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

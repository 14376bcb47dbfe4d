package population

import (
	"os"
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

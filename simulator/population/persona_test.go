package population

import (
	"net/mail"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/scenarios"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// persona is a valid persona born in Paris 7e, with gender g.
func persona(g string) *Persona {
	return &Persona{ID: "p", Login: "p", Password: DefaultPassword, GivenName: "Camille", FamilyName: "LAFORGE",
		Birthdate: "1954-08-07", Gender: g, Birthplace: "75107", Birthcountry: CountryFrance}
}

// TestCheckGender: fcp-low accepts female, male and unspecified (the civil
// registry's sexe I) from an identity provider, and nothing else
// (core-fcp's oidc-identity.dto.ts, @IsEnum(Genders)).
func TestCheckGender(t *testing.T) {
	cog := testCOG(t)
	for _, g := range []string{GenderFemale, GenderMale, GenderUnspecified} {
		if problems := Check(persona(g), cog); len(problems) != 0 {
			t.Errorf("gender %q: %v", g, problems)
		}
	}
	for _, g := range []string{"", "F", "I", "Unspecified", "other", "indéterminé"} {
		problems := Check(persona(g), cog)
		if len(problems) != 1 || problems[0].Field != "gender" || problems[0].Msg != `gender "`+g+`" must be male, female or unspecified` {
			t.Errorf("gender %q: %v", g, problems)
		}
	}
}

func TestDisplayNameAndGenderLabel(t *testing.T) {
	for _, tc := range []struct {
		gender, usage, name, label string
	}{
		{GenderFemale, "BERTIN", "Camille BERTIN (née LAFORGE)", "Femme"},
		{GenderMale, "BERTIN", "Camille BERTIN (né LAFORGE)", "Homme"},
		{GenderUnspecified, "BERTIN", "Camille BERTIN (né(e) LAFORGE)", "Indéterminé"},
		{GenderUnspecified, "", "Camille LAFORGE", "Indéterminé"},
		{GenderUnspecified, "LAFORGE", "Camille LAFORGE", "Indéterminé"},
	} {
		p := persona(tc.gender)
		p.PreferredUsername = tc.usage
		if got := p.DisplayName(); got != tc.name {
			t.Errorf("%s, usage %q: DisplayName = %q, want %q", tc.gender, tc.usage, got, tc.name)
		}
		if got := p.GenderLabel(); got != tc.label {
			t.Errorf("%s: GenderLabel = %q, want %q", tc.gender, got, tc.label)
		}
	}
}

// TestUnspecifiedGenderThroughTheControlAPI: a control API body goes
// through the fixtures' checks; a persona of unspecified gender is taken,
// and the data provider matches its identité pivot with that gender only.
func TestUnspecifiedGenderThroughTheControlAPI(t *testing.T) {
	live := NewLive(embedded(t))
	body := func(gender string) Document {
		return Document{File: "control API", Personas: []*yaml.Node{mustNode(t, `
id: dominique-sans-genre
login: dominique.sansgenre
given_name: "Dominique"
family_name: "ARNAUD"
preferred_username: ""
birthdate: "1970-03-02"
gender: `+gender+`
birthplace: "69381"
birthcountry: "99100"
email: "dominique.arnaud@bacasable.example"
situation: "Genre indéterminé"
`)}}
	}
	if _, err := live.Apply(body("neutral")); err == nil || !strings.Contains(err.Error(), `gender "neutral" must be male, female or unspecified`) {
		t.Fatalf("gender neutral: %v", err)
	}
	pop, err := live.Apply(body("unspecified"))
	if err != nil {
		t.Fatal(err)
	}
	key := func(gender string) string {
		return IdentityKey("Dominique", "ARNAUD", "1970-03-02", gender, "69381", CountryFrance)
	}
	if p, ok := pop.ByIdentity(key(GenderUnspecified)); !ok || p.ID != "dominique-sans-genre" {
		t.Errorf("ByIdentity(unspecified) = %v, %v", p, ok)
	}
	for _, g := range []string{GenderFemale, GenderMale} {
		if p, ok := pop.ByIdentity(key(g)); ok {
			t.Errorf("ByIdentity(%s) = %s, want none", g, p.ID)
		}
	}
}

// platformAccount is one account of the integration platform's demo
// identity provider as its published list gives it (franceconnect/
// demo-idp-identities.csv), or FranceConnect's mock provider for
// genre_indéfini and test_CORSE_2A (docker/volumes/fcp-low/mocks/idp/
// databases/citizen/base.csv) and E010007, E010011 (errors.legacy.csv);
// family is the birth name as the civil registry returns it, upper case.
type platformAccount struct {
	login, family, usage, given, gender, birthdate, birthplace, country, email string
}

var platformAccounts = []platformAccount{
	{"sans_nom_dusage", "DUPONT", "", "Paul Louis", "male", "1962-08-24", "75107", "99100", "etabage-0159@yopmail.com"},
	{"avec_nom_dusage", "MERCIER", "DUBOIS", "Pierre", "male", "1969-03-17", "95277", "99100", "ymmyffarapp-1777@yopmail.com"},
	{"nom_composé", "TROIS-DUPRE", "", "Melissandre Juliette", "female", "1981-07-27", "13012", "99100", "imyllommo-2736@yopmail.com"},
	{"prénom_composé", "HUCHE", "", "Anne-Laure", "female", "1945-09-30", "31555", "99100", "owallottim-1136@yopmail.com"},
	{"plusieurs_prénoms_2", "HOCHON", "", "Valentin Emmanuel", "male", "1955-01-01", "69674", "99100", "lippizucis-4803@yopmail.com"},
	{"plusieurs_prénoms_3", "DUBIGNOT", "", "Jean Philippe Arnaud", "male", "1943-06-15", "75109", "99100", "ecuhebup-9337@yopmail.com"},
	{"caractères_spéciaux", "DUBINÔRE", "", "Joëlle Françoise", "female", "1992-08-15", "75117", "99100", "effannopiq-4009@yopmail.com"},
	{"nom_prénom_long", "DELALALALANDE", "", "Emmanuel Alexandre Nicolas", "male", "1991-01-07", "75101", "99100", "holisadduppe-5969@yopmail.com"},
	{"dep_moins_dix", "DUBOIS", "POULAIN", "Depart", "male", "1985-09-10", "02408", "99100", "testmodac@gmail.com"},
	{"moins_18_ans", "CHAMPION", "", "Alice Juliette", "female", "2010-11-02", "44109", "99100", "tonegellaf-0100@yopmail.com"},
	{"moins_25_ans", "CUILLERE", "", "Paul", "male", "1998-01-23", "42218", "99100", "minnannuxammi-4532@yopmail.com"},
	{"plus_120_ans", "HELLIARD", "MISTRI", "ANNE-SOPHIE", "female", "1900-02-01", "92050", "99100", "usager_helliard@yopmail.com"},
	{"naissance_Algérie", "MARTIN", "", "Vincent Guillaume", "male", "1963-12-05", "", "99352", "senossammab-2430@yopmail.com"},
	{"naissance_Maroc", "GODIN", "", "Ermengardi", "female", "1985-09-05", "", "99350", "ammixaffa-0022@yopmail.com"},
	{"naissance_Portugal", "SÉGUIN", "", "Henry", "male", "1955-06-19", "", "99139", "sanellaffilu-1962@yopmail.com"},
	{"naissance_Belgique", "LAPRISE", "DULIN", "Saber", "male", "1946-08-17", "", "99131", "cynnepovaz-0031@yopmail.com"},
	{"naissance_Espagne", "CHEVAL", "POULAIN", "Marphisa", "female", "1982-02-24", "", "99134", "yttenneje-5416@yopmail.com"},
	{"naissance_Italie", "LIVRE", "", "Julien Bernard Pierre", "male", "1984-01-23", "", "99127", "inaqyzome-0621@yopmail.com"},
	{"naissance_Japon", "MASARU", "", "EMOTO", "male", "1963-11-10", "", "99217", "usager_masaru@yopmail.com"},
	{"naissance_Vietnam", "NGUYEN", "", "CHAN", "male", "1965-09-18", "", "99243", "usager_nguyen@yopmail.com"},
	{"naissance_wallis_futuna", "FLEURY", "", "Fabien", "male", "1972-06-14", "98611", "99100", "ijujasa-5293@yopmail.com"},
	{"naissance_polynesie_française", "REVEIL", "", "Titouan", "male", "1998-06-18", "98729", "99100", "nesspolynesie@yopmail.com"},
	{"insee_ancien", "ACNUSER", "ACNTEST", "SARAH SOPHIE", "female", "1996-12-06", "75012", "99100", "ucassefa-7807@yopmail.com"},
	{"naissance_Mayotte_anc", "M'DERE", "", "MANSOUR", "male", "1959-05-30", "98511", "99100", "usager_mdere@yopmail.com"},
	{"test_CLEMENT", "CORSE", "", "CLEMENT", "male", "1991-02-12", "2A115", "99100", "baterollu-5399@yopmail.com"},
	{"test_CORSE_2A", "BROSSE", "Mario", "Mario", "male", "1981-02-03", "2A004", "99100", "mario.brosse@france.fr"},
	{"étranger_présumé_né_jour", "FLEURET", "", "Jean", "male", "1992-11-00", "", "99217", "jean-fleuret@yopmail.com"},
	{"étranger_présumé_né_jour_et_mois", "TARGE", "", "Jean", "male", "1992-00-00", "", "99217", "jean-targe@yopmail.com"},
	{"genre_indéfini", "LAFORGE", "", "Camille", "unspecified", "1954-08-07", "75119", "99100", "xagreureufadda-6730@yopmail.com"},
}

// rnippAccounts are the platform's E0100xx accounts (MARTIN, Martin,
// Jean_E0100xx, male, 1981-02-03, Paris 12e) with the scenario giving the
// civil registry's answer, and the refusal and FranceConnect error code
// it ends in (connexion-rnipp.feature, back/apps/mock-rnipp).
var rnippAccounts = []struct{ login, scenario, refusal, code string }{
	{"E010004", "rnipp-echo-unique", scenario.RefusRNIPPEchoUnique, "Y010004"},
	{"E010006", "rnipp-homonyme", scenario.RefusRNIPPHomonyme, "Y010006"},
	{"E010007", "rnipp-nom-usage", scenario.RefusRNIPPNomUsage, "Y010007"},
	{"E010008", "rnipp-inconnu", scenario.RefusRNIPPInconnu, "Y010008"},
	{"E010009", "rnipp-rejet", scenario.RefusRNIPPRejet, "Y010009"},
	{"E010011", "rnipp-delai-depasse", scenario.RefusRNIPPDelai, "Y010011"},
	{"E010012", "rnipp-reponse-illisible", scenario.RefusRNIPPIllisible, "Y010012"},
	{"E010013", "rnipp-reponse-invalide", scenario.RefusRNIPPReponseInvalide, "Y010013"},
	{"E010015", "rnipp-decede", scenario.RefusRNIPPDecede, "Y010015"},
	{"E010016", "rnipp-decede", scenario.RefusRNIPPDecede, "Y010015"},
}

// TestPlatformDemoAccounts: the integration platform's demo accounts log in
// here with the same login and password and the same identity; they are
// FranceConnect-only accounts (no SPI, no household, no scenario).
func TestPlatformDemoAccounts(t *testing.T) {
	pop := embedded(t)
	for _, a := range platformAccounts {
		p, ok := pop.ByLogin(a.login)
		if !ok {
			t.Errorf("no persona with login %q", a.login)
			continue
		}
		got := platformAccount{p.Login, p.FamilyName, p.PreferredUsername, p.GivenName, p.Gender, p.Birthdate, p.Birthplace, p.Birthcountry, p.Email}
		if got != a {
			t.Errorf("%s:\n got %q\nwant %q", a.login, got, a)
		}
		if !strings.HasPrefix(p.ID, "fc-") || p.Password != "123" || p.SPI != "" || p.Scenario != "" || pop.FoyerRole(p.ID) != "" {
			t.Errorf("%s: id %q, password %q, SPI %q, scenario %q, foyer role %q", a.login, p.ID, p.Password, p.SPI, p.Scenario, pop.FoyerRole(p.ID))
		}
	}
}

// TestPlatformRNIPPAccounts: each E0100xx account carries the scenario of
// the civil registry's answer on the platform, which refuses the login with
// the platform's error code; E010014 logs in with the identity the
// registry returns (mock-rnipp's responses/E010014.xml).
func TestPlatformRNIPPAccounts(t *testing.T) {
	pop := embedded(t)
	set, err := scenario.Load(scenarios.FS())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range rnippAccounts {
		p, ok := pop.ByLogin(a.login)
		if !ok {
			t.Errorf("no persona with login %q", a.login)
			continue
		}
		if p.Scenario != a.scenario || p.GivenName != "Jean_"+a.login || p.FamilyName != "MARTIN" || p.Birthdate != "1981-02-03" ||
			p.Birthplace != "75112" || p.Email != "jean_"+a.login+".martin@france.fr" || p.SPI != "" || pop.FoyerRole(p.ID) != "" {
			t.Errorf("%s: %+v", a.login, p)
		}
		s, ok := set.Get(a.scenario)
		if !ok {
			t.Errorf("%s: scenario %s is not declared", a.login, a.scenario)
			continue
		}
		refusals := 0
		for _, e := range s.Effects {
			if e.Applies(scenario.FranceConnect, scenario.StepLogin) && e.Refusal != "" {
				refusals++
				if e.Refusal != a.refusal {
					t.Errorf("%s: scenario %s refuses with %s, want %s", a.login, a.scenario, e.Refusal, a.refusal)
				}
			}
		}
		if refusals != 1 || !strings.Contains(s.Title, a.code) {
			t.Errorf("%s: scenario %s (%q) has %d login refusals, want one with %s", a.login, a.scenario, s.Title, refusals, a.code)
		}
	}

	p, ok := pop.ByLogin("E010014")
	if !ok {
		t.Fatal("no persona with login E010014")
	}
	if p.FamilyName != "DENT" || p.GivenName != "Arthur Philip" || p.Birthdate != "2001-03-08" || p.Gender != GenderMale ||
		p.Birthplace != "95277" || p.Birthcountry != CountryFrance || p.Email != "jean_E010014.martin@france.fr" ||
		p.PreferredUsername != "Martin" || p.Scenario != "" || p.SPI != "" {
		t.Errorf("E010014: %+v", p)
	}
}

// TestPlatformAccountsBornOutsideTheCOG: three accounts of the platform
// are born under a code the current COG lacks but the civil registry keeps
// (cog/hors-cog.csv): they are personas with that birthplace, which the
// reference names for what it was.
func TestPlatformAccountsBornOutsideTheCOG(t *testing.T) {
	pop := embedded(t)
	for _, tc := range []struct{ login, birthplace, name, departement, current string }{
		{"insee_ancien", "75012", "Boulogne-Billancourt (ancien code de la Seine, avant 1968)", "75", "92012"},
		{"plusieurs_prénoms_2", "69674", "Code inconnu de l'Insee (compte de démonstration FranceConnect)", "69", ""},
		{"naissance_Mayotte_anc", "98511", "Mamoudzou (ancien code de Mayotte)", "985", "97611"},
	} {
		p, ok := pop.ByLogin(tc.login)
		if !ok || p.Birthplace != tc.birthplace || !p.BornInFrance() {
			t.Errorf("%s: %+v, %v; want a persona born in France under %s", tc.login, p, ok, tc.birthplace)
		}
		c, ok := pop.COG().Commune(tc.birthplace)
		want := Commune{Code: tc.birthplace, Name: tc.name, Departement: tc.departement, Type: CodeHorsCOG, CurrentCode: tc.current}
		if !ok || !reflect.DeepEqual(c, want) {
			t.Errorf("Commune(%s) = %+v, %v; want %+v", tc.birthplace, c, ok, want)
		}
	}
}

// TestPlatformSansPrenom: the platform's sans_prenom is another person than
// the sandbox's, which keeps its own.
func TestPlatformSansPrenom(t *testing.T) {
	if p, _ := embedded(t).ByLogin("sans_prenom"); p == nil || p.ID != "hoang-sans-prenom" {
		t.Errorf("sans_prenom = %+v, want the sandbox's hoang-sans-prenom", p)
	}
}

// TestCheckBirthplaceOutsideTheCOG: the codes of cog/hors-cog.csv are
// birthplaces; their neighbours, which are in neither file, still are not.
func TestCheckBirthplaceOutsideTheCOG(t *testing.T) {
	cog := testCOG(t)
	for _, code := range []string{"75012", "98501", "98511", "98517", "69674"} {
		p := persona(GenderFemale)
		p.Birthplace = code
		if problems := Check(p, cog); len(problems) != 0 {
			t.Errorf("birthplace %s: %v", code, problems)
		}
	}
	for _, code := range []string{"75013", "98500", "98518", "69675", "98611x", "99100"} {
		p := persona(GenderFemale)
		p.Birthplace = code
		problems := Check(p, cog)
		if len(problems) != 1 || problems[0].Field != "birthplace" {
			t.Errorf("birthplace %s: %v, want one birthplace problem", code, problems)
		}
	}
}

// singleSpaced and plainAddress stand for strings.Fields and net/mail in
// Check, without their allocations: they must never say otherwise.
func TestCheckShortcuts(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", " ", "Jean", "Jean Pierre", "Jean  Pierre", " Jean", "Jean ", "Jean\tPierre", "Jean\u00a0Pierre",
		"Jean\u2003Pierre", "Élise Marie Ève", "a b c", "a\n", "\u3000"} {
		if got, want := singleSpaced(s), s == strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("singleSpaced(%q) = %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"a@b", "a.b@c.d", "jean-pierre.martin.12@bacasable.example", "a+b@c", "A_B@C-D.example",
		".a@b", "a.@b", "a..b@c", "a@b.", "a@.b", "a@b..c", "@b", "a@", "a@b@c", "a b@c", "é@c", "a@[1.2.3.4]", "\"a\"@b", "a@b ", "<a@b>"} {
		a, err := mail.ParseAddress(s)
		if plainAddress(s) && (err != nil || a.Address != s) {
			t.Errorf("plainAddress(%q), but net/mail reads %v, %v", s, a, err)
		}
	}
	// The shortcut takes the addresses the fixtures and the generator write.
	for _, s := range []string{"a@b", "jean-pierre.martin.12@bacasable.example", "angela.dubois@example.fr"} {
		if !plainAddress(s) {
			t.Errorf("plainAddress(%q) = false", s)
		}
	}
}

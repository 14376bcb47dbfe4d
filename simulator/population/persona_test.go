package population

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
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

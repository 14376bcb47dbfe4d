package population

import (
	"strings"
	"time"
)

// CountryFrance is the Insee code of France in the COG country list.
const CountryFrance = "99100"

// DefaultPassword is the password of every persona that does not set one,
// as on FranceConnect's integration platform.
const DefaultPassword = "123"

// Genders of the identité pivot, as FranceConnect emits them: the civil
// registry's (RNIPP) sexe F, M and I. fcp-low accepts all three from an
// identity provider (core-fcp's oidc-identity.dto.ts, enum Genders).
const (
	GenderFemale      = "female"
	GenderMale        = "male"
	GenderUnspecified = "unspecified"
)

// Persona is one fictitious person. Its identity fields hold what Insee's
// registry certifies (the identité pivot); Birthdate is the identity
// provider's raw value and may contain 00 for a presumed day or month.
type Persona struct {
	ID                string `yaml:"id" json:"id"`
	Login             string `yaml:"login" json:"login"`
	Password          string `yaml:"password,omitempty" json:"password,omitempty"`
	SPI               string `yaml:"spi,omitempty" json:"spi,omitempty"`
	GivenName         string `yaml:"given_name" json:"given_name"`
	FamilyName        string `yaml:"family_name" json:"family_name"`
	PreferredUsername string `yaml:"preferred_username" json:"preferred_username"`
	Birthdate         string `yaml:"birthdate" json:"birthdate"`
	Gender            string `yaml:"gender" json:"gender"`
	Birthplace        string `yaml:"birthplace" json:"birthplace"`
	Birthcountry      string `yaml:"birthcountry" json:"birthcountry"`
	Email             string `yaml:"email" json:"email"`
	Situation         string `yaml:"situation" json:"situation"`
	// Scenario names the scenario every login and call of this persona
	// meets (scenarios/<name>.yaml), e.g. a "Service DGFiP indisponible"
	// persona for trainers.
	Scenario string `yaml:"scenario,omitempty" json:"scenario,omitempty"`
}

// GivenNames returns the first names one by one (the given_name_array claim).
func (p *Persona) GivenNames() []string {
	names := strings.Fields(p.GivenName)
	if names == nil {
		return []string{}
	}
	return names
}

// IdpBirthdate is the identity provider's raw birth date (idp_birthdate).
func (p *Persona) IdpBirthdate() string { return p.Birthdate }

// NormalisedBirthdate is the birthdate claim: a presumed day or month (00)
// becomes 01, as FranceConnect does ("1977-00-03" → "1977-01-01",
// "1992-11-00" → "1992-11-01").
func (p *Persona) NormalisedBirthdate() string {
	return normaliseBirthdate(p.Birthdate)
}

func normaliseBirthdate(d string) string {
	if len(d) != 10 {
		return d
	}
	year, month, day := d[:4], d[5:7], d[8:10]
	if month == "00" {
		return year + "-01-01"
	}
	if day == "00" {
		return year + "-" + month + "-01"
	}
	return d
}

// BornInFrance tells whether the persona was born in France (then the
// birthplace is a commune code; abroad it is empty).
func (p *Persona) BornInFrance() bool { return p.Birthcountry == CountryFrance }

// Age returns the persona's age in whole years at now.
func (p *Persona) Age(now time.Time) int {
	b, err := time.Parse(time.DateOnly, p.NormalisedBirthdate())
	if err != nil {
		return 0
	}
	age := now.Year() - b.Year()
	if now.Month() < b.Month() || (now.Month() == b.Month() && now.Day() < b.Day()) {
		age--
	}
	return age
}

// DisplayName is how pages show the persona: first names, then the usage
// name or the birth name, e.g. "Camille BERTIN (née LEFÈVRE)"; "né(e)"
// when the gender is unspecified.
func (p *Persona) DisplayName() string {
	name := p.FamilyName
	if p.PreferredUsername != "" && p.PreferredUsername != p.FamilyName {
		if name == "" {
			name = p.PreferredUsername
		} else {
			name = p.PreferredUsername + " (" + p.born() + " " + p.FamilyName + ")"
		}
	}
	return strings.TrimSpace(p.GivenName + " " + name)
}

// born is "né", "née" or "né(e)", agreeing with the gender.
func (p *Persona) born() string {
	switch p.Gender {
	case GenderMale:
		return "né"
	case GenderUnspecified:
		return "né(e)"
	}
	return "née"
}

// GenderLabel is the gender as a person reads it in French: "Femme",
// "Homme", or "Indéterminé" for the registry's sexe I (unspecified).
func (p *Persona) GenderLabel() string {
	switch p.Gender {
	case GenderFemale:
		return "Femme"
	case GenderMale:
		return "Homme"
	case GenderUnspecified:
		return "Indéterminé"
	}
	return p.Gender
}

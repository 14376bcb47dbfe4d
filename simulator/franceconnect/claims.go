package franceconnect

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"github.com/bacasable/bacasable/simulator/population"
)

// scopeClaims maps FranceConnect's identity scopes (fcp-low) to the claims
// they release. Data-provider scopes release no claim: they travel to the
// data provider through checktoken.
var scopeClaims = map[string][]string{
	"openid":             {"sub"},
	"profile":            {"given_name", "given_name_array", "family_name", "birthdate", "gender", "preferred_username"},
	"birth":              {"birthplace", "birthcountry"},
	"identite_pivot":     {"given_name", "given_name_array", "family_name", "birthdate", "gender", "birthplace", "birthcountry"},
	"gender":             {"gender"},
	"birthdate":          {"birthdate"},
	"birthcountry":       {"birthcountry"},
	"birthplace":         {"birthplace"},
	"given_name":         {"given_name", "given_name_array"},
	"family_name":        {"family_name"},
	"email":              {"email"},
	"preferred_username": {"preferred_username"},
	"idp_birthdate":      {"idp_birthdate"},
	"amr":                {"amr"},
	"idp_id":             {"idp_id"},
}

// identityScopes lists the identity scopes in the order discovery shows them.
var identityScopes = []string{"openid", "profile", "birth", "identite_pivot", "gender", "birthdate", "birthcountry", "birthplace", "given_name", "family_name", "email", "preferred_username", "idp_birthdate", "amr", "idp_id"}

// claimOrder is the order of the claims a login releases; the consent page
// shows them in fcp-low's order (App.sortedClaims in
// back/instances/core-fcp-low/src/config/app.ts), the ones without a label
// (idp_birthdate, amr, idp_id) not at all.
var claimOrder = []string{"family_name", "preferred_username", "given_name", "gender", "birthdate", "birthplace", "birthcountry", "email", "idp_birthdate", "amr", "idp_id"}

// claimLabels are the consent page's labels
// (back/libs/scopes/src/i18n/fr-FR.i18n.ts); a claim without one is not
// shown.
var claimLabels = map[string]string{
	"given_name":         "Prénom(s)",
	"family_name":        "Nom de naissance",
	"preferred_username": "Nom d’usage",
	"birthdate":          "Date de naissance",
	"gender":             "Sexe",
	"birthplace":         "Lieu de naissance",
	"birthcountry":       "Pays de naissance",
	"email":              "Adresse email",
}

// grantedClaims returns the claims the scopes release (without sub).
func grantedClaims(scopes []string) []string {
	set := map[string]bool{}
	for _, s := range scopes {
		for _, c := range scopeClaims[s] {
			set[c] = true
		}
	}
	var out []string
	for _, c := range append(slices.Clone(claimOrder), "given_name_array") {
		if set[c] {
			out = append(out, c)
		}
	}
	return out
}

// claimValue returns one claim of the persona authenticated through idp.
func claimValue(claim string, p *population.Persona, idp *IdentityProvider) any {
	switch claim {
	case "given_name":
		return p.GivenName
	case "given_name_array":
		return p.GivenNames()
	case "family_name":
		return p.FamilyName
	case "preferred_username":
		return p.PreferredUsername
	case "birthdate":
		return p.NormalisedBirthdate()
	case "idp_birthdate":
		return p.IdpBirthdate()
	case "gender":
		return p.Gender
	case "birthplace":
		return p.Birthplace
	case "birthcountry":
		return p.Birthcountry
	case "email":
		return p.Email
	case "amr":
		return idp.AMR
	case "idp_id":
		return idp.ID
	}
	return nil
}

// pairwiseSub is FranceConnect's pairwise subject: 64 hex chars of
// sha256(client id + identity hash + secret) followed by "v1". The identity
// hash covers the identité pivot, birthplace only when born in France, so
// the same person gets the same sub at each login, and a different one at
// each service provider.
func pairwiseSub(clientID string, p *population.Persona, salt string) string {
	var buf [256]byte // the hashed strings, on the stack when they fit
	in := append(buf[:0], clientID...)
	in = appendIdentityHash(in, p)
	sum := sha256.Sum256(append(in, salt...))
	var sub [2*sha256.Size + 2]byte
	hex.Encode(sub[:], sum[:])
	copy(sub[2*sha256.Size:], "v1")
	return string(sub[:])
}

// appendIdentityHash appends the hex SHA-256 of the identité pivot's
// fields joined by U+001F.
func appendIdentityHash(dst []byte, p *population.Persona) []byte {
	var buf [256]byte
	in := buf[:0]
	for _, part := range [...]string{p.GivenName, p.FamilyName, p.NormalisedBirthdate(), p.Gender} {
		in = append(append(in, part...), 0x1f)
	}
	if p.BornInFrance() {
		in = append(append(in, p.Birthplace...), 0x1f)
	}
	sum := sha256.Sum256(append(in, p.Birthcountry...))
	return hex.AppendEncode(dst, sum[:])
}

// IdentityProvider is one of the providers offered on the choice page.
type IdentityProvider struct {
	ID    string   // idp_id claim
	Slug  string   // in URLs and idp_hint
	Name  string   // shown to the user
	Login string   // label of the login field
	AMR   []string // amr claim
	BySPI bool     // the login is the SPI (impots.gouv.fr)
}

// identityProviders are the sandbox's providers; both log in the same
// population.
var identityProviders = []*IdentityProvider{
	{ID: "bacasable-demo", Slug: "demo", Name: "Démonstration", Login: "Identifiant", AMR: []string{"pwd"}},
	{ID: "bacasable-impots", Slug: "impots", Name: "impots.gouv.fr", Login: "Numéro fiscal (13 chiffres)", AMR: []string{"pwd"}, BySPI: true},
}

// identityProviderByID finds a provider by its idp_id (idp_hint's value).
func identityProviderByID(id string) (*IdentityProvider, bool) {
	for _, idp := range identityProviders {
		if idp.ID == id {
			return idp, true
		}
	}
	return nil, false
}

func identityProvider(slug string) (*IdentityProvider, bool) {
	for _, idp := range identityProviders {
		if idp.Slug == slug {
			return idp, true
		}
	}
	return nil, false
}

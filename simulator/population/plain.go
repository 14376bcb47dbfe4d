package population

import (
	"slices"
	"strconv"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// The items of personas.yaml and foyers.yaml read in the plain layout
// (fixture.Plain, the layout `bacasable export` writes) are decoded here
// straight into values, without the YAML library's nodes. Only what
// decodes exactly as the library would is taken (known keys, once each,
// with the scalar type the field wants); anything else gives false, and
// the item goes through the library like any other, which reports what
// is wrong with its line.

// plainPairs calls fn for each key and value of m, a mapping; false when m
// is not one, a key comes twice, or fn refuses a pair.
func plainPairs(m *fixture.Plain, fn func(key string, v *fixture.Plain) bool) bool {
	if m.Tag != "!!map" {
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i].Value
		for j := 0; j < i; j += 2 {
			if m.Content[j].Value == k {
				return false
			}
		}
		if !fn(k, &m.Content[i+1]) {
			return false
		}
	}
	return true
}

// plainString sets *dst to v, a string.
func plainString(dst *string, v *fixture.Plain) bool {
	if v.Tag != "!!str" {
		return false
	}
	*dst = v.Value
	return true
}

// plainBool sets *dst to v, a boolean.
func plainBool(dst *bool, v *fixture.Plain) bool {
	if v.Tag != "!!bool" {
		return false
	}
	*dst = v.Value == "true"
	return true
}

// personaOfPlain decodes an item of personas.yaml.
func personaOfPlain(m *fixture.Plain) (*Persona, bool) {
	p := &Persona{}
	ok := plainPairs(m, func(k string, v *fixture.Plain) bool {
		var dst *string
		switch k {
		case "id":
			dst = &p.ID
		case "login":
			dst = &p.Login
		case "password":
			dst = &p.Password
		case "spi":
			dst = &p.SPI
		case "given_name":
			dst = &p.GivenName
		case "family_name":
			dst = &p.FamilyName
		case "preferred_username":
			dst = &p.PreferredUsername
		case "birthdate":
			dst = &p.Birthdate
		case "gender":
			dst = &p.Gender
		case "birthplace":
			dst = &p.Birthplace
		case "birthcountry":
			dst = &p.Birthcountry
		case "email":
			dst = &p.Email
		case "situation":
			dst = &p.Situation
		case "scenario":
			dst = &p.Scenario
		default:
			return false
		}
		return plainString(dst, v)
	})
	if !ok {
		return nil, false
	}
	if p.Password == "" {
		p.Password = DefaultPassword
	}
	return p, true
}

// foyerOfPlain decodes an item of foyers.yaml.
func foyerOfPlain(m *fixture.Plain) (*foyerSpec, bool) {
	f := &foyerSpec{line: m.Line}
	hasAnnees := false
	ok := plainPairs(m, func(k string, v *fixture.Plain) bool {
		switch k {
		case "id":
			return plainString(&f.ID, v)
		case "declarant1":
			return plainString(&f.Declarant1, v)
		case "declarant2":
			return plainString(&f.Declarant2, v)
		case "residence":
			f.Residence = adresseOfPlain(v)
			return f.Residence != nil
		case "adresse_fiscale":
			f.AdresseFiscale = adresseOfPlain(v)
			return f.AdresseFiscale != nil
		case "dependants":
			if v.Tag != "!!seq" {
				return false
			}
			for i := range v.Content {
				var d dependantSpec
				if !plainPairs(&v.Content[i], func(k string, v *fixture.Plain) bool {
					switch k {
					case "persona":
						return plainString(&d.Persona, v)
					case "prenoms":
						return plainString(&d.Prenoms, v)
					case "nom":
						return plainString(&d.Nom, v)
					case "date_naissance":
						return plainString(&d.DateNaissance, v)
					case "categorie":
						return plainString(&d.Categorie, v)
					}
					return false
				}) {
					return false
				}
				f.Dependants = append(f.Dependants, d)
			}
			return true
		case "annees":
			hasAnnees = true
			return plainPairs(v, func(k string, v *fixture.Plain) bool {
				off, known := yearKeys[k]
				if !known {
					return false
				}
				f.Annees[off] = yearOfPlain(v)
				return f.Annees[off] != nil
			}) && len(v.Content) > 0
		}
		return false
	})
	if !ok || f.Residence == nil || !hasAnnees {
		return nil, false
	}
	return f, true
}

func adresseOfPlain(m *fixture.Plain) *adresseSpec {
	a := &adresseSpec{}
	if !plainPairs(m, func(k string, v *fixture.Plain) bool {
		switch k {
		case "complement":
			return plainString(&a.Complement, v)
		case "voie":
			return plainString(&a.Voie, v)
		case "code_postal":
			return plainString(&a.CodePostal, v)
		case "commune":
			return plainString(&a.Commune, v)
		}
		return false
	}) {
		return nil
	}
	return a
}

func yearOfPlain(m *fixture.Plain) *yearSpec {
	y := &yearSpec{alone: len(m.Content) == 2}
	if !plainPairs(m, func(k string, v *fixture.Plain) bool {
		switch k {
		case "sitFam":
			return plainString(&y.SitFam, v)
		case "deces_declarant2":
			return plainString(&y.DecesDeclarant2, v)
		case "parent_isole":
			return plainBool(&y.ParentIsole, v)
		case "invalidite_declarant1":
			return plainBool(&y.InvaliditeDeclarant1, v)
		case "invalidite_declarant2":
			return plainBool(&y.InvaliditeDeclarant2, v)
		case "ifi":
			return plainBool(&y.IFI, v)
		case "aucune_declaration":
			return plainBool(&y.AucuneDeclaration, v)
		case "adresse_fiscale":
			y.AdresseFiscale = adresseOfPlain(v)
			return y.AdresseFiscale != nil
		case "revenus":
			y.montants = montantsOfPlain(v)
			return y.montants != nil
		case "apres_deces":
			y.ApresDeces = periodOfPlain(v)
			return y.ApresDeces != nil
		case "rectificatif":
			y.Rectificatif = periodOfPlain(v)
			return y.Rectificatif != nil
		}
		return false // a value the fixture states, among others: the library's
	}) {
		return nil
	}
	return y
}

func periodOfPlain(m *fixture.Plain) *periodSpec {
	p := &periodSpec{}
	if !plainPairs(m, func(k string, v *fixture.Plain) bool {
		if k != "revenus" {
			return false
		}
		p.montants = montantsOfPlain(v)
		return p.montants != nil
	}) {
		return nil
	}
	return p
}

// montantsOfPlain decodes revenus, in the order written; nil when it is
// not a mapping of codes to integers.
func montantsOfPlain(m *fixture.Plain) []montant {
	out := make([]montant, 0, len(m.Content)/2)
	if !plainPairs(m, func(k string, v *fixture.Plain) bool {
		if v.Tag != "!!int" {
			return false
		}
		n, err := strconv.ParseInt(v.Value, 10, 64)
		out = append(out, montant{k, n})
		return err == nil
	}) {
		return nil
	}
	return slices.Clip(out)
}

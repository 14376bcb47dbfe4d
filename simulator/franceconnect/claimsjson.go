package franceconnect

import (
	"strconv"
	"strings"

	"github.com/bacasable/bacasable/simulator/jsonenc"
	"github.com/bacasable/bacasable/simulator/population"
)

// A login writes two sets of claims, the ID token's and userinfo's: they
// are written here byte for byte as encoding/json writes them (the ID
// token's struct in its fields' order, userinfo's claims as the map they
// once were, keys sorted; <, > and & escaped), without its reflection.

// claimID is one claim userinfo may answer; their order is their names'
// (encoding/json's order of a map's keys).
type claimID uint8

const (
	claimAMR claimID = iota
	claimAud
	claimBirthcountry
	claimBirthdate
	claimBirthplace
	claimEmail
	claimExp
	claimFamilyName
	claimGender
	claimGivenName
	claimGivenNameArray
	claimIat
	claimIdpBirthdate
	claimIdpID
	claimIss
	claimPreferredUsername
	claimSub
	claimCount
)

// claimKeys are the claims' names as JSON keys, with their colon.
var claimKeys = [claimCount]string{`"amr":`, `"aud":`, `"birthcountry":`, `"birthdate":`, `"birthplace":`, `"email":`,
	`"exp":`, `"family_name":`, `"gender":`, `"given_name":`, `"given_name_array":`, `"iat":`, `"idp_birthdate":`,
	`"idp_id":`, `"iss":`, `"preferred_username":`, `"sub":`}

// claimSet is a set of claims, one bit per claimID.
type claimSet uint32

// userinfoFixed are the claims every userinfo answer carries.
const userinfoFixed = 1<<claimSub | 1<<claimAud | 1<<claimIat | 1<<claimExp | 1<<claimIss

// claimIDs finds a claim by name.
var claimIDs = func() map[string]claimID {
	m := make(map[string]claimID, claimCount)
	for id, key := range claimKeys {
		m[key[1:len(key)-2]] = claimID(id)
	}
	return m
}()

// scopeClaimSets are grantedClaims of each identity scope, as sets.
var scopeClaimSets = func() map[string]claimSet {
	m := make(map[string]claimSet, len(scopeClaims))
	for scope := range scopeClaims {
		var set claimSet
		for _, c := range grantedClaims([]string{scope}) {
			set |= 1 << claimIDs[c]
		}
		m[scope] = set
	}
	return m
}()

// grantedClaimSet is grantedClaims(scopes) without the claims a scenario
// removed (given_name_array with given_name), as a set.
func grantedClaimSet(scopes []string, removed []string) claimSet {
	var set claimSet
	for _, s := range scopes {
		set |= scopeClaimSets[s]
	}
	for _, c := range removed {
		if id, ok := claimIDs[c]; ok { // the fixed claims stay
			set &^= 1 << id
		}
		if c == "given_name" {
			set &^= 1 << claimGivenNameArray
		}
	}
	return set
}

// userinfoClaims are the claims of a userinfo answer: the fixed ones and
// the identity claims granted, of a persona authenticated through an
// identity provider.
type userinfoClaims struct {
	Sub, Aud, Iss string
	Iat, Exp      int64
	Granted       claimSet
	Persona       *population.Persona
	IdP           *IdentityProvider
}

// appendJSON appends the claims as encoding/json writes them as a
// map[string]any of claimValue's values, keys sorted.
func (u *userinfoClaims) appendJSON(dst []byte) []byte {
	p := u.Persona
	dst = append(dst, '{')
	set := u.Granted | userinfoFixed
	first := true
	for id := range claimCount {
		if set&(1<<id) == 0 {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, claimKeys[id]...)
		switch id {
		case claimAMR:
			dst = appendJSONStrings(dst, u.IdP.AMR)
		case claimAud:
			dst = appendJSONString(dst, u.Aud)
		case claimBirthcountry:
			dst = appendJSONString(dst, p.Birthcountry)
		case claimBirthdate:
			dst = appendJSONString(dst, p.NormalisedBirthdate())
		case claimBirthplace:
			dst = appendJSONString(dst, p.Birthplace)
		case claimEmail:
			dst = appendJSONString(dst, p.Email)
		case claimExp:
			dst = strconv.AppendInt(dst, u.Exp, 10)
		case claimFamilyName:
			dst = appendJSONString(dst, p.FamilyName)
		case claimGender:
			dst = appendJSONString(dst, p.Gender)
		case claimGivenName:
			dst = appendJSONString(dst, p.GivenName)
		case claimGivenNameArray: // Persona.GivenNames, without its slice
			dst = append(dst, '[')
			n := 0
			for name := range strings.FieldsSeq(p.GivenName) {
				if n > 0 {
					dst = append(dst, ',')
				}
				dst = appendJSONString(dst, name)
				n++
			}
			dst = append(dst, ']')
		case claimIat:
			dst = strconv.AppendInt(dst, u.Iat, 10)
		case claimIdpBirthdate:
			dst = appendJSONString(dst, p.IdpBirthdate())
		case claimIdpID:
			dst = appendJSONString(dst, u.IdP.ID)
		case claimIss:
			dst = appendJSONString(dst, u.Iss)
		case claimPreferredUsername:
			dst = appendJSONString(dst, p.PreferredUsername)
		case claimSub:
			dst = appendJSONString(dst, u.Sub)
		}
	}
	return append(dst, '}')
}

// appendJSONStrings appends a list of strings; nil is null, as
// encoding/json writes it.
func appendJSONStrings(dst []byte, list []string) []byte {
	if list == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

// appendJSON appends the ID token's claims as encoding/json writes
// idTokenClaims.
func (c *idTokenClaims) appendJSON(dst []byte) []byte {
	dst = appendJSONString(append(dst, `{"sub":`...), c.Sub)
	dst = appendJSONString(append(dst, `,"acr":`...), c.ACR)
	if len(c.AMR) > 0 {
		dst = appendJSONStrings(append(dst, `,"amr":`...), c.AMR)
	}
	dst = strconv.AppendInt(append(dst, `,"auth_time":`...), c.AuthTime, 10)
	dst = appendJSONString(append(dst, `,"nonce":`...), c.Nonce)
	dst = appendJSONString(append(dst, `,"aud":`...), c.Aud)
	dst = strconv.AppendInt(append(dst, `,"exp":`...), c.Exp, 10)
	dst = strconv.AppendInt(append(dst, `,"iat":`...), c.Iat, 10)
	dst = appendJSONString(append(dst, `,"iss":`...), c.Iss)
	return append(dst, '}')
}

// appendJSONString is encoding/json's string encoding with its default
// HTML escaping, as json.Marshal writes the claims.
func appendJSONString(dst []byte, s string) []byte { return jsonenc.AppendStringHTML(dst, s) }

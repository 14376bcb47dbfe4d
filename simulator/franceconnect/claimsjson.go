package franceconnect

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/bacasable/bacasable/simulator/jsonenc"
)

// A login writes two sets of claims, the ID token's and userinfo's: they
// are written here byte for byte as encoding/json writes them (the ID
// token's struct in its fields' order, userinfo's claims as a map, keys
// sorted; <, > and & escaped), without its reflection.

// jwtClaims are a JWT's claims by name, written as encoding/json writes a
// map[string]any of them.
type jwtClaims []jwtClaim

type jwtClaim struct {
	name  string
	value any // string, []string, int64; anything else through encoding/json
}

// set adds the claim name, or replaces its value.
func (c *jwtClaims) set(name string, value any) {
	for i := range *c {
		if (*c)[i].name == name {
			(*c)[i].value = value
			return
		}
	}
	*c = append(*c, jwtClaim{name, value})
}

// get is the value of the claim name, nil when absent.
func (c jwtClaims) get(name string) any {
	for _, cl := range c {
		if cl.name == name {
			return cl.value
		}
	}
	return nil
}

// appendJSON appends the claims as a JSON object, keys sorted.
func (c jwtClaims) appendJSON(dst []byte) ([]byte, error) {
	sorted := slices.SortedFunc(slices.Values(c), func(a, b jwtClaim) int { return strings.Compare(a.name, b.name) })
	dst = append(dst, '{')
	for i, cl := range sorted {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(appendJSONString(dst, cl.name), ':')
		var err error
		if dst, err = appendJSONValue(dst, cl.value); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

// MarshalJSON writes the claims as appendJSON does (for the tests, and
// any caller that still goes through encoding/json).
func (c jwtClaims) MarshalJSON() ([]byte, error) { return c.appendJSON(nil) }

func appendJSONValue(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return appendJSONString(dst, v), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case []string:
		return appendJSONStrings(dst, v), nil
	case nil:
		return append(dst, "null"...), nil
	}
	b, err := json.Marshal(v)
	return append(dst, b...), err
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

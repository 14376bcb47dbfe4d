// Package impotparticulier emulates the DGFiP's API Impôt particulier and
// the API gateway in front of it: client-credentials tokens at /token, the
// habilitations DataPass grants (ID_Teleservice, modes, resources, data,
// years, quota), and the API itself under /impotparticulier/1.0, routed and
// validated from the project's OpenAPI contract.
//
// In FranceConnect mode the user is identified by the FranceConnect access
// token in X-FranceConnect-OAuth, resolved through a small Introspector
// interface (checktoken semantics); in SPI mode by the 13-digit SPI in the
// path. Either way the answer is the household's avis, filtered by the
// habilitation and, in FranceConnect mode, by the user's consent.
//
// Errors use the DGFiP envelope {"erreur":{code,message,horodatage}};
// scenarios with format wso2 answer instead the gateway's own WSO2 body
// {"fault":{code,message,description}}. Both are written in errors.go only.
package impotparticulier

// Package franceconnect emulates FranceConnect v2 (platform fcp-low): the
// OpenID Connect provider a French public service uses to log citizens in,
// and the checktoken endpoint data providers such as the DGFiP call.
//
// Its behaviour follows ../shared/reference/franceconnect-v2.md: the same
// endpoints, parameter rules, token shapes, claim formats and error codes.
// Every route is listed in (*Provider).Routes; each endpoint group has its
// own file; errors are values of type *Error written in errors.go.
package franceconnect

// Package population holds the sandbox's fictitious people: personas with
// their identité pivot (as Insee certifies it to FranceConnect), their logins
// for the identity providers and, for tax declarants, their SPI. It loads and
// checks the fixture files and answers lookups by login, SPI and id.
package population

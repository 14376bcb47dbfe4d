// Package population holds the sandbox's fictitious people and their tax
// households: personas with their identité pivot (as Insee certifies it to
// FranceConnect), their logins for the identity providers and, for tax
// declarants, their SPI; foyers fiscaux with their dependants and, per
// revenue year, the avis the API Impôt particulier returns, computed by the
// quotient familial and barème rules of tax.go. It loads and checks the
// fixture files (every error with its file and line) and answers lookups by
// login, SPI, id and revenue year.
package population

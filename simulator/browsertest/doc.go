// Package browsertest drives the whole sandbox from a real headless
// Chromium: a citizen's journey on Démoville through FranceConnect's pages
// (provider choice, persona search, consent) to the API Impôt particulier,
// its refusals and degraded paths, the logout, and the console's journal.
//
// The tests click and type as a person would; nothing takes the sandbox's
// shortcuts (no X-Bacasable-Persona header). Each test starts its own
// sandbox with sandboxtest, under its frozen clock, and visits it in a tab
// of its own browser context (its own cookies), in the one Chromium the
// package starts with a fresh profile. A failed test leaves a full-page screenshot in
// testdata/failures/<TestName>.png and logs the page's text.
//
// Chromium is found as BACASABLE_CHROMIUM, chromium, chromium-browser or
// google-chrome. Without one the tests skip, unless
// BACASABLE_REQUIRE_CHROMIUM=1 (as .ci/run sets, after installing Debian's
// chromium package), where they fail.
package browsertest

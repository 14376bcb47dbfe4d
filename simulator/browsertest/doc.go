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
// The pages themselves are checked too, on a tour of every page a person
// sees (the home page, Démoville's pages, FranceConnect's choice, login,
// consent, error and logout pages, the console's sections with a card or a
// detail open, and the banner of an active scenario on the console,
// FranceConnect and Démoville): at 320, 390 and 1366 px wide none is
// wider than the screen (TestPagesFit), and axe-core finds no serious or
// critical violation on any (TestPagesAccessible). axe-core is not in the
// repository: .ci/run installs it from npm at a pinned version and sets
// BACASABLE_AXE to its axe.min.js; without it the accessibility test skips
// (fails under BACASABLE_REQUIRE_CHROMIUM=1). The screenshots in
// docs/screenshots come from the same tour:
//
//	go test ./simulator/browsertest -run Screenshots -update
//
// Chromium is found as BACASABLE_CHROMIUM, chromium, chromium-browser or
// google-chrome. Without one the tests skip, unless
// BACASABLE_REQUIRE_CHROMIUM=1 (as .ci/run sets, after installing Debian's
// chromium package), where they fail.
package browsertest

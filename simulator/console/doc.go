// Package console is the sandbox's console for people, served at
// /_bacasable/: a trainer or a developer searches the fictitious personas
// and their households, logs in as one of them on Démoville or copies the
// curl command that does it in CI, switches scenarios on and off, moves the
// virtual clock, and watches every request to the emulated services live,
// one timeline per login, with the contract violations and the reasons of
// each answer.
//
// The console is plain HTML, CSS and JavaScript embedded in the binary (no
// framework, no CDN: it works offline). The Go side serves the files (and,
// when given a COG, the names of Insee codes); every action goes through
// the control API under /_bacasable/api/, which this package does not serve. The JavaScript reads the control API's
// fields in one module, static/js/fields.js.
//
// The files:
//
//	console.go         Config, New, Routes, the page and the security headers
//	assets.go          the embedded files, their content types and fingerprints
//	places.go          GET /_bacasable/lieux: names of Insee codes (optional)
//	templates/         index.html, rendered once at New
//	static/            console.css, favicon.svg and the JavaScript modules:
//	                   main.js (sections, reset), fields.js (the control
//	                   API's shape), api.js (calls, control token), dom.js,
//	                   format.js and stream.js (pure), personas.js,
//	                   scenarios.js, clock.js, journal.js, banner.js (the
//	                   banner of active scenarios and a moved clock)
//	testdata/          modules_test.mjs, run by TestJavaScriptModules
package console

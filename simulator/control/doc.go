// Package control is the sandbox's control API, served under
// /_bacasable/api/ (a prefix no emulated service uses) and described by its
// own contract, openapi/control.yaml, against which every request is
// validated. Tests, CI pipelines and trainers use it to read and change the
// population (personas and foyers, checked like the fixture files), switch
// scenarios on and off, move the one virtual clock both services read,
// queue the persona of a client's next FranceConnect login, and reset the
// whole sandbox.
//
// It answers loopback callers only, unless a control token is configured:
// then every caller must present it as a bearer token. Errors are one JSON
// envelope, {"error": {"code", "message", "details"}}, written by
// writeError alone.
package control

package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// A full login's floor: what any sandbox built on net/http and
// crypto/ecdsa pays for it on this machine, whatever its handlers do —
// three HTTP requests, each at least a bare handler's cost, and two ES256
// signatures (the ID token and the userinfo JWT). perf prints it under
// the table, so that the login's row reads as that floor plus the
// sandbox's own work; the target (200 µs) is absolute, the floor moves
// with the machine.

// es256Signatures is how many signatures es256Cost times: about 60 ms.
const es256Signatures = 2000

// signingInput is the size of an ID token's signing input (base64url
// header, dot, base64url claims) as the sandbox signs for the test
// persona: about 600 bytes.
var signingInput = []byte(strings.Repeat("eyJhbGciOiJFUzI1NiIsImtpZCI6ImJhY2FzYWJsZS1lczI1NiJ9", 12))

// es256Cost is the CPU time of one ES256 signature made as the sandbox
// makes it (SHA-256 of the signing input, then crypto/ecdsa with RFC 6979
// nonces), measured on this goroutine's thread (getrusage RUSAGE_THREAD,
// microsecond resolution) over es256Signatures signatures.
func es256Cost() (time.Duration, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return 0, err
	}
	sign := func(n int) error {
		for range n {
			digest := sha256.Sum256(signingInput)
			if _, err := key.Sign(nil, digest[:], crypto.SHA256); err != nil {
				return err
			}
		}
		return nil
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := sign(es256Signatures / 10); err != nil { // warm up
		return 0, err
	}
	before, err := threadCPU()
	if err != nil {
		return 0, err
	}
	if err := sign(es256Signatures); err != nil {
		return 0, err
	}
	after, err := threadCPU()
	if err != nil {
		return 0, err
	}
	return (after - before) / es256Signatures, nil
}

// rusageThread is Linux's RUSAGE_THREAD: the calling thread's usage.
const rusageThread = 1

// threadCPU is the calling thread's user and system CPU time.
func threadCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// floorNote is the login's floor in this run and what the sandbox adds
// to it, as a note under the table.
func floorNote(bare, login, es256 time.Duration) string {
	floor := 3*bare + 2*es256
	return fmt.Sprintf("A full login's floor in this run: three bare requests (3 × %s) and two ES256 signatures (2 × %s,\n"+
		"crypto/ecdsa as the sandbox signs, timed in the bench's own process after the scenarios) = %s. The login\n"+
		"used %s: %s of it is the sandbox's own work (routing, journal, stores, claims, headers, garbage collection).",
		fmtDur(bare), fmtDur(es256), fmtDur(floor), fmtDur(login), fmtDur(login-floor))
}

package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// A full login's floor: what any sandbox built on net/http and
// crypto/ecdsa pays for it on this machine, whatever its handlers do —
// its three HTTP requests and answers as net/http serves them (a canned
// login, below), and two ES256 signatures (the ID token and the userinfo
// JWT). perf prints it under
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
// to it, as a note under the table: bare is a bare request's CPU, canned
// a canned login's, es256 a signature's.
func floorNote(bare, canned, login, es256 time.Duration) string {
	floor := canned + 2*es256
	return fmt.Sprintf("A full login's floor in this run: its three requests answered with the sandbox's own recorded answers\n"+
		"by the bare process (the canned login row: %s, against 3 × %s for three bare requests) and two ES256\n"+
		"signatures (2 × %s, crypto/ecdsa as the sandbox signs, timed in the bench's own process after the\n"+
		"scenarios) = %s. The login used %s: %s of it is the sandbox's own work (routing, journal, stores,\n"+
		"claims, garbage collection).",
		fmtDur(canned), fmtDur(bare), fmtDur(es256), fmtDur(floor), fmtDur(login), fmtDur(login-floor))
}

// The three requests of a login also cost more than three bare ones: a
// longer URL, a form, FranceConnect's ten security headers, a JWT. A
// canned login measures that part: the bare process answers the login's
// three requests with the very answers the sandbox gave to one login at
// the start of the run (status, headers, body), whatever they ask, so
// that its cost per login is net/http's for those requests and answers
// and nothing else.

// cannedAnswer is one answer of the sandbox, replayed by the bare handler.
type cannedAnswer struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// cannedLogin is a login's three answers, by the path that asked them.
type cannedLogin map[string]cannedAnswer

// Paths of the login's three requests (bench/flows.go).
const (
	authorizePath = "/api/v2/authorize"
	tokenPath     = "/api/v2/token"
	userinfoPath  = "/api/v2/userinfo"
)

// recordingTransport records the answers its requests get, by path.
type recordingTransport struct {
	next http.RoundTripper
	got  cannedLogin
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	h := resp.Header.Clone()
	h.Del("Date")           // net/http writes its own,
	h.Del("Content-Length") // and this one
	t.got[req.URL.Path] = cannedAnswer{Status: resp.StatusCode, Header: h, Body: body}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// recordLogin makes one full login against s and returns its answers.
func recordLogin(ctx context.Context, s *sandbox) (cannedLogin, error) {
	rec := &recordingTransport{next: s.http.Transport, got: cannedLogin{}}
	c := *s.http
	c.Transport = rec
	if err := (&sandbox{base: s.base, http: &c}).fullLogin(ctx); err != nil {
		return nil, err
	}
	for _, p := range []string{authorizePath, tokenPath, userinfoPath} {
		if _, ok := rec.got[p]; !ok {
			return nil, fmt.Errorf("record a login: no answer to %s", p)
		}
	}
	return rec.got, nil
}

// write saves cl to path for the bare process.
func (cl cannedLogin) write(path string) error {
	b, err := json.Marshal(cl)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// readCannedLogin reads what write saved.
func readCannedLogin(path string) (cannedLogin, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cl cannedLogin
	if err := json.Unmarshal(b, &cl); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cl, nil
}

// handler answers as recorded: the login's paths with their answer
// (the form of the token request is read, as a handler would), anything
// else with next.
func (cl cannedLogin) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := cl[r.URL.Path]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodPost {
			_ = r.ParseForm()
		}
		h := w.Header()
		for k, v := range a.Header {
			h[k] = v
		}
		w.WriteHeader(a.Status)
		_, _ = w.Write(a.Body)
	})
}

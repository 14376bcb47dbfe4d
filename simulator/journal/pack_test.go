package journal

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// packHeaders packs req and resp alone, as compact packs them into an
// entry's text.
func packHeaders(req, resp http.Header) string {
	var b strings.Builder
	b.Grow(packedLen(req, resp))
	writePacked(&b, req, resp)
	return b.String()
}

func TestPackHeaders(t *testing.T) {
	req := http.Header{
		"Authorization": {"Bearer secret"},
		"X-Many":        {"a", "", strings.Repeat("é", 300)},
		"Empty":         {},
		"Binary":        {"\x00\xff\n:\r"},
	}
	resp := http.Header{"Content-Type": {"application/json"}}
	b := packHeaders(req, resp)
	if len(b) != packedLen(req, resp) {
		t.Errorf("packed in %d bytes, %d reserved", len(b), packedLen(req, resp))
	}
	gotReq, gotResp := unpackHeaders(b)
	if !reflect.DeepEqual(gotReq, req) || !reflect.DeepEqual(gotResp, resp) {
		t.Errorf("unpack(pack) = %q, %q; want %q, %q", gotReq, gotResp, req, resp)
	}
	if req, resp := unpackHeaders(packHeaders(nil, nil)); len(req) != 0 || len(resp) != 0 {
		t.Errorf("empty headers unpacked as %q, %q", req, resp)
	}
	// A packed buffer cut anywhere reads as what it holds up to the cut,
	// never more, never a panic.
	for i := range b {
		unpackHeaders(b[:i])
	}
}

// FuzzUnpackHeaders: whatever the buffer (the journal's own, never a
// client's), reading it neither panics nor allocates past its size (no
// field is shared here: a reference past them is malformed).
func FuzzUnpackHeaders(f *testing.F) {
	f.Add([]byte(packHeaders(http.Header{"A": {"1", "2"}}, http.Header{"B": {""}})))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		req, resp := unpackHeaders(string(b))
		n := 0
		for _, h := range []http.Header{req, resp} {
			for k, vs := range h {
				n += len(k)
				for _, v := range vs {
					n += len(v)
				}
			}
		}
		if n > len(b) {
			t.Fatalf("unpacked %d bytes of strings from %d", n, len(b))
		}
	})
}

// TestSharedHeader: a shared field, the very slice, is packed as a
// reference and read back as itself; the same values in another slice are
// copied.
func TestSharedHeader(t *testing.T) {
	saved := shared
	t.Cleanup(func() { shared = saved })
	csp := []string{strings.Repeat("default-src 'self';", 10)}
	ShareHeader("Content-Security-Policy", csp)
	ShareHeader("Empty", nil) // ignored
	if len(shared) != len(saved)+1 {
		t.Fatalf("%d shared fields, want %d", len(shared), len(saved)+1)
	}
	ref := http.Header{"Content-Security-Policy": csp, "X-Other": {"1"}}
	copied := http.Header{"Content-Security-Policy": {csp[0]}, "X-Other": {"1"}}
	// The same name with other values, or the values under another name,
	// are not the shared field.
	other := http.Header{"Content-Security-Policy-Report-Only": csp}
	for _, h := range []http.Header{ref, copied, other} {
		b := packHeaders(nil, h)
		if len(b) != packedLen(nil, h) {
			t.Errorf("%q: packed in %d bytes, %d reserved", h, len(b), packedLen(nil, h))
		}
		if _, got := unpackHeaders(b); !reflect.DeepEqual(got, h) {
			t.Errorf("unpack(pack(%q)) = %q", h, got)
		}
	}
	if a, b := len(packHeaders(nil, ref)), len(packHeaders(nil, copied)); a >= b-len(csp[0]) {
		t.Errorf("shared field packed in %d bytes, copied in %d", a, b)
	}
	if a, b := len(packHeaders(nil, other)), len(packHeaders(nil, copied)); a < len(csp[0]) {
		t.Errorf("another name with the shared values packed in %d bytes (copied: %d): a reference", a, b)
	}
	// A reference past the shared fields is malformed: read as nothing.
	bad := string([]byte{0, 1, byte(len(shared) + 1)})
	if req, resp := unpackHeaders(bad); len(req) != 0 || len(resp) != 0 {
		t.Errorf("bad reference read as %q, %q", req, resp)
	}
}

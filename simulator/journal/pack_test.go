package journal

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

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
// client's), reading it neither panics nor allocates past its size.
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

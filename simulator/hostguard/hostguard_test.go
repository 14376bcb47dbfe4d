package hostguard

import "testing"

func TestAllows(t *testing.T) {
	h := New("http://bacasable.test:8080")
	for host, want := range map[string]bool{
		"localhost:8080": true, "LOCALHOST": true, "app.localhost:3000": true, "127.0.0.1:8080": true, "127.1.2.3": true,
		"[::1]:8080": true, "[::ffff:127.0.0.1]:80": true, "bacasable.test": true, "Bacasable.Test:9000": true,
		"evil.example:8080": false, "": false, "localhost.evil.example": false, "10.0.0.1:8080": false,
		"bacasable.test.evil.example": false, "[::2]:8080": false, "0.0.0.0:8080": false,
	} {
		if got := h.Allows(host); got != want {
			t.Errorf("Allows(%q) = %v, want %v", host, got, want)
		}
	}
}

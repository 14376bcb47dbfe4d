package journal

import (
	"io"
	"net/http"
)

func readFull(r *http.Request, buf []byte) (int, error) { return io.ReadFull(r.Body, buf) }

// readCloser replays the read body and closes the original.
type readCloser struct {
	io.Reader
	orig io.Closer
}

func (rc readCloser) Close() error { return rc.orig.Close() }

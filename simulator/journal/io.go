package journal

import "io"

// readCloser replays the read body and closes the original.
type readCloser struct {
	io.Reader
	orig io.Closer
}

func (rc readCloser) Close() error { return rc.orig.Close() }

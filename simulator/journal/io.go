package journal

import "io"

// replay hands the handler the request body the journal read the start
// of: head first, then the rest of the original, which it closes.
type replay struct {
	head []byte
	rest io.ReadCloser
}

func (r *replay) Read(p []byte) (int, error) {
	if len(r.head) > 0 {
		n := copy(p, r.head)
		r.head = r.head[n:]
		return n, nil
	}
	return r.rest.Read(p)
}

func (r *replay) Close() error { return r.rest.Close() }

// readHead reads at most MaxBody+1 bytes of body (whatever its size says:
// -1 for a chunked body), in one buffer when size is known.
func readHead(body io.Reader, size int64) []byte {
	n := 512
	if size > 0 && size <= MaxBody {
		n = int(size) + 1 // the extra byte meets the end without growing
	}
	b := make([]byte, 0, n)
	lr := io.LimitedReader{R: body, N: MaxBody + 1}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			return b
		}
	}
}

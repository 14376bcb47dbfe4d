package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// The log is written in batches. At the default level the sandbox logs a
// line per request, and under a load of logins one write(2) per line was
// about 5 % of its CPU (perf record of the binary at --log-level info;
// go run ./bench perf runs it at warn): a line now waits at most
// logFlushDelay, a warning or an error not at all, and the log is flushed
// when the sandbox stops. What the process dying otherwise (a panic no
// handler recovers, a Go runtime fatal error, SIGKILL, the OOM killer)
// loses is what the last logFlushDelay logged below the warning level.
const (
	logFlushDelay = 20 * time.Millisecond
	// logFlushBytes is the most the log holds before it writes at once;
	// a writer slower than the lines (a paused terminal) then slows the
	// requests rather than the buffer growing.
	logFlushBytes = 64 << 10
)

// logBuffer is an io.Writer that holds what it is given for at most delay
// (or until it holds logFlushBytes) and writes it to w in one call, in
// order. Its methods are safe for concurrent use.
type logBuffer struct {
	w     io.Writer
	delay time.Duration

	mu  sync.Mutex
	buf []byte
	// timer is armed whenever buf goes from empty to not (it may fire on
	// an empty buf after a flush: nothing to do); nil once closed.
	timer *time.Timer
}

// logBufferCap is the buffer's capacity: logFlushBytes and a line or two,
// so that the flush the bound sets off does not grow it first.
const logBufferCap = logFlushBytes + 16<<10

func newLogBuffer(w io.Writer, delay time.Duration) *logBuffer {
	b := &logBuffer{w: w, delay: delay, buf: make([]byte, 0, logBufferCap)}
	b.timer = time.AfterFunc(time.Hour, b.Flush)
	b.timer.Stop()
	return b
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timer == nil { // closed: write through
		return b.w.Write(p)
	}
	if len(b.buf) == 0 {
		b.timer.Reset(b.delay)
	}
	b.buf = append(b.buf, p...)
	if len(b.buf) >= logFlushBytes {
		b.flushLocked()
	}
	return len(p), nil
}

// Flush writes what the buffer holds.
func (b *logBuffer) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *logBuffer) flushLocked() {
	if len(b.buf) == 0 {
		return
	}
	// A write error has nowhere to go (the log is where it would go), as
	// with an unbuffered log.
	_, _ = b.w.Write(b.buf)
	if cap(b.buf) > 2*logBufferCap { // grown by a very long line: do not keep it
		b.buf = make([]byte, 0, logBufferCap)
	}
	b.buf = b.buf[:0]
}

// Close flushes the buffer; later writes go straight to w.
func (b *logBuffer) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	b.flushLocked()
}

// flushOnWarn is a slog handler that flushes its log buffer after each
// record at the warning level or above, so that warnings and errors are
// written as they happen.
type flushOnWarn struct {
	slog.Handler
	buf *logBuffer
}

func (h flushOnWarn) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.buf.Flush()
	}
	return err
}

func (h flushOnWarn) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushOnWarn{h.Handler.WithAttrs(attrs), h.buf}
}

func (h flushOnWarn) WithGroup(name string) slog.Handler {
	return flushOnWarn{h.Handler.WithGroup(name), h.buf}
}

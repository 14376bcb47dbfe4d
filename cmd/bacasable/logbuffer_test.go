package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLogBuffer: lines wait in the buffer, in order, until the delay, a
// warning, the size bound or Close writes them, each time in one write.
func TestLogBuffer(t *testing.T) {
	t.Run("held until the delay", func(t *testing.T) {
		out := &syncBuffer{}
		b := newLogBuffer(out, 500*time.Millisecond)
		defer b.Close()
		log := slog.New(flushOnWarn{slog.NewTextHandler(b, nil), b})
		log.Info("one")
		log.Info("two")
		if got := out.String(); got != "" {
			t.Fatalf("written before the delay: %q", got)
		}
		deadline := time.Now().Add(5 * time.Second)
		for out.String() == "" && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		got := out.String()
		if !strings.Contains(got, "msg=one") || strings.Index(got, "msg=one") > strings.Index(got, "msg=two") {
			t.Fatalf("after the delay: %q, want one then two", got)
		}
		if n := out.Writes(); n != 1 {
			t.Errorf("%d writes for two lines, want 1", n)
		}
	})
	t.Run("a warning writes at once", func(t *testing.T) {
		out := &syncBuffer{}
		b := newLogBuffer(out, time.Hour)
		defer b.Close()
		log := slog.New(flushOnWarn{slog.NewTextHandler(b, nil), b}).With("component", "test")
		log.Info("before")
		log.Warn("careful")
		got := out.String()
		if !strings.Contains(got, "msg=before") || !strings.Contains(got, "msg=careful") || !strings.Contains(got, "component=test") {
			t.Fatalf("after a warning: %q, want both lines", got)
		}
		log.WithGroup("g").Error("broken")
		if !strings.Contains(out.String(), "msg=broken") {
			t.Fatalf("an error through WithGroup waited: %q", out.String())
		}
	})
	t.Run("the size bound writes at once", func(t *testing.T) {
		out := &syncBuffer{}
		b := newLogBuffer(out, time.Hour)
		defer b.Close()
		line := strings.Repeat("x", 1000) + "\n"
		for range logFlushBytes/len(line) + 1 {
			_, _ = b.Write([]byte(line))
		}
		if n := len(out.String()); n < logFlushBytes {
			t.Fatalf("%d bytes written with more than logFlushBytes buffered, want them all", n)
		}
		// The buffer is kept from one flush to the next.
		discard := newLogBuffer(io.Discard, time.Hour)
		defer discard.Close()
		lineBytes := []byte(line)
		if got := testing.AllocsPerRun(10, func() {
			for range logFlushBytes/len(line) + 1 {
				_, _ = discard.Write(lineBytes)
			}
		}); got > 0 {
			t.Errorf("%.0f allocations a flush, want the buffer kept", got)
		}
	})
	t.Run("Close writes the rest, then writes go through", func(t *testing.T) {
		out := &syncBuffer{}
		b := newLogBuffer(out, time.Hour)
		_, _ = b.Write([]byte("last\n"))
		b.Close()
		if got := out.String(); got != "last\n" {
			t.Fatalf("after Close: %q", got)
		}
		_, _ = b.Write([]byte("late\n"))
		if got := out.String(); got != "last\nlate\n" {
			t.Fatalf("a write after Close: %q", got)
		}
	})
	t.Run("concurrent lines stay whole and in each writer's order", func(t *testing.T) {
		out := &syncBuffer{}
		b := newLogBuffer(out, time.Millisecond)
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				for i := range 500 {
					_, _ = fmt.Fprintf(b, "w%d %04d\n", w, i)
				}
			})
		}
		wg.Wait()
		b.Close()
		next := map[string]int{}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		for _, l := range lines {
			var w string
			var i int
			if _, err := fmt.Sscanf(l, "%s %d", &w, &i); err != nil || i != next[w] {
				t.Fatalf("line %q: want %s %04d", l, w, next[w])
			}
			next[w]++
		}
		if len(lines) != 8*500 {
			t.Fatalf("%d lines, want %d", len(lines), 8*500)
		}
	})
}

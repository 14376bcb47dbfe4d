package clock

// Fuzz target of ParseInstant (docs/fuzzing.md).

import (
	"testing"
	"time"
)

// FuzzParseInstant parses any text as an instant: an instant read is in
// the clock's range and reads back, written as RFC 3339, as the same
// instant; a day is its midnight in Paris.
func FuzzParseInstant(f *testing.F) {
	for _, s := range []string{
		"2027-03-01T09:00:00+01:00", "2027-03-01", "2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123456789-09:30",
		"1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2199-12-31T23:59:59+14:00", "2200-01-01", "0000-01-01", "9999-12-31",
		"2027-02-29", "2028-02-29", "2027-03-01T25:00:00Z", "2027-03-01T09:00:00", "2027-03-01 09:00:00Z", "demain", "", "-2027-03-01",
		"2027-03-01T09:00:00+24:00", "2027-3-1", "2027-03-01T09:00:00.Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseInstant(s)
		if err != nil {
			return
		}
		if err := CheckRange(got); err != nil {
			t.Fatalf("ParseInstant(%q) = %v, out of range: %v", s, got, err)
		}
		again, err := ParseInstant(got.Format(time.RFC3339Nano))
		if err != nil || !again.Equal(got) {
			t.Fatalf("ParseInstant(%q) = %v, written %q, reads back as %v (%v)", s, got, got.Format(time.RFC3339Nano), again, err)
		}
		if day, err := time.ParseInLocation(time.DateOnly, s, Paris()); err == nil && !got.Equal(day) {
			t.Fatalf("ParseInstant(%q) = %v, want midnight in Paris, %v", s, got, day)
		}
	})
}

// time.Parse takes "+24:60" as an offset of 25 hours: PUT /clock accepted
// it, and every journal entry stamped in that zone then failed to encode,
// the journal answering a truncated body (found by FuzzParseInstant,
// testdata/fuzz/FuzzParseInstant/c37a58996b399ff8).
func TestParseInstantOffsetRange(t *testing.T) {
	for _, s := range []string{"2027-03-01T09:00:00+24:60", "2027-03-01T09:00:00+23:60", "2027-03-01T09:00:00-24:00", "2027-03-01T9:00:00+99:99"} {
		if got, err := ParseInstant(s); err == nil {
			t.Errorf("ParseInstant(%q) = %v, want an error", s, got)
		}
	}
	for _, s := range []string{"2027-03-01T09:00:00+23:59", "2027-03-01T09:00:00-23:59", "2027-03-01T09:00:00Z"} {
		got, err := ParseInstant(s)
		if err != nil {
			t.Errorf("ParseInstant(%q): %v", s, err)
		}
		if _, err := got.MarshalJSON(); err != nil {
			t.Errorf("ParseInstant(%q) = %v, which JSON cannot hold: %v", s, got, err)
		}
	}
}

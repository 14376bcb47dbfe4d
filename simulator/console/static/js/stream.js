// stream.js — when the journal's live stream drops, how long to wait
// before each new attempt. Pure, so that it can be tried in isolation.

// maxReconnects is how many times the console tries to reopen a dropped
// stream before it says it gave up (about two minutes in all).
export const maxReconnects = 8;

// reconnectDelay is the wait, in milliseconds, before attempt n (0 for
// the first): 1 s, 2 s, 4 s, 8 s, 16 s, then 30 s.
export function reconnectDelay(n) {
  return Math.min(30000, 1000 * 2 ** Math.max(0, n));
}

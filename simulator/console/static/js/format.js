// format.js — pure functions: dates, durations, amounts and bodies as the
// console shows them. No DOM here, so they can be tried in isolation.

const dateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeStyle: 'medium' });
const shortDateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateOnly = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long' });

function valid(d) {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

// longDate: « mercredi 22 juillet 2026 à 09:00:00 ».
export function longDate(d) {
  return valid(d) ? dateTime.format(d) : '—';
}

// shortDate: « 22/07/2026 09:00:00 ».
export function shortDate(d) {
  return valid(d) ? shortDateTime.format(d) : '—';
}

// clockTime: « 09:00:00.123 », the time of a journal entry.
export function clockTime(d) {
  if (!valid(d)) return '—';
  return `${timeOnly.format(d)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

// birthDate: a persona's raw birth date, « 1962-08-24 » → « 24 août 1962 »;
// a presumed day or month (00) is said so.
export function birthDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
  if (!m) return s || '';
  const [, y, mo, da] = m;
  if (mo === '00') return `${y} (jour et mois présumés)`;
  if (da === '00') {
    const month = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(+y, +mo - 1, 1)));
    return `${month} (jour présumé)`;
  }
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(+y, +mo - 1, +da)));
}

export function dayDate(d) {
  return valid(d) ? dateOnly.format(d) : '—';
}

// latency: nanoseconds → « 850 µs », « 12 ms », « 3,2 s ».
export function latency(ns) {
  if (!Number.isFinite(ns) || ns <= 0) return '—';
  if (ns < 1e6) return `${Math.round(ns / 1e3)} µs`;
  if (ns < 1e9) return `${Math.round(ns / 1e6)} ms`;
  return `${(ns / 1e9).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} s`;
}

// euros: 41220 → « 41 220 € ».
export function euros(n) {
  if (n === null || n === undefined || n === '') return '—';
  const v = Number(n);
  if (!Number.isFinite(v)) return String(n);
  return v.toLocaleString('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
}

const units = { j: 86400, d: 86400, h: 3600, min: 60, m: 60, s: 1 };

// goDuration turns what a person types (« 48h », « 90min », « 3j »,
// « 1j12h », « -2h », « 1,5h ») into a Go duration (« 48h0m0s »), or
// throws with a French message.
export function goDuration(input) {
  let s = String(input || '').trim().toLowerCase().replaceAll(',', '.').replaceAll(' ', '');
  let sign = 1;
  if (s.startsWith('-')) { sign = -1; s = s.slice(1); } else if (s.startsWith('+')) { s = s.slice(1); }
  const re = /(\d+(?:\.\d+)?)(min|j|d|h|m|s)/gy;
  let seconds = 0;
  let matched = 0;
  let m;
  while ((m = re.exec(s)) !== null) {
    seconds += parseFloat(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  if (!s || matched !== s.length) {
    throw new Error(`Durée « ${input} » incomprise : écrivez par exemple 48h, 90min, 3j ou 1j12h.`);
  }
  seconds = Math.round(seconds);
  if (seconds === 0) throw new Error('Durée nulle : rien à avancer.');
  const h = Math.floor(seconds / 3600);
  const mn = Math.floor((seconds % 3600) / 60);
  const sec = seconds % 60;
  return `${sign < 0 ? '-' : ''}${h}h${mn}m${sec}s`;
}

// localInputValue is a Date as a datetime-local input wants it.
export function localInputValue(d) {
  if (!valid(d)) return '';
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

// rfc3339 writes a Date with the browser's offset, « 2026-07-22T09:00:00+02:00 ».
export function rfc3339(d) {
  const p = (n, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}` +
    `${sign}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
}

// statusClass is the CSS class of an HTTP status: statut-2 … statut-5, or
// statut-0 for a connection cut without an answer.
export function statusClass(status) {
  return `statut-${status > 0 ? Math.floor(status / 100) : 0}`;
}

// statusText: 0 is « coupure ».
export function statusText(status) {
  return status > 0 ? String(status) : 'coupure';
}

// isError tells whether an entry counts as an error (as the journal's
// filter does): status ≥ 400 or no answer.
export function isError(status) {
  return status === 0 || status >= 400;
}

// shorten keeps the start and the end of a long identifier.
export function shorten(s, max = 24) {
  if (!s || s.length <= max) return s;
  const half = Math.floor((max - 1) / 2);
  return `${s.slice(0, half)}…${s.slice(-half)}`;
}

// headerLines writes headers ({"Name": ["v1", "v2"]}) one per line, sorted.
export function headerLines(headers) {
  if (!headers || typeof headers !== 'object') return '';
  return Object.keys(headers).sort().flatMap((k) => {
    const v = headers[k];
    return (Array.isArray(v) ? v : [v]).map((one) => `${k}: ${one}`);
  }).join('\n');
}

// contentTypeOf returns the media type of headers, lower case, without
// parameters.
export function contentTypeOf(headers) {
  if (!headers) return '';
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === 'content-type') return String(Array.isArray(v) ? v[0] : v).split(';')[0].trim().toLowerCase();
  }
  return '';
}

function b64urlDecode(s) {
  const b = s.replaceAll('-', '+').replaceAll('_', '/');
  const bin = atob(b + '='.repeat((4 - (b.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

// jws decodes a compact JWS (header.payload.signature) into its header and
// payload objects, or returns null.
export function jws(s) {
  const t = (s || '').trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(t)) return null;
  try {
    const [h, p] = t.split('.');
    return { header: JSON.parse(b64urlDecode(h)), payload: JSON.parse(b64urlDecode(p)) };
  } catch {
    return null;
  }
}

// prettyBody makes a body readable: JSON indented, a form one field a line,
// a JWS with its header and payload decoded. It returns the text and what
// it did.
export function prettyBody(body, headers) {
  if (!body) return { text: '', note: '' };
  const ct = contentTypeOf(headers);
  const t = body.trim();
  if (ct.includes('json') || /^[[{]/.test(t)) {
    try {
      return { text: JSON.stringify(JSON.parse(t), null, 2), note: '' };
    } catch {
      // not JSON after all
    }
  }
  if (ct === 'application/x-www-form-urlencoded') {
    const lines = [];
    for (const [k, v] of new URLSearchParams(t)) lines.push(`${k} = ${v}`);
    return { text: lines.join('\n'), note: 'formulaire décodé' };
  }
  const token = jws(t);
  if (token) {
    return {
      text: `${t}\n\n— en-tête —\n${JSON.stringify(token.header, null, 2)}\n— contenu —\n${JSON.stringify(token.payload, null, 2)}`,
      note: 'JWS décodé (signature non vérifiée)',
    };
  }
  return { text: body, note: '' };
}

// correlationIDs returns the X-Correlation-ID values of an entry's request
// and answer (headers as the journal writes them, any case), without
// repeats: the reference Démoville's error pages give for the support.
export function correlationIDs(e) {
  const out = [];
  for (const headers of [e.requestHeaders, e.responseHeaders]) {
    if (!headers || typeof headers !== 'object') continue;
    for (const [k, v] of Object.entries(headers)) {
      if (k.toLowerCase() !== 'x-correlation-id') continue;
      for (const one of Array.isArray(v) ? v : [v]) {
        if (one && !out.includes(String(one))) out.push(String(one));
      }
    }
  }
  return out;
}

// maxSearch is the longest search GET /journal takes (its q).
export const maxSearch = 200;

// normalSearch is the search as GET /journal reads it: trimmed, lower
// case, at most maxSearch characters.
export function normalSearch(q) {
  return String(q || '').slice(0, maxSearch).trim().toLowerCase();
}

// matchesText tells whether the search q occurs, whatever the case, where
// GET /journal?q= looks: path, query, client, persona, login, error and
// the correlation ids.
export function matchesText(e, q) {
  const text = normalSearch(q);
  if (!text) return true;
  return [e.path, e.query, e.client, e.persona, e.login, e.error, ...correlationIDs(e)]
    .some((s) => s && String(s).toLowerCase().includes(text));
}

// matches tells whether an entry passes the console's journal filters, as
// GET /journal would filter it.
export function matches(e, f) {
  if (f.service && e.service !== f.service) return false;
  if (f.persona && e.persona !== f.persona) return false;
  if (f.violations && e.violations.length === 0) return false;
  if (f.errors && !isError(e.status)) return false;
  if (f.q && !matchesText(e, f.q)) return false;
  return true;
}

// explanations is what the console says of an entry: its contract
// violations and its reasons, each said once (the API records a
// violation's French explanation also as the reason of its error).
export function explanations(e) {
  const violations = [...new Set((e.violations || []).map((v) => String(v).trim()).filter(Boolean))];
  const why = [...new Set((e.why || []).map((w) => String(w).trim()).filter(Boolean))].filter((w) => !violations.includes(w));
  return { why, violations, violated: violations.length > 0 };
}

// scopeText says an activation's scope: « pour tout le bac à sable »,
// « pour le client … », « pour le persona … ».
export function scopeText(scope, target) {
  if (scope === 'client') return `pour le client ${target}`;
  if (scope === 'persona') return `pour le persona ${target}`;
  return 'pour tout le bac à sable';
}

// durationText says how long an activation lasts: « jusqu'au retrait » or
// « encore 3 appels ».
export function durationText(remaining) {
  return remaining ? `encore ${remaining} appel${remaining > 1 ? 's' : ''}` : "jusqu'au retrait";
}

// bannerText is the banner's sentence — the activations in force and a
// clock moved since start — or '' when the sandbox follows its fixtures.
export function bannerText(activations, clock) {
  const parts = (activations || []).map((a) =>
    `scénario « ${a.title || a.scenario} » ${scopeText(a.scope, a.target)}, ${durationText(a.remaining)}`);
  if (clock && clock.moved) {
    parts.push(clock.frozen ? `horloge figée au ${shortDate(new Date(clock.now))}` : 'horloge déplacée (voir l’heure virtuelle)');
  }
  return parts.length ? `Comportement modifié : ${parts.join(' ; ')}.` : '';
}

// fields.js — everything the console knows about the control API's shape
// (openapi/control.yaml, served under /_bacasable/api): its paths, the
// fields it reads from each answer and the bodies it sends. The rest of the
// console only sees the plain objects returned here, so a renamed field is
// fixed in this file alone.

export const API = '/_bacasable/api';

// places is the console's own lookup of Insee codes (commune or country
// names), served by the console's Go side when the sandbox gives it a COG.
export const places = '/_bacasable/lieux';

const enc = encodeURIComponent;

export const paths = {
  personas: '/personas',
  persona: (id) => `/personas/${enc(id)}`,
  foyer: (id) => `/foyers/${enc(id)}`,
  scenarios: '/scenarios',
  activations: '/scenarios/activations',
  activation: (id) => `/scenarios/activations/${enc(id)}`,
  clock: '/clock',
  clockAdvance: '/clock/advance',
  clockReset: '/clock/reset',
  queue: '/franceconnect/queue',
  reset: '/reset',
  journal: '/journal',
  journalStream: '/journal/stream',
  journalJSONL: '/journal.jsonl',
  journalHAR: '/journal.har',
  qualification: (client, gateway) => `/qualification?${qualificationQuery(client, gateway)}`,
  qualificationJUnit: (client, gateway) => `/qualification.xml?${qualificationQuery(client, gateway)}`,
  faults: '/qualification/faults',
  journalEntry: (id) => `/journal?after=${Math.max(0, id - 1)}&limit=1`,
};

function qualificationQuery(client, gateway) {
  const q = new URLSearchParams();
  if (client) q.set('client', client);
  if (gateway) q.set('gateway', gateway);
  return q.toString();
}

// report reads GET /qualification: its counts and results, each with its
// evidence (the journal entries that show a failure).
export function report(raw) {
  return {
    passed: raw.passed || 0,
    failed: raw.failed || 0,
    notExercised: raw.not_exercised || 0,
    results: (raw.results || []).map((r) => ({
      id: r.id,
      service: r.service,
      title: r.title,
      source: r.source || '',
      advice: r.advice || '',
      status: r.status,
      checked: r.checked || 0,
      evidence: (r.evidence || []).map((e) => ({ entry: e.entry, login: e.login || '', message: e.message })),
    })),
  };
}

// faultsBody is POST /qualification/faults's body: every fault, in order.
export function faultsBody(clientID) {
  return { client_id: clientID };
}

// queuedFaults reads GET /qualification/faults: client_id → fault ids.
export function queuedFaults(body) {
  const out = new Map();
  for (const q of items(body)) out.set(q.client_id, q.faults || []);
  return out;
}

// The FranceConnect client and callback the CI curl command uses: the
// service provider credentials FranceConnect publicly gave for localhost
// development, which the sandbox registers (README « Five minutes with curl »).
export const demoClient = {
  id: '211286433e39cce01db448d80181bdfd005554b19cd51b3fe7943f6b3b86ab6e',
  redirectURI: 'http://localhost:3000/callback',
  scope: 'openid profile birth email dgfip_rfr dgfip_nbpart',
};

// The header that logs a persona in at the authorize endpoint.
export const personaHeader = 'X-Bacasable-Persona';

// The Insee code of France.
export const countryFrance = '99100';

// get returns the first of the dotted paths that is set (not undefined,
// null or "") in obj.
export function get(obj, ...names) {
  if (obj == null || typeof obj !== 'object') return undefined;
  for (const name of names) {
    let v = obj;
    for (const part of name.split('.')) {
      if (v == null || typeof v !== 'object') { v = undefined; break; }
      v = v[part];
    }
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

function str(v) {
  return v === undefined || v === null ? '' : String(v);
}

// items returns the array of a list answer ({"items": […]}, as every list
// of the control API; the journal's is {"entries": […]}).
export function items(body, key = 'items') {
  if (Array.isArray(body)) return body;
  const v = body && body[key];
  return Array.isArray(v) ? v : [];
}

// total returns how many items match all pages together, or null.
export function total(body) {
  const v = body && body.total;
  return typeof v === 'number' ? v : null;
}

// persona reads a Persona. birthplace_name and birthcountry_name are not
// in the contract; they are read when a later version gives them, and
// otherwise looked up through `places`.
export function persona(raw) {
  raw = raw || {};
  return {
    id: str(raw.id),
    login: str(raw.login),
    password: str(raw.password) || '123', // "123" when not given
    spi: str(raw.spi),
    givenName: str(raw.given_name),
    familyName: str(raw.family_name),
    preferredUsername: str(raw.preferred_username),
    birthdate: str(raw.birthdate),
    gender: str(raw.gender),
    birthplace: { code: str(raw.birthplace), name: str(raw.birthplace_name) },
    birthcountry: { code: str(raw.birthcountry), name: str(raw.birthcountry_name) },
    email: str(raw.email),
    situation: str(raw.situation),
    scenario: str(raw.scenario),
    // declarant, dependant or none (unknown to the DGFiP)
    foyerRole: str(raw.foyer_role),
    foyers: Array.isArray(raw.foyers) ? raw.foyers.map(str) : [],
  };
}

// foyerRoleLabel says a persona's foyer_role in French.
export function foyerRoleLabel(role) {
  return { declarant: 'déclarant', dependant: 'personne à charge', none: 'inconnu de la DGFiP' }[role] || role;
}

// foyer reads a Foyer: declarants (persona ids), dependants, residence,
// and its years N-1, N-2, N-3, latest first.
export function foyer(raw) {
  raw = raw || {};
  return {
    id: str(raw.id),
    declarant1: str(raw.declarant1),
    declarant2: str(raw.declarant2),
    dependants: (Array.isArray(raw.dependants) ? raw.dependants : []).map((d) => ({
      persona: str(d.persona),
      name: [str(d.prenoms), str(d.nom)].filter(Boolean).join(' '),
      birthdate: str(d.date_naissance),
      category: str(d.categorie),
    })),
    residence: address(raw.residence),
    years: (Array.isArray(raw.years) ? raw.years : []).map((y) => ({
      relative: str(y.relative),
      year: str(y.revenue_year),
      available: !!y.available,
      avis: (Array.isArray(y.avis) ? y.avis : []).map(avis),
    })),
  };
}

// address writes an Adresse on one line.
export function address(a) {
  if (!a || typeof a !== 'object') return '';
  const town = [str(a.code_postal), str(a.commune)].filter(Boolean).join(' ');
  return [str(a.complement), str(a.voie), town].filter(Boolean).join(', ');
}

// avis reads an AvisSummary (the DGFiP's field names).
function avis(raw) {
  return {
    year: str(raw.annRev),
    type: Number(raw.typeAvis || 0),
    from: str(raw.dateDebutPeriode),
    to: str(raw.dateFinPeriode),
    sitFam: str(raw.sitFam),
    nbPart: raw.nbPart,
    rfr: raw.rfr,
    revImposable: raw.revImposable,
    impot: raw.montTotIr,
    aft: str(raw.aft),
  };
}

// scenario reads a Scenario (the keys of its file: nom, titre, description,
// appels, effets).
export function scenario(raw) {
  raw = raw || {};
  return {
    name: str(raw.nom),
    title: str(raw.titre) || str(raw.nom),
    description: str(raw.description),
    calls: Number(raw.appels || 0), // 0: until cleared
    effects: (Array.isArray(raw.effets) ? raw.effets : []).map(effect),
  };
}

// effect describes one Effet in a few French words.
function effect(raw) {
  const what = [];
  if (raw.latence) what.push(`latence ${raw.latence}`);
  if (raw.reponse) {
    const r = raw.reponse;
    what.push(`réponse ${str(r.statut)}${r.code ? ` (code ${r.code})` : ''}${r.retry_after ? `, Retry-After ${r.retry_after}` : ''}`);
  }
  if (raw.coupure) what.push('coupure de la connexion');
  if (raw.delai_depasse) what.push(`délai dépassé (${raw.delai_depasse})`);
  if (raw.refus) what.push(`refus « ${raw.refus} »`);
  if (Array.isArray(raw.claims_retires) && raw.claims_retires.length) what.push(`claims retirés : ${raw.claims_retires.join(', ')}`);
  return { service: str(raw.service), step: str(raw.etape), what: what.join(', ') };
}

// activation reads an Activation.
export function activation(raw) {
  raw = raw || {};
  return {
    id: str(raw.id),
    scenario: str(raw.scenario),
    scope: str(raw.scope),
    target: str(raw.target),
    remaining: typeof raw.calls_left === 'number' ? raw.calls_left : null, // null: until cleared
    since: str(raw.since),
  };
}

// activationBody is an ActivationRequest; calls null or 0 takes the
// scenario's own appels.
export function activationBody({ scenario, scope, target, calls }) {
  const body = { scenario, scope };
  if (scope !== 'global') body.target = target;
  if (calls) body.calls = calls;
  return body;
}

// clock reads a Clock.
export function clock(raw) {
  raw = raw || {};
  return {
    now: str(raw.now),
    frozen: !!raw.frozen,
    realTime: !!raw.real_time,
    moved: !!raw.moved, // set, moved, frozen or let run since start
    latestYear: raw.latest_available_revenue_year ?? null,
    taxationDate: str(raw.taxation_date),
  };
}

// clockSetBody is a ClockSetting: now (RFC 3339) and/or frozen.
export function clockSetBody({ now, frozen }) {
  const body = {};
  if (now) body.now = now;
  if (frozen !== undefined) body.frozen = frozen;
  return body;
}

// clockAdvanceBody is a ClockAdvance: a Go duration.
export function clockAdvanceBody(goDuration) {
  return { by: goDuration };
}

// queueBody is a QueueRequest.
export function queueBody(clientID, login) {
  return { client_id: clientID, persona: login };
}

// entries reads the journal's list answer, {"entries": [Entry…]}.
export function entries(body) {
  return items(body, 'entries').map(entry);
}

// entry reads one journal entry (journal.Entry's JSON).
export function entry(raw) {
  raw = raw || {};
  return {
    id: Number(raw.id || 0),
    time: str(raw.time),
    service: str(raw.service),
    method: str(raw.method),
    path: str(raw.path),
    query: str(raw.query),
    status: Number(raw.status || 0),
    latencyNs: Number(raw.latency_ns || 0),
    client: str(raw.client),
    persona: str(raw.persona),
    login: str(raw.login),
    violations: Array.isArray(raw.violations) ? raw.violations.map(str) : [],
    why: Array.isArray(raw.why) ? raw.why.map(str) : [],
    error: str(raw.error),
    requestHeaders: raw.request_headers || {},
    requestBody: str(raw.request_body),
    responseHeaders: raw.response_headers || {},
    responseBody: str(raw.response_body),
  };
}

// journalQuery is the query string of GET /journal for the console's
// filters.
export function journalQuery(filters, after, limit) {
  const q = new URLSearchParams();
  if (filters.q) q.set('q', filters.q);
  if (filters.service) q.set('service', filters.service);
  if (filters.persona) q.set('persona', filters.persona);
  if (filters.violations) q.set('violations', 'true');
  if (filters.errors) q.set('errors', 'true');
  if (after) q.set('after', String(after));
  if (limit) q.set('limit', String(limit));
  return q.toString();
}

// journalExport is the address of an export (paths.journalJSONL or
// paths.journalHAR) holding what the filters show: the same query as the
// list, without its window.
export function journalExport(path, filters) {
  const q = journalQuery(filters, 0, 0);
  return API + path + (q ? `?${q}` : '');
}

// personasQuery is the query string of GET /personas.
export function personasQuery({ q, declarant, scenario, limit, offset }) {
  const p = new URLSearchParams();
  if (q) p.set('q', q);
  if (declarant) p.set('declarant', declarant);
  if (scenario) p.set('scenario', scenario);
  if (limit) p.set('limit', String(limit));
  if (offset) p.set('offset', String(offset));
  return p.toString();
}

// errorMessage reads an error answer, {"error": {"code", "message",
// "details": [{file, line, field, message}]}}, as one French-readable line.
export function errorMessage(body) {
  if (typeof body === 'string') return body.trim();
  const e = body && body.error;
  if (!e) return '';
  if (typeof e === 'string') return e;
  let msg = str(e.message);
  const details = Array.isArray(e.details) ? e.details : [];
  const parts = details.map((d) => {
    const where = d.field || (d.file ? `${d.file}${d.line ? ':' + d.line : ''}` : '');
    // A single detail often repeats the message: then only its place is new.
    if (str(d.message) === msg) return where ? `(${where})` : '';
    return where ? `${where} : ${str(d.message)}` : str(d.message);
  }).filter(Boolean);
  if (parts.length) msg += parts.length === 1 && parts[0].startsWith('(') ? ` ${parts[0]}` : ` — ${parts.join(' ; ')}`;
  return msg;
}

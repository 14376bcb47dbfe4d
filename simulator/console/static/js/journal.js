// journal.js — the Journal section: every request to the emulated
// services, one timeline per login (the entries sharing `login`), live.
//
// New entries come from the event stream (EventSource on
// /_bacasable/api/journal/stream); when it cannot be used — no stream
// endpoint, a control token (EventSource cannot send it), a proxy that
// buffers — the console polls GET /journal?after=<last id> every 2 s. The
// page keeps the last 500 entries; a screen reader hears a summary of what
// arrived (« 3 nouvelles requêtes, dont 1 avec violation du contrat »), not
// every line.

import { API, paths, entries as readEntries, entry as readEntry, journalQuery } from './fields.js';
import { call, token, download } from './api.js';
import { $, h, srOnly, announce, alertError, debounce } from './dom.js';
import {
  clockTime, shortDate, latency, statusClass, statusText, shorten, headerLines, prettyBody, matches,
} from './format.js';

// maxEntries is how many entries the page keeps.
export const maxEntries = 500;
const pollEvery = 2000;
const streamOpenTimeout = 5000;

const serviceNames = { franceconnect: 'FranceConnect', passerelle: 'Passerelle DGFiP', impotparticulier: 'API Impôt particulier' };

let ctx;
let filters = { service: '', persona: '', violations: false, errors: false };
let generation = 0; // bumped at each reload: late answers of an older one are dropped
let lastId = 0;
let loaded = false;
let reloading = false;
let failing = false; // the last load failed (its error was shown once)
let arrivedDuringReload = []; // stream entries received while a reload is under way
let paused = false;
let held = []; // entries received while paused
let source = null;
let pollTimer = 0;
let mode = 'off';

const shown = new Map(); // id → {entry, li}, oldest first (insertion order)
const timelines = new Map(); // login → timeline
let timelineSeq = 0;
const personasSeen = new Set();

let pendingNew = 0;
let pendingViolations = 0;
let announceTimer = 0;
let unseen = 0;

export function init(c) {
  ctx = c;
  const form = $('journal-filtres');
  form.addEventListener('submit', (ev) => ev.preventDefault());
  const reloadNow = () => { readFilters(); reload(); };
  $('journal-service').addEventListener('change', reloadNow);
  $('journal-violations').addEventListener('change', reloadNow);
  $('journal-erreurs').addEventListener('change', reloadNow);
  $('journal-persona').addEventListener('input', debounce(reloadNow, 400));
  $('journal-pause').addEventListener('click', togglePause);
  $('journal-vider').addEventListener('click', () => {
    clearDisplay();
    announce("Affichage vidé : seules les nouvelles requêtes s'afficheront.");
  });
  for (const [id, name] of [['journal-jsonl', 'bacasable-journal.jsonl'], ['journal-har', 'bacasable-journal.har']]) {
    $(id).addEventListener('click', (ev) => {
      if (!token()) return; // the plain link does it
      ev.preventDefault();
      download(ev.currentTarget.getAttribute('href').slice(API.length), name).catch(alertError);
    });
  }
  readFilters();
}

function readFilters() {
  filters = {
    service: $('journal-service').value,
    persona: $('journal-persona').value.trim(),
    violations: $('journal-violations').checked,
    errors: $('journal-erreurs').checked,
  };
  // The exports know one of the filters: only the violations.
  const only = filters.violations ? '?violations=true' : '';
  $('journal-jsonl').href = API + paths.journalJSONL + only;
  $('journal-har').href = API + paths.journalHAR + only;
}

// start loads the journal and follows it.
export async function start() {
  await reload();
  connect();
}

// reload replaces what is shown by the last entries matching the filters.
async function reload() {
  const gen = ++generation;
  const box = $('journal');
  box.setAttribute('aria-busy', 'true');
  reloading = true;
  let list;
  try {
    list = readEntries(await call('GET', `${paths.journal}?${journalQuery(filters, 0, maxEntries)}`));
  } catch (err) {
    if (gen === generation) {
      reloading = false;
      arrivedDuringReload = [];
      box.removeAttribute('aria-busy');
      failed(err);
      if (!failing && err.status !== 401) alertError(err); // once, not at every retry
      failing = true;
    }
    return;
  }
  if (gen !== generation) return;
  failing = false;
  clearDisplay();
  held = [];
  for (const e of list) show(e, false);
  loaded = true;
  reloading = false;
  const arrived = arrivedDuringReload;
  arrivedDuringReload = [];
  for (const e of arrived) receive(e);
  box.removeAttribute('aria-busy');
}

function clearDisplay() {
  shown.clear();
  timelines.clear();
  $('journal').replaceChildren();
  $('journal-vide').hidden = false;
}

// connect follows new entries: the stream, else polling.
function connect() {
  if (typeof EventSource !== 'function') {
    poll();
    return;
  }
  let opened = false;
  const es = new EventSource(API + paths.journalStream);
  source = es;
  const fallback = setTimeout(() => {
    if (!opened) { es.close(); poll(); }
  }, streamOpenTimeout);
  es.addEventListener('open', () => {
    if (!opened) {
      opened = true;
      clearTimeout(fallback);
    }
    mode = 'stream';
    updateState();
    catchUp(); // what happened while (re)connecting
  });
  let streamLast = 0; // the stream sends every entry: a hole in the ids is entries it dropped
  es.addEventListener('message', (ev) => {
    let data;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return;
    }
    for (const raw of Array.isArray(data) ? data : [data]) {
      const e = readEntry(raw);
      if (streamLast && e.id > streamLast + 1) catchUp(streamLast); // a slow reader misses entries
      if (e.id > streamLast) streamLast = e.id;
      receive(e);
    }
  });
  es.addEventListener('error', () => {
    if (es.readyState === EventSource.CLOSED) {
      // refused (401, 404…) or not an event stream: poll instead
      clearTimeout(fallback);
      if (source === es) source = null;
      poll();
    } else {
      setState('Reconnexion au flux…', '');
    }
  });
}

function poll() {
  if (source) { source.close(); source = null; }
  mode = 'poll';
  if (loaded) updateState();
  clearTimeout(pollTimer);
  const loop = async () => {
    await catchUp();
    pollTimer = setTimeout(loop, pollEvery);
  };
  pollTimer = setTimeout(loop, pollEvery);
}

// catchUp fetches the entries after the last one seen (or after `after`).
async function catchUp(after = lastId) {
  if (!loaded) {
    await reload(); // the first load failed: try it again
    return;
  }
  const gen = generation;
  try {
    const list = readEntries(await call('GET', `${paths.journal}?${journalQuery(filters, after, maxEntries)}`));
    if (gen !== generation) return;
    for (const e of list) receive(e);
    updateState();
  } catch (err) {
    if (gen === generation) failed(err);
  }
}

// failed says why the journal cannot be followed.
function failed(err) {
  if (err.status === 401) setState('Jeton de contrôle requis', 'alerte');
  else if (err.status === 403) setState('Accès refusé par le bac à sable', 'alerte');
  else if (err.status === 0) setState('Bac à sable injoignable — nouvelle tentative…', 'alerte');
  else setState(`Journal indisponible (erreur ${err.status})`, 'alerte');
}

// receive takes one new entry, from the stream or polling.
function receive(e) {
  if (reloading) {
    arrivedDuringReload.push(e);
    return;
  }
  if (e.id > lastId) ctx.onEntry(e);
  if (!e.id || shown.has(e.id) || !matches(e, filters)) {
    if (e.id > lastId) lastId = e.id;
    return;
  }
  if (paused) {
    if (!held.some((x) => x.id === e.id)) held.push(e);
    if (held.length > maxEntries) held.shift();
    if (e.id > lastId) lastId = e.id;
    updateState();
    return;
  }
  show(e, true);
}

// show adds an entry to its timeline.
function show(e, fresh) {
  if (shown.has(e.id)) return;
  if (e.id > lastId) lastId = e.id;
  const t = timelineFor(e);
  const li = entryElement(e, fresh);
  // In id order: an entry fetched to fill a hole of the stream comes late.
  let before = null;
  for (let x = t.ol.lastElementChild; x && Number(x.dataset.entryId) > e.id; x = x.previousElementSibling) before = x;
  t.ol.insertBefore(li, before);
  shown.set(e.id, { entry: e, li });
  t.count++;
  if (e.violations.length) t.violations++;
  if (!t.persona && e.persona) t.persona = e.persona;
  if (!t.client && e.client) t.client = e.client;
  t.last = e.time;
  if (!t.first) t.first = e.time;
  headTimeline(t);
  toTop(t);
  trim();
  $('journal-vide').hidden = true;
  if (e.persona && !personasSeen.has(e.persona)) {
    personasSeen.add(e.persona);
    $('journal-personas-vus').append(h('option', { value: e.persona }));
  }
  if (fresh) {
    pendingNew++;
    if (e.violations.length) pendingViolations++;
    if (!ctx.isVisible('vue-journal')) {
      unseen++;
      $('journal-compteur').textContent = `${unseen}${' '}nouvelle${unseen > 1 ? 's' : ''}`;
    }
    scheduleAnnounce();
  }
}

// seen resets the « nouvelles » counter of the tab (the section is shown).
export function seen() {
  unseen = 0;
  $('journal-compteur').textContent = '';
}

// trim keeps the last maxEntries entries, and drops emptied timelines.
function trim() {
  while (shown.size > maxEntries) {
    const [id, { entry, li }] = shown.entries().next().value;
    shown.delete(id);
    li.remove();
    const t = timelines.get(entry.login);
    if (t) {
      t.count--;
      if (entry.violations.length) t.violations--;
      if (t.count <= 0) {
        t.section.remove();
        timelines.delete(entry.login);
      } else {
        headTimeline(t);
      }
    }
  }
}

function timelineFor(e) {
  let t = timelines.get(e.login);
  if (t) return t;
  const id = `parcours-${++timelineSeq}`;
  t = { login: e.login, persona: '', client: '', count: 0, violations: 0, first: '', last: '' };
  t.title = h('h3', { id: `${id}-titre` });
  t.meta = h('p', { class: 'muted parcours-meta' });
  t.ol = h('ol', { 'aria-labelledby': `${id}-titre` });
  t.section = h('section', { class: 'parcours', 'data-login': e.login, 'aria-labelledby': `${id}-titre` }, t.title, t.meta, t.ol);
  timelines.set(e.login, t);
  $('journal').prepend(t.section);
  return t;
}

function headTimeline(t) {
  const who = t.persona ? ['Parcours de ', h('strong', null, t.persona)] : ['Parcours', t.login ? ' sans persona connu' : ''];
  const title = t.login ? who : ['Requêtes hors parcours de connexion'];
  t.title.replaceChildren(h('span', null, ...title),
    t.client && t.login ? h('span', { class: 'muted', title: t.client }, `client ${shorten(t.client)}`) : '');
  const bits = [];
  if (t.login) bits.push(t.login.startsWith('spi:') ? `SPI ${t.login.slice(4)}` : `connexion ${shorten(t.login, 20)}`);
  bits.push(`${t.count} requête${t.count > 1 ? 's' : ''}`);
  if (t.violations) bits.push(`${t.violations} avec violation du contrat`);
  if (t.first) bits.push(t.first === t.last ? shortDate(new Date(t.first)) : `${shortDate(new Date(t.first))} → ${clockTime(new Date(t.last))}`);
  t.meta.textContent = bits.join(' · ');
  t.section.classList.toggle('avec-violation', t.violations > 0);
}

// toTop puts the timeline with the latest entry first, unless the person
// is inside another one (moving it would take the focus away).
function toTop(t) {
  const box = $('journal');
  if (box.firstElementChild === t.section) return;
  if (box.contains(document.activeElement) && document.activeElement !== box) return;
  box.prepend(t.section);
}

function entryElement(e, fresh) {
  const cls = ['entree'];
  if (e.violations.length) cls.push('violation');
  if (fresh) cls.push('nouvelle');
  const query = e.query ? (e.query.length > 80 ? `?${e.query.slice(0, 80)}…` : `?${e.query}`) : '';
  const li = h('li', { class: cls.join(' '), 'data-entry-id': e.id, 'data-service': e.service, 'data-status': e.status },
    h('div', { class: 'ligne' },
      h('time', { datetime: e.time }, clockTime(new Date(e.time))),
      h('span', { class: 'badge' }, serviceNames[e.service] || e.service),
      h('span', { class: 'methode' }, e.method),
      h('span', { class: 'chemin' }, e.path, query ? h('span', { class: 'muted' }, query) : ''),
      h('span', { class: statusClass(e.status) }, srOnly('statut '), statusText(e.status), e.error ? ` (${e.error})` : ''),
      h('span', { class: 'muted' }, srOnly('durée '), latency(e.latencyNs)),
      e.client ? h('span', { class: 'muted', title: e.client }, `client ${shorten(e.client)}`) : '',
      e.persona ? h('span', null, `persona ${e.persona}`) : '',
      e.violations.length ? h('span', { class: 'badge alerte' }, `${e.violations.length} violation${e.violations.length > 1 ? 's' : ''} du contrat`) : ''),
    e.violations.length ? h('ul', { class: 'violations', 'aria-label': 'Violations du contrat' }, e.violations.map((v) => h('li', null, v))) : '',
    e.why.length ? h('ul', { class: 'pourquoi', 'aria-label': 'Pourquoi cette réponse' }, e.why.map((v) => h('li', null, v))) : '',
  );
  const details = h('details', null, h('summary', null, 'En-têtes et corps', srOnly(` de ${e.method} ${e.path}`)));
  details.addEventListener('toggle', () => {
    if (details.open && details.childElementCount === 1) details.append(...exchange(e));
  });
  li.append(details);
  return li;
}

// exchange shows the request and the response, built when first opened.
function exchange(e) {
  const out = [];
  if (e.query) {
    const lines = [];
    for (const [k, v] of new URLSearchParams(e.query)) lines.push(`${k} = ${v}`);
    out.push(h('h4', null, 'Paramètres de la requête'), h('pre', null, lines.join('\n')));
  }
  out.push(h('h4', null, 'En-têtes de la requête'), h('pre', null, headerLines(e.requestHeaders) || '(aucun)'));
  if (e.requestBody) {
    const b = prettyBody(e.requestBody, e.requestHeaders);
    out.push(h('h4', null, 'Corps de la requête', b.note ? ` (${b.note})` : ''), h('pre', null, b.text));
  }
  out.push(h('h4', null, 'En-têtes de la réponse'), h('pre', null, headerLines(e.responseHeaders) || '(aucun)'));
  if (e.responseBody) {
    const b = prettyBody(e.responseBody, e.responseHeaders);
    out.push(h('h4', null, 'Corps de la réponse', b.note ? ` (${b.note})` : ''), h('pre', null, b.text));
  }
  out.push(h('p', { class: 'muted' }, `Entrée n° ${e.id} du journal, à ${shortDate(new Date(e.time))} (heure du bac à sable).`));
  return out;
}

function scheduleAnnounce() {
  if (announceTimer) return;
  announceTimer = setTimeout(() => {
    announceTimer = 0;
    if (!pendingNew) return;
    let msg = `${pendingNew} nouvelle${pendingNew > 1 ? 's' : ''} requête${pendingNew > 1 ? 's' : ''}`;
    if (pendingViolations) msg += `, dont ${pendingViolations} avec violation du contrat`;
    pendingNew = 0;
    pendingViolations = 0;
    const el = $('journal-annonce');
    el.textContent = `${msg}.`;
  }, 2000);
}

function togglePause() {
  paused = !paused;
  const b = $('journal-pause');
  b.setAttribute('aria-pressed', String(paused));
  b.textContent = paused ? 'Reprendre' : 'Mettre en pause';
  if (!paused) {
    const list = held;
    held = [];
    for (const e of list) show(e, true);
  }
  updateState();
}

function updateState() {
  if (paused) {
    setState(`En pause${held.length ? ` — ${held.length} requête${held.length > 1 ? 's' : ''} en attente` : ''}`, '');
  } else if (mode === 'stream') {
    setState('En direct', 'en-direct');
  } else if (mode === 'poll') {
    setState('En direct (interrogation toutes les 2 s)', 'en-direct');
  }
}

function setState(text, cls) {
  const el = $('journal-etat');
  el.textContent = text;
  el.className = `badge ${cls}`.trim();
}

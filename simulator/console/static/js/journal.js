// journal.js — the Journal section: every request to the emulated
// services, one line each, newest first, with a detail pane beside the
// table (below it on a narrow screen).
//
// A free-text search (GET /journal?q=) finds entries by correlation id —
// the reference Démoville's error pages give for the support —, persona,
// client, login or path; the exports are built from the same filters, so
// a download holds what the table shows.
//
// New entries come from the event stream (EventSource on
// /_bacasable/api/journal/stream); when it cannot be used — no stream
// endpoint, a control token (EventSource cannot send it), a proxy that
// buffers — the console polls GET /journal?after=<last id> every 2 s. When
// the stream drops (the sandbox restarted or stopped), the badge says so,
// the console tries again with a growing delay, and says plainly when it
// gives up. The page keeps the last 500 matching entries and shows 50 at
// first (« Afficher plus » for more); a screen reader hears a summary of
// what arrived (« 3 nouvelles requêtes, dont 1 avec violation du
// contrat »), not every line.

import { API, paths, entries as readEntries, entry as readEntry, journalQuery, journalExport } from './fields.js';
import { call, token, download } from './api.js';
import { $, h, dl, srOnly, announce, alertError, debounce } from './dom.js';
import {
  clockTime, shortDate, latency, statusClass, statusText, shorten, headerLines, prettyBody, matches,
  correlationIDs, explanations,
} from './format.js';
import { reconnectDelay, maxReconnects } from './stream.js';

// maxEntries is how many entries the page keeps.
export const maxEntries = 500;
// pageRows is how many lines the table shows at first, and adds at each
// « Afficher plus ».
export const pageRows = 50;
const pollEvery = 2000;
const streamOpenTimeout = 5000;

const serviceNames = { franceconnect: 'FranceConnect', passerelle: 'Passerelle DGFiP', impotparticulier: 'API Impôt particulier' };

let ctx;
let filters = { q: '', service: '', persona: '', violations: false, errors: false };
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
let reconnectTimer = 0;
let reconnects = 0; // failed attempts since the stream was last open
let mode = 'off';

const shown = new Map(); // id → {entry, tr}, in id order (oldest first)
let rows = pageRows; // how many lines the table shows
let selected = 0; // the id of the entry in the detail pane
const personasSeen = new Set();

let pendingNew = 0;
let pendingViolations = 0;
let announceTimer = 0;
let unseen = 0;

export function init(c) {
  ctx = c;
  const form = $('journal-filtres');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    readFilters();
    reload();
  });
  const reloadNow = () => { readFilters(); reload(); };
  $('journal-service').addEventListener('change', reloadNow);
  $('journal-violations').addEventListener('change', reloadNow);
  $('journal-erreurs').addEventListener('change', reloadNow);
  $('journal-persona').addEventListener('input', debounce(reloadNow, 400));
  $('journal-recherche').addEventListener('input', debounce(reloadNow, 300));
  $('journal-pause').addEventListener('click', togglePause);
  $('journal-vider').addEventListener('click', () => {
    clearDisplay();
    announce("Affichage vidé : seules les nouvelles requêtes s'afficheront.");
  });
  $('journal-plus').addEventListener('click', () => {
    rows += pageRows;
    render();
    announce(`${Math.min(rows, shown.size)} requêtes affichées.`);
  });
  $('journal-detail-fermer').addEventListener('click', closeDetail);
  $('journal-reessayer').addEventListener('click', () => {
    reconnects = 0;
    $('journal-reessayer').hidden = true;
    connect();
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
    q: $('journal-recherche').value.trim(),
    service: $('journal-service').value,
    persona: $('journal-persona').value.trim(),
    violations: $('journal-violations').checked,
    errors: $('journal-erreurs').checked,
  };
  // The exports hold what the table shows: the same filters.
  $('journal-jsonl').href = journalExport(paths.journalJSONL, filters);
  $('journal-har').href = journalExport(paths.journalHAR, filters);
}

// search shows the entries where text occurs (a correlation id, a login…).
export function search(text) {
  $('journal-recherche').value = text;
  readFilters();
  return reload();
}

// start loads the journal and follows it.
export async function start() {
  await reload();
  connect();
}

// reload replaces what is shown by the last entries matching the filters.
async function reload() {
  const gen = ++generation;
  const box = $('journal-table');
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
  lastId = 0; // what the list holds sets it again
  for (const e of list) add(e, false);
  loaded = true;
  reloading = false;
  const arrived = arrivedDuringReload;
  arrivedDuringReload = [];
  for (const e of arrived) receive(e);
  render();
  box.removeAttribute('aria-busy');
  summarize();
}

function clearDisplay() {
  shown.clear();
  rows = pageRows;
  $('journal-lignes').replaceChildren();
  render();
}

// connect follows new entries: the stream, else polling.
function connect() {
  clearTimeout(reconnectTimer);
  if (typeof EventSource !== 'function') {
    poll();
    return;
  }
  if (source) source.close();
  let opened = false;
  const es = new EventSource(API + paths.journalStream);
  source = es;
  const fallback = setTimeout(() => {
    if (!opened && source === es && reconnects === 0) { es.close(); source = null; poll(); }
  }, streamOpenTimeout);
  es.addEventListener('open', () => {
    opened = true;
    clearTimeout(fallback);
    const back = reconnects > 0;
    reconnects = 0;
    $('journal-reessayer').hidden = true;
    mode = 'stream';
    updateState();
    if (back) {
      // The sandbox may have restarted: its journal starts again at id 1,
      // so the whole list is read again, not what follows the last id.
      notice('Flux du journal rétabli : le journal est rechargé.');
      reload();
    } else {
      notice('');
      catchUp(); // what happened while connecting
    }
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
    clearTimeout(fallback);
    if (source !== es) return;
    if (!opened && reconnects === 0) {
      // Never opened: refused (401, 404…) or not an event stream: poll instead.
      es.close();
      source = null;
      poll();
      return;
    }
    // It was open and dropped (the sandbox restarted or stopped): the
    // browser's own retries are replaced by ours, with a growing delay.
    es.close();
    source = null;
    dropped();
  });
}

// dropped schedules the next attempt to reopen the stream, or gives up.
function dropped() {
  mode = 'off';
  if (reconnects >= maxReconnects) {
    setState('Hors ligne', 'alerte');
    notice("Le bac à sable ne répond plus : le journal n'est plus à jour. Relancez-le, puis cliquez sur « Réessayer » ou rechargez la page.");
    $('journal-reessayer').hidden = false;
    return;
  }
  const delay = reconnectDelay(reconnects);
  reconnects++;
  setState('Reconnexion…', 'alerte');
  notice(`Flux du journal interrompu (le bac à sable a peut-être redémarré) : nouvelle tentative dans ${Math.round(delay / 1000)} s (essai ${reconnects} sur ${maxReconnects}).`);
  reconnectTimer = setTimeout(connect, delay);
}

// notice says how the live stream is doing, under the badge.
function notice(text) {
  const el = $('journal-connexion');
  el.textContent = text;
  el.hidden = !text;
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
  add(e, true);
  render();
}

// add keeps an entry (the table is drawn by render).
function add(e, fresh) {
  if (shown.has(e.id)) return;
  // lastId is at least the largest id shown: an entry below it comes late.
  const late = e.id < lastId;
  if (e.id > lastId) lastId = e.id;
  const tr = row(e, fresh);
  shown.set(e.id, { entry: e, tr });
  if (late) {
    // An entry fetched to fill a hole of the stream comes late: keep id order.
    const sorted = [...shown.entries()].sort((a, b) => a[0] - b[0]);
    shown.clear();
    for (const [id, v] of sorted) shown.set(id, v);
  }
  while (shown.size > maxEntries) {
    const [id, { tr: old }] = shown.entries().next().value;
    shown.delete(id);
    old.remove();
  }
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

// render shows the newest `rows` entries, newest first. Rows already in
// place stay where they are (a focused button keeps its focus).
function render() {
  const body = $('journal-lignes');
  const want = [...shown.values()].reverse().slice(0, rows).map((x) => x.tr);
  const keep = new Set(want);
  for (const tr of [...body.children]) if (!keep.has(tr)) tr.remove();
  let at = body.firstElementChild;
  for (const tr of want) {
    if (tr === at) {
      at = at.nextElementSibling;
    } else {
      body.insertBefore(tr, at);
    }
  }
  $('journal-vide').hidden = shown.size > 0;
  $('journal-table-zone').hidden = shown.size === 0;
  const more = shown.size - Math.min(rows, shown.size);
  $('journal-plus').hidden = more <= 0;
  $('journal-plus').textContent = `Afficher ${Math.min(more, pageRows)} requête${Math.min(more, pageRows) > 1 ? 's' : ''} de plus`;
  $('journal-compte').textContent = shown.size
    ? `${Math.min(rows, shown.size)} requête${shown.size > 1 ? 's' : ''} affichée${shown.size > 1 ? 's' : ''} sur ${shown.size}${shown.size >= maxEntries ? ` (les ${maxEntries} dernières : précisez la recherche, ou téléchargez l'export)` : ''}.`
    : '';
}

// summarize says, after a search, how many entries it found.
function summarize() {
  const active = filters.q || filters.service || filters.persona || filters.violations || filters.errors;
  if (!active) return;
  $('journal-annonce').textContent = shown.size === 0
    ? 'Aucune requête ne correspond à ces filtres.'
    : `${shown.size} requête${shown.size > 1 ? 's' : ''} trouvée${shown.size > 1 ? 's' : ''}.`;
}

// seen resets the « nouvelles » counter of the tab (the section is shown).
export function seen() {
  unseen = 0;
  $('journal-compteur').textContent = '';
}

// row is one entry's line: time, method, path (the button that opens the
// detail), status, persona or client, correlation id.
function row(e, fresh) {
  const ex = explanations(e);
  const corr = correlationIDs(e)[0] || '';
  const who = e.persona || (e.client ? `client ${shorten(e.client, 16)}` : '');
  const query = e.query ? (e.query.length > 60 ? `?${e.query.slice(0, 60)}…` : `?${e.query}`) : '';
  const cls = [];
  if (ex.violated) cls.push('violation');
  if (fresh) cls.push('nouvelle');
  return h('tr', {
    class: cls.join(' ') || false, 'data-entry-id': e.id, 'data-service': e.service, 'data-status': e.status,
    'data-login': e.login, 'aria-current': e.id === selected ? 'true' : false,
  },
  h('td', { class: 'heure' }, h('time', { datetime: e.time }, clockTime(new Date(e.time)))),
  h('td', { class: 'methode' }, e.method),
  h('td', { class: 'chemin' },
    h('button', { type: 'button', class: 'lien-bouton', 'data-action': 'detail', 'aria-controls': 'journal-detail', onclick: () => openDetail(e.id) },
      srOnly(`${serviceNames[e.service] || e.service} : `), e.path, query ? h('span', { class: 'muted' }, query) : '')),
  h('td', null, h('span', { class: statusClass(e.status) }, statusText(e.status)),
    ex.violated ? h('span', { class: 'badge alerte', title: 'violation du contrat' }, '⚠', srOnly(' violation du contrat')) : ''),
  h('td', { class: 'qui' }, who ? h('span', { title: e.persona ? '' : e.client }, who) : ''),
  h('td', { class: 'correlation' }, corr ? h('code', { title: corr }, corr.length > 8 ? `${corr.slice(0, 8)}…` : corr) : ''),
  );
}

// openDetail shows an entry in the pane beside the table; on a narrow
// screen the pane follows the table, so it is scrolled into view.
function openDetail(id) {
  const item = shown.get(id);
  if (!item) return;
  selected = id;
  for (const tr of $('journal-lignes').children) {
    if (Number(tr.dataset.entryId) === id) tr.setAttribute('aria-current', 'true');
    else tr.removeAttribute('aria-current');
  }
  const e = item.entry;
  const pane = $('journal-detail');
  pane.dataset.entryId = String(id);
  $('journal-detail-titre').textContent = `${e.method} ${e.path} → ${statusText(e.status)}`;
  $('journal-detail-contenu').replaceChildren(...detail(e));
  pane.hidden = false;
  $('journal-zone').classList.add('avec-detail');
  $('journal-detail-titre').focus({ preventScroll: true });
  pane.scrollIntoView({ block: 'nearest' });
}

function closeDetail() {
  const id = selected;
  selected = 0;
  $('journal-detail').hidden = true;
  $('journal-zone').classList.remove('avec-detail');
  const item = shown.get(id);
  if (item) {
    item.tr.removeAttribute('aria-current');
    const b = item.tr.querySelector('button');
    if (b && item.tr.isConnected) { b.focus(); return; }
  }
  $('journal-recherche').focus();
}

// detail is the pane's content: who, why, then the exchange.
function detail(e) {
  const ex = explanations(e);
  const corr = correlationIDs(e);
  const out = [dl([
    ['Heure', shortDate(new Date(e.time))],
    ['Service', serviceNames[e.service] || e.service],
    ['Statut', `${statusText(e.status)}${e.error ? ` (${e.error})` : ''}`],
    ['Durée', latency(e.latencyNs)],
    ['Persona', e.persona],
    ['Client', e.client ? h('code', null, e.client) : ''],
    ['Corrélation', corr.length ? corr.map((c, i) => [i ? ' ' : '', h('code', { 'data-testid': 'correlation' }, c)]) : ''],
    ['Parcours', e.login ? parcours(e.login) : ''],
  ])];
  if (ex.violated) {
    out.push(h('h4', null, 'Violation du contrat'),
      h('p', { class: 'violations' }, 'La requête ne respecte pas le contrat OpenAPI :'),
      h('ul', { class: 'violations' }, ex.violations.map((v) => h('li', null, v))));
  }
  if (ex.why.length) out.push(h('h4', null, 'Pourquoi cette réponse'), h('ul', { class: 'pourquoi' }, ex.why.map((v) => h('li', null, v))));
  out.push(...exchange(e));
  return out;
}

// parcours is a login's id and the button that lists its requests.
function parcours(login) {
  return [h('code', null, shorten(login, 28)), ' ',
    h('button', {
      type: 'button', class: 'btn secondaire petit', 'data-action': 'parcours',
      onclick: () => search(login).then(() => announce('Requêtes de ce parcours affichées.')),
    }, 'Voir tout le parcours')];
}

// exchange shows the request and the response.
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
  out.push(h('p', { class: 'muted' }, `Entrée n° ${e.id} du journal (heure du bac à sable).`));
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
    for (const e of list) add(e, true);
    render();
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

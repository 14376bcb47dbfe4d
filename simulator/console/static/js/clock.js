// clock.js — the Horloge section: the sandbox's virtual time, frozen or
// running, the latest revenue year available; set, advance, freeze, reset.
//
// Between two reads of GET /clock the display runs on the browser's own
// clock from the offset of the last read, so it ticks without polling.

import { call } from './api.js';
import * as F from './fields.js';
import { $, announce, alertError, busy } from './dom.js';
import { longDate, shortDate, dayDate, goDuration, localInputValue, rfc3339 } from './format.js';
import * as banner from './banner.js';

let state = null; // {now: Date, frozen, latestYear}
let readAt = 0; // performance.now() at the last read
let dateTouched = false;

export function init() {
  for (const b of document.querySelectorAll('[data-avance]')) {
    b.addEventListener('click', (ev) => advance(ev.currentTarget, b.dataset.avance, b.textContent.trim()));
  }
  $('horloge-avance').addEventListener('submit', (ev) => {
    ev.preventDefault();
    let d;
    try {
      d = goDuration($('horloge-duree').value);
    } catch (err) {
      alertError(err);
      $('horloge-duree').focus();
      return;
    }
    advance(ev.submitter || ev.currentTarget.querySelector('button'), d, $('horloge-duree').value.trim());
  });
  $('horloge-date').addEventListener('input', () => { dateTouched = true; });
  $('horloge-regler').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = $('horloge-date').value;
    const d = new Date(v);
    if (!v || Number.isNaN(d.getTime())) {
      alertError('Indiquez une date et une heure.');
      $('horloge-date').focus();
      return;
    }
    const frozen = $('horloge-figee').checked;
    await act(ev.submitter, 'PUT', F.paths.clock, F.clockSetBody({ now: rfc3339(d), frozen }),
      `Horloge réglée au ${longDate(d)}${frozen ? ', figée' : ''}.`);
    dateTouched = false;
  });
  $('horloge-figer').addEventListener('click', (ev) => {
    const freeze = !(state && state.frozen);
    act(ev.currentTarget, 'PUT', F.paths.clock, F.clockSetBody({ frozen: freeze }),
      freeze ? 'Horloge figée.' : "L'horloge tourne de nouveau.");
  });
  $('horloge-reinitialiser').addEventListener('click', (ev) => {
    act(ev.currentTarget, 'POST', F.paths.clockReset, undefined, 'Horloge réinitialisée.');
  });
  setInterval(tick, 1000);
}

async function advance(button, d, label) {
  await act(button, 'POST', F.paths.clockAdvance, F.clockAdvanceBody(d), `Horloge avancée de ${label}.`);
}

async function act(button, method, path, body, done) {
  try {
    const answer = await busy(button, call(method, path, body));
    if (answer && typeof answer === 'object' && F.clock(answer).now) apply(F.clock(answer));
    else await refresh();
    announce(`${done} Il est maintenant ${state ? longDate(now()) : '…'}.`);
  } catch (err) {
    alertError(err);
    refresh();
  }
}

// refresh reads the clock.
export async function refresh() {
  try {
    apply(F.clock(await call('GET', F.paths.clock)));
  } catch (err) {
    if (err.status !== 401) alertError(err);
  }
}

function apply(c) {
  const d = new Date(c.now);
  if (Number.isNaN(d.getTime())) return;
  state = { now: d, frozen: c.frozen, latestYear: c.latestYear };
  readAt = performance.now();
  banner.setClock(c);
  $('horloge-etat').textContent = c.frozen ? 'Figée' : c.realTime ? 'Heure réelle' : 'En marche (heure déplacée)';
  $('horloge-etat').className = c.frozen ? 'badge figee' : 'badge en-direct';
  $('horloge-annee').textContent = c.latestYear ? `revenus ${c.latestYear}` : '—';
  const tax = c.taxationDate ? new Date(`${c.taxationDate}T12:00:00`) : null;
  $('horloge-taxation').textContent = tax && !Number.isNaN(tax.getTime())
    ? `Les revenus ${tax.getFullYear() - 1} sont taxés (disponibles pour l'API) à partir du ${dayDate(tax)}.` : '';
  $('horloge-figer').textContent = c.frozen ? 'Relancer l’horloge' : 'Figer l’horloge';
  if (!dateTouched) $('horloge-date').value = localInputValue(d);
  tick();
}

// now is the virtual time as the display estimates it.
export function now() {
  if (!state) return null;
  return state.frozen ? state.now : new Date(state.now.getTime() + (performance.now() - readAt));
}

// latestYear is the latest revenue year available, or null.
export function latestYear() {
  return state ? state.latestYear : null;
}

function tick() {
  const d = now();
  if (!d) return;
  const el = $('horloge');
  el.textContent = longDate(d);
  el.setAttribute('datetime', d.toISOString());
  $('horloge-entete').textContent = shortDate(d) + (state.frozen ? ' (figée)' : '');
}

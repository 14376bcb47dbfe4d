// qualification.js — the Qualification section: the report of
// GET /qualification as a checklist (failed rules first, each with the
// journal entries that show it and what to change), its JUnit download, and
// the start of a hostile FranceConnect run (POST /qualification/faults).

import * as F from './fields.js';
import { API } from './fields.js';
import { call, download } from './api.js';
import { $, h, srOnly, announce, alertError, busy } from './dom.js';

const statusLabel = { failed: 'Échouée', passed: 'Réussie', not_exercised: 'Non exercée' };
const statusOrder = { failed: 0, passed: 1, not_exercised: 2 };
const serviceNames = { franceconnect: 'FranceConnect', impotparticulier: 'API Impôt particulier' };

export function init(ctx) {
  $('qualification-client').value = ctx.demovilleClient;
  $('qualification-formulaire').addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy($('qualification-evaluer'), evaluate());
  });
  $('qualification-junit').addEventListener('click', (ev) => {
    const { client, gateway } = target();
    busy(ev.currentTarget, download(F.paths.qualificationJUnit(client, gateway), 'bacasable-qualification.xml').catch(alertError));
  });
  $('qualification-fautes').addEventListener('click', (ev) => busy(ev.currentTarget, queueFaults()));
}

function target() {
  return { client: $('qualification-client').value.trim(), gateway: $('qualification-passerelle').value.trim() };
}

// refresh evaluates again when the section is shown and a client is set.
export function refresh() {
  if (target().client || target().gateway) return evaluate();
  return Promise.resolve();
}

async function evaluate() {
  const { client, gateway } = target();
  if (!client && !gateway) {
    alertError('Indiquez un client FranceConnect ou un client de la passerelle.');
    $('qualification-client').focus();
    return;
  }
  let rep;
  let queued;
  try {
    [rep, queued] = await Promise.all([
      call('GET', F.paths.qualification(client, gateway)).then(F.report),
      call('GET', F.paths.faults).then(F.queuedFaults),
    ]);
  } catch (err) {
    alertError(err);
    return;
  }
  const waiting = queued.get(client) || [];
  $('qualification-attente').textContent = waiting.length
    ? `${waiting.length} faute${waiting.length > 1 ? 's' : ''} en attente pour ${client} : connectez-vous encore ${waiting.length} fois (la prochaine : ${waiting[0]}).`
    : '';
  const summary = `${rep.failed} règle${rep.failed > 1 ? 's' : ''} échouée${rep.failed > 1 ? 's' : ''}, ${rep.passed} réussie${rep.passed > 1 ? 's' : ''}, ${rep.notExercised} non exercée${rep.notExercised > 1 ? 's' : ''}.`;
  $('qualification-resume').textContent = summary;
  const sorted = [...rep.results].sort((a, b) => statusOrder[a.status] - statusOrder[b.status]);
  $('qualification-regles').replaceChildren(h('ul', { class: 'regles' }, sorted.map(rule)));
}

function rule(r) {
  const badge = r.status === 'failed' ? 'badge alerte' : r.status === 'passed' ? 'badge en-direct' : 'badge';
  return h('li', { class: 'regle', 'data-rule': r.id, 'data-status': r.status },
    h('p', null,
      h('span', { class: badge }, statusLabel[r.status] || r.status), ' ',
      h('strong', null, r.title), ' ',
      h('span', { class: 'muted' }, `${serviceNames[r.service] || r.service} · `, h('code', null, r.id),
        r.checked ? ` · ${r.checked} requête${r.checked > 1 ? 's' : ''} examinée${r.checked > 1 ? 's' : ''}` : '')),
    r.status === 'failed' ? [
      h('p', null, r.advice),
      h('ul', { class: 'preuves', 'aria-label': 'Requêtes en cause' }, r.evidence.map((e) =>
        h('li', { 'data-entry': e.entry },
          h('a', { href: API + F.paths.journalEntry(e.entry), target: '_blank', rel: 'noopener' },
            `requête n° ${e.entry}`, srOnly(' (entrée du journal, JSON)')),
          e.login ? ` (connexion ${e.login})` : '', ` : ${e.message}`))),
    ] : null,
    h('p', { class: 'muted source' }, `Source : ${r.source}`),
  );
}

async function queueFaults() {
  const { client } = target();
  if (!client) {
    alertError('Indiquez le client FranceConnect qui recevra les fautes.');
    $('qualification-client').focus();
    return;
  }
  try {
    const queued = await call('POST', F.paths.faults, F.faultsBody(client));
    const n = (queued.faults || []).length;
    announce(`${n} fautes en attente pour ${client} : ses ${n} prochaines connexions en recevront une chacune.`);
  } catch (err) {
    alertError(err);
    return;
  }
  await evaluate();
}

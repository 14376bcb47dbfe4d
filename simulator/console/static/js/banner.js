// banner.js — the banner above every section while the sandbox behaves
// otherwise than its fixtures: scenario activations in force, a clock set,
// moved or frozen since start. « Tout désactiver » clears the activations
// and puts the clock back, in one click. FranceConnect's and Démoville's
// pages show the same banner (simulator/banner), with a link here.

import { call } from './api.js';
import * as F from './fields.js';
import { $, announce, alertError, busy } from './dom.js';
import { bannerText } from './format.js';

let activations = []; // [{scenario, title, scope, target, remaining}]
let clockState = null; // F.clock(…)
let cleared = async () => {};

// init wires the button; done is called once everything is cleared, to
// read the activations and the clock again.
export function init(done) {
  cleared = done;
  $('bandeau-tout-desactiver').addEventListener('click', (ev) => clearAll(ev.currentTarget));
}

// setActivations takes the activations in force, with their scenario's
// title.
export function setActivations(list) {
  activations = list;
  render();
}

// setClock takes the clock as GET /clock gives it.
export function setClock(c) {
  clockState = c;
  render();
}

function render() {
  const text = bannerText(activations, clockState);
  $('bandeau-actif-texte').textContent = text;
  $('bandeau-actif').hidden = !text;
}

async function clearAll(button) {
  const moved = clockState && clockState.moved;
  try {
    await busy(button, (async () => {
      await call('DELETE', F.paths.activations);
      if (moved) await call('POST', F.paths.clockReset);
    })());
  } catch (err) {
    alertError(err);
    await cleared();
    return;
  }
  await cleared();
  announce(`Toutes les activations sont retirées${moved ? ' et l’horloge est revenue à son réglage de départ' : ''} : le bac à sable suit ses fixtures.`);
  $('contenu').focus(); // the button is gone with the banner
}

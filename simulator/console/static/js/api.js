// api.js — calls to the control API. When the sandbox answers 401 (it was
// started with a control token), the console asks for the token once, keeps
// it in sessionStorage for this tab, and sends it as Authorization: Bearer.

import { API, errorMessage } from './fields.js';
import { $ } from './dom.js';

const tokenKey = 'bacasable.jeton';

// APIError is a refused or failed call; status 0 when the sandbox could not
// be reached.
export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'APIError';
    this.status = status;
  }
}

export function token() {
  try {
    return sessionStorage.getItem(tokenKey) || '';
  } catch {
    return '';
  }
}

function setToken(v) {
  try {
    if (v) sessionStorage.setItem(tokenKey, v);
    else sessionStorage.removeItem(tokenKey);
  } catch {
    // storage disabled: the token lives as long as the page
  }
  memoryToken = v;
}

let memoryToken = '';

function currentToken() {
  return token() || memoryToken;
}

// authHeaders returns the Authorization header when a token is known.
export function authHeaders() {
  const t = currentToken();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

let asking = null; // the pending token question, shared by concurrent calls
let declined = false; // the person cancelled: ask no more until the page reloads

const declinedMessage = "L'API de contrôle demande un jeton : rechargez la page pour le saisir.";

// askToken opens the token dialog once and resolves with the token, or
// rejects when the user cancels.
function askToken(refused) {
  if (declined) return Promise.reject(new APIError(401, declinedMessage));
  if (asking) return asking;
  asking = new Promise((resolve, reject) => {
    const dialog = $('jeton-dialogue');
    const input = $('jeton');
    $('jeton-erreur').hidden = !refused;
    input.value = '';
    const onClose = () => {
      dialog.removeEventListener('close', onClose);
      asking = null;
      const v = input.value.trim();
      input.value = '';
      if (dialog.returnValue === 'valider' && v) {
        setToken(v);
        resolve(v);
      } else {
        declined = true;
        reject(new APIError(401, declinedMessage));
      }
    };
    dialog.addEventListener('close', onClose);
    dialog.returnValue = '';
    dialog.showModal();
    input.focus();
  });
  return asking;
}

// raw sends a request to the control API and returns the Response,
// asking for the token on 401. path is relative to /_bacasable/api.
export async function raw(method, path, body, { accept = 'application/json' } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = { Accept: accept, ...authHeaders() };
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(API + path, init);
    } catch {
      throw new APIError(0, 'Le bac à sable ne répond pas : est-il toujours lancé ?');
    }
    if (res.status === 401 && attempt < 3) {
      const hadToken = !!currentToken();
      setToken('');
      await askToken(hadToken);
      continue;
    }
    if (!res.ok) {
      throw new APIError(res.status, await describe(res));
    }
    return res;
  }
}

// call sends a JSON request and returns the decoded answer (null for an
// empty one).
export async function call(method, path, body) {
  const res = await raw(method, path, body);
  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new APIError(res.status, `Réponse illisible de ${path}`);
  }
}

async function describe(res) {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // nothing to add
  }
  let msg = '';
  try {
    msg = errorMessage(JSON.parse(text));
  } catch {
    msg = errorMessage(text).slice(0, 300);
  }
  if (res.status === 404 && !msg) msg = "cette fonction de l'API de contrôle n'existe pas (encore) dans ce bac à sable";
  return `Erreur ${res.status}${msg ? ' : ' + msg : ''}`;
}

// download fetches a file of the control API and hands it to the browser,
// so that the token is sent (a plain link cannot send it).
export async function download(path, filename) {
  const res = await raw('GET', path, undefined, { accept: '*/*' });
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// The console's pure JavaScript, tried with Node's test runner. The Go test
// TestJavaScriptModules copies the modules next to this file as .mjs (Node
// then reads them as ES modules whatever its version) and runs it; it is
// skipped where Node is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as format from './format.mjs';
import * as fields from './fields.mjs';
import { curlCommand } from './personas.mjs';
import * as stream from './stream.mjs';

test('goDuration turns what a person types into a Go duration', () => {
  for (const [input, want] of [['48h', '48h0m0s'], ['90min', '1h30m0s'], ['3j', '72h0m0s'], ['1j12h', '36h0m0s'],
    ['-2h', '-2h0m0s'], ['1,5h', '1h30m0s'], ['30 d', '720h0m0s'], ['61s', '0h1m1s']]) {
    assert.equal(format.goDuration(input), want, input);
  }
  for (const bad of ['', 'abc', '12', '3 semaines', '0h']) {
    assert.throws(() => format.goDuration(bad), Error, bad);
  }
});

test('the durations it writes match the control API pattern', () => {
  const pattern = /^-?([0-9]+d|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/;
  for (const input of ['48h', '90min', '3j', '-2h', '1s']) assert.match(format.goDuration(input), pattern);
});

test('latency, amounts and birth dates read in French', () => {
  assert.equal(format.latency(850_000), '850 µs');
  assert.equal(format.latency(12e6), '12 ms');
  assert.equal(format.latency(3.2e9), '3,2 s');
  assert.equal(format.latency(0), '—');
  assert.equal(format.euros(41220).replace(/\s/g, ' '), '41 220 €');
  assert.equal(format.euros(undefined), '—');
  assert.equal(format.birthDate('1962-08-24'), '24 août 1962');
  assert.equal(format.birthDate('1977-09-00'), 'septembre 1977 (jour présumé)');
  assert.equal(format.birthDate('1987-00-00'), '1987 (jour et mois présumés)');
});

test('rfc3339 keeps the browser offset and round-trips', () => {
  const d = new Date(2026, 6, 22, 9, 30, 15);
  const s = format.rfc3339(d);
  assert.match(s, /^2026-07-22T09:30:15[+-]\d\d:\d\d$/);
  assert.equal(new Date(s).getTime(), d.getTime());
  assert.equal(format.localInputValue(d), '2026-07-22T09:30:15');
});

test('matches filters entries as GET /journal does', () => {
  const e = fields.entry({ id: 3, service: 'franceconnect', status: 400, persona: 'test', violations: ['x'] });
  assert.ok(format.matches(e, { service: 'franceconnect', persona: 'test', violations: true, errors: true }));
  assert.ok(!format.matches(e, { service: 'impotparticulier' }));
  assert.ok(!format.matches(e, { persona: 'autre' }));
  const ok = fields.entry({ id: 4, service: 'passerelle', status: 200 });
  assert.ok(!format.matches(ok, { errors: true }));
  assert.ok(!format.matches(ok, { violations: true }));
  assert.ok(format.matches(fields.entry({ id: 5, status: 0 }), { errors: true }), 'a cut connection is an error');
});

test('the search finds an entry as GET /journal?q= does: correlation id, persona, path, login', () => {
  const corr = '0b9e7c52-4d1a-4c3e-8f6a-2e5d7c9b1a30';
  const e = fields.entry({
    id: 7, service: 'impotparticulier', status: 410, path: '/impotparticulier/1.0/spi/3999999898999/situations/ir/assiettes/annrev/2025',
    persona: 'nadia.bouzid', client: 'bacasable-demo', login: 'spi:3999999898999',
    request_headers: { 'X-Correlation-Id': [corr], Authorization: ['Bearer secret-du-jeton'] },
  });
  assert.deepEqual(format.correlationIDs(e), [corr]);
  for (const q of [corr, corr.toUpperCase(), `  ${corr.slice(0, 8)} `, 'BOUZID', 'annrev/2025', 'spi:3999999898999', 'BACASABLE-demo']) {
    assert.ok(format.matches(e, { q }), q);
  }
  assert.ok(!format.matches(e, { q: 'secret-du-jeton' }), 'other headers are not searched, as on the server');
  assert.ok(!format.matches(e, { q: '1c2d3e4f' }));
  assert.ok(!format.matches(e, { q: corr, service: 'franceconnect' }), 'the search adds to the other filters');
});

test('the exports follow the filters of the table', () => {
  const f = { q: '0b9e7c52', service: 'impotparticulier', persona: '', violations: true, errors: false };
  assert.equal(fields.journalExport(fields.paths.journalHAR, f), '/_bacasable/api/journal.har?q=0b9e7c52&service=impotparticulier&violations=true');
  assert.equal(fields.journalExport(fields.paths.journalJSONL, { q: '', service: '' }), '/_bacasable/api/journal.jsonl');
  assert.equal(fields.journalQuery({ q: 'a b&c' }, 3, 50), 'q=a+b%26c&after=3&limit=50');
});

test('explanations say each violation and reason once, a reason repeating a violation not again', () => {
  const both = format.explanations({
    violations: ['en-tête X-Correlation-ID obligatoire absent', 'en-tête X-Correlation-ID obligatoire absent'],
    why: ['en-tête X-Correlation-ID obligatoire absent ', 'habilitation BACASABLE-DEMO, ressource situations', 'habilitation BACASABLE-DEMO, ressource situations'],
  });
  assert.deepEqual(both, { why: ['habilitation BACASABLE-DEMO, ressource situations'], violations: ['en-tête X-Correlation-ID obligatoire absent'], violated: true });
  const alone = format.explanations({ violations: ['a', 'a'], why: [] });
  assert.deepEqual(alone, { why: [], violations: ['a'], violated: true });
  assert.deepEqual(format.explanations({}), { why: [], violations: [], violated: false });
});

test('the banner says every activation and a moved clock, and nothing when the sandbox follows its fixtures', () => {
  assert.equal(format.bannerText([], fields.clock({ now: '2026-07-23T09:00:00+02:00', frozen: true, moved: false })), '');
  const a = [
    { scenario: 'dgfip-indisponible', title: 'Service DGFiP indisponible', scope: 'global', remaining: null },
    { scenario: 'rnipp-inconnu', title: '', scope: 'persona', target: 'angela-dubois', remaining: 2 },
  ];
  assert.equal(format.bannerText(a, null),
    "Comportement modifié : scénario « Service DGFiP indisponible » pour tout le bac à sable, jusqu'au retrait ; " +
    'scénario « rnipp-inconnu » pour le persona angela-dubois, encore 2 appels.');
  const moved = format.bannerText([], fields.clock({ now: '2026-07-25T09:00:00+02:00', frozen: true, moved: true }));
  assert.match(moved, /^Comportement modifié : horloge figée au 25\/07\/2026 09:00:00\.$/);
  assert.match(format.bannerText([], fields.clock({ now: '2026-07-25T09:00:00+02:00', frozen: false, moved: true })), /horloge déplacée/);
});

test('a dropped stream is retried with a growing delay, a bounded number of times', () => {
  const delays = Array.from({ length: stream.maxReconnects }, (_, n) => stream.reconnectDelay(n));
  assert.equal(delays[0], 1000);
  for (let i = 1; i < delays.length; i++) assert.ok(delays[i] >= delays[i - 1], `delay ${i} shrinks`);
  assert.equal(Math.max(...delays), 30000);
  const total = delays.reduce((a, b) => a + b, 0);
  assert.ok(total >= 60000 && total <= 180000, `gives up after ${total} ms`);
});

test('prettyBody decodes JSON, forms and JWS', () => {
  assert.equal(format.prettyBody('{"a":1}', {}).text, '{\n  "a": 1\n}');
  const form = format.prettyBody('grant_type=authorization_code&code=a%20b', { 'Content-Type': ['application/x-www-form-urlencoded'] });
  assert.equal(form.text, 'grant_type = authorization_code\ncode = a b');
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const jwt = `${b64({ alg: 'ES256', kid: 'k1' })}.${b64({ sub: 'abc', given_name: 'Angéla' })}.c2ln`;
  const p = format.prettyBody(jwt, { 'Content-Type': ['application/jwt'] });
  assert.match(p.note, /JWS/);
  assert.match(p.text, /"given_name": "Angéla"/);
});

test('fields reads the control API objects', () => {
  const p = fields.persona({
    id: 'angela-dubois', login: 'test', spi: '3999999887219', given_name: 'Angela Claire Louise', family_name: 'DUBOIS',
    birthdate: '1962-08-24', gender: 'female', birthplace: '75107', birthcountry: '99100', foyer_role: 'declarant', foyers: ['dubois-perrin'],
  });
  assert.equal(p.password, '123');
  assert.deepEqual(p.foyers, ['dubois-perrin']);
  assert.deepEqual(p.birthplace, { code: '75107', name: '' });
  const a = fields.activation({ id: 'a1', scenario: 'dgfip-lent', scope: 'client', target: 'bacasable-demo', calls_left: null, since: '2026-03-01T09:00:00+01:00' });
  assert.equal(a.remaining, null);
  assert.equal(fields.activation({ calls_left: 3 }).remaining, 3);
  assert.deepEqual(fields.activationBody({ scenario: 's', scope: 'global', target: 'x', calls: null }), { scenario: 's', scope: 'global' });
  assert.deepEqual(fields.activationBody({ scenario: 's', scope: 'persona', target: 'test', calls: 2 }), { scenario: 's', scope: 'persona', target: 'test', calls: 2 });
  const c = fields.clock({ now: '2026-03-01T09:00:00+01:00', frozen: true, real_time: false, latest_available_revenue_year: 2024, taxation_date: '2026-07-22' });
  assert.equal(c.latestYear, 2024);
  assert.ok(c.frozen);
  const f = fields.foyer({
    id: 'roux', declarant1: 'julien-roux', dependants: [], residence: { voie: '27 rue Paul Bert', code_postal: '69003', commune: 'Lyon' },
    years: [{ relative: 'N-1', revenue_year: 2025, available: false, avis: [{ annRev: 2025, typeAvis: 1, sitFam: 'C', nbPart: 1, rfr: 29340, revImposable: 29160, montTotIr: 2475, aft: 'X' }] }],
  });
  assert.equal(f.residence, '27 rue Paul Bert, 69003 Lyon');
  assert.equal(f.years[0].avis[0].impot, 2475);
  assert.equal(fields.errorMessage({ error: { code: 'invalid_request', message: 'the request does not match the contract', details: [{ field: '/scope', message: 'bad' }] } }),
    'the request does not match the contract — /scope : bad');
  assert.equal(fields.errorMessage({ error: { code: 'invalid_request', message: 'X', details: [{ field: '/target', message: 'X' }] } }), 'X (/target)');
  assert.equal(fields.errorMessage({ error: { code: 'invalid_population', message: 'M', details: [{ file: 'personas.yaml', line: 3, message: 'a' }, { message: 'b' }] } }),
    'M — personas.yaml:3 : a ; b');
  assert.equal(fields.journalQuery({ service: 'franceconnect', persona: '', violations: true, errors: false }, 12, 500),
    'service=franceconnect&violations=true&after=12&limit=500');
  assert.equal(fields.items({ items: [1, 2] }).length, 2);
  assert.equal(fields.entries({ entries: [{ id: 1 }] })[0].id, 1);
});

test('the curl command logs the persona in with the header, safely quoted', () => {
  const cmd = curlCommand('http://localhost:8080', "o'hara");
  assert.ok(cmd.startsWith("curl -s -o /dev/null -w '%{redirect_url}\\n' -H 'X-Bacasable-Persona: o'\\''hara' 'http://localhost:8080/api/v2/authorize?"));
  assert.ok(cmd.includes('scope=openid%20profile'));
  assert.ok(cmd.includes(`client_id=${fields.demoClient.id}`));
});

test('the qualification report and its paths', () => {
  assert.equal(fields.paths.qualification('demoville', 'bacasable-demo'), '/qualification?client=demoville&gateway=bacasable-demo');
  assert.equal(fields.paths.qualificationJUnit('a b', ''), '/qualification.xml?client=a+b');
  assert.equal(fields.paths.journalEntry(1), '/journal?after=0&limit=1');
  assert.equal(fields.paths.journalEntry(42), '/journal?after=41&limit=1');
  const rep = fields.report({
    passed: 1, failed: 1, results: [
      { id: 'fc-state', service: 'franceconnect', title: 't', status: 'failed', checked: 2,
        evidence: [{ entry: 7, login: 'L', message: 'state court' }] },
      { id: 'fc-nonce', service: 'franceconnect', title: 'n', status: 'passed' },
    ],
  });
  assert.equal(rep.notExercised, 0);
  assert.deepEqual(rep.results[0].evidence, [{ entry: 7, login: 'L', message: 'state court' }]);
  assert.deepEqual(rep.results[1].evidence, []);
  assert.deepEqual(fields.faultsBody('x'), { client_id: 'x' });
  const q = fields.queuedFaults({ items: [{ client_id: 'x', faults: ['callback-state'] }] });
  assert.deepEqual(q.get('x'), ['callback-state']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { ExperimentError } from './errors.js';
import { loadAnyExperiment } from '../controlplane/experiment.js';
import { parseExperiment } from './experiment.js';
import { experimentsDir } from './testing.js';

test('every experiment in the library parses', () => {
  const dir = experimentsDir();
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 12, `found ${files.join(', ')} in ${dir}`);
  for (const f of files) {
    const e = loadAnyExperiment(`${dir}${f}`);
    assert.equal(`${e.name}.yaml`, f);
    assert.ok(e.faults.length > 0);
  }
});

test('defaults and durations are filled in', () => {
  const e = parseExperiment(`name: x
duration: 2m
faults:
  - kill: leader
    at: 5s
    every: 10s
    restartAfter: 1.5s
  - partition: [member:1, follower]
    oneWay: in
    at: 500ms
    for: 3s
`);
  assert.equal(e.durationMs, 120_000);
  assert.equal(e.members, 3);
  assert.equal(e.system, 'both');
  assert.deepEqual(e.checkers, ['linearizability', 'watch', 'lost-writes', 'availability']);
  assert.deepEqual(e.faults[0], { kind: 'kill', target: 'leader', signal: 'SIGKILL', restartAfterMs: 1500, atMs: 5000,
    everyMs: 10_000, times: 12 });
  assert.deepEqual(e.faults[1], { kind: 'partition', targets: ['member:1', 'follower'], mode: 'one-way-in',
    forMs: 3000, atMs: 500, times: 1 });
});

const bad: [string, RegExp][] = [
  ['duration: 5s', /name: required/],
  ['name: x\ntopology: { members: 4 }', /topology\.members: must be 3 or 5/],
  ['name: x\nfaults:\n  - kill: leader\n    at: 1s', /faults\[0\]\.restartAfter: required/],
  ['name: x\nfaults:\n  - kill: boss\n    at: 1s\n    restartAfter: 1s', /faults\[0\]\.kill: expected leader/],
  ['name: x\nfaults:\n  - pause: leader\n    kill: leader\n    at: 1s', /faults\[0\]: needs exactly one of/],
  ['name: x\nfaults:\n  - partition: [leader]\n    at: 1s\n    for: soon', /faults\[0\]\.for: expected a duration/],
  ['name: x\nfaults:\n  - partition: [leader, member:9]\n    at: 1s\n    for: 1s', /faults\[0\]\.partition\[1\]/],
  ['name: x\nworkload: { clients: 1000 }', /workload\.clients: must be between 1 and 64/],
  ['name: x\nworkload: { mix: { get: 1, scan: 2 } }', /workload\.mix\.scan: unknown field/],
  ['name: x\ncheckers: [linearizability, vibes]', /checkers\[1\]: expected one of/],
  ['name: x\ntiming: { heartbeat: 500ms, election: 1s }', /timing\.election: must be at least 5x/],
  ['name: x\nfaults:\n  - network: { delay: 1h }\n    at: 1s\n    for: 1s', /faults\[0\]\.network\.delay/],
  ['name: [', /not valid YAML/],
];

for (const [text, want] of bad) {
  test(`rejects ${JSON.stringify(text).slice(0, 60)} naming the path`, () => {
    assert.throws(() => parseExperiment(text, 'f.yaml'), (e: unknown) => {
      assert.ok(e instanceof ExperimentError);
      assert.equal(e.code, 'FLOTILLA_ERR_CHAOS_EXPERIMENT');
      assert.match(e.message, /^f\.yaml: /);
      assert.match(e.message, want);
      return true;
    });
  });
}

test('a --duration override re-fits repeating faults without an explicit times, and keeps explicit ones', () => {
  const text = `name: x
duration: 60s
faults:
  - kill: leader
    at: 5s
    every: 6s
    restartAfter: 2s
  - pause: follower
    at: 1s
    every: 10s
    times: 2
    for: 1s
`;
  assert.equal(parseExperiment(text).faults[0]!.times, 10);
  const long = parseExperiment(text, 'f.yaml', { durationMs: 600_000 });
  assert.equal(long.durationMs, 600_000);
  assert.equal(long.faults[0]!.times, 100, 'kills keep coming every 6 s to the end of the 10 minutes');
  assert.equal(long.faults[1]!.times, 2);
});

test('network faults may target the client links', () => {
  const e = parseExperiment(`name: x
faults:
  - network: { delay: 50ms, loss: 1 }
    between: clients
    at: 1s
    for: 2s
`);
  assert.deepEqual(e.faults[0], { kind: 'network', between: 'clients', delayMs: 50, jitterMs: 0, lossPct: 1, forMs: 2000,
    atMs: 1000, times: 1 });
});

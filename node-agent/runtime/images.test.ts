import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImageCatalogue, normalizeImageName, nextPullStep, onPullFailure, resolveArgv, HELLO_SERVER_PATH } from './images.js';
import { ImagePullError } from './errors.js';
import type { BackoffEntry } from './backoff.js';

test('normalizeImageName drops tag, digest, docker.io/library', () => {
  assert.equal(normalizeImageName('busybox:1.36'), 'busybox');
  assert.equal(normalizeImageName('docker.io/library/busybox@sha256:abc'), 'busybox');
  assert.equal(normalizeImageName('localhost:5000/team/app:v2'), 'localhost:5000/team/app');
  assert.equal(normalizeImageName('flotilla/hello'), 'flotilla/hello');
});

test('built-ins and command/args resolution as Kubernetes documents it', () => {
  const cat = new ImageCatalogue();
  assert.deepEqual(cat.names(), ['busybox', 'flotilla/busybox', 'flotilla/hello']);
  assert.ok(fs.existsSync(HELLO_SERVER_PATH), 'the compiled hello server sits next to images.js');
  const img = { entrypoint: ['ep'], cmd: ['c1'] };
  assert.deepEqual(resolveArgv(img, { name: 'x' }), ['ep', 'c1']);
  assert.deepEqual(resolveArgv(img, { name: 'x', command: ['cmd'] }), ['cmd']);
  assert.deepEqual(resolveArgv(img, { name: 'x', args: ['a'] }), ['ep', 'a']);
  assert.deepEqual(resolveArgv(img, { name: 'x', command: ['cmd'], args: ['a'] }), ['cmd', 'a']);
  assert.deepEqual(resolveArgv(cat.resolve('busybox'), { name: 'x' }), ['sh']);
  assert.throws(() => resolveArgv({ entrypoint: [], cmd: [] }, { name: 'x' }), { code: 'FLOTILLA_ERR_RUNTIME_INVALID_SPEC' });
  assert.throws(() => cat.resolve('nginx'), (e: unknown) => e instanceof ImagePullError && e.code === 'FLOTILLA_ERR_IMAGE_PULL');
});

test('a YAML catalogue file registers images; bad files are refused with the file named', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-img-'));
  try {
    const good = path.join(dir, 'images.yaml');
    fs.writeFileSync(good, 'images:\n  example.com/app:\n    entrypoint: [python3, -m, http.server]\n    cmd: ["8000"]\n');
    const cat = new ImageCatalogue();
    await cat.loadFile(good);
    assert.deepEqual(cat.resolve('example.com/app:v1'), { entrypoint: ['python3', '-m', 'http.server'], cmd: ['8000'] });
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"x": {"entrypoint": "not-a-list"}}');
    await assert.rejects(cat.loadFile(bad), { code: 'FLOTILLA_ERR_IMAGE_CATALOGUE', message: /bad\.json: image "x"/ });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ErrImagePull then ImagePullBackOff with 10 s doubling delays', () => {
  let entry: BackoffEntry | undefined;
  let nowMs = 0;
  const err = new Error('not in catalogue');
  const reasons: string[] = [];
  for (let i = 0; i < 4; i++) {
    const step = nextPullStep('nginx', entry, nowMs);
    if (step.action === 'wait') {
      reasons.push(`${step.waiting.reason}@${nowMs / 1000}`);
      nowMs = step.retryAtMs;
      continue;
    }
    const f = onPullFailure(entry, nowMs, err);
    entry = f.entry;
    reasons.push(`${f.waiting.reason}@${nowMs / 1000}`);
  }
  assert.deepEqual(reasons, ['ErrImagePull@0', 'ImagePullBackOff@0', 'ErrImagePull@10', 'ImagePullBackOff@10']);
  assert.equal(nextPullStep('nginx', entry, 20_000).action, 'wait');
  assert.equal(nextPullStep('nginx', entry, 30_000).action, 'pull');
});

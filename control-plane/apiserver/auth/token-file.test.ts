import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenFile, parseTokenFile } from './token-file.js';
import { TokenFileError } from './errors.js';

function refuses(text: string, pattern: RegExp): void {
  assert.throws(() => parseTokenFile(text, 'tokens.csv'),
    (e: unknown) => e instanceof TokenFileError && e.code === 'FLOTILLA_ERR_TOKEN_FILE' && pattern.test(e.message),
    `${JSON.stringify(text)} should fail with ${pattern}`);
}

test('records with and without groups; comments and blank lines are skipped', () => {
  const text = [
    '# token,user,uid,groups',
    '',
    'tok1,alice,1001,"system:masters,dev"',
    '   ',
    'tok2,bob,1002',
    '  # indented comment',
    'tok3,carol,1003,ops',
    '"tok,4","dave ""d""",1004,""',
  ].join('\r\n');
  const m = parseTokenFile(text, 'tokens.csv');
  assert.equal(m.size, 4);
  assert.deepEqual(m.get('tok1'), { name: 'alice', uid: '1001', groups: ['system:masters', 'dev'] });
  assert.deepEqual(m.get('tok2'), { name: 'bob', uid: '1002', groups: [] });
  assert.deepEqual(m.get('tok3'), { name: 'carol', uid: '1003', groups: ['ops'] });
  assert.deepEqual(m.get('tok,4'), { name: 'dave "d"', uid: '1004', groups: [] });
});

test('a byte-order mark and a missing final newline are fine; an empty uid is allowed as in Kubernetes', () => {
  const m = parseTokenFile('\uFEFFtok,alice,', 'f');
  assert.deepEqual(m.get('tok'), { name: 'alice', uid: '', groups: [] });
});

test('malformed lines are refused with the file name and line number', () => {
  refuses('a,b,c\nonlytwo,fields\n', /^tokens\.csv:2: 2 field\(s\)/);
  refuses('\n\ntok,alice,1,g1,g2\n', /^tokens\.csv:3: 5 fields; want at most 4/);
  refuses(',alice,1\n', /^tokens\.csv:1: the token \(first field\) is empty/);
  refuses('tok,,1\n', /^tokens\.csv:1: the user name/);
  refuses('tok,alice,1,"g1,g2\n', /^tokens\.csv:1: extraneous or missing "/);
  refuses('tok,alice,1,"g1"x\n', /^tokens\.csv:1: extraneous or missing "/);
  refuses('tok,al"ice,1\n', /^tokens\.csv:1: bare " in non-quoted-field/);
});

test('duplicate tokens are refused, naming both lines', () => {
  refuses('tok,alice,1\n# c\ntok,bob,2\n', /^tokens\.csv:3: duplicate token \(first used on line 1\)/);
});

test('loadTokenFile reads a file and names it in errors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-tokens-'));
  try {
    const good = join(dir, 'good.csv');
    await writeFile(good, 'secret,admin,admin,system:masters\n');
    assert.deepEqual((await loadTokenFile(good)).get('secret'), { name: 'admin', uid: 'admin', groups: ['system:masters'] });
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'x\n');
    await assert.rejects(loadTokenFile(bad), (e: unknown) => e instanceof TokenFileError && e.message.startsWith(`${bad}:1:`));
    await assert.rejects(loadTokenFile(join(dir, 'missing.csv')),
      (e: unknown) => e instanceof TokenFileError && /cannot read token file .*missing\.csv/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

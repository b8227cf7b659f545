// The duplicate-reporting JSON parser: same values as JSON.parse, Go-worded syntax errors,
// duplicate keys with their field paths, bounded depth, and no prototype pollution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonEqual, parseJson, utf8Length } from './json.js';
import { MAX_JSON_DEPTH } from './limits.js';
import { params, seed } from './testing/fc.js';

test.after(() => console.log(`json properties ran with FC_SEED=${seed}`));

test('duplicate keys are reported with Kubernetes field paths; the last value wins', () => {
  const r = parseJson('{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"x","image":"i","image":"j"}]},"kind":"Pod","kind":"Pod"}');
  assert.ok(r.ok);
  assert.deepEqual(r.value.duplicates.map((d) => d.path), ['metadata.name', 'spec.containers[0].image', 'kind']);
  assert.deepEqual(r.value.value, { metadata: { name: 'b' }, spec: { containers: [{ name: 'x', image: 'j' }] }, kind: 'Pod' });
});

test('syntax errors are worded like Go encoding/json', () => {
  const cases: [string, string][] = [
    ['', 'unexpected end of JSON input'],
    ['{', 'unexpected end of JSON input'],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
    ['[1 2]', "invalid character '2' after array element"],
    ['x', "invalid character 'x' looking for beginning of value"],
    ['{} {}', "invalid character '{' after top-level value"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['-', 'unexpected end of JSON input'],
    ['01', "invalid character '1' after top-level value"],
    ['"a\nb"', "invalid character '\\x0a' in string literal"],
  ];
  for (const [text, message] of cases) {
    const r = parseJson(text);
    assert.ok(!r.ok, text);
    assert.equal(r.error.message, message, JSON.stringify(text));
  }
});

test('nesting deeper than MAX_JSON_DEPTH is refused, not a stack overflow', () => {
  const ok = parseJson('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH));
  assert.ok(ok.ok);
  const deep = parseJson('['.repeat(100_000));
  assert.ok(!deep.ok);
  assert.match(deep.error.message, /exceeded max depth/);
});

test('a "__proto__" key is an ordinary own property', () => {
  const r = parseJson('{"__proto__":{"polluted":true},"a":1}');
  assert.ok(r.ok);
  const v = r.value.value as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.deepEqual(Object.keys(v), ['__proto__', 'a']);
});

test('utf8Length counts bytes like Go len()', () => {
  assert.equal(utf8Length('abc'), 3);
  assert.equal(utf8Length('é'), 2);
  assert.equal(utf8Length('€'), 3);
  assert.equal(utf8Length('😀'), 4);
});

test('property: parseJson agrees with JSON.parse on every JSON text', () => {
  fc.assert(fc.property(fc.json({ maxDepth: 4 }), (text) => {
    const r = parseJson(text);
    assert.ok(r.ok, text);
    assert.ok(jsonEqual(r.value.value, JSON.parse(text)));
    assert.deepEqual(r.value.duplicates, []);
  }), params(1000));
});

test('property: parseJson never throws on arbitrary text', () => {
  fc.assert(fc.property(fc.string({ maxLength: 40 }), (text) => {
    const r = parseJson(text);
    let native: unknown;
    let nativeOk = true;
    try { native = JSON.parse(text); } catch { nativeOk = false; }
    assert.equal(r.ok, nativeOk, text);
    if (r.ok) assert.ok(jsonEqual(r.value.value, native as never));
  }), params(2000));
});

// resource.Quantity: parsing, canonical form (Kubernetes' own examples), errors, comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Quantity, QUANTITY_FORMAT_MESSAGE, QUANTITY_SUFFIX_MESSAGE, quantityFromJson } from './quantity.js';
import { params, seed } from './testing/fc.js';

test.after(() => console.log(`quantity properties ran with FC_SEED=${seed}`));

const canonical: [string, string][] = [
  // Kubernetes keeps an input that is already canonical verbatim, quirks included ("+1", "00001").
  ['0', '0'], ['100m', '100m'], ['1Gi', '1Gi'], ['2', '2'], ['1e3', '1e3'], ['1E3', '1E3'],
  ['1000m', '1'], ['1500m', '1500m'], ['1.5', '1500m'], ['0.1', '100m'], ['1000', '1k'], ['100', '100'],
  ['1024Mi', '1Gi'], ['1025Mi', '1025Mi'], ['0.5Gi', '512Mi'], ['1.1Ki', '1126400m'], ['1.5Gi', '1536Mi'],
  ['12e6', '12e6'], ['1k', '1k'], ['10k', '10k'], ['5000k', '5M'], ['0.000000001', '1n'], ['0.0000000001', '1n'],
  ['-1', '-1'], ['-0.0000000001', '-1n'], ['+1', '+1'], ['1.0', '1'], ['00001', '00001'], ['010', '010'], ['512Ki', '512Ki'],
  ['8Gi', '8Gi'], ['1e-3', '1e-3'], ['2e-4', '200e-6'], ['100u', '100u'], ['1000n', '1u'], ['.5', '500m'], ['5.', '5.'], ['-', '0'],
  ['1E', '1E'], ['2P', '2P'], ['1e21', '1e21'], ['0Gi', '0'], ['1000Ki', '1000Ki'],
];

test('canonical form matches Kubernetes Quantity.String()', () => {
  for (const [input, want] of canonical) {
    const q = Quantity.parse(input);
    assert.ok(q.ok, `${input} should parse`);
    assert.equal(q.value.toString(), want, `canonical of ${input}`);
  }
});

test('refusals carry Kubernetes messages', () => {
  const cases: [string, string][] = [
    ['', QUANTITY_FORMAT_MESSAGE], ['abc', QUANTITY_FORMAT_MESSAGE], ['1.2.3', QUANTITY_FORMAT_MESSAGE],
    ['1 ', QUANTITY_FORMAT_MESSAGE], ['1x', QUANTITY_FORMAT_MESSAGE], ['1Gib', QUANTITY_FORMAT_MESSAGE], ['1Gii', QUANTITY_SUFFIX_MESSAGE],
    ['1e', QUANTITY_SUFFIX_MESSAGE], ['1Kii', QUANTITY_SUFFIX_MESSAGE], ['1mm', QUANTITY_SUFFIX_MESSAGE],
    ['1e5000', QUANTITY_SUFFIX_MESSAGE], ['1'.repeat(65), QUANTITY_FORMAT_MESSAGE],
  ];
  for (const [input, message] of cases) {
    const q = Quantity.parse(input);
    assert.ok(!q.ok, `${JSON.stringify(input)} should not parse`);
    assert.equal(q.error.message, message, input);
    assert.equal(q.error.code, 'FLOTILLA_ERR_QUANTITY');
  }
});

test('comparison and arithmetic are exact across suffixes', () => {
  const q = (s: string) => Quantity.must(s);
  assert.equal(q('1').cmp(q('1000m')), 0);
  assert.equal(q('1Gi').cmp(q('1G')), 1);
  assert.equal(q('1k').cmp(q('1Ki')), -1);
  assert.equal(q('100m').add(q('900m')).toString(), '1');
  assert.equal(q('1Gi').sub(q('512Mi')).toString(), '512Mi');
  assert.equal(q('250m').milliValue(), 250);
  assert.equal(q('1.5').value(), 2, 'Value() rounds up');
  assert.equal(q('1Gi').value(), 1073741824);
  assert.equal(q('-1.5').value(), -2, 'rounds away from zero');
  assert.equal(Quantity.fromMilli(1500).toString(), '1500m');
  assert.equal(q('1Ei').add(q('1Ei')).toString(), '2Ei');
});

test('binary quantities are capped at 2^63-1 like Kubernetes', () => {
  assert.equal(Quantity.must('16Ei').toString(), '9223372036854775807');
  assert.equal(Quantity.must('-16Ei').toString(), '-9223372036854775807');
});

test('JSON numbers and padded strings are accepted the way UnmarshalJSON accepts them', () => {
  const cases: [string | number, string][] = [[1, '1'], [0.5, '500m'], [1e21, '1e21'], [' 2Gi ', '2Gi'], [100, '100']];
  for (const [v, want] of cases) {
    const r = quantityFromJson(v);
    assert.ok(r.ok);
    assert.equal(r.value.toString(), want);
  }
  assert.ok(!quantityFromJson(Number.NaN).ok);
});

const quantityString = fc.tuple(
  fc.constantFrom('', '-', '+'),
  fc.stringMatching(/^[0-9]{1,6}$/),
  fc.option(fc.stringMatching(/^[0-9]{0,4}$/), { nil: undefined }),
  fc.constantFrom('', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'e3', 'e-2', 'E6'),
).map(([sign, num, denom, suffix]) => `${sign}${num}${denom === undefined ? '' : `.${denom}`}${suffix}`);

test('property: the canonical form parses back to an equal quantity and is a fixed point', () => {
  fc.assert(fc.property(quantityString, (s) => {
    const q = Quantity.parse(s);
    assert.ok(q.ok, s);
    const again = Quantity.parse(q.value.toString());
    assert.ok(again.ok, q.value.toString());
    assert.equal(again.value.cmp(q.value), 0, `${s} -> ${q.value.toString()}`);
    assert.equal(again.value.toString(), q.value.toString());
  }), params(1000));
});

test('property: any string parses or is refused with a QuantityError, never throws', () => {
  fc.assert(fc.property(fc.string({ maxLength: 20 }), (s) => {
    const q = Quantity.parse(s);
    if (!q.ok) assert.equal(q.error.code, 'FLOTILLA_ERR_QUANTITY');
  }), params(2000));
});

test('property: cmp is consistent with addition', () => {
  fc.assert(fc.property(quantityString, quantityString, (a, b) => {
    const qa = Quantity.must(a);
    const qb = Quantity.must(b);
    assert.equal(qa.add(qb).sub(qb).cmp(qa), 0);
    assert.equal(qa.cmp(qb), -qb.cmp(qa) || 0);
  }), params(500));
});

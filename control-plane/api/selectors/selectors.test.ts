// Label and field selectors: parsing, matching, Kubernetes' error messages and String()
// form; properties for round trips and for never throwing on arbitrary input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { params, seed } from '../testing/fc.js';
import {
  checkFieldSelector, FieldSelector, fieldMatcher, parseFieldSelector, selectableFields, supportedFieldLabels,
} from './fields.js';
import { formatLabelSelector, labelSelectorAsSelector } from './label-selector.js';
import { LabelSelector, formatLabels, parseLabelSelector, selectorFromSet, type Requirement } from './labels.js';

test.after(() => console.log(`selector properties ran with FC_SEED=${seed}`));

const parse = (s: string): LabelSelector => {
  const r = parseLabelSelector(s);
  assert.ok(r.ok, `${s}: ${r.ok ? '' : r.error.message}`);
  return r.value;
};

test('label selector syntax, matching and canonical String()', () => {
  const cases: [string, string, Record<string, string>, boolean][] = [
    ['', '', {}, true],
    ['a=b', 'a=b', { a: 'b' }, true],
    ['a==b', 'a==b', { a: 'b' }, true],
    ['a!=b', 'a!=b', {}, true],
    ['a!=b', 'a!=b', { a: 'b' }, false],
    ['a', 'a', { a: '' }, true],
    ['!a', '!a', { a: 'x' }, false],
    ['a in (z,y,  x)', 'a in (x,y,z)', { a: 'y' }, true],
    ['a notin (x)', 'a notin (x)', {}, true],
    ['a notin (x)', 'a notin (x)', { a: 'x' }, false],
    ['b=c, a=d', 'a=d,b=c', { a: 'd', b: 'c' }, true],
    ['a=', 'a=', { a: '' }, true],
    ['a in ()', 'a in ()', { a: '' }, true],
    ['a in (,x)', 'a in (,x)', { a: '' }, true],
    ['x>5', 'x>5', { x: '6' }, true],
    ['x<5', 'x<5', { x: '6' }, false],
    ['x>5', 'x>5', { x: 'six' }, false],
    ['example.com/tier in (in, notin)', 'example.com/tier in (in,notin)', { 'example.com/tier': 'notin' }, true],
    ['in=notin', 'in=notin', { in: 'notin' }, true],
  ];
  for (const [input, printed, labels, matches] of cases) {
    const sel = parse(input);
    assert.equal(sel.toString(), printed, input);
    assert.equal(sel.matches(labels), matches, `${input} vs ${JSON.stringify(labels)}`);
  }
});

test('label selector errors carry Kubernetes messages', () => {
  const cases: [string, string][] = [
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a=b,', "found '', expected: identifier after ','"],
    ['a in x', "unable to parse requirement: found 'x' expected: '('"],
    ['a in (x', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['a (', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['foo!', "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['a/b/c=x', "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"],
    ['a=-x', "unable to parse requirement: values[0][a]: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
    ['x>a', "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"],
  ];
  for (const [input, message] of cases) {
    const r = parseLabelSelector(input);
    assert.ok(!r.ok, input);
    assert.equal(r.error.message, message, input);
    assert.equal(r.error.code, 'FLOTILLA_ERR_SELECTOR');
  }
});

test('metav1.LabelSelector: nil selects nothing, empty selects everything, expressions', () => {
  assert.ok(labelSelectorAsSelector(undefined).ok);
  const nothing = labelSelectorAsSelector(null);
  assert.ok(nothing.ok && nothing.value.isNothing() && !nothing.value.matches({}));
  const every = labelSelectorAsSelector({});
  assert.ok(every.ok && every.value.matches({ x: 'y' }));
  const sel = labelSelectorAsSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] },
    { key: 'canary', operator: 'DoesNotExist' }] });
  assert.ok(sel.ok);
  assert.equal(sel.value.toString(), 'app=web,!canary,tier in (be,fe)');
  assert.ok(sel.value.matches({ app: 'web', tier: 'fe' }));
  assert.ok(!sel.value.matches({ app: 'web', tier: 'fe', canary: '1' }));
  const bad = labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] });
  assert.ok(!bad.ok);
  assert.equal(bad.error.message, '"Near" is not a valid label selector operator');
  const empty = labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] });
  assert.ok(!empty.ok);
  assert.equal(empty.error.message, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty".replace('[]string(nil)', '[]interface {}{}'));
  assert.equal(formatLabelSelector({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(selectorFromSet({ z: '1', a: '2' }).toString(), 'a=2,z=1');
});

test('field selectors: parsing, escaping, matching and per-resource support', () => {
  const r = parseFieldSelector('spec.nodeName=n1,status.phase!=Running');
  assert.ok(r.ok);
  assert.deepEqual(r.value.requirements, [{ field: 'spec.nodeName', operator: '=', value: 'n1' }, { field: 'status.phase', operator: '!=', value: 'Running' }]);
  assert.equal(r.value.requiresExactMatch('spec.nodeName'), 'n1');
  const pod = { metadata: { name: 'p', namespace: 'd' }, spec: { nodeName: 'n1' }, status: { phase: 'Pending' } };
  assert.ok(r.value.matches(selectableFields('', 'pods', true, pod)));
  const esc = parseFieldSelector('metadata.name=a\\,b\\=c\\\\');
  assert.ok(esc.ok);
  assert.equal(esc.value.requirements[0]!.value, 'a,b=c\\');
  assert.equal(esc.value.toString(), 'metadata.name=a\\,b\\=c\\\\');
  const cases: [string, string][] = [
    ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [input, message] of cases) {
    const p = parseFieldSelector(input);
    assert.ok(!p.ok, input);
    assert.equal(p.error.message, message);
  }
  const unsupported = parseFieldSelector('spec.foo=x');
  assert.ok(unsupported.ok);
  const checked = checkFieldSelector('', 'pods', unsupported.value);
  assert.ok(!checked.ok);
  assert.equal(checked.error.message, 'field label not supported: spec.foo');
  assert.ok(supportedFieldLabels('', 'events').includes('involvedObject.uid'));
  assert.ok(supportedFieldLabels('', 'pods').includes('spec.schedulerName'));
  assert.deepEqual(supportedFieldLabels('', 'configmaps'), ['metadata.name', 'metadata.namespace']);
  const ev = selectableFields('', 'events', true, { involvedObject: { kind: 'Pod', name: 'p' }, reportingComponent: 'kubelet' });
  assert.equal(ev['involvedObject.kind'], 'Pod');
  assert.equal(ev['source'], 'kubelet');
});

// fieldMatcher reads only the fields a selector names; it must say what matching the record of
// every selectable field says, for any resource, object shape and selector.
test('property: fieldMatcher agrees with matches(selectableFields(...))', () => {
  const resources: [string, string, boolean][] = [['', 'pods', true], ['', 'nodes', false], ['', 'events', true],
    ['', 'namespaces', false], ['', 'configmaps', true], ['apps', 'replicasets', true], ['', 'services', true]];
  const value = fc.oneof(fc.constantFrom('', 'a', 'Running', 'n1', 'true', '3'), fc.integer({ min: -2, max: 3 }),
    fc.boolean(), fc.constant(null), fc.constant(undefined));
  const section = fc.dictionary(fc.constantFrom('name', 'namespace', 'nodeName', 'phase', 'hostNetwork', 'unschedulable',
    'replicas', 'podIP', 'type', 'kind', 'component', 'uid'), value);
  const obj = fc.record({ metadata: section, spec: section, status: section, involvedObject: section, source: section,
    type: value, reason: value, reportingComponent: value }, { requiredKeys: [] });
  const term = fc.record({
    field: fc.constantFrom('metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', 'spec.hostNetwork',
      'spec.unschedulable', 'status.replicas', 'status.podIP', 'type', 'source', 'involvedObject.kind', 'spec.type',
      'not.a.field'),
    operator: fc.constantFrom('=' as const, '!=' as const),
    value: fc.constantFrom('', 'a', 'Running', 'n1', 'true', 'false', '0', '3'),
  });
  const terms = fc.array(term, { maxLength: 4 });
  fc.assert(fc.property(fc.constantFrom(...resources), terms, obj, ([g, p, ns], reqs, o) => {
    const sel = new FieldSelector(reqs);
    assert.equal(fieldMatcher(g, p, ns, sel)(o), sel.matches(selectableFields(g, p, ns, o)));
  }), params(500));
});

const KEYS = ['a', 'app', 'tier', 'example.com/role', 'x_y', 'k8s.io/n'];
const VALUES = ['', 'a', 'web', 'v1.2', 'x_y', '12'];
const requirement: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('=' as const, '==' as const, '!=' as const),
    values: fc.constantFrom(...VALUES).map((v) => [v]) }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('in' as const, 'notin' as const),
    values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 }).map((v) => [...v].sort()) }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('exists' as const, '!' as const), values: fc.constant([]) }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('gt' as const, 'lt' as const),
    values: fc.integer({ min: 0, max: 50 }).map((n) => [String(n)]) }),
);

test('property: parse(print(selector)) gives back the same selector', () => {
  fc.assert(fc.property(fc.array(requirement, { maxLength: 5 }), (reqs) => {
    const sel = LabelSelector.of(reqs);
    const again = parse(sel.toString());
    assert.deepEqual(again.requirements, JSON.parse(JSON.stringify(sel.requirements)));
    assert.equal(again.toString(), sel.toString());
  }), params(1000));
});

test('property: parsed selectors match exactly as their requirements say', () => {
  const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES, '7', '40'), { maxKeys: 4 });
  fc.assert(fc.property(fc.array(requirement, { maxLength: 4 }), labels, (reqs, ls) => {
    const sel = parse(LabelSelector.of(reqs).toString());
    const expected = reqs.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(ls, r.key);
      const v = ls[r.key];
      switch (r.operator) {
        case '=': case '==': case 'in': return has && r.values.includes(v!);
        case '!=': case 'notin': return !has || !r.values.includes(v!);
        case 'exists': return has;
        case '!': return !has;
        default: return has && /^-?\d+$/.test(v!) && (r.operator === 'gt' ? Number(v) > Number(r.values[0]) : Number(v) < Number(r.values[0]));
      }
    });
    assert.equal(sel.matches(ls), expected);
  }), params(1000));
});

test('property: arbitrary strings parse or fail with a SelectorError, never throw', () => {
  const tokens = fc.array(fc.constantFrom('a', 'b', '=', '==', '!=', '!', '(', ')', ',', ' ', 'in', 'notin', '>', '<', 'x/y', '-', '.'),
    { maxLength: 12 }).map((t) => t.join(''));
  fc.assert(fc.property(fc.oneof(tokens, fc.string({ maxLength: 16 })), (s) => {
    const r = parseLabelSelector(s);
    if (!r.ok) assert.equal(r.error.code, 'FLOTILLA_ERR_SELECTOR');
    else assert.ok(parseLabelSelector(r.value.toString()).ok, `printed form of ${JSON.stringify(s)} must parse`);
    const f = parseFieldSelector(s);
    if (!f.ok) assert.equal(f.error.code, 'FLOTILLA_ERR_SELECTOR');
    else assert.ok(parseFieldSelector(f.value.toString()).ok);
  }), params(3000));
});

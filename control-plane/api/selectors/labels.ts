// Label selectors (apimachinery/pkg/labels): the string syntax
//   a=b, a==b, a!=b, a in (x,y), a notin (x), a, !a, a>1, a<2
// with Kubernetes' lexer, parser, error messages and canonical String() form.
import { MAX_SELECTOR_CHARS, MAX_SELECTOR_REQUIREMENTS } from '../limits.js';
import { err, ok, type Result } from '../errors.js';
import { errorString, invalid, notSupported, type FieldError } from '../validation/field-errors.js';
import { isQualifiedName, isValidLabelValue } from '../validation/names.js';

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Sorted, de-duplicated (Kubernetes keeps values as a sorted set). */
  readonly values: readonly string[];
}

export interface SelectorError {
  readonly code: 'FLOTILLA_ERR_SELECTOR';
  readonly message: string;
}

const selErr = (message: string): SelectorError => ({ code: 'FLOTILLA_ERR_SELECTOR', message });

export type Labels = Readonly<Record<string, string>>;

/** A parsed label selector: requirements ANDed, sorted by key. */
export class LabelSelector {
  private constructor(readonly requirements: readonly Requirement[], private readonly nothing = false) {}

  static everything(): LabelSelector { return new LabelSelector([]); }
  static nothing(): LabelSelector { return new LabelSelector([], true); }
  static of(requirements: readonly Requirement[]): LabelSelector {
    return new LabelSelector([...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  }

  isEverything(): boolean { return !this.nothing && this.requirements.length === 0; }
  isNothing(): boolean { return this.nothing; }

  matches(labels: Labels): boolean {
    if (this.nothing) return false;
    return this.requirements.every((r) => requirementMatches(r, labels));
  }

  /** Kubernetes' String(): requirements joined by ",". */
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

function has(labels: Labels, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

export function requirementMatches(r: Requirement, labels: Labels): boolean {
  const present = has(labels, r.key);
  const value = present ? labels[r.key] as string : undefined;
  switch (r.operator) {
    case '=': case '==': case 'in':
      return present && r.values.includes(value as string);
    case '!=': case 'notin':
      return !present || !r.values.includes(value as string);
    case 'exists':
      return present;
    case '!':
      return !present;
    case 'gt': case 'lt': {
      if (!present || !/^[+-]?\d+$/.test(value as string)) return false;
      const lv = BigInt(value as string);
      const rv = BigInt(r.values[0] as string);
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
  }
}

export function requirementString(r: Requirement): string {
  switch (r.operator) {
    case '!': return `!${r.key}`;
    case 'exists': return r.key;
    case 'in': case 'notin': return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt': return `${r.key}>${r.values[0] ?? ''}`;
    case 'lt': return `${r.key}<${r.values[0] ?? ''}`;
    default: return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

/**
 * labels.NewRequirement: validates key, values and operator arity. `path` prefixes the field
 * paths of the errors ("" gives Kubernetes' nil-path rendering of "key"/"values").
 */
export function newRequirement(key: string, operator: Operator, values: readonly string[], path = ''):
  Result<Requirement, FieldError[]> {
  const errs: FieldError[] = [];
  const p = (child: string) => (path === '' ? child : `${path}.${child}`);
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) errs.push(invalid(p('key'), key, keyErrs.join('; ')));
  const vals = [...new Set(values)].sort();
  const n = values.length;
  switch (operator) {
    case 'in': case 'notin':
      if (n === 0) errs.push(invalid(p('values'), [...values], "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=': case '==': case '!=':
      if (n !== 1) errs.push(invalid(p('values'), [...values], 'exact-match compatibility requires one single value'));
      break;
    case 'exists': case '!':
      if (n !== 0) errs.push(invalid(p('values'), [...values], 'values set must be empty for exists and does not exist'));
      break;
    case 'gt': case 'lt':
      if (n !== 1) errs.push(invalid(p('values'), [...values], "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v) || BigInt(v) > 2n ** 63n - 1n || BigInt(v) < -(2n ** 63n)) {
          errs.push(invalid(`${p('values')}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
    default:
      errs.push(notSupported(p('operator'), operator, ['in', 'notin', '=', '==', '!=', 'gt', 'lt', 'exists', '!']));
  }
  values.forEach((v, i) => {
    const vErrs = isValidLabelValue(v);
    if (vErrs.length > 0) errs.push(invalid(`${p('values')}[${i}][${key}]`, v, vErrs.join('; ')));
  });
  return errs.length > 0 ? err(errs) : ok({ key, operator, values: vals });
}

/** utilerrors.NewAggregate(...).Error() of field errors. */
function aggregate(errs: readonly FieldError[]): string {
  const msgs = [...new Set(errs.map(errorString))];
  return msgs.length === 1 ? msgs[0] as string : `[${msgs.join(', ')}]`;
}

// ---- lexer ---------------------------------------------------------------------------------

type Tok = 'id' | 'eos' | 'err' | ')' | ',' | '!' | '==' | '=' | '>' | 'in' | '<' | '!=' | 'notin' | '(';

const KEYWORDS: Record<string, Tok> = {
  ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(',
};
const isWs = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c);

interface Item { tok: Tok; lit: string }

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  // Go reads bytes and stops at a NUL; our strings are UTF-16 but the syntax is ASCII.
  const read = (): string => (pos < s.length ? s[pos++] as string : '\0');
  for (;;) {
    let c = read();
    while (isWs(c)) c = read();
    if (c === '\0') { items.push({ tok: 'eos', lit: '' }); return items; }
    if (isSpecial(c)) {
      let buf = c;
      let last: Item = { tok: KEYWORDS[c] as Tok, lit: c };
      for (;;) {
        const n = read();
        if (n === '\0') break;
        if (!isSpecial(n)) { pos--; break; }
        const t = Object.prototype.hasOwnProperty.call(KEYWORDS, buf + n) ? KEYWORDS[buf + n] : undefined;
        if (t === undefined) { pos--; break; }
        buf += n;
        last = { tok: t, lit: buf };
      }
      items.push(last);
    } else {
      let buf = c;
      for (;;) {
        const n = read();
        if (n === '\0') break;
        if (isSpecial(n) || isWs(n)) { pos--; break; }
        buf += n;
      }
      const kw = Object.prototype.hasOwnProperty.call(KEYWORDS, buf) ? KEYWORDS[buf] : undefined;
      items.push({ tok: kw ?? 'id', lit: buf });
    }
  }
}

// ---- parser --------------------------------------------------------------------------------

class ParseFailure { constructor(readonly message: string) {} }

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In a "values" context, the keywords in/notin are plain identifiers. */
  private look(values: boolean): Item {
    const it = this.items[this.pos] as Item;
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }
  private take(values: boolean): Item {
    const it = this.look(values);
    if (this.pos < this.items.length - 1) this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.look(true);
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!') throw new ParseFailure(`found '${lit}', expected: !, identifier, or 'end of string'`);
      if (reqs.length >= MAX_SELECTOR_REQUIREMENTS) throw new ParseFailure(`more than ${MAX_SELECTOR_REQUIREMENTS} requirements`);
      reqs.push(this.requirement());
      const t = this.take(true);
      if (t.tok === 'eos') return reqs;
      if (t.tok !== ',') throw new ParseFailure(`found '${t.lit}', expected: ',' or 'end of string'`);
      const n = this.look(true);
      if (n.tok !== 'id' && n.tok !== '!') throw new ParseFailure(`found '${n.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let t = this.take(true);
    let op: Operator | undefined;
    if (t.tok === '!') { op = '!'; t = this.take(true); }
    if (t.tok !== 'id') throw new ParseFailure(`unable to parse requirement: found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) {
      throw new ParseFailure(`unable to parse requirement: ${errorString(invalid('<nil>', key, keyErrs.join('; ')))}`);
    }
    const next = this.look(true).tok;
    if (next === 'eos' || next === ',') return this.make(key, op === '!' ? '!' : 'exists', []);
    if (op === '!') return this.make(key, '!', []);
    const o = this.take(false);
    const ops: Partial<Record<Tok, Operator>> = { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' };
    const operator = ops[o.tok];
    if (operator === undefined) throw new ParseFailure(`unable to parse requirement: found '${o.lit}', expected: ${BINARY_OPERATORS}`);
    const values = operator === 'in' || operator === 'notin' ? this.setValues() : this.exactValue();
    return this.make(key, operator, values);
  }

  private make(key: string, operator: Operator, values: string[]): Requirement {
    const r = newRequirement(key, operator, values);
    if (!r.ok) throw new ParseFailure(`unable to parse requirement: ${aggregate(r.error)}`);
    return r.value;
  }

  private exactValue(): string[] {
    const t = this.look(true);
    if (t.tok === 'eos' || t.tok === ',') return [''];
    const v = this.take(true);
    if (v.tok === 'id') return [v.lit];
    throw new ParseFailure(`unable to parse requirement: found '${v.lit}', expected: identifier`);
  }

  private setValues(): string[] {
    const open = this.take(true);
    if (open.tok !== '(') throw new ParseFailure(`unable to parse requirement: found '${open.lit}' expected: '('`);
    const first = this.look(true);
    if (first.tok === ')') { this.take(true); return ['']; }
    if (first.tok !== 'id' && first.tok !== ',') {
      throw new ParseFailure(`unable to parse requirement: found '${first.lit}', expected: ',', ')' or identifier`);
    }
    const values = this.identifiers();
    const close = this.take(true);
    if (close.tok !== ')') throw new ParseFailure(`unable to parse requirement: found '${first.lit}', expected: ')'`);
    return values;
  }

  private identifiers(): string[] {
    const s = new Set<string>();
    for (;;) {
      const t = this.take(true);
      if (t.tok === 'id') {
        s.add(t.lit);
        const n = this.look(true);
        if (n.tok === ',') continue;
        if (n.tok === ')') return [...s];
        throw new ParseFailure(`unable to parse requirement: found '${n.lit}', expected: ',' or ')'`);
      }
      if (t.tok === ',') {
        if (s.size === 0) s.add('');
        const n = this.look(true);
        if (n.tok === ')') { s.add(''); return [...s]; }
        if (n.tok === ',') { this.take(true); s.add(''); }
        continue;
      }
      throw new ParseFailure(`unable to parse requirement: found '${t.lit}', expected: ',', or identifier`);
    }
  }
}

/** labels.Parse. Errors carry Kubernetes' messages (`unable to parse requirement: ...`, `found ',', expected: ...`). */
export function parseLabelSelector(s: string): Result<LabelSelector, SelectorError> {
  if (s.length > MAX_SELECTOR_CHARS) return err(selErr(`selector is longer than ${MAX_SELECTOR_CHARS} characters`));
  try {
    return ok(LabelSelector.of(new Parser(lex(s)).parse()));
  } catch (e) {
    if (e instanceof ParseFailure) return err(selErr(e.message));
    throw e;
  }
}

/** labels.SelectorFromSet: key=value for every entry (no validation, like SelectorFromSet). */
export function selectorFromSet(set: Labels): LabelSelector {
  return LabelSelector.of(Object.keys(set).map((k) => ({ key: k, operator: '=' as const, values: [set[k] as string] })));
}

/** labels.FormatLabels: "a=b,c=d" sorted by key, or "<none>". */
export function formatLabels(set: Labels | undefined): string {
  const keys = Object.keys(set ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${(set as Labels)[k]}`).join(',');
}


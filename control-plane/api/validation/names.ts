// The string-format checks of apimachinery's util/validation (IsDNS1123Label, IsQualifiedName,
// IsValidLabelValue, ...) with Kubernetes' exact messages. Each returns the list of problems
// (empty when valid), as Kubernetes does, so callers can attach them to a field path.
import {
  MAX_DNS1035_LABEL_CHARS, MAX_DNS1123_LABEL_CHARS, MAX_DNS1123_SUBDOMAIN_CHARS, MAX_LABEL_VALUE_CHARS,
  MAX_PORT_NAME_CHARS, MAX_QUALIFIED_NAME_CHARS,
} from '../limits.js';
import { utf8Length } from '../json.js';

export const maxLenError = (n: number): string => `must be no more than ${n} characters`;
export const EMPTY_ERROR = 'must be non-empty';
export const inclusiveRangeError = (lo: number, hi: number): string => `must be between ${lo} and ${hi}, inclusive`;
export const IS_NEGATIVE_ERROR = 'must be greater than or equal to 0';
export const FIELD_IMMUTABLE_ERROR = 'field is immutable';

/** RegexError: the message, Kubernetes' examples (note the double spaces) and the regex. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((e, i) => { out += `${i > 0 ? ' or ' : ''}'${e}', `; });
  return `${out}regex used for validation is '${fmt}')`;
}

const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME_RE = new RegExp(`^${QNAME_FMT}$`);
const QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_RE = new RegExp(`^${DNS1035_LABEL_FMT}$`);
const DNS1035_LABEL_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

/** Length in bytes, as Go's len() of a string. */
const blen = (s: string): number => utf8Length(s);

export function isDns1123Label(v: string): string[] {
  const errs: string[] = [];
  if (blen(v) > MAX_DNS1123_LABEL_CHARS) errs.push(maxLenError(MAX_DNS1123_LABEL_CHARS));
  if (!DNS1123_LABEL_RE.test(v)) {
    if (DNS1123_SUBDOMAIN_RE.test(v)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDns1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (blen(v) > MAX_DNS1123_SUBDOMAIN_CHARS) errs.push(maxLenError(MAX_DNS1123_SUBDOMAIN_CHARS));
  if (!DNS1123_SUBDOMAIN_RE.test(v)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

export function isDns1035Label(v: string): string[] {
  const errs: string[] = [];
  if (blen(v) > MAX_DNS1035_LABEL_CHARS) errs.push(maxLenError(MAX_DNS1035_LABEL_CHARS));
  if (!DNS1035_LABEL_RE.test(v)) errs.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] as string;
  } else if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) errs.push(`prefix part ${EMPTY_ERROR}`);
    else errs.push(...isDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [`a qualified name ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push(`name part ${EMPTY_ERROR}`);
  else if (blen(name) > MAX_QUALIFIED_NAME_CHARS) errs.push(`name part ${maxLenError(MAX_QUALIFIED_NAME_CHARS)}`);
  if (!QNAME_RE.test(name)) errs.push(`name part ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (blen(v) > MAX_LABEL_VALUE_CHARS) errs.push(maxLenError(MAX_LABEL_VALUE_CHARS));
  if (!LABEL_VALUE_RE.test(v)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** An IANA service name, as container and service port names must be. */
export function isValidPortName(v: string): string[] {
  const errs: string[] = [];
  if (blen(v) > MAX_PORT_NAME_CHARS) errs.push(maxLenError(MAX_PORT_NAME_CHARS));
  if (!/^[-a-z0-9]+$/.test(v)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(v)) errs.push('must contain at least one letter (a-z)');
  if (v.includes('--')) errs.push('must not contain consecutive hyphens');
  if (v.length > 0 && (v.startsWith('-') || v.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

function chdirPrefix(v: string): string[] {
  if (v === '.') return ["must not be '.'"];
  if (v === '..') return ["must not be '..'"];
  if (v.startsWith('..')) return ["must not start with '..'"];
  return [];
}

const ENV_VAR_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*';
export function isEnvVarName(v: string): string[] {
  const errs: string[] = [];
  if (!new RegExp(`^${ENV_VAR_FMT}$`).test(v)) {
    errs.push(regexError("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
      ENV_VAR_FMT, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1'));
  }
  return errs.concat(chdirPrefix(v));
}

const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';
export function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (blen(v) > MAX_DNS1123_SUBDOMAIN_CHARS) errs.push(maxLenError(MAX_DNS1123_SUBDOMAIN_CHARS));
  if (!new RegExp(`^${CONFIG_KEY_FMT}$`).test(v)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_KEY_FMT,
      'key.name', 'KEY_NAME', 'key-name'));
  }
  return errs.concat(chdirPrefix(v));
}

const PERCENT_FMT = '[0-9]+%';
export function isValidPercent(v: string): string[] {
  return /^[0-9]+%$/.test(v) ? []
    : [regexError("a valid percent string must be a numeric string followed by an ending '%'", PERCENT_FMT, '1%', '93%')];
}

/** path.IsValidPathSegmentName: RBAC object names. */
export function isValidPathSegmentName(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`];
  return isValidPathSegmentPrefix(v);
}

export function isValidPathSegmentPrefix(v: string): string[] {
  const errs: string[] = [];
  if (v.includes('/')) errs.push("may not contain '/'");
  if (v.includes('%')) errs.push("may not contain '%'");
  return errs;
}

/** An IPv4 or IPv6 address in canonical-enough text form (netutils.ParseIPSloppy accepts leading zeros). */
export function isValidIp(v: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v);
  if (v4) return v4.slice(1).every((p) => Number(p) <= 255);
  if (!v.includes(':') || !/^[0-9a-fA-F:.]+$/.test(v)) return false;
  const dbl = v.split('::');
  if (dbl.length > 2) return false;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  let parts = [...groups(dbl[0] as string), ...(dbl.length === 2 ? groups(dbl[1] as string) : [])];
  let width = 8;
  const last = parts[parts.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (!isValidIp(last) || last.includes(':')) return false;
    parts = parts.slice(0, -1);
    width = 6;
  }
  if (!parts.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return dbl.length === 2 ? parts.length < width : parts.length === width;
}

/** "a valid IP address" error detail as Kubernetes 1.32 words it. */
export const INVALID_IP_MESSAGE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** Name validators take (name, prefix): prefix=true validates a generateName prefix. */
export type NameValidator = (name: string, prefix: boolean) => string[];

/** maskTrailingDash as Kubernetes has it (it replaces the last two characters with "a"). */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDnsSubdomain: NameValidator = (n, prefix) => isDns1123Subdomain(prefix ? maskTrailingDash(n) : n);
export const nameIsDnsLabel: NameValidator = (n, prefix) => isDns1123Label(prefix ? maskTrailingDash(n) : n);
export const nameIsDns1035Label: NameValidator = (n, prefix) => isDns1035Label(prefix ? maskTrailingDash(n) : n);
export const nameIsPathSegment: NameValidator = (n, prefix) =>
  (prefix ? isValidPathSegmentPrefix(n) : isValidPathSegmentName(n));

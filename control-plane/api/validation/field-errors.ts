// Field-level validation errors (apimachinery util/validation/field): a type, the field
// path, the bad value and a detail, printed exactly as Kubernetes prints them
// ("spec.replicas: Invalid value: -1: must be greater than or equal to 0"), and the 422
// Status they aggregate into.
import { goBadValue, goQuote } from '../go-format.js';
import { MAX_FIELD_ERRORS } from '../limits.js';
import { failure, qualifiedKind, type GroupKind } from '../status.js';
import type { CauseType, Status, StatusCause } from '../types/meta.js';

export type FieldErrorType = Extract<CauseType,
  | 'FieldValueNotFound' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueInvalid'
  | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany'
  | 'InternalError' | 'FieldValueTypeInvalid'>;

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Marks a bad value that is not printed (Kubernetes' omitValue). */
export const OMIT_VALUE: unique symbol = Symbol('omitValue');

export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly badValue: unknown;
  readonly detail: string;
}

/** The message without the field: "Invalid value: -1: must be greater than or equal to 0". */
export function errorBody(e: FieldError): string {
  let s = TYPE_TEXT[e.type];
  const valueless = e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden'
    || e.type === 'FieldValueTooLong' || e.type === 'InternalError' || e.badValue === OMIT_VALUE;
  if (!valueless) s += `: ${goBadValue(e.badValue)}`;
  if (e.detail !== '') s += `: ${e.detail}`;
  return s;
}

export function errorString(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

export const required = (field: string, detail = ''): FieldError =>
  ({ type: 'FieldValueRequired', field, badValue: '', detail });
export const invalid = (field: string, value: unknown, detail: string): FieldError =>
  ({ type: 'FieldValueInvalid', field, badValue: value, detail });
export const duplicate = (field: string, value: unknown): FieldError =>
  ({ type: 'FieldValueDuplicate', field, badValue: value, detail: '' });
export const notFound = (field: string, value: unknown): FieldError =>
  ({ type: 'FieldValueNotFound', field, badValue: value, detail: '' });
export const forbidden = (field: string, detail: string): FieldError =>
  ({ type: 'FieldValueForbidden', field, badValue: '', detail });
export const internal = (field: string, message: string): FieldError =>
  ({ type: 'InternalError', field, badValue: null, detail: message });
export const typeInvalid = (field: string, value: unknown, detail: string): FieldError =>
  ({ type: 'FieldValueTypeInvalid', field, badValue: value, detail });

export function notSupported(field: string, value: unknown, valid: readonly string[]): FieldError {
  const detail = valid.length > 0 ? `supported values: ${valid.map(goQuote).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, badValue: value, detail };
}

/** field.TooLong as of Kubernetes 1.32: "may not be more than N bytes". */
export function tooLong(field: string, value: unknown, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}`
    : 'value is too long';
  return { type: 'FieldValueTooLong', field, badValue: value, detail };
}

export function tooMany(field: string, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field, badValue: actual >= 0 ? actual : OMIT_VALUE,
    detail: max >= 0 ? `must have at most ${max} items` : 'has too many items' };
}

/**
 * ErrorList.ToAggregate().Error(): duplicate messages collapse; one message is printed
 * bare, several as "[a, b]".
 */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errors) {
    const m = errorString(e);
    if (!seen.has(m)) { seen.add(m); msgs.push(m); }
  }
  if (msgs.length === 1) return msgs[0] as string;
  return `[${msgs.join(', ')}]`;
}

/** errors.NewInvalid: 422 with one cause per field error. */
export function invalidStatus(gk: GroupKind, name: string, errors: readonly FieldError[]): Status {
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  const prefix = `${qualifiedKind(gk)} ${goQuote(name)} is invalid`;
  const message = errors.length === 0 ? prefix : `${prefix}: ${aggregateMessage(errors)}`;
  return failure(422, 'Invalid', message, { name, group: gk.group, kind: gk.kind, causes });
}

/** Collects errors up to MAX_FIELD_ERRORS; later ones are dropped (the first are the useful ones). */
export class ErrorList {
  readonly errors: FieldError[] = [];
  add(...errs: FieldError[]): void {
    for (const e of errs) if (this.errors.length < MAX_FIELD_ERRORS) this.errors.push(e);
  }
  get length(): number { return this.errors.length; }
}

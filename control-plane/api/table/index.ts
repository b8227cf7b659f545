// meta.k8s.io/v1 Tables, as the apiserver answers `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`.
import { MAX_TABLE_ROWS } from '../limits.js';
import type { ResourceInfo } from '../registry.js';
import type { ListMeta, ObjectMeta, Table, TableRow } from '../types/meta.js';
import { GENERIC, PRINTERS, type Printer } from './printers.js';
import { WORKLOAD_PRINTERS } from './workload-printers.js';
import { invariant } from '../errors.js';

export interface TableOptions {
  /** Server time, milliseconds since the epoch (ages are computed against it). */
  readonly nowMs: number;
  /** Keep the priority>0 (-o wide) columns. Default true: kubectl filters columns by priority itself. */
  readonly wide?: boolean;
  /** includeObject: None, Metadata (default; PartialObjectMetadata) or Object. */
  readonly includeObject?: 'None' | 'Metadata' | 'Object';
  readonly listMeta?: ListMeta;
}

export function printerFor(resource: Pick<ResourceInfo, 'group' | 'plural'>): Printer {
  const key = `${resource.group}/${resource.plural}`;
  return PRINTERS[key] ?? WORKLOAD_PRINTERS[key] ?? GENERIC;
}

function rowObject(obj: { apiVersion?: string; kind?: string; metadata?: ObjectMeta }, mode: TableOptions['includeObject']): unknown {
  if (mode === 'None') return undefined;
  if (mode === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
}

/**
 * Prints objects of one resource into a Table with kubectl's familiar columns. Objects are
 * expected as stored, i.e. decoded (schema/decode.ts fills required fields with zero values).
 */
export function toTable(resource: Pick<ResourceInfo, 'group' | 'plural'>, objects: readonly unknown[], opts: TableOptions): Table {
  invariant(objects.length <= MAX_TABLE_ROWS, `${objects.length} rows exceed MAX_TABLE_ROWS`);
  const printer = printerFor(resource);
  const wide = opts.wide ?? true;
  const keep = printer.columns.map((c) => wide || c.priority === 0);
  const rows: TableRow[] = objects.map((o) => {
    const printed = printer.row(o as never, opts.nowMs);
    invariant(printed.cells.length === printer.columns.length, `printer for ${resource.plural} printed ${printed.cells.length} cells`);
    const row: TableRow = { cells: printed.cells.filter((_, i) => keep[i]) };
    if (printed.conditions) row.conditions = printed.conditions;
    const object = rowObject(o as { metadata?: ObjectMeta }, opts.includeObject);
    if (object !== undefined) row.object = object;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.listMeta ?? {},
    columnDefinitions: printer.columns.filter((_, i) => keep[i]),
    rows,
  };
}

export { humanDuration, age } from './age.js';
export { podStatusColumns, formatEndpoints } from './printers.js';

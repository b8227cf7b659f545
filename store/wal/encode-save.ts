// Turns one save request (one Ready) into framed WAL records in a single buffer, in the
// order replay must see them: snapshot marker, entries, hard state. The CRCs are filled in
// later by the writer, once it knows the segment and offset the records land at.
import type { Entry } from '../raft/types.js';
import {
  ENTRIES_PAYLOAD_FIXED_BYTES, ENTRY_OVERHEAD_BYTES, RECORD_HEADER_BYTES, RecordType, MARKER_RECORD_PAYLOAD_BYTES,
  hardStatePayloadBytes, writeEntriesPayload, writeFrame, writeHardStatePayload,
  writeMarkerRecordPayload,
} from './codec.js';
import { WalTooLargeError } from './errors.js';
import { MAX_VOTE_BYTES, type WalLimits } from './limits.js';
import type { SaveRequest } from './log-state.js';

export interface EncodedSave {
  buf: Buffer;
  /** Offset of each record's header within buf. */
  recordOffsets: number[];
}

interface PlannedRecord {
  type: RecordType;
  payloadBytes: number;
  write: (buf: Buffer, off: number) => void;
}

/** Splits entries into Entries records whose payloads stay under maxRecordPayloadBytes. */
function planEntries(entries: readonly Entry[], limits: WalLimits, out: PlannedRecord[]): void {
  let from = 0;
  let size = ENTRIES_PAYLOAD_FIXED_BYTES;
  const flush = (to: number, payloadBytes: number): void => {
    const start = from;
    const write = (b: Buffer, o: number): void => void writeEntriesPayload(b, o, entries, start, to);
    out.push({ type: RecordType.Entries, payloadBytes, write });
  };
  for (let i = 0; i < entries.length; i++) {
    const entryBytes = ENTRY_OVERHEAD_BYTES + (entries[i] as Entry).data.byteLength;
    if (ENTRIES_PAYLOAD_FIXED_BYTES + entryBytes > limits.maxRecordPayloadBytes) {
      throw new WalTooLargeError(`entry ${(entries[i] as Entry).index}`, entryBytes, limits.maxRecordPayloadBytes,
        'maxRecordPayloadBytes');
    }
    if (size + entryBytes > limits.maxRecordPayloadBytes) {
      flush(i, size);
      from = i;
      size = ENTRIES_PAYLOAD_FIXED_BYTES;
    }
    size += entryBytes;
  }
  if (entries.length > from) flush(entries.length, size);
}

/** `markerResetsLog`: the writer's §7 decision for req.snapshotMarker (see LogState.apply). */
export function encodeSave(req: SaveRequest, limits: WalLimits, markerResetsLog: boolean): EncodedSave {
  const planned: PlannedRecord[] = [];
  const marker = req.snapshotMarker;
  if (marker) {
    planned.push({ type: RecordType.SnapshotMarker, payloadBytes: MARKER_RECORD_PAYLOAD_BYTES,
      write: (b, o) => writeMarkerRecordPayload(b, o, marker, markerResetsLog) });
  }
  if (req.entries && req.entries.length > 0) planEntries(req.entries, limits, planned);
  const hs = req.hardState;
  if (hs) {
    const vote = Buffer.from(hs.vote, 'utf8');
    if (vote.length > MAX_VOTE_BYTES) throw new WalTooLargeError('hard state vote', vote.length, MAX_VOTE_BYTES, 'MAX_VOTE_BYTES');
    planned.push({ type: RecordType.HardState, payloadBytes: hardStatePayloadBytes(vote),
      write: (b, o) => writeHardStatePayload(b, o, hs, vote) });
  }
  let total = 0;
  for (const r of planned) total += RECORD_HEADER_BYTES + r.payloadBytes;
  if (total > limits.maxSaveBytes) throw new WalTooLargeError('one save (Ready)', total, limits.maxSaveBytes, 'maxSaveBytes');
  const buf = Buffer.allocUnsafe(total);
  const recordOffsets: number[] = [];
  let off = 0;
  for (const r of planned) {
    recordOffsets.push(off);
    r.write(buf, writeFrame(buf, off, r.type, r.payloadBytes));
    off += RECORD_HEADER_BYTES + r.payloadBytes;
  }
  return { buf, recordOffsets };
}

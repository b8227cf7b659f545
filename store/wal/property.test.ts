// Property: any sequence of saves a Raft driver could make (appends with conflicting
// suffixes, hard states, snapshot markers, concurrent saves, releases, reopens), followed by
// a crash that cuts the last segment anywhere after the last fsync point, replays to exactly
// what a plain model of the log says: the durable saves plus the complete records of the cut one.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Entry } from '../raft/types.js';
import { WAL, type OpenResult } from './index.js';
import type { SaveRequest } from './log-state.js';
import { META, ModelLog, entry, fcSeed, truncateFile, withTempDir } from './test-support.js';

const LIMITS = { segmentSizeBytes: 1024 };
const NUM_RUNS = Number(process.env['FLOTILLA_FC_RUNS'] ?? 40);

/** What the runs exercised, printed once so a weakened generator shows up. */
const seen = { segmentsReleased: 0, markerResets: 0, tornTails: 0, conflicts: 0, reopens: 0 };

interface ReadyShape {
  marker: { offset: number; match: boolean } | null;
  append: { back: number; count: number; bump: boolean; sizeBytes: number } | null;
  hs: { bump: boolean; vote: string; commitBack: number } | null;
  /** Issue the next save without waiting for this one (group commit). */
  overlap: boolean;
}

type Op = { k: 'ready'; ready: ReadyShape } | { k: 'release' } | { k: 'reopen' };

const readyArb: fc.Arbitrary<ReadyShape> = fc.record({
  marker: fc.option(fc.record({ offset: fc.integer({ min: -4, max: 3 }), match: fc.boolean() }), { freq: 4 }),
  append: fc.option(fc.record({ back: fc.nat(6), count: fc.integer({ min: 1, max: 6 }), bump: fc.boolean(),
    sizeBytes: fc.nat(120) }), { freq: 6 }),
  hs: fc.option(fc.record({ bump: fc.boolean(), vote: fc.constantFrom('', 'a', 'bb'), commitBack: fc.nat(5) })),
  overlap: fc.boolean(),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: readyArb.map((ready) => ({ k: 'ready' as const, ready })) },
  { weight: 1, arbitrary: fc.constant({ k: 'release' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'reopen' as const }) },
);

/** Turns a shape into a save the Raft core could emit, given the log so far. */
class Driver {
  model = new ModelLog();
  term = 1;
  hsTerm = 0;
  salt = 0;

  materialize(shape: ReadyShape): SaveRequest {
    const scratch = this.model.clone();
    const req: SaveRequest = {};
    if (shape.marker) {
      const floor = scratch.marker?.index ?? 0;
      const index = Math.max(floor, scratch.lastIndex + shape.marker.offset, 1);
      let term: number;
      if (scratch.marker && index === floor) term = scratch.marker.term;
      else if (index <= scratch.lastIndex && shape.marker.match) term = scratch.termAt(index) as number;
      else term = ++this.term;
      req.snapshotMarker = { index, term };
      if (scratch.termAt(index) !== term) seen.markerResets++;
      scratch.applyMarker(req.snapshotMarker);
    }
    if (shape.append) {
      const floor = scratch.marker?.index ?? 0;
      const first = Math.max(floor + 1, scratch.lastIndex + 1 - shape.append.back);
      if (first <= scratch.lastIndex) seen.conflicts++;
      if (shape.append.bump) this.term++;
      const batch: Entry[] = [];
      for (let i = 0; i < shape.append.count; i++) {
        batch.push(entry(first + i, this.term, shape.append.sizeBytes, ++this.salt));
      }
      req.entries = batch;
      scratch.applyEntries(batch);
    }
    if (shape.hs) {
      if (shape.hs.bump) this.hsTerm = this.term;
      const commit = Math.max(0, scratch.lastIndex - shape.hs.commitBack);
      req.hardState = { term: this.hsTerm, vote: shape.hs.vote, commit };
    }
    return req;
  }
}

/** Byte offsets (relative to the save's start) where each record of `req` ends, per the documented layout. */
function recordEnds(req: SaveRequest): number[] {
  const sizes: number[] = [];
  if (req.snapshotMarker) sizes.push(12 + 17);
  if (req.entries && req.entries.length > 0) {
    sizes.push(12 + 12 + req.entries.reduce((n, e) => n + 13 + e.data.length, 0));
  }
  if (req.hardState) sizes.push(12 + 20 + Buffer.byteLength(req.hardState.vote));
  let total = 0;
  return sizes.map((s) => (total += s));
}

function assertMatches(r: OpenResult, model: ModelLog, context: string): void {
  const want = model.expected();
  assert.deepEqual(r.entries, want.entries, context);
  assert.deepEqual(r.hardState, want.hardState, context);
  assert.deepEqual(r.snapshotMarker, want.snapshotMarker, context);
}

async function runScenario(dir: string, ops: Op[], last: ReadyShape, cutPerMille: number): Promise<void> {
  const d = new Driver();
  let wal = await WAL.create(dir, { metadata: META, limits: LIMITS });
  let inFlight: Promise<void>[] = [];
  const settle = async (): Promise<void> => {
    await Promise.all(inFlight);
    inFlight = [];
  };
  try {
    for (const op of ops) {
      if (op.k === 'ready') {
        const req = d.materialize(op.ready);
        inFlight.push(wal.save(req));
        d.model.apply(req);
        if (!op.ready.overlap) await settle();
      } else if (op.k === 'release') {
        await settle();
        if (d.model.marker) seen.segmentsReleased += (await wal.releaseTo(d.model.marker.index)).removed.length;
      } else {
        seen.reopens++;
        await settle();
        await wal.close();
        const r = await WAL.open(dir, { limits: LIMITS });
        wal = r.wal;
        assert.deepEqual(r.warnings, []);
        assertMatches(r, d.model, 'reopen');
      }
    }
    await settle();
    // The crash: the last save reaches the disk only up to `cut`.
    const before = d.model.clone();
    const req = d.materialize(last);
    await wal.save(req);
    const { file, offsetBytes: end } = wal.position;
    await wal.close();
    const ends = recordEnds(req);
    const start = end - (ends.at(-1) ?? 0);
    const cut = start + Math.round(((end - start) * cutPerMille) / 1000);
    await truncateFile(file, cut);
    const landed = ends.filter((e) => start + e <= cut).length;
    before.apply(req, landed);
    const clean = start + (landed > 0 ? (ends[landed - 1] as number) : 0);
    const r = await WAL.open(dir, { limits: LIMITS });
    wal = r.wal;
    assertMatches(r, before, `after a crash cutting the last save at ${cut - start} of ${end - start} bytes`);
    assert.deepEqual(r.warnings.map((w) => w.code), cut > clean ? ['torn-tail-truncated'] : []);
    if (cut > clean) seen.tornTails++;
    // The repaired WAL takes appends that replay.
    const after = { entries: [entry(before.lastIndex + 1, d.term + 1, 5, 999)] };
    await wal.save(after);
    before.apply(after);
    await wal.close();
    const again = await WAL.open(dir, { limits: LIMITS });
    wal = again.wal;
    assertMatches(again, before, 'append after repair');
  } finally {
    await settle().catch(() => undefined);
    await wal.close();
  }
}

describe('WAL property', () => {
  it('random saves, releases, reopens and a crash replay to the model', async () => {
    const seed = fcSeed();
    console.log(`fast-check seed ${seed}; reproduce: FLOTILLA_FC_SEED=${seed} node --test dist/store/wal/property.test.js`);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }), readyArb, fc.integer({ min: 0, max: 1000 }),
        async (ops, last, cutPerMille) => {
          await withTempDir('prop', (dir) => runScenario(join(dir, 'wal'), ops, last, cutPerMille));
          run++;
        }),
      { seed, numRuns: NUM_RUNS },
    );
    assert.equal(run, NUM_RUNS);
    console.log(`exercised: ${JSON.stringify(seen)}`);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Logger } from 'pino';
import { StallMonitor } from './stall-monitor.js';

function recorder(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = { warn: (fields: Record<string, unknown>) => { lines.push(fields); } } as unknown as Logger;
  return { log, lines };
}

const block = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* a blocked event loop */ }
};

test('a tick that comes late is logged with how late and what the member was doing; an on-time one is not', async () => {
  const { log, lines } = recorder();
  const m = new StallMonitor(10, log, () => ({ snapshot: 'encoding' }));
  m.start();
  try {
    m.tick();
    await new Promise((r) => setTimeout(r, 10));
    m.tick(); // on time
    block(400);
    m.tick(); // ~400 ms late
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    m.stop();
  }
  assert.equal(lines.length, 1, JSON.stringify(lines));
  assert.equal(lines[0]!['snapshot'], 'encoding');
  assert.ok((lines[0]!['lateMs'] as number) >= 300, JSON.stringify(lines[0]));
  assert.equal(typeof lines[0]!['gcMs'], 'number');
});

// Scenario tests as transcripts (the etcd-io/raft habit): each file in testdata/ is a
// sequence of commands, each followed by `----` and the exact output it produced —
// usually the messages it caused. Run with UPDATE_TRANSCRIPTS=1 to rewrite the expected
// output after an intended change, then read the diff.
//
// Commands:
//   cluster voters=1,2,3 [prevote=false] [checkquorum=false] [max-message-bytes=N] [bug=NAME]
//     followed by lines `ID: t1 t2 ... [term=T]` (the term of each log entry from index 1)
//   campaign ID | propose ID TEXT | read ID CTX | transfer FROM TO
//   deliver [ROUNDS]   deliver queued messages round by round (all rounds if omitted)
//   tick ID[,ID...] [N] | cut A B | isolate ID | heal | status
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemoryStorage } from './memory-storage.js';
import { describeMessage, storageWithTerms, TestCluster, text } from './testing/cluster.js';
import { EntryType, type Message, type SeededBug } from './types.js';

const testdata = fileURLToPath(new URL('../../../store/raft/testdata', import.meta.url));
const update = process.env['UPDATE_TRANSCRIPTS'] === '1';

interface Block {
  command: string[];
  expected: string;
}

function parse(content: string): { preamble: string; blocks: Block[] } {
  const lines = content.split('\n');
  const blocks: Block[] = [];
  let preamble = '';
  let i = 0;
  while (i < lines.length && (lines[i]!.startsWith('#') || lines[i]!.trim() === '')) preamble += lines[i++] + '\n';
  while (i < lines.length) {
    const command: string[] = [];
    while (i < lines.length && lines[i] !== '----') {
      if (lines[i]!.trim() !== '' || command.length > 0) command.push(lines[i]!);
      i++;
    }
    if (i >= lines.length) break;
    i++; // ----
    const out: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') out.push(lines[i++]!);
    while (i < lines.length && lines[i]!.trim() === '') i++;
    blocks.push({ command: command.filter((l) => l.trim() !== ''), expected: out.join('\n') });
  }
  return { preamble, blocks };
}

function formatRound(r: { delivered: Message[]; dropped: Message[] }): string[] {
  return [...r.delivered.map(describeMessage), ...r.dropped.map((m) => `${describeMessage(m)} (dropped)`)];
}

class Runner {
  cluster: TestCluster | undefined;

  get c(): TestCluster {
    if (!this.cluster) throw new Error('no cluster: start with a `cluster` command');
    return this.cluster;
  }

  run(lines: string[]): string {
    const command = lines.filter((l) => !l.startsWith('#'));
    const [verb, ...args] = command[0]!.trim().split(/\s+/);
    switch (verb) {
      case 'cluster':
        return this.#newCluster(args, command.slice(1));
      case 'campaign':
        this.c.member(args[0]!).node.campaign();
        this.c.processReady(args[0]!);
        return this.c.pending().map(describeMessage).join('\n') || 'ok';
      case 'propose': {
        const r = this.c.member(args[0]!).node.propose(text(args[1] ?? ''));
        this.c.processReady(args[0]!);
        return r.ok ? this.c.pending().map(describeMessage).join('\n') || 'ok' : `refused: ${r.reason.code}`;
      }
      case 'transfer': {
        const r = this.c.member(args[0]!).node.transferLeadership(args[1]!);
        this.c.processReady(args[0]!);
        return r.ok ? this.c.pending().map(describeMessage).join('\n') || 'ok' : `refused: ${r.reason.code}`;
      }
      case 'deliver':
        return this.#deliver(args[0] === undefined ? Infinity : Number(args[0]));
      case 'tick': {
        const ids = args[0]!.split(',');
        const n = Number(args[1] ?? 1);
        for (let t = 0; t < n; t++) for (const id of ids) this.c.member(id).node.tick();
        for (const id of ids) this.c.processReady(id);
        return this.c.pending().map(describeMessage).join('\n') || 'ok';
      }
      case 'cut':
        this.c.cut(args[0]!, args[1]!);
        return 'ok';
      case 'isolate':
        this.c.isolate(args[0]!);
        return 'ok';
      case 'heal':
        this.c.heal();
        return 'ok';
      case 'status':
        return this.#status();
      default:
        throw new Error(`unknown command ${verb}`);
    }
  }

  #newCluster(args: string[], logLines: string[]): string {
    const opts = Object.fromEntries(args.map((a) => a.split('=') as [string, string]));
    const voters = opts['voters']!.split(',');
    const storages: Record<string, MemoryStorage> = {};
    for (const line of logLines) {
      const [id, rest] = line.split(':') as [string, string];
      const words = rest.trim().split(/\s+/).filter((w) => w !== '');
      const termWord = words.find((w) => w.startsWith('term='));
      const terms = words.filter((w) => !w.startsWith('term=')).map(Number);
      storages[id.trim()] = storageWithTerms(terms, voters, termWord ? Number(termWord.slice(5)) : undefined);
    }
    this.cluster = new TestCluster(voters, {
      ...(logLines.length > 0 ? { storages } : {}),
      config: {
        preVote: opts['prevote'] !== 'false',
        checkQuorum: opts['checkquorum'] !== 'false',
        ...(opts['max-message-bytes'] ? { limits: { maxMessageBytes: Number(opts['max-message-bytes']) } } : {}),
        ...(opts['bug'] ? { seededBugs: new Set([opts['bug'] as SeededBug]) } : {}),
      },
    });
    return this.#status();
  }

  #deliver(rounds: number): string {
    const out: string[] = [];
    for (let r = 0; r < rounds && this.c.pending().length > 0; r++) out.push(...formatRound(this.c.deliverRound()));
    return out.join('\n') || 'ok';
  }

  #status(): string {
    const lines: string[] = [];
    for (const [id, m] of this.c.members) {
      const st = m.node.status();
      const ents = m.node.logEntries(st.firstIndex, st.lastIndex + 1);
      const log = ents === 'compacted' ? '?' : ents.map((e) => (e.type === EntryType.ConfChange ? `${e.term}c` : `${e.term}`));
      const applied = m.applied.map((e) => `${e.index}@${e.term}`).join(' ');
      lines.push(`${id}: ${st.role} term=${st.term} commit=${st.commit} log=[${log === '?' ? '?' : log.join(' ')}]`
        + (applied ? ` applied=[${applied}]` : ''));
    }
    return lines.join('\n');
  }
}

for (const file of readdirSync(testdata).filter((f) => f.endsWith('.txt')).sort()) {
  test(`scenario ${file}`, () => {
    const path = join(testdata, file);
    const { preamble, blocks } = parse(readFileSync(path, 'utf8'));
    const runner = new Runner();
    let rewritten = preamble;
    for (const block of blocks) {
      const actual = runner.run(block.command);
      rewritten += `${block.command.join('\n')}\n----\n${actual}\n\n`;
      if (!update) assert.equal(actual, block.expected, `${file}: after \`${block.command[0]}\``);
    }
    if (update) writeFileSync(path, rewritten.trimEnd() + '\n');
  });
}

#!/usr/bin/env node
// The `flotilla` command: runs the ahead-of-time compiled CLI (npm run build).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('flotilla is not built yet: run `npm ci` (or `npm run build`) in the checkout first.');
  process.exit(1);
}
await import(entry.href);

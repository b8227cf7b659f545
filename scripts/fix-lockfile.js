#!/usr/bin/env node
// Our package registry does not serve every platform build of optional native packages
// (msgpackr-extract's darwin/win32/linux-arm prebuilds answer 404). npm then writes a lock
// file whose packages list optional dependencies it has no entry for, and `npm ci` — what
// CI runs — refuses that lock as "out of sync". This prunes, from each locked package's
// optionalDependencies, the names the lock has no entry for. Run it after any
// `npm install` that changes package-lock.json:  npm run lock:fix
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const locked = new Set(Object.keys(lock.packages).map((k) => k.replace(/^.*node_modules\//, '')));
let pruned = 0;
for (const [name, entry] of Object.entries(lock.packages)) {
  if (!entry.optionalDependencies) continue;
  for (const dep of Object.keys(entry.optionalDependencies)) {
    if (locked.has(dep)) continue;
    delete entry.optionalDependencies[dep];
    pruned++;
    console.log(`pruned ${dep} from ${name || '(root)'}: not served by the registry, so not in the lock`);
  }
}
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(pruned === 0 ? 'package-lock.json: nothing to prune' : `package-lock.json: pruned ${pruned}`);

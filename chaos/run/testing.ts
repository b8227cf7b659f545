// Test helpers: where the experiment library is from a compiled test (dist/ or another
// --outDir keeps the YAML in the source tree, which the compiled module may not be beside).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function experimentsDir(): string {
  const candidates = [new URL('../experiments/', import.meta.url), new URL('../../../chaos/experiments/', import.meta.url),
    new URL(`file://${process.cwd()}/chaos/experiments/`)];
  for (const c of candidates) {
    try {
      const dir = fileURLToPath(c);
      if (readdirSync(dir).some((f) => f.endsWith('.yaml'))) return dir;
    } catch {
      // not there
    }
  }
  throw new Error('chaos/experiments/ not found: run the tests from the checkout');
}

// fast-check settings shared by this folder's property tests: the seed comes from FC_SEED
// (to replay a failure) or the clock, and each test file prints it.
export const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Date.now() % 2 ** 31;

export function params(numRuns: number): { seed: number; numRuns: number } {
  return { seed, numRuns: Number(process.env['FC_RUNS'] ?? numRuns) };
}

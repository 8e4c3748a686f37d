/**
 * The soak test (tests/soak.ts): 15 seconds in the test suite; `npm run soak` runs it for minutes
 * (WASMCONV_SOAK_SECONDS, WASMCONV_SOAK_SEED).
 */
import { expect, it } from 'vitest';
import { soak } from './soak.ts';

const seconds = Number(process.env.WASMCONV_SOAK_SECONDS ?? 15);
const seed = Number(process.env.WASMCONV_SOAK_SEED ?? 16);

it(`soak: ${seconds} s of concurrent calls, disposals, worker kills and memory growth (seed ${seed})`, async () => {
  const report = await soak(seconds, seed);
  console.log(`[soak] seed ${seed}: ${report.steps} steps, ${report.calls} calls, ${report.kills} worker kills, ${report.expectedErrors} calls ended by a disposal or kill`);
  expect(report.failures).toEqual([]);
  expect(report.calls).toBeGreaterThan(50);
}, (seconds + 60) * 1000);

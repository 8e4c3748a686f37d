/**
 * Property-based tests (fast-check): every public convolution function, its plan (run, runAsync,
 * outputShape, workspaceBytes) and its *Async form, on random valid parameters (tests/arbitraries.ts),
 * equal the float64 reference within the float32 tolerance. Runs on the backend of the vitest
 * project (WASMCONV_BACKEND).
 *
 * Sizes: the suite runs WASMCONV_FUZZ_RUNS cases per backend (default 2,000, shared between the
 * properties by weight); `npm run fuzz` (scripts/fuzz.mjs) runs this file with a long count.
 * Replay: WASMCONV_FUZZ_SEED (default 20240601 here; fuzz.mjs draws one and prints it),
 * WASMCONV_FUZZ_ONLY (one property by name) and WASMCONV_FUZZ_PATH (fast-check's counterexample
 * path); a failure prints the exact command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectClose } from './helpers.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';
import {
  buildConv, buildSeparable, buildSignal, buildTranspose, convArb, separableArb, signalArb, transposeArb, type BuiltCase,
} from './arbitraries.ts';

const env = process.env;
const TOTAL = env.WASMCONV_FUZZ_RUNS ? Number(env.WASMCONV_FUZZ_RUNS) : 2000;
const SEED = env.WASMCONV_FUZZ_SEED ? Number(env.WASMCONV_FUZZ_SEED) : 20240601;
const ONLY = env.WASMCONV_FUZZ_ONLY;
const PATH = env.WASMCONV_FUZZ_PATH;
if (!Number.isInteger(TOTAL) || TOTAL < 1) throw new Error(`WASMCONV_FUZZ_RUNS must be a positive integer, got '${env.WASMCONV_FUZZ_RUNS}'`);
if (!Number.isInteger(SEED)) throw new Error(`WASMCONV_FUZZ_SEED must be an integer, got '${env.WASMCONV_FUZZ_SEED}'`);

/** The properties, each with its share of the cases. */
const PROPERTIES: Array<{ name: string; weight: number; arb: fc.Arbitrary<unknown>; build: (p: never) => BuiltCase }> = [
  { name: 'conv1d', weight: 12, arb: convArb(1), build: buildConv },
  { name: 'conv2d', weight: 18, arb: convArb(2), build: buildConv },
  { name: 'conv3d', weight: 9, arb: convArb(3), build: buildConv },
  { name: 'convTranspose1d', weight: 8, arb: transposeArb(1), build: buildTranspose },
  { name: 'convTranspose2d', weight: 10, arb: transposeArb(2), build: buildTranspose },
  { name: 'convTranspose3d', weight: 7, arb: transposeArb(3), build: buildTranspose },
  { name: 'depthwiseConv2d', weight: 8, arb: separableArb('depthwise'), build: buildSeparable },
  { name: 'separableConv2d', weight: 8, arb: separableArb('separable'), build: buildSeparable },
  { name: 'spatiallySeparableConv2d', weight: 8, arb: separableArb('spatial'), build: buildSeparable },
  { name: 'convolve/correlate', weight: 12, arb: signalArb(), build: buildSignal },
];
const WEIGHTS = PROPERTIES.reduce((s, p) => s + p.weight, 0);
/** Cases per property: the weights' shares of TOTAL, the remainder to the first ones. */
const RUNS = (() => {
  const runs = PROPERTIES.map((p) => Math.floor((TOTAL * p.weight) / WEIGHTS));
  let left = TOTAL - runs.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % runs.length, left--) runs[i]++;
  return runs;
})();

if (PATH && !ONLY) throw new Error('WASMCONV_FUZZ_PATH replays one property: give its name in WASMCONV_FUZZ_ONLY too');
if (ONLY && !PROPERTIES.some((p) => p.name === ONLY)) {
  throw new Error(`WASMCONV_FUZZ_ONLY='${ONLY}' names no property; properties: ${PROPERTIES.map((p) => p.name).join(', ')}`);
}

let cases = 0;
const perProperty = new Map<string, number>();

async function check(c: BuiltCase): Promise<void> {
  const got = await c.run();
  expectClose(got, c.ref(), c.tol, c.label);
}

function replayCommand(name: string, seed: number, path: string): string {
  return `WASMCONV_FUZZ_SEED=${seed} WASMCONV_FUZZ_ONLY='${name}' WASMCONV_FUZZ_PATH='${path}' ` +
    `npx vitest run --project ${BACKEND} tests/fuzz.test.ts   (or: npm run fuzz -- --backend ${BACKEND} --seed ${seed} --only '${name}' --path '${path}')`;
}

describe.skipIf(!backendAvailable())(`fuzz: every function against the float64 reference on the ${BACKEND} backend`, () => {
  beforeAll(async () => {
    await readyBackend();
    console.log(`[fuzz] ${BACKEND}: ${ONLY ? `property '${ONLY}'` : `${TOTAL} cases`}, seed ${SEED}${PATH ? `, path ${PATH}` : ''} (replay with WASMCONV_FUZZ_SEED=${SEED})`);
  });

  afterAll(() => {
    const detail = [...perProperty].map(([n, c]) => `${n} ${c}`).join(', ');
    console.log(`[fuzz] ${BACKEND}: ${cases} cases checked against the reference (${detail})`);
  });

  PROPERTIES.forEach((prop, i) => {
    const runs = RUNS[i];
    const skip = ONLY !== undefined && ONLY !== prop.name;
    it.skipIf(skip)(`${prop.name}: ${PATH ? 'replay' : `${runs} random cases`}`, async () => {
      const property = fc.asyncProperty(prop.arb, async (params) => {
        cases++;
        perProperty.set(prop.name, (perProperty.get(prop.name) ?? 0) + 1);
        await check(prop.build(params as never));
      });
      const details = await fc.check(property, { numRuns: runs, seed: SEED, ...(PATH ? { path: PATH } : {}) });
      if (details.failed) {
        const report = fc.defaultReportMessage(details) ?? '';
        const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        throw new Error(`${prop.name} on ${BACKEND}: a case differs from the reference: ${error}\n` +
          `Replay: ${replayCommand(prop.name, details.seed, details.counterexamplePath ?? '')}\n\n${report}`);
      }
    }, Math.max(60_000, runs * 100));
  });

  it.skipIf(ONLY !== undefined || PATH !== undefined)(`ran at least ${TOTAL} cases`, () => {
    expect(cases).toBeGreaterThanOrEqual(TOTAL);
  });
});

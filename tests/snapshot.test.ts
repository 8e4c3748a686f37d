/**
 * A plan is a snapshot of its options: once it is created, the caller may change every option
 * object, array and buffer it passed (bias, padding, stride, dilation, activation, outputSize,
 * outputPadding...) and the plan computes what a plan made with the original values computes.
 * Every plan family and algorithm, including the GEMM fallbacks Winograd plans build lazily (an
 * input holding NaN; a dilated plan given an input whose size does not split into phase images).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { algorithmOf } from '../src/internal.ts';
import { expectClose, randomTensor, rng } from './helpers.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

type Options = Record<string, unknown>;
interface Family {
  name: string;
  /** The algorithm the plan runs the input on (algorithmOf with the input shape). */
  algorithm?: string;
  input: number[];
  /** Sets element 0 of the input to NaN (the Winograd plan's fallback takes it). */
  nan?: boolean;
  create(o: Options): wc.ConvPlan;
  /** Options with bias and activation of the given forms. */
  options(bias: unknown, activation: unknown): Options;
  /** Output channels (bias length). */
  channels: number;
}

const r = rng(2_2);
const t = (shape: number[]) => randomTensor(r, shape);

const w1 = t([4, 3, 3]), w1w = t([4, 16, 9]), w2 = t([4, 3, 3, 3]), w2w = t([4, 16, 3, 3]), w2d = t([6, 1, 3, 3]);
const w2g = t([4, 2, 3, 3]), w3 = t([2, 3, 2, 3, 3]), w3w = t([2, 8, 2, 3, 3]);
const wt1 = t([3, 2, 3]), wt2 = t([3, 2, 3, 3]), wt3 = t([3, 2, 2, 2, 2]);
const dw = t([6, 1, 3, 3]), pw = t([5, 6, 1, 1]), col = t([3, 3, 3, 1]), row = t([3, 1, 1, 3]);

const FAMILIES: Family[] = [
  { name: 'conv1d gemm', algorithm: 'gemm', input: [2, 3, 17], channels: 4, create: (o) => wc.createConv1d(w1, o),
    options: (bias, activation) => ({ bias, activation, padding: [[1, 2]], stride: [2], dilation: [1] }) },
  { name: 'conv1d winograd', algorithm: 'winograd', input: [1, 16, 40], channels: 4, create: (o) => wc.createConv1d(w1w, o),
    options: (bias, activation) => ({ bias, activation, padding: [4], stride: [1], dilation: [1] }) },
  { name: 'conv1d winograd NaN fallback', algorithm: 'winograd', nan: true, input: [1, 16, 40], channels: 4, create: (o) => wc.createConv1d(w1w, o),
    options: (bias, activation) => ({ bias, activation, padding: [[3, 5]] }) },
  { name: 'conv2d gemm', algorithm: 'gemm', input: [1, 3, 9, 8], channels: 4, create: (o) => wc.createConv2d(w2, o),
    options: (bias, activation) => ({ bias, activation, padding: [[1, 0], [2, 1]], stride: [2, 1], dilation: [1, 2], algorithm: 'gemm' }) },
  { name: 'conv2d winograd', algorithm: 'winograd', input: [1, 16, 10, 10], channels: 4, create: (o) => wc.createConv2d(w2w, o),
    options: (bias, activation) => ({ bias, activation, padding: [1, 1], stride: [1, 1] }) },
  { name: 'conv2d winograd NaN fallback', algorithm: 'winograd', nan: true, input: [1, 16, 10, 10], channels: 4, create: (o) => wc.createConv2d(w2w, o),
    options: (bias, activation) => ({ bias, activation, padding: [1, 1] }) },
  { name: 'conv2d dilated winograd, odd size fallback', algorithm: 'gemm', input: [1, 16, 11, 11], channels: 4, create: (o) => wc.createConv2d(w2w, o),
    options: (bias, activation) => ({ bias, activation, padding: [2, [2, 2]], dilation: [2, 2] }) },
  { name: 'conv2d winograd reflect', algorithm: 'winograd', input: [1, 16, 8, 9], channels: 4, create: (o) => wc.createConv2d(w2w, o),
    options: (bias, activation) => ({ bias, activation, padding: [[1, 2], [0, 1]], paddingMode: 'reflect', layout: 'NCHW' }) },
  { name: 'conv2d depthwise', algorithm: 'depthwise', input: [1, 6, 9, 9], channels: 6, create: (o) => wc.createConv2d(w2d, o),
    options: (bias, activation) => ({ bias, activation, padding: [1, 2], stride: [1, 2], groups: 6 }) },
  { name: 'conv2d grouped', algorithm: 'grouped', input: [1, 4, 9, 9], channels: 4, create: (o) => wc.createConv2d(w2g, o),
    options: (bias, activation) => ({ bias, activation, padding: [[1, 1], [1, 1]], dilation: [1, 1], groups: 2 }) },
  { name: 'conv3d gemm', algorithm: 'gemm', input: [1, 3, 4, 5, 5], channels: 2, create: (o) => wc.createConv3d(w3, o),
    options: (bias, activation) => ({ bias, activation, padding: [1, [0, 1], 1], stride: [1, 2, 1] }) },
  { name: 'conv3d winograd', algorithm: 'winograd', input: [1, 8, 4, 6, 6], channels: 2, create: (o) => wc.createConv3d(w3w, o),
    options: (bias, activation) => ({ bias, activation, padding: [0, 1, 1], stride: [2, 1, 1] }) },
  { name: 'convTranspose1d', algorithm: 'transposed', input: [1, 3, 7], channels: 2, create: (o) => wc.createConvTranspose1d(wt1, o),
    options: (bias, activation) => ({ bias, activation, padding: [[1, 0]], stride: [2], outputSize: [15] }) },
  { name: 'convTranspose2d', algorithm: 'transposed', input: [1, 3, 5, 6], channels: 2, create: (o) => wc.createConvTranspose2d(wt2, o),
    options: (bias, activation) => ({ bias, activation, padding: [1, [0, 1]], stride: [2, 3], outputPadding: [1, 2], dilation: [1, 1] }) },
  { name: 'convTranspose3d', algorithm: 'transposed', input: [1, 3, 3, 3, 3], channels: 2, create: (o) => wc.createConvTranspose3d(wt3, o),
    options: (bias, activation) => ({ bias, activation, stride: [2, 1, 2], outputSize: [7, 4, 7] }) },
  { name: 'depthwiseConv2d', input: [1, 3, 8, 8], channels: 6, create: (o) => wc.createDepthwiseConv2d(dw, o),
    options: (bias, activation) => ({ bias, activation, padding: [[1, 1], [2, 0]], stride: [1, 2], depthMultiplier: 2 }) },
  { name: 'separableConv2d', input: [1, 3, 8, 8], channels: 5, create: (o) => wc.createSeparableConv2d(dw, pw, o),
    options: (bias, activation) => ({ bias, activation, padding: [1, [1, 0]], dilation: [1, 2], depthMultiplier: 2, paddingMode: 'replicate' }) },
  { name: 'spatiallySeparableConv2d', input: [1, 3, 8, 8], channels: 3, create: (o) => wc.createSpatiallySeparableConv2d(col, row, o),
    options: (bias, activation) => ({ bias, activation, padding: [[1, 1], [0, 2]], stride: [1, 2], dilation: [2, 1] }) },
];

/** Changes every number, array element, buffer and object property reachable from `v`. */
function mutate(v: unknown, r: () => number): void {
  if (v === null || typeof v !== 'object') return;
  if (ArrayBuffer.isView(v)) {
    (v as Float32Array).fill(-50 + Math.floor(r() * 10));
    return;
  }
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    const e = o[key];
    if (typeof e === 'number') o[key] = r() < 0.5 ? 0 : e + 1 + Math.floor(r() * 3);
    else if (key === 'type') o[key] = e === 'clamp' ? 'leakyRelu' : 'clamp';
    else mutate(e, r);
  }
  if (Array.isArray(v) && r() < 0.3) v.push(1);
}

const biasArb = fc.constantFrom('none', 'f32', 'array', 'tensor');
const activationArb = fc.constantFrom<unknown>(
  undefined, 'relu', { type: 'clamp', min: -0.3, max: 0.4 }, { type: 'leakyRelu', alpha: 0.2 },
);

describe.runIf(backendAvailable())(`a plan is a snapshot of its options (${BACKEND})`, () => {
  beforeAll(readyBackend);

  it('mutating every option object after creation changes nothing, for every family and algorithm', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(FAMILIES.length - 1), biasArb, activationArb, fc.nat(), fc.boolean(), async (fi, biasKind, act, seed, async) => {
        const f = FAMILIES[fi];
        const br = rng(seed + 1);
        const values = Array.from({ length: f.channels }, () => br() * 2 - 1);
        const bias = biasKind === 'none' ? undefined : biasKind === 'f32' ? Float32Array.from(values)
          : biasKind === 'array' ? values : { data: Float32Array.from(values), shape: [f.channels] };
        const options = f.options(bias, structuredClone(act));
        const original = structuredClone(options);
        const x = randomTensor(rng(seed), f.input);
        if (f.nan) x.data[0] = NaN;
        const plan = f.create(options);
        const fresh = f.create(original);
        try {
          if (f.algorithm) expect(algorithmOf(plan, x.shape), f.name).toBe(f.algorithm);
          mutate(options, rng(seed + 2));
          const want = fresh.run(x);
          const got = async ? await plan.runAsync(x) : plan.run(x);
          expectClose(got, want, { atol: 0, rtol: 0 }, `${f.name}, bias ${biasKind}, activation ${JSON.stringify(act)}`);
          // Again after a second mutation (the fallback plan, built on the first run, is a snapshot too).
          mutate(options, rng(seed + 3));
          expectClose(plan.run(x), want, { atol: 0, rtol: 0 }, `${f.name} (second run)`);
        } finally {
          plan.dispose();
          fresh.dispose();
        }
      }),
      { numRuns: 150, seed: 16_2 },
    );
  });

  it('options read through getters are read once, at creation', () => {
    let reads = 0;
    const options = {
      get padding() {
        reads++;
        return reads === 1 ? 1 : 0;
      },
    };
    const plan = wc.createConv2d(w2w, options);
    const x = randomTensor(r, [1, 16, 10, 10]);
    x.data[3] = NaN;
    try {
      // The NaN input runs on the GEMM fallback, which must keep padding 1.
      expect(plan.run(x).shape).toEqual([1, 4, 10, 10]);
      expect(reads).toBe(1);
    } finally {
      plan.dispose();
    }
  });
});

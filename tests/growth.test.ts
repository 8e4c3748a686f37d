/**
 * Runs that grow the memory: on a fresh instance, a plan whose input and output are wasm tensors
 * filling the memory must allocate (the padded copy of a padding mode, reordered copies, the
 * workspace), which grows the memory and detaches every older view of it. Every algorithm and
 * padding mode, both layouts, must still compute what the reference computes: no view of wasm
 * memory may be held across an allocation.
 */
import { describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { algorithmOf } from '../src/internal.ts';
import { refConv, refConvTranspose } from './reference.ts';
import { expectClose, randomTensor, rng, tolFor } from './helpers.ts';
import { BACKEND, backendAvailable } from './backend.ts';
import { outerKernel } from './arbitraries.ts';

type Arr = { data: Float32Array; shape: number[] };
type Mode = 'zeros' | 'reflect' | 'replicate' | 'circular';
const MODES: Mode[] = ['zeros', 'reflect', 'replicate', 'circular'];

/** Channels-first [N, C, ...spatial] to channels-last. */
function toLast(t: Arr): Arr {
  const [N, C, ...sp] = t.shape;
  const S = sp.reduce((a, b) => a * b, 1);
  const data = new Float32Array(t.data.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) data[(n * S + s) * C + c] = t.data[(n * C + c) * S + s];
  return { data, shape: [N, ...sp, C] };
}

interface Case {
  name: string;
  /** Channels-first input shape. */
  input: number[];
  /** The plan for a padding mode and a layout. */
  plan(mode: Mode, last: boolean): wc.ConvPlan;
  /** The expected output, channels-first, for the channels-first input. */
  expected(x: Arr, mode: Mode): Arr;
  /** The algorithm the plan must use (algorithmOf), if a single-kernel plan. */
  algorithm?: string;
  modes?: Mode[];
  /** Rank (for the layout name). */
  rank: 1 | 2 | 3;
}

const r = rng(16_4);
const w = (shape: number[]) => randomTensor(r, shape);
const LAYOUT = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] } as const;

function convCase(name: string, rank: 1 | 2 | 3, input: number[], weight: Arr, opts: Record<string, unknown>, algorithm: string): Case {
  const create = rank === 1 ? wc.createConv1d : rank === 2 ? wc.createConv2d : wc.createConv3d;
  return {
    name, rank, input, algorithm,
    plan: (mode, last) => create(weight, { ...opts, paddingMode: mode, layout: LAYOUT[rank][last ? 1 : 0] } as never),
    expected: (x, mode) => refConv(x, weight, { ...opts, paddingMode: mode } as never),
  };
}

const dw = w([4, 1, 3, 3]), pw = w([3, 4, 1, 1]);
const col = w([2, 1, 5, 1]), row = w([2, 1, 1, 5]);
const tw = w([2, 3, 3, 3]);
const CASES: Case[] = [
  convCase('gemm 2-D', 2, [1, 2, 100, 100], w([3, 2, 3, 3]), { padding: 1, algorithm: 'gemm' }, 'gemm'),
  convCase('winograd 2-D', 2, [1, 16, 48, 48], w([4, 16, 3, 3]), { padding: 1 }, 'winograd'),
  convCase('winograd 2-D dilated', 2, [1, 16, 48, 48], w([4, 16, 3, 3]), { padding: 2, dilation: 2 }, 'winograd'),
  convCase('winograd 1-D', 1, [1, 16, 1200], w([2, 16, 9]), { padding: 4 }, 'winograd'),
  convCase('winograd 3-D', 3, [1, 8, 3, 30, 30], w([2, 8, 2, 3, 3]), { padding: 1 }, 'winograd'),
  convCase('depthwise', 2, [1, 2, 100, 100], w([2, 1, 3, 3]), { padding: 1, groups: 2 }, 'depthwise'),
  convCase('grouped', 2, [1, 4, 80, 80], w([4, 2, 3, 3]), { padding: 1, groups: 2 }, 'grouped'),
  {
    name: 'transposed', rank: 2, input: [1, 2, 100, 100], algorithm: 'transposed', modes: ['zeros'],
    plan: (_m, last) => wc.createConvTranspose2d(tw, { padding: 1, stride: 2, layout: last ? 'NHWC' : 'NCHW' }),
    expected: (x) => refConvTranspose(x, tw, { padding: 1, stride: 2 }),
  },
  {
    name: 'separable', rank: 2, input: [1, 2, 100, 100], algorithm: 'separable',
    plan: (mode, last) => wc.createSeparableConv2d(dw, pw, { padding: 1, paddingMode: mode, depthMultiplier: 2, layout: last ? 'NHWC' : 'NCHW' } as never),
    expected: (x, mode) => refConv(refConv(x, dw, { padding: 1, groups: 2, paddingMode: mode }), pw),
  },
  {
    name: 'spatially separable', rank: 2, input: [1, 2, 90, 90],
    plan: (mode, last) => wc.createSpatiallySeparableConv2d(col, row, { padding: 'same', groups: 2, paddingMode: mode, layout: last ? 'NHWC' : 'NCHW' }),
    expected: (x, mode) => refConv(x, outerKernel(col, row), { padding: 'same', groups: 2, paddingMode: mode }),
  },
];

describe.runIf(backendAvailable())(`runs that grow the memory (${BACKEND})`, () => {
  for (const c of CASES) {
    for (const mode of c.modes ?? MODES) {
      for (const last of [false, true]) {
        it(`${c.name}, paddingMode ${mode}, ${last ? 'channels-last' : 'channels-first'}: wasm-tensor input and output on a fresh instance`, async () => {
          wc.reset();
          await wc.ready({ backend: BACKEND });
          const x = randomTensor(r, c.input);
          const want = c.expected(x, mode);
          const plan = c.plan(mode, last);
          const xs = last ? toLast(x) : x;
          const expected = last ? toLast(want) : want;
          if (c.algorithm) expect(algorithmOf(plan, xs.shape)).toBe(c.algorithm);
          const input = wc.wasmTensor(xs.shape, xs.data);
          const output = wc.wasmTensor(plan.outputShape(xs.shape));
          const before = wc.memoryStats().memoryBytes;
          const y = plan.run(input, output);
          const grew = wc.memoryStats().memoryBytes > before;
          if (mode !== 'zeros') expect(grew, 'the run grows the memory').toBe(true);
          expect(y).toBe(output);
          expectClose({ data: output.data, shape: output.shape }, expected, tolFor(200), `${c.name} ${mode}`);
          // A plain output on a second fresh-shape run reads the same.
          expectClose(plan.run(input), expected, tolFor(200), `${c.name} ${mode} (second run)`);
          input.dispose();
          output.dispose();
          plan.dispose();
        });
      }
    }
  }
});

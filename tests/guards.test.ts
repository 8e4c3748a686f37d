/**
 * No stray writes: every kernel of every algorithm in src/algorithms/index.ts (gemmConv,
 * transposedConv, depthwiseConv, separableConv, winograd4Conv, winogradConv, groupedConv; the FFT
 * runs the transforms of assembly/fft.ts, checked in tests/fft.test.ts) is called directly on a descriptor
 * (assembly/descriptor.ts, the contract between the wrapper and the kernels) whose output and
 * workspace blocks are surrounded by guard bytes holding a sentinel pattern. After the call the
 * guards must be intact, every output element written (the output starts as the sentinel too) and
 * equal to the float64 reference. Calls are also made one work item at a time: each item must
 * write only its own part of the output, and together all of it.
 *
 * Odd sizes around the micro-kernel tiles (4 x 8) and the SIMD width: channels and output pixels
 * 1 to 17, both layouts, blocking parameters that split reductions and pixel blocks at every edge.
 * The weights are packed with the same exported packers the plans use; the descriptor is written
 * here slot by slot, independently of the plan.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Slot } from '../assembly/descriptor.ts';
import { runtime } from '../src/runtime.ts';
import { bindKernel } from '../src/kernels.ts';
import { KERNEL_NAMES } from '../src/algorithms/index.ts';
import { packWeights } from '../src/algorithms/gemm.ts';
import { packDepthwiseWeights } from '../src/algorithms/depthwise.ts';
import { packWinogradWeights, winogradBlocking } from '../src/algorithms/winograd.ts';
import { packGroupedWeights } from '../src/algorithms/grouped.ts';
import { packSeparableWeights, pointwiseOffset } from '../src/algorithms/separable.ts';
import { refConv, refConvTranspose, type RefResult } from './reference.ts';
import { randomTensor, rng, tolFor, type Rng } from './helpers.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

type T = { data: Float32Array; shape: number[] };
type Pair = [number, number];

/** Guard bytes on each side of the output and of the workspace. */
const GUARD = 256;
/** The sentinel byte (0xA5A5A5A5 as a float is about -2.9e-16, a value no kernel produces by chance). */
const SENTINEL = 0xa5;
/** Slack after the input: kernels may read (never write) up to 64 bytes past an input row. */
const INPUT_SLACK = 128;
const prod = (a: readonly number[]): number => a.reduce((p, v) => p * v, 1);
const align16 = (n: number) => Math.ceil(n / 16) * 16;
const to3 = (a: readonly number[], fill: number) => [...new Array(3 - a.length).fill(fill), ...a];

interface Job {
  label: string;
  /** The kernel's export name (its work items and workspace: `<kernel>Items`, `<kernel>WorkspaceBytes`). */
  kernel: string;
  /** Per-slot values (addresses are filled in by `run`). */
  slots: Partial<Record<Slot, number>>;
  activation?: { lo: number; hi: number; slope: number };
  input: Float32Array;
  weights: Float32Array;
  bias: Float32Array | null;
  outLength: number;
  ref(): RefResult;
  red: number;
  /** Bytes from the start of the weights block to the pointwise weights (separable only). */
  pointwiseOffset?: number;
}

/** The geometry slots of a forward or transposed problem (sizes per spatial axis, 1 to 3 axes). */
function geometrySlots(o: {
  channelsLast: boolean; N: number; C: number; K: number; inS: number[]; outS: number[]; k: number[];
  stride: number[]; dilation: number[]; padBegin: number[]; groups: number; blockK: number; blockP: number;
}): Partial<Record<Slot, number>> {
  const [iD, iH, iW] = to3(o.inS, 1), [oD, oH, oW] = to3(o.outS, 1), [kD, kH, kW] = to3(o.k, 1);
  const [sD, sH, sW] = to3(o.stride, 1), [dD, dH, dW] = to3(o.dilation, 1), [pD, pH, pW] = to3(o.padBegin, 0);
  return {
    [Slot.Layout]: o.channelsLast ? 1 : 0, [Slot.Batch]: o.N, [Slot.InChannels]: o.C, [Slot.OutChannels]: o.K,
    [Slot.InD]: iD, [Slot.InH]: iH, [Slot.InW]: iW, [Slot.OutD]: oD, [Slot.OutH]: oH, [Slot.OutW]: oW,
    [Slot.KernelD]: kD, [Slot.KernelH]: kH, [Slot.KernelW]: kW, [Slot.StrideD]: sD, [Slot.StrideH]: sH, [Slot.StrideW]: sW,
    [Slot.DilationD]: dD, [Slot.DilationH]: dH, [Slot.DilationW]: dW, [Slot.PadD]: pD, [Slot.PadH]: pH, [Slot.PadW]: pW,
    [Slot.Groups]: o.groups, [Slot.BlockK]: o.blockK, [Slot.BlockP]: o.blockP,
  };
}

const LAYOUT = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] } as const;

/** A forward convolution job for gemmConv (im2col GEMM), depthwiseConv, winogradConv, winograd4Conv or groupedConv. */
function forwardJob(r: Rng, kernel: 'gemmConv' | 'depthwiseConv' | 'winogradConv' | 'winograd4Conv' | 'groupedConv', o: {
  channelsLast: boolean; N: number; groups: number; cg: number; kg: number; inS: number[]; k: number[];
  stride: number[]; dilation: number[]; pads: Pair[]; blockK?: number; blockP?: number; bias: boolean; act: boolean;
}): Job {
  const rank = o.k.length;
  const C = o.cg * o.groups, K = o.kg * o.groups;
  const inS = fitInput(o.inS, o.k, o.dilation, o.pads);
  const outS = inS.map((n, i) => Math.floor((n + o.pads[i][0] + o.pads[i][1] - o.dilation[i] * (o.k[i] - 1) - 1) / o.stride[i]) + 1);
  const x = randomTensor(r, o.channelsLast ? [o.N, ...inS, C] : [o.N, C, ...inS]);
  const w = randomTensor(r, [K, o.cg, ...o.k]);
  const b = o.bias ? randomTensor(r, [K]).data : null;
  const red = o.cg * prod(o.k);
  let weights: Float32Array, blockK = o.blockK ?? red, blockP = o.blockP ?? 8;
  if (kernel === 'depthwiseConv') weights = packDepthwiseWeights(w.data, w.shape, o.channelsLast, false, o.kg);
  else if (kernel === 'groupedConv') weights = packGroupedWeights(w.data, w.shape, o.groups, o.channelsLast, false);
  else if (kernel === 'winogradConv' || kernel === 'winograd4Conv') {
    const tile = kernel === 'winogradConv' ? 2 : 4;
    weights = packWinogradWeights(w.data, w.shape, o.groups, o.channelsLast, false, tile);
    const wb = winogradBlocking(o.cg, o.kg, Math.ceil(outS[0] / tile) * Math.ceil(outS[1] / tile), 1, tile);
    blockK = o.blockK ?? wb.blockK;
    blockP = o.blockP ?? wb.blockP;
  } else weights = packWeights(w.data, w.shape, o.groups, false, o.channelsLast, false);
  const layout = LAYOUT[rank as 1 | 2 | 3][o.channelsLast ? 1 : 0];
  const activation = o.act ? { lo: -0.5, hi: 0.75, slope: 0.25 } : undefined;
  return {
    label: `${kernel} ${layout} N=${o.N} C=${C} K=${K} groups=${o.groups} in [${inS}] k [${o.k}] stride [${o.stride}] dilation [${o.dilation}] pads ${JSON.stringify(o.pads)} blockK ${blockK} blockP ${blockP}${b ? ' bias' : ''}${o.act ? ' act' : ''}`,
    kernel,
    slots: geometrySlots({ channelsLast: o.channelsLast, N: o.N, C, K, inS, outS, k: o.k, stride: o.stride, dilation: o.dilation, padBegin: o.pads.map((p) => p[0]), groups: o.groups, blockK, blockP }),
    activation,
    input: x.data,
    weights,
    bias: b,
    outLength: o.N * K * prod(outS),
    ref: () => activateRef(refConv(x, w, { layout, stride: o.stride, dilation: o.dilation, padding: o.pads, groups: o.groups, bias: b ?? undefined }), activation),
    red,
  };
}

/** Input sizes grown where needed so that the (dilated) kernel fits the padded input. */
function fitInput(inS: number[], k: number[], dilation: number[], pads: Pair[]): number[] {
  return inS.map((n, i) => Math.max(n, dilation[i] * (k[i] - 1) + 1 - pads[i][0] - pads[i][1], 1));
}

/** The reference of the activation used with `act` (slope 0.25, then clamp to [-0.5, 0.75]). */
function activateRef(y: RefResult, a: { lo: number; hi: number; slope: number } | undefined): RefResult {
  if (!a) return y;
  return { data: y.data.map((v) => Math.min(Math.max(v > 0 ? v : v * a.slope, a.lo), a.hi)), shape: y.shape };
}

function transposedJob(r: Rng, o: {
  channelsLast: boolean; N: number; groups: number; cg: number; kg: number; inS: number[]; k: number[];
  stride: number[]; dilation: number[]; pads: Pair[]; extra: number[]; blockK?: number; blockP?: number; bias: boolean; act: boolean;
}): Job {
  const rank = o.k.length;
  const C = o.cg * o.groups, K = o.kg * o.groups;
  const outS = o.inS.map((n, i) => (n - 1) * o.stride[i] - o.pads[i][0] - o.pads[i][1] + o.dilation[i] * (o.k[i] - 1) + 1 + o.extra[i]);
  const x = randomTensor(r, o.channelsLast ? [o.N, ...o.inS, C] : [o.N, C, ...o.inS]);
  const w = randomTensor(r, [C, o.kg, ...o.k]);
  const b = o.bias ? randomTensor(r, [K]).data : null;
  const layout = LAYOUT[rank as 1 | 2 | 3][o.channelsLast ? 1 : 0];
  const blockK = o.blockK ?? o.cg, blockP = o.blockP ?? 8;
  const activation = o.act ? { lo: -0.5, hi: 0.75, slope: 0.25 } : undefined;
  return {
    label: `transposedConv ${layout} N=${o.N} C=${C} K=${K} groups=${o.groups} in [${o.inS}] k [${o.k}] stride [${o.stride}] dilation [${o.dilation}] pads ${JSON.stringify(o.pads)} out [${outS}] blockK ${blockK} blockP ${blockP}${b ? ' bias' : ''}${o.act ? ' act' : ''}`,
    kernel: 'transposedConv',
    slots: geometrySlots({ channelsLast: o.channelsLast, N: o.N, C, K, inS: o.inS, outS, k: o.k, stride: o.stride, dilation: o.dilation, padBegin: o.pads.map((p) => p[0]), groups: o.groups, blockK, blockP }),
    activation,
    input: x.data,
    weights: packWeights(w.data, w.shape, o.groups, true, o.channelsLast, false),
    bias: b,
    outLength: o.N * K * prod(outS),
    ref: () => activateRef(refConvTranspose(x, w, { layout, stride: o.stride, dilation: o.dilation, padding: o.pads, outputSize: outS, groups: o.groups, bias: b ?? undefined }), activation),
    red: o.cg * prod(o.k),
  };
}

/** A fused depthwise-separable job: depthwise (multiplier m) then pointwise to K channels. */
function separableJob(r: Rng, o: {
  channelsLast: boolean; N: number; C: number; m: number; K: number; inS: number[]; k: number[];
  stride: number[]; dilation: number[]; pads: Pair[]; blockK?: number; blockP?: number; bias: boolean; act: boolean;
}): Job {
  const mid = o.C * o.m;
  const inS = fitInput(o.inS, o.k, o.dilation, o.pads);
  const outS = inS.map((n, i) => Math.floor((n + o.pads[i][0] + o.pads[i][1] - o.dilation[i] * (o.k[i] - 1) - 1) / o.stride[i]) + 1);
  const x = randomTensor(r, o.channelsLast ? [o.N, ...inS, o.C] : [o.N, o.C, ...inS]);
  const dw = randomTensor(r, [mid, 1, ...o.k]);
  const pw = randomTensor(r, [o.K, mid, 1, 1]);
  const b = o.bias ? randomTensor(r, [o.K]).data : null;
  const taps = prod(o.k);
  // Depthwise filters [mid][taps] or [taps][mid], padded to 4 floats, then the pointwise panels.
  const weights = packSeparableWeights(dw.data, dw.shape, pw, o.channelsLast, false);
  const layout = o.channelsLast ? 'NHWC' : 'NCHW';
  const blockK = o.blockK ?? mid, blockP = o.blockP ?? 8;
  const activation = o.act ? { lo: -0.5, hi: 0.75, slope: 0.25 } : undefined;
  return {
    label: `separableConv ${layout} N=${o.N} C=${o.C} m=${o.m} K=${o.K} in [${inS}] k [${o.k}] stride [${o.stride}] dilation [${o.dilation}] pads ${JSON.stringify(o.pads)} blockK ${blockK} blockP ${blockP}${b ? ' bias' : ''}${o.act ? ' act' : ''}`,
    kernel: 'separableConv',
    slots: {
      ...geometrySlots({ channelsLast: o.channelsLast, N: o.N, C: o.C, K: o.K, inS, outS, k: o.k, stride: o.stride, dilation: o.dilation, padBegin: o.pads.map((p) => p[0]), groups: o.C, blockK, blockP }),
      [Slot.MidChannels]: mid,
    },
    pointwiseOffset: pointwiseOffset(mid, taps),
    activation,
    input: x.data,
    weights,
    bias: b,
    outLength: o.N * o.K * prod(outS),
    ref: () => {
      const m = refConv(x, dw, { layout, stride: o.stride, dilation: o.dilation, padding: o.pads, groups: o.C });
      return activateRef(refConv(m, pw, { layout, bias: b ?? undefined }), activation);
    },
    red: taps * mid,
  };
}

/**
 * Runs a job: whole (one call over every work item) and then item by item, each time with the
 * output and the workspace between guards. Returns what went wrong (empty when nothing did).
 */
function run(job: Job): string[] {
  const rt = runtime('guards test');
  const { arena, kernels } = rt;
  const problems: string[] = [];
  const blocks: number[] = [];
  const alloc = (bytes: number) => {
    const p = arena.alloc(bytes, 'the guard test');
    blocks.push(p);
    return p;
  };
  try {
    const desc = alloc(Slot.Count * 4);
    const input = alloc(job.input.length * 4 + INPUT_SLACK);
    const weights = alloc(job.weights.length * 4 + 16);
    const bias = job.bias ? alloc((job.bias.length + 8) * 4) : 0;
    arena.f32(input, job.input.length).set(job.input);
    arena.f32(input + job.input.length * 4, INPUT_SLACK / 4).fill(0.5);
    arena.f32(weights, job.weights.length).set(job.weights);
    if (job.bias) {
      const v = arena.f32(bias, job.bias.length + 8);
      v.fill(0);
      v.set(job.bias);
    }
    const writeDescriptor = () => {
      const d = arena.i32(desc, Slot.Count);
      const f = arena.f32(desc, Slot.Count);
      d.fill(0);
      for (const [slot, v] of Object.entries(job.slots)) d[Number(slot)] = v as number;
      d[Slot.Input] = input;
      d[Slot.Weights] = weights;
      d[Slot.Bias] = bias;
      if (job.pointwiseOffset !== undefined) d[Slot.PointwiseWeights] = weights + job.pointwiseOffset;
      d[Slot.HasActivation] = job.activation ? 1 : 0;
      f[Slot.ActLo] = job.activation?.lo ?? -Infinity;
      f[Slot.ActHi] = job.activation?.hi ?? Infinity;
      f[Slot.ActSlope] = job.activation?.slope ?? 1;
    };
    writeDescriptor();
    const kernel = bindKernel(kernels, job.kernel, 0);
    const items = kernel.items(desc);
    const wsBytes = align16(kernel.workspaceBytes(desc));
    const outBytes = align16(job.outLength * 4);
    // [guard][output][guard][workspace][guard]
    const region = alloc(GUARD + outBytes + GUARD + wsBytes + GUARD);
    const output = region + GUARD;
    const workspace = output + outBytes + GUARD;
    const bytes = () => new Uint8Array(kernels.memory.buffer, region, GUARD + outBytes + GUARD + wsBytes + GUARD);
    // A workspace may hold anything on entry: it starts as NaN bytes before every call, so a read
    // of a byte the kernel did not write first shows in the output.
    const garbageWorkspace = () => new Uint8Array(kernels.memory.buffer, workspace, wsBytes).fill(0xff);
    const fresh = () => {
      bytes().fill(SENTINEL);
      garbageWorkspace();
    };
    const guardsIntact = (when: string) => {
      const b = bytes();
      const ranges: Array<[string, number, number]> = [
        ['before the output', 0, GUARD], ['after the output', GUARD + job.outLength * 4, GUARD + outBytes + GUARD],
        ['after the workspace', GUARD + outBytes + GUARD + wsBytes, b.length],
      ];
      for (const [where, from, to] of ranges) {
        for (let i = from; i < to; i++) {
          if (b[i] !== SENTINEL) {
            problems.push(`${when}: a byte ${where} was written (offset ${i - from} of ${to - from})`);
            break;
          }
        }
      }
    };
    const sentinelFloat = new Float32Array(new Uint8Array(4).fill(SENTINEL).buffer)[0];
    const outputNow = () => arena.f32(output, job.outLength).slice();

    // 1. The whole job in one call.
    fresh();
    writeDescriptor();
    const d = arena.i32(desc, Slot.Count);
    d[Slot.Output] = output;
    d[Slot.Workspace] = workspace;
    d[Slot.WorkBegin] = 0;
    d[Slot.WorkEnd] = items;
    kernel.run(desc);
    guardsIntact('whole job');
    const got = outputNow();
    const unwritten = got.findIndex((v) => Object.is(v, sentinelFloat));
    if (unwritten >= 0) problems.push(`whole job: output element ${unwritten} was never written`);
    const want = job.ref();
    const tol = tolFor(job.red);
    let bad = 0, first = -1;
    for (let i = 0; i < want.data.length; i++) {
      if (!(Math.abs(got[i] - want.data[i]) <= tol.atol + tol.rtol * Math.abs(want.data[i])) && bad++ === 0) first = i;
    }
    if (got.length !== want.data.length) problems.push(`output has ${got.length} elements, the reference ${want.data.length}`);
    else if (bad) problems.push(`whole job: ${bad} of ${got.length} elements differ from the reference; first at ${first}: ${got[first]} against ${want.data[first]}`);

    // 2. Item by item: each writes only its share; together, everything.
    if (items > 1) {
      fresh();
      const owner = new Int32Array(job.outLength).fill(-1);
      for (let item = 0; item < items; item++) {
        b0: {
          const before = outputNow();
          const dd = arena.i32(desc, Slot.Count);
          dd[Slot.WorkBegin] = item;
          dd[Slot.WorkEnd] = item + 1;
          garbageWorkspace();
          kernel.run(desc);
          guardsIntact(`item ${item} of ${items}`);
          const after = outputNow();
          for (let i = 0; i < after.length; i++) {
            if (Object.is(after[i], before[i]) || (Number.isNaN(after[i]) && Number.isNaN(before[i]))) continue;
            if (owner[i] >= 0) {
              problems.push(`item ${item} of ${items} wrote output element ${i}, which item ${owner[i]} wrote`);
              break b0;
            }
            owner[i] = item;
          }
        }
      }
      const missed = owner.indexOf(-1);
      if (missed >= 0 && !Object.is(got[missed], sentinelFloat)) problems.push(`no item wrote output element ${missed}`);
      const itemized = outputNow();
      const differs = itemized.findIndex((v, i) => !(Math.abs(v - got[i]) <= 1e-6 + 1e-6 * Math.abs(got[i])));
      if (differs >= 0) problems.push(`item by item, element ${differs} is ${itemized[differs]}, in one call ${got[differs]}`);
    }
  } finally {
    for (const b of blocks.reverse()) arena.release(b);
  }
  return problems.map((p) => `${job.label}: ${p}`);
}

/** Guard cases per kernel: every kernel of every algorithm must have some (see the first test). */
const CASES: Record<string, { title: string; jobs(): Job[] }> = {
  gemmConv: {
    title: 'channels and pixels 1 to 17, both layouts, reductions and pixel blocks split at every edge',
    jobs() {
      const r = rng(1);
      const jobs: Job[] = [];
      for (const channelsLast of [false, true]) {
        for (let c = 1; c <= 17; c++) {
          const cout = ((c * 7) % 17) + 1;
          const width = ((c * 5) % 17) + 1;
          // 1-D: width output pixels; 2-D with a 3x3 kernel and padding; 3-D pointwise; grouped.
          jobs.push(forwardJob(r, 'gemmConv', { channelsLast, N: 1 + (c % 2), groups: 1, cg: c, kg: cout, inS: [width], k: [1], stride: [1], dilation: [1], pads: [[0, 0]], bias: c % 3 === 0, act: c % 4 === 0, blockP: 8 * (1 + (c % 3)) }));
          jobs.push(forwardJob(r, 'gemmConv', { channelsLast, N: 1, groups: 1, cg: c, kg: cout, inS: [1 + (c % 4), width], k: [3, 3], stride: [1, 1 + (c % 2)], dilation: [1, 1], pads: [[1, 1], [1, 2]], bias: true, act: c % 2 === 0, blockK: 1 + ((c * 5) % 11), blockP: 8 }));
          jobs.push(forwardJob(r, 'gemmConv', { channelsLast, N: 2, groups: 1, cg: c, kg: cout, inS: [2, 1, width], k: [1, 1, 1], stride: [1, 1, 1], dilation: [1, 1, 1], pads: [[0, 0], [0, 0], [0, 0]], bias: c % 2 === 1, act: false }));
          jobs.push(forwardJob(r, 'gemmConv', { channelsLast, N: 1, groups: 2 + (c % 2), cg: 1 + (c % 5), kg: 1 + (c % 6), inS: [width + 2], k: [3], stride: [2], dilation: [1 + (c % 2)], pads: [[2, 0]], bias: true, act: true, blockK: 2, blockP: 16 }));
        }
      }
      return jobs;
    },
  },
  transposedConv: {
    title: 'channels and pixels 1 to 17, both layouts, strides, output padding',
    jobs() {
      const r = rng(2);
      const jobs: Job[] = [];
      for (const channelsLast of [false, true]) {
        for (let c = 1; c <= 17; c++) {
          const cout = ((c * 7) % 17) + 1;
          const width = ((c * 5) % 17) + 1;
          jobs.push(transposedJob(r, { channelsLast, N: 1 + (c % 2), groups: 1, cg: c, kg: cout, inS: [width], k: [1 + (c % 4)], stride: [1 + (c % 3)], dilation: [1], pads: [[0, 0]], extra: [c % 2], bias: c % 2 === 0, act: c % 3 === 0, blockP: 8 * (1 + (c % 2)) }));
          jobs.push(transposedJob(r, { channelsLast, N: 1, groups: 1 + (c % 3), cg: 1 + (c % 5), kg: 1 + (c % 4), inS: [1 + (c % 3), 1 + (c % 5)], k: [3, 2], stride: [2, 1 + (c % 2)], dilation: [1, 1 + (c % 2)], pads: [[1, 0], [0, 1]], extra: [1, 0], bias: true, act: true, blockK: 1 + (c % 3), blockP: 8 }));
          jobs.push(transposedJob(r, { channelsLast, N: 1, groups: 1, cg: c, kg: 1 + (c % 3), inS: [1, 2, 1 + (c % 3)], k: [2, 2, 2], stride: [2, 2, 2], dilation: [1, 1, 1], pads: [[0, 0], [0, 1], [1, 0]], extra: [0, 1, 0], bias: c % 2 === 1, act: false }));
        }
      }
      return jobs;
    },
  },
  depthwiseConv: {
    title: 'channels 1 to 17, multipliers, widths 1 to 17, both layouts, every stride and dilation path',
    jobs() {
      const r = rng(3);
      const jobs: Job[] = [];
      for (const channelsLast of [false, true]) {
        for (let c = 1; c <= 17; c++) {
          const width = ((c * 5) % 17) + 1;
          const m = 1 + (c % 3);
          jobs.push(forwardJob(r, 'depthwiseConv', { channelsLast, N: 1, groups: c, cg: 1, kg: m, inS: [1 + (c % 5), width], k: [3, 3], stride: [1, 1], dilation: [1, 1], pads: [[1, 1], [1, 1]], bias: c % 2 === 0, act: c % 3 === 0 }));
          jobs.push(forwardJob(r, 'depthwiseConv', { channelsLast, N: 1 + (c % 2), groups: c, cg: 1, kg: 1, inS: [2 + (c % 4), width + 1], k: [3, 3], stride: [2, 2], dilation: [1, 1], pads: [[1, 1], [1, 0]], bias: true, act: false }));
          jobs.push(forwardJob(r, 'depthwiseConv', { channelsLast, N: 1, groups: c, cg: 1, kg: m, inS: [3 + (c % 3), width + 4], k: [1 + (c % 5), 2 + (c % 3)], stride: [1 + (c % 2), 1 + (c % 3)], dilation: [1 + (c % 2), 1], pads: [[c % 3, 1], [2, c % 2]], bias: c % 2 === 1, act: true }));
          jobs.push(forwardJob(r, 'depthwiseConv', { channelsLast, N: 1, groups: c, cg: 1, kg: 1, inS: [width + 2], k: [3], stride: [1], dilation: [1], pads: [[1, 1]], bias: false, act: false }));
          jobs.push(forwardJob(r, 'depthwiseConv', { channelsLast, N: 1, groups: c, cg: 1, kg: 1, inS: [2, 3, width], k: [2, 2, 2], stride: [1, 1, 2], dilation: [1, 1, 1], pads: [[0, 1], [1, 0], [1, 1]], bias: true, act: false }));
        }
      }
      return jobs;
    },
  },
  winograd4Conv: {
    title: 'tiles 1 to 10 wide (widths 1 to 40: edge, gathered and direct 4-tile groups), channels past 16, both layouts, blocks of tiles and channels',
    jobs() {
      const r = rng(15);
      const jobs: Job[] = [];
      for (const channelsLast of [false, true]) {
        for (let c = 1; c <= 17; c++) {
          const width = ((c * 11) % 40) + 1;
          const K = ((c * 7) % 17) + 1;
          jobs.push(forwardJob(r, 'winograd4Conv', { channelsLast, N: 1 + (c % 2), groups: 1, cg: 15 + (c % 4), kg: K, inS: [1 + (c % 9), width], k: [3, 3], stride: [1, 1], dilation: [1, 1], pads: [[1, 1], [1, 1]], bias: c % 2 === 0, act: c % 3 === 0 }));
          jobs.push(forwardJob(r, 'winograd4Conv', { channelsLast, N: 1, groups: 1 + (c % 2), cg: 16, kg: 1 + (c % 9), inS: [3 + (c % 7), width + 2], k: [3, 3], stride: [1, 1], dilation: [1, 1], pads: [[c % 2, 0], [0, c % 3 === 0 ? 1 : 0]], bias: true, act: c % 2 === 1, blockK: 1 + (c % 7), blockP: 8 }));
        }
      }
      return jobs;
    },
  },
  separableConv: {
    title: 'channels 1 to 17, multipliers, pointwise widths, both layouts, reduction blocks',
    jobs() {
      const r = rng(4);
      const jobs: Job[] = [];
      for (const channelsLast of [false, true]) {
        for (let c = 1; c <= 17; c++) {
          const width = ((c * 5) % 17) + 1;
          const K = ((c * 7) % 17) + 1;
          jobs.push(separableJob(r, { channelsLast, N: 1 + (c % 2), C: c, m: 1 + (c % 2), K, inS: [1 + (c % 4), width], k: [3, 3], stride: [1, 1], dilation: [1, 1], pads: [[1, 1], [1, 1]], bias: c % 2 === 0, act: c % 3 === 0 }));
          jobs.push(separableJob(r, { channelsLast, N: 1, C: c, m: 1, K, inS: [3, width + 2], k: [3, 2], stride: [2, 1 + (c % 2)], dilation: [1, 1 + (c % 2)], pads: [[1, 0], [0, 1]], bias: true, act: true, blockK: 1 + (c % 4), blockP: 8 * (1 + (c % 2)) }));
        }
      }
      return jobs;
    },
  },
  winogradConv: {
    title: 'tiles 1 to 17 wide, channels past 16, both layouts, blocks of tiles and channels',
    jobs() {
      const r = rng(5);
      const jobs: Job[] = [];
      for (const channelsLast of [false, true]) {
        for (let c = 1; c <= 17; c++) {
          const width = ((c * 5) % 17) + 1;
          const K = ((c * 7) % 17) + 1;
          jobs.push(forwardJob(r, 'winogradConv', { channelsLast, N: 1 + (c % 2), groups: 1, cg: 15 + (c % 4), kg: K, inS: [1 + (c % 6), width], k: [3, 3], stride: [1, 1], dilation: [1, 1], pads: [[1, 1], [1, 1]], bias: c % 2 === 0, act: c % 3 === 0 }));
          jobs.push(forwardJob(r, 'winogradConv', { channelsLast, N: 1, groups: 1 + (c % 2), cg: 16, kg: 1 + (c % 9), inS: [3 + (c % 4), width + 2], k: [3, 3], stride: [1, 1], dilation: [1, 1], pads: [[c % 2, 0], [0, c % 3 === 0 ? 1 : 0]], bias: true, act: c % 2 === 1, blockK: 1 + (c % 7), blockP: 8 }));
        }
      }
      return jobs;
    },
  },
  groupedConv: {
    title: 'channels per group 1 to 9, output channels 1 to 17, widths 1 to 17, both layouts, any geometry, workspace not zeroed',
    jobs() {
      const r = rng(6);
      const jobs: Job[] = [];
      for (const channelsLast of [false, true]) {
        for (let c = 1; c <= 17; c++) {
          const width = ((c * 5) % 17) + 1;
          const cg = 1 + (c % 9), kg = ((c * 7) % 17) + 1;
          jobs.push(forwardJob(r, 'groupedConv', { channelsLast, N: 1 + (c % 2), groups: 2 + (c % 3), cg, kg, inS: [1 + (c % 5), width], k: [3, 3], stride: [1, 1], dilation: [1, 1], pads: [[1, 1], [1, 1]], bias: c % 2 === 0, act: c % 3 === 0 }));
          jobs.push(forwardJob(r, 'groupedConv', { channelsLast, N: 1, groups: 2, cg: 4 * (1 + (c % 2)), kg: 1 + (c % 5), inS: [2 + (c % 4), width + 1], k: [3, 3], stride: [2, 1 + (c % 3)], dilation: [1, 1], pads: [[1, 1], [1, 0]], bias: true, act: false }));
          jobs.push(forwardJob(r, 'groupedConv', { channelsLast, N: 1, groups: 3, cg, kg: 1 + (c % 6), inS: [3 + (c % 3), width + 4], k: [1 + (c % 5), 2 + (c % 3)], stride: [1 + (c % 2), 1 + (c % 3)], dilation: [1 + (c % 2), 1 + (c % 2)], pads: [[c % 3, 1], [2, c % 2]], bias: c % 2 === 1, act: true }));
          jobs.push(forwardJob(r, 'groupedConv', { channelsLast, N: 1, groups: 2, cg, kg, inS: [width + 70], k: [3], stride: [1], dilation: [1], pads: [[1, 1]], bias: false, act: false }));
          jobs.push(forwardJob(r, 'groupedConv', { channelsLast, N: 1, groups: 2, cg: 1 + (c % 4), kg: 1 + (c % 5), inS: [2, 3, width], k: [2, 2, 2], stride: [1, 1, 2], dilation: [1, 1, 1], pads: [[0, 1], [1, 0], [1, 1]], bias: true, act: false }));
        }
      }
      return jobs;
    },
  },
};

describe.skipIf(!backendAvailable())(`guards: no kernel writes outside its output and workspace on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  const check = (jobs: Job[]) => {
    const used = runtime('guards test').arena.usedBytes;
    const problems = jobs.flatMap(run);
    expect(runtime('guards test').arena.usedBytes).toBe(used);
    expect(problems, `${problems.length} problems in ${jobs.length} jobs:\n  ${problems.slice(0, 40).join('\n  ')}`).toEqual([]);
  };

  it('the tested kernels are every kernel the plans call', () => {
    expect([...KERNEL_NAMES].sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const kernel of KERNEL_NAMES) {
    const cases = CASES[kernel];
    it(`${kernel}: ${cases?.title ?? 'guard cases'}`, () => {
      expect(cases, `guard cases for ${kernel}`).toBeDefined();
      check(cases.jobs());
    });
  }
});

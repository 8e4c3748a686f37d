/**
 * Random convolution cases for the sweeps: shapes around the micro-kernel tiles (4 rows x 8
 * columns of the GEMM: channel and pixel counts equal to, below, above and not divisible by
 * them), long reductions that split into several blocks, every option.
 */
import { randInt, randomTensor } from './helpers.ts';

type Rng = () => number;
const pick = <T>(r: Rng, a: readonly T[]): T => a[Math.floor(r() * a.length)];

export const ACTIVATIONS = [
  undefined, 'relu', 'relu6', 'leakyRelu', { type: 'leakyRelu', alpha: 0.2 }, { type: 'clamp', min: -0.5, max: 0.7 },
] as const;
const CHANNELS = [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17];
const LAYOUTS: Record<number, [string, string]> = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };

export interface ConvCase {
  label: string;
  x: { data: Float32Array; shape: number[] };
  w: { data: Float32Array; shape: number[] };
  options: Record<string, unknown>;
  reduction: number;
}

/** A random valid forward-convolution case of the given rank. */
export function convCase(r: Rng, rank: number, extra: { paddingModes?: boolean; flip?: boolean } = {}): ConvCase {
  for (;;) {
    const groups = pick(r, [1, 1, 1, 2, 3]);
    const cg = pick(r, CHANNELS.slice(0, rank === 3 ? 7 : 11));
    const kg = pick(r, CHANNELS);
    const N = pick(r, [1, 1, 2, 3]);
    const maxK = rank === 3 ? 3 : rank === 2 ? 5 : 9;
    const k = Array.from({ length: rank }, () => randInt(r, 1, maxK));
    const stride = Array.from({ length: rank }, () => pick(r, [1, 1, 2, 3]));
    const dilation = Array.from({ length: rank }, () => pick(r, [1, 1, 1, 2]));
    const maxIn = rank === 3 ? 7 : rank === 2 ? 19 : 70;
    const size = Array.from({ length: rank }, () => randInt(r, 1, maxIn));
    const padKind = pick(r, ['none', 'number', 'perAxis', 'pairs', 'same', 'valid']);
    let padding: unknown;
    let pads: Array<[number, number]> = size.map(() => [0, 0]);
    if (padKind === 'number') { const p = randInt(r, 0, 3); padding = p; pads = size.map(() => [p, p]); }
    else if (padKind === 'perAxis') { pads = size.map(() => { const p = randInt(r, 0, 3); return [p, p]; }); padding = pads.map((p) => p[0]); }
    else if (padKind === 'pairs') { pads = size.map(() => [randInt(r, 0, 3), randInt(r, 0, 3)]); padding = pads; }
    else if (padKind === 'same') { padding = 'same'; pads = size.map(() => [maxIn, maxIn]); }
    else if (padKind === 'valid') padding = 'valid';
    // Skip geometry that is invalid (kernel larger than the padded input).
    if (size.some((n, i) => n + pads[i][0] + pads[i][1] < dilation[i] * (k[i] - 1) + 1)) continue;
    const options: Record<string, unknown> = { stride, dilation, groups };
    if (padding !== undefined) options.padding = padding;
    const channelsLast = r() < 0.5;
    options.layout = LAYOUTS[rank][channelsLast ? 1 : 0];
    if (r() < 0.6) options.bias = randomTensor(r, [kg * groups]).data;
    const act = pick(r, ACTIVATIONS);
    if (act !== undefined) options.activation = act;
    if (extra.flip && r() < 0.3) options.flip = true;
    if (extra.paddingModes && padKind !== 'same' && r() < 0.4) {
      const mode = pick(r, ['reflect', 'replicate', 'circular']);
      if (pads.every((p, i) => p[0] < size[i] && p[1] < size[i])) options.paddingMode = mode;
    }
    const C = cg * groups;
    const xShape = channelsLast ? [N, ...size, C] : [N, C, ...size];
    const wShape = [kg * groups, cg, ...k];
    return {
      label: JSON.stringify({ x: xShape, w: wShape, ...options, bias: options.bias ? 'yes' : 'no' }),
      x: randomTensor(r, xShape),
      w: randomTensor(r, wShape),
      options,
      reduction: cg * k.reduce((a, b) => a * b, 1),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Wider sweeps: depthwise groups with depth multipliers, padding modes with every padding form
// (including 'same'), stride and dilation as numbers or per axis, and transposed convolution.
// ---------------------------------------------------------------------------------------------

const prod = (a: readonly number[]): number => a.reduce((p, v) => p * v, 1);

/** 'same' padding as the library and the reference work it out (TensorFlow / ONNX SAME_UPPER). */
export function samePadsOf(n: number, k: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(n / stride);
  const total = Math.max(0, (out - 1) * stride + dilation * (k - 1) + 1 - n);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

/** A number when every axis has the same value (half of the time), else one value per axis. */
function perAxisOption(r: Rng, v: number[]): number | number[] {
  return v.every((e) => e === v[0]) && r() < 0.5 ? v[0] : v;
}

export interface SweepLimits {
  /** Probability of a depthwise case (groups == channels, depth multiplier 1 to 3). */
  depthwise?: number;
  /** Upper bound of N * Cout * output pixels * reduction (keeps the float64 reference fast). */
  maxCost?: number;
  /** Force the layout: false channels-first, true channels-last; random when undefined. */
  channelsLast?: boolean;
}

/**
 * A random valid forward-convolution case of the given rank over every option: groups
 * (including depthwise with multipliers 1 to 3), stride, dilation, every padding form, every
 * padding mode (with every padding form the mode allows), flip, bias, activation, batch > 1.
 */
export function convSweepCase(r: Rng, rank: number, limits: SweepLimits = {}): ConvCase {
  const maxCost = limits.maxCost ?? (rank === 3 ? 120_000 : 200_000);
  const depthwiseP = limits.depthwise ?? 0.25;
  for (;;) {
    const depthwise = r() < depthwiseP;
    let groups: number, cg: number, kg: number;
    if (depthwise) {
      groups = pick(r, [1, 2, 3, 4, 5, 8, 9, 12, 16, 17]);
      cg = 1;
      kg = randInt(r, 1, 3);
    } else {
      groups = pick(r, [1, 1, 1, 2, 3, 4]);
      cg = pick(r, CHANNELS.slice(0, rank === 3 ? 7 : 11));
      kg = pick(r, CHANNELS);
    }
    const N = pick(r, [1, 1, 2, 3]);
    const maxK = rank === 3 ? 3 : rank === 2 ? 5 : 9;
    const k = Array.from({ length: rank }, () => randInt(r, 1, maxK));
    const stride = Array.from({ length: rank }, () => pick(r, [1, 1, 2, 3, 4]));
    const dilation = Array.from({ length: rank }, () => pick(r, [1, 1, 1, 2, 3]));
    const maxIn = rank === 3 ? 7 : rank === 2 ? 19 : 70;
    const size = Array.from({ length: rank }, () => randInt(r, 1, maxIn));
    const padKind = pick(r, ['none', 'number', 'perAxis', 'pairs', 'same', 'valid']);
    let padding: unknown;
    let pads: Array<[number, number]> = size.map(() => [0, 0]);
    const maxP = rank === 1 ? 5 : 3;
    if (padKind === 'number') { const p = randInt(r, 0, maxP); padding = p; pads = size.map(() => [p, p]); }
    else if (padKind === 'perAxis') { pads = size.map(() => { const p = randInt(r, 0, maxP); return [p, p]; }); padding = pads.map((p) => p[0]); }
    else if (padKind === 'pairs') { pads = size.map(() => [randInt(r, 0, maxP), randInt(r, 0, maxP)]); padding = pads.map((p) => [p[0], p[1]]); }
    else if (padKind === 'same') { padding = 'same'; pads = size.map((n, i) => samePadsOf(n, k[i], stride[i], dilation[i])); }
    else if (padKind === 'valid') padding = 'valid';
    if (size.some((n, i) => n + pads[i][0] + pads[i][1] < dilation[i] * (k[i] - 1) + 1)) continue;
    const out = size.map((n, i) => Math.floor((n + pads[i][0] + pads[i][1] - dilation[i] * (k[i] - 1) - 1) / stride[i]) + 1);
    const Cout = kg * groups;
    const reduction = cg * prod(k);
    if (N * Cout * prod(out) * reduction > maxCost) continue;

    const options: Record<string, unknown> = { stride: perAxisOption(r, stride), dilation: perAxisOption(r, dilation) };
    if (groups > 1 || r() < 0.3) options.groups = groups;
    if (padding !== undefined) options.padding = padding;
    const channelsLast = limits.channelsLast ?? r() < 0.5;
    options.layout = LAYOUTS[rank][channelsLast ? 1 : 0];
    if (r() < 0.6) options.bias = randomTensor(r, [Cout]).data;
    const act = pick(r, ACTIVATIONS);
    if (act !== undefined) options.activation = act;
    if (r() < 0.3) options.flip = true;
    if (r() < 0.4) {
      const mode = pick(r, ['reflect', 'replicate', 'circular', 'zeros']);
      const fits = pads.every((p, i) => (mode === 'reflect' ? p[0] < size[i] && p[1] < size[i] : mode === 'circular' ? p[0] <= size[i] && p[1] <= size[i] : true));
      if (fits) options.paddingMode = mode;
    }
    const C = cg * groups;
    const xShape = channelsLast ? [N, ...size, C] : [N, C, ...size];
    const wShape = [Cout, cg, ...k];
    return {
      label: JSON.stringify({ x: xShape, w: wShape, ...options, bias: options.bias ? 'yes' : 'no' }),
      x: randomTensor(r, xShape),
      w: randomTensor(r, wShape),
      options,
      reduction,
    };
  }
}

/**
 * A random valid transposed-convolution case of the given rank: groups (including groups ==
 * channels), stride 1 to 4 (often larger than the kernel), dilation, asymmetric padding pairs,
 * outputPadding (below stride or dilation) or outputSize (any reachable value), flip, bias,
 * activation, both layouts, batch > 1. The weight is [Cin, Cout/groups, ...k].
 */
export function transposeCase(r: Rng, rank: number, limits: SweepLimits = {}): ConvCase {
  const maxCost = limits.maxCost ?? 150_000;
  for (;;) {
    const depthwise = r() < (limits.depthwise ?? 0.2);
    let groups: number, cg: number, kg: number;
    if (depthwise) {
      groups = pick(r, [2, 3, 4, 5, 8, 9, 16]);
      cg = 1;
      kg = randInt(r, 1, 3);
    } else {
      groups = pick(r, [1, 1, 1, 2, 3]);
      cg = pick(r, CHANNELS.slice(0, rank === 3 ? 7 : 11));
      kg = pick(r, CHANNELS.slice(0, rank === 3 ? 7 : 11));
    }
    const N = pick(r, [1, 1, 2, 3]);
    const maxK = rank === 3 ? 3 : rank === 2 ? 4 : 7;
    const k = Array.from({ length: rank }, () => randInt(r, 1, maxK));
    const stride = Array.from({ length: rank }, () => randInt(r, 1, 4));
    const dilation = Array.from({ length: rank }, () => pick(r, [1, 1, 1, 2, 3]));
    const maxIn = rank === 3 ? 4 : rank === 2 ? 9 : 30;
    const size = Array.from({ length: rank }, () => randInt(r, 1, maxIn));
    const padKind = pick(r, ['none', 'number', 'perAxis', 'pairs', 'pairs', 'valid']);
    let padding: unknown;
    let pads: Array<[number, number]> = size.map(() => [0, 0]);
    const maxP = (i: number) => Math.min(4, dilation[i] * (k[i] - 1));
    if (padKind === 'number') { const p = randInt(r, 0, Math.min(...size.map((_, i) => maxP(i)))); padding = p; pads = size.map(() => [p, p]); }
    else if (padKind === 'perAxis') { pads = size.map((_, i) => { const p = randInt(r, 0, maxP(i)); return [p, p]; }); padding = pads.map((p) => p[0]); }
    else if (padKind === 'pairs') { pads = size.map((_, i) => [randInt(r, 0, maxP(i)), randInt(r, 0, maxP(i))]); padding = pads.map((p) => [p[0], p[1]]); }
    else if (padKind === 'valid') padding = 'valid';
    const natural = size.map((n, i) => (n - 1) * stride[i] - pads[i][0] - pads[i][1] + dilation[i] * (k[i] - 1) + 1);
    if (natural.some((v) => v < 1)) continue;
    const options: Record<string, unknown> = { stride: perAxisOption(r, stride), dilation: perAxisOption(r, dilation) };
    let out = natural;
    const extraKind = r();
    if (extraKind < 0.3) {
      const op = natural.map((_, i) => randInt(r, 0, Math.max(stride[i], dilation[i]) - 1));
      options.outputPadding = perAxisOption(r, op);
      out = natural.map((v, i) => v + op[i]);
    } else if (extraKind < 0.55) {
      out = natural.map((v, i) => v + randInt(r, 0, Math.max(stride[i], dilation[i]) - 1));
      options.outputSize = out;
    }
    const Cout = kg * groups;
    const C = cg * groups;
    if (N * C * kg * prod(size) * prod(k) + N * Cout * prod(out) > maxCost) continue;
    if (groups > 1 || r() < 0.3) options.groups = groups;
    if (padding !== undefined) options.padding = padding;
    const channelsLast = limits.channelsLast ?? r() < 0.5;
    options.layout = LAYOUTS[rank][channelsLast ? 1 : 0];
    if (r() < 0.6) options.bias = randomTensor(r, [Cout]).data;
    const act = pick(r, ACTIVATIONS);
    if (act !== undefined) options.activation = act;
    if (r() < 0.3) options.flip = true;
    const xShape = channelsLast ? [N, ...size, C] : [N, C, ...size];
    const wShape = [C, kg, ...k];
    return {
      label: JSON.stringify({ x: xShape, w: wShape, ...options, bias: options.bias ? 'yes' : 'no' }),
      x: randomTensor(r, xShape),
      w: randomTensor(r, wShape),
      options,
      // Each output sums at most Cin/groups * (taps that land on it) products.
      reduction: cg * prod(k),
    };
  }
}

/** Channels-first [N, C, ...s] data as channels-last [N, ...s, C] (and the shape). */
export function toChannelsLast(t: { data: ArrayLike<number>; shape: readonly number[] }): { data: Float32Array; shape: number[] } {
  const [N, C, ...s] = t.shape;
  const S = prod(s);
  const out = new Float32Array(N * C * S);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < S; i++) out[(n * S + i) * C + c] = t.data[(n * C + c) * S + i];
  return { data: out, shape: [N, ...s, C] };
}

/** Channels-last [N, ...s, C] data as channels-first [N, C, ...s] (and the shape). */
export function toChannelsFirst(t: { data: ArrayLike<number>; shape: readonly number[] }): { data: Float32Array; shape: number[] } {
  const N = t.shape[0];
  const C = t.shape[t.shape.length - 1];
  const s = t.shape.slice(1, -1);
  const S = prod(s);
  const out = new Float32Array(N * C * S);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < S; i++) out[(n * C + c) * S + i] = t.data[(n * S + i) * C + c];
  return { data: out, shape: [N, C, ...s] };
}

/** The channels-first and channels-last layout names of a rank. */
export function layoutsOf(rank: number): [string, string] {
  return LAYOUTS[rank];
}

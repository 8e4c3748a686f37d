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

/**
 * Signal-processing convolution with scipy.signal's semantics, for single-channel 1-D, 2-D and
 * 3-D arrays: `convolve` (kernel flipped) and `correlate`, with `mode` 'full' | 'same' | 'valid'
 * and `boundary` 'fill' (with `fillValue`) | 'wrap' | 'symm' (as scipy's convolve2d).
 *
 * - 'full': every position where the arrays overlap, size n1 + n2 - 1 per axis;
 * - 'same': the size of `in1`, centred on the 'full' output: it starts at floor((n2 - 1) / 2) for
 *   `convolve` and at floor(n2 / 2) for `correlate` (as scipy's convolve2d / correlate2d; for an
 *   even-length `in2` scipy.signal.correlate starts one position earlier);
 * - 'valid': positions where one array covers the other entirely, size |n1 - n2| + 1; one array
 *   must be at least as large as the other on every axis. When `in2` is the larger, the arrays
 *   swap (convolution is symmetric; the correlation is then reversed on every axis, as scipy does).
 * Values of `in1` outside its bounds come from the boundary rule.
 */
import { Plan } from '../plan.ts';
import { convSpec } from '../options.ts';
import type { ConvKind } from '../spec.ts';
import { copyPadded } from '../copyin.ts';
import { describe } from '../runtime.ts';
import { checkOptions, checkTensor } from '../validate.ts';
import { product, type Pads } from '../shape.ts';
import type { Tensor, TensorLike } from '../types.ts';

export type SignalMode = 'full' | 'same' | 'valid';
export type SignalBoundary = 'fill' | 'wrap' | 'symm';

export interface SignalOptions {
  /** Output size rule; default 'full'. */
  mode?: SignalMode;
  /** How `in1` is extended past its edges; default 'fill'. */
  boundary?: SignalBoundary;
  /** The value used by boundary 'fill'; default 0. */
  fillValue?: number;
}

/** Convolution of two arrays of the same rank (1 to 3), as scipy.signal.convolve / convolve2d. */
export function convolve(in1: TensorLike, in2: TensorLike, options?: SignalOptions): Tensor {
  return signal('convolve', in1, in2, options);
}

/** Cross-correlation of two arrays of the same rank (1 to 3), as scipy.signal.correlate / correlate2d. */
export function correlate(in1: TensorLike, in2: TensorLike, options?: SignalOptions): Tensor {
  return signal('correlate', in1, in2, options);
}

function signal(fn: 'convolve' | 'correlate', in1: TensorLike, in2: TensorLike, options?: SignalOptions): Tensor {
  const o = checkOptions(fn, options, ['mode', 'boundary', 'fillValue']);
  const mode = o.mode ?? 'full';
  if (mode !== 'full' && mode !== 'same' && mode !== 'valid') {
    throw new TypeError(`${fn}: option 'mode' must be 'full', 'same' or 'valid', got ${describe(mode)}`);
  }
  const boundary = o.boundary ?? 'fill';
  if (boundary !== 'fill' && boundary !== 'wrap' && boundary !== 'symm') {
    throw new TypeError(`${fn}: option 'boundary' must be 'fill', 'wrap' or 'symm', got ${describe(boundary)}`);
  }
  const fillValue = o.fillValue ?? 0;
  if (typeof fillValue !== 'number') {
    throw new TypeError(`${fn}: option 'fillValue' must be a number, got ${describe(fillValue)}`);
  }
  let a = arrayArg(fn, 'in1', in1);
  let v = arrayArg(fn, 'in2', in2);
  if (a.shape.length !== v.shape.length) {
    throw new RangeError(`${fn}: arguments 'in1' and 'in2' must have the same number of dimensions, got shapes [${a.shape.join(', ')}] and [${v.shape.join(', ')}]`);
  }
  const rank = a.shape.length as 1 | 2 | 3;
  let reverse = false;
  if (mode === 'valid') {
    const aCovers = a.shape.every((n, i) => n >= v.shape[i]);
    const vCovers = v.shape.every((n, i) => n >= a.shape[i]);
    if (!aCovers && !vCovers) {
      throw new RangeError(`${fn}: mode 'valid' needs one array at least as large as the other on every axis, got shapes [${a.shape.join(', ')}] and [${v.shape.join(', ')}]`);
    }
    if (!aCovers) {
      [a, v] = [v, a];
      reverse = fn === 'correlate';
    }
  }
  // Padding of in1 per axis: 'full' needs n2 - 1 on both sides; 'same' the part of it that
  // keeps the centred window; 'valid' none.
  const pads: Pads = a.shape.map((n, i) => {
    const k = v.shape[i];
    if (mode === 'full') return [k - 1, k - 1];
    if (mode === 'same') {
      const start = fn === 'convolve' ? Math.floor((k - 1) / 2) : Math.floor(k / 2);
      return [k - 1 - start, start];
    }
    return [0, 0];
  });
  const padded = extend(a, pads, boundary, fillValue);
  const kind: ConvKind = { fn, rank, transposed: false };
  const plan = new Plan(convSpec(kind, { data: v.data, shape: [1, 1, ...v.shape] }, { flip: fn === 'convolve' }, { runFn: fn }));
  try {
    const y = plan.run({ data: padded.data, shape: [1, 1, ...padded.shape] });
    const shape = y.shape.slice(2);
    return { data: reverse ? y.data.reverse() : y.data, shape };
  } finally {
    plan.dispose();
  }
}

function arrayArg(fn: string, name: string, t: TensorLike): { data: ArrayLike<number>; shape: number[] } {
  if (t === null || typeof t !== 'object' || !('shape' in t) || !('data' in t)) {
    throw new TypeError(`${fn}: argument '${name}' must be an array { data, shape } of 1 to 3 dimensions, got ${describe(t)}`);
  }
  if (!Array.isArray(t.shape)) {
    throw new TypeError(`${fn}: argument '${name}' must have 'shape' as an array of 1 to 3 sizes, got ${describe(t.shape)}`);
  }
  const rank = t.shape.length;
  if (rank < 1 || rank > 3) {
    throw new RangeError(`${fn}: argument '${name}' must have 1 to 3 dimensions, got shape [${t.shape.join(', ')}]`);
  }
  const a = checkTensor(fn, name, t, rank, 'of 1 to 3 dimensions');
  if (a.shape.some((n) => n < 1)) {
    throw new RangeError(`${fn}: argument '${name}' must have sizes of at least 1, got shape [${a.shape.join(', ')}]`);
  }
  for (let i = 0; i < a.data.length; i++) {
    if (typeof a.data[i] !== 'number') {
      throw new TypeError(`${fn}: argument '${name}' must hold numbers, got ${describe(a.data[i])} at index ${i}`);
    }
  }
  return a;
}

/** in1 extended by `pads` per axis with the boundary rule. */
function extend(a: { data: ArrayLike<number>; shape: number[] }, pads: Pads, boundary: SignalBoundary, fill: number) {
  const shape = a.shape.map((n, i) => n + pads[i][0] + pads[i][1]);
  const out = new Float32Array(product(shape));
  const rule = boundary === 'wrap' ? 'circular' : boundary === 'symm' ? 'symmetric' : 'fill';
  copyPadded(a.data, out, 1, 1, a.shape, pads, rule, false, fill);
  return { data: out, shape };
}

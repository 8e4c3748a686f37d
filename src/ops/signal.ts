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
 *
 * `method`: 'direct' sums the products (the convolution kernels); 'fft' multiplies spectra
 * (boundary 'fill' only; overlap-add for a 1-D signal much longer than its kernel); 'auto' (the
 * default) takes the one the cost model in fftconv.ts expects to be faster.
 */
import { Plan } from '../plan.ts';
import { convSpec } from '../options.ts';
import type { ConvKind } from '../spec.ts';
import { copyPadded } from '../copyin.ts';
import { describe, runtime } from '../runtime.ts';
import { checkOptions, checkTensor } from '../validate.ts';
import { product, toThreeAxes, type Pads } from '../shape.ts';
import type { Tensor, TensorLike } from '../types.ts';
import { costs, DIRECT_PREFERRED, FftFilter, OverlapAddFilter, overlapAddLength, type Window } from './fftconv.ts';

export type SignalMode = 'full' | 'same' | 'valid';
export type SignalBoundary = 'fill' | 'wrap' | 'symm';
export type SignalMethod = 'auto' | 'direct' | 'fft';

export interface SignalOptions {
  /** Output size rule; default 'full'. */
  mode?: SignalMode;
  /** How `in1` is extended past its edges; default 'fill'. */
  boundary?: SignalBoundary;
  /** The value used by boundary 'fill'; default 0. */
  fillValue?: number;
  /**
   * 'direct' (exact sums of products), 'fft' (spectra; boundary 'fill' only) or 'auto' (the
   * faster by the cost model; 'direct' for the other boundaries); default 'auto'.
   */
  method?: SignalMethod;
}

export interface ConvolvePlanOptions extends SignalOptions {
  /** Shape of the signals the plan filters (1 to 3 axes, as the kernel's). */
  shape: number[];
}

/**
 * A filter with a fixed kernel and signal shape: `run` takes a signal of the planned shape, or a
 * batch of them as one array with a leading axis of channels ([channels, ...shape]), each channel
 * filtered alike. The kernel's transform is computed once, when the plan is made.
 */
export interface SignalPlan {
  /** The method the plan uses ('direct' or 'fft'; overlap-add is 'fft'). */
  readonly method: 'direct' | 'fft';
  /** Shape of the result for one signal. */
  readonly outputShape: number[];
  run(signal: TensorLike): Tensor;
  dispose(): void;
}

/** Convolution of two arrays of the same rank (1 to 3), as scipy.signal.convolve / convolve2d. */
export function convolve(in1: TensorLike, in2: TensorLike, options?: SignalOptions): Tensor {
  return signal('convolve', in1, in2, options);
}

/** Cross-correlation of two arrays of the same rank (1 to 3), as scipy.signal.correlate / correlate2d. */
export function correlate(in1: TensorLike, in2: TensorLike, options?: SignalOptions): Tensor {
  return signal('correlate', in1, in2, options);
}

/** A plan convolving signals of `options.shape` with `kernel` (see SignalPlan). */
export function createConvolve(kernel: TensorLike, options: ConvolvePlanOptions): SignalPlan {
  return createSignal('createConvolve', 'convolve', kernel, options);
}

/** A plan cross-correlating signals of `options.shape` with `kernel` (see SignalPlan). */
export function createCorrelate(kernel: TensorLike, options: ConvolvePlanOptions): SignalPlan {
  return createSignal('createCorrelate', 'correlate', kernel, options);
}

type Fn = 'convolve' | 'correlate';
interface Arr { data: ArrayLike<number>; shape: number[] }
interface Parsed { mode: SignalMode; boundary: SignalBoundary; fillValue: number; method: SignalMethod }

function parseOptions(fn: string, options: unknown, extra: string[] = []): Parsed & Record<string, unknown> {
  const o = checkOptions(fn, options, ['mode', 'boundary', 'fillValue', 'method', ...extra]);
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
  const method = o.method ?? 'auto';
  if (method !== 'auto' && method !== 'direct' && method !== 'fft') {
    throw new TypeError(`${fn}: option 'method' must be 'auto', 'direct' or 'fft', got ${describe(method)}`);
  }
  if (method === 'fft' && boundary !== 'fill') {
    throw new RangeError(`${fn}: method 'fft' supports boundary 'fill' only, got boundary '${boundary}'; use method 'direct' (or 'auto')`);
  }
  return { ...o, mode, boundary, fillValue, method };
}

function signal(fn: Fn, in1: TensorLike, in2: TensorLike, options?: SignalOptions): Tensor {
  const o = parseOptions(fn, options);
  let a = arrayArg(fn, 'in1', in1);
  let v = arrayArg(fn, 'in2', in2);
  if (a.shape.length !== v.shape.length) {
    throw new RangeError(`${fn}: arguments 'in1' and 'in2' must have the same number of dimensions, got shapes [${a.shape.join(', ')}] and [${v.shape.join(', ')}]`);
  }
  let reverse = false;
  if (o.mode === 'valid') {
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
  const filter = makeFilter(fn, fn, v, a.shape, o, 1);
  try {
    const y = new Float32Array(product(filter.outputShape));
    filter.run(fn, a.data, y);
    return { data: reverse ? y.reverse() : y, shape: filter.outputShape };
  } finally {
    filter.dispose();
  }
}

function createSignal(fn: string, kind: Fn, kernel: TensorLike, options: ConvolvePlanOptions): SignalPlan {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}: argument 'options' must be an object with 'shape' (the signal shape), got ${describe(options)}`);
  }
  const o = parseOptions(fn, options, ['shape']);
  const v = arrayArg(fn, 'kernel', kernel);
  const rank = v.shape.length;
  const shape = o.shape;
  if (!Array.isArray(shape) || shape.length !== rank || shape.some((n) => typeof n !== 'number' || !Number.isInteger(n) || n < 1)) {
    throw new TypeError(`${fn}: option 'shape' must be an array of ${rank} positive integers (the signal shape, of the kernel's rank), got ${describe(shape)}`);
  }
  if (o.mode === 'valid' && shape.some((n, i) => n < v.shape[i])) {
    throw new RangeError(`${fn}: mode 'valid' in a plan needs a signal at least as large as the kernel on every axis, got shape [${shape.join(', ')}] and kernel [${v.shape.join(', ')}]`);
  }
  const filter = makeFilter(fn, kind, v, shape, o, 0);
  const size = product(shape), outSize = product(filter.outputShape);
  let disposed = false;
  return {
    method: filter.method,
    outputShape: [...filter.outputShape],
    run(signal: TensorLike): Tensor {
      if (disposed) throw new Error(`${fn}: this plan was disposed; create a new one`);
      const s = arrayArg(`${fn}().run`, 'signal', signal, 4);
      const batched = s.shape.length === rank + 1;
      if (s.shape.slice(batched ? 1 : 0).some((n, i) => n !== shape[i]) || s.shape.length < rank || s.shape.length > rank + 1) {
        throw new RangeError(`${fn}().run: argument 'signal' must have shape [${shape.join(', ')}] or [channels, ${shape.join(', ')}], got [${s.shape.join(', ')}]`);
      }
      const channels = batched ? s.shape[0] : 1;
      const y = new Float32Array(channels * outSize);
      for (let c = 0; c < channels; c++) {
        const x = channels === 1 ? s.data : sliceOf(s.data, c * size, size);
        filter.run(`${fn}().run`, x, y.subarray(c * outSize, (c + 1) * outSize));
      }
      return { data: y, shape: batched ? [channels, ...filter.outputShape] : [...filter.outputShape] };
    },
    dispose(): void {
      disposed = true;
      filter.dispose();
    },
  };
}

/**
 * A 1-D filter for a signal that arrives in blocks: `push(block)` returns as many output samples
 * as it was given, `flush()` the last n2 - 1 (the tail of 'full'); the concatenation of every
 * output is the 'full' convolution (or correlation) of the concatenated blocks. Blocks may have any
 * length; the filter of the last block length is kept, so equal blocks transform the kernel once.
 */
export interface SignalStream {
  push(block: ArrayLike<number>): Float32Array;
  /** The remaining n2 - 1 samples; the stream then starts anew. */
  flush(): Float32Array;
  dispose(): void;
}

/** A streaming 1-D convolution with `kernel` (see SignalStream); `method` as convolve's. */
export function createConvolveStream(kernel: TensorLike, options?: { method?: SignalMethod }): SignalStream {
  return createStream('createConvolveStream', 'convolve', kernel, options);
}

/** A streaming 1-D cross-correlation with `kernel` (see SignalStream). */
export function createCorrelateStream(kernel: TensorLike, options?: { method?: SignalMethod }): SignalStream {
  return createStream('createCorrelateStream', 'correlate', kernel, options);
}

function createStream(fn: string, kind: Fn, kernel: TensorLike, options?: { method?: SignalMethod }): SignalStream {
  const o = parseOptions(fn, { method: checkOptions(fn, options, ['method']).method });
  const v = arrayArg(fn, 'kernel', kernel);
  if (v.shape.length !== 1) {
    throw new RangeError(`${fn}: argument 'kernel' must be 1-D, got shape [${v.shape.join(', ')}]`);
  }
  const k = v.shape[0];
  let tail = new Float32Array(k - 1);
  let filter: SignalFilter | null = null;
  let filterLength = 0;
  let disposed = false;
  const alive = (what: string) => {
    if (disposed) throw new Error(`${fn}().${what}: this stream was disposed; create a new one`);
  };
  return {
    push(block: ArrayLike<number>): Float32Array {
      alive('push');
      if (block === null || typeof block !== 'object' || typeof block.length !== 'number') {
        throw new TypeError(`${fn}().push: argument 'block' must be a Float32Array or an array of numbers, got ${describe(block)}`);
      }
      const m = block.length;
      if (m === 0) return new Float32Array(0);
      for (let i = 0; i < m; i++) {
        if (typeof block[i] !== 'number') throw new TypeError(`${fn}().push: argument 'block' must hold numbers, got ${describe(block[i])} at index ${i}`);
      }
      if (!filter || filterLength !== m) {
        filter?.dispose();
        filter = null;
        filter = makeFilter(fn, kind, v, [m], { ...o, mode: 'full' }, 1);
        filterLength = m;
      }
      const y = new Float32Array(m + k - 1);
      filter.run(`${fn}().push`, block, y);
      // The pending tail covers the first k - 1 outputs of this block (y has m + k - 1 >= k - 1);
      // what lies past the block's length becomes the new tail.
      for (let i = 0; i < k - 1; i++) y[i] += tail[i];
      tail = y.slice(m);
      return y.slice(0, m);
    },
    flush(): Float32Array {
      alive('flush');
      const out = tail;
      tail = new Float32Array(k - 1);
      return out;
    },
    dispose(): void {
      disposed = true;
      filter?.dispose();
      filter = null;
    },
  };
}

function sliceOf(data: ArrayLike<number>, start: number, length: number): ArrayLike<number> {
  if (ArrayBuffer.isView(data)) return (data as Float32Array).subarray(start, start + length);
  return Array.prototype.slice.call(data, start, start + length) as number[];
}

interface SignalFilter {
  method: 'direct' | 'fft';
  outputShape: number[];
  run(fn: string, x: ArrayLike<number>, out: Float32Array): void;
  dispose(): void;
}

/** The window of the full result a mode keeps, per axis (three axes). */
function windowOf(fn: Fn, mode: SignalMode, n: number[], k: number[]): Window {
  const start = n.map((ni, i) => (mode === 'full' ? 0 : mode === 'valid' ? k[i] - 1 : fn === 'convolve' ? Math.floor((k[i] - 1) / 2) : Math.floor(k[i] / 2)));
  const size = n.map((ni, i) => (mode === 'full' ? ni + k[i] - 1 : mode === 'valid' ? ni - k[i] + 1 : ni));
  return { start, size };
}

/** A filter of signals of shape `shape` by kernel `v` with the chosen method. */
function makeFilter(fn: string, kind: Fn, v: Arr, shape: number[], o: Parsed, kernelTransforms: number): SignalFilter {
  const rank = shape.length;
  const n3 = toThreeAxes(shape, 1), k3 = toThreeAxes(v.shape, 1);
  const window = windowOf(kind, o.mode, n3, k3);
  const outputShape = window.size.slice(3 - rank);
  let method = o.method;
  const cost = costs(n3, k3, window, kernelTransforms);
  if (method === 'auto') {
    const directWins = cost.direct <= DIRECT_PREFERRED || cost.direct <= Math.min(cost.fft, cost.overlapAdd);
    method = o.boundary !== 'fill' || directWins ? 'direct' : 'fft';
  }
  if (method === 'direct') return { method, outputShape, ...directFilter(kind, v, shape, o) };
  const rt = runtime(fn);
  // Correlation is the convolution with the kernel reversed on every axis.
  const kernel = kind === 'convolve' ? v.data : Float32Array.from(v.data).reverse();
  const fill = o.fillValue;
  const useOverlapAdd = cost.overlapAdd < cost.fft;
  const inner = useOverlapAdd
    ? new OverlapAddFilter(rt, kernel, k3[2], n3[2], window, overlapAddLength(n3[2], k3[2]))
    : new FftFilter(rt, kernel, k3, n3, window);
  if (fill === 0) return { method, outputShape, run: (f, x, out) => inner.run(f, x, out), dispose: () => inner.dispose() };
  // A fill value c: every output reads one value of the extended signal per tap, so
  // y = c * sum(kernel) + (the convolution of in1 - c with zeros outside).
  let kernelSum = 0;
  for (let i = 0; i < v.data.length; i++) kernelSum += v.data[i];
  return {
    method,
    outputShape,
    run(f, x, out) {
      const shifted = Float32Array.from(x, (e) => e - fill);
      inner.run(f, shifted, out);
      const offset = fill * kernelSum;
      for (let i = 0; i < out.length; i++) out[i] += offset;
    },
    dispose: () => inner.dispose(),
  };
}

/** The direct method: in1 extended by the boundary rule, then a convolution plan. */
function directFilter(kind: Fn, v: Arr, shape: number[], o: Parsed): Pick<SignalFilter, 'run' | 'dispose'> {
  // Padding of in1 per axis: 'full' needs n2 - 1 on both sides; 'same' the part of it that
  // keeps the centred window; 'valid' none.
  const pads: Pads = shape.map((n, i) => {
    const k = v.shape[i];
    if (o.mode === 'full') return [k - 1, k - 1];
    if (o.mode === 'same') {
      const start = kind === 'convolve' ? Math.floor((k - 1) / 2) : Math.floor(k / 2);
      return [k - 1 - start, start];
    }
    return [0, 0];
  });
  const convKind: ConvKind = { fn: kind, rank: shape.length as 1 | 2 | 3, transposed: false };
  const plan = new Plan(convSpec(convKind, { data: v.data, shape: [1, 1, ...v.shape] }, { flip: kind === 'convolve' }, { runFn: kind }));
  return {
    run(fn, x, out) {
      const padded = extend({ data: x, shape }, pads, o.boundary, o.fillValue);
      plan.run({ data: padded.data, shape: [1, 1, ...padded.shape] }, out);
    },
    dispose: () => plan.dispose(),
  };
}

function arrayArg(fn: string, name: string, t: TensorLike, most = 3): { data: ArrayLike<number>; shape: number[] } {
  if (t === null || typeof t !== 'object' || !('shape' in t) || !('data' in t)) {
    throw new TypeError(`${fn}: argument '${name}' must be an array { data, shape } of 1 to 3 dimensions, got ${describe(t)}`);
  }
  if (!Array.isArray(t.shape)) {
    throw new TypeError(`${fn}: argument '${name}' must have 'shape' as an array of 1 to 3 sizes, got ${describe(t.shape)}`);
  }
  const rank = t.shape.length;
  if (rank < 1 || rank > most) {
    throw new RangeError(`${fn}: argument '${name}' must have 1 to ${most} dimensions, got shape [${t.shape.join(', ')}]`);
  }
  const a = checkTensor(fn, name, t, rank, `of 1 to ${most} dimensions`);
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

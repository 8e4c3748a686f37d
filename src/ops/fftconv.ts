/**
 * Convolution through the FFT: the product of half spectra, for 1-D to 3-D real arrays, and
 * overlap-add for 1-D signals much longer than their kernels. Both keep the kernel's spectrum, so
 * a filter made once transforms its kernel once (createConvolve).
 *
 * Geometry (per axis, arrays as three axes [D, H, W]): the full convolution of a signal of n1 and a
 * kernel of n2 samples has F = n1 + n2 - 1; a mode keeps the window [start, start + size) of it.
 * A circular convolution of length L >= max(n1, n2) (neither array wraps) equals the full one on
 * that window when L >= max(start + size, F - start) (no other period reaches it), so the
 * transform length is the smallest fast length above all four (even along W, for the real
 * transform).
 */
import { nextFastLength, SpectrumShape } from '../fft.ts';
import { currentGeneration, type Runtime } from '../runtime.ts';

/** A window of the full convolution, per axis [D, H, W]. */
export interface Window { start: number[]; size: number[] }

/** A convolution with a fixed kernel and signal shape: one channel in, the window out. */
export interface Filter {
  /** Filters one signal of the planned shape (row-major) into `out` (the window, row-major). */
  run(fn: string, signal: ArrayLike<number>, out: Float32Array): void;
  dispose(): void;
}

/*
 * Cost model of 'auto', in seconds, fitted to one interleaved run (Node 20, simd backend, medians
 * of 9, a loaded 2-core machine) of convolve with method 'direct' and 'fft' on 1-D 64..65536
 * samples with 8..4096 taps, 2-D 64^2..512^2 with 3^2..21^2 and 3-D 16^3, 32^3 with 3^3, 7^3:
 * - direct: 0.17-0.27 ns per multiply-add in 1-D (k >= 64), 0.14-0.47 in 2-D, 0.58-0.66 in 3-D,
 *   plus about 10 ns per output for extending and copying the signal, plus the call;
 * - fft: 0.3-0.5 ns per sample per log2(samples) of each real transform (up to 1 ns on 512^2,
 *   whose planes leave the cache), three transforms per call (kernel, signal, inverse);
 * - measured crossovers: 1-D 65536 samples at 16-64 taps, 2-D 256^2 at 9^2, 3-D 32^3 at 3^3-7^3;
 *   below about 50 microseconds both cost the same and 'direct' (exact) is kept.
 * A second run (7 rounds) of bench/fft.mjs's sweep: 1-D 1,024 samples took 30-60 microseconds
 * with either method at every kernel length from 4 to 512 taps.
 */
/** Seconds per multiply-add of the direct method, by rank (1-D, 2-D, 3-D). */
const DIRECT_MAC = [0.22e-9, 0.3e-9, 0.6e-9];
/** Seconds per output of the direct method (extension and copies). */
const DIRECT_OUTPUT = 10e-9;
/** Seconds per real sample per log2(samples) of one real transform, and per sample for the passes around it. */
const FFT_SAMPLE_LOG = 0.45e-9;
const FFT_SAMPLE = 2e-9;
/** Fixed cost of one call: validation, allocation, copies in and out (more blocks for the FFT). */
const CALL_DIRECT = 25e-6;
const CALL_FFT = 25e-6;
/** Calls the direct method is expected to finish in this time keep it (exact, and as fast). */
export const DIRECT_PREFERRED = 50e-6;

/** Time of one real transform of `samples` samples (the product of its lengths), by the cost model. */
export function transformCost(samples: number): number {
  return samples * (FFT_SAMPLE_LOG * Math.log2(Math.max(samples, 2)) + FFT_SAMPLE);
}

/** Transform lengths [LD, LH, LW] for a kernel of shape k, a signal of shape n and a window. */
export function transformLengths(n: number[], k: number[], w: Window): number[] {
  return n.map((ni, i) => {
    const full = ni + k[i] - 1;
    const need = Math.max(w.start[i] + w.size[i], full - w.start[i], ni, k[i]);
    return i === 2 ? nextFastLength(need, true) : nextFastLength(need);
  });
}

/**
 * Block transform length of overlap-add for a 1-D kernel of k taps and a signal of n samples:
 * the length that costs least per output sample, or 0 when one transform of everything costs
 * less (overlap-add then gains nothing).
 */
export function overlapAddLength(n: number, k: number): number {
  const whole = nextFastLength(n + k - 1, true);
  let best = 0;
  let bestCost = transformCost(whole) * 2;
  for (let L = nextFastLength(2 * k, true); L < whole; L = nextFastLength(L + 1, true)) {
    const blocks = Math.ceil(n / (L - k + 1));
    const cost = blocks * 2 * transformCost(L);
    if (cost < bestCost) {
      bestCost = cost;
      best = L;
    }
    if (L > 64 * k) break;
  }
  return best;
}

/**
 * Estimated seconds of each method for one run; `kernelTransforms` is 1 when the kernel's
 * transform is part of the run (a one-off call), 0 when a plan made it beforehand.
 */
export function costs(n: number[], k: number[], w: Window, kernelTransforms: number): { direct: number; fft: number; overlapAdd: number } {
  const outputs = w.size[0] * w.size[1] * w.size[2];
  const taps = k[0] * k[1] * k[2];
  const rank = k[0] > 1 || n[0] > 1 ? 3 : k[1] > 1 || n[1] > 1 ? 2 : 1;
  const direct = CALL_DIRECT + outputs * (DIRECT_OUTPUT + taps * DIRECT_MAC[rank - 1]);
  const L = transformLengths(n, k, w);
  const fft = CALL_FFT + (2 + kernelTransforms) * transformCost(L[0] * L[1] * L[2]);
  let overlapAdd = Infinity;
  if (rank === 1) {
    const B = overlapAddLength(n[2], k[2]);
    if (B > 0) overlapAdd = CALL_FFT + (Math.ceil(n[2] / (B - k[2] + 1)) * 2 + kernelTransforms) * transformCost(B);
  }
  return { direct, fft, overlapAdd };
}

/** Blocks of the arena owned by a filter, released together. */
class Blocks {
  private readonly list: number[] = [];
  constructor(private readonly rt: Runtime) {}
  alloc(bytes: number, what: string): number {
    const p = this.rt.arena.alloc(bytes, what);
    this.list.push(p);
    return p;
  }
  release(): void {
    if (this.rt.generation === currentGeneration()) this.list.forEach((p) => this.rt.arena.release(p));
    this.list.length = 0;
  }
}

function checkAlive(rt: Runtime, fn: string, disposed: boolean): void {
  if (disposed) throw new Error(`${fn}: this filter was disposed; create a new one`);
  if (rt.generation !== currentGeneration()) {
    throw new Error(`${fn}: this filter belongs to a wasmconv instance that was reset or switched backend; create it again after ready()`);
  }
}

/** The kernel's half spectrum for a transform size, in new blocks. */
function kernelSpectrum(rt: Runtime, blocks: Blocks, spec: SpectrumShape, kernel: ArrayLike<number>, k: number[], workRe: number, workIm: number) {
  const re = blocks.alloc(4 * spec.size, 'the kernel spectrum');
  const im = blocks.alloc(4 * spec.size, 'the kernel spectrum');
  const src = rt.arena.alloc(4 * Math.max(1, kernel.length), 'the kernel');
  try {
    rt.arena.f32(src, kernel.length).set(kernel);
    spec.pack(rt, src, k[0], k[1], k[2], re, im);
  } finally {
    rt.arena.release(src);
  }
  spec.forward(rt, re, im, workRe, workIm);
  return { re, im };
}

/** Full-array FFT convolution: one transform of the signal, a product, one inverse transform. */
export class FftFilter implements Filter {
  private readonly blocks: Blocks;
  private readonly spec: SpectrumShape;
  private readonly kRe: number;
  private readonly kIm: number;
  private readonly re: number;
  private readonly im: number;
  private readonly workRe: number;
  private readonly workIm: number;
  private readonly input: number;
  private readonly output: number;
  private disposed = false;

  /** `kernel` (shape k, three axes) is convolved, not flipped: flip it first for a correlation. */
  constructor(private readonly rt: Runtime, kernel: ArrayLike<number>, k: number[], private readonly n: number[], private readonly window: Window) {
    const [LD, LH, LW] = transformLengths(n, k, window);
    this.spec = new SpectrumShape(LD, LH, LW);
    this.blocks = new Blocks(rt);
    try {
      const bytes = 4 * this.spec.size;
      this.re = this.blocks.alloc(bytes, 'the signal spectrum');
      this.im = this.blocks.alloc(bytes, 'the signal spectrum');
      this.workRe = this.blocks.alloc(bytes, 'FFT work planes');
      this.workIm = this.blocks.alloc(bytes, 'FFT work planes');
      this.input = this.blocks.alloc(4 * n[0] * n[1] * n[2], 'the signal');
      this.output = this.blocks.alloc(4 * window.size[0] * window.size[1] * window.size[2], 'the output');
      ({ re: this.kRe, im: this.kIm } = kernelSpectrum(rt, this.blocks, this.spec, kernel, k, this.workRe, this.workIm));
    } catch (e) {
      this.blocks.release();
      throw e;
    }
  }

  run(fn: string, signal: ArrayLike<number>, out: Float32Array): void {
    checkAlive(this.rt, fn, this.disposed);
    const { rt, spec, n } = this;
    rt.arena.f32(this.input, signal.length).set(signal);
    spec.pack(rt, this.input, n[0], n[1], n[2], this.re, this.im);
    spec.filter(rt, this.re, this.im, this.workRe, this.workIm, this.kRe, this.kIm);
    spec.unpack(rt, this.re, this.im, this.window.start, this.window.size, this.output, 1);
    out.set(rt.arena.f32(this.output, out.length));
  }

  dispose(): void {
    this.disposed = true;
    this.blocks.release();
  }
}

/**
 * Overlap-add for 1-D: the signal in blocks of B - k + 1 samples, each convolved through a
 * transform of length B and added into the full output at its offset.
 */
export class OverlapAddFilter implements Filter {
  private readonly blocks: Blocks;
  private readonly spec: SpectrumShape;
  private readonly kRe: number;
  private readonly kIm: number;
  private readonly re: number;
  private readonly im: number;
  private readonly workRe: number;
  private readonly workIm: number;
  private readonly input: number;
  private readonly full: number;
  private readonly step: number;
  private disposed = false;

  constructor(private readonly rt: Runtime, kernel: ArrayLike<number>, private readonly k: number, private readonly n: number, private readonly window: Window, B: number) {
    this.spec = new SpectrumShape(1, 1, B);
    this.step = B - k + 1;
    this.blocks = new Blocks(rt);
    try {
      const bytes = 4 * this.spec.size;
      this.re = this.blocks.alloc(bytes, 'the block spectrum');
      this.im = this.blocks.alloc(bytes, 'the block spectrum');
      this.workRe = this.blocks.alloc(bytes, 'FFT work planes');
      this.workIm = this.blocks.alloc(bytes, 'FFT work planes');
      this.input = this.blocks.alloc(4 * n, 'the signal');
      this.full = this.blocks.alloc(4 * (n + k - 1), 'the output');
      ({ re: this.kRe, im: this.kIm } = kernelSpectrum(rt, this.blocks, this.spec, kernel, [1, 1, k], this.workRe, this.workIm));
    } catch (e) {
      this.blocks.release();
      throw e;
    }
  }

  run(fn: string, signal: ArrayLike<number>, out: Float32Array): void {
    checkAlive(this.rt, fn, this.disposed);
    const { rt, spec, n, k, step } = this;
    const kr = rt.kernels;
    const F = n + k - 1;
    rt.arena.f32(this.input, n).set(signal);
    const lo = this.window.start[2], hi = lo + this.window.size[2];
    rt.arena.f32(this.full + 4 * lo, hi - lo).fill(0);
    // Block b adds to outputs [b * step, b * step + step + k - 1): only blocks touching the window run.
    const first = Math.max(0, Math.floor((lo - k + 1) / step));
    for (let at = first * step; at < n && at < hi; at += step) {
      const len = Math.min(step, n - at);
      kr.realPack(this.input + 4 * at, len, 0, this.re, this.im, spec.N, 0, 1);
      spec.filter(rt, this.re, this.im, this.workRe, this.workIm, this.kRe, this.kIm);
      const from = Math.max(at, lo), to = Math.min(at + len + k - 1, hi, F);
      kr.realUnpack(this.re, this.im, 0, from - at, to - from, this.full + 4 * from, 0, 1, 1, 1);
    }
    out.set(rt.arena.f32(this.full + 4 * lo, hi - lo));
  }

  dispose(): void {
    this.disposed = true;
    this.blocks.release();
  }
}

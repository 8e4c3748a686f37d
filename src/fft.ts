/**
 * FFT lengths, transform tables and real 1-D to 3-D transforms over the wasm FFT kernels
 * (assembly/fft.ts).
 *
 * A real array of transform size [LD, LH, LW] (LW even) has a half spectrum of [LD, LH, LW/2 + 1]
 * complex values, held as two planes (real parts, imaginary parts) of that many floats. The
 * forward transform packs each row of LW samples as LW/2 complex values, transforms the rows,
 * splits them into half spectra, then transforms the columns along H and along D; the inverse
 * runs the same steps backwards.
 *
 * Tables (twiddles in float64, rounded to float32) are made once per length and kept in wasm
 * memory, the most recently used first, up to TABLE_BYTES.
 */
import { currentGeneration, type Runtime } from './runtime.ts';

/**
 * The smallest 2^a 3^b 5^c >= n (with a >= 1 when `even`): FFT lengths the kernels transform
 * without Bluestein's algorithm. Padding to them costs at most a few percent in length.
 */
export function nextFastLength(n: number, even = false): number {
  let best = Infinity;
  for (let p5 = 1; p5 < 2 * n + 2; p5 *= 5) {
    for (let p35 = p5; p35 < 2 * n + 2; p35 *= 3) {
      let v = p35;
      if (even && v % 2 === 1) v *= 2;
      while (v < n) v *= 2;
      if (v < best) best = v;
    }
  }
  return best;
}

/** Radices of n, 4s first (fewest passes; the second stage then has 4 lanes), then 2, 3, 5. */
export function radices(n: number): number[] {
  const out: number[] = [];
  let m = n;
  while (m % 4 === 0) { out.push(4); m /= 4; }
  while (m % 2 === 0) { out.push(2); m /= 2; }
  while (m % 3 === 0) { out.push(3); m /= 3; }
  while (m % 5 === 0) { out.push(5); m /= 5; }
  if (m !== 1) throw new Error(`wasmconv: internal error: FFT length ${n} has a factor other than 2, 3 and 5`);
  return out;
}

/** Upper bound of the cached tables, in bytes (a 2^20 complex table is about 10 MB). */
const TABLE_BYTES = 64 * 2 ** 20;
/** Tables recently used are never evicted: an operation uses at most this many. */
const KEEP_RECENT = 4;

interface Table { ptr: number; bytes: number }

let cache = new Map<string, Table>();
let cacheGeneration = -1;

function cached(rt: Runtime, key: string, bytes: number, fill: (view: DataView, ptr: number) => void): number {
  if (cacheGeneration !== currentGeneration()) {
    cache = new Map();
    cacheGeneration = currentGeneration();
  }
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.ptr;
  }
  let total = bytes;
  for (const t of cache.values()) total += t.bytes;
  for (const [k, t] of cache) {
    if (total <= TABLE_BYTES || cache.size <= KEEP_RECENT) break;
    rt.arena.release(t.ptr);
    cache.delete(k);
    total -= t.bytes;
  }
  const ptr = rt.arena.alloc(bytes, `an FFT table of ${key}`);
  fill(new DataView(rt.kernels.memory.buffer, ptr, bytes), ptr);
  cache.set(key, { ptr, bytes });
  return ptr;
}

/** Frees every cached table (warm-up leaves no memory in use). */
export function releaseTables(rt: Runtime): void {
  if (cacheGeneration === currentGeneration()) for (const t of cache.values()) rt.arena.release(t.ptr);
  cache = new Map();
}

/** The transform table of complex length n (layout in assembly/fft.ts). */
export function complexTable(rt: Runtime, n: number): number {
  const ps = radices(n);
  const header = Math.ceil((12 + 12 * ps.length) / 16) * 16;
  // The first stage in blocks of four butterflies (radix 4, m a multiple of 4), for f32x4.
  const blockedFirst = ps[0] === 4 && (n / 4) % 4 === 0;
  let bytes = header;
  let L = n;
  for (const p of ps) { bytes += 8 * (L / p) * (p - 1); L /= p; }
  const blockedAt = bytes;
  if (blockedFirst) bytes += 8 * (n / 4) * 3;
  const twiddle = (r: number, j: number, len: number) => (-2 * Math.PI * r * j) / len;
  return cached(rt, `complex length ${n}`, bytes, (v) => {
    v.setInt32(0, n, true);
    v.setInt32(4, ps.length, true);
    v.setInt32(8 + 12 * ps.length, blockedFirst ? blockedAt : 0, true);
    let at = header;
    let len = n;
    ps.forEach((p, s) => {
      const m = len / p;
      v.setInt32(8 + 12 * s, p, true);
      v.setInt32(12 + 12 * s, m, true);
      v.setInt32(16 + 12 * s, at, true);
      for (let j = 0; j < m; j++) {
        for (let r = 1; r < p; r++) {
          v.setFloat32(at, Math.cos(twiddle(r, j, len)), true);
          v.setFloat32(at + 4, Math.sin(twiddle(r, j, len)), true);
          at += 8;
        }
      }
      len = m;
    });
    if (!blockedFirst) return;
    for (let j = 0; j < n / 4; j++) {
      for (let r = 1; r < 4; r++) {
        const base = blockedAt + 96 * (j >> 2) + 32 * (r - 1) + 4 * (j & 3);
        v.setFloat32(base, Math.cos(twiddle(r, j, n)), true);
        v.setFloat32(base + 16, Math.sin(twiddle(r, j, n)), true);
      }
    }
  });
}

/** The split twiddles of a real transform of length 2N: exp(-2 pi i k / 2N) for k in [0, N/2]. */
export function realTable(rt: Runtime, N: number): number {
  const count = Math.floor(N / 2) + 1;
  return cached(rt, `real length ${2 * N}`, 8 * count, (v) => {
    for (let k = 0; k < count; k++) {
      const a = (-Math.PI * k) / N;
      v.setFloat32(8 * k, Math.cos(a), true);
      v.setFloat32(8 * k + 4, Math.sin(a), true);
    }
  });
}

/** Sizes of a real transform of size [LD, LH, LW] and its half spectrum. */
export class SpectrumShape {
  readonly N: number;
  /** Complex values per spectrum row: N + 1. */
  readonly rowLength: number;
  /** Complex values of the whole half spectrum. */
  readonly size: number;

  constructor(readonly LD: number, readonly LH: number, readonly LW: number) {
    this.N = LW / 2;
    this.rowLength = this.N + 1;
    this.size = LD * LH * this.rowLength;
  }

  /** Spectrum planes (re, im) and work planes, as addresses. */
  forward(rt: Runtime, re: number, im: number, workRe: number, workIm: number): void {
    const k = rt.kernels;
    const { LD, LH, N, rowLength } = this;
    k.fftComplex(re, im, workRe, workIm, complexTable(rt, N), 1, LD * LH, rowLength);
    k.realForwardSplit(re, im, realTable(rt, N), N, LD * LH, rowLength);
    if (LH > 1) k.fftComplex(re, im, workRe, workIm, complexTable(rt, LH), rowLength, LD, LH * rowLength);
    if (LD > 1) k.fftComplex(re, im, workRe, workIm, complexTable(rt, LD), LH * rowLength, 1, 0);
  }

  /** The inverse of `forward`, unnormalised: the result is LD * LH * N times the samples. */
  inverse(rt: Runtime, re: number, im: number, workRe: number, workIm: number): void {
    const k = rt.kernels;
    const { LD, LH, N, rowLength } = this;
    // Swapped planes make the forward kernel an inverse transform.
    if (LD > 1) k.fftComplex(im, re, workIm, workRe, complexTable(rt, LD), LH * rowLength, 1, 0);
    if (LH > 1) k.fftComplex(im, re, workIm, workRe, complexTable(rt, LH), rowLength, LD, LH * rowLength);
    k.realInverseSplit(re, im, realTable(rt, N), N, LD * LH, rowLength);
    k.fftComplex(im, re, workIm, workRe, complexTable(rt, N), 1, LD * LH, rowLength);
  }

  /**
   * The packed array in (re, im) becomes the packed array of its circular convolution with the
   * array whose half spectrum is (hRe, hIm): forward transform, product, inverse transform,
   * normalised. 1-D arrays take the fused split-product-split pass.
   */
  filter(rt: Runtime, re: number, im: number, workRe: number, workIm: number, hRe: number, hIm: number): void {
    const k = rt.kernels;
    const { LD, LH, N, rowLength, size } = this;
    const scale = 1 / (LD * LH * N);
    if (LD * LH > 1) {
      this.forward(rt, re, im, workRe, workIm);
      k.spectrumMultiply(re, im, hRe, hIm, size, scale);
      this.inverse(rt, re, im, workRe, workIm);
      return;
    }
    const table = complexTable(rt, N);
    k.fftComplex(re, im, workRe, workIm, table, 1, 1, rowLength);
    k.realSpectrumMultiply(re, im, hRe, hIm, realTable(rt, N), N, scale);
    k.fftComplex(im, re, workIm, workRe, table, 1, 1, rowLength);
  }

  /**
   * Packs a real array of shape [d, h, w] (<= [LD, LH, LW]) at `src` into the spectrum planes,
   * zero-padded to the transform size.
   */
  pack(rt: Runtime, src: number, d: number, h: number, w: number, re: number, im: number): void {
    const k = rt.kernels;
    const { LD, LH, N, rowLength } = this;
    for (let z = 0; z < LD; z++) {
      const rows = z < d ? h : 0;
      const at = 4 * z * LH * rowLength;
      if (rows > 0) k.realPack(src + 4 * z * h * w, w, w, re + at, im + at, N, rowLength, rows);
      if (rows < LH) {
        const skip = 4 * rows * rowLength;
        k.realPack(src, 0, 0, re + at + skip, im + at + skip, N, rowLength, LH - rows);
      }
    }
  }

  /**
   * Copies the window [start, start + size) per axis of the real array held (as packed rows) in the
   * spectrum planes to `dst` (shape `size`, row-major), times `scale`.
   */
  unpack(rt: Runtime, re: number, im: number, start: number[], size: number[], dst: number, scale: number): void {
    const k = rt.kernels;
    const { LH, rowLength } = this;
    const [sd, sh, sw] = start;
    const [od, oh, ow] = size;
    for (let z = 0; z < od; z++) {
      const at = 4 * ((z + sd) * LH + sh) * rowLength;
      k.realUnpack(re + at, im + at, rowLength, sw, ow, dst + 4 * z * oh * ow, ow, oh, scale, 0);
    }
  }
}

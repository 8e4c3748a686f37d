/**
 * FFT convolution layers (src/fft.ts over assembly/fft.ts): a stride-1 convolution as a sum over
 * input channels of per-channel circular correlations. Per image, each input channel is
 * transformed once; per output channel, the products of its group's input spectra with the
 * (output, input) kernel spectra are accumulated in the frequency domain and transformed back
 * once; bias and activation follow. Dilation places the taps apart in the kernel's array.
 *
 * Transform length per axis (n input samples as stored, pb zero padding before, o outputs, a
 * kernel spanning s = d (k - 1) + 1): the kernel of pair (out, in) is laid out circularly,
 * tap t at (pb - t d) mod L, so that output o of the circular convolution is the correlation at
 * o. A term of input sample j and tap t reaches output o' = j - pb + t d (mod L); no wrapped term
 * reaches a wanted output when L >= max(n + pb, o + s - 1 - pb) (and L >= n, s, o), the smallest
 * 2^a 3^b 5^c above that (even along W).
 *
 * The kernel spectra (Cout * Cin / groups half spectra of the transform size) are made on the
 * first run of a transform size and kept by the plan until a run needs another size. Above
 * FFT_MAX_SPECTRA_BYTES of them (e.g. 256 x 256 channels of 64 x 64 images), a run goes to the
 * plan's GEMM fallback instead, forced or not (as inputs with NaN or infinities do: one would
 * spread to every output).
 */
import type { Algorithm, Pipeline } from './algorithm.ts';
import { forwardFlops } from './algorithm.ts';
import type { ConvSpec, WeightTensor } from '../spec.ts';
import type { Geometry } from '../geometry.ts';
import type { Runtime } from '../runtime.ts';
import { nextFastLength, SpectrumShape } from '../fft.ts';
import { product, toThreeAxes } from '../shape.ts';
import { transformCost } from '../ops/fftconv.ts';

/** Most bytes of kernel spectra a plan keeps (past it, runs take the GEMM). */
export const FFT_MAX_SPECTRA_BYTES = 256 * 2 ** 20;

/**
 * Whether 'auto' prefers the FFT for a plan (before the input size is known): stride 1 and a
 * kernel (after dilation) of at least FFT_MIN_TAPS[rank - 1] taps. Depthwise and grouped
 * convolutions come first in the list and keep their direct kernels. Each run then checks the
 * cost model (`fftWins`) on its geometry and takes the GEMM where the FFT would not win by
 * FFT_MARGIN, or where the kernel spectra would pass FFT_MAX_SPECTRA_BYTES.
 *
 * Measured (bench/fftconv.mjs, Node 20.20, simd, 2-core machine under heavy load, interleaved
 * medians of 5; 'same' padding), GEMM time / FFT time:
 * - 1-D 16384 samples, 4 -> 8 channels, 128 taps: 6.7x; 1 -> 16 channels (against the depthwise
 *   kernel) 255 taps 4.6x, 127 taps 3.1x, 63 taps 1.0x, 31 taps 0.5x;
 * - 2-D 256x256, 3 -> 8 channels: 31x31 40x, 15x15 10x, 11x11 4.1x, 7x7 0.65x; 64x64, 16 -> 16
 *   channels, 15x15: 21x;
 * - 3-D 32^3, 4 -> 4 channels, 7x7x7: 26x.
 */
function prefersFft(spec: ConvSpec): boolean {
  if (!spec.stride.every((s) => s === 1)) return false;
  const span = spec.kernel.map((k, i) => spec.dilation[i] * (k - 1) + 1);
  return product(span) >= FFT_MIN_TAPS[spec.kind.rank - 1];
}

/** Fewest kernel taps (1-D, 2-D, 3-D) for which 'auto' considers the FFT (measurements at `prefersFft`). */
export const FFT_MIN_TAPS = [128, 11 * 11, 5 * 5 * 5];
/** How much faster the cost model must find the FFT for 'auto' to run it. */
const FFT_MARGIN = 2;
/** Seconds per multiply-add of the GEMM path (its fastest in the measurements above: 1-D 0.2 ns, 2-D 0.34 ns). */
const GEMM_MAC = 0.2e-9;
/** Seconds per complex multiply-add of the spectra (assembly/fft.ts `spectrumMultiplyAdd`). */
const SPECTRUM_MAC = 1e-9;

/**
 * The cost model of a run: the FFT's transforms (C forward, K inverse per image, at the cost of
 * src/ops/fftconv.ts) and spectrum products against the GEMM's multiply-adds. It predicted the
 * measurements above within 10-25% (1-D 255 taps: FFT 2.5 ms for 2.7 measured, GEMM 13.4 ms for
 * 13.7).
 */
function fftWins(spec: ConvSpec, g: Geometry, t: Transform): boolean {
  const K = spec.outChannels, Cg = spec.weightShape[1];
  const fft = g.N * ((g.C + K) * transformCost(product(t.L)) + K * Cg * t.shape.size * SPECTRUM_MAC);
  const gemm = g.N * K * Cg * product(spec.kernel) * product(g.out) * GEMM_MAC;
  return FFT_MARGIN * fft < gemm;
}

/** Sizes of a run on geometry `g`, per axis [D, H, W]. */
interface Transform {
  shape: SpectrumShape;
  L: number[];
  n: number[];
  out: number[];
  before: number[];
  span: number[];
  dilation: number[];
  kernel: number[];
  /** Key of the kernel spectra this transform needs. */
  key: string;
}

function transformOf(spec: ConvSpec, g: Geometry): Transform {
  const n = toThreeAxes(g.inSpatial, 1), out = toThreeAxes(g.out, 1);
  const before = toThreeAxes(g.pads.map((p) => p[0]), 0);
  const kernel = toThreeAxes(spec.kernel, 1), dilation = toThreeAxes(g.dilation, 1);
  const span = kernel.map((k, i) => dilation[i] * (k - 1) + 1);
  const L = n.map((ni, i) => {
    const need = Math.max(ni + before[i], out[i] + span[i] - 1 - before[i], ni, span[i], out[i]);
    return i === 2 ? nextFastLength(need, true) : nextFastLength(need);
  });
  return { shape: new SpectrumShape(L[0], L[1], L[2]), L, n, out, before, span, dilation, kernel, key: `${L} ${before}` };
}

/** Bytes of the kernel spectra of a run on `g`. */
function spectraBytes(spec: ConvSpec, t: Transform): number {
  return spec.outChannels * spec.weightShape[1] * t.shape.size * 8;
}

/** Whether every value is finite (a product with 0 is NaN exactly for NaN and infinities). */
function allFinite(data: ArrayLike<number>): boolean {
  let probe = 0;
  for (let i = 0; i < data.length; i++) probe += data[i] * 0;
  return probe === 0;
}

export const fft: Algorithm = {
  name: 'fft',
  kernels: [],
  option: { value: 'fft', meaning: 'the FFT, for long kernels', requires: 'stride 1 along every axis and finite weights' },
  applies: (spec, w) => !spec.kind.transposed && !spec.pointwiseShape && spec.stride.every((s) => s === 1) && allFinite(w.data),
  preferred: prefersFft,
  // The spectra depend on the transform size, known at the first run: the pipeline keeps the weights.
  pack: () => new Float32Array(0),
  flops: forwardFlops,
  blocking: () => ({ blockK: 0, blockP: 0 }),
  problem(spec, g) {
    const t = transformOf(spec, g);
    if (spectraBytes(spec, t) > FFT_MAX_SPECTRA_BYTES) return null;
    return spec.algorithm === 'fft' || fftWins(spec, g, t) ? { g } : null;
  },
  needsFiniteInput: true,
  pipeline: (spec, weight, rt) => new FftPipeline(spec, weight, rt),
  // Few output channels: the kernel spectra stay small (32 x 180 complex values), so ready() leaves a small memory.
  warmUp: [{ weight: [2, 16, 11, 11], padding: 5 }],
};

/** The kernel spectra of one transform size: pairs (out, in of its group) in order, each `size` complex values. */
interface Spectra { key: string; re: number; im: number }

class FftPipeline implements Pipeline {
  private readonly weight: Float32Array;
  private spectra: Spectra | null = null;

  constructor(private readonly spec: ConvSpec, weight: WeightTensor, private readonly rt: Runtime) {
    this.weight = Float32Array.from(weight.data);
  }

  workspaceBytes(g: Geometry): number {
    const t = transformOf(this.spec, g);
    const { inChannels: C, outChannels: K, channelsLast } = this.spec;
    const planes = 4 * t.shape.size * 2 * (C + 2);
    const relayout = channelsLast ? 4 * (product(t.n) + K * product(t.out)) : 0;
    const spectra = this.spectra?.key === t.key ? 0 : spectraBytes(this.spec, t);
    return planes + relayout + spectra;
  }

  run(g: Geometry, input: number, output: number): void {
    const { spec, rt } = this;
    const { arena } = rt;
    const k = rt.kernels;
    const t = transformOf(spec, g);
    const { shape } = t;
    const size = shape.size;
    const spectra = this.kernelSpectra(t);
    const { inChannels: C, outChannels: K, groups, channelsLast, bias, activation } = spec;
    const Cg = C / groups, Kg = K / groups;
    const inPixels = product(t.n), outPixels = product(t.out);
    const blocks: number[] = [];
    const alloc = (bytes: number, what: string) => {
      const p = arena.alloc(bytes, what);
      blocks.push(p);
      return p;
    };
    try {
      const xRe = alloc(4 * size * C, 'the input spectra'), xIm = alloc(4 * size * C, 'the input spectra');
      const accRe = alloc(4 * size, 'an output spectrum'), accIm = alloc(4 * size, 'an output spectrum');
      const workRe = alloc(4 * size, 'FFT work planes'), workIm = alloc(4 * size, 'FFT work planes');
      const channel = channelsLast ? alloc(4 * inPixels, 'an input channel') : 0;
      const result = channelsLast ? alloc(4 * K * outPixels, 'the output channels') : 0;
      const scale = 1 / (shape.LD * shape.LH * shape.N);
      for (let b = 0; b < g.N; b++) {
        for (let c = 0; c < C; c++) {
          let src = input + 4 * (b * C + c) * inPixels;
          if (channelsLast) {
            const from = arena.f32(input + 4 * b * C * inPixels, C * inPixels), to = arena.f32(channel, inPixels);
            for (let p = 0; p < inPixels; p++) to[p] = from[p * C + c];
            src = channel;
          }
          const re = xRe + 4 * c * size, im = xIm + 4 * c * size;
          shape.pack(rt, src, t.n[0], t.n[1], t.n[2], re, im);
          shape.forward(rt, re, im, workRe, workIm);
        }
        const base = channelsLast ? result : output + 4 * b * K * outPixels;
        for (let o = 0; o < K; o++) {
          const c0 = Math.floor(o / Kg) * Cg;
          for (let j = 0; j < Cg; j++) {
            const pair = 4 * (o * Cg + j) * size;
            const x = 4 * (c0 + j) * size;
            k.spectrumMultiplyAdd(accRe, accIm, xRe + x, xIm + x, spectra.re + pair, spectra.im + pair, size, j > 0 ? 1 : 0);
          }
          shape.inverse(rt, accRe, accIm, workRe, workIm);
          shape.unpack(rt, accRe, accIm, [0, 0, 0], t.out, base + 4 * o * outPixels, scale);
        }
        // Bias and activation, and channels-last the move into the output's layout.
        const y = arena.f32(base, K * outPixels);
        const into = channelsLast ? arena.f32(output + 4 * b * K * outPixels, K * outPixels) : y;
        for (let o = 0; o < K; o++) {
          const add = bias ? bias[o] : 0;
          const step = channelsLast ? K : 1;
          let at = channelsLast ? o : o * outPixels;
          for (let p = o * outPixels, end = p + outPixels; p < end; p++, at += step) {
            let v = y[p] + add;
            if (activation) v = Math.min(Math.max(v > 0 ? v : v * activation.slope, activation.lo), activation.hi);
            into[at] = v;
          }
        }
      }
    } finally {
      for (const p of blocks.reverse()) arena.release(p);
    }
  }

  dispose(): void {
    if (this.spectra) {
      this.rt.arena.release(this.spectra.re);
      this.rt.arena.release(this.spectra.im);
      this.spectra = null;
    }
  }

  /** The kernel spectra for transform `t`: kept from the last run if it had the same size, else made now. */
  private kernelSpectra(t: Transform): Spectra {
    if (this.spectra?.key === t.key) return this.spectra;
    this.dispose();
    const { spec, rt } = this;
    const { arena } = rt;
    const { shape, L } = t;
    const pairs = spec.outChannels * spec.weightShape[1];
    const taps = product(t.kernel);
    const re = arena.alloc(4 * shape.size * pairs, 'the kernel spectra');
    let im = 0, h = 0, workRe = 0, workIm = 0;
    try {
      im = arena.alloc(4 * shape.size * pairs, 'the kernel spectra');
      h = arena.alloc(4 * product(L), 'a kernel');
      workRe = arena.alloc(4 * shape.size, 'FFT work planes');
      workIm = arena.alloc(4 * shape.size, 'FFT work planes');
      // Where tap (td, th, tw) goes in the circular layout.
      const at = (i: number, tap: number) => (((t.before[i] - tap * t.dilation[i]) % L[i]) + L[i]) % L[i];
      const [KD, KH, KW] = t.kernel;
      for (let pair = 0; pair < pairs; pair++) {
        const view = arena.f32(h, product(L)).fill(0);
        for (let td = 0; td < KD; td++) {
          for (let th = 0; th < KH; th++) {
            for (let tw = 0; tw < KW; tw++) {
              const tap = (td * KH + th) * KW + tw;
              view[(at(0, td) * L[1] + at(1, th)) * L[2] + at(2, tw)] = this.weight[pair * taps + (spec.flip ? taps - 1 - tap : tap)];
            }
          }
        }
        const r = re + 4 * pair * shape.size, i = im + 4 * pair * shape.size;
        shape.pack(rt, h, L[0], L[1], L[2], r, i);
        shape.forward(rt, r, i, workRe, workIm);
      }
    } catch (e) {
      arena.release(re);
      if (im) arena.release(im);
      throw e;
    } finally {
      if (h) arena.release(h);
      if (workRe) arena.release(workRe);
      if (workIm) arena.release(workIm);
    }
    this.spectra = { key: t.key, re, im };
    return this.spectra;
  }
}

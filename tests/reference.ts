/**
 * Naive float64 reference implementations: the oracle the library is tested against.
 *
 * Deliberately independent from src/: every shape rule is worked out again here, and every
 * result comes from plain nested loops that accumulate in float64 and round to float32 once at
 * the end. Speed does not matter; being obviously right does.
 *
 * - refConv: PyTorch Conv{1,2,3}d / ONNX Conv (cross-correlation), with padding modes, `flip`,
 *   bias and a fused activation, channels-first or channels-last.
 * - refConvTranspose: PyTorch ConvTranspose{1,2,3}d / ONNX ConvTranspose, by scattering.
 * - refSignal: scipy.signal.convolve2d / correlate2d, generalised to 1-D, 2-D and 3-D.
 */

export type Tensor = { data: Float32Array | Float64Array | number[]; shape: number[] };
export type RefResult = { data: Float32Array; shape: number[] };

type DataLike = ArrayLike<number>;
type Pair = [number, number];

export type RefPadding = number | readonly number[] | readonly (readonly [number, number])[] | 'valid' | 'same';
export type RefPaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular' | 'symmetric';
export type RefActivation =
  | undefined
  | 'none'
  | 'relu'
  | 'relu6'
  | 'leakyRelu'
  | { type: 'none' | 'relu' | 'relu6' }
  | { type: 'leakyRelu'; alpha?: number }
  | { type: 'clamp'; min?: number; max?: number };

export interface RefConvOptions {
  stride?: number | readonly number[];
  dilation?: number | readonly number[];
  groups?: number;
  bias?: DataLike | { data: DataLike; shape?: readonly number[] } | null;
  padding?: RefPadding;
  paddingMode?: RefPaddingMode;
  flip?: boolean;
  activation?: RefActivation;
  layout?: string;
}

export interface RefConvTransposeOptions extends RefConvOptions {
  outputPadding?: number | readonly number[];
  outputSize?: readonly number[];
}

// ---------------------------------------------------------------------------------------------
// Small shared helpers
// ---------------------------------------------------------------------------------------------

const product = (a: readonly number[]): number => a.reduce((p, v) => p * v, 1);

/** Non-negative remainder (JS `%` keeps the sign of the dividend). */
const mod = (a: number, n: number): number => ((a % n) + n) % n;

function fail(msg: string): never {
  throw new Error(`reference: ${msg}`);
}

function checkTensor(t: { data: DataLike; shape: readonly number[] }, name: string): void {
  if (!t || !t.data || !Array.isArray(t.shape)) fail(`${name} must be {data, shape}`);
  if (t.data.length !== product([...t.shape])) {
    fail(`${name}: data length ${t.data.length} does not match shape [${t.shape.join(', ')}]`);
  }
}

/** A number, or one number per spatial axis, expanded to one number per axis. */
function perAxis(v: number | readonly number[] | undefined, rank: number, def: number, name: string): number[] {
  if (v === undefined) return new Array(rank).fill(def);
  if (typeof v === 'number') return new Array(rank).fill(v);
  if (v.length !== rank) fail(`${name} needs ${rank} values, got [${v.join(', ')}]`);
  return [...v];
}

/** Explicit padding forms (number, per-axis number, per-axis [begin, end] pair) as pairs. */
function explicitPads(p: Exclude<RefPadding, 'same'> | undefined, rank: number): Pair[] {
  if (p === undefined || p === 'valid') return new Array(rank).fill(0).map(() => [0, 0] as Pair);
  if (typeof p === 'number') return new Array(rank).fill(0).map(() => [p, p] as Pair);
  if (p.length !== rank) fail(`padding needs ${rank} entries, got ${JSON.stringify(p)}`);
  return (p as ReadonlyArray<number | readonly [number, number]>).map((e) => {
    if (typeof e === 'number') return [e, e] as Pair;
    if (e.length !== 2) fail(`padding pair must be [begin, end], got ${JSON.stringify(e)}`);
    return [e[0], e[1]] as Pair;
  });
}

/** Which layouts put channels last. The rank must agree with the layout string's length. */
function isChannelsLast(layout: string | undefined, rank: number): boolean {
  if (layout === undefined) return false;
  const known: Record<string, [number, boolean]> = {
    NCW: [1, false], NWC: [1, true],
    NCHW: [2, false], NHWC: [2, true],
    NCDHW: [3, false], NDHWC: [3, true],
  };
  const k = known[layout];
  if (!k) fail(`unknown layout '${layout}'`);
  if (k[0] !== rank) fail(`layout '${layout}' is for ${k[0]} spatial dims, the kernel has ${rank}`);
  return k[1];
}

/**
 * Copies an activation tensor into channels-first order [N, C, ...spatial] (float64).
 * Channels-last input [N, ...spatial, C] is transposed; channels-first is copied.
 */
function toChannelsFirst(data: DataLike, shape: readonly number[], channelsLast: boolean): { data: Float64Array; N: number; C: number; spatial: number[] } {
  const N = shape[0];
  const C = channelsLast ? shape[shape.length - 1] : shape[1];
  const spatial = channelsLast ? shape.slice(1, -1) : shape.slice(2);
  const S = product(spatial);
  const out = new Float64Array(N * C * S);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let s = 0; s < S; s++) {
        const src = channelsLast ? (n * S + s) * C + c : (n * C + c) * S + s;
        out[(n * C + c) * S + s] = data[src];
      }
    }
  }
  return { data: out, N, C, spatial: [...spatial] };
}

/** The inverse of toChannelsFirst: a channels-first float64 buffer into the requested layout, as float32. */
function fromChannelsFirst(data: Float64Array, N: number, C: number, spatial: number[], channelsLast: boolean): RefResult {
  const S = product(spatial);
  const out = new Float32Array(N * C * S);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let s = 0; s < S; s++) {
        const dst = channelsLast ? (n * S + s) * C + c : (n * C + c) * S + s;
        out[dst] = data[(n * C + c) * S + s];
      }
    }
  }
  const shape = channelsLast ? [N, ...spatial, C] : [N, C, ...spatial];
  return { data: out, shape };
}

function biasValues(bias: RefConvOptions['bias'], cout: number): Float64Array {
  const out = new Float64Array(cout);
  if (bias === undefined || bias === null) return out;
  const data: DataLike = ArrayBuffer.isView(bias) || Array.isArray(bias) ? (bias as DataLike) : (bias as { data: DataLike }).data;
  if (data.length !== cout) fail(`bias has ${data.length} values, expected ${cout}`);
  for (let i = 0; i < cout; i++) out[i] = data[i];
  return out;
}

/** The activation as a scalar function (applied after the bias). */
function activationFn(a: RefActivation): (v: number) => number {
  if (a === undefined || a === 'none') return (v) => v;
  const spec = typeof a === 'string' ? { type: a } : a;
  switch (spec.type) {
    case 'none':
      return (v) => v;
    case 'relu':
      return (v) => (v > 0 ? v : v < 0 ? 0 : v); // keeps NaN as NaN, -0 -> -0 is fine either way
    case 'relu6':
      return (v) => (v < 0 ? 0 : v > 6 ? 6 : v);
    case 'leakyRelu': {
      const alpha = (spec as { alpha?: number }).alpha ?? 0.01;
      return (v) => (v < 0 ? alpha * v : v);
    }
    case 'clamp': {
      const { min = -Infinity, max = Infinity } = spec as { min?: number; max?: number };
      return (v) => (v < min ? min : v > max ? max : v);
    }
    default:
      return fail(`unknown activation ${JSON.stringify(a)}`);
  }
}

/** Left-pads a per-axis list to 3 entries, so every rank runs through the same 3-D loops. */
const to3 = (a: readonly number[], fillValue: number): number[] => [...new Array(3 - a.length).fill(fillValue), ...a];

/**
 * Maps a padded coordinate `p` (may be outside [0, n)) to an input index, or -1 for "zero".
 * The non-zero modes are extended periodically, so any amount of padding is defined (PyTorch
 * itself limits reflect to pad < n and circular to pad <= n; inside those limits this agrees).
 */
function padIndex(p: number, n: number, mode: RefPaddingMode): number {
  if (p >= 0 && p < n) return p;
  switch (mode) {
    case 'zeros':
      return -1;
    case 'replicate':
      return p < 0 ? 0 : n - 1;
    case 'circular':
      return mod(p, n);
    case 'reflect': {
      // mirror about the edge element (edge not repeated): period 2(n-1)
      if (n === 1) return 0;
      const m = mod(p, 2 * n - 2);
      return m < n ? m : 2 * n - 2 - m;
    }
    case 'symmetric': {
      // mirror about the edge boundary (edge repeated): period 2n
      const m = mod(p, 2 * n);
      return m < n ? m : 2 * n - 1 - m;
    }
    default:
      return fail(`unknown paddingMode '${mode as string}'`);
  }
}

// ---------------------------------------------------------------------------------------------
// Forward convolution
// ---------------------------------------------------------------------------------------------

/**
 * Convolution (cross-correlation unless `flip`), PyTorch Conv{1,2,3}d / ONNX Conv semantics.
 *
 * x: [N, C, ...spatial] (channels-first) or [N, ...spatial, C] (channels-last layouts);
 * w: [Cout, C/groups, ...k] in every layout. Output in the input's layout.
 *
 * out[n, m, o] = act(bias[m] + sum_{c, kk} xpad[n, g*Cg + c, o*stride - padBegin + kk*dilation] * w[m, c, kk])
 * with g = floor(m / (Cout/groups)) and xpad the input extended by `paddingMode`.
 */
export function refConv(x: Tensor, w: Tensor, opts: RefConvOptions | Record<string, unknown> = {}): RefResult {
  const o = opts as RefConvOptions;
  checkTensor(x, 'x');
  checkTensor(w, 'w');
  const rank = w.shape.length - 2;
  if (rank < 1 || rank > 3) fail(`weight must have 3 to 5 dims, got [${w.shape.join(', ')}]`);
  if (x.shape.length !== rank + 2) fail(`input must have ${rank + 2} dims, got [${x.shape.join(', ')}]`);
  const channelsLast = isChannelsLast(o.layout, rank);
  const stride = perAxis(o.stride, rank, 1, 'stride');
  const dilation = perAxis(o.dilation, rank, 1, 'dilation');
  const groups = o.groups ?? 1;
  const mode: RefPaddingMode = o.paddingMode ?? 'zeros';
  const X = toChannelsFirst(x.data, x.shape, channelsLast);
  const { N, C, spatial } = X;
  const Cout = w.shape[0];
  const Cg = w.shape[1];
  const k = w.shape.slice(2);
  if (C % groups !== 0 || Cout % groups !== 0) fail(`groups=${groups} must divide C=${C} and Cout=${Cout}`);
  if (Cg * groups !== C) fail(`weight has ${Cg} input channels per group, input has ${C} channels with groups=${groups}`);
  const CoutG = Cout / groups;

  // Padding per axis as [begin, end].
  let pads: Pair[];
  if (o.padding === 'same') {
    // ONNX SAME_UPPER / TensorFlow SAME: out = ceil(in/stride); the odd unit goes at the end.
    pads = spatial.map((n, i) => {
      const out = Math.ceil(n / stride[i]);
      const t = Math.max(0, (out - 1) * stride[i] + dilation[i] * (k[i] - 1) + 1 - n);
      const begin = Math.floor(t / 2);
      return [begin, t - begin] as Pair;
    });
  } else {
    pads = explicitPads(o.padding, rank);
  }
  const outSpatial = spatial.map((n, i) => Math.floor((n + pads[i][0] + pads[i][1] - dilation[i] * (k[i] - 1) - 1) / stride[i]) + 1);
  if (outSpatial.some((v) => v < 1)) fail(`empty output [${outSpatial.join(', ')}]: kernel larger than padded input`);

  const bias = biasValues(o.bias, Cout);
  const act = activationFn(o.activation);

  // Run every rank through the same 3-D loops (missing leading axes have size 1).
  const [ID, IH, IW] = to3(spatial, 1);
  const [KD, KH, KW] = to3(k, 1);
  const [OD, OH, OW] = to3(outSpatial, 1);
  const [SD, SH, SW] = to3(stride, 1);
  const [DD, DH, DW] = to3(dilation, 1);
  const [PD, PH, PW] = to3(pads.map((p) => p[0]), 0);
  const wd = w.data;
  const xd = X.data;
  const out = new Float64Array(N * Cout * OD * OH * OW);

  for (let n = 0; n < N; n++) {
    for (let m = 0; m < Cout; m++) {
      const g = Math.floor(m / CoutG);
      for (let od = 0; od < OD; od++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            let acc = bias[m];
            for (let c = 0; c < Cg; c++) {
              const ci = g * Cg + c;
              for (let kd = 0; kd < KD; kd++) {
                const id = padIndex(od * SD - PD + kd * DD, ID, mode);
                if (id < 0) continue;
                for (let kh = 0; kh < KH; kh++) {
                  const ih = padIndex(oh * SH - PH + kh * DH, IH, mode);
                  if (ih < 0) continue;
                  for (let kw = 0; kw < KW; kw++) {
                    const iw = padIndex(ow * SW - PW + kw * DW, IW, mode);
                    if (iw < 0) continue;
                    // flip: true convolution, the kernel read back to front on every axis
                    const fd = o.flip ? KD - 1 - kd : kd;
                    const fh = o.flip ? KH - 1 - kh : kh;
                    const fw = o.flip ? KW - 1 - kw : kw;
                    const xv = xd[(((n * C + ci) * ID + id) * IH + ih) * IW + iw];
                    const wv = wd[(((m * Cg + c) * KD + fd) * KH + fh) * KW + fw];
                    acc += xv * wv;
                  }
                }
              }
            }
            out[(((n * Cout + m) * OD + od) * OH + oh) * OW + ow] = act(acc);
          }
        }
      }
    }
  }
  return fromChannelsFirst(out, N, Cout, outSpatial, channelsLast);
}

// ---------------------------------------------------------------------------------------------
// Transposed convolution
// ---------------------------------------------------------------------------------------------

/**
 * Transposed convolution, PyTorch ConvTranspose{1,2,3}d / ONNX ConvTranspose semantics.
 *
 * w: [C, Cout/groups, ...k]. Every input value scatters into the output:
 *   Y[n, g*CoutG + m, i*stride + kk*dilation - padBegin] += X[n, c, i] * W[c, m, kk]
 * (g = floor(c / (C/groups))); positions outside Y are dropped; then bias everywhere and the
 * activation. Output size per axis: natural = (in-1)*stride - padBegin - padEnd + dilation*(k-1) + 1,
 * plus `outputPadding`, or exactly `outputSize` when given (any positive size is computed as asked;
 * positions past the scatter's reach receive only the bias, as ONNX output_shape can request).
 */
export function refConvTranspose(x: Tensor, w: Tensor, opts: RefConvTransposeOptions | Record<string, unknown> = {}): RefResult {
  const o = opts as RefConvTransposeOptions;
  checkTensor(x, 'x');
  checkTensor(w, 'w');
  const rank = w.shape.length - 2;
  if (rank < 1 || rank > 3) fail(`weight must have 3 to 5 dims, got [${w.shape.join(', ')}]`);
  if (x.shape.length !== rank + 2) fail(`input must have ${rank + 2} dims, got [${x.shape.join(', ')}]`);
  if (o.padding === 'same') fail(`padding 'same' is not defined for transposed convolution`);
  if (o.paddingMode !== undefined && o.paddingMode !== 'zeros') fail(`transposed convolution pads with zeros only`);
  const channelsLast = isChannelsLast(o.layout, rank);
  const stride = perAxis(o.stride, rank, 1, 'stride');
  const dilation = perAxis(o.dilation, rank, 1, 'dilation');
  const groups = o.groups ?? 1;
  const X = toChannelsFirst(x.data, x.shape, channelsLast);
  const { N, C, spatial } = X;
  if (w.shape[0] !== C) fail(`weight has ${w.shape[0]} input channels, input has ${C}`);
  if (C % groups !== 0) fail(`groups=${groups} must divide C=${C}`);
  const Cg = C / groups;
  const CoutG = w.shape[1];
  const Cout = CoutG * groups;
  const k = w.shape.slice(2);
  const pads = explicitPads(o.padding, rank);

  const natural = spatial.map((n, i) => (n - 1) * stride[i] - pads[i][0] - pads[i][1] + dilation[i] * (k[i] - 1) + 1);
  let outSpatial: number[];
  if (o.outputSize !== undefined) {
    // PyTorch also accepts the full output shape; its last `rank` entries are the spatial ones.
    const os = o.outputSize.length === rank + 2 ? o.outputSize.slice(2) : [...o.outputSize];
    if (os.length !== rank) fail(`outputSize needs ${rank} values, got [${o.outputSize.join(', ')}]`);
    outSpatial = os;
  } else {
    const op = perAxis(o.outputPadding, rank, 0, 'outputPadding');
    outSpatial = natural.map((v, i) => v + op[i]);
  }
  if (outSpatial.some((v) => v < 1)) fail(`empty output [${outSpatial.join(', ')}]`);

  const bias = biasValues(o.bias, Cout);
  const act = activationFn(o.activation);

  const [ID, IH, IW] = to3(spatial, 1);
  const [KD, KH, KW] = to3(k, 1);
  const [OD, OH, OW] = to3(outSpatial, 1);
  const [SD, SH, SW] = to3(stride, 1);
  const [DD, DH, DW] = to3(dilation, 1);
  const [PD, PH, PW] = to3(pads.map((p) => p[0]), 0);
  const wd = w.data;
  const xd = X.data;
  const out = new Float64Array(N * Cout * OD * OH * OW);

  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const g = Math.floor(c / Cg);
      for (let m = 0; m < CoutG; m++) {
        const mo = g * CoutG + m;
        for (let id = 0; id < ID; id++) {
          for (let ih = 0; ih < IH; ih++) {
            for (let iw = 0; iw < IW; iw++) {
              const xv = xd[(((n * C + c) * ID + id) * IH + ih) * IW + iw];
              for (let kd = 0; kd < KD; kd++) {
                const od = id * SD + kd * DD - PD;
                if (od < 0 || od >= OD) continue;
                for (let kh = 0; kh < KH; kh++) {
                  const oh = ih * SH + kh * DH - PH;
                  if (oh < 0 || oh >= OH) continue;
                  for (let kw = 0; kw < KW; kw++) {
                    const ow = iw * SW + kw * DW - PW;
                    if (ow < 0 || ow >= OW) continue;
                    const fd = o.flip ? KD - 1 - kd : kd;
                    const fh = o.flip ? KH - 1 - kh : kh;
                    const fw = o.flip ? KW - 1 - kw : kw;
                    const wv = wd[(((c * CoutG + m) * KD + fd) * KH + fh) * KW + fw];
                    out[(((n * Cout + mo) * OD + od) * OH + oh) * OW + ow] += xv * wv;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  const S = OD * OH * OW;
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < Cout; m++) {
      for (let s = 0; s < S; s++) {
        const i = (n * Cout + m) * S + s;
        out[i] = act(out[i] + bias[m]);
      }
    }
  }
  return fromChannelsFirst(out, N, Cout, outSpatial, channelsLast);
}

// ---------------------------------------------------------------------------------------------
// scipy.signal.convolve2d / correlate2d, for 1-D, 2-D and 3-D
// ---------------------------------------------------------------------------------------------

export type SignalMode = 'full' | 'same' | 'valid';
export type SignalBoundary = 'fill' | 'wrap' | 'symm';

/**
 * scipy.signal.convolve2d / correlate2d semantics, generalised to single-channel arrays of
 * 1, 2 or 3 dims (both inputs the same number of dims). Follows scipy's implementation:
 *
 * - Output size: 'full' in1 + in2 - 1; 'same' in1; 'valid' in1 - in2 + 1.
 * - 'valid' needs one input at least as large as the other in every dim. If in2 is the larger
 *   one, scipy swaps the inputs (convolution is commutative, so convolve is unaffected); for
 *   correlate it computes correlate(in2, in1) and then reverses the result along every axis,
 *   which is what this function does too. Neither larger in every dim throws.
 * - Index into in1 for output index m and kernel index j (per axis, K = kernel length):
 *     convolve:  full: m - j             same: m + floor((K-1)/2) - j   valid: m + K - 1 - j
 *     correlate: full: m - (K-1) + j     same: m - floor((K-1)/2) + j   valid: m + j
 *   For convolve 'same' is the centre of 'full' starting at floor((K-1)/2), which equals
 *   scipy.signal.convolve's (full - in1)//2. For correlate2d 'same' starts at ceil((K-1)/2)
 *   of its 'full' result: for even kernel lengths this is one later than
 *   scipy.signal.correlate(..., 'same'), a known difference between the two scipy functions;
 *   this reference reproduces correlate2d.
 * - boundary (where an index falls outside in1): 'fill' takes `fillvalue`; 'wrap' wraps
 *   periodically; 'symm' mirrors with the edge repeated (period 2n), as scipy's C kernel does.
 *   Also accepted: scipy's aliases 'pad' (fill), 'circular' (wrap), 'symmetric' (symm).
 */
export function refSignal(
  kind: 'convolve' | 'correlate',
  in1: Tensor,
  in2: Tensor,
  mode: SignalMode = 'full',
  boundary: SignalBoundary | 'pad' | 'circular' | 'symmetric' = 'fill',
  fillvalue = 0,
): RefResult {
  checkTensor(in1, 'in1');
  checkTensor(in2, 'in2');
  const rank = in1.shape.length;
  if (rank < 1 || rank > 3) fail(`signal inputs must have 1 to 3 dims, got ${rank}`);
  if (in2.shape.length !== rank) fail(`signal inputs must have the same number of dims`);
  if (in1.data.length === 0 || in2.data.length === 0) fail(`signal inputs must not be empty`);
  const bnd = boundary === 'pad' ? 'fill' : boundary === 'circular' ? 'wrap' : boundary === 'symmetric' ? 'symm' : boundary;
  if (bnd !== 'fill' && bnd !== 'wrap' && bnd !== 'symm') fail(`unknown boundary '${boundary}'`);

  let a = in1;
  let v = in2;
  let swapped = false;
  if (mode === 'valid') {
    const ok1 = a.shape.every((n, i) => n >= v.shape[i]);
    const ok2 = a.shape.every((n, i) => v.shape[i] >= n);
    if (!ok1 && !ok2) fail(`'valid' mode needs one input at least as large as the other in every dim`);
    if (!ok1) {
      [a, v] = [v, a];
      swapped = true;
    }
  }
  const convolve = kind === 'convolve';
  const ns = a.shape;
  const ks = v.shape;
  const outShape = ns.map((n, i) => (mode === 'full' ? n + ks[i] - 1 : mode === 'same' ? n : n - ks[i] + 1));

  // Per axis: the in1 coordinate for (output index m, kernel index j), before the boundary rule.
  const start = (m: number, K: number): number => {
    const h = (K - 1) >> 1;
    if (convolve) return mode === 'full' ? m : mode === 'same' ? m + h : m + K - 1;
    return mode === 'full' ? m - K + 1 : mode === 'same' ? m - h : m;
  };
  const at = (m: number, j: number, K: number): number => (convolve ? start(m, K) - j : start(m, K) + j);
  const boundaryIndex = (p: number, n: number): number => {
    if (p >= 0 && p < n) return p;
    if (bnd === 'wrap') return mod(p, n);
    if (bnd === 'symm') return padIndex(p, n, 'symmetric');
    return -1; // fill
  };

  const [N0, N1, N2] = to3(ns, 1);
  const [K0, K1, K2] = to3(ks, 1);
  const [O0, O1, O2] = to3(outShape, 1);
  const ad = a.data;
  const vd = v.data;
  const out = new Float64Array(O0 * O1 * O2);
  for (let m0 = 0; m0 < O0; m0++) {
    for (let m1 = 0; m1 < O1; m1++) {
      for (let m2 = 0; m2 < O2; m2++) {
        let acc = 0;
        for (let j0 = 0; j0 < K0; j0++) {
          const p0 = boundaryIndex(at(m0, j0, K0), N0);
          for (let j1 = 0; j1 < K1; j1++) {
            const p1 = boundaryIndex(at(m1, j1, K1), N1);
            for (let j2 = 0; j2 < K2; j2++) {
              const p2 = boundaryIndex(at(m2, j2, K2), N2);
              const xv = p0 < 0 || p1 < 0 || p2 < 0 ? fillvalue : ad[(p0 * N1 + p1) * N2 + p2];
              acc += xv * vd[(j0 * K1 + j1) * K2 + j2];
            }
          }
        }
        // correlate with swapped inputs: reverse along every axis (scipy's out[::-1, ::-1])
        const r0 = swapped && !convolve ? O0 - 1 - m0 : m0;
        const r1 = swapped && !convolve ? O1 - 1 - m1 : m1;
        const r2 = swapped && !convolve ? O2 - 1 - m2 : m2;
        out[(r0 * O1 + r1) * O2 + r2] = acc;
      }
    }
  }
  return { data: Float32Array.from(out), shape: outShape };
}

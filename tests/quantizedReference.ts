/**
 * Exact integer reference for 8-bit convolution, written from the ONNX operator definitions:
 *  - ConvInteger: y[n, o, p] = sum over (c, taps) of (x - x_zp) * (w - w_zp[o]), an int32 sum;
 *  - QLinearConv: the same sum plus an int32 bias, then
 *    y = saturate(round_half_to_even(sum * (x_scale * w_scale[o] / y_scale)) + y_zp).
 * Padded positions hold the zero point (their difference is 0). Sums wrap as int32 arithmetic does.
 *
 * The requantization is computed in float32, step by step as ONNX Runtime does it: the multiplier
 * fround(fround(x_scale * w_scale) / y_scale), the sum converted to float32, one float32 product,
 * rounded half to even. Naive loops, no tiling: slow and obviously right.
 */

export interface QTensor {
  data: ArrayLike<number>;
  shape: readonly number[];
}

export interface RefQuantizedOptions {
  xZeroPoint: number;
  /** One zero point, or one per output channel. */
  wZeroPoint: number | readonly number[];
  bias?: ArrayLike<number> | null;
  stride?: readonly number[];
  dilation?: readonly number[];
  /** One [begin, end] pair per spatial axis. */
  pads?: ReadonlyArray<readonly [number, number]>;
  groups?: number;
  /** Input and output channels-last ([N, ...spatial, C]); the weight is always [Cout, Cin/groups, ...k]. */
  channelsLast?: boolean;
}

/** The int32 sums of ConvInteger (plus the bias, as QLinearConv adds it before requantizing). */
export function refIntegerConv(x: QTensor, w: QTensor, o: RefQuantizedOptions): { data: Int32Array; shape: number[] } {
  const rank = x.shape.length - 2;
  const N = x.shape[0];
  const C = o.channelsLast ? x.shape[rank + 1] : x.shape[1];
  const inSp = o.channelsLast ? x.shape.slice(1, rank + 1) : x.shape.slice(2);
  const Cout = w.shape[0];
  const Cg = w.shape[1];
  const k = w.shape.slice(2);
  const G = o.groups ?? 1;
  if (Cg * G !== C || Cout % G !== 0) throw new Error('refIntegerConv: channel counts do not match the groups');
  const stride = o.stride ?? new Array(rank).fill(1);
  const dil = o.dilation ?? new Array(rank).fill(1);
  const pads = o.pads ?? new Array(rank).fill([0, 0]);
  const outSp = inSp.map((n, a) => Math.floor((n + pads[a][0] + pads[a][1] - dil[a] * (k[a] - 1) - 1) / stride[a]) + 1);
  const P = outSp.reduce((a, b) => a * b, 1);
  const IP = inSp.reduce((a, b) => a * b, 1);
  const T = k.reduce((a, b) => a * b, 1);
  const Mg = Cout / G;
  const out = new Int32Array(N * Cout * P);
  const wzp = (oc: number) => (typeof o.wZeroPoint === 'number' ? o.wZeroPoint : o.wZeroPoint[oc]);
  // Index of an input element / output element in either layout.
  const xAt = (n: number, c: number, pix: number) => (o.channelsLast ? (n * IP + pix) * C + c : (n * C + c) * IP + pix);
  const yAt = (n: number, oc: number, pix: number) => (o.channelsLast ? (n * P + pix) * Cout + oc : (n * Cout + oc) * P + pix);
  const opos = new Array<number>(rank);
  const tpos = new Array<number>(rank);
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < Cout; oc++) {
      const g = Math.floor(oc / Mg);
      const zw = wzp(oc);
      for (let p = 0; p < P; p++) {
        let r = p;
        for (let a = rank - 1; a >= 0; a--) { opos[a] = r % outSp[a]; r = Math.floor(r / outSp[a]); }
        let acc = o.bias ? o.bias[oc] | 0 : 0;
        for (let c = 0; c < Cg; c++) {
          for (let t = 0; t < T; t++) {
            let rt = t;
            for (let a = rank - 1; a >= 0; a--) { tpos[a] = rt % k[a]; rt = Math.floor(rt / k[a]); }
            let pix = 0;
            let inside = true;
            for (let a = 0; a < rank; a++) {
              const i = opos[a] * stride[a] - pads[a][0] + tpos[a] * dil[a];
              if (i < 0 || i >= inSp[a]) { inside = false; break; }
              pix = pix * inSp[a] + i;
            }
            if (!inside) continue;
            const xv = x.data[xAt(n, g * Cg + c, pix)] - o.xZeroPoint;
            const wv = w.data[(oc * Cg + c) * T + t] - zw;
            acc = (acc + xv * wv) | 0;
          }
        }
        out[yAt(n, oc, p)] = acc;
      }
    }
  }
  const shape = o.channelsLast ? [N, ...outSp, Cout] : [N, Cout, ...outSp];
  return { data: out, shape };
}

/** Round half to even of a float (as numpy.rint, C nearbyint, wasm f32.nearest). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The float32 multiplier of output channel `oc`: fround(fround(xScale * wScale) / yScale). */
export function requantMultiplier(xScale: number, wScale: number, yScale: number): number {
  return Math.fround(Math.fround(Math.fround(xScale) * Math.fround(wScale)) / Math.fround(yScale));
}

export interface RefRequantize {
  xScale: number;
  wScale: number | readonly number[];
  yScale: number;
  yZeroPoint: number;
  type: 'uint8' | 'int8';
  /** Extra output bounds in the quantized domain (a fused activation), inside the type's range. */
  lo?: number;
  hi?: number;
  channelsLast?: boolean;
}

/** QLinearConv's output from the int32 sums (bias already added). */
export function refRequantize(sums: { data: Int32Array; shape: number[] }, q: RefRequantize): { data: Uint8Array | Int8Array; shape: number[] } {
  const { shape } = sums;
  const Cout = q.channelsLast ? shape[shape.length - 1] : shape[1];
  const P = shape.slice(q.channelsLast ? 1 : 2, q.channelsLast ? -1 : undefined).reduce((a, b) => a * b, 1);
  const [tmin, tmax] = q.type === 'uint8' ? [0, 255] : [-128, 127];
  const lo = Math.max(tmin, q.lo ?? tmin);
  const hi = Math.min(tmax, q.hi ?? tmax);
  const out = q.type === 'uint8' ? new Uint8Array(sums.data.length) : new Int8Array(sums.data.length);
  for (let i = 0; i < sums.data.length; i++) {
    const oc = q.channelsLast ? i % Cout : Math.floor(i / P) % Cout;
    const ws = typeof q.wScale === 'number' ? q.wScale : q.wScale[oc];
    const m = requantMultiplier(q.xScale, ws, q.yScale);
    const v = roundHalfEven(Math.fround(Math.fround(sums.data[i]) * m)) + q.yZeroPoint;
    out[i] = Math.min(hi, Math.max(lo, v));
  }
  return { data: out, shape: [...shape] };
}

// Workload geometry, seeded data, layout transposes and a float64 reference convolution.
// Shared by the parent (data, reference, MACs) and by the children (layout conversion).

/**
 * Normalizes one entry of workloads.json (batch 1, symmetric pads) into the shapes every
 * implementation needs.
 */
export function describeWorkload(entry) {
  const rank = entry.in.length;
  const perAxis = (v, dflt) => (v === undefined ? Array(rank).fill(dflt) : Array.isArray(v) ? v : Array(rank).fill(v));
  const wl = {
    id: entry.id,
    desc: entry.desc ?? entry.id,
    op: entry.op,
    rank,
    n: entry.n ?? 1,
    cin: entry.cin,
    cout: entry.cout,
    in: entry.in.slice(),
    k: entry.k.slice(),
    stride: perAxis(entry.stride, 1),
    pad: perAxis(entry.pad, 0),
    dilation: perAxis(entry.dilation, 1),
    groups: entry.groups ?? 1,
    outputPadding: perAxis(entry.outputPadding, 0),
  };
  if (wl.op !== 'conv' && wl.op !== 'convTranspose') throw new Error(`workload ${wl.id}: unknown op '${wl.op}'`);
  if (wl.cin % wl.groups || wl.cout % wl.groups) throw new Error(`workload ${wl.id}: groups must divide cin and cout`);
  wl.out = wl.in.map((size, a) => {
    const span = wl.dilation[a] * (wl.k[a] - 1);
    return wl.op === 'conv'
      ? Math.floor((size + 2 * wl.pad[a] - span - 1) / wl.stride[a]) + 1
      : (size - 1) * wl.stride[a] - 2 * wl.pad[a] + span + wl.outputPadding[a] + 1;
  });
  wl.xShape = [wl.n, wl.cin, ...wl.in];
  wl.yShape = [wl.n, wl.cout, ...wl.out];
  wl.wShape = wl.op === 'conv'
    ? [wl.cout, wl.cin / wl.groups, ...wl.k]
    : [wl.cin, wl.cout / wl.groups, ...wl.k];
  const prod = (a) => a.reduce((x, y) => x * y, 1);
  // Dense MACs, padding taps counted (the formulas of workloads.json), times the batch.
  wl.macs = wl.n * (wl.op === 'conv'
    ? prod(wl.out) * wl.cout * (wl.cin / wl.groups) * prod(wl.k)
    : prod(wl.in) * wl.cin * (wl.cout / wl.groups) * prod(wl.k));
  wl.depthwise = wl.groups > 1 && wl.groups === wl.cin;
  return wl;
}

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Input, weights and bias of a workload, seeded by its id: uniform in [-1, 1), the weights
 * scaled by 1/sqrt(fan-in) so outputs stay of order one whatever the kernel size.
 */
export function makeData(wl, seed = 1) {
  const next = rng(hashString(wl.id) ^ seed);
  const fill = (n, scale) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (next() * 2 - 1) * scale;
    return a;
  };
  const count = (s) => s.reduce((x, y) => x * y, 1);
  const fanIn = wl.op === 'conv' ? count(wl.wShape.slice(1)) : (wl.cin / wl.groups) * count(wl.k);
  return {
    x: fill(count(wl.xShape), 1),
    w: fill(count(wl.wShape), 1 / Math.sqrt(fanIn)),
    b: fill(wl.cout, 0.1),
  };
}

/** [N, C, ...S] → [N, ...S, C] (channels-first to channels-last). */
export function toChannelsLast(data, shape) {
  const [n, c] = shape;
  const s = shape.slice(2).reduce((x, y) => x * y, 1);
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    const base = b * c * s;
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < s; i++) out[base + i * c + ch] = data[base + ch * s + i];
    }
  }
  return out;
}

/** [N, ...S, C] → [N, C, ...S]; `shape` is the channels-first shape of the result. */
export function toChannelsFirst(data, shape) {
  const [n, c] = shape;
  const s = shape.slice(2).reduce((x, y) => x * y, 1);
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    const base = b * c * s;
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < s; i++) out[base + ch * s + i] = data[base + i * c + ch];
    }
  }
  return out;
}

/** Pads a per-axis list of 1, 2 or 3 spatial values to 3 (leading axes of size `fill`). */
const to3 = (a, fill) => [...Array(3 - a.length).fill(fill), ...a];

/** The range [lo, hi) of output positions o with 0 <= o*S + off < I (off = tap offset - pad). */
function validRange(O, S, off, I) {
  const lo = off >= 0 ? 0 : Math.ceil(-off / S);
  const hi = Math.min(O, Math.floor((I - 1 - off) / S) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * Direct convolution in NC(D)(H)W layout, every problem seen as 3-D. Loops run tap by tap over
 * whole output rows (a contiguous inner loop with its bounds worked out once) into a float64
 * accumulator plane. `Out` chooses the result type: Float64Array for the reference,
 * Float32Array for the plain-JS implementation.
 */
export function directConv(wl, x, w, b, Out = Float64Array) {
  const [ID, IH, IW] = to3(wl.in, 1);
  const [OD, OH, OW] = to3(wl.out, 1);
  const [KD, KH, KW] = to3(wl.k, 1);
  const [SD, SH, SW] = to3(wl.stride, 1);
  const [PD, PH, PW] = to3(wl.pad, 0);
  const [DD, DH, DW] = to3(wl.dilation, 1);
  const cig = wl.cin / wl.groups;
  const cog = wl.cout / wl.groups;
  const inPlane = ID * IH * IW;
  const outPlane = OD * OH * OW;
  const kVol = KD * KH * KW;
  const y = new Out(wl.n * wl.cout * outPlane);
  const acc = new Float64Array(outPlane);
  for (let bt = 0; bt < wl.n; bt++) {
    for (let oc = 0; oc < wl.cout; oc++) {
      const g = Math.floor(oc / cog);
      acc.fill(b ? b[oc] : 0);
      for (let icg = 0; icg < cig; icg++) {
        const xBase = (bt * wl.cin + g * cig + icg) * inPlane;
        const wBase = (oc * cig + icg) * kVol;
        for (let kd = 0; kd < KD; kd++) {
          const [d0, d1] = validRange(OD, SD, kd * DD - PD, ID);
          for (let kh = 0; kh < KH; kh++) {
            const [h0, h1] = validRange(OH, SH, kh * DH - PH, IH);
            for (let kw = 0; kw < KW; kw++) {
              const wv = w[wBase + (kd * KH + kh) * KW + kw];
              const offW = kw * DW - PW;
              const [w0, w1] = validRange(OW, SW, offW, IW);
              for (let od = d0; od < d1; od++) {
                const id = od * SD + kd * DD - PD;
                for (let oh = h0; oh < h1; oh++) {
                  const ih = oh * SH + kh * DH - PH;
                  const xRow = xBase + (id * IH + ih) * IW + offW;
                  const aRow = (od * OH + oh) * OW;
                  for (let ow = w0; ow < w1; ow++) acc[aRow + ow] += wv * x[xRow + ow * SW];
                }
              }
            }
          }
        }
      }
      y.set(acc, (bt * wl.cout + oc) * outPlane);
    }
  }
  return y;
}

/**
 * Direct transposed convolution (the adjoint of directConv) in NC(D)(H)W layout: every input
 * position scatters through every tap, o = i*S - P + k*D, into a float64 accumulator plane per
 * output channel. Weights [Cin, Cout/groups, ...k].
 */
export function directConvTranspose(wl, x, w, b, Out = Float64Array) {
  const [ID, IH, IW] = to3(wl.in, 1);
  const [OD, OH, OW] = to3(wl.out, 1);
  const [KD, KH, KW] = to3(wl.k, 1);
  const [SD, SH, SW] = to3(wl.stride, 1);
  const [PD, PH, PW] = to3(wl.pad, 0);
  const [DD, DH, DW] = to3(wl.dilation, 1);
  const cig = wl.cin / wl.groups;
  const cog = wl.cout / wl.groups;
  const inPlane = ID * IH * IW;
  const outPlane = OD * OH * OW;
  const kVol = KD * KH * KW;
  const y = new Out(wl.n * wl.cout * outPlane);
  const acc = new Float64Array(outPlane);
  // Input positions i whose output i*S + off lands in [0, O).
  const inRange = (I, S, off, O) => validRange(I, S, off, O);
  for (let bt = 0; bt < wl.n; bt++) {
    for (let oc = 0; oc < wl.cout; oc++) {
      const g = Math.floor(oc / cog);
      const ocg = oc - g * cog;
      acc.fill(b ? b[oc] : 0);
      for (let icg = 0; icg < cig; icg++) {
        const ic = g * cig + icg;
        const xBase = (bt * wl.cin + ic) * inPlane;
        const wBase = (ic * cog + ocg) * kVol;
        for (let kd = 0; kd < KD; kd++) {
          const offD = kd * DD - PD;
          const [d0, d1] = inRange(ID, SD, offD, OD);
          for (let kh = 0; kh < KH; kh++) {
            const offH = kh * DH - PH;
            const [h0, h1] = inRange(IH, SH, offH, OH);
            for (let kw = 0; kw < KW; kw++) {
              const wv = w[wBase + (kd * KH + kh) * KW + kw];
              const offW = kw * DW - PW;
              const [w0, w1] = inRange(IW, SW, offW, OW);
              for (let id = d0; id < d1; id++) {
                const od = id * SD + offD;
                for (let ih = h0; ih < h1; ih++) {
                  const oh = ih * SH + offH;
                  const xRow = xBase + (id * IH + ih) * IW;
                  const aRow = (od * OH + oh) * OW + offW;
                  for (let iw = w0; iw < w1; iw++) acc[aRow + iw * SW] += wv * x[xRow + iw];
                }
              }
            }
          }
        }
      }
      y.set(acc, (bt * wl.cout + oc) * outPlane);
    }
  }
  return y;
}

/** The float64 reference output of a workload (channels-first). */
export function reference(wl, x, w, b) {
  return wl.op === 'conv' ? directConv(wl, x, w, b) : directConvTranspose(wl, x, w, b);
}

/** Largest absolute difference, and the largest |ref| (for the relative tolerance). */
export function compare(ref, got) {
  if (!got || got.length !== ref.length) {
    return { maxErr: Infinity, maxRef: NaN, why: `output has ${got ? got.length : 0} values, expected ${ref.length}` };
  }
  let maxErr = 0;
  let maxRef = 0;
  let nonFinite = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(ref[i] - got[i]);
    if (!Number.isFinite(e)) nonFinite++;
    else if (e > maxErr) maxErr = e;
    const r = Math.abs(ref[i]);
    if (r > maxRef) maxRef = r;
  }
  if (nonFinite) return { maxErr: Infinity, maxRef, why: `${nonFinite} outputs are NaN or infinite` };
  return { maxErr, maxRef };
}

/**
 * The float64 reference of a workload, bounded in cost: when the layer has more than `maxMacs`
 * multiply-adds and no groups, only some output channels (evenly spaced, first and last included)
 * are computed, by the same direct loops on the weights of those channels. Returns
 * `{ ref, extract, channels }`: `extract(output)` takes the same channels out of a full output
 * so that `compare(ref, extract(output))` checks them; `channels` is 'all' or the list.
 */
export function boundedReference(wl, { x, w, b }, maxMacs = Infinity) {
  const m = Math.max(1, Math.ceil(wl.cout * (maxMacs / wl.macs)));
  if (wl.macs <= maxMacs || wl.groups !== 1 || m >= wl.cout) {
    return { ref: reference(wl, x, w, b), extract: (y) => y, channels: 'all' };
  }
  const channels = Array.from({ length: m }, (_, i) => (m === 1 ? 0 : Math.round((i * (wl.cout - 1)) / (m - 1))));
  const kVol = wl.k.reduce((p, v) => p * v, 1);
  const sub = { ...wl, cout: m, yShape: [wl.n, m, ...wl.out] };
  let ws;
  if (wl.op === 'conv') {
    const row = wl.cin * kVol; // weights [Cout, Cin, ...k]
    ws = new Float32Array(m * row);
    channels.forEach((oc, j) => ws.set(w.subarray(oc * row, (oc + 1) * row), j * row));
  } else {
    ws = new Float32Array(wl.cin * m * kVol); // weights [Cin, Cout, ...k]
    for (let ic = 0; ic < wl.cin; ic++) {
      channels.forEach((oc, j) => ws.set(w.subarray((ic * wl.cout + oc) * kVol, (ic * wl.cout + oc + 1) * kVol), (ic * m + j) * kVol));
    }
  }
  const bs = b ? Float32Array.from(channels, (oc) => b[oc]) : null;
  const plane = wl.out.reduce((p, v) => p * v, 1);
  const extract = (y) => {
    const out = new Float32Array(wl.n * m * plane);
    for (let n = 0; n < wl.n; n++) {
      channels.forEach((oc, j) => out.set(y.subarray((n * wl.cout + oc) * plane, (n * wl.cout + oc + 1) * plane), (n * m + j) * plane));
    }
    return out;
  };
  return { ref: reference(sub, x, ws, bs), extract, channels };
}

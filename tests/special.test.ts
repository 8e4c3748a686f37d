/**
 * Special values: NaN, +Infinity and -Infinity in the input, the weights or the bias go through
 * every kernel as IEEE arithmetic says. The float64 reference does IEEE arithmetic too, so the
 * results must match it exactly in kind: NaN wherever the reference has NaN, the same infinity
 * wherever it has one, and finite values elsewhere (within the float32 tolerance): no crash, no
 * silent zeroing, no NaN leaking into outputs that never saw one. The arrays passed in (input,
 * weights, bias; Float32Array, Float64Array or plain arrays) are never modified.
 *
 * Zero padding has two IEEE-consistent readings where a weight is infinite or NaN: padded
 * positions contribute no term (the float64 reference), or they are zeros added around the input
 * (PyTorch's definition), so 0 * ±Infinity = NaN there. Every element must match one of the two
 * references. The GEMM and Winograd kernels add the zeros in both layouts (a separate test
 * requires their two layouts to agree element by element); the direct depthwise kernels add them
 * channels-first and skip them channels-last, as the fused separable kernel does (README,
 * "Special values"). Spatially separable convolution is defined as its column pass then its row
 * pass, so its references are those two passes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { refConv, refConvTranspose, refSignal, type RefResult } from './reference.ts';
import { expectClose, randInt, randomTensor, rng, tolFor, type Rng } from './helpers.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';
import { toChannelsFirst, toChannelsLast } from './cases.ts';

type T = { data: Float32Array; shape: number[] };
type Opts = Record<string, unknown>;

const SPECIALS = { nan: [NaN], inf: [Infinity], ninf: [-Infinity], all: [NaN, Infinity, -Infinity] } as const;
type Special = keyof typeof SPECIALS;

/** A copy of `t` with `count` special values at random positions. */
function sprinkle(r: Rng, data: Float32Array, kind: Special, count: number): Float32Array {
  const out = data.slice();
  const values = SPECIALS[kind];
  for (let i = 0; i < count; i++) out[randInt(r, 0, out.length - 1)] = values[i % values.length];
  return out;
}

type Pair = [number, number];

/** `t` with explicit zeros around its spatial axes (`pads` per axis), channels-first or channels-last. */
function padZeros(t: { data: ArrayLike<number>; shape: number[] }, pads: Pair[], channelsLast: boolean): { data: Float32Array; shape: number[] } {
  const rank = pads.length;
  const N = t.shape[0];
  const C = channelsLast ? t.shape[rank + 1] : t.shape[1];
  const s = channelsLast ? t.shape.slice(1, rank + 1) : t.shape.slice(2);
  const ps = s.map((n, i) => n + pads[i][0] + pads[i][1]);
  const shape = channelsLast ? [N, ...ps, C] : [N, C, ...ps];
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const S = s.reduce((a, b) => a * b, 1);
  const PS = ps.reduce((a, b) => a * b, 1);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < S; i++) {
    let rest = i, j = 0, stride = 1;
    for (let a = rank - 1; a >= 0; a--) {
      const coord = rest % s[a];
      rest = Math.floor(rest / s[a]);
      j += (coord + pads[a][0]) * stride;
      stride *= ps[a];
    }
    const src = channelsLast ? (n * S + i) * C + c : (n * C + c) * S + i;
    const dst = channelsLast ? (n * PS + j) * C + c : (n * C + c) * PS + j;
    out[dst] = t.data[src];
  }
  return { data: out, shape };
}

/** Explicit [begin, end] pairs of a padding option (numbers, per axis numbers or pairs). */
function pairsOf(p: unknown, rank: number): Pair[] {
  if (p === undefined) return new Array(rank).fill(0).map(() => [0, 0]);
  if (typeof p === 'number') return new Array(rank).fill(0).map(() => [p, p]);
  return (p as Array<number | Pair>).map((e) => (typeof e === 'number' ? [e, e] : [e[0], e[1]]));
}

/** refConv; with `explicit`, the zero padding made explicit zeros of the input (see the header). */
function refConvZ(explicit: boolean, x: { data: ArrayLike<number>; shape: number[] }, w: { data: ArrayLike<number>; shape: number[] }, o: Opts): RefResult {
  const rank = w.shape.length - 2;
  if (!explicit || (o.paddingMode !== undefined && o.paddingMode !== 'zeros')) return refConv(x as never, w as never, o);
  const last = typeof o.layout === 'string' && o.layout.endsWith('C');
  return refConv(padZeros(x, pairsOf(o.padding, rank), last), w as never, { ...o, padding: 0 });
}

/** Like expectClose, but each element may match either of the references (the second computed only when needed). */
function expectCloseToOne(got: wc.Tensor, refs: Array<() => RefResult>, tol: { atol: number; rtol: number }, label: string): void {
  const same = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? Number.isNaN(a) && Number.isNaN(b)
    : !Number.isFinite(a) || !Number.isFinite(b) ? a === b : Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b));
  let bad = Array.from(got.data.keys());
  const computed: RefResult[] = [];
  for (const ref of refs) {
    const r = ref();
    computed.push(r);
    expect(got.shape, `${label}: shape`).toEqual(r.shape);
    bad = bad.filter((i) => !same(got.data[i], r.data[i]));
    if (bad.length === 0) return;
  }
  if (bad.length) {
    const i = bad[0];
    expect.fail(`${label}: ${bad.length} of ${got.data.length} elements match neither reference; first at flat index ${i}: ` +
      `actual ${got.data[i]}, expected ${computed.map((r) => r.data[i]).join(' or ')}`);
  }
}

/** Bitwise copy of what a caller passed, to prove it unchanged afterwards (NaN payloads included). */
function snapshot(values: unknown[]): () => void {
  const copies = values.map((v) => (ArrayBuffer.isView(v) ? new Uint8Array((v as Float32Array).buffer.slice(0)) : Array.isArray(v) ? [...v] : v));
  return () => values.forEach((v, i) => {
    const c = copies[i];
    if (ArrayBuffer.isView(v)) expect(new Uint8Array((v as Float32Array).buffer), `argument ${i} was modified`).toEqual(c);
    else if (Array.isArray(v)) expect(v.length === (c as unknown[]).length && v.every((e, j) => Object.is(e, (c as unknown[])[j])), `argument ${i} was modified`).toBe(true);
  });
}

/** One convolution with its inputs: how to compute it and its reference. */
interface Case {
  label: string;
  /** Tensors whose values get special values: name -> data. */
  parts: Record<string, Float32Array>;
  /** Computes with the library from (possibly modified) parts, as the caller gives them. */
  run(parts: Record<string, ArrayLike<number>>): wc.Tensor;
  /** The reference; `e`: zero padding as explicit zeros of the input. */
  ref(parts: Record<string, Float32Array>, e: boolean): RefResult;
  red: number;
}

function cases(r: Rng): Case[] {
  const out: Case[] = [];
  const layoutsOf = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] } as const;
  const shapeX = (last: boolean, N: number, C: number, s: number[]) => (last ? [N, ...s, C] : [N, C, ...s]);
  const convs: Array<{ name: string; rank: 1 | 2 | 3; C: number; K: number; k: number[]; s: number[]; o: Opts }> = [
    { name: 'gemm 1-D', rank: 1, C: 3, K: 5, k: [3], s: [11], o: { padding: 1, stride: 2 } },
    { name: 'gemm 2-D', rank: 2, C: 3, K: 6, k: [3, 3], s: [7, 9], o: { padding: [[1, 0], [2, 1]] } },
    { name: 'grouped 2-D', rank: 2, C: 4, K: 6, k: [2, 3], s: [6, 7], o: { padding: 1, groups: 2, dilation: [2, 1] } },
    { name: 'pointwise 2-D', rank: 2, C: 5, K: 9, k: [1, 1], s: [5, 6], o: {} },
    { name: 'winograd 2-D', rank: 2, C: 16, K: 5, k: [3, 3], s: [6, 7], o: { padding: 1 } },
    { name: 'winograd 2-D valid', rank: 2, C: 17, K: 3, k: [3, 3], s: [7, 6], o: {} },
    { name: 'winograd 2-D dilated', rank: 2, C: 16, K: 3, k: [3, 3], s: [6, 8], o: { padding: 2, dilation: 2 } },
    { name: 'winograd 1-D 9 taps', rank: 1, C: 17, K: 3, k: [9], s: [13], o: { padding: 4 } },
    { name: 'winograd 3-D', rank: 3, C: 16, K: 3, k: [2, 3, 3], s: [3, 5, 5], o: { padding: 1 } },
    { name: 'gemm 3-D', rank: 3, C: 2, K: 3, k: [2, 2, 2], s: [3, 4, 4], o: { padding: 1 } },
    { name: 'depthwise 3x3', rank: 2, C: 5, K: 5, k: [3, 3], s: [7, 9], o: { padding: 1, groups: 5 } },
    { name: 'depthwise 3x3 stride 2 multiplier 2', rank: 2, C: 3, K: 6, k: [3, 3], s: [9, 8], o: { padding: 1, groups: 3, stride: 2 } },
    { name: 'depthwise 5x5 dilated', rank: 2, C: 4, K: 4, k: [5, 5], s: [10, 9], o: { padding: 2, groups: 4, dilation: 2 } },
    { name: 'depthwise 1-D', rank: 1, C: 3, K: 3, k: [4], s: [12], o: { padding: [[2, 1]], groups: 3 } },
    { name: 'reflect padding', rank: 2, C: 3, K: 4, k: [3, 3], s: [6, 6], o: { padding: 2, paddingMode: 'reflect' } },
  ];
  for (const c of convs) {
    for (const [li, layout] of layoutsOf[c.rank].entries()) {
      const x = randomTensor(r, shapeX(li === 1, 2, c.C, c.s));
      const groups = (c.o.groups as number | undefined) ?? 1;
      const w = randomTensor(r, [c.K, c.C / groups, ...c.k]);
      const b = randomTensor(r, [c.K]);
      const o = { ...c.o, layout, activation: out.length % 3 === 0 ? 'relu' : out.length % 3 === 1 ? { type: 'leakyRelu', alpha: 0.5 } : undefined };
      const fn = { 1: wc.conv1d, 2: wc.conv2d, 3: wc.conv3d }[c.rank];
      out.push({
        label: `conv ${c.name} ${layout}`,
        parts: { input: x.data, weight: w.data, bias: b.data },
        run: (p) => fn({ data: (p.input), shape: x.shape }, { data: (p.weight), shape: w.shape }, { ...o, bias: (p.bias) } as never),
        ref: (p, e) => refConvZ(e, { data: p.input, shape: x.shape }, { data: p.weight, shape: w.shape }, { ...o, bias: p.bias }),
        red: (c.C / groups) * c.k.reduce((a, v) => a * v, 1),
      });
    }
  }
  for (const rank of [1, 2, 3] as const) {
    for (const [li, layout] of layoutsOf[rank].entries()) {
      const s = { 1: [6], 2: [4, 5], 3: [2, 3, 3] }[rank];
      const k = s.map(() => 3);
      const x = randomTensor(r, shapeX(li === 1, 2, 4, s));
      const w = randomTensor(r, [4, 3, ...k]);
      const b = randomTensor(r, [3]);
      const o = { stride: 2, padding: 1, outputPadding: 1, layout };
      const fn = { 1: wc.convTranspose1d, 2: wc.convTranspose2d, 3: wc.convTranspose3d }[rank];
      out.push({
        label: `convTranspose${rank}d ${layout}`,
        parts: { input: x.data, weight: w.data, bias: b.data },
        run: (p) => fn({ data: (p.input), shape: x.shape }, { data: (p.weight), shape: w.shape }, { ...o, bias: (p.bias) } as never),
        ref: (p, e) => refConvTranspose({ data: p.input, shape: x.shape }, { data: p.weight, shape: w.shape }, { ...o, bias: p.bias }),
        red: 4 * 27,
      });
    }
  }
  for (const layout of ['NCHW', 'NHWC'] as const) {
    const xs = layout === 'NCHW' ? [1, 4, 7, 8] : [1, 7, 8, 4];
    const x = randomTensor(r, xs);
    const dw = randomTensor(r, [8, 1, 3, 3]);
    const pw = randomTensor(r, [5, 8, 1, 1]);
    const b = randomTensor(r, [5]);
    const o = { padding: 1, depthMultiplier: 2, layout };
    out.push({
      label: `separableConv2d ${layout}`,
      parts: { input: x.data, depthwise: dw.data, pointwise: pw.data, bias: b.data },
      run: (p) => wc.separableConv2d({ data: (p.input), shape: xs }, { data: (p.depthwise), shape: dw.shape }, { data: (p.pointwise), shape: pw.shape }, { ...o, bias: (p.bias) } as never),
      ref: (p, e) => {
        const mid = refConvZ(e, { data: p.input, shape: xs }, { data: p.depthwise, shape: dw.shape }, { padding: 1, groups: 4, layout });
        return refConv(mid, { data: p.pointwise, shape: pw.shape }, { bias: p.bias, layout });
      },
      red: 9 * 8,
    });
    const xs2 = layout === 'NCHW' ? [1, 4, 6, 7] : [1, 6, 7, 4];
    const x2 = randomTensor(r, xs2);
    const wd = randomTensor(r, [8, 1, 3, 3]);
    const b2 = randomTensor(r, [8]);
    out.push({
      label: `depthwiseConv2d ${layout}`,
      parts: { input: x2.data, weight: wd.data, bias: b2.data },
      run: (p) => wc.depthwiseConv2d({ data: (p.input), shape: xs2 }, { data: (p.weight), shape: wd.shape }, { ...o, bias: (p.bias) } as never),
      ref: (p, e) => refConvZ(e, { data: p.input, shape: xs2 }, { data: p.weight, shape: wd.shape }, { padding: 1, groups: 4, layout, bias: p.bias }),
      red: 9,
    });
    const col = randomTensor(r, [6, 2, 3, 1]);
    const row = randomTensor(r, [6, 1, 1, 3]);
    const b3 = randomTensor(r, [6]);
    const os = { padding: 1, groups: 2, layout };
    out.push({
      label: `spatiallySeparableConv2d ${layout}`,
      parts: { input: x2.data, column: col.data, row: row.data, bias: b3.data },
      run: (p) => wc.spatiallySeparableConv2d({ data: (p.input), shape: xs2 }, { data: (p.column), shape: col.shape }, { data: (p.row), shape: row.shape }, { ...os, bias: (p.bias) } as never),
      ref: (p, e) => {
        // The column pass (H), then the row pass (W, one filter per channel), each zero-padded on its axis.
        const mid = refConvZ(e, { data: p.input, shape: xs2 }, { data: p.column, shape: col.shape }, { padding: [[1, 1], [0, 0]], groups: 2, layout });
        return refConvZ(e, mid, { data: p.row, shape: row.shape }, { padding: [[0, 0], [1, 1]], groups: 6, layout, bias: p.bias });
      },
      red: 2 * 9 * 2,
    });
  }
  for (const kind of ['convolve', 'correlate'] as const) {
    for (const [mode, boundary] of [['full', 'fill'], ['same', 'wrap'], ['valid', 'symm']] as const) {
      const a = randomTensor(r, [6, 7]), v = randomTensor(r, [3, 2]);
      const f = kind === 'convolve' ? wc.convolve : wc.correlate;
      out.push({
        label: `${kind} ${mode} ${boundary}`,
        parts: { in1: a.data, in2: v.data },
        run: (p) => f({ data: (p.in1), shape: a.shape }, { data: (p.in2), shape: v.shape }, { mode, boundary }),
        ref: (p, e) => refSignal(kind, { data: p.in1, shape: a.shape }, { data: p.in2, shape: v.shape }, mode, boundary),
        red: 6,
      });
    }
  }
  return out;
}

describe.skipIf(!backendAvailable())(`special values (NaN, ±Infinity) on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  const variants: Array<{ name: string; where: (parts: string[]) => string[]; kind: Special; count: number }> = [
    { name: 'NaN in the input', where: (p) => p.slice(0, 1), kind: 'nan', count: 2 },
    { name: '+Infinity in the input', where: (p) => p.slice(0, 1), kind: 'inf', count: 2 },
    { name: '-Infinity in the input', where: (p) => p.slice(0, 1), kind: 'ninf', count: 1 },
    { name: 'all three in the input', where: (p) => p.slice(0, 1), kind: 'all', count: 3 },
    { name: 'NaN in the weights', where: (p) => p.slice(1).filter((n) => n !== 'bias'), kind: 'nan', count: 1 },
    { name: '+Infinity in the weights', where: (p) => p.slice(1).filter((n) => n !== 'bias'), kind: 'inf', count: 1 },
    { name: 'all three in the weights', where: (p) => p.slice(1).filter((n) => n !== 'bias'), kind: 'all', count: 3 },
    { name: 'NaN and infinities in the bias', where: (p) => p.filter((n) => n === 'bias'), kind: 'all', count: 3 },
    { name: 'everywhere at once', where: (p) => p, kind: 'all', count: 3 },
  ];

  for (const variant of variants) {
    it(`${variant.name}: every kernel gives the reference's NaN and infinities, and leaves the arguments unchanged`, () => {
      const r = rng(variants.indexOf(variant) + 100);
      const problems: string[] = [];
      let compared = 0;
      for (const [ci, c] of cases(r).entries()) {
        const names = variant.where(Object.keys(c.parts));
        if (names.length === 0) continue;
        for (let trial = 0; trial < 2; trial++) {
          const parts = { ...c.parts };
          for (const n of names) parts[n] = sprinkle(r, c.parts[n], variant.kind, variant.count);
          // Float32Array data, then a Float64Array or a plain array (by turns).
          const dataKind = trial === 0 ? 0 : 1 + (ci % 2);
          const given: Record<string, ArrayLike<number>> = {};
          for (const [k, d] of Object.entries(parts)) given[k] = dataKind === 0 ? d.slice() : dataKind === 1 ? Float64Array.from(d) : Array.from(d);
          const label = `${c.label}, ${variant.name} (${['Float32Array', 'Float64Array', 'array'][dataKind]} data, trial ${trial})`;
          try {
            const unchanged = snapshot(Object.values(given));
            const got = c.run(given);
            const again = c.run(given);
            unchanged();
            compared++;
            expectCloseToOne(got, [() => c.ref(parts, false), () => c.ref(parts, true)], tolFor(c.red), label);
            expect(Array.from(again.data).map(String), `${label}: a second call differs`).toEqual(Array.from(got.data).map(String));
          } catch (e) {
            problems.push(`${label}: ${(e as Error).message.split('\n')[0]}`);
          }
        }
      }
      expect(compared).toBeGreaterThan(0);
      expect(problems, `${problems.length} cases differ:\n  ${problems.join('\n  ')}`).toEqual([]);
    });
  }

  it('GEMM and Winograd give the same NaN and infinities in both layouts', () => {
    const r = rng(5);
    const problems: string[] = [];
    const agree = (a: ArrayLike<number>, b: ArrayLike<number>, label: string) => {
      let bad = 0, first = -1;
      for (let i = 0; i < a.length; i++) {
        const ok = Number.isNaN(a[i]) || Number.isNaN(b[i]) ? Number.isNaN(a[i]) && Number.isNaN(b[i])
          : !Number.isFinite(a[i]) || !Number.isFinite(b[i]) ? a[i] === b[i] : Math.abs(a[i] - b[i]) <= 1e-4 + 1e-4 * Math.abs(b[i]);
        if (!ok && bad++ === 0) first = i;
      }
      if (bad) problems.push(`${label}: ${bad} of ${a.length} elements differ; first at ${first}: ${a[first]} against ${b[first]}`);
    };
    const configs: Array<{ name: string; C: number; K: number; k: number[]; o: Opts }> = [
      { name: 'gemm', C: 3, K: 4, k: [3, 3], o: { padding: 1 } },
      { name: 'gemm dilated, pairs', C: 2, K: 3, k: [2, 3], o: { padding: [[2, 0], [1, 2]], dilation: 2 } },
      { name: 'winograd', C: 16, K: 3, k: [3, 3], o: { padding: 1 } },
    ];
    for (const c of configs) {
      for (const kind of ['nan', 'inf', 'all'] as const) {
        const x = randomTensor(r, [2, c.C, 7, 8]);
        const w = randomTensor(r, [c.K, c.C / ((c.o.groups as number) ?? 1), ...c.k]);
        w.data = sprinkle(r, w.data, kind, 3);
        const first = wc.conv2d(x, w, { ...c.o, layout: 'NCHW' } as never);
        const last = wc.conv2d(toChannelsLast(x), w, { ...c.o, layout: 'NHWC' } as never);
        agree(toChannelsFirst(last).data, first.data, `conv2d ${c.name}, ${kind} in the weights: NHWC against NCHW`);
      }
    }
    expect(problems, `${problems.length} disagreements:\n  ${problems.join('\n  ')}`).toEqual([]);
  });

  it('special values in options are refused, and the library keeps working', () => {
    const r = rng(7);
    const x = randomTensor(r, [1, 2, 5, 5]), w = randomTensor(r, [3, 2, 3, 3]);
    for (const o of [{ stride: NaN }, { dilation: Infinity }, { padding: NaN }, { padding: [[0, Infinity], [0, 0]] }, { groups: NaN },
      { activation: { type: 'leakyRelu', alpha: NaN } }, { activation: { type: 'clamp', min: NaN, max: 1 } }, { activation: { type: 'clamp', min: 0, max: NaN } }]) {
      expect(() => wc.conv2d(x, w, o as never), JSON.stringify(o)).toThrow(/conv2d: .*(NaN|Infinity)/);
    }
    for (const o of [{ outputPadding: NaN }, { outputSize: [Infinity, 7] }, { stride: [2, NaN] }]) {
      expect(() => wc.convTranspose2d(x, randomTensor(r, [2, 3, 3, 3]), o as never), JSON.stringify(o)).toThrow(/convTranspose2d: .*(NaN|Infinity)/);
    }
    expectClose(wc.conv2d(x, w, { padding: 1 }), refConv(x, w, { padding: 1 }), tolFor(18), 'after');
  });

  it('a whole input of NaN, of +Infinity or of -Infinity', () => {
    for (const v of [NaN, Infinity, -Infinity]) {
      for (const layout of ['NCHW', 'NHWC'] as const) {
        const r = rng(9);
        const x = { data: new Float32Array(2 * 3 * 6 * 6).fill(v), shape: layout === 'NCHW' ? [2, 3, 6, 6] : [2, 6, 6, 3] };
        const w: T = randomTensor(r, [4, 3, 3, 3]);
        for (const o of [{ layout }, { layout, padding: 1, activation: 'relu' }, { layout, padding: 1, groups: 3, activation: 'relu6' }] as const) {
          const wi = o.layout && 'groups' in o ? randomTensor(r, [3, 1, 3, 3]) : w;
          expectClose(wc.conv2d(x, wi, o as never), refConv(x, wi, o), tolFor(27), `${v} ${JSON.stringify(o)}`);
        }
      }
    }
  });
});

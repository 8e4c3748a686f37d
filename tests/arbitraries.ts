/**
 * fast-check arbitraries for every public convolution function, and the builders that turn a
 * generated case into tensors, options, a call of the library and the float64 reference.
 *
 * A generated case is a plain JSON-like object of small integers and names (shapes, strides,
 * paddings, layouts, which entry point to call, ...) plus `seed`, from which the tensor values
 * are drawn (uniform in [-1, 1)). Geometry is built valid by construction (input sizes are derived
 * from the kernel, dilation, padding and padding mode), so no case is rejected for its geometry and
 * a counterexample shrinks to a small readable object. The arithmetic cost of every case is
 * bounded, so the float64 reference stays fast.
 */
import fc from 'fast-check';
import * as wc from '../src/index.ts';
import { refConv, refConvTranspose, refSignal, type RefResult } from './reference.ts';
import { rng, tolFor, type Tolerance } from './helpers.ts';

type Pair = [number, number];
type Opts = Record<string, unknown>;
export type Arr = { data: Float32Array; shape: number[] };

/** How the case is computed: the one-shot function, a plan's run / runAsync, or the *Async function. */
export type Entry = 'call' | 'plan' | 'planAsync' | 'async';
/** What `data` of the tensors is: Float32Array, Float64Array or a plain array of numbers. */
export type DataKind = 'f32' | 'f64' | 'array';
/** How the bias is given: absent, a Float32Array, a plain array, or a tensor `{ data, shape: [Cout] }`. */
export type BiasKind = 'none' | 'f32' | 'array' | 'tensor';
export type PadForm = 'omit' | 'number' | 'perAxis' | 'pairs' | 'same' | 'valid';
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
export type ActivationSpec =
  | 'omit' | 'none' | 'relu' | 'relu6' | 'leakyRelu'
  | { type: 'leakyRelu'; alpha: number }
  | { type: 'clamp'; min: number; max: number };

/** A case ready to run: how to compute it with the library, its reference, the tolerance. */
export interface BuiltCase {
  label: string;
  /** Computes the case with the library (and checks what plans report on the way). */
  run(): wc.Tensor | Promise<wc.Tensor>;
  ref(): RefResult;
  tol: Tolerance;
}

const LAYOUTS: Record<number, [string, string]> = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };
const prod = (a: readonly number[]): number => a.reduce((p, v) => p * v, 1);

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

const int = (min: number, max: number) => fc.integer({ min, max });
const ints = (n: number, min: number, max: number) => fc.array(int(min, max), { minLength: n, maxLength: n });

export const activationArb: fc.Arbitrary<ActivationSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<ActivationSpec>('omit') },
  { weight: 4, arbitrary: fc.constantFrom<ActivationSpec>('none', 'relu', 'relu6', 'leakyRelu') },
  { weight: 1, arbitrary: int(-200, 200).map((a): ActivationSpec => ({ type: 'leakyRelu', alpha: a / 100 })) },
  {
    weight: 1,
    arbitrary: fc.tuple(int(-15, 15), int(-15, 15)).map(([a, b]): ActivationSpec => ({ type: 'clamp', min: Math.min(a, b) / 10, max: Math.max(a, b) / 10 })),
  },
);

const common = {
  seed: fc.nat(),
  data: fc.constantFrom<DataKind>('f32', 'f32', 'f64', 'array'),
  bias: fc.constantFrom<BiasKind>('none', 'f32', 'f32', 'array', 'tensor'),
  activation: activationArb,
  flip: fc.boolean(),
  layoutLast: fc.boolean(),
};

/** Values uniform in [-1, 1) from the case's seed. */
function values(r: () => number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}

function tensorOf(r: () => number, shape: number[]): Arr {
  return { data: values(r, prod(shape)), shape: [...shape] };
}

/** The tensor as the library is given it (its `data` of the case's kind; the values are the same). */
function asGiven(t: Arr, kind: DataKind): { data: ArrayLike<number>; shape: number[] } {
  const data = kind === 'f64' ? Float64Array.from(t.data) : kind === 'array' ? Array.from(t.data) : t.data;
  return { data, shape: [...t.shape] };
}

function biasOption(kind: BiasKind, b: Float32Array): unknown {
  if (kind === 'none') return undefined;
  if (kind === 'array') return Array.from(b);
  if (kind === 'tensor') return { data: b, shape: [b.length] };
  return b;
}

function activationOption(a: ActivationSpec): unknown {
  return a === 'omit' ? undefined : a;
}

/** A number when every entry is the same and `form` says so, else the array; undefined when all are 1 and `form` is 'omit'. */
function axisOption(v: number[], form: 'omit' | 'number' | 'array', fallback: number): unknown {
  if (form === 'omit' && v.every((e) => e === fallback)) return undefined;
  if (form === 'number' && v.every((e) => e === v[0])) return v[0];
  return [...v];
}

/** 'same' padding (TensorFlow / ONNX SAME_UPPER), as the reference works it out. */
function samePads(n: number, k: number, s: number, d: number): Pair {
  const out = Math.ceil(n / s);
  const total = Math.max(0, (out - 1) * s + d * (k - 1) + 1 - n);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function modeFits(mode: PaddingMode, n: number, p: Pair): boolean {
  if (mode === 'reflect') return p[0] < n && p[1] < n;
  if (mode === 'circular') return p[0] <= n && p[1] <= n;
  return true;
}

/**
 * Input sizes and the padding option of a forward convolution, valid by construction: each size
 * is the smallest the kernel span, the padding and the padding mode allow, plus `extra`.
 */
function forwardGeometry(
  k: number[], stride: number[], dilation: number[], padForm: PadForm, pairs: Pair[], mode: PaddingMode, extra: number[],
): { size: number[]; pads: Pair[]; padding: unknown } {
  const rank = k.length;
  const span = k.map((kk, i) => dilation[i] * (kk - 1) + 1);
  let pads: Pair[];
  if (padForm === 'number') pads = k.map(() => [pairs[0][0], pairs[0][0]]);
  else if (padForm === 'perAxis') pads = pairs.map((p) => [p[0], p[0]]);
  else if (padForm === 'pairs') pads = pairs.map((p) => [p[0], p[1]]);
  else pads = k.map(() => [0, 0]);
  const size: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (padForm === 'same') {
      let n = 1 + extra[i];
      while (!modeFits(mode, n, samePads(n, k[i], stride[i], dilation[i]))) n++;
      size.push(n);
      pads[i] = samePads(n, k[i], stride[i], dilation[i]);
    } else {
      const [b, e] = pads[i];
      let n = Math.max(1, span[i] - b - e);
      if (mode === 'reflect') n = Math.max(n, b + 1, e + 1);
      if (mode === 'circular') n = Math.max(n, b, e);
      size.push(n + extra[i]);
    }
  }
  const padding = padForm === 'omit' ? undefined
    : padForm === 'same' || padForm === 'valid' ? padForm
    : padForm === 'number' ? pads[0][0]
    : padForm === 'perAxis' ? pads.map((p) => p[0])
    : pads.map((p) => [p[0], p[1]]);
  return { size, pads, padding };
}

function convOut(size: number[], k: number[], stride: number[], dilation: number[], pads: Pair[]): number[] {
  return size.map((n, i) => Math.floor((n + pads[i][0] + pads[i][1] - dilation[i] * (k[i] - 1) - 1) / stride[i]) + 1);
}

/** Runs `create(...)`'s plan the way `entry` says: run (twice, checking the plan's reports) or runAsync. */
async function viaPlan(plan: wc.ConvPlan, x: { data: ArrayLike<number>; shape: number[] }, entry: Entry): Promise<wc.Tensor> {
  try {
    if (entry === 'planAsync') return await plan.runAsync(x);
    const shape = plan.outputShape(x.shape);
    const ws = plan.workspaceBytes(x.shape);
    if (!Number.isInteger(ws) || ws < 0) throw new Error(`workspaceBytes gave ${ws}`);
    const y = plan.run(x);
    if (JSON.stringify(shape) !== JSON.stringify(y.shape)) throw new Error(`outputShape gave [${shape}], run gave [${y.shape}]`);
    const again = plan.run(x);
    for (let i = 0; i < y.data.length; i++) {
      if (!Object.is(y.data[i], again.data[i])) throw new Error(`a second run of the same plan differs at ${i}: ${y.data[i]} then ${again.data[i]}`);
    }
    return y;
  } finally {
    plan.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Forward convolution: conv1d, conv2d, conv3d (and their plans and *Async forms)
// ---------------------------------------------------------------------------------------------

export interface ConvParams {
  rank: 1 | 2 | 3;
  /** 'dense' groups 1; 'grouped' 2 or 3; 'depthwise' groups = channels (multiplier kg); 'winograd' 3x3 stride 1 with >= 16 channels per group. */
  channels: 'dense' | 'grouped' | 'depthwise' | 'winograd';
  N: number;
  groups: number;
  cg: number;
  kg: number;
  k: number[];
  stride: number[];
  dilation: number[];
  strideForm: 'omit' | 'number' | 'array';
  dilationForm: 'omit' | 'number' | 'array';
  groupsExplicit: boolean;
  padForm: PadForm;
  pairs: Pair[];
  paddingMode: PaddingMode | 'omit';
  extra: number[];
  entry: Entry;
  seed: number;
  data: DataKind;
  bias: BiasKind;
  activation: ActivationSpec;
  flip: boolean;
  layoutLast: boolean;
}

const LIMITS = {
  1: { k: 7, stride: 4, dilation: 3, pad: 4, extra: 12 },
  2: { k: 4, stride: 3, dilation: 2, pad: 2, extra: 6 },
  3: { k: 3, stride: 2, dilation: 2, pad: 1, extra: 3 },
} as const;

/** Multiply-adds of a forward case (what the reference costs). */
export function convCost(p: ConvParams): number {
  const g = convGeometry(p);
  return p.N * p.kg * p.groups * prod(g.out) * p.cg * prod(p.k);
}

function convGeometry(p: ConvParams) {
  const mode = p.paddingMode === 'omit' ? 'zeros' : p.paddingMode;
  const geo = forwardGeometry(p.k, p.stride, p.dilation, p.padForm, p.pairs, mode, p.extra);
  return { ...geo, out: convOut(geo.size, p.k, p.stride, p.dilation, geo.pads) };
}

export function convArb(rank: 1 | 2 | 3, maxCost = 40_000): fc.Arbitrary<ConvParams> {
  const L = LIMITS[rank];
  const channels = fc.oneof(
    { weight: 4, arbitrary: fc.constant('dense' as const) },
    { weight: 2, arbitrary: fc.constant('grouped' as const) },
    { weight: 2, arbitrary: fc.constant('depthwise' as const) },
    { weight: rank === 2 ? 1 : 0, arbitrary: fc.constant('winograd' as const) },
  );
  return channels.chain((kind) => fc.record({
    rank: fc.constant(rank),
    channels: fc.constant(kind),
    N: fc.constantFrom(1, 1, 2, 3),
    groups: kind === 'dense' || kind === 'winograd' ? fc.constant(1) : kind === 'grouped' ? int(2, 3) : int(1, 9),
    cg: kind === 'depthwise' ? fc.constant(1) : kind === 'winograd' ? int(16, 18) : fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9),
    kg: kind === 'depthwise' ? int(1, 3) : fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9),
    k: kind === 'winograd' ? fc.constant<number[]>([3, 3]) : ints(rank, 1, L.k),
    stride: kind === 'winograd' ? fc.constant<number[]>([1, 1]) : ints(rank, 1, L.stride),
    dilation: kind === 'winograd' ? fc.constant<number[]>([1, 1]) : ints(rank, 1, L.dilation),
    strideForm: fc.constantFrom('omit', 'number', 'array'),
    dilationForm: fc.constantFrom('omit', 'number', 'array'),
    groupsExplicit: fc.boolean(),
    padForm: fc.constantFrom<PadForm>('omit', 'number', 'perAxis', 'pairs', 'pairs', 'same', 'valid'),
    pairs: fc.array(fc.tuple(int(0, L.pad), int(0, L.pad)), { minLength: rank, maxLength: rank }),
    paddingMode: fc.constantFrom<PaddingMode | 'omit'>('omit', 'omit', 'zeros', 'reflect', 'replicate', 'circular'),
    extra: ints(rank, 0, kind === 'winograd' ? 5 : L.extra),
    entry: fc.constantFrom<Entry>('call', 'call', 'plan', 'planAsync', 'async'),
    ...common,
  })).filter((p) => convCost(p) <= maxCost);
}

const CONV = { 1: wc.conv1d, 2: wc.conv2d, 3: wc.conv3d } as const;
const CREATE_CONV = { 1: wc.createConv1d, 2: wc.createConv2d, 3: wc.createConv3d } as const;
const CONV_ASYNC = { 1: wc.conv1dAsync, 2: wc.conv2dAsync, 3: wc.conv3dAsync } as const;

export function buildConv(p: ConvParams): BuiltCase {
  const r = rng(p.seed);
  const g = convGeometry(p);
  const C = p.cg * p.groups, Cout = p.kg * p.groups;
  const layout = LAYOUTS[p.rank][p.layoutLast ? 1 : 0];
  const x = tensorOf(r, p.layoutLast ? [p.N, ...g.size, C] : [p.N, C, ...g.size]);
  const w = tensorOf(r, [Cout, p.cg, ...p.k]);
  const b = values(r, Cout);
  const options: Opts = { layout };
  const stride = axisOption(p.stride, p.strideForm, 1);
  const dilation = axisOption(p.dilation, p.dilationForm, 1);
  if (stride !== undefined) options.stride = stride;
  if (dilation !== undefined) options.dilation = dilation;
  if (p.groups > 1 || p.groupsExplicit) options.groups = p.groups;
  if (g.padding !== undefined) options.padding = g.padding;
  if (p.paddingMode !== 'omit') options.paddingMode = p.paddingMode;
  if (p.bias !== 'none') options.bias = biasOption(p.bias, b);
  if (p.activation !== 'omit') options.activation = activationOption(p.activation);
  if (p.flip) options.flip = true;
  const xg = asGiven(x, p.data), wg = asGiven(w, p.data);
  return {
    label: `conv${p.rank}d x [${x.shape}] w [${w.shape}] ${JSON.stringify(options, (k, v) => (k === 'bias' ? p.bias : v))} via ${p.entry}`,
    run: () => {
      if (p.entry === 'call') return CONV[p.rank](xg, wg, options as never);
      if (p.entry === 'async') return CONV_ASYNC[p.rank](xg, wg, options as never);
      return viaPlan(CREATE_CONV[p.rank](wg, options as never), xg, p.entry);
    },
    ref: () => refConv(x, w, { ...options, bias: p.bias === 'none' ? undefined : b }),
    tol: tolFor(p.cg * prod(p.k)),
  };
}

// ---------------------------------------------------------------------------------------------
// Transposed convolution: convTranspose1d, 2d, 3d
// ---------------------------------------------------------------------------------------------

export interface TransposeParams {
  rank: 1 | 2 | 3;
  N: number;
  groups: number;
  cg: number;
  kg: number;
  k: number[];
  stride: number[];
  dilation: number[];
  strideForm: 'omit' | 'number' | 'array';
  dilationForm: 'omit' | 'number' | 'array';
  groupsExplicit: boolean;
  padForm: Exclude<PadForm, 'same'>;
  pairs: Pair[];
  /** Extra output size: none, `outputPadding`, or the same as `outputSize`. */
  outKind: 'none' | 'outputPadding' | 'outputSize';
  outExtra: number[];
  extra: number[];
  entry: Entry;
  seed: number;
  data: DataKind;
  bias: BiasKind;
  activation: ActivationSpec;
  flip: boolean;
  layoutLast: boolean;
}

const T_LIMITS = {
  1: { k: 6, stride: 4, dilation: 3, pad: 4, extra: 8 },
  2: { k: 4, stride: 3, dilation: 2, pad: 3, extra: 4 },
  3: { k: 3, stride: 2, dilation: 2, pad: 2, extra: 2 },
} as const;

function transposeGeometry(p: TransposeParams) {
  const pads: Pair[] = p.padForm === 'number' ? p.k.map(() => [p.pairs[0][0], p.pairs[0][0]])
    : p.padForm === 'perAxis' ? p.pairs.map((q) => [q[0], q[0]])
    : p.padForm === 'pairs' ? p.pairs.map((q) => [q[0], q[1]])
    : p.k.map(() => [0, 0]);
  const span = p.k.map((kk, i) => p.dilation[i] * (kk - 1) + 1);
  // Smallest input with a non-empty output: (n - 1) * stride - pads + span >= 1.
  const size = pads.map((q, i) => 1 + Math.max(0, Math.ceil((q[0] + q[1] + 1 - span[i]) / p.stride[i])) + p.extra[i]);
  const natural = size.map((n, i) => (n - 1) * p.stride[i] - pads[i][0] - pads[i][1] + span[i]);
  const extraOut = p.outExtra.map((e, i) => e % Math.max(p.stride[i], p.dilation[i]));
  const out = p.outKind === 'none' ? natural : natural.map((v, i) => v + extraOut[i]);
  const padding = p.padForm === 'omit' ? undefined
    : p.padForm === 'valid' ? 'valid'
    : p.padForm === 'number' ? pads[0][0]
    : p.padForm === 'perAxis' ? pads.map((q) => q[0])
    : pads.map((q) => [q[0], q[1]]);
  return { size, pads, padding, natural, extraOut, out };
}

export function transposeCost(p: TransposeParams): number {
  const g = transposeGeometry(p);
  return p.N * p.cg * p.groups * p.kg * prod(g.size) * prod(p.k) + p.N * p.kg * p.groups * prod(g.out);
}

export function transposeArb(rank: 1 | 2 | 3, maxCost = 40_000): fc.Arbitrary<TransposeParams> {
  const L = T_LIMITS[rank];
  const channels = fc.constantFrom('dense', 'dense', 'grouped', 'depthwise');
  return channels.chain((kind) => fc.record({
    rank: fc.constant(rank),
    N: fc.constantFrom(1, 1, 2, 3),
    groups: kind === 'dense' ? fc.constant(1) : kind === 'grouped' ? int(2, 3) : int(2, 8),
    cg: kind === 'depthwise' ? fc.constant(1) : fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9),
    kg: kind === 'depthwise' ? int(1, 3) : fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9),
    k: ints(rank, 1, L.k),
    stride: ints(rank, 1, L.stride),
    dilation: ints(rank, 1, L.dilation),
    strideForm: fc.constantFrom('omit', 'number', 'array'),
    dilationForm: fc.constantFrom('omit', 'number', 'array'),
    groupsExplicit: fc.boolean(),
    padForm: fc.constantFrom<TransposeParams['padForm']>('omit', 'number', 'perAxis', 'pairs', 'pairs', 'valid'),
    pairs: fc.array(fc.tuple(int(0, L.pad), int(0, L.pad)), { minLength: rank, maxLength: rank }),
    outKind: fc.constantFrom('none', 'outputPadding', 'outputSize'),
    outExtra: ints(rank, 0, 3),
    extra: ints(rank, 0, L.extra),
    entry: fc.constantFrom<Entry>('call', 'call', 'plan', 'planAsync', 'async'),
    ...common,
  })).filter((p) => transposeCost(p) <= maxCost);
}

const TRANSPOSE = { 1: wc.convTranspose1d, 2: wc.convTranspose2d, 3: wc.convTranspose3d } as const;
const CREATE_TRANSPOSE = { 1: wc.createConvTranspose1d, 2: wc.createConvTranspose2d, 3: wc.createConvTranspose3d } as const;
const TRANSPOSE_ASYNC = { 1: wc.convTranspose1dAsync, 2: wc.convTranspose2dAsync, 3: wc.convTranspose3dAsync } as const;

export function buildTranspose(p: TransposeParams): BuiltCase {
  const r = rng(p.seed);
  const g = transposeGeometry(p);
  const C = p.cg * p.groups, Cout = p.kg * p.groups;
  const layout = LAYOUTS[p.rank][p.layoutLast ? 1 : 0];
  const x = tensorOf(r, p.layoutLast ? [p.N, ...g.size, C] : [p.N, C, ...g.size]);
  const w = tensorOf(r, [C, p.kg, ...p.k]);
  const b = values(r, Cout);
  const options: Opts = { layout };
  const stride = axisOption(p.stride, p.strideForm, 1);
  const dilation = axisOption(p.dilation, p.dilationForm, 1);
  if (stride !== undefined) options.stride = stride;
  if (dilation !== undefined) options.dilation = dilation;
  if (p.groups > 1 || p.groupsExplicit) options.groups = p.groups;
  if (g.padding !== undefined) options.padding = g.padding;
  if (p.outKind === 'outputPadding') options.outputPadding = g.extraOut.every((e) => e === g.extraOut[0]) ? g.extraOut[0] : g.extraOut;
  if (p.outKind === 'outputSize') options.outputSize = g.out;
  if (p.bias !== 'none') options.bias = biasOption(p.bias, b);
  if (p.activation !== 'omit') options.activation = activationOption(p.activation);
  if (p.flip) options.flip = true;
  const xg = asGiven(x, p.data), wg = asGiven(w, p.data);
  return {
    label: `convTranspose${p.rank}d x [${x.shape}] w [${w.shape}] ${JSON.stringify(options, (k, v) => (k === 'bias' ? p.bias : v))} via ${p.entry}`,
    run: () => {
      if (p.entry === 'call') return TRANSPOSE[p.rank](xg, wg, options as never);
      if (p.entry === 'async') return TRANSPOSE_ASYNC[p.rank](xg, wg, options as never);
      return viaPlan(CREATE_TRANSPOSE[p.rank](wg, options as never), xg, p.entry);
    },
    ref: () => refConvTranspose(x, w, { ...options, bias: p.bias === 'none' ? undefined : b }),
    tol: tolFor(p.cg * prod(p.k)),
  };
}

// ---------------------------------------------------------------------------------------------
// depthwiseConv2d, separableConv2d, spatiallySeparableConv2d
// ---------------------------------------------------------------------------------------------

export interface Separable2dParams {
  op: 'depthwise' | 'separable' | 'spatial';
  N: number;
  /** Input channels (depthwise, separable); for 'spatial' input channels per group. */
  C: number;
  /** depthMultiplier (depthwise, separable); for 'spatial' output channels per group. */
  m: number;
  /** Pointwise output channels (separable); groups ('spatial'). */
  cout: number;
  k: number[];
  stride: number[];
  dilation: number[];
  strideForm: 'omit' | 'number' | 'array';
  dilationForm: 'omit' | 'number' | 'array';
  multiplierExplicit: boolean;
  padForm: PadForm;
  pairs: Pair[];
  paddingMode: PaddingMode | 'omit';
  extra: number[];
  entry: Exclude<Entry, 'async'>;
  seed: number;
  data: DataKind;
  bias: BiasKind;
  activation: ActivationSpec;
  flip: boolean;
  layoutLast: boolean;
}

function separableGeometry(p: Separable2dParams) {
  const mode = p.paddingMode === 'omit' ? 'zeros' : p.paddingMode;
  const geo = forwardGeometry(p.k, p.stride, p.dilation, p.padForm, p.pairs, mode, p.extra);
  return { ...geo, out: convOut(geo.size, p.k, p.stride, p.dilation, geo.pads) };
}

export function separableCost(p: Separable2dParams): number {
  const out = prod(separableGeometry(p).out);
  if (p.op === 'depthwise') return p.N * p.C * p.m * out * prod(p.k);
  if (p.op === 'separable') return p.N * out * p.C * p.m * (prod(p.k) + p.cout);
  return p.N * p.m * p.cout * out * p.C * prod(p.k);
}

export function separableArb(op: Separable2dParams['op'], maxCost = 40_000): fc.Arbitrary<Separable2dParams> {
  return fc.record({
    op: fc.constant(op),
    N: fc.constantFrom(1, 1, 2),
    C: fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9),
    m: op === 'spatial' ? fc.constantFrom(1, 2, 3, 4, 5) : int(1, 3),
    cout: op === 'spatial' ? int(1, 3) : fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9),
    k: ints(2, 1, 5),
    stride: ints(2, 1, 3),
    dilation: ints(2, 1, 2),
    strideForm: fc.constantFrom('omit', 'number', 'array'),
    dilationForm: fc.constantFrom('omit', 'number', 'array'),
    multiplierExplicit: fc.boolean(),
    padForm: fc.constantFrom<PadForm>('omit', 'number', 'perAxis', 'pairs', 'pairs', 'same', 'valid'),
    pairs: fc.array(fc.tuple(int(0, 2), int(0, 2)), { minLength: 2, maxLength: 2 }),
    paddingMode: fc.constantFrom<PaddingMode | 'omit'>('omit', 'omit', 'zeros', 'reflect', 'replicate', 'circular'),
    extra: ints(2, 0, 6),
    entry: fc.constantFrom<Separable2dParams['entry']>('call', 'call', 'plan', 'planAsync'),
    ...common,
  }).filter((p) => separableCost(p) <= maxCost);
}

/** W[o, i, y, x] = column[o, i, y, 0] * row[o, 0, 0, x] (rounded to float32 as a kernel would be stored). */
export function outerKernel(column: Arr, row: Arr): Arr {
  const [O, I, KH] = column.shape;
  const KW = row.shape[3];
  const data = new Float32Array(O * I * KH * KW);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let y = 0; y < KH; y++) for (let x = 0; x < KW; x++) {
    data[((o * I + i) * KH + y) * KW + x] = Math.fround(column.data[(o * I + i) * KH + y] * row.data[o * KW + x]);
  }
  return { data, shape: [O, I, KH, KW] };
}

export function buildSeparable(p: Separable2dParams): BuiltCase {
  const r = rng(p.seed);
  const g = separableGeometry(p);
  const layout = p.layoutLast ? 'NHWC' : 'NCHW';
  const [H, W] = g.size;
  const spatial: Opts = { layout };
  const stride = axisOption(p.stride, p.strideForm, 1);
  const dilation = axisOption(p.dilation, p.dilationForm, 1);
  if (stride !== undefined) spatial.stride = stride;
  if (dilation !== undefined) spatial.dilation = dilation;
  if (g.padding !== undefined) spatial.padding = g.padding;
  if (p.paddingMode !== 'omit') spatial.paddingMode = p.paddingMode;
  if (p.flip) spatial.flip = true;
  const act = activationOption(p.activation);
  const show = (o: Opts) => JSON.stringify(o, (k, v) => (k === 'bias' ? p.bias : v));

  if (p.op === 'spatial') {
    const groups = p.cout, Cin = p.C * groups, Cout = p.m * groups;
    const x = tensorOf(r, p.layoutLast ? [p.N, H, W, Cin] : [p.N, Cin, H, W]);
    const column = tensorOf(r, [Cout, p.C, p.k[0], 1]);
    const row = tensorOf(r, [Cout, 1, 1, p.k[1]]);
    const b = values(r, Cout);
    const options: Opts = { ...spatial };
    if (groups > 1 || p.multiplierExplicit) options.groups = groups;
    if (p.bias !== 'none') options.bias = biasOption(p.bias, b);
    if (act !== undefined) options.activation = act;
    const xg = asGiven(x, p.data), cg = asGiven(column, p.data), rg = asGiven(row, p.data);
    return {
      label: `spatiallySeparableConv2d x [${x.shape}] column [${column.shape}] row [${row.shape}] ${show(options)} via ${p.entry}`,
      run: () => (p.entry === 'call' ? wc.spatiallySeparableConv2d(xg, cg, rg, options as never)
        : viaPlan(wc.createSpatiallySeparableConv2d(cg, rg, options as never), xg, p.entry)),
      ref: () => refConv(x, outerKernel(column, row), { ...options, groups, bias: p.bias === 'none' ? undefined : b }),
      // Two passes, each rounded to float32: the column pass's error is scaled by the row's taps.
      tol: tolFor(p.C * p.k[0] * p.k[1] * 2),
    };
  }

  const C = p.C, mid = C * p.m;
  const x = tensorOf(r, p.layoutLast ? [p.N, H, W, C] : [p.N, C, H, W]);
  const dw = tensorOf(r, [mid, 1, p.k[0], p.k[1]]);
  const options: Opts = { ...spatial };
  if (p.m > 1 || p.multiplierExplicit) options.depthMultiplier = p.m;
  if (act !== undefined) options.activation = act;
  if (p.op === 'depthwise') {
    const b = values(r, mid);
    if (p.bias !== 'none') options.bias = biasOption(p.bias, b);
    const xg = asGiven(x, p.data), wg = asGiven(dw, p.data);
    return {
      label: `depthwiseConv2d x [${x.shape}] w [${dw.shape}] ${show(options)} via ${p.entry}`,
      run: () => (p.entry === 'call' ? wc.depthwiseConv2d(xg, wg, options as never)
        : viaPlan(wc.createDepthwiseConv2d(wg, options as never), xg, p.entry)),
      ref: () => refConv(x, dw, { ...spatial, groups: C, bias: p.bias === 'none' ? undefined : b, activation: act as never }),
      tol: tolFor(p.k[0] * p.k[1]),
    };
  }
  const pw = tensorOf(r, [p.cout, mid, 1, 1]);
  const b = values(r, p.cout);
  if (p.bias !== 'none') options.bias = biasOption(p.bias, b);
  const xg = asGiven(x, p.data), dg = asGiven(dw, p.data), pg = asGiven(pw, p.data);
  return {
    label: `separableConv2d x [${x.shape}] dw [${dw.shape}] pw [${pw.shape}] ${show(options)} via ${p.entry}`,
    run: () => (p.entry === 'call' ? wc.separableConv2d(xg, dg, pg, options as never)
      : viaPlan(wc.createSeparableConv2d(dg, pg, options as never), xg, p.entry)),
    ref: () => {
      const midRef = refConv(x, dw, { ...spatial, groups: C });
      return refConv(midRef, pw, { layout, bias: p.bias === 'none' ? undefined : b, activation: act as never });
    },
    tol: tolFor(p.k[0] * p.k[1] * mid),
  };
}

// ---------------------------------------------------------------------------------------------
// convolve / correlate (scipy.signal semantics)
// ---------------------------------------------------------------------------------------------

export interface SignalParams {
  kind: 'convolve' | 'correlate';
  s1: number[];
  s2: number[];
  mode: 'omit' | 'full' | 'same' | 'valid';
  boundary: 'omit' | 'fill' | 'wrap' | 'symm';
  /** fillValue in tenths; null leaves it out. */
  fill: number | null;
  /** 'valid' only: make in2 the larger array (the arguments swap). */
  swap: boolean;
  seed: number;
  data: DataKind;
}

export function signalArb(): fc.Arbitrary<SignalParams> {
  return int(1, 3).chain((rank) => {
    const max = rank === 1 ? 24 : rank === 2 ? 8 : 4;
    const kmax = rank === 1 ? 9 : rank === 2 ? 5 : 3;
    return fc.record({
      kind: fc.constantFrom<SignalParams['kind']>('convolve', 'correlate'),
      s1: ints(rank, 1, max),
      s2: ints(rank, 1, kmax),
      mode: fc.constantFrom<SignalParams['mode']>('omit', 'full', 'same', 'valid'),
      boundary: fc.constantFrom<SignalParams['boundary']>('omit', 'fill', 'wrap', 'symm'),
      fill: fc.option(int(-20, 20), { nil: null }),
      swap: fc.boolean(),
      seed: fc.nat(),
      data: fc.constantFrom<DataKind>('f32', 'f64', 'array'),
    });
  });
}

export function buildSignal(p: SignalParams): BuiltCase {
  const r = rng(p.seed);
  let s1 = [...p.s1], s2 = [...p.s2];
  if (p.mode === 'valid') {
    s2 = s2.map((n, i) => Math.min(n, s1[i]));
    if (p.swap) [s1, s2] = [s2, s1];
  }
  const a = tensorOf(r, s1), v = tensorOf(r, s2);
  const options: Opts = {};
  if (p.mode !== 'omit') options.mode = p.mode;
  if (p.boundary !== 'omit') options.boundary = p.boundary;
  if (p.fill !== null) options.fillValue = p.fill / 10;
  const fn = p.kind === 'convolve' ? wc.convolve : wc.correlate;
  const ag = asGiven(a, p.data), vg = asGiven(v, p.data);
  return {
    label: `${p.kind} in1 [${s1}] in2 [${s2}] ${JSON.stringify(options)}`,
    run: () => fn(ag, vg, options as never),
    ref: () => refSignal(p.kind, a, v, p.mode === 'omit' ? 'full' : p.mode, p.boundary === 'omit' ? 'fill' : p.boundary, p.fill === null ? 0 : p.fill / 10),
    tol: tolFor(prod(s2) + prod(s1)),
  };
}

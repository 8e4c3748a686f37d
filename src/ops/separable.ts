/**
 * Depthwise, depthwise-separable and spatially separable 2-D convolution.
 *
 * - `depthwiseConv2d`: weight `[C * depthMultiplier, 1, kH, kW]`, i.e. `conv2d` with groups = C.
 * - `separableConv2d`: a depthwise convolution (with stride, padding, dilation) followed by a
 *   pointwise one (weight `[Cout, C * depthMultiplier, 1, 1]`); bias and activation apply at the
 *   end. One fused kernel: the depthwise result of a block of pixels goes straight into the
 *   pointwise GEMM while in cache (assembly/separable.ts).
 * - `spatiallySeparableConv2d`: a column factor `[Cout, Cin/groups, kH, 1]` then a row factor
 *   `[Cout, 1, 1, kW]` (per output channel); equal to `conv2d` with the kernel
 *   W[o, i, y, x] = column[o, i, y, 0] * row[o, 0, 0, x], in kH + kW instead of kH * kW
 *   multiply-adds per output.
 */
import { Plan } from '../plan.ts';
import { convSpec } from '../options.ts';
import { describe } from '../runtime.ts';
import { checkOptions, checkPositiveInt, checkTensor } from '../validate.ts';
import { parseWeightLayout, toDefaultLayout, weightAxes, weightLayouts } from '../weightLayout.ts';
import type { Conv1dOptions, Conv2dOptions, Conv3dOptions, ConvPlan, DepthwiseWeightLayout2d, Padding, Tensor, TensorLike, WasmTensor } from '../types.ts';
import { ResidentTensor } from '../tensor.ts';

export interface DepthwiseConv2dOptions extends Omit<Conv2dOptions, 'groups' | 'weightLayout'> {
  /**
   * Axis order of the depthwise weight: 'OIHW' `[C * M, 1, kH, kW]` (PyTorch, default), 'HWIO'
   * `[kH, kW, C, M]` (TensorFlow / Keras / tfjs; M is then read from the shape), 'IHWO'
   * `[1, kH, kW, C * M]` (TFLite). A separable plan's pointwise weight is read in the matching
   * order: 'OIHW' `[Cout, C * M, 1, 1]`, 'HWIO' `[1, 1, C * M, Cout]`, 'OHWI' `[Cout, 1, 1, C * M]`.
   */
  weightLayout?: DepthwiseWeightLayout2d;
  /** Output channels per input channel; the weight has C * depthMultiplier filters. Default 1. */
  depthMultiplier?: number;
}

export type SeparableConv2dOptions = DepthwiseConv2dOptions;

export interface DepthwiseConv1dOptions extends Omit<Conv1dOptions, 'groups' | 'weightLayout'> {
  /** Output channels per input channel. Default 1. */
  depthMultiplier?: number;
  /** 'OIW' `[C * M, 1, kW]` (PyTorch, default), 'WIO' `[kW, C, M]` (TensorFlow), 'IWO' `[1, kW, C * M]`. */
  weightLayout?: 'OIW' | 'WIO' | 'IWO';
}

export interface DepthwiseConv3dOptions extends Omit<Conv3dOptions, 'groups' | 'weightLayout'> {
  /** Output channels per input channel. Default 1. */
  depthMultiplier?: number;
  /** 'OIDHW' `[C * M, 1, kD, kH, kW]` (PyTorch, default), 'DHWIO' `[kD, kH, kW, C, M]` (TensorFlow), 'IDHWO'. */
  weightLayout?: 'OIDHW' | 'DHWIO' | 'IDHWO';
}

const SPATIAL = ['stride', 'padding', 'dilation', 'layout', 'paddingMode', 'flip'] as const;
const EPILOGUE = ['bias', 'activation'] as const;

/**
 * The depthwise weight in the default layout `[C * M, 1, kH, kW]`, and the depth multiplier: the
 * option's, or (TensorFlow's layout) the weight's last size, which the option must then equal.
 */
function depthwiseInDefaultLayout(fn: string, w: unknown, options: Record<string, unknown>, rank: 1 | 2 | 3 = 2): { weight: TensorLike; depthMultiplier: unknown } {
  const layout = parseWeightLayout(fn, options.weightLayout, 'depthwise', rank);
  const weight = toDefaultLayout(fn, 'depthwiseWeight', w, layout, 'depthwise', rank);
  if (layout !== weightLayouts('depthwise', rank)[1]) return { weight, depthMultiplier: options.depthMultiplier };
  const m = (w as TensorLike).shape[rank + 1];
  if (options.depthMultiplier !== undefined && options.depthMultiplier !== m) {
    throw new RangeError(`${fn}: option 'depthMultiplier' is ${describe(options.depthMultiplier)} but the weight of shape [${Array.from((w as TensorLike).shape).join(', ')}] in weightLayout '${layout}' ${weightAxes('depthwise', layout)} has depthMultiplier ${m}`);
  }
  return { weight, depthMultiplier: m };
}

/** The pointwise weight's layout that goes with a depthwise weight's. */
const POINTWISE_LAYOUT: Record<string, string> = { OIHW: 'OIHW', HWIO: 'HWIO', IHWO: 'OHWI' };

function depthwiseGroups(fn: string, w: unknown, options: Record<string, unknown>, rank: 1 | 2 | 3 = 2): number {
  const expected = `[C * depthMultiplier, 1, ${KERNEL_AXES[rank]}]`;
  const t = checkTensor(fn, 'depthwiseWeight', w, rank + 2, expected);
  const m = options.depthMultiplier === undefined ? 1 : checkPositiveInt(fn, 'depthMultiplier', options.depthMultiplier);
  if (t.shape[1] !== 1 || t.shape[0] % m !== 0) {
    throw new RangeError(`${fn}: argument 'depthwiseWeight' must have shape ${expected} with depthMultiplier=${m}, got [${t.shape.join(', ')}]`);
  }
  return t.shape[0] / m;
}

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

const KERNEL_AXES = { 1: 'kW', 2: 'kH, kW', 3: 'kD, kH, kW' } as const;

/** A depthwise plan of any rank; `oneShot` names the one-shot function it runs for, if any. */
function createDepthwise(rank: 1 | 2 | 3, weight: TensorLike, options: object | undefined, fn: string, oneShot: boolean): ConvPlan {
  const o = checkOptions(fn, options, [...SPATIAL, ...EPILOGUE, 'depthMultiplier', 'weightLayout', 'algorithm']);
  const dw = depthwiseInDefaultLayout(fn, weight, o, rank);
  const groups = depthwiseGroups(fn, dw.weight, { ...o, depthMultiplier: dw.depthMultiplier }, rank);
  const { depthMultiplier: _, weightLayout: __, ...rest } = o;
  return new Plan(convSpec({ fn, rank, transposed: false }, dw.weight, { ...rest, groups }, { runFn: oneShot ? fn : undefined }));
}

function runOnce(plan: ConvPlan, x: TensorLike): Tensor {
  try {
    return plan.run(x);
  } finally {
    plan.dispose();
  }
}

/** Plan of a depthwise 1-D convolution: weight `[C * depthMultiplier, 1, kW]`. */
export function createDepthwiseConv1d(weight: TensorLike, options?: DepthwiseConv1dOptions): ConvPlan {
  return createDepthwise(1, weight, options, 'createDepthwiseConv1d', false);
}
/** Depthwise 1-D convolution of `x` `[N, C, W]` with `w` `[C * depthMultiplier, 1, kW]`. */
export function depthwiseConv1d(x: TensorLike, w: TensorLike, options?: DepthwiseConv1dOptions): Tensor {
  return runOnce(createDepthwise(1, w, options, 'depthwiseConv1d', true), x);
}
/** Plan of a depthwise 3-D convolution: weight `[C * depthMultiplier, 1, kD, kH, kW]`. */
export function createDepthwiseConv3d(weight: TensorLike, options?: DepthwiseConv3dOptions): ConvPlan {
  return createDepthwise(3, weight, options, 'createDepthwiseConv3d', false);
}
/** Depthwise 3-D convolution of `x` `[N, C, D, H, W]` with `w` `[C * depthMultiplier, 1, kD, kH, kW]`. */
export function depthwiseConv3d(x: TensorLike, w: TensorLike, options?: DepthwiseConv3dOptions): Tensor {
  return runOnce(createDepthwise(3, w, options, 'depthwiseConv3d', true), x);
}

/** Plan of a depthwise 2-D convolution: weight `[C * depthMultiplier, 1, kH, kW]`. */
export function createDepthwiseConv2d(weight: TensorLike, options?: DepthwiseConv2dOptions, fn = 'createDepthwiseConv2d'): ConvPlan {
  return createDepthwise(2, weight, options, fn, fn !== 'createDepthwiseConv2d');
}

/** Depthwise 2-D convolution of `x` `[N, C, H, W]` with `w` `[C * depthMultiplier, 1, kH, kW]`. */
export function depthwiseConv2d(x: TensorLike, w: TensorLike, options?: DepthwiseConv2dOptions): Tensor {
  return runOnce(createDepthwise(2, w, options, 'depthwiseConv2d', true), x);
}

/** Two plans run one after the other, the first one's output feeding the second. */
class ChainedPlan implements ConvPlan {
  /** Asynchronous runs in flight: dispose() ends the two plans only after they finish. */
  private inFlight = 0;
  private disposed = false;
  /**
   * The first pass's output in synchronous runs: a wasm tensor (the second pass reads it in
   * place), kept for the next run of the same input shape.
   */
  private middle: { shape: string; tensor: ResidentTensor } | null = null;
  constructor(private readonly fn: string, private readonly first: ConvPlan, private readonly second: ConvPlan) {}
  run(input: TensorLike, output?: Float32Array | WasmTensor): Tensor {
    this.checkAlive();
    return this.second.run(this.first.run(input, this.middleFor(input)), output);
  }
  /** The wasm tensor for the first pass's output of `input`; undefined for an invalid input (the first pass reports it). */
  private middleFor(input: TensorLike): ResidentTensor | undefined {
    const shape = (input as TensorLike | null)?.shape;
    if (!Array.isArray(shape)) return undefined;
    const key = shape.join(',');
    if (this.middle?.shape === key && this.middle.tensor.alive()) return this.middle.tensor;
    this.middle?.tensor.dispose();
    this.middle = null;
    let outShape: number[];
    try {
      outShape = this.first.outputShape(shape);
    } catch {
      return undefined;
    }
    this.middle = { shape: key, tensor: new ResidentTensor(`${this.fn}(...).run`, outShape, undefined) };
    return this.middle.tensor;
  }
  async runAsync(input: TensorLike, output?: Float32Array | WasmTensor): Promise<Tensor> {
    this.checkAlive();
    this.inFlight++;
    try {
      return await this.second.runAsync(await this.first.runAsync(input), output);
    } finally {
      if (--this.inFlight === 0 && this.disposed) this.end();
    }
  }
  outputShape(inputShape: readonly number[]): number[] {
    return this.second.outputShape(this.first.outputShape(inputShape));
  }
  workspaceBytes(inputShape: readonly number[]): number {
    return Math.max(this.first.workspaceBytes(inputShape), this.second.workspaceBytes(this.first.outputShape(inputShape)));
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.inFlight === 0) this.end();
  }
  private end(): void {
    this.first.dispose();
    this.second.dispose();
    this.middle?.tensor.dispose();
    this.middle = null;
  }
  private checkAlive(): void {
    if (this.disposed) throw new Error(`${this.fn}(...).run: this plan was disposed; create a new one`);
  }
}

/** Plan of a depthwise-separable convolution (depthwise then pointwise). */
export function createSeparableConv2d(
  depthwiseWeight: TensorLike, pointwiseWeight: TensorLike, options?: SeparableConv2dOptions, fn = 'createSeparableConv2d',
): ConvPlan {
  const o = checkOptions(fn, options, [...SPATIAL, ...EPILOGUE, 'depthMultiplier', 'weightLayout', 'algorithm']);
  const dw = depthwiseInDefaultLayout(fn, depthwiseWeight, o);
  const groups = depthwiseGroups(fn, dw.weight, { ...o, depthMultiplier: dw.depthMultiplier });
  const mid = dw.weight.shape[0];
  const pointwiseLayout = POINTWISE_LAYOUT[parseWeightLayout(fn, o.weightLayout, 'depthwise', 2)];
  const pwDefault = toDefaultLayout(fn, 'pointwiseWeight', pointwiseWeight, pointwiseLayout, 'forward', 2);
  const pw = checkTensor(fn, 'pointwiseWeight', pwDefault, 4, `[Cout, ${mid}, 1, 1]`);
  if (pw.shape[1] !== mid || pw.shape[2] !== 1 || pw.shape[3] !== 1) {
    throw new RangeError(`${fn}: argument 'pointwiseWeight' must have shape [Cout, ${mid}, 1, 1] (the depthwise step makes ${mid} channels), got [${pw.shape.join(', ')}]`);
  }
  const { depthMultiplier: _, weightLayout: __, algorithm, ...rest } = o;
  const runFn = fn === 'createSeparableConv2d' ? undefined : fn;
  if (algorithm === 'gemm') {
    // Both steps on the im2col GEMM, the depthwise result passed between them.
    const first = new Plan(convSpec({ fn, rank: 2, transposed: false }, dw.weight, { ...pick(rest, SPATIAL), groups, algorithm }, { runFn }));
    const second = new Plan(convSpec({ fn, rank: 2, transposed: false }, pw, { ...pick(rest, EPILOGUE), algorithm, layout: rest.layout }, { runFn }));
    return new ChainedPlan(fn, first, second);
  }
  return new Plan(convSpec({ fn, rank: 2, transposed: false }, dw.weight, { ...rest, groups, algorithm }, { runFn, pointwise: pw }));
}

/** Depthwise-separable convolution: depthwise `[C * m, 1, kH, kW]` then pointwise `[Cout, C * m, 1, 1]`. */
export function separableConv2d(x: TensorLike, depthwiseWeight: TensorLike, pointwiseWeight: TensorLike, options?: SeparableConv2dOptions): Tensor {
  const plan = createSeparableConv2d(depthwiseWeight, pointwiseWeight, options, 'separableConv2d');
  try {
    return plan.run(x);
  } finally {
    plan.dispose();
  }
}

/** Splits a 2-D padding option into the part for H (first pass) and for W (second pass). */
function splitPadding(fn: string, p: unknown): [Padding | undefined, Padding | undefined] {
  if (p === undefined || p === 'valid' || p === 'same') return [p, p];
  const pair = (v: unknown, axis: number): [number, number] => {
    if (!Array.isArray(v)) return [v as number, v as number];
    if (v.length !== 2) throw new RangeError(`${fn}: option 'padding[${axis}]' must be a [begin, end] pair, got ${describe(v)}`);
    return [v[0], v[1]];
  };
  if (typeof p === 'number') return [[[p, p], [0, 0]], [[0, 0], [p, p]]];
  if (Array.isArray(p) && p.length === 2) return [[pair(p[0], 0), [0, 0]], [[0, 0], pair(p[1], 1)]];
  throw new TypeError(`${fn}: option 'padding' must be a number, 2 numbers, 2 [begin, end] pairs, 'valid' or 'same', got ${describe(p)}`);
}

function split(v: unknown): [unknown, unknown] {
  if (Array.isArray(v) && v.length === 2) return [[v[0], 1], [1, v[1]]];
  if (v === undefined) return [undefined, undefined];
  return [[v, 1], [1, v]];
}

/** Plan of a spatially separable convolution: column `[Cout, Cin/groups, kH, 1]`, row `[Cout, 1, 1, kW]`. */
export function createSpatiallySeparableConv2d(
  column: TensorLike, row: TensorLike, options?: Conv2dOptions, fn = 'createSpatiallySeparableConv2d',
): ConvPlan {
  const o = checkOptions(fn, options, [...SPATIAL, ...EPILOGUE, 'groups']);
  const c = checkTensor(fn, 'column', column, 4, '[Cout, Cin/groups, kH, 1]');
  const r = checkTensor(fn, 'row', row, 4, '[Cout, 1, 1, kW]');
  if (c.shape[3] !== 1) throw new RangeError(`${fn}: argument 'column' must have shape [Cout, Cin/groups, kH, 1], got [${c.shape.join(', ')}]`);
  if (r.shape[0] !== c.shape[0] || r.shape[1] !== 1 || r.shape[2] !== 1) {
    throw new RangeError(`${fn}: argument 'row' must have shape [${c.shape[0]}, 1, 1, kW] (one row per output channel of 'column'), got [${r.shape.join(', ')}]`);
  }
  const [padH, padW] = splitPadding(fn, o.padding);
  const [strideH, strideW] = split(o.stride);
  const [dilH, dilW] = split(o.dilation);
  const common = pick(o, ['layout', 'paddingMode', 'flip']);
  const kind = { fn, rank: 2 as const, transposed: false };
  const first = new Plan(convSpec(kind, column, { ...common, padding: padH, stride: strideH, dilation: dilH, groups: o.groups }));
  try {
    const second = new Plan(convSpec(kind, row, { ...common, ...pick(o, EPILOGUE), padding: padW, stride: strideW, dilation: dilW, groups: c.shape[0] }));
    return new ChainedPlan(fn, first, second);
  } catch (e) {
    first.dispose();
    throw e;
  }
}

/** Spatially separable convolution: `conv2d` with the kernel column x row, in two 1-D passes. */
export function spatiallySeparableConv2d(x: TensorLike, column: TensorLike, row: TensorLike, options?: Conv2dOptions): Tensor {
  const plan = createSpatiallySeparableConv2d(column, row, options, 'spatiallySeparableConv2d');
  try {
    return plan.run(x);
  } finally {
    plan.dispose();
  }
}

/**
 * Convolution plans: create once (validate, choose blocking, pack weights into wasm memory),
 * run many times (one kernel call per run), dispose.
 *
 * One class serves every rank (1-D, 2-D, 3-D), both layouts and both directions: the kernels
 * see every problem as three-dimensional (unused axes have size 1).
 */
import { Slot } from '../assembly/descriptor.ts';
import { runtime, describe, currentGeneration, KERNELS, type Runtime, type Kernels, type KernelName } from './runtime.ts';
import {
  checkOptions, checkOutput, checkPositiveInt, checkNonNegativeInt, checkShape, checkTensor, perAxis,
} from './validate.ts';
import {
  balancedBlock, convOutSize, transposedOutSize, samePads, product, toThreeAxes, padIndexMap, type Pads,
} from './shape.ts';
import type { ConvPlan, Tensor, TensorLike, WasmTensor } from './types.ts';
import { ResidentTensor } from './tensor.ts';
import { formatBytes } from './memory.ts';
import { snapshotOptions } from './snapshot.ts';
import { packDepthwiseWeights } from './depthwise.ts';
import { depthAsChannels, nineTapsAsThreeByThree, packWinogradWeights, prefersWinograd, winogradBlocking } from './winograd.ts';
import { packGroupedWeights, prefersGrouped } from './grouped.ts';
import { parseWeightLayout, toDefaultLayout, weightAxes, weightLayouts } from './weightLayout.ts';

/** Which public family a plan belongs to. */
export interface ConvKind {
  /** Name used in messages, e.g. 'conv2d' or 'createConv2d'. */
  fn: string;
  rank: 1 | 2 | 3;
  transposed: boolean;
}

const LAYOUTS: Record<number, [string, string]> = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };
const AXES: Record<number, string> = { 1: 'W', 2: 'H, W', 3: 'D, H, W' };
const PADDING_MODES = ['zeros', 'reflect', 'replicate', 'circular'];
const OPTIONS = ['bias', 'stride', 'padding', 'dilation', 'groups', 'layout', 'activation', 'flip', 'paddingMode', 'algorithm', 'weightLayout'];
const TRANSPOSED_OPTIONS = [...OPTIONS, 'outputPadding', 'outputSize'];

/** Most float32 values a 4 GiB (wasm32) memory holds. */
const MAX_FLOATS = 2 ** 30;
/** Largest coordinate along an axis the kernels' 32-bit arithmetic holds. */
const MAX_COORDINATE = 2 ** 31 - 1;
/** Upper bound of the packed operand block, in floats (fits the L2 cache with room to spare). */
const PACK_BLOCK_FLOATS = 48 * 1024;
/** Upper bound of the transposed convolution's column tile, in floats. */
const COLUMN_TILE_FLOATS = 64 * 1024;
/** Longest reduction done in one block; longer ones are split into balanced blocks. */
const MAX_BLOCK_K = 1024;

/** Fused activation as the kernels take it: y = min(max(x > 0 ? x : x * slope, lo), hi). */
interface ActivationParams { lo: number; hi: number; slope: number }

/** Plans whose owner dropped them without dispose(): their blocks go back to the arena. */
const dropped = new FinalizationRegistry<{ rt: Runtime; blocks: number[] }>(({ rt, blocks }) => {
  if (rt.generation === currentGeneration()) blocks.forEach((b) => rt.arena.release(b));
});

export class Plan implements ConvPlan {
  private readonly kind: ConvKind;
  private readonly runFn: string;
  private readonly rt: Runtime;
  private readonly channelsLast: boolean;
  private readonly groups: number;
  private readonly kernel: number[];
  private readonly stride: number[];
  private readonly dilation: number[];
  private readonly padding: Pads | 'same';
  private readonly paddingMode: string;
  private readonly outputPadding: number[] | null;
  private readonly outputSize: number[] | null;
  private readonly activation: ActivationParams | null;
  /** Input and output channel counts of the whole convolution. */
  private readonly inChannels: number;
  private readonly outChannels: number;
  private readonly weightShape: number[];
  private readonly weightLayout: string;
  private readonly blocks: { weights: number; bias: number; descriptor: number };
  /** The kernel: packed GEMM, transposed GEMM + col2im, Winograd, or direct depthwise / grouped kernels. */
  private readonly algorithm: Algorithm;
  /** Asynchronous runs in flight: dispose() frees the weights only after they finish. */
  private inFlight = 0;
  private disposed = false;
  /**
   * Winograd plans: makes the GEMM plan that takes the inputs Winograd cannot: those holding NaN
   * or infinities, and (dilated plans) those whose size does not split evenly into phase images.
   */
  private gemmFallback: (() => Plan) | null = null;
  private fallback: Plan | null = null;

  /**
   * `pointwise` (a validated `[Cout, Cin, 1, 1]` tensor, with `weight` depthwise) fuses a pointwise
   * convolution after the depthwise one: the plan of a depthwise-separable convolution, whose
   * bias and activation apply to the pointwise output.
   */
  constructor(
    kind: ConvKind, weight: unknown, options: unknown, runFn = `${kind.fn}(...).run`,
    pointwise?: { data: ArrayLike<number>; shape: number[] },
    allowWinograd = true,
  ) {
    const { fn, rank, transposed } = kind;
    this.kind = kind;
    this.runFn = runFn;
    // A plan is a snapshot: it reads only its own copy of the options (its GEMM fallback too).
    const o = snapshotOptions(checkOptions(fn, options, transposed ? TRANSPOSED_OPTIONS : OPTIONS));
    const weightKind = transposed ? 'transposed' : 'forward';
    this.weightLayout = parseWeightLayout(fn, o.weightLayout, weightKind, rank);
    weight = toDefaultLayout(fn, 'weight', weight, this.weightLayout, weightKind, rank);
    const wName = transposed ? `[in_channels, out_channels/groups, ${AXES[rank]}]` : `[out_channels, in_channels/groups, ${AXES[rank]}]`;
    const w = checkTensor(fn, 'weight', weight, rank + 2, wName);
    this.weightShape = w.shape;
    this.kernel = w.shape.slice(2);
    if (w.shape.some((s) => s === 0)) {
      throw new RangeError(`${fn}: argument 'weight' must have non-zero sizes ${wName}, got shape [${w.shape.join(', ')}]`);
    }
    // Checked before packing: a weight the 4 GiB memory cannot hold is never copied.
    for (const [name, t] of [['weight', w], ['pointwiseWeight', pointwise]] as const) {
      if (t && product(t.shape) > MAX_FLOATS) {
        throw new RangeError(`${fn}: argument '${name}' of shape [${t.shape.join(', ')}] has ${product(t.shape)} elements, more than the 2^30 float32 values a 4 GiB WebAssembly memory can hold`);
      }
    }
    this.groups = o.groups === undefined ? 1 : checkPositiveInt(fn, 'groups', o.groups);
    const [w0, w1] = w.shape;
    if (w0 % this.groups !== 0) {
      const what = transposed ? 'input' : 'output';
      throw new RangeError(`${fn}: weight of shape [${w.shape.join(', ')}] has ${w0} ${what} channels, which is not divisible by groups=${this.groups}`);
    }
    this.inChannels = transposed ? w0 : w1 * this.groups;
    this.outChannels = pointwise ? pointwise.shape[0] : transposed ? w1 * this.groups : w0;
    this.stride = perAxis(fn, 'stride', o.stride, rank, 1, checkPositiveInt);
    this.dilation = perAxis(fn, 'dilation', o.dilation, rank, 1, checkPositiveInt);
    this.padding = parsePadding(fn, o.padding, rank, transposed);

    const [first, last] = LAYOUTS[rank];
    if (o.layout !== undefined && o.layout !== first && o.layout !== last) {
      throw new TypeError(`${fn}: option 'layout' must be '${first}' (channels-first, the default) or '${last}' (channels-last), got ${describe(o.layout)}`);
    }
    this.channelsLast = o.layout === last;
    if (o.flip !== undefined && typeof o.flip !== 'boolean') {
      throw new TypeError(`${fn}: option 'flip' must be a boolean, got ${describe(o.flip)}`);
    }
    const flip = o.flip === true;
    this.paddingMode = o.paddingMode === undefined ? 'zeros' : String(o.paddingMode);
    if (typeof o.paddingMode !== 'undefined' && (typeof o.paddingMode !== 'string' || !PADDING_MODES.includes(o.paddingMode))) {
      throw new TypeError(`${fn}: option 'paddingMode' must be one of ${PADDING_MODES.map((m) => `'${m}'`).join(', ')}, got ${describe(o.paddingMode)}`);
    }
    if (transposed && this.paddingMode !== 'zeros') {
      throw new RangeError(`${fn}: option 'paddingMode' must be 'zeros' for transposed convolution (only zero padding is defined for it), got '${this.paddingMode}'`);
    }
    this.outputPadding = null;
    this.outputSize = null;
    if (transposed) {
      if (o.outputPadding !== undefined && o.outputSize !== undefined) {
        throw new TypeError(`${fn}: options 'outputPadding' and 'outputSize' choose the same thing; give one of them, got both`);
      }
      // As PyTorch's output_size, it may start with the batch and channel sizes, which are ignored.
      const size = Array.isArray(o.outputSize) && o.outputSize.length === rank + 2 ? o.outputSize.slice(2) : o.outputSize;
      if (size !== undefined) this.outputSize = perAxis(fn, 'outputSize', size, rank, 0, checkPositiveInt);
      else {
        this.outputPadding = perAxis(fn, 'outputPadding', o.outputPadding, rank, 0, checkNonNegativeInt);
        this.outputPadding.forEach((p, i) => {
          if (p >= this.stride[i] && p >= this.dilation[i]) {
            throw new RangeError(`${fn}: option 'outputPadding' must be smaller than either stride or dilation on every axis, got outputPadding=${p}, stride=${this.stride[i]}, dilation=${this.dilation[i]} on axis ${i}`);
          }
        });
      }
    }
    this.activation = parseActivation(fn, o.activation);
    const bias = parseBias(fn, o.bias, this.outChannels);

    this.rt = runtime(fn);
    const arena = this.rt.arena;
    if (o.algorithm !== undefined && o.algorithm !== 'auto' && o.algorithm !== 'gemm') {
      throw new TypeError(`${fn}: option 'algorithm' must be 'auto' (the plan chooses) or 'gemm' (always the im2col GEMM), got ${describe(o.algorithm)}`);
    }
    const onlyGemm = o.algorithm === 'gemm';
    this.algorithm = transposed ? 'transposed' : pointwise ? 'separable'
      : onlyGemm ? 'gemm'
      : this.groups === this.inChannels && depthwiseFits(this.stride, this.dilation, this.padding) ? 'depthwise'
      : prefersGrouped(this.groups, w1, w0 / this.groups, product(this.kernel), this.channelsLast) && depthwiseFits(this.stride, this.dilation, this.padding) ? 'grouped'
      : allowWinograd && prefersWinograd(rank, this.kernel, this.stride, this.dilation, w1) && allFinite(w.data) ? 'winograd' : 'gemm';
    if (this.algorithm === 'winograd') {
      // Winograd's transforms mix neighbouring values, so one infinity would turn its whole tile
      // into NaN: inputs with NaN or infinities run on a GEMM plan of the same convolution.
      const source = { data: Float32Array.from(w.data), shape: [...w.shape] };
      // The source is in the default weight layout already.
      this.gemmFallback = () => new Plan(kind, source, { ...o, weightLayout: undefined }, runFn, undefined, false);
    }
    const packed = pointwise
      ? packSeparableWeights(w.data, this.weightShape, pointwise, this.channelsLast, flip)
      : this.algorithm === 'depthwise'
      ? packDepthwiseWeights(w.data, this.weightShape, this.channelsLast, flip, this.outChannels / this.inChannels)
      : this.algorithm === 'winograd' && rank === 1
      ? packWinogradWeights(nineTapsAsThreeByThree(w.data, this.weightShape).data, [w0, w1, 3, 3], this.groups, this.channelsLast, flip)
      : this.algorithm === 'winograd' && rank === 3
      ? packWinogradWeights(depthAsChannels(w.data, this.weightShape, flip).data, [w0, w1 * this.kernel[0], 3, 3], this.groups, this.channelsLast, flip)
      : this.algorithm === 'grouped'
      ? packGroupedWeights(w.data, this.weightShape, this.groups, this.channelsLast, flip)
      : this.algorithm === 'winograd'
      ? packWinogradWeights(w.data, this.weightShape, this.groups, this.channelsLast, flip)
      : packWeights(w.data, this.weightShape, this.groups, transposed, this.channelsLast, flip);
    const weights = arena.alloc(packed.length * 4, 'packed weights');
    arena.f32(weights, packed.length).set(packed);
    let biasPtr = 0;
    if (bias) {
      // Padded by 8 zeros: the micro-kernel reads a whole tile's bias.
      biasPtr = arena.alloc((bias.length + 8) * 4, 'bias');
      const view = arena.f32(biasPtr, bias.length + 8);
      view.fill(0);
      view.set(bias);
    }
    const descriptor = arena.alloc(Slot.Count * 4, 'descriptor');
    this.blocks = { weights, bias: biasPtr, descriptor };
    dropped.register(this, { rt: this.rt, blocks: [weights, biasPtr, descriptor] }, this);
  }

  /**
   * The kernel family a plan runs ('gemm', 'winograd', 'depthwise', ...; null for other plans),
   * for an input of `inputShape` if given (a dilated Winograd plan runs some on its GEMM
   * fallback): for tests and diagnostics.
   */
  static algorithmOf(plan: ConvPlan, inputShape?: readonly number[]): Algorithm | null {
    if (!(plan instanceof Plan)) return null;
    return inputShape && plan.kernelProblem(plan.geometry(inputShape)) === null ? 'gemm' : plan.algorithm;
  }

  outputShape(inputShape: readonly number[]): number[] {
    this.checkAlive();
    const fn = `${this.kind.fn}(...).outputShape`;
    return this.geometry(checkShape(fn, 'inputShape', inputShape, this.kind.rank + 2, this.inputForm()), fn).outShape;
  }

  workspaceBytes(inputShape: readonly number[]): number {
    this.checkAlive();
    const fn = `${this.kind.fn}(...).workspaceBytes`;
    const g = this.geometry(checkShape(fn, 'inputShape', inputShape, this.kind.rank + 2, this.inputForm()), fn);
    const problem = this.kernelProblem(g);
    if (!problem) return this.gemmPlan().workspaceBytes(inputShape);
    this.writeDescriptor(problem.g, 0, 0, 0);
    // Reordered copies of the input and of the output come on top of the kernel's workspace.
    const k = problem.g;
    return this.kernelWorkspaceBytes() + (problem.input ? 4 * k.N * k.C * product(k.inSpatial) : 0)
      + (problem.output ? 4 * k.N * this.outChannels * product(k.out) : 0);
  }

  run(input: TensorLike, output?: Float32Array | WasmTensor): Tensor {
    const job = this.prepare(input, output);
    if (!job) return this.gemmPlan().run(input, output);
    try {
      const { pool, kernels } = this.rt;
      const entry = ALGORITHMS[this.algorithm];
      const parts = pool && pool.canBlock && !pool.isBusy && job.flops >= THREAD_MIN_FLOPS ? pool.size : 1;
      const descriptors = this.split(job, parts);
      if (descriptors.length === 1) kernels[entry.kernel](descriptors[0]);
      else {
        const items = entry.items(kernels, descriptors[0]);
        pool!.runSync(KERNELS.indexOf(entry.kernel), descriptors, items, kernels.memory, Slot.WorkBegin, (d) => kernels[entry.kernel](d));
      }
      return this.result(job);
    } finally {
      this.release(job);
    }
  }

  async runAsync(input: TensorLike, output?: Float32Array | WasmTensor): Promise<Tensor> {
    const job = this.prepare(input, output);
    if (!job) return this.gemmPlan().runAsync(input, output);
    this.inFlight++;
    try {
      const { pool, kernels } = this.rt;
      const entry = ALGORITHMS[this.algorithm];
      if (!pool) {
        kernels[entry.kernel](this.split(job, 1)[0]);
      } else {
        // Queued jobs keep their own descriptors: later runs rewrite the plan's.
        const descriptors = this.split(job, job.flops >= THREAD_MIN_FLOPS ? pool.size : 1, true);
        await pool.runAsync(KERNELS.indexOf(entry.kernel), descriptors, entry.items(kernels, descriptors[0]));
      }
      return this.result(job);
    } finally {
      this.release(job);
      if (--this.inFlight === 0 && this.disposed) this.freeWeights();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    dropped.unregister(this);
    this.fallback?.dispose();
    if (this.inFlight === 0) this.freeWeights();
  }

  private gemmPlan(): Plan {
    this.fallback ??= this.gemmFallback!();
    return this.fallback;
  }

  /**
   * The problem the kernel computes for geometry `g`, with the reorders around it
   * (assembly/reorder.ts): `g` itself for every plan but Winograd ones that are dilated (phase
   * images), 3-D (depth windows) or 1-D (rows of the signal); null when a dilated input does not
   * split evenly into phase images (the GEMM fallback runs it).
   */
  private kernelProblem(g: Geometry): KernelProblem | null {
    if (this.algorithm !== 'winograd' || (this.kind.rank === 2 && g.dilation.every((d) => d === 1))) return { g };
    const { kernels } = this.rt;
    const cl = this.channelsLast ? 1 : 0;
    const K = this.outChannels;
    if (this.kind.rank === 1) {
      // Output columns J of the 2-D problem (3 rows), input columns J + 2 (5 rows).
      const [L] = g.inSpatial, [OL] = g.out, J = Math.ceil(OL / 3), none: Pads = [[0, 0], [0, 0]];
      return {
        g: {
          ...g, spatial: [5, J + 2], inSpatial: [5, J + 2], out: [3, J], pads: none, modePads: none,
          stride: [1, 1], dilation: [1, 1], kernel: [3, 3],
        },
        input: (from, to) => kernels.signalRows(from, to, g.N, g.C, L, g.pads[0][0], J + 2, cl),
        output: (from, to) => kernels.signalMerge(from, to, g.N, K, OL, J, cl),
      };
    }
    if (this.kind.rank === 3) {
      const [D, H, W] = g.inSpatial, [OD, OH, OW] = g.out, KD = this.kernel[0];
      return {
        g: {
          ...g, N: g.N * OD, C: g.C * KD, spatial: g.spatial.slice(1), inSpatial: [H, W], out: [OH, OW],
          pads: g.pads.slice(1), modePads: g.modePads.slice(1), stride: [1, 1], dilation: [1, 1], kernel: [3, 3],
        },
        input: (from, to) => kernels.depthWindows(from, to, g.N, g.C, this.groups, D, H * W, OD, KD, g.stride[0], g.dilation[0], g.pads[0][0], cl),
        // Channels-last, the images of the output depths are already the output.
        output: cl ? undefined : (from, to) => kernels.phaseShuffle(to, from, g.N, K, OD, OH * OW, OD, 1, 0, 1),
      };
    }
    const sub = phaseGeometry(g);
    if (!sub) return null;
    const [H, W] = g.inSpatial, [OH, OW] = g.out, [DH, DW] = g.dilation;
    return {
      g: sub,
      input: (from, to) => kernels.phaseShuffle(from, to, g.N, g.C, H, W, DH, DW, cl, 0),
      output: (from, to) => kernels.phaseShuffle(to, from, g.N, K, OH, OW, DH, DW, cl, 1),
    };
  }

  private freeWeights(): void {
    if (this.rt.generation !== currentGeneration()) return;
    this.rt.arena.release(this.blocks.weights);
    this.rt.arena.release(this.blocks.bias);
    this.rt.arena.release(this.blocks.descriptor);
  }

  /**
   * Validates the input (and the caller's output buffer), allocates input and output, copies the
   * input in, writes the descriptor. Null (nothing held) when a Winograd plan cannot take the
   * input — one holding NaN or infinities, or a dilated one that does not split evenly into
   * phase images: its GEMM fallback runs those.
   */
  private prepare(input: TensorLike, output: unknown): Job | null {
    this.checkAlive();
    const resident = input instanceof ResidentTensor ? input : null;
    resident?.check(this.runFn, this.rt);
    const x = checkTensor(this.runFn, 'input', input, this.kind.rank + 2, this.inputForm());
    const g = this.geometry(x.shape);
    const into = checkOutput(this.runFn, output, g.outShape);
    if (into instanceof ResidentTensor) into.check(this.runFn, this.rt);
    const problem = this.kernelProblem(g);
    if (!problem) return null;
    const { arena, kernels } = this.rt;
    const inLength = g.N * this.inChannels * product(g.inSpatial);
    const outLength = product(g.outShape);
    const job: Job = { g, blocks: [], output: 0, outLength, into, reorderOut: null, flops: this.flops(g) };
    try {
      // Wasm tensors are used in place: an input unless a padding mode pads it on the way in, an
      // output unless it is the input too.
      let xPtr: number;
      if (resident && g.inSpatial === g.spatial) xPtr = resident.pointer;
      else {
        xPtr = arena.alloc(inLength * 4, 'the input');
        job.blocks.push(xPtr);
        // A wasm tensor's view is read after the allocation: a growing memory detaches older views.
        this.copyIn(resident ? resident.data : x.data, g, arena.f32(xPtr, inLength));
      }
      if (into instanceof ResidentTensor && into !== resident) job.output = into.pointer;
      else {
        job.output = arena.alloc(outLength * 4, 'the output');
        job.blocks.push(job.output);
      }
      if (this.gemmFallback && !kernels.allFinite(xPtr, inLength)) {
        this.release(job);
        return null;
      }
      const k = problem.g;
      if (problem.input) {
        const reordered = arena.alloc(k.N * k.C * product(k.inSpatial) * 4, 'the reordered input');
        job.blocks.push(reordered);
        problem.input(xPtr, reordered);
        xPtr = reordered;
      }
      let yPtr = job.output;
      if (problem.output) {
        yPtr = arena.alloc(k.N * this.outChannels * product(k.out) * 4, 'the reordered output');
        job.blocks.push(yPtr);
        const reorder = problem.output;
        job.reorderOut = () => reorder(yPtr, job.output);
      }
      this.writeDescriptor(k, xPtr, yPtr, 0);
      return job;
    } catch (e) {
      this.release(job);
      throw e;
    }
  }

  /**
   * Splits the job into at most `parts` descriptors, each with its own workspace (the plan's
   * descriptor is the template and serves a single part).
   */
  private split(job: Job, parts: number, ownDescriptors = false): number[] {
    const { arena, kernels } = this.rt;
    const entry = ALGORITHMS[this.algorithm];
    const template = this.blocks.descriptor;
    const items = entry.items(kernels, template);
    const count = Math.max(1, Math.min(parts, items));
    const wsBytes = entry.workspace(kernels, template);
    const descriptors: number[] = [];
    for (let p = 0; p < count; p++) {
      const d = count === 1 && !ownDescriptors ? template : arena.alloc(Slot.Count * 4, 'a thread descriptor');
      if (d !== template) job.blocks.push(d);
      const ws = arena.alloc(wsBytes, 'the workspace');
      job.blocks.push(ws);
      const view = arena.i32(d, Slot.Count);
      if (d !== template) view.set(arena.i32(template, Slot.Count));
      view[Slot.Workspace] = ws;
      // The whole job; with several parts the pool hands out the items one at a time.
      view[Slot.WorkBegin] = 0;
      view[Slot.WorkEnd] = items;
      descriptors.push(d);
    }
    return descriptors;
  }

  /** The output: in place in the caller's wasm tensor, or copied into the caller's buffer or a new one. */
  private result(job: Job): Tensor {
    job.reorderOut?.();
    const { into } = job;
    if (into instanceof ResidentTensor && into.pointer === job.output) return into;
    const view = this.rt.arena.f32(job.output, job.outLength);
    if (into instanceof ResidentTensor) {
      into.data.set(view);
      return into;
    }
    if (!into) return { data: view.slice(), shape: job.g.outShape };
    into.set(view);
    return { data: into, shape: job.g.outShape };
  }

  private release(job: Job): void {
    for (const b of job.blocks.reverse()) this.rt.arena.release(b);
    job.blocks.length = 0;
  }

  /** 2 x multiply-adds of a run (dense count: padding taps included). */
  private flops(g: Geometry): number {
    const taps = product(this.kernel);
    if (this.algorithm === 'separable') {
      const mid = this.weightShape[0];
      return 2 * g.N * product(g.out) * mid * (taps + this.outChannels);
    }
    const pixels = this.kind.transposed ? product(g.inSpatial) : product(g.out);
    const perPixel = this.kind.transposed ? this.inChannels * (this.outChannels / this.groups) : this.outChannels * (this.inChannels / this.groups);
    return 2 * g.N * pixels * perPixel * taps;
  }

  /** Workspace bytes of the kernel this plan calls, for the descriptor as last written. */
  private kernelWorkspaceBytes(): number {
    return ALGORITHMS[this.algorithm].workspace(this.rt.kernels, this.blocks.descriptor);
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error(`${this.runFn}: this plan was disposed; create a new one`);
    if (this.rt.generation !== currentGeneration()) {
      throw new Error(`${this.runFn}: this plan belongs to a wasmconv instance that was reset or switched backend; create it again after ready()`);
    }
  }

  /** The input's dimensions in the plan's layout, for messages: e.g. '[N, C, H, W]'. */
  private inputForm(): string {
    const rank = this.kind.rank;
    return `[${this.channelsLast ? ['N', ...AXES[rank].split(', '), 'C'].join(', ') : `N, C, ${AXES[rank]}`}]`;
  }

  /** Where a channel count may come from a weight read in the wrong layout: which one the plan read. */
  private weightLayoutNote(): string {
    const kind = this.kind.transposed ? 'transposed' : 'forward';
    const [standard, tensorflow] = weightLayouts(kind, this.kind.rank);
    const hint = this.weightLayout === standard ? `; TensorFlow weights ${weightAxes(kind, tensorflow)} need weightLayout: '${tensorflow}'` : '';
    return ` (the weight was read in weightLayout '${this.weightLayout}', ${weightAxes(kind, this.weightLayout)}${hint})`;
  }

  /** Validates an input shape against the plan and works out every size of the run. */
  private geometry(shape: readonly number[], fn = this.runFn): Geometry {
    const { rank, transposed } = this.kind;
    const s = [...shape];
    const N = s[0];
    const C = this.channelsLast ? s[rank + 1] : s[1];
    const spatial = this.channelsLast ? s.slice(1, rank + 1) : s.slice(2);
    const layout = LAYOUTS[rank][this.channelsLast ? 1 : 0];
    if (N < 1 || spatial.some((v) => v < 1)) {
      throw new RangeError(`${fn}: argument 'input' must have a batch size and spatial sizes of at least 1 (layout ${layout}), got shape [${s.join(', ')}]`);
    }
    if (C !== this.inChannels) {
      const per = transposed ? '' : ` (${this.weightShape[1]} per group)`;
      throw new RangeError(`${fn}: given groups=${this.groups}, weight of shape [${this.weightShape.join(', ')}], expected input of shape [${s.join(', ')}] (layout ${layout}) to have ${this.inChannels} channels${per}, but got ${C} channels instead${this.weightLayoutNote()}`);
    }
    const pads: Pads = this.padding === 'same'
      ? spatial.map((n, i) => samePads(n, this.kernel[i], this.stride[i], this.dilation[i]))
      : this.padding.map((p) => [p[0], p[1]] as [number, number]);
    let out: number[];
    if (!transposed) {
      spatial.forEach((n, i) => {
        const padded = n + pads[i][0] + pads[i][1];
        const span = this.dilation[i] * (this.kernel[i] - 1) + 1;
        if (padded < span) {
          throw new RangeError(`${fn}: calculated padded input size per channel (${spatial.map((v, j) => v + pads[j][0] + pads[j][1]).join(' x ')}) is smaller than the dilated kernel size (${this.kernel.map((k, j) => this.dilation[j] * (k - 1) + 1).join(' x ')}): the kernel can't be larger than the padded input (input shape [${s.join(', ')}])`);
        }
      });
      out = spatial.map((n, i) => convOutSize(n, this.kernel[i], this.stride[i], this.dilation[i], pads[i]));
      if (this.paddingMode !== 'zeros') checkPaddingMode(fn, this.paddingMode, spatial, pads);
    } else {
      const natural = spatial.map((n, i) => transposedOutSize(n, this.kernel[i], this.stride[i], this.dilation[i], pads[i]));
      if (this.outputSize) {
        out = this.outputSize;
        out.forEach((o, i) => {
          const most = natural[i] + Math.max(this.stride[i], this.dilation[i]) - 1;
          if (o < natural[i] || o > most) {
            throw new RangeError(`${fn}: option 'outputSize' [${out.join(', ')}] is not reachable for input shape [${s.join(', ')}]: axis ${i} must be between ${natural[i]} and ${most}, got ${o}`);
          }
        });
      } else out = natural.map((n, i) => n + this.outputPadding![i]);
      if (out.some((v) => v < 1)) {
        throw new RangeError(`${fn}: the output would be empty (every spatial size must be at least 1): spatial size (${out.join(', ')}) for input shape [${s.join(', ')}], kernel [${this.kernel.join(', ')}], stride [${this.stride.join(', ')}], padding ${JSON.stringify(pads)}; reduce the padding`);
      }
    }
    const Cout = this.outChannels;
    const outShape = this.channelsLast ? [N, ...out, Cout] : [N, Cout, ...out];
    // Padding modes other than zeros are applied while copying the input in.
    const prePad = !transposed && this.paddingMode !== 'zeros';
    const inSpatial = prePad ? spatial.map((n, i) => n + pads[i][0] + pads[i][1]) : spatial;
    const kernelPads = prePad ? pads.map(() => [0, 0] as [number, number]) : pads;
    const elements = N * Math.max(C, Cout) * Math.max(product(inSpatial), product(out));
    if (elements > MAX_FLOATS) {
      throw new RangeError(`${fn}: input shape [${s.join(', ')}] needs tensors of ${elements} elements, more than the 2^30 float32 values a 4 GiB WebAssembly memory can hold`);
    }
    // Input and output together: exactly 4 GiB cannot fit either (the plan's weights use some of it).
    const bytes = 4 * (N * C * product(inSpatial) + N * Cout * product(out));
    if (bytes >= 4 * MAX_FLOATS) {
      throw new RangeError(`${fn}: input shape [${s.join(', ')}] needs ${formatBytes(bytes)} for the input and the output together, more than a 4 GiB WebAssembly memory can hold`);
    }
    // The kernels compute coordinates in 32 bits: every position along an axis must fit.
    spatial.forEach((n, i) => {
      const reach = transposed
        ? (n - 1) * this.stride[i] + this.dilation[i] * (this.kernel[i] - 1) + 1 + Math.max(pads[i][0], pads[i][1])
        : n + pads[i][0] + pads[i][1];
      if (reach > MAX_COORDINATE) {
        throw new RangeError(`${fn}: axis ${i} spans ${reach} positions for input shape [${s.join(', ')}] with stride [${this.stride.join(', ')}], dilation [${this.dilation.join(', ')}] and padding ${JSON.stringify(pads)}, more than the 2^31 - 1 the kernels' 32-bit coordinates reach; reduce the padding or stride`);
      }
    });
    // A stride along an axis with one output position changes nothing: 1 keeps the kernels' coordinates and workspace small.
    const stride = transposed ? this.stride : this.stride.map((v, i) => (out[i] === 1 ? 1 : v));
    return { N, spatial, inSpatial, out, pads: kernelPads, modePads: pads, outShape, stride, dilation: this.dilation, C, kernel: this.kernel };
  }

  /** Copies the caller's input into wasm memory, applying a non-zero padding mode on the way. */
  private copyIn(data: ArrayLike<number>, g: Geometry, dst: Float32Array): void {
    if (g.inSpatial === g.spatial) {
      dst.set(data);
      return;
    }
    const [sd, sh, sw] = toThreeAxes(g.spatial, 1);
    const pads3 = [...new Array(3 - g.spatial.length).fill([0, 0]), ...g.modePads] as Pads;
    const mapD = padIndexMap(sd, pads3[0][0], pads3[0][1], this.paddingMode);
    const mapH = padIndexMap(sh, pads3[1][0], pads3[1][1], this.paddingMode);
    const mapW = padIndexMap(sw, pads3[2][0], pads3[2][1], this.paddingMode);
    const C = this.inChannels;
    let o = 0;
    if (!this.channelsLast) {
      for (let nc = 0; nc < g.N * C; nc++) {
        const base = nc * sd * sh * sw;
        for (const d of mapD) for (const h of mapH) {
          const row = base + (d * sh + h) * sw;
          for (let i = 0; i < mapW.length; i++) dst[o++] = data[row + mapW[i]];
        }
      }
    } else {
      const src = data instanceof Float32Array ? data : Float32Array.from(data);
      for (let n = 0; n < g.N; n++) {
        const base = n * sd * sh * sw;
        for (const d of mapD) for (const h of mapH) for (let i = 0; i < mapW.length; i++) {
          const at = (base + (d * sh + h) * sw + mapW[i]) * C;
          dst.set(src.subarray(at, at + C), o);
          o += C;
        }
      }
    }
  }

  private writeDescriptor(g: Geometry, x: number, y: number, ws: number): void {
    const { rt, kind } = this;
    const d = rt.arena.i32(this.blocks.descriptor, Slot.Count);
    const f = rt.arena.f32(this.blocks.descriptor, Slot.Count);
    const [iD, iH, iW] = toThreeAxes(g.inSpatial, 1);
    const [oD, oH, oW] = toThreeAxes(g.out, 1);
    const [kD, kH, kW] = toThreeAxes(g.kernel, 1);
    const [sD, sH, sW] = toThreeAxes(g.stride, 1);
    const [dD, dH, dW] = toThreeAxes(g.dilation, 1);
    const [pD, pH, pW] = toThreeAxes(g.pads.map((p) => p[0]), 0);
    d[Slot.Layout] = this.channelsLast ? 1 : 0;
    d[Slot.Batch] = g.N;
    d[Slot.InChannels] = g.C;
    d[Slot.InD] = iD; d[Slot.InH] = iH; d[Slot.InW] = iW;
    d[Slot.OutChannels] = this.outChannels;
    d[Slot.OutD] = oD; d[Slot.OutH] = oH; d[Slot.OutW] = oW;
    d[Slot.KernelD] = kD; d[Slot.KernelH] = kH; d[Slot.KernelW] = kW;
    d[Slot.StrideD] = sD; d[Slot.StrideH] = sH; d[Slot.StrideW] = sW;
    d[Slot.DilationD] = dD; d[Slot.DilationH] = dH; d[Slot.DilationW] = dW;
    d[Slot.PadD] = pD; d[Slot.PadH] = pH; d[Slot.PadW] = pW;
    d[Slot.Groups] = this.groups;
    d[Slot.Input] = x; d[Slot.Output] = y;
    d[Slot.Weights] = this.blocks.weights; d[Slot.Bias] = this.blocks.bias;
    d[Slot.Workspace] = ws;
    const a = this.activation;
    d[Slot.HasActivation] = a ? 1 : 0;
    f[Slot.ActLo] = a ? a.lo : -Infinity;
    f[Slot.ActHi] = a ? a.hi : Infinity;
    f[Slot.ActSlope] = a ? a.slope : 1;
    const cg = g.C / this.groups;
    const taps = product(g.kernel);
    const red = kind.transposed ? cg : this.algorithm === 'separable' ? this.weightShape[0] : cg * taps;
    const blockK = red <= MAX_BLOCK_K ? red : Math.ceil(red / Math.ceil(red / MAX_BLOCK_K));
    const pixels = kind.transposed ? product(g.inSpatial) : product(g.out);
    let blockP = Math.floor(PACK_BLOCK_FLOATS / blockK);
    if (kind.transposed) {
      const rows = Math.ceil((taps * this.outChannels) / this.groups / 8) * 8;
      blockP = Math.min(blockP, Math.floor(COLUMN_TILE_FLOATS / rows));
    }
    // Forward kernels give threads blocks of pixels (transposed ones channel chunks).
    const parts = kind.transposed ? 1 : this.rt.pool?.size ?? 1;
    blockP = balancedBlock(pixels, Math.max(8, Math.floor(blockP / 8) * 8), parts);
    if (this.algorithm === 'separable') {
      d[Slot.MidChannels] = this.weightShape[0];
      d[Slot.PointwiseWeights] = this.blocks.weights + Math.ceil((this.weightShape[0] * taps) / 4) * 16;
    }
    d[Slot.BlockK] = blockK;
    d[Slot.BlockP] = blockP;
    if (this.algorithm === 'winograd') {
      const b = winogradBlocking(cg, this.outChannels / this.groups, Math.ceil(oH / 2) * Math.ceil(oW / 2), parts);
      d[Slot.BlockK] = b.blockK;
      d[Slot.BlockP] = b.blockP;
    }
  }
}

/** One run in progress: the blocks it holds (freed together) and where its output is. */
interface Job {
  g: Geometry;
  blocks: number[];
  output: number;
  outLength: number;
  /** The caller's buffer or wasm tensor for the result, if given. */
  into: Float32Array | ResidentTensor | undefined;
  /** Moves the kernel's output into the output, when the kernel computes a reordered problem. */
  reorderOut: (() => void) | null;
  flops: number;
}

/** Below this many floating-point operations a run stays on one thread (waking workers costs more). */
const THREAD_MIN_FLOPS = 10e6;

type Algorithm = 'gemm' | 'transposed' | 'depthwise' | 'grouped' | 'separable' | 'winograd';

/** Per algorithm: the kernel export, its work-item count and its workspace size for a descriptor. */
const ALGORITHMS: Record<Algorithm, {
  kernel: KernelName;
  items(k: Kernels, d: number): number;
  workspace(k: Kernels, d: number): number;
}> = {
  gemm: { kernel: 'convForward', items: (k, d) => k.convForwardItems(d), workspace: (k, d) => k.workspaceBytes(d, 0) },
  transposed: { kernel: 'convTransposed', items: (k, d) => k.convTransposedItems(d), workspace: (k, d) => k.workspaceBytes(d, 1) },
  depthwise: { kernel: 'depthwiseForward', items: (k, d) => k.depthwiseItems(d), workspace: (k, d) => k.depthwiseWorkspaceBytes(d) },
  grouped: { kernel: 'groupedForward', items: (k, d) => k.groupedItems(d), workspace: (k, d) => k.groupedWorkspaceBytes(d) },
  separable: { kernel: 'separableForward', items: (k, d) => k.separableItems(d), workspace: (k, d) => k.workspaceBytes(d, 0) },
  winograd: { kernel: 'winogradForward', items: (k, d) => k.winogradItems(d), workspace: (k, d) => k.winogradWorkspaceBytes(d) },
};

/**
 * The direct depthwise and grouped kernels buffer input rows per output row, a span that grows
 * with stride, dilation and padding: extreme geometry goes to the GEMM path instead.
 */
function depthwiseFits(stride: number[], dilation: number[], padding: Pads | 'same'): boolean {
  const pads = padding === 'same' ? [0] : padding.flat();
  return Math.max(...stride, ...dilation, ...pads) <= 1024;
}

/** Whether every value is finite (a product with 0 is NaN exactly for NaN and infinities). */
function allFinite(data: ArrayLike<number>): boolean {
  let probe = 0;
  for (let i = 0; i < data.length; i++) probe += data[i] * 0;
  return probe === 0;
}

interface Geometry {
  N: number;
  /** The caller's spatial sizes. */
  spatial: number[];
  /** Spatial sizes of the input as stored in wasm memory (pre-padded for padding modes). */
  inSpatial: number[];
  out: number[];
  /** Padding the kernel applies (zero padding). */
  pads: Pads;
  /** Padding asked for, applied by the padding mode when it is not 'zeros'. */
  modePads: Pads;
  outShape: number[];
  /** Stride per axis as the kernels get it (1 along forward axes with a single output position). */
  stride: number[];
  dilation: number[];
  /** Input channels and kernel size as the kernel sees them. */
  C: number;
  kernel: number[];
}

/**
 * What a plan's kernel computes for one run: geometry `g`, after `input` reorders the input
 * (from, to: byte addresses) and before `output` moves its result into the output.
 */
interface KernelProblem {
  g: Geometry;
  input?: (from: number, to: number) => void;
  output?: (from: number, to: number) => void;
}

/**
 * The undilated geometry of the phase images of a dilated 2-D convolution's input (see
 * assembly/reorder.ts): N * DH * DW images of H / DH x W / DW, output OH / DH x OW / DW, padding
 * divided by the dilation. Null unless the input, the output and the padding before each axis
 * are multiples of the dilation along it and the stride is 1.
 */
function phaseGeometry(g: Geometry): Geometry | null {
  const fits = (n: number, i: number) => n % g.dilation[i] === 0;
  if (g.spatial.length !== 2 || g.stride.some((s) => s !== 1) || !g.inSpatial.every(fits) || !g.out.every(fits)
    || !g.pads.every((p, i) => fits(p[0], i))) return null;
  const phases = g.dilation[0] * g.dilation[1];
  const divide = (a: number[]) => a.map((n, i) => n / g.dilation[i]);
  const pads = g.pads.map((p, i) => [p[0] / g.dilation[i], Math.floor(p[1] / g.dilation[i])] as [number, number]);
  return {
    ...g, N: g.N * phases, spatial: divide(g.spatial), inSpatial: divide(g.inSpatial), out: divide(g.out), pads,
    modePads: pads, outShape: [], dilation: [1, 1],
  };
}

function parsePadding(fn: string, p: unknown, rank: number, transposed: boolean): Pads | 'same' {
  const form = `a non-negative integer, ${rank} integers (one per spatial axis), ${rank} [begin, end] pairs${transposed ? '' : ", 'valid' or 'same'"}`;
  if (p === undefined || p === 'valid') return new Array(rank).fill(0).map(() => [0, 0]);
  if (p === 'same') {
    if (transposed) throw new RangeError(`${fn}: option 'padding' must be ${form}; 'same' is not defined for transposed convolution (use 'outputSize'), got 'same'`);
    return 'same';
  }
  if (typeof p === 'number') {
    checkNonNegativeInt(fn, 'padding', p);
    return new Array(rank).fill(0).map(() => [p, p]);
  }
  if (!Array.isArray(p)) throw new TypeError(`${fn}: option 'padding' must be ${form}, got ${describe(p)}`);
  if (p.length !== rank) throw new RangeError(`${fn}: option 'padding' must be ${form}, got ${p.length} value${p.length === 1 ? '' : 's'}: ${describe(p)}`);
  return p.map((e, i) => {
    if (Array.isArray(e)) {
      if (e.length !== 2) throw new RangeError(`${fn}: option 'padding[${i}]' must be a [begin, end] pair, got ${describe(e)}`);
      return [checkNonNegativeInt(fn, `padding[${i}][0]`, e[0]), checkNonNegativeInt(fn, `padding[${i}][1]`, e[1])];
    }
    const v = checkNonNegativeInt(fn, `padding[${i}]`, e);
    return [v, v];
  });
}

function parseActivation(fn: string, a: unknown): ActivationParams | null {
  const forms = "'none', 'relu', 'relu6', 'leakyRelu', { type: 'leakyRelu', alpha } or { type: 'clamp', min, max }";
  if (a === undefined || a === 'none' || a === null) return null;
  if (a === 'relu') return { lo: 0, hi: Infinity, slope: 1 };
  if (a === 'relu6') return { lo: 0, hi: 6, slope: 1 };
  if (a === 'leakyRelu') return { lo: -Infinity, hi: Infinity, slope: 0.01 };
  if (typeof a === 'object' && a !== null && 'type' in a) {
    const o = a as Record<string, unknown>;
    if (o.type === 'leakyRelu') {
      const alpha = o.alpha === undefined ? 0.01 : o.alpha;
      if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
        throw new TypeError(`${fn}: option 'activation.alpha' must be a finite number (the slope for negative inputs), got ${describe(o.alpha)}`);
      }
      return { lo: -Infinity, hi: Infinity, slope: alpha };
    }
    if (o.type === 'clamp') {
      const { min, max } = o;
      if (typeof min !== 'number' || typeof max !== 'number' || Number.isNaN(min) || Number.isNaN(max)) {
        throw new TypeError(`${fn}: option 'activation' { type: 'clamp' } needs numbers 'min' and 'max', got min=${describe(min)}, max=${describe(max)}`);
      }
      if (min > max) throw new RangeError(`${fn}: option 'activation' { type: 'clamp' } needs min <= max, got min=${min}, max=${max}`);
      return { lo: min, hi: max, slope: 1 };
    }
  }
  throw new TypeError(`${fn}: option 'activation' must be ${forms}, got ${describe(a)}`);
}

function parseBias(fn: string, b: unknown, channels: number): Float32Array | null {
  if (b === undefined || b === null) return null;
  let data: unknown = b;
  if (typeof b === 'object' && 'shape' in (b as object)) {
    const t = checkTensor(fn, 'bias', b, 1, `[${channels}]`);
    data = t.data;
  }
  if (typeof data !== 'object' || data === null || typeof (data as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${fn}: option 'bias' must be a Float32Array (or a tensor) of ${channels} values, got ${describe(b)}`);
  }
  const arr = data as ArrayLike<number>;
  if (arr.length !== channels) {
    throw new RangeError(`${fn}: option 'bias' must hold one value per output channel (${channels}), got ${arr.length} values`);
  }
  return Float32Array.from(arr);
}

function checkPaddingMode(fn: string, mode: string, spatial: number[], pads: Pads): void {
  spatial.forEach((n, i) => {
    const [b, e] = pads[i];
    if (mode === 'reflect' && (b >= n || e >= n)) {
      throw new RangeError(`${fn}: paddingMode 'reflect' needs padding smaller than the input size on every axis, got padding [${b}, ${e}] for size ${n} on axis ${i}`);
    }
    if (mode === 'circular' && (b > n || e > n)) {
      throw new RangeError(`${fn}: paddingMode 'circular' needs padding at most the input size on every axis, got padding [${b}, ${e}] for size ${n} on axis ${i}`);
    }
  });
}

/**
 * Weights of the fused depthwise-separable kernel (assembly/separable.ts) in one block: the
 * depthwise filters `[mid][taps]` (channels-first) or `[taps][mid]` (channels-last), padded to
 * 4 floats, then the pointwise weights packed as a 1x1 convolution's.
 */
function packSeparableWeights(
  dw: ArrayLike<number>, shape: number[], pointwise: { data: ArrayLike<number>; shape: number[] }, channelsLast: boolean, flip: boolean,
): Float32Array {
  const mid = shape[0];
  const taps = product(shape.slice(2));
  const depthwiseFloats = Math.ceil((mid * taps) / 4) * 4;
  const pw = packWeights(pointwise.data, pointwise.shape, 1, false, channelsLast, false);
  const out = new Float32Array(depthwiseFloats + pw.length);
  for (let m = 0; m < mid; m++) {
    for (let t = 0; t < taps; t++) {
      const v = dw[m * taps + (flip ? taps - 1 - t : t)];
      out[channelsLast ? t * mid + m : m * taps + t] = v;
    }
  }
  out.set(pw, depthwiseFloats);
  return out;
}

/**
 * Packs weights into the panels the kernels read (see assembly/conv.ts):
 * forward channels-first: per group, 4-row panels over (out channel) x (c, tap);
 * forward channels-last: per group, 8-column panels over (tap, c) x (out channel);
 * transposed channels-first: per group, 4-row panels over (m, tap) x c;
 * transposed channels-last: per group, 8-column panels over c x (tap, m).
 * `flip` reverses the taps (mathematical convolution).
 */
export function packWeights(
  w: ArrayLike<number>, shape: number[], groups: number, transposed: boolean, channelsLast: boolean, flip: boolean,
): Float32Array {
  const taps = product(shape.slice(2));
  const tapOf = flip ? (t: number) => taps - 1 - t : (t: number) => t;
  const [w0, w1] = shape;
  // The GEMM view per group: `outer` is the operand dimension that gets tiled (rows or columns),
  // `red` the reduction; value(g, o, r) reads the weight.
  let outer: number, red: number, value: (g: number, o: number, r: number) => number;
  if (!transposed) {
    const Kg = w0 / groups, Cg = w1;
    outer = Kg;
    red = Cg * taps;
    value = channelsLast
      ? (g, o, r) => w[((g * Kg + o) * Cg + (r % Cg)) * taps + tapOf(Math.floor(r / Cg))]
      : (g, o, r) => w[(g * Kg + o) * red + Math.floor(r / taps) * taps + tapOf(r % taps)];
  } else {
    const Cg = w0 / groups, Kg = w1;
    outer = Kg * taps;
    red = Cg;
    value = channelsLast
      ? (g, o, r) => w[((g * Cg + r) * Kg + (o % Kg)) * taps + tapOf(Math.floor(o / Kg))]
      : (g, o, r) => w[((g * Cg + r) * Kg + Math.floor(o / taps)) * taps + tapOf(o % taps)];
  }
  const tile = channelsLast ? 8 : 4;
  const padded = Math.ceil(outer / tile) * tile;
  const out = new Float32Array(groups * padded * red);
  let i = 0;
  for (let g = 0; g < groups; g++) {
    for (let o0 = 0; o0 < padded; o0 += tile) {
      for (let r = 0; r < red; r++) {
        for (let t = 0; t < tile; t++, i++) {
          const o = o0 + t;
          if (o < outer) out[i] = value(g, o, r);
        }
      }
    }
  }
  return out;
}

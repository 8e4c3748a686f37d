/**
 * Convolution plans: create once (choose the algorithm, pack the weights into wasm memory), run
 * many times (one kernel call per run, or one per thread), dispose.
 *
 * One class serves every rank (1-D, 2-D, 3-D), both layouts, both directions and every
 * algorithm: the kernels see every problem as three-dimensional (unused axes have size 1), and
 * what differs between algorithms is declared by their modules (src/algorithms/).
 */
import { Slot, BIAS_PADDING } from '../assembly/descriptor.ts';
import { runtime, currentGeneration, type Runtime } from './runtime.ts';
import { checkOutput, checkShape, checkTensor } from './validate.ts';
import { product } from './shape.ts';
import type { ConvPlan, Tensor, TensorLike, WasmTensor } from './types.ts';
import type { ConvSpec, PlanSpec } from './spec.ts';
import { ResidentTensor } from './tensor.ts';
import { geometry, inputForm, type Geometry } from './geometry.ts';
import { copyPadded, type PadRule } from './copyin.ts';
import { writeDescriptor, type PlanBlocks } from './descriptor.ts';
import { bindKernel, type Kernel } from './kernels.ts';
import { KERNEL_NAMES, chooseAlgorithm, type Algorithm } from './algorithms/index.ts';
import type { KernelProblem, Pipeline } from './algorithms/algorithm.ts';

/** Below this many floating-point operations a run stays on one thread (waking workers costs more). */
const THREAD_MIN_FLOPS = 10e6;

/** Plans whose owner dropped them without dispose(): their blocks (and their pipeline's) go back to the arena. */
const dropped = new FinalizationRegistry<{ rt: Runtime; blocks: number[]; pipeline: Pipeline | null }>(({ rt, blocks, pipeline }) => {
  if (rt.generation !== currentGeneration()) return;
  blocks.forEach((b) => rt.arena.release(b));
  pipeline?.dispose();
});

/** One run in progress: the blocks it holds (freed together) and where its output is. */
interface Job {
  g: Geometry;
  /** The kernel that computes it (one of the algorithm's); null when the algorithm's pipeline does. */
  kernel: Kernel | null;
  /** The kernel's geometry, input and output (after the reorders around it). */
  problem: Geometry;
  input: number;
  kernelOutput: number;
  blocks: number[];
  output: number;
  outLength: number;
  /** The caller's buffer or wasm tensor for the result, if given. */
  into: Float32Array | ResidentTensor | undefined;
  /** Moves the kernel's output into the output, when the kernel computes a reordered problem. */
  reorderOut: (() => void) | null;
  flops: number;
}

export class Plan implements ConvPlan {
  /** The plan's options and shapes, validated: everything it runs by. */
  readonly spec: ConvSpec;
  /** The algorithm chosen for it (src/algorithms/index.ts). */
  readonly algorithm: Algorithm;
  private readonly rt: Runtime;
  /** The algorithm's kernels, bound, in the order of its `kernels`; or the pipeline of calls it runs instead. */
  private readonly kernels: readonly Kernel[];
  private readonly pipeline: Pipeline | null;
  /** Bias and descriptor, and the weights packed for the first kernel. */
  private readonly blocks: PlanBlocks;
  /** Packed weights per kernel (0 until a run takes it); every block the plan owns, in `owned`. */
  private readonly weights: number[];
  private readonly owned: number[];
  /** Algorithms with several kernels: the weights, kept to pack those of another kernel on its first run. */
  private readonly source: { weight: PlanSpec['weight']; pointwise: PlanSpec['pointwise'] } | null;
  /** Asynchronous runs in flight: dispose() frees the weights only after they finish. */
  private inFlight = 0;
  private disposed = false;
  /**
   * Algorithms that need finite inputs (Winograd): the spec of the GEMM plan that takes the
   * inputs they cannot (with a copy of the weights), made on first need.
   */
  private readonly gemmSpec: PlanSpec | null;
  private fallback: Plan | null = null;

  constructor(planSpec: PlanSpec) {
    const { weight, pointwise, ...spec } = planSpec;
    this.spec = spec;
    this.rt = runtime(spec.kind.fn);
    this.algorithm = chooseAlgorithm(spec, weight);
    this.kernels = this.algorithm.kernels.map((name) => bindKernel(this.rt.kernels, name, KERNEL_NAMES.indexOf(name)));
    const kept = this.algorithm.needsFiniteInput || this.kernels.length > 1
      ? { data: Float32Array.from(weight.data), shape: [...weight.shape] }
      : null;
    this.gemmSpec = this.algorithm.needsFiniteInput ? { ...spec, algorithm: 'gemm', weight: kept!, pointwise: null } : null;
    this.source = this.kernels.length > 1
      ? { weight: kept!, pointwise: pointwise && { data: Float32Array.from(pointwise.data), shape: [...pointwise.shape] } }
      : null;
    const packed = this.algorithm.pack(spec, weight, pointwise, 0);
    const arena = this.rt.arena;
    const weights = arena.alloc(packed.length * 4, 'packed weights');
    arena.f32(weights, packed.length).set(packed);
    let bias = 0;
    if (spec.bias) {
      // Padded with zeros: the micro-kernel reads a whole tile's bias.
      bias = arena.alloc((spec.bias.length + BIAS_PADDING) * 4, 'bias');
      const view = arena.f32(bias, spec.bias.length + BIAS_PADDING);
      view.fill(0);
      view.set(spec.bias);
    }
    const descriptor = arena.alloc(Slot.Count * 4, 'descriptor');
    this.blocks = { weights, bias, descriptor };
    this.weights = this.kernels.map((_, i) => (i === 0 ? weights : 0));
    this.owned = [weights, bias, descriptor];
    this.pipeline = this.algorithm.pipeline?.(spec, weight, this.rt) ?? null;
    dropped.register(this, { rt: this.rt, blocks: this.owned, pipeline: this.pipeline }, this);
  }

  outputShape(inputShape: readonly number[]): number[] {
    this.checkAlive();
    const fn = `${this.spec.kind.fn}(...).outputShape`;
    return geometry(this.spec, checkShape(fn, 'inputShape', inputShape, this.spec.kind.rank + 2, inputForm(this.spec), true), fn).outShape;
  }

  workspaceBytes(inputShape: readonly number[]): number {
    this.checkAlive();
    const fn = `${this.spec.kind.fn}(...).workspaceBytes`;
    const g = geometry(this.spec, checkShape(fn, 'inputShape', inputShape, this.spec.kind.rank + 2, inputForm(this.spec), true), fn);
    if (g.N === 0) return 0;
    const problem = this.problem(g);
    if (!problem) return this.gemmPlan().workspaceBytes(inputShape);
    if (this.pipeline) return this.pipeline.workspaceBytes(problem.g);
    const kernel = problem.kernel ?? 0;
    this.describe(problem.g, kernel, 0, 0, 0);
    // Reordered copies of the input and of the output come on top of the kernel's workspace.
    const k = problem.g;
    return this.kernels[kernel].workspaceBytes(this.blocks.descriptor) + (problem.input ? 4 * k.N * k.C * product(k.inSpatial) : 0)
      + (problem.output ? 4 * k.N * this.spec.outChannels * product(k.out) : 0);
  }

  run(input: TensorLike, output?: Float32Array | WasmTensor): Tensor {
    const job = this.prepare(input, output);
    if (!job) return this.gemmPlan().run(input, output);
    if (job.g.N === 0) return this.result(job);
    try {
      if (this.pipeline) {
        this.pipeline.run(job.problem, job.input, job.kernelOutput);
        return this.result(job);
      }
      const { pool } = this.rt;
      const kernel = job.kernel!;
      const parts = pool && pool.canBlock && !pool.isBusy && job.flops >= THREAD_MIN_FLOPS ? pool.size : 1;
      const descriptors = this.split(job, parts);
      if (descriptors.length === 1) kernel.run(descriptors[0]);
      else pool!.runSync(kernel.index, descriptors, kernel.items(descriptors[0]), kernel.run);
      return this.result(job);
    } finally {
      this.release(job);
    }
  }

  async runAsync(input: TensorLike, output?: Float32Array | WasmTensor): Promise<Tensor> {
    const job = this.prepare(input, output);
    if (!job) return this.gemmPlan().runAsync(input, output);
    if (job.g.N === 0) return this.result(job);
    this.inFlight++;
    try {
      const { pool } = this.rt;
      const kernel = job.kernel!;
      if (this.pipeline) this.pipeline.run(job.problem, job.input, job.kernelOutput);
      else if (!pool) {
        kernel.run(this.split(job, 1)[0]);
      } else {
        // Queued jobs keep their own descriptors: later runs rewrite the plan's.
        const descriptors = this.split(job, job.flops >= THREAD_MIN_FLOPS ? pool.size : 1, true);
        await pool.runAsync(kernel.index, descriptors, kernel.items(descriptors[0]));
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
    this.fallback ??= new Plan(this.gemmSpec!);
    return this.fallback;
  }

  /** What the kernel computes for geometry `g` (null: the GEMM fallback runs this input). */
  private problem(g: Geometry): KernelProblem | null {
    const { problem } = this.algorithm;
    return problem ? problem(this.spec, g, this.rt.kernels) : { g };
  }

  /** Packs the weights of kernel `kernel` if no run took it before (this may grow the memory). */
  private packWeights(kernel: number): void {
    if (this.weights[kernel]) return;
    const { weight, pointwise } = this.source!;
    const packed = this.algorithm.pack(this.spec, weight, pointwise, kernel);
    const { arena } = this.rt;
    const block = arena.alloc(packed.length * 4, 'packed weights');
    arena.f32(block, packed.length).set(packed);
    this.weights[kernel] = block;
    this.owned.push(block);
  }

  /** Writes the descriptor of a run of kernel `kernel` (its weights: 0 when not packed yet). */
  private describe(g: Geometry, kernel: number, x: number, y: number, ws: number): void {
    const blocks = { ...this.blocks, weights: this.weights[kernel] };
    writeDescriptor(this.rt.arena, this.spec, this.algorithm, kernel, blocks, g, x, y, ws, this.rt.pool?.size ?? 1);
  }

  private freeWeights(): void {
    if (this.rt.generation !== currentGeneration()) return;
    this.pipeline?.dispose();
    for (const b of this.owned) this.rt.arena.release(b);
  }

  /**
   * Validates the input (and the caller's output buffer), allocates input and output, copies the
   * input in, writes the descriptor. Null (nothing held) when the algorithm cannot take the
   * input — for Winograd one holding NaN or infinities, or a dilated one that does not split
   * evenly into phase images: its GEMM fallback runs those. An empty batch holds nothing and has
   * nothing to compute (its job's `g.N` is 0).
   */
  private prepare(input: TensorLike, output: unknown): Job | null {
    this.checkAlive();
    const { spec } = this;
    const fn = spec.runFn;
    const resident = input instanceof ResidentTensor ? input : null;
    resident?.check(fn, this.rt);
    const x = checkTensor(fn, 'input', input, spec.kind.rank + 2, inputForm(spec), true);
    const g = geometry(spec, x.shape, fn);
    const into = checkOutput(fn, output, g.outShape);
    if (into instanceof ResidentTensor) into.check(fn, this.rt);
    const outLength = product(g.outShape);
    if (g.N === 0) return { g, kernel: null, problem: g, input: 0, kernelOutput: 0, blocks: [], output: 0, outLength, into, reorderOut: null, flops: 0 };
    const problem = this.problem(g);
    if (!problem) return null;
    const kernel = problem.kernel ?? 0;
    // Before the input is copied in: packing may grow the memory.
    if (!this.pipeline) this.packWeights(kernel);
    const { arena, kernels } = this.rt;
    const inLength = g.N * spec.inChannels * product(g.inSpatial);
    const job: Job = {
      g, kernel: this.pipeline ? null : this.kernels[kernel], problem: problem.g, input: 0, kernelOutput: 0,
      blocks: [], output: 0, outLength, into, reorderOut: null, flops: this.algorithm.flops(spec, g),
    };
    try {
      // Wasm tensors are used in place: an input unless a padding mode pads it on the way in, an
      // output unless it is the input too.
      let xPtr: number;
      if (resident && g.inSpatial === g.spatial) xPtr = resident.pointer;
      else {
        xPtr = arena.alloc(inLength * 4, 'the input');
        job.blocks.push(xPtr);
        const dst = arena.f32(xPtr, inLength);
        // A wasm tensor's view is read after the allocation: a growing memory detaches older views.
        const data = resident ? resident.data : x.data;
        // Padding modes other than zeros are applied on the way in.
        if (g.inSpatial === g.spatial) dst.set(data);
        else copyPadded(data, dst, g.N, spec.inChannels, g.spatial, g.modePads, spec.paddingMode as PadRule, spec.channelsLast);
      }
      if (into instanceof ResidentTensor && into !== resident) job.output = into.pointer;
      else {
        job.output = arena.alloc(outLength * 4, 'the output');
        job.blocks.push(job.output);
      }
      if (this.gemmSpec && !kernels.allFinite(xPtr, inLength)) {
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
        yPtr = arena.alloc(k.N * spec.outChannels * product(k.out) * 4, 'the reordered output');
        job.blocks.push(yPtr);
        const reorder = problem.output;
        job.reorderOut = () => reorder(yPtr, job.output);
      }
      job.input = xPtr;
      job.kernelOutput = yPtr;
      if (!this.pipeline) this.describe(k, kernel, xPtr, yPtr, 0);
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
    const { arena } = this.rt;
    const template = this.blocks.descriptor;
    const kernel = job.kernel!;
    const items = kernel.items(template);
    const count = Math.max(1, Math.min(parts, items));
    const wsBytes = kernel.workspaceBytes(template);
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
    if (job.g.N === 0) return into instanceof ResidentTensor ? into : { data: into ?? new Float32Array(0), shape: job.g.outShape };
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

  private checkAlive(): void {
    if (this.disposed) throw new Error(`${this.spec.runFn}: this plan was disposed; create a new one`);
    if (this.rt.generation !== currentGeneration()) {
      throw new Error(`${this.spec.runFn}: this plan belongs to a wasmconv instance that was reset or switched backend; create it again after ready()`);
    }
  }
}

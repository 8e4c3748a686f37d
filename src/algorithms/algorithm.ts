/**
 * What an algorithm declares about itself (one module per algorithm in this folder; their one
 * ordered list is ./index.ts), and the GEMM blocking most of them share.
 */
import type { ConvSpec, WeightTensor } from '../spec.ts';
import type { Geometry } from '../geometry.ts';
import type { Exports } from '../kernels.ts';
import type { Runtime } from '../runtime.ts';
import { balancedBlock, product } from '../shape.ts';
import { TILE_COLS } from '../../assembly/descriptor.ts';

/**
 * What a plan's kernel computes for one run: geometry `g`, after `input` reorders the input
 * (from, to: byte addresses) and before `output` moves its result into the output.
 */
export interface KernelProblem {
  g: Geometry;
  /** Which of the algorithm's kernels computes it: an index into its `kernels` (default 0). */
  kernel?: number;
  input?: (from: number, to: number) => void;
  output?: (from: number, to: number) => void;
}

/** Descriptor slots `BlockK` and `BlockP` (what they count is the kernel's: see its doc comment). */
export interface Blocking { blockK: number; blockP: number }

/**
 * A small 2-D convolution `ready()` runs so the engine optimizes this algorithm's kernel before
 * real work (warmup.ts adds the layout, padding, bias and activation): weight `[16, ...]`,
 * input 16 x 12 x 12 (or `size` x `size`).
 */
export interface WarmUpCase {
  weight: number[];
  /** Height and width of the input (default 12): the kernel a run takes may depend on it. */
  size?: number;
  transposed?: boolean;
  stride?: number;
  groups?: number;
  /** Zero padding on every side (default: 1 for 3x3 kernels, else 0). */
  padding?: number;
  /** A depthwise-separable plan with this pointwise weight shape. */
  pointwise?: number[];
}

export interface Algorithm {
  /** What `algorithmOf` (src/internal.ts) reports, e.g. 'winograd'. */
  readonly name: string;
  /**
   * Base names of its kernels' exports (`<kernel>`, `<kernel>Items`, `<kernel>WorkspaceBytes`),
   * usually one; none when a `pipeline` runs the convolution. With several, `problem` picks the
   * one a run takes (it may depend on the input size, known only at run time): plans pack the
   * weights of the first when they are created and those of another on the first run that takes it.
   */
  readonly kernels: readonly string[];
  /**
   * The `algorithm` option value that forces this algorithm, and what it means (for messages);
   * with `requires`, forcing it where it does not apply is an error saying what it requires
   * (without, the plan chooses as for 'auto').
   */
  readonly option?: { value: string; meaning: string; requires?: string };
  /** Whether the kernel computes this convolution at all. */
  applies(spec: ConvSpec, weight: WeightTensor): boolean;
  /** Whether `'auto'` picks it where it applies (the first in the list that does wins). */
  preferred(spec: ConvSpec): boolean;
  /** The weights (and the pointwise ones of a separable plan) as kernel `kernel` (an index into `kernels`) reads them. */
  pack(spec: ConvSpec, weight: WeightTensor, pointwise: WeightTensor | null, kernel: number): Float32Array;
  /** 2 x multiply-adds of a run on geometry `g` (dense count: padding taps included). */
  flops(spec: ConvSpec, g: Geometry): number;
  /** `BlockK` and `BlockP` of a run of kernel `kernel` (an index into `kernels`) on its geometry `g`, with `threads` threads. */
  blocking(spec: ConvSpec, g: Geometry, threads: number, kernel: number): Blocking;
  /** Slots of its own in the descriptor (besides geometry, addresses and blocking). */
  writeSlots?(spec: ConvSpec, g: Geometry, d: Int32Array, weights: number): void;
  /**
   * The problem its kernel computes for geometry `g` with the reorders around it, and which of
   * its kernels runs it; null when it cannot take this input (the plan's GEMM fallback runs it).
   * Without it: `{ g }` on the first kernel.
   */
  problem?(spec: ConvSpec, g: Geometry, kernels: Exports): KernelProblem | null;
  /** Inputs with NaN or infinities (and those `problem` refuses) run on a GEMM plan of the same convolution. */
  readonly needsFiniteInput?: boolean;
  /** A run made of several kernel calls (single-threaded) instead of one call of `kernel`, made per plan. */
  pipeline?(spec: ConvSpec, weight: WeightTensor, rt: Runtime): Pipeline;
  readonly warmUp: readonly WarmUpCase[];
}

/** What a plan runs instead of one kernel call, for an algorithm of several calls (the FFT). */
export interface Pipeline {
  /** Writes the output of geometry `g` at `output` from the input at `input` (byte addresses, the spec's layout). */
  run(g: Geometry, input: number, output: number): void;
  /** Bytes a run on `g` allocates besides its input and output. */
  workspaceBytes(g: Geometry): number;
  /** Frees what it keeps between runs. */
  dispose(): void;
}

/** Upper bound of the packed operand block, in floats (fits the L2 cache with room to spare). */
export const PACK_BLOCK_FLOATS = 48 * 1024;
/** Longest reduction done in one block; longer ones are split into balanced blocks. */
const MAX_BLOCK_K = 1024;

/**
 * Blocking of the packed GEMM over a reduction of `red` and `pixels` pixels: `blockK` (at most
 * MAX_BLOCK_K, longer reductions split evenly) and `blockP` (a multiple of TILE_COLS; the block
 * holds at most PACK_BLOCK_FLOATS floats and at most `most` pixels), cut so that `parts` threads
 * get equal shares (see `balancedBlock`).
 */
export function gemmBlocking(red: number, pixels: number, parts: number, most = Infinity): Blocking {
  const blockK = red <= MAX_BLOCK_K ? red : Math.ceil(red / Math.ceil(red / MAX_BLOCK_K));
  const fits = Math.floor(Math.min(Math.floor(PACK_BLOCK_FLOATS / blockK), most) / TILE_COLS) * TILE_COLS;
  return { blockK, blockP: balancedBlock(pixels, Math.max(TILE_COLS, fits), parts) };
}

/** 2 x multiply-adds of a forward convolution on `g` (dense count: padding taps included). */
export function forwardFlops(spec: ConvSpec, g: Geometry): number {
  return 2 * g.N * product(g.out) * spec.outChannels * (spec.inChannels / spec.groups) * product(spec.kernel);
}

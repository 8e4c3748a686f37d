/**
 * The kernels' exports as the wrapper calls them (see assembly/index.ts).
 *
 * Every convolution kernel `<name>` comes with `<name>Items` (its count of work items for a
 * descriptor) and `<name>WorkspaceBytes` (its workspace for a descriptor); the names are the
 * algorithms' (src/algorithms/), so this table is derived from their list, not kept by hand.
 */

/** The exports besides the convolution kernels: reorders, checks, the FFT's and the heap's start. */
export interface Exports {
  memory: WebAssembly.Memory;
  phaseShuffle(image: number, phases: number, N: number, C: number, H: number, W: number, DH: number, DW: number, channelsLast: number, merge: number): void;
  depthWindows(
    input: number, windows: number, N: number, C: number, G: number, D: number, HW: number, OD: number,
    KD: number, SD: number, DD: number, PD: number, channelsLast: number,
  ): void;
  allFinite(p: number, count: number): number;
  signalRows(signal: number, rows: number, N: number, C: number, L: number, PL: number, J: number, channelsLast: number): void;
  signalMerge(rows: number, signal: number, N: number, C: number, L: number, J: number, channelsLast: number): void;
  heapBase(): number;
  fftComplex(re: number, im: number, workRe: number, workIm: number, table: number, batch: number, count: number, stride: number): void;
  realForwardSplit(re: number, im: number, twiddles: number, N: number, count: number, stride: number): void;
  realInverseSplit(re: number, im: number, twiddles: number, N: number, count: number, stride: number): void;
  realSpectrumMultiply(re: number, im: number, hr: number, hi: number, twiddles: number, N: number, scale: number): void;
  spectrumMultiply(ar: number, ai: number, br: number, bi: number, count: number, scale: number): void;
  spectrumMultiplyAdd(accRe: number, accIm: number, aRe: number, aIm: number, bRe: number, bIm: number, count: number, accumulate: number): void;
  realPack(src: number, length: number, srcStride: number, re: number, im: number, N: number, dstStride: number, rows: number): void;
  realUnpack(re: number, im: number, srcStride: number, offset: number, length: number, dst: number, dstStride: number, rows: number, scale: number, accumulate: number): void;
  quantizedConvForward(descriptor: number): void;
  quantizedDepthwiseForward(descriptor: number): void;
}

/** One convolution kernel's three exports, bound once (plans call them without a lookup by name). */
export interface Kernel {
  /** The kernel's number in the list the worker threads were given. */
  readonly index: number;
  run(descriptor: number): void;
  items(descriptor: number): number;
  workspaceBytes(descriptor: number): number;
}

/** The exports of kernel `name` (number `index` for the threads); throws when the module lacks one. */
export function bindKernel(exports: Exports, name: string, index: number): Kernel {
  const all = exports as unknown as Record<string, ((d: number) => number) | undefined>;
  const find = (n: string) => {
    const f = all[n];
    if (typeof f !== 'function') throw new Error(`wasmconv: internal error: the kernels module has no export '${n}'`);
    return f;
  };
  const run = find(name), items = find(`${name}Items`), workspaceBytes = find(`${name}WorkspaceBytes`);
  return { index, run: run as (d: number) => void, items, workspaceBytes };
}

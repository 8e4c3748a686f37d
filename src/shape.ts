/** Shape and padding arithmetic (pure functions, no validation messages). */

/** Per-axis [begin, end] padding. */
export type Pads = Array<[number, number]>;

/** Output size of a convolution along one axis (may be < 1 for invalid geometry). */
export function convOutSize(input: number, k: number, stride: number, dilation: number, pads: [number, number]): number {
  return Math.floor((input + pads[0] + pads[1] - dilation * (k - 1) - 1) / stride) + 1;
}

/** Output size of a transposed convolution along one axis, before output padding. */
export function transposedOutSize(input: number, k: number, stride: number, dilation: number, pads: [number, number]): number {
  return (input - 1) * stride - pads[0] - pads[1] + dilation * (k - 1) + 1;
}

/** 'same' padding: output ceil(in / stride), total padding split with the odd unit at the end. */
export function samePads(input: number, k: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(input / stride);
  const total = Math.max(0, (out - 1) * stride + dilation * (k - 1) + 1 - input);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

export function product(a: readonly number[]): number {
  return a.reduce((x, y) => x * y, 1);
}

/** Pads a per-axis list on the left to three axes (D, H, W) with `fill`. */
export function toThreeAxes(a: readonly number[], fill: number): number[] {
  return [...new Array(3 - a.length).fill(fill), ...a];
}

/**
 * Source index along one axis for each position of a padded axis (`begin` + n + `end` long)
 * under a padding mode: reflect (mirror without the edge), replicate (edge), circular (wrap),
 * symmetric (mirror with the edge). The caller has checked that the mode allows the sizes.
 */
export function padIndexMap(n: number, begin: number, end: number, mode: string): Int32Array {
  const map = new Int32Array(begin + n + end);
  for (let p = 0; p < map.length; p++) {
    let i = p - begin;
    if (mode === 'replicate') i = Math.min(Math.max(i, 0), n - 1);
    else if (mode === 'circular') i = ((i % n) + n) % n;
    else if (mode === 'reflect') {
      const period = 2 * (n - 1);
      i = period === 0 ? 0 : ((i % period) + period) % period;
      if (i >= n) i = period - i;
    } else {
      const period = 2 * n;
      i = ((i % period) + period) % period;
      if (i >= n) i = period - 1 - i;
    }
    map[p] = i;
  }
  return map;
}

/**
 * Size of the blocks (a multiple of 8, at most `most`, itself a multiple of 8) `total` items are
 * cut into, so that `parts` threads get equal shares: the fewest blocks whose count is a multiple
 * of `parts`, unless that makes them smaller than `least` (then the fewest blocks). With 7 blocks
 * on 2 threads one thread would do 4 and the whole run take 4/7 of the time: 8 blocks take 1/2.
 */
export function balancedBlock(total: number, most: number, parts: number, least = 8): number {
  const size = (blocks: number) => Math.max(8, Math.ceil(total / blocks / 8) * 8);
  const fewest = Math.ceil(total / most);
  const even = Math.ceil(fewest / parts) * parts;
  return size(size(even) >= least ? even : fewest);
}

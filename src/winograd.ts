/**
 * Winograd F(2x2, 3x3) (assembly/winograd.ts): when a convolution takes it, the packing of its
 * transformed weights, and its blocking.
 */

/**
 * Whether a forward convolution runs as Winograd F(2x2, 3x3) instead of the im2col GEMM.
 * It must be 2-D, 3x3, stride 1, dilation 1; `cg` / `kg` are the input / output channels per
 * group. Measured (Node 20, 2-core AVX-512 Xeon, simd and relaxed-simd, both layouts): from 16
 * channels per group on each side Winograd is faster than the direct path [see
 * `WINOGRAD_MIN_CHANNELS`]; below, the transforms cost more than the 2.25x fewer multiplies save.
 */
export function prefersWinograd(
  rank: number, kernel: readonly number[], stride: readonly number[], dilation: readonly number[],
  cg: number, kg: number,
): boolean {
  return rank === 2 && kernel[0] === 3 && kernel[1] === 3
    && stride.every((s) => s === 1) && dilation.every((d) => d === 1)
    && cg >= WINOGRAD_MIN_CHANNELS && kg >= WINOGRAD_MIN_CHANNELS;
}

/** Fewest input and output channels per group that select Winograd (see `prefersWinograd`). */
export const WINOGRAD_MIN_CHANNELS = 16;

/**
 * The 16 transformed weights U = G g G^T of each (output, input) channel pair, packed as the
 * kernel reads them: per group, per xi = 4i + j (U[i][j]), GEMM panels over the group's output
 * channels — 4-row panels [ceil(Kg/4)][Cg][4] channels-first, 8-column panels [ceil(Kg/8)][Cg][8]
 * channels-last — zero past Kg. `w` has shape [K, Cg, 3, 3]; `flip` rotates each 3x3 kernel by
 * 180 degrees first (true convolution). The transform is computed in float64.
 */
export function packWinogradWeights(
  w: ArrayLike<number>, shape: readonly number[], groups: number, channelsLast: boolean, flip: boolean,
): Float32Array {
  const [K, Cg] = shape;
  const Kg = K / groups;
  const tile = channelsLast ? 8 : 4;
  const Kp = Math.ceil(Kg / tile) * tile;
  const out = new Float32Array(groups * 16 * Kp * Cg);
  const g3 = new Float64Array(9);
  const u = new Float64Array(16);
  for (let g = 0; g < groups; g++) {
    for (let k = 0; k < Kg; k++) {
      for (let c = 0; c < Cg; c++) {
        const src = ((g * Kg + k) * Cg + c) * 9;
        for (let t = 0; t < 9; t++) g3[t] = w[src + (flip ? 8 - t : t)];
        transformKernel(g3, u);
        const base = g * 16 * Kp * Cg + Math.floor(k / tile) * Cg * tile + c * tile + (k % tile);
        for (let xi = 0; xi < 16; xi++) out[base + xi * Kp * Cg] = u[xi];
      }
    }
  }
  return out;
}

/** u (4x4, row-major) = G g G^T for a row-major 3x3 kernel g. */
function transformKernel(g: Float64Array, u: Float64Array): void {
  // Gg (4x3): rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2 of g's rows.
  const t = new Float64Array(12);
  for (let c = 0; c < 3; c++) {
    const a = g[c], b = g[3 + c], e = g[6 + c];
    t[c] = a;
    t[3 + c] = (a + b + e) / 2;
    t[6 + c] = (a - b + e) / 2;
    t[9 + c] = e;
  }
  // (Gg) G^T: the same combination across each row.
  for (let r = 0; r < 4; r++) {
    const a = t[3 * r], b = t[3 * r + 1], e = t[3 * r + 2];
    u[4 * r] = a;
    u[4 * r + 1] = (a + b + e) / 2;
    u[4 * r + 2] = (a - b + e) / 2;
    u[4 * r + 3] = e;
  }
}

/** Upper bound of the transformed input and GEMM result blocks together, in floats. */
const WINOGRAD_BLOCK_FLOATS = 256 * 1024;
/** Most tiles in one block. */
const WINOGRAD_MAX_TILES = 128;
/** Longest reduction (input channels) transformed at once. */
const WINOGRAD_MAX_BLOCK_K = 512;

/**
 * Blocking of a Winograd run: `blockK` input channels per reduction block and `blockP` tiles
 * (a multiple of 8) per block, so the 16 transformed input blocks and the 16 GEMM results
 * (16 * blockP * (blockK + kg) floats) stay within WINOGRAD_BLOCK_FLOATS.
 */
export function winogradBlocking(cg: number, kg: number, tiles: number): { blockK: number; blockP: number } {
  const blockK = cg <= WINOGRAD_MAX_BLOCK_K ? cg : Math.ceil(cg / Math.ceil(cg / WINOGRAD_MAX_BLOCK_K));
  let blockP = Math.floor(WINOGRAD_BLOCK_FLOATS / (16 * (blockK + kg)) / 8) * 8;
  blockP = Math.max(8, Math.min(blockP, WINOGRAD_MAX_TILES, Math.ceil(tiles / 8) * 8));
  return { blockK, blockP };
}

/**
 * The padded copy: images extended past their edges by a padding rule while they are copied,
 * so kernels only ever see zero padding. Plans copy their input into wasm memory with it (padding
 * modes other than zeros); the signal functions extend `in1` by their boundary rule.
 */
import { padIndexMap, toThreeAxes, type Pads } from './shape.ts';

/** How positions past an edge are filled: a padding mode of `padIndexMap`, or `fill` (one value). */
export type PadRule = 'reflect' | 'replicate' | 'circular' | 'symmetric' | 'fill';

/**
 * Copies N images of C channels with spatial sizes `spatial` (1 to 3 axes; channels-first or
 * channels-last) from `src` into `dst`, each axis extended by `pads` [begin, end] under `rule`
 * (`fillValue` for rule 'fill'). `dst` holds exactly the extended images.
 */
export function copyPadded(
  src: ArrayLike<number>, dst: Float32Array, N: number, C: number, spatial: readonly number[], pads: Pads,
  rule: PadRule, channelsLast: boolean, fillValue = 0,
): void {
  const [sd, sh, sw] = toThreeAxes(spatial, 1);
  const pads3 = [...new Array(3 - spatial.length).fill([0, 0]), ...pads] as Pads;
  const [mapD, mapH, mapW] = [sd, sh, sw].map((n, i) => axisMap(n, pads3[i], rule));
  let o = 0;
  if (rule === 'fill') {
    // Rows outside the image, and positions outside a row, keep the fill value.
    dst.fill(fillValue);
    // Channels-first, the N * C channel images are images of one channel.
    const images = channelsLast ? N : N * C, ch = channelsLast ? C : 1;
    for (let n = 0; n < images; n++) {
      const base = n * sd * sh * sw * ch;
      for (const d of mapD) for (const h of mapH) {
        if (d < 0 || h < 0) {
          o += mapW.length * ch;
          continue;
        }
        for (let i = 0; i < mapW.length; i++) {
          const w = mapW[i];
          if (w >= 0) for (let c = 0; c < ch; c++) dst[o + c] = src[base + ((d * sh + h) * sw + w) * ch + c];
          o += ch;
        }
      }
    }
    return;
  }
  if (!channelsLast) {
    for (let nc = 0; nc < N * C; nc++) {
      const base = nc * sd * sh * sw;
      for (const d of mapD) for (const h of mapH) {
        const row = base + (d * sh + h) * sw;
        for (let i = 0; i < mapW.length; i++) dst[o++] = src[row + mapW[i]];
      }
    }
  } else {
    const from = src instanceof Float32Array ? src : Float32Array.from(src);
    for (let n = 0; n < N; n++) {
      const base = n * sd * sh * sw;
      for (const d of mapD) for (const h of mapH) for (let i = 0; i < mapW.length; i++) {
        const at = (base + (d * sh + h) * sw + mapW[i]) * C;
        dst.set(from.subarray(at, at + C), o);
        o += C;
      }
    }
  }
}

/** Source index of each position of an extended axis; -1 (rule 'fill') past the edges. */
function axisMap(n: number, [begin, end]: [number, number], rule: PadRule): Int32Array {
  if (rule !== 'fill') return padIndexMap(n, begin, end, rule);
  const map = new Int32Array(begin + n + end);
  for (let j = 0; j < map.length; j++) map[j] = j - begin >= 0 && j - begin < n ? j - begin : -1;
  return map;
}

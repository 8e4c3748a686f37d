/**
 * Polyphase reordering of 2-D images, which turns a dilated convolution into an undilated one.
 *
 * With dilation (DH, DW), output row r + DH * j reads only input rows of the same phase
 * r mod DH (when the padding before the axis is a multiple of DH), and likewise along W. Split
 * into its DH * DW phase images, an image becomes a batch of smaller images on which the same
 * convolution without dilation (padding divided by the dilation) gives the phases of the output.
 *
 * `phaseShuffle` moves between an image batch and its phase batch:
 *  - channels-first: image (N, C, H, W) <-> phases (N * DH * DW, C, H / DH, W / DW);
 *  - channels-last: image (N, H, W, C) <-> phases (N * DH * DW, H / DH, W / DW, C);
 * phase image (n * DH + rh) * DW + rw holds rows rh, rh + DH, ... and columns rw, rw + DW, ...
 * of image n. `merge` false copies image -> phases (at `src` and `dst` respectively), true the
 * reverse. H and W must be multiples of DH and DW; the two areas must not overlap.
 */
export function phaseShuffle(
  image: usize, phases: usize, N: i32, C: i32, H: i32, W: i32, DH: i32, DW: i32,
  channelsLast: bool, merge: bool,
): void {
  const Hq = H / DH, Wq = W / DW;
  if (channelsLast) {
    const pixelBytes = <usize>C << 2;
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) {
          const p = (n * DH + h % DH) * DW + w % DW;
          const at = image + (<usize>((n * H + h) * W + w)) * pixelBytes;
          const to = phases + (<usize>((p * Hq + h / DH) * Wq + w / DW)) * pixelBytes;
          if (merge) memory.copy(at, to, pixelBytes);
          else memory.copy(to, at, pixelBytes);
        }
      }
    }
    return;
  }
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let h = 0; h < H; h++) {
        const row = image + (<usize>(((n * C + c) * H + h) * W) << 2);
        for (let rw = 0; rw < DW; rw++) {
          const p = (n * DH + h % DH) * DW + rw;
          const phaseRow = phases + (<usize>(((p * C + c) * Hq + h / DH) * Wq) << 2);
          const step = <usize>DW << 2;
          let at = row + (<usize>rw << 2);
          if (merge) {
            for (let j = 0; j < Wq; j++, at += step) store<f32>(at, load<f32>(phaseRow + (<usize>j << 2)));
          } else {
            for (let j = 0; j < Wq; j++, at += step) store<f32>(phaseRow + (<usize>j << 2), load<f32>(at));
          }
        }
      }
    }
  }
}

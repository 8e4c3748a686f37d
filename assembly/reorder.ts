/**
 * Reorderings that turn a convolution into the 2-D, undilated one the Winograd kernel computes.
 * All are plain copies (no arithmetic), allocation-free, and write only their destination.
 *
 * Polyphase reordering of 2-D images, for a dilated convolution:
 * With dilation (DH, DW), output row r + DH * j reads only input rows of the same phase
 * r mod DH (when the padding before the axis is a multiple of DH), and likewise along W. Split
 * into its DH * DW phase images, an image becomes a batch of smaller images on which the same
 * convolution without dilation (padding divided by the dilation) gives the phases of the output.
 *
 * `phaseShuffle` moves between an image batch and its phase batch:
 *  - channels-first: image (N, C, H, W) <-> phases (N * DH * DW, C, H / DH, W / DW);
 *  - channels-last: image (N, H, W, C) <-> phases (N * DH * DW, H / DH, W / DW, C);
 * phase image (n * DH + rh) * DW + rw holds rows rh, rh + DH, ... and columns rw, rw + DW, ...
 * of image n. `merge` false copies `image` into `phases`, true the reverse. H and W must be
 * multiples of DH and DW; the two areas must not overlap.
 */
export function phaseShuffle(
  image: usize, phases: usize, N: i32, C: i32, H: i32, W: i32, DH: i32, DW: i32,
  channelsLast: bool, merge: bool,
): void {
  const Hq = H / DH, Wq = W / DW;
  if (channelsLast || DW == 1) {
    // Whole runs move: a pixel's channels (channels-last) or a row (channels-first, DW == 1).
    const planes = channelsLast ? N : N * C;
    const runs = channelsLast ? W : 1;
    const runBytes = channelsLast ? <usize>C << 2 : <usize>W << 2;
    const planeC = channelsLast ? 1 : C;
    for (let i = 0; i < planes; i++) {
      const n = i / planeC, c = i % planeC;
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < runs; w++) {
          const p = (n * DH + h % DH) * DW + w % DW;
          const at = image + <usize>((i * H + h) * runs + w) * runBytes;
          const to = phases + <usize>(((p * planeC + c) * Hq + h / DH) * (runs / DW) + w / DW) * runBytes;
          if (merge) memory.copy(at, to, runBytes);
          else memory.copy(to, at, runBytes);
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

/**
 * Depth windows of a 3-D convolution with kernel depth KD, for a 3-D convolution whose H and W
 * part the Winograd kernel computes: output depth od reads input depths od * SD - PD + kd * DD
 * (kd < KD, outside 0 .. D-1: zeros), which become the input channels of one 2-D image.
 *  - channels-first: input (N, C, D, HW) -> windows (N * OD, C * KD, HW);
 *  - channels-last: input (N, D, HW, C) -> windows (N * OD, HW, C * KD);
 * window channel (g, kd, c) (group g of G, c < C / G) is input channel g * C / G + c at depth kd.
 */
export function depthWindows(
  input: usize, windows: usize, N: i32, C: i32, G: i32, D: i32, HW: i32, OD: i32,
  KD: i32, SD: i32, DD: i32, PD: i32, channelsLast: bool,
): void {
  const Cg = C / G;
  for (let n = 0; n < N; n++) {
    for (let od = 0; od < OD; od++) {
      const image = <usize>(n * OD + od);
      for (let g = 0; g < G; g++) {
        for (let kd = 0; kd < KD; kd++) {
          const id = od * SD - PD + kd * DD;
          const inside = <u32>id < <u32>D;
          const channel = (g * KD + kd) * Cg;
          if (channelsLast) {
            // Cg floats per pixel, at window channel `channel` of pixel p.
            const bytes = <usize>Cg << 2;
            let to = windows + ((image * HW * C * KD + channel) << 2);
            let from = input + ((<usize>(n * D + id) * HW * C + g * Cg) << 2);
            const toStep = <usize>(C * KD) << 2, fromStep = <usize>C << 2;
            for (let p = 0; p < HW; p++, to += toStep, from += fromStep) {
              if (inside) memory.copy(to, from, bytes);
              else memory.fill(to, 0, bytes);
            }
          } else {
            // Cg planes of HW floats.
            const bytes = <usize>HW << 2;
            for (let c = 0; c < Cg; c++) {
              const to = windows + ((image * C * KD + channel + c) * bytes);
              if (inside) memory.copy(to, input + (<usize>((n * C + g * Cg + c) * D + id) * bytes), bytes);
              else memory.fill(to, 0, bytes);
            }
          }
        }
      }
    }
  }
}

/**
 * Rows of a 1-D signal for a 9-tap kernel seen as 3 x 3. With xp the signal padded by PL zeros
 * before it (and zeros past its end), row r (r < 5) holds xp[r], xp[r + 3], xp[r + 6], ... (J
 * values). Since y[r + 3j] = sum_{a, b < 3} w[3a + b] xp[(r + b) + 3 (j + a)], the 2-D
 * convolution of the rows with the 3 x 3 kernel w2[b][a] = w[3a + b] gives in its output row r
 * (r < 3) the outputs r, r + 3, r + 6, ... of the 1-D convolution (see `signalMerge`).
 *  - channels-first: signal (N, C, L) -> rows (N, C, 5, J);
 *  - channels-last: signal (N, L, C) -> rows (N, 5, J, C).
 */
export function signalRows(signal: usize, rows: usize, N: i32, C: i32, L: i32, PL: i32, J: i32, channelsLast: bool): void {
  const planes = channelsLast ? N : N * C;
  const width = channelsLast ? C : 1;
  const bytes = <usize>width << 2;
  for (let i = 0; i < planes; i++) {
    const from = signal + <usize>i * L * bytes;
    for (let r = 0; r < 5; r++) {
      const row = rows + <usize>(i * 5 + r) * J * bytes;
      // Columns j with 0 <= r + 3j - PL < L hold signal values; the others are padding.
      const first = min(J, max(0, (PL - r + 2) / 3));
      const end = max(first, min(J, (L + PL - r + 2) / 3));
      memory.fill(row, 0, <usize>first * bytes);
      memory.fill(row + <usize>end * bytes, 0, <usize>(J - end) * bytes);
      let to = row + <usize>first * bytes;
      let at = from + <usize>(r + 3 * first - PL) * bytes;
      const step = bytes * 3;
      if (channelsLast) {
        for (let j = first; j < end; j++, to += bytes, at += step) memory.copy(to, at, bytes);
      } else {
        for (let j = first; j < end; j++, to += 4, at += 12) store<f32>(to, load<f32>(at));
      }
    }
  }
}

/**
 * The 1-D output from the output rows of `signalRows`' 2-D convolution: output i is row i mod 3,
 * column i / 3.
 *  - channels-first: rows (N, C, 3, J) -> signal (N, C, L);
 *  - channels-last: rows (N, 3, J, C) -> signal (N, L, C); L <= 3 J.
 */
export function signalMerge(rows: usize, signal: usize, N: i32, C: i32, L: i32, J: i32, channelsLast: bool): void {
  const planes = channelsLast ? N : N * C;
  const width = channelsLast ? C : 1;
  const bytes = <usize>width << 2;
  const rowBytes = <usize>J * bytes;
  for (let i = 0; i < planes; i++) {
    const from = rows + <usize>i * 3 * rowBytes;
    const to = signal + <usize>i * L * bytes;
    for (let r = 0; r < 3; r++) {
      let at = from + <usize>r * rowBytes;
      let dst = to + <usize>r * bytes;
      const step = bytes * 3;
      if (channelsLast) {
        for (let o = r; o < L; o += 3, at += bytes, dst += step) memory.copy(dst, at, bytes);
      } else {
        for (let o = r; o < L; o += 3, at += 4, dst += 12) store<f32>(dst, load<f32>(at));
      }
    }
  }
}

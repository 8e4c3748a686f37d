// The wasmconv demo: image convolutions on every backend this browser supports, timed next to a
// plain JavaScript loop that does the same arithmetic.
import * as wc from '../dist/browser.js';

const $ = (id) => document.getElementById(id);
const MAX_SIDE = 480;
const CLAMP = { type: 'clamp', min: 0, max: 1 };

// ---- Kernels -------------------------------------------------------------------------------

const tensor = (values, shape) => ({ data: Float32Array.from(values), shape });
/** The same 2-D kernel for each of the 3 colour channels: weight [3, 1, kH, kW]. */
const perChannel = (k, kh, kw) => tensor([...k, ...k, ...k], [3, 1, kh, kw]);

const SOBEL_X = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
const SOBEL_Y = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
const LUMA = [0.299, 0.587, 0.114];
// Two filters over the 3 colour channels: grey conversion and gradient in one convolution.
const SOBEL = tensor([SOBEL_X, SOBEL_Y].flatMap((k) => LUMA.flatMap((l) => k.map((v) => v * l))), [2, 3, 3, 3]);

const gauss = Array.from({ length: 15 }, (_, i) => Math.exp(-((i - 7) ** 2) / (2 * 2.5 ** 2)));
const G = gauss.map((v) => v / gauss.reduce((a, b) => a + b));
const GAUSS_COLUMN = perChannel(G, 15, 1);
const GAUSS_ROW = perChannel(G, 1, 15);

const SHARPEN = perChannel([0, -1, 0, -1, 5, -1, 0, -1, 0], 3, 3);
const EMBOSS = perChannel([-1, -1, 0, -1, 0, 1, 0, 1, 1], 3, 3);
const HALF = Float32Array.of(0.5, 0.5, 0.5);

// Depthwise: a different 9x9 filter per channel (red smeared across, green down, blue diagonally).
const line = (at) => Array.from({ length: 81 }, (_, i) => (at(Math.floor(i / 9), i % 9) ? 1 / 9 : 0));
const STREAKS = tensor([...line((y) => y === 4), ...line((_, x) => x === 4), ...line((y, x) => x === y)], [3, 1, 9, 9]);

// Transposed convolution, stride 2: each input pixel spreads over a 4x4 bilinear footprint.
const B1 = [0.25, 0.75, 0.75, 0.25];
const BILINEAR = perChannel(B1.flatMap((a) => B1.map((b) => a * b)), 4, 4);

/** Sobel output [1, 2, H, W] as a grey gradient magnitude [1, 1, H, W]. */
function magnitude(t) {
  const [, , h, w] = t.shape;
  const n = h * w;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.hypot(t.data[i], t.data[n + i]) / 2;
  return { data: out, shape: [1, 1, h, w] };
}

/** The buttons: `run(lib, x)` works with wasmconv and with the plain loops below alike. */
const OPS = [
  { label: 'Edges (Sobel)', api: 'conv2d', run: (lib, x) => lib.conv2d(x, SOBEL, { padding: 1 }), show: magnitude },
  {
    label: 'Gaussian blur', api: 'spatiallySeparableConv2d',
    run: (lib, x) => lib.spatiallySeparableConv2d(x, GAUSS_COLUMN, GAUSS_ROW, { groups: 3, padding: 'same', paddingMode: 'replicate' }),
  },
  {
    label: 'Sharpen', api: 'conv2d, groups 3',
    run: (lib, x) => lib.conv2d(x, SHARPEN, { groups: 3, padding: 1, paddingMode: 'replicate', activation: CLAMP }),
  },
  {
    label: 'Emboss', api: 'conv2d, groups 3, bias',
    run: (lib, x) => lib.conv2d(x, EMBOSS, { groups: 3, padding: 1, paddingMode: 'replicate', bias: HALF, activation: CLAMP }),
  },
  {
    label: 'Per-channel streaks', api: 'depthwiseConv2d',
    run: (lib, x) => lib.depthwiseConv2d(x, STREAKS, { padding: 4, paddingMode: 'replicate' }),
  },
  {
    label: '2× upsample', api: 'convTranspose2d, stride 2',
    run: (lib, x) => lib.convTranspose2d(x, BILINEAR, { stride: 2, padding: 1, groups: 3 }),
  },
];

// ---- The same convolutions as plain JavaScript loops (NCHW, the options used above) ---------

function padsOf(p, kh, kw) {
  if (p === 'same') return [[(kh - 1) >> 1, kh - 1 - ((kh - 1) >> 1)], [(kw - 1) >> 1, kw - 1 - ((kw - 1) >> 1)]];
  if (typeof p === 'number') return [[p, p], [p, p]];
  return p ?? [[0, 0], [0, 0]];
}

const plain = {
  conv2d(x, w, o = {}) {
    const [N, C, H, W] = x.shape;
    const [K, Cg, kh, kw] = w.shape;
    const groups = o.groups ?? 1;
    const [[pt, pb], [pl, pr]] = padsOf(o.padding, kh, kw);
    const replicate = o.paddingMode === 'replicate';
    const lo = o.activation?.min ?? -Infinity;
    const hi = o.activation?.max ?? Infinity;
    const OH = H + pt + pb - kh + 1;
    const OW = W + pl + pr - kw + 1;
    const y = new Float32Array(N * K * OH * OW);
    let i = 0;
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) {
        const c0 = Math.floor(k / (K / groups)) * Cg;
        const b = o.bias ? o.bias[k] : 0;
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            let sum = b;
            for (let c = 0; c < Cg; c++) {
              const plane = (n * C + c0 + c) * H * W;
              const wk = (k * Cg + c) * kh * kw;
              for (let ky = 0; ky < kh; ky++) {
                let iy = oy - pt + ky;
                if (iy < 0 || iy >= H) {
                  if (!replicate) continue;
                  iy = iy < 0 ? 0 : H - 1;
                }
                for (let kx = 0; kx < kw; kx++) {
                  let ix = ox - pl + kx;
                  if (ix < 0 || ix >= W) {
                    if (!replicate) continue;
                    ix = ix < 0 ? 0 : W - 1;
                  }
                  sum += x.data[plane + iy * W + ix] * w.data[wk + ky * kw + kx];
                }
              }
            }
            y[i++] = Math.min(hi, Math.max(lo, sum));
          }
        }
      }
    }
    return { data: y, shape: [N, K, OH, OW] };
  },
  depthwiseConv2d(x, w, o) {
    return plain.conv2d(x, w, { ...o, groups: x.shape[1] });
  },
  spatiallySeparableConv2d(x, column, row, o) {
    const [ph, pw] = padsOf(o.padding, column.shape[2], row.shape[3]);
    const mid = plain.conv2d(x, column, { groups: o.groups, paddingMode: o.paddingMode, padding: [ph, [0, 0]] });
    return plain.conv2d(mid, row, { groups: column.shape[0], paddingMode: o.paddingMode, padding: [[0, 0], pw] });
  },
  convTranspose2d(x, w, o = {}) {
    const [N, C, H, W] = x.shape;
    const [, Kg, kh, kw] = w.shape;
    const groups = o.groups ?? 1;
    const s = o.stride ?? 1;
    const p = o.padding ?? 0;
    const K = Kg * groups;
    const Cg = C / groups;
    const OH = (H - 1) * s - 2 * p + kh;
    const OW = (W - 1) * s - 2 * p + kw;
    const y = new Float32Array(N * K * OH * OW);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const g = Math.floor(c / Cg);
        for (let iy = 0; iy < H; iy++) {
          for (let ix = 0; ix < W; ix++) {
            const v = x.data[((n * C + c) * H + iy) * W + ix];
            for (let j = 0; j < Kg; j++) {
              const out = (n * K + g * Kg + j) * OH * OW;
              const wk = (c * Kg + j) * kh * kw;
              for (let ky = 0; ky < kh; ky++) {
                const oy = iy * s - p + ky;
                if (oy < 0 || oy >= OH) continue;
                for (let kx = 0; kx < kw; kx++) {
                  const ox = ix * s - p + kx;
                  if (ox >= 0 && ox < OW) y[out + oy * OW + ox] += v * w.data[wk + ky * kw + kx];
                }
              }
            }
          }
        }
      }
    }
    return { data: y, shape: [N, K, OH, OW] };
  },
};

// ---- Images ----------------------------------------------------------------------------------

/** A built-in picture, drawn here: sky, sun, two ridges, a chequered floor, RGB discs, a title. */
function drawSample(canvas) {
  const w = (canvas.width = 384);
  const h = (canvas.height = 256);
  const g = canvas.getContext('2d');
  const sky = g.createLinearGradient(0, 0, 0, h * 0.7);
  sky.addColorStop(0, '#20408f');
  sky.addColorStop(1, '#f2a65e');
  g.fillStyle = sky;
  g.fillRect(0, 0, w, h);
  g.fillStyle = '#fff0b8';
  g.beginPath();
  g.arc(w * 0.74, h * 0.34, 30, 0, 2 * Math.PI);
  g.fill();
  for (const [base, amp, color, seed] of [[0.56, 26, '#6b5488', 1], [0.68, 18, '#2f3552', 4]]) {
    g.fillStyle = color;
    g.beginPath();
    g.moveTo(0, h);
    for (let x = 0; x <= w; x += 3) {
      g.lineTo(x, h * base - amp * (Math.sin(x * 0.021 + seed) + 0.5 * Math.sin(x * 0.057 + 2 * seed) + 0.3 * Math.sin(x * 0.15 + seed)));
    }
    g.lineTo(w, h);
    g.fill();
  }
  const floor = Math.round(h * 0.78);
  for (let y = floor, row = 0; y < h; y += 14, row++) {
    for (let x = 0, col = 0; x < w; x += 16, col++) {
      g.fillStyle = (row + col) % 2 ? '#e9e3cf' : '#3b4150';
      g.fillRect(x, y, 16, 14);
    }
  }
  g.globalCompositeOperation = 'lighter';
  for (const [dx, dy, color] of [[0, 0, '#d01010'], [22, 0, '#10c010'], [11, 19, '#1030e0']]) {
    g.fillStyle = color;
    g.beginPath();
    g.arc(70 + dx, 120 + dy, 24, 0, 2 * Math.PI);
    g.fill();
  }
  g.globalCompositeOperation = 'source-over';
  g.fillStyle = '#ffffff';
  g.font = 'bold 30px sans-serif';
  g.fillText('wasmconv', 18, 44);
}

/** The pixels of a canvas as a tensor [1, 3, H, W] with values in [0, 1]. */
function toTensor(canvas) {
  const { width: w, height: h } = canvas;
  const rgba = canvas.getContext('2d').getImageData(0, 0, w, h).data;
  const n = w * h;
  const data = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data[c * n + i] = rgba[i * 4 + c] / 255;
  return { data, shape: [1, 3, h, w] };
}

/** Draws a tensor [1, C, H, W] (C = 1 or 3, values in [0, 1]; ImageData clamps the rest). */
function draw(canvas, t) {
  const [, c, h, w] = t.shape;
  canvas.width = w;
  canvas.height = h;
  const img = new ImageData(w, h);
  const n = w * h;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) img.data[i * 4 + k] = 255 * t.data[(c === 1 ? 0 : k) * n + i];
    img.data[i * 4 + 3] = 255;
  }
  canvas.getContext('2d').putImageData(img, 0, 0);
}

// ---- Timing and the chart --------------------------------------------------------------------

/** Median time of `fn` in ms, after one warm-up run: runs for about a quarter of a second (1 to 25 runs). */
function median(fn) {
  fn();
  const times = [];
  const start = performance.now();
  while (times.length === 0 || (times.length < 25 && performance.now() - start < 250)) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const COLORS = { 'relaxed-simd': '#2f5bd3', simd: '#4f8be8', scalar: '#8fb0e6', 'plain JavaScript': '#d98a3a' };

/** Bars of `rows` [{ name, ms }] (ms: a number, null while pending, or a note string). */
function drawChart(rows) {
  const canvas = $('chart');
  const dpr = window.devicePixelRatio || 1;
  const W = canvas.clientWidth;
  const H = canvas.clientHeight;
  canvas.width = Math.round(W * dpr);
  canvas.height = Math.round(H * dpr);
  const g = canvas.getContext('2d');
  g.scale(dpr, dpr);
  g.font = '13px system-ui, sans-serif';
  g.textBaseline = 'middle';
  const left = 130;
  const js = rows.find((r) => r.name === 'plain JavaScript')?.ms;
  const label = (r) => {
    const speedup = typeof js === 'number' && r.name !== 'plain JavaScript' ? `  ·  ${(js / r.ms).toFixed(1)}× the JS loop` : '';
    return `${r.ms < 10 ? r.ms.toFixed(2) : r.ms.toFixed(1)} ms${speedup}`;
  };
  const measured = rows.filter((r) => typeof r.ms === 'number');
  const textRoom = Math.max(0, ...measured.map((r) => g.measureText(label(r)).width)) + 20;
  const room = Math.max(40, W - left - textRoom);
  const max = Math.max(...measured.map((r) => r.ms), 1e-9);
  const rowH = (H - 16) / rows.length;
  rows.forEach((r, i) => {
    const y = 8 + rowH * i + rowH / 2;
    g.fillStyle = '#1d2330';
    g.fillText(r.name, 10, y);
    if (typeof r.ms !== 'number') {
      g.fillStyle = '#8a92a3';
      g.fillText(r.ms ?? 'measuring…', left, y);
      return;
    }
    const len = Math.max(2, (room * r.ms) / max);
    g.fillStyle = COLORS[r.name] ?? '#888';
    g.fillRect(left, y - rowH * 0.3, len, rowH * 0.6);
    g.fillStyle = '#1d2330';
    g.fillText(label(r), left + len + 8, y);
  });
}

// ---- The page --------------------------------------------------------------------------------

const supported = wc.supportedBackends();
let input = null;
let current = OPS[0];
let busy = false;

const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0));
const chosenBackend = () => $('backend').value;

function setStatus(text) {
  $('status').textContent = text;
}

function describeStatus() {
  const isolated = window.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated';
  return `backend ${wc.backend()} · supported here: ${supported.join(', ')} · ${isolated}`;
}

function setBusy(value) {
  busy = value;
  document.body.dataset.state = value ? 'busy' : 'idle';
  for (const b of document.querySelectorAll('button')) b.disabled = value;
}

/** Runs the selected convolution: output and time on the chosen backend, then the comparison. */
async function run(op = current) {
  if (busy || !input) return;
  current = op;
  for (const b of $('ops').children) b.setAttribute('aria-pressed', String(b.textContent === op.label));
  setBusy(true);
  try {
    const x = input;
    await wc.ready({ backend: chosenBackend() });
    const y = op.run(wc, x);
    draw($('output'), op.show ? op.show(y) : y);
    $('out-caption').textContent = `output: ${op.label} · ${op.api} · ${y.shape[3]}×${y.shape[2]}`;
    const ms = median(() => op.run(wc, x));
    $('timing').textContent = `${op.api} on ${x.shape[3]}×${x.shape[2]} pixels: ${ms.toFixed(2)} ms per run with the ${wc.backend()} backend (median)`;

    const rows = [...wc.BACKENDS.map((name) => ({ name, ms: supported.includes(name) ? null : 'not supported by this browser' })),
      { name: 'plain JavaScript', ms: null }];
    drawChart(rows);
    for (const row of rows) {
      if (row.ms !== null) continue;
      await nextFrame();
      if (row.name === 'plain JavaScript') {
        row.ms = median(() => op.run(plain, x));
      } else {
        await wc.ready({ backend: row.name });
        row.ms = median(() => op.run(wc, x));
      }
      drawChart(rows);
    }
    await wc.ready({ backend: chosenBackend() });
    setStatus(describeStatus());
  } catch (e) {
    setStatus(`error: ${e.message}`);
  } finally {
    setBusy(false);
  }
}

function useCanvasAsInput(caption) {
  input = toTensor($('input'));
  $('in-caption').textContent = `input: ${caption} · ${input.shape[3]}×${input.shape[2]}`;
  return run();
}

async function main() {
  for (const b of supported) $('backend').add(new Option(b === supported[0] ? `${b} (best here)` : b, b));
  $('backend').onchange = () => run();
  for (const op of OPS) {
    const button = document.createElement('button');
    button.textContent = op.label;
    button.title = op.api;
    button.onclick = () => run(op);
    $('ops').append(button);
  }
  $('sample').onclick = () => {
    drawSample($('input'));
    useCanvasAsInput('built-in sample');
  };
  $('file').onchange = async () => {
    const file = $('file').files[0];
    if (!file || busy) return;
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      const canvas = $('input');
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      await useCanvasAsInput(file.name);
    } catch (e) {
      setStatus(`could not read ${file.name}: ${e.message}`);
    }
  };
  await wc.ready();
  setStatus(describeStatus());
  drawSample($('input'));
  await useCanvasAsInput('built-in sample');
}

main().catch((e) => setStatus(`error: ${e.message}`));

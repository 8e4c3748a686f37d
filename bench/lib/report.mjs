// Turns the results of a run into the markdown report and the SVG bar chart.
import { WASM_PEERS } from './impls.mjs';

const fmt = (v, digits = 3) => {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toPrecision(digits);
};

const fmtMs = (v) => {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v >= 100) return v.toFixed(0);
  if (v >= 1) return v.toFixed(2);
  return v.toFixed(3);
};

// maxErr is Infinity for NaN or missing outputs (null once it went through JSON).
const fmtErr = (v) => (typeof v === 'number' && Number.isFinite(v) ? v.toExponential(2) : '∞');

export const geomean = (values) => {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  return v.length ? Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length) : null;
};

/** GFLOP/s of a passing result, else null. */
const good = (r) => (r && r.status === 'ok' && Number.isFinite(r.gflops) ? r.gflops : null);

/** The ratio columns that apply to this run's implementations. */
export function ratioColumns(impls) {
  const has = (n) => impls.includes(n);
  const cols = [];
  const peers = WASM_PEERS.filter(has);
  if (has('wasmconv') && peers.length) {
    cols.push({
      title: `wasmconv / best wasm peer`,
      value: (res) => {
        const best = Math.max(...peers.map((p) => good(res[p]) ?? -Infinity));
        const ours = good(res.wasmconv);
        return ours !== null && best > 0 ? ours / best : null;
      },
    });
  }
  if (has('wasmconv') && has('wasmconv-relaxed')) {
    cols.push({
      title: 'wasmconv-relaxed / wasmconv',
      value: (res) => {
        const a = good(res['wasmconv-relaxed']);
        const b = good(res.wasmconv);
        return a !== null && b !== null ? a / b : null;
      },
    });
  }
  if (has('wasmconv') && has('ort-node')) {
    cols.push({
      title: 'wasmconv / ort-node',
      value: (res) => {
        const a = good(res.wasmconv);
        const b = good(res['ort-node']);
        return a !== null && b !== null ? a / b : null;
      },
    });
  }
  return cols;
}

function cell(r) {
  if (!r) return '–';
  if (r.status === 'n/a') return 'n/a';
  if (r.status === 'error') return 'err';
  const v = fmt(r.gflops);
  return r.status === 'fail' ? `${v} ✗` : v;
}

export function markdown(report) {
  const { machine, config, impls, workloads } = report;
  const names = config.measured ?? config.impls; // implementations that started
  const cols = ratioColumns(names);
  const lines = [];
  lines.push(`# wasmconv benchmark`);
  lines.push('');
  lines.push(`${machine.cpu} (${machine.cores} cores) · Node ${machine.node} (V8 ${machine.v8}) · ${machine.platform}-${machine.arch} · ${machine.date}`);
  lines.push(`${config.quick ? 'quick run, ' : ''}${config.rounds} rounds, median per call, single thread, batch 1, float32 · load average at start ${machine.loadavg.map((x) => x.toFixed(2)).join(' ')}`);
  lines.push('');
  lines.push('## GFLOP/s (higher is better)');
  lines.push('');
  const head = ['workload', ...names, ...cols.map((c) => c.title)];
  lines.push(`| ${head.join(' | ')} |`);
  lines.push(`| ${['---', ...head.slice(1).map(() => '--:')].join(' | ')} |`);
  for (const wl of workloads) {
    const row = [wl.id, ...names.map((n) => cell(wl.results[n])), ...cols.map((c) => fmt(c.value(wl.results), 2))];
    lines.push(`| ${row.join(' | ')} |`);
  }
  if (workloads.length > 1) {
    const partial = [];
    const gm = names.map((n) => {
      const vals = workloads.map((wl) => good(wl.results[n])).filter((v) => v !== null);
      if (vals.length && vals.length < workloads.length) partial.push(`${n} over ${vals.length} of ${workloads.length}`);
      return fmt(geomean(vals));
    });
    const gr = cols.map((c) => fmt(geomean(workloads.map((wl) => c.value(wl.results))), 2));
    lines.push(`| **geomean** | ${[...gm, ...gr].join(' | ')} |`);
    lines.push('');
    lines.push(`Geometric means over the workloads where the implementation has a passing result${partial.length ? ` (${partial.join('; ')})` : ''}; ratio means over the workloads where both sides have one.`);
  }
  lines.push('');
  lines.push('n/a: the library lacks the operation or a parameter of it · err: it failed (message in latest.json) · ✗: its output is off the float64 reference beyond 1e-3·(1 + max|ref|) · –: not measured. GFLOP/s = 2 × MACs / median seconds per call; MACs counted densely as in workloads.json.');
  lines.push('');
  lines.push('## Milliseconds per call: median (first call)');
  lines.push('');
  lines.push(`| workload | ${names.join(' | ')} |`);
  lines.push(`| ${['---', ...names.map(() => '--:')].join(' | ')} |`);
  for (const wl of workloads) {
    const row = names.map((n) => {
      const r = wl.results[n];
      if (!r || r.status === 'n/a' || r.status === 'error') return cell(r);
      return `${fmtMs(r.medianMs)} (${fmtMs(r.firstMs)})`;
    });
    lines.push(`| ${wl.id} | ${row.join(' | ')} |`);
  }
  lines.push('');
  lines.push('## Workloads');
  lines.push('');
  lines.push('| id | description | op | MFLOP per call |');
  lines.push('| --- | --- | --- | --: |');
  for (const wl of workloads) lines.push(`| ${wl.id} | ${wl.desc} | ${wl.op} | ${(2 * wl.macs / 1e6).toFixed(1)} |`);
  lines.push('');
  lines.push('## Implementations');
  lines.push('');
  for (const n of config.impls) {
    const i = impls[n] || {};
    const v = i.info && i.info.version ? ` (${i.info.version})` : '';
    const skipped = i.skipped ? ` — **skipped**: ${i.skipped}` : '';
    lines.push(`- **${n}**${v}: ${i.about ?? ''}${skipped}`);
  }
  const na = new Map(); // "impl: reason" → workload ids
  for (const wl of workloads) {
    for (const n of names) {
      const r = wl.results[n];
      if (r && r.status === 'n/a') {
        const key = `${n}: ${r.reason}`;
        na.set(key, [...(na.get(key) ?? []), wl.id]);
      }
    }
  }
  if (na.size) {
    lines.push('');
    lines.push('## Not available');
    lines.push('');
    for (const [key, ids] of na) lines.push(`- ${key} (${ids.join(', ')})`);
  }
  const failures = [];
  for (const wl of workloads) {
    for (const n of names) {
      const r = wl.results[n];
      if (r && (r.status === 'fail' || r.status === 'error')) {
        failures.push(`- ${wl.id} / ${n}: ${r.status === 'fail' ? `max error ${fmtErr(r.maxErr)} > tolerance ${fmtErr(r.tolerance)}${r.why ? ` (${r.why})` : ''}` : r.reason}`);
      }
    }
  }
  if (failures.length) {
    lines.push('');
    lines.push('## Failures');
    lines.push('');
    lines.push(...failures);
  }
  lines.push('');
  return lines.join('\n');
}

const COLORS = {
  wasmconv: '#1f5fa8',
  'wasmconv-nhwc': '#5b9bd5',
  'wasmconv-relaxed': '#0b2e59',
  'wasmconv-scalar': '#a9c8e8',
  'wasmconv-2t': '#3c8dbc',
  'ort-web': '#e8772e',
  'tfjs-wasm': '#3a9a48',
  'tfjs-cpu': '#9fd49a',
  'ort-node': '#8a8a8a',
  naive: '#c0392b',
};
const FALLBACK = ['#7b4fa0', '#b8860b', '#17becf', '#e377c2'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A "nice" axis step for a maximum: 1, 2 or 5 times a power of ten, about 5-8 ticks. */
function niceStep(max) {
  const raw = max / 6;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}

/** Grouped bar chart: one group per workload, one bar per implementation, GFLOP/s on a linear axis. */
export function svg(report) {
  const { machine, config, workloads } = report;
  const names = config.measured ?? config.impls;
  const barW = 12;
  const groupGap = 22;
  const groupW = names.length * barW + groupGap;
  const left = 64;
  const right = 24;
  const top = 64;
  const plotH = 360;
  const legendRows = Math.ceil(names.length / 5);
  const bottom = 46 + legendRows * 22 + 26;
  const width = Math.max(left + right + workloads.length * groupW, 720);
  const height = top + plotH + bottom;
  let max = 0;
  for (const wl of workloads) for (const n of names) max = Math.max(max, good(wl.results[n]) ?? 0);
  if (!(max > 0)) max = 1;
  const step = niceStep(max * 1.08);
  const yMax = Math.ceil((max * 1.08) / step) * step;
  const y = (v) => top + plotH - (v / yMax) * plotH;
  const color = (n, i) => COLORS[n] ?? FALLBACK[i % FALLBACK.length];

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="26" font-size="17" font-weight="bold" fill="#222">Convolution throughput, GFLOP/s (higher is better)</text>`);
  out.push(`<text x="${left}" y="46" font-size="12" fill="#555">${esc(`${machine.cpu}, Node ${machine.node}, single thread, batch 1, float32, median of ${config.rounds} rounds${config.quick ? ' (quick)' : ''}, ${machine.date.slice(0, 10)}`)}</text>`);
  // Grid and y axis.
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" stroke="${v === 0 ? '#444' : '#e3e3e3'}" stroke-width="1"/>`);
    out.push(`<text x="${left - 8}" y="${(+yy + 4).toFixed(1)}" font-size="11" fill="#444" text-anchor="end">${+v.toFixed(6)}</text>`);
  }
  out.push(`<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" font-size="12" fill="#444" text-anchor="middle">GFLOP/s</text>`);
  // Bars.
  workloads.forEach((wl, g) => {
    const x0 = left + groupGap / 2 + g * groupW;
    names.forEach((n, i) => {
      const r = wl.results[n];
      const x = x0 + i * barW;
      const cx = (x + barW / 2).toFixed(1);
      const v = good(r);
      if (v !== null) {
        const yy = y(v);
        const h = top + plotH - yy;
        out.push(`<rect x="${(x + 1).toFixed(1)}" y="${yy.toFixed(1)}" width="${barW - 2}" height="${Math.max(h, 0.5).toFixed(1)}" fill="${color(n, i)}"><title>${esc(`${wl.id} · ${n}: ${fmt(v)} GFLOP/s`)}</title></rect>`);
        out.push(`<text transform="translate(${(+cx + 3).toFixed(1)} ${(yy - 3).toFixed(1)}) rotate(-90)" font-size="9" fill="#333">${esc(fmt(v))}</text>`);
      } else if (r) {
        // No bar for a wrong output: the speed of a wrong answer means nothing.
        const label = { 'n/a': 'n/a', error: 'err', fail: '✗ wrong' }[r.status] ?? '–';
        const fill = r.status === 'fail' ? '#c00' : '#999';
        out.push(`<text transform="translate(${(+cx + 3).toFixed(1)} ${(top + plotH - 3).toFixed(1)}) rotate(-90)" font-size="9" fill="${fill}">${label}</text>`);
      }
    });
    const gx = x0 + (names.length * barW) / 2;
    out.push(`<text x="${gx.toFixed(1)}" y="${top + plotH + 18}" font-size="13" font-weight="bold" fill="#222" text-anchor="middle">${esc(wl.id)}</text>`);
  });
  // Legend.
  const ly = top + plotH + 46;
  names.forEach((n, i) => {
    const lx = left + (i % 5) * 190;
    const yy = ly + Math.floor(i / 5) * 22;
    out.push(`<rect x="${lx}" y="${yy - 11}" width="14" height="14" fill="${color(n, i)}"/>`);
    out.push(`<text x="${lx + 20}" y="${yy}" font-size="12" fill="#222">${esc(n)}</text>`);
  });
  out.push(`<text x="${left}" y="${height - 10}" font-size="11" fill="#666">n/a: not supported by that library · err: failed · ✗ wrong: output differs from the float64 reference (no bar)</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

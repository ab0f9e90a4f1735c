/**
 * Summaries of V8 CPU profiles (`node --cpu-prof`): where the time goes, by function (self time), by
 * package or library folder (self time) and, for this library's own functions, inclusive time.
 */
import * as fs from 'fs';
import * as path from 'path';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** One row of a summary: a name and milliseconds. */
export interface ProfileRow { readonly name: string; readonly ms: number }

/** What one profile says. */
export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Functions by self time. */
  readonly topSelf: ProfileRow[];
  /** Packages / library folders by self time. */
  readonly byGroup: ProfileRow[];
  /** This library's functions (dist/ or lib/) by inclusive time. */
  readonly libraryInclusive: ProfileRow[];
}

/**
 * Summarizes one `.cpuprofile` file. `root` is the repository (to shorten paths); `libraryRoot` the tree whose
 * `dist/` is the measured library (the copy of HEAD in bench/results/head by default), shown as `dist/...`.
 */
export function summarizeProfile(file: string, root: string, top = 20, libraryRoot = root): ProfileSummary {
  const short = (url: string) => relative(url, root, libraryRoot);
  const p = JSON.parse(fs.readFileSync(file, 'utf-8')) as CpuProfile;
  const byId = new Map(p.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const group = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const node = byId.get(p.samples[i]);
    if (!node) continue;
    add(self, frameName(node.callFrame, short), ms);
    add(group, groupOf(node.callFrame, short), ms);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!isLibrary(short(f.url))) continue;
      const key = frameName(f, short);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, ms);
      }
    }
  }
  return {
    file,
    totalMs: total,
    topSelf: rows(self, top),
    byGroup: rows(group, top),
    libraryInclusive: rows(inclusive, top),
  };
}

/** Text of a summary for the console and the report. */
export function formatSummary(s: ProfileSummary): string {
  const fmt = (title: string, rs: ProfileRow[]) => [
    `  ${title}`,
    ...rs.map(r => `    ${r.ms.toFixed(0).padStart(6)} ms ${(100 * r.ms / s.totalMs).toFixed(1).padStart(5)}%  ${r.name}`),
  ].join('\n');
  return [
    `${s.file}: ${s.totalMs.toFixed(0)} ms sampled`,
    fmt('self time by package / folder', s.byGroup),
    fmt('self time by function', s.topSelf),
    fmt('inclusive time of the library\'s functions', s.libraryInclusive),
  ].join('\n');
}

function add(m: Map<string, number>, k: string, v: number): void {
  m.set(k, (m.get(k) ?? 0) + v);
}

function rows(m: Map<string, number>, top: number): ProfileRow[] {
  return [...m.entries()].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms).slice(0, top);
}

function relative(url: string, root: string, libraryRoot: string): string {
  const file = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const library = path.join(libraryRoot, 'dist') + path.sep;
  if (file.startsWith(library)) return `dist/${file.slice(library.length)}`;
  return file.startsWith(root) ? path.relative(root, file) : file;
}

function frameName(f: CallFrame, short: (url: string) => string): string {
  const where = f.url ? `${short(f.url)}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
}

function isLibrary(r: string): boolean {
  return r.startsWith('dist/') || r.startsWith('lib/');
}

/** `aws-cdk-lib/aws-ec2`, `cdk8s-plus-28`, `dist/workloads`, `node:internal`, `(garbage collector)`... */
function groupOf(f: CallFrame, short: (url: string) => string): string {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  const r = short(f.url);
  const nm = r.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = r.slice(nm + 'node_modules/'.length).split('/');
    const pkg = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    const rest = parts.slice(parts[0].startsWith('@') ? 2 : 1);
    if (pkg === 'aws-cdk-lib' && rest.length > 1) return `aws-cdk-lib/${rest[0]}`;
    return pkg;
  }
  if (r.startsWith('node:')) return 'node:internal';
  const parts = r.split('/');
  if (parts[0] === 'dist' || parts[0] === 'lib') return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
  return parts[0];
}

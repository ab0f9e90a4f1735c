/**
 * The benchmark's results as a console table and as docs/benchmarks.md.
 */
import { fmtBytes, OutputFigures, QUOTAS } from './assembly';
import { median, RunSample } from './measure';

/** One measured run, with its repetition (runs of one repetition are paired) and what it left in its TMPDIR. */
export interface Sample extends RunSample {
  /** Repetition (0: the warm-up). */
  readonly rep: number;
  /** Bytes left in the run's own TMPDIR when it ended. */
  readonly tempLeftBytes: number;
  /** Names of what it left there (numbers and ids replaced by `*`). */
  readonly tempLeft?: string[];
}

/** One contender at one size, with its measured runs. */
export interface JobResult {
  /** Contender id (`lib`, `anchor`, ...). */
  readonly contender: string;
  readonly title: string;
  /** aws-cdk-lib's built-in CloudFormation validation during the run. */
  readonly validation: 'on' | 'off' | 'n/a';
  /** Services (undefined for the app group). */
  readonly n?: number;
  /** Runs asked for (after the warm-up). */
  readonly plannedRuns: number;
  readonly samples: Sample[];
  warmup?: Sample;
  figures?: OutputFigures;
  error?: string;
}

/** Machine, versions and load around the run. */
export interface RunContext {
  readonly date: string;
  readonly machine: { cores: number; cpuModel: string; memoryGiB: number; node: string; os: string };
  readonly versions: Record<string, string>;
  library: string;
  readonly loadBefore: number[];
  loadAfter?: number[];
  readonly options: { runs: number; runsLarge: number; runsHuge: number; sizes: number[]; validationSizes?: number[]; only: string[] };
  readonly peakSource: string;
  durationSeconds?: number;
  /** What went wrong building the measured library (the run went on). */
  buildProblems?: string[];
}

/** One target and whether the run met it. */
export interface TargetCheck { readonly target: string; readonly measured: string; readonly met: boolean | undefined }

/** Per-pair ratios of two contenders (runs of the same repetition). */
export interface PairedRatio { readonly median: number; readonly min: number; readonly max: number; readonly pairs: number }

const MIB = 1024;

/** Median wall seconds of a job. */
export function wall(j: JobResult | undefined): number {
  return j && j.samples.length > 0 ? median(j.samples.map(s => s.wallSeconds)) : NaN;
}

/** Median CPU seconds (user + system) of a job; NaN when not measured. */
export function cpu(j: JobResult | undefined): number {
  const values = j ? j.samples.flatMap(s => (s.cpuSeconds === undefined ? [] : [s.cpuSeconds])) : [];
  return values.length > 0 ? median(values) : NaN;
}

/** Median peak RSS of a job, MiB. */
export function peakMiB(j: JobResult | undefined): number {
  return j && j.samples.length > 0 ? median(j.samples.map(s => s.peakRssKiB)) / MIB : NaN;
}

function treeMiB(j: JobResult | undefined): number {
  return j && j.samples.length > 0 ? median(j.samples.map(s => s.treePeakKiB)) / MIB : NaN;
}

function range(j: JobResult): string {
  if (j.samples.length === 0) return '';
  const w = j.samples.map(s => s.wallSeconds);
  return `${Math.min(...w).toFixed(2)}–${Math.max(...w).toFixed(2)}`;
}

function num(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

type Metric = (s: Sample) => number;
const WALL: Metric = s => s.wallSeconds;
const PEAK: Metric = s => s.peakRssKiB;
/** CPU seconds; a run without them (NaN) pairs with nothing. */
const CPU: Metric = s => s.cpuSeconds ?? NaN;

/**
 * The median, min and max of metric(a) / metric(b) over the repetitions both ran (each pair ran in the same
 * repetition, in alternating order); undefined when no repetition has both.
 */
export function pairedRatio(a: JobResult | undefined, b: JobResult | undefined, metric: Metric = WALL): PairedRatio | undefined {
  if (!a || !b) return undefined;
  const byRep = new Map(b.samples.map(s => [s.rep, s]));
  const ratios = a.samples.flatMap(s => {
    const other = byRep.get(s.rep);
    return other && metric(other) > 0 && Number.isFinite(metric(s)) ? [metric(s) / metric(other)] : [];
  });
  if (ratios.length === 0) return undefined;
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), pairs: ratios.length };
}

/** Median, min and max of metric(a) − metric(b) over the repetitions both ran. */
export function pairedDifference(a: JobResult | undefined, b: JobResult | undefined, metric: Metric = WALL): PairedRatio | undefined {
  if (!a || !b) return undefined;
  const byRep = new Map(b.samples.map(s => [s.rep, s]));
  const diffs = a.samples.flatMap(s => {
    const other = byRep.get(s.rep);
    return other ? [metric(s) - metric(other)] : [];
  });
  if (diffs.length === 0) return undefined;
  return { median: median(diffs), min: Math.min(...diffs), max: Math.max(...diffs), pairs: diffs.length };
}

/** `0.45× (0.41–0.52)`. */
export function fmtRatio(r: PairedRatio | undefined): string {
  return r ? `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})` : '–';
}

/** The main table's rows (header first). */
export function tableRows(jobs: JobResult[]): string[][] {
  const header = ['contender', 'CFN validation', 'N', 'runs', 'wall median s', 'wall min–max s', 'CPU median s', 'peak RSS MiB', 'tree peak MiB',
    'largest template', 'largest CR properties', 'Helm releases (largest record)', 'resources (max/stack)', 'would deploy'];
  const rows = jobs.map(j => {
    const f = j.figures;
    const runs = j.error ? 'failed' : `${j.samples.length}${j.samples.length < j.plannedRuns ? ` of ${j.plannedRuns}` : ''}`;
    const deploy = j.error ? `error: ${j.error.split('\n')[0].slice(0, 80)}`
      : !f ? '–'
        : f.kind === 'yaml' ? (j.n === undefined ? '–' : `n/a (YAML only, ${fmtBytes(f.yamlBytes)})`)
          : f.wouldDeploy ? 'yes' : `**no**: ${f.problems.slice(0, 2).join('; ')}${f.problems.length > 2 ? `; +${f.problems.length - 2} more` : ''}`;
    const cfn = f && f.kind === 'cloud-assembly';
    return [
      j.title, j.validation, j.n === undefined ? 'app' : String(j.n), runs,
      num(wall(j), 2), range(j), num(cpu(j), 2), num(peakMiB(j), 0), num(treeMiB(j), 0),
      cfn ? fmtBytes(f.largestTemplateBytes) : '–',
      cfn ? (f.largestCustomResourceBytes > 0 ? fmtBytes(f.largestCustomResourceBytes) : 'none') : '–',
      cfn ? (f.helmReleases > 0 ? `${f.helmReleases} (${fmtBytes(f.largestReleaseRecordBytes)})` : 'none') : '–',
      cfn ? `${f.totalResources} (${f.maxResourcesPerStack})` : '–',
      deploy,
    ];
  });
  return [header, ...rows];
}

/** A plain-text table for the console. */
export function consoleTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map(r => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [line(rows[0]), widths.map(w => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** A Markdown table. */
export function markdownTable(rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${rows[0].map(esc).join(' | ')} |`,
    `| ${rows[0].map(() => '---').join(' | ')} |`,
    ...rows.slice(1).map(r => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** Finds the (successful) job of a contender at a size. */
export function find(jobs: JobResult[], contender: string, n?: number): JobResult | undefined {
  return jobs.find(j => j.contender === contender && j.n === n && !j.error);
}

/** Contender ids of the library and its two aws-eks-v2 anchors, with validation off or on. */
function ids(validation: 'on' | 'off'): { lib: string; anchor: string; helm: string } {
  const v = validation === 'on' ? '-v' : '';
  return { lib: `lib${v}`, anchor: `anchor${v}`, helm: `anchor-helm${v}` };
}

/** Rows of a headline table: paired ratios of the library to each anchor at each size, validation off or on. */
export function ratioRows(jobs: JobResult[], sizes: number[], validation: 'on' | 'off'): string[][] {
  const { lib, anchor, helm } = ids(validation);
  const header = [`N (validation ${validation})`, 'wall: library / raw aws-eks-v2', 'CPU: library / raw aws-eks-v2', 'peak RSS: library / raw aws-eks-v2',
    'wall: library / aws-eks-v2 + Helm asset', 'CPU: library / aws-eks-v2 + Helm asset', 'peak RSS: library / aws-eks-v2 + Helm asset', 'library wall s · CPU s · peak MiB'];
  if (validation === 'off') header.push('wall: library / eks-blueprints');
  return [header, ...sizes.map(n => {
    const l = find(jobs, lib, n);
    const a = find(jobs, anchor, n);
    const h = find(jobs, helm, n);
    const row = [String(n), fmtRatio(pairedRatio(l, a)), fmtRatio(pairedRatio(l, a, CPU)), fmtRatio(pairedRatio(l, a, PEAK)),
      fmtRatio(pairedRatio(l, h)), fmtRatio(pairedRatio(l, h, CPU)), fmtRatio(pairedRatio(l, h, PEAK)),
      l ? `${wall(l).toFixed(2)} · ${num(cpu(l), 2)} · ${peakMiB(l).toFixed(0)}` : '–'];
    if (validation === 'off') row.push(fmtRatio(pairedRatio(l, find(jobs, 'blueprints', n))));
    return row;
  })];
}

/** Rows of the CLI table: each app contender's total, the CLI's start-up and the app's own cost (paired). */
export function cliRows(jobs: JobResult[]): string[][] {
  const cli = find(jobs, 'cli');
  const header = ['command', 'CFN validation', 'total wall median s', 'CLI start-up median s', 'app cost = total − CLI start-up, median (min–max) s'];
  const rows = jobs.filter(j => j.n === undefined && !j.error && j.samples.length > 0).map(j => {
    const d = j.contender.startsWith('app') ? pairedDifference(j, cli) : undefined;
    return [j.title, j.validation, wall(j).toFixed(2), j.contender.startsWith('app') ? num(wall(cli), 2) : '–',
      d ? `${d.median.toFixed(2)} (${d.min.toFixed(2)}–${d.max.toFixed(2)})` : '–'];
  });
  return [header, ...rows];
}

function ratioTarget(jobs: JobResult[], n: number, anchorKind: 'anchor' | 'helm', limit: number, validation: 'on' | 'off'): TargetCheck {
  const id = ids(validation);
  const l = find(jobs, id.lib, n);
  const a = find(jobs, id[anchorKind], n);
  const r = pairedRatio(l, a);
  const name = anchorKind === 'anchor' ? 'raw aws-eks-v2 (addCdk8sChart)' : 'aws-eks-v2 + Helm-chart asset';
  return {
    target: `N = ${n}, validation ${validation}: library wall ≤ ${limit.toFixed(1)} × ${name}`,
    measured: r ? `${fmtRatio(r)} over ${r.pairs} pairs (medians ${wall(l).toFixed(2)} s vs ${wall(a).toFixed(2)} s; CPU time ${fmtRatio(pairedRatio(l, a, CPU))}; peak RSS ${fmtRatio(pairedRatio(l, a, PEAK))})` : 'not measured',
    met: r ? r.median <= limit : undefined,
  };
}

/** The issue's targets, checked against this run (undefined: not measured in this run). */
export function checkTargets(jobs: JobResult[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const validation of ['off', 'on'] as const) {
    out.push(ratioTarget(jobs, 10000, 'anchor', 0.5, validation));
    const big = find(jobs, ids(validation).lib, 10000);
    out.push({
      target: `N = 10000, validation ${validation}: library peak RSS ≤ 600 MiB`,
      measured: big ? `${peakMiB(big).toFixed(0)} MiB median (max ${(Math.max(...big.samples.map(s => s.peakRssKiB)) / MIB).toFixed(0)} MiB)` : 'not measured',
      met: big ? peakMiB(big) <= 600 : undefined,
    });
    out.push(ratioTarget(jobs, 1000, 'helm', 1.0, validation));
    out.push(ratioTarget(jobs, 10000, 'helm', 1.0, validation));
    out.push(ratioTarget(jobs, 10, 'anchor', 1.2, validation));
  }
  const libs = jobs.filter(j => j.contender.startsWith('lib') && j.n !== undefined);
  const undeployable = libs.filter(j => !j.figures || !j.figures.wouldDeploy);
  const largest = libs.filter(j => j.figures).sort((a, b) => (b.n ?? 0) - (a.n ?? 0))[0];
  out.push({
    target: 'library deploys at every size within every CloudFormation, Lambda and Helm limit',
    measured: libs.length === 0 ? 'not measured'
      : undeployable.length > 0 ? `no: ${undeployable.map(j => `N = ${j.n}: ${j.error ?? j.figures?.problems.join('; ') ?? 'no output'}`).join(' / ')}`
        : `yes at N = ${[...new Set(libs.map(j => j.n))].join(', ')}; at N = ${largest.n}: largest template ${fmtBytes(largest.figures!.largestTemplateBytes)}, ${largest.figures!.maxResourcesPerStack} resources, largest CR properties ${fmtBytes(largest.figures!.largestCustomResourceBytes)}, ${largest.figures!.helmReleases} Helm releases, largest release record ${fmtBytes(largest.figures!.largestReleaseRecordBytes)}`,
    met: libs.length === 0 ? undefined : undeployable.length === 0,
  });
  // the bundled app, through the CLI
  const app = find(jobs, 'app-no-validation');
  const validated = find(jobs, 'app');
  out.push({
    target: '`CDK_VALIDATION=false npx cdk synth` of the bundled app ≤ 5 s median',
    measured: app ? `${wall(app).toFixed(2)} s (with aws-cdk-lib's CloudFormation validation, the default: ${validated ? `${wall(validated).toFixed(2)} s` : 'not measured'})` : 'not measured',
    met: app ? wall(app) <= 5 : undefined,
  });
  out.push({
    target: '`CDK_VALIDATION=false npx cdk synth` of the bundled app ≤ 300 MiB peak (largest process)',
    measured: app ? `${peakMiB(app).toFixed(0)} MiB (all processes together: ${treeMiB(app).toFixed(0)} MiB; with validation: ${validated ? `${peakMiB(validated).toFixed(0)} MiB` : 'not measured'})` : 'not measured',
    met: app ? peakMiB(app) <= 300 : undefined,
  });
  return out;
}

/**
 * Where the fixed cost and the per-service cost went after issue 15, and what was changed (hand-written;
 * profiles, in-process phase timings and paired runs on this machine on 2026-12-02, load 1–6 on 2 cores).
 */
const PROFILE_FINDINGS_SPEED = `## Where the time went at 10 and 1000 services (profiles of 2026-12-02, after issue 15)

Profiles (\`node --cpu-prof\` of the contender scripts), module-load timings (a \`--require\` hook timing every
first \`require\`) and phase timings (\`performance.now()\` and \`process.cpuUsage()\` between the phases of the
contender script), library vs raw aws-eks-v2, before the changes below:

| phase, N = 10 (CPU ms) | library | raw aws-eks-v2 |
| --- | --- | --- |
| loading aws-cdk-lib and cdk8s | 220–230 | 190–240 |
| loading the rest (the library and the aws-cdk-lib modules it uses; the anchor: eks-v2, ec2, kubectl layer, cdk8s-plus) | 450–480 | 190 |
| building the stack | 930–1030 | 670–720 |
| the workloads, the delivery (library: \`addWorkloads\`) | 20–40, 140–175 | 90–120 (with \`addCdk8sChart\`) |
| synthesis | 280–340 | 140–160 |

- **The fixed cost is the platform's.** The library's stack has 88 resources against the anchor's 39, and
  aws-cdk-lib's own work grows with them (\`aws-cdk-lib/core\` 275 vs 161 ms of self time). The VPC alone is
  440 ms against the anchor's default VPC's 82 ms: its \`restrictDefaultSecurityGroup\` custom resource provider
  costs about 100 ms (its module and Lambda asset), and loads aws-cdk-lib's region facts (140–170 ms, which the
  anchor loads later anyway). Loading: cdk8s-plus-28 (the library's workloads use its \`k8s\` L1 classes,
  lib/workloads/private/plus.ts) costs 146 ms, 110–123 ms of it its 2.7 MB generated \`imports/k8s.js\`, which the
  anchor loads too; the library's own JavaScript about 75 ms, the delivery 10 ms.
- **In the delivery** (N = 10), the first number formatted with \`toLocaleString\` loaded ICU data (about 20 ms)
  for a budget message that is built only when a release is over budget now.
- **Directory removal is slow on this machine**: \`rmdir\` takes 2.6 ms of wall time (0.15 ms of CPU) on its
  journaled file system. A chart asset was written to a scratch directory, copied by the CDK into the assembly
  and the scratch removed (three directories per chart). The chart directory is now written once, straight to
  where the CDK stages it (\`asset.<sha256 of the custom hash>\`, under a temporary name renamed into place), and
  every asset of a delivery gets one empty source directory, removed once: the CDK finds each asset staged and
  copies nothing. Same bytes, same asset hashes.
- **The release-record estimate** escaped each template for the manifest by encoding it to UTF-8 again; it
  escapes the bytes already encoded for base64 (identical to \`JSON.stringify\`, property-tested): 7 → 3.5 ms per
  chart of 100 services. The gzip at Helm's level stays (18 ms per chart; the estimate must stay exact).
- **Smaller costs per object**: the CDK-token search tests for \`Token[\` and the number range of token doubles
  before \`Token.isUnresolved\` (same answers); duplicate checks build an object's description only for an
  error; the YAML fast path concatenates text instead of joining lines and caches key checks; Helm escaping skips
  text without \`{{\`; a chart without dependencies is rendered in tree order without cdk8s's dependency graph
  (two sets per construct), which is the order that graph gives (tested against \`chart.toJson()\`).
- Together, N = 1000: the \`addWorkloads\` phase 1.70 → 1.49 CPU s (3 runs each); the whole contender
  3.88 → 3.70 CPU s (6 alternating pairs), peak RSS 182 → 175 MiB. Every file of the library contender's cloud
  assembly at N = 10 and 1000, and of the bundled app (\`cdk synth\`), is the same before and after (stack traces in
  the metadata aside).
- Partial runs of \`npm run bench\` after the changes (validation off): at load 3–5, N = 10, 5 pairs: 1.26× the raw
  anchor's wall time (CPU 1.32×); N = 1000, 4 pairs: 1.08× raw and 1.28× (0.93–1.85) the Helm-asset anchor's wall
  time, CPU 0.99× and 1.16× (0.99–1.20); N = 10000, 1 pair: 0.53× raw (CPU 0.57×) and 0.77× the Helm-asset anchor
  (CPU 0.80×), 540 MiB. Again at load 2.5–2.8: N = 10, 6 pairs: 1.34× (1.32–1.81) raw (CPU 1.38×); N = 1000,
  5 pairs: 0.91× (0.63–1.01) raw and 0.91× (0.78–1.00) the Helm-asset anchor (CPU 0.98× and 1.04× (0.92–1.08)).
- What remained after those changes: per service the library cost about what the Helm-asset anchor does (its CPU
  ratio fell from 1.34× at N = 10 to 1.16× at 1000 and 0.80× at 10000), so the gap at N ≤ 1000 was the platform's
  fixed cost (about 0.5 CPU s). At N = 10000 the largest parts were garbage collection (about a quarter), cdk8s's
  own \`toJson()\` of every object (its resolver walks every value and looks up the app for each; about a fifth)
  and the gzip at Helm's level (about a tenth). A first try of the gzip on a worker thread, for every delivery,
  saved 20–80 ms of wall time of the 160 ms of gzip at N = 1000 for 50 ms of worker start-up; see the second pass
  below for the version that stayed.

## Second pass: start-up and the 10,000-service costs (2026-12-02, machine idle: load 0.1–1.6)

Module-load timings (a \`--require\` hook timing every first \`require\`), the files an app loads
(\`require.cache\` at exit), profiles, and alternating pairs of \`node <contender>.js\` with GNU time:

- **An EKS app loaded what it never used.** At N = 10 the library contender loaded 738 files (13.3 MB) against the
  raw anchor's 485 (11.2 MB):
  - cdk8s-plus-28: 160 ms to load after cdk8s (3 runs), 127–136 ms of it its generated \`imports/k8s.js\` (2.7 MB,
    every Kubernetes 1.28 kind). The library uses 15 kinds of it (and \`IntOrString\`, \`Quantity\`), so
    projenrc/k8s-subset.ts copies those declarations and all they call (TypeScript parser, closure over names)
    into lib/workloads/private/imports/k8s.js: 107 KiB, 7 ms to load. \`Cpu\` is now the library's own class of
    the same shape, so the workloads load no cdk8s-plus-28 code at all.
  - \`VolumeBackupAddOn\` asked \`EbsCsiAddOn\` which add-on a cluster runs, which loaded the k3s and self-managed
    cluster modules (about 60 ms); the lookup is a module of its own now.
  - The \`yaml\` package (26–29 ms) was loaded for a Chart.yaml parse that only self-managed clusters do;
    cdk8s brings its own copy.
  - After: 607 files, 9.3 MB. The consumer test now fails if an EKS app of the packed library loads
    cdk8s-plus-28, a self-managed cluster module or the \`yaml\` package.
- **The undefined-field filter of the generated \`toJson\`** (\`Object.entries(o).reduce((r, i) => ... ({ ...r,
  [i[0]]: i[1] }), {})\`) copies the object once per field. The subset replaces each such call (184 + 9 in two
  forms, found in the syntax tree) with one loop giving the same keys in the same order (property-tested against
  the generated code). Together with the module trims, N = 10000: 12.57 → 11.67 s wall, 13.5 → 12.5 s of user CPU
  (single runs, idle), peak RSS 538 → 477 MiB.
- **The gzip at Helm's level on a second thread, past 4 MiB.** A delivery's first 4 MiB of release JSON (three
  charts of 100 web services) are measured on the main thread; after that a worker thread compresses each release
  while the main thread renders the next chart (the same zlib call; \`Atomics.wait\` where a figure is needed;
  every record is checked before anything is staged). N = 10000: 11.67 → 10.96 s wall (2 runs each), user CPU up
  0.7 s (the thread's own work and a copy of each JSON; it is now moved to the thread instead), peak RSS
  477 → 503 MiB. Deliveries under 4 MiB start no thread.
- **Still the platform's fixed cost at N = 10.** Alternating pairs, idle: 1.21–1.24× the raw anchor's wall time
  (9–11 pairs, min 1.13×), user CPU 1.31×. What the library does there that the anchor does not is the platform:
  88 resources against 39 (the VPC's \`restrictDefaultSecurityGroup\` provider about 90 ms, its flow log about
  45 ms, the add-ons' Pod Identity roles, the backup plan), each costing aws-cdk-lib's usual work. The library's own
  functions take 73 ms of self time at N = 10; bundling its 106 loaded files into one saved about 45 ms (3%) and was
  not kept (file-relative assets, and the lazy index).

## Third pass: fresh memory, and two modules an EKS app did not need (2026-12-02, load 0.4–1.7)

Phase timings with \`process.resourceUsage().minorPageFault\` between the phases, profiles, and alternating pairs:

- **First touches of memory are this VM's largest hidden cost.** Filling a fresh 100 MB buffer takes 580–700 ms,
  filling it again 6 ms: about 6 ms per MB, 24 µs per 4 KiB page (a bare-metal Linux takes well under 1 µs). A
  contender at N = 10 takes 24,000–27,000 page faults, so about 0.6 s of its 1.5 s. Work that allocates fresh
  buffers pays for the memory more than for the work.
- **The release record measurement allocated about 4 MB per chart of 100 services** (a UTF-8 copy of the
  templates, their base64, the escaped manifest, and \`Buffer.concat\` of it all): 22–33 ms per chart, of which
  the writing itself is 3–4 ms. The JSON writer (lib/delivery/private/release-json.ts) now encodes each file
  once into a scratch buffer and writes the JSON straight into one output buffer; the meter keeps both, and two
  shared memory blocks for its thread, reused once the thread has measured a job. Same bytes (a property test
  against \`JSON.stringify\` of the release, into dirty reused buffers). N = 1000: 0.967× (0.87–1.01) the wall
  time of before, CPU 0.955× (6 pairs). N = 10000: page faults 135,000–138,000 → 121,000–123,000, peak RSS
  510–521 → 485–493 MiB (3 single runs each; wall time within the noise, 11.0–12.9 s both).
- **Small releases take Node's own base64 and JSON escaping.** The writer's byte loops are fast once V8 has
  optimized them, but a small delivery's one release runs them cold: 8–9 ms for the 68 KB of 10 web services,
  2 ms with \`toString('base64')\` and \`JSON.stringify\` (releases under 128 KiB of files).
- **Two modules an EKS app loaded for nothing.** aws-ec2's VPC endpoint module (its hundreds of interface-endpoint
  service constants: 13 ms of static initialisers) for the S3 gateway endpoint, which is now the same L1 the L2
  writes (a property test compares both templates over subnet layouts); and aws-eks's 215 kB L1 module although
  aws-eks-v2 has its own copy in recent aws-cdk-lib (the L1 classes come from aws-eks-v2 where it exports them,
  from aws-eks at the floor of the peer range). N = 10: 0.95–0.97× the CPU of before (15 pairs, twice). The
  consumer test refuses both modules in an EKS app.
- **What remains at N = 10 is the platform, in aws-cdk-lib.** With the region facts already loaded, the VPC's
  \`restrictDefaultSecurityGroup\` provider costs 60–80 ms to construct (its module, and staging its handler:
  a fresh temporary copy hashed at every synth, then copied into the assembly) and about as much again at
  synthesis; the flow log about 50 ms; synthesis of 88 resources against 39 about 80 ms more. The stack phase
  takes 14,800 page faults against the anchor's 10,500.

## Fourth pass: each object rendered in one pass (2026-12-03, load 0.6–1.9)

Profiles of the library contender at N = 3000 and 10 (\`node --cpu-prof\`, inclusive times of the main thread)
and alternating runs:

- **cdk8s's \`ApiObject.toJson()\` copied every value twice.** Its \`resolve\` makes a context and a copy of the
  key path for every value and walks up to the app for each, then \`sanitizeValue\` sorts and copies the result
  again; the metadata goes through both once more. At N = 3000 that was 840 ms of the 1,300 ms that rendering the
  charts took, plus much of the 640 ms of garbage collection. The library's kinds (the generated subset,
  projenrc/k8s-subset.ts) now render with \`apiObjectJson\` (lib/workloads/private/api-object-json.ts): one pass
  over plain data, giving the same object. An app with its own resolvers, an object with JSON patches, and any
  value that is not plain data (a \`Lazy\`, a \`resolve()\` method, a class other than \`IntOrString\` and
  \`Quantity\`) are rendered by cdk8s's own \`toJson()\` before anything is produced. Property tests compare the
  two on random values, including those left to cdk8s, and check that plain data never falls back to cdk8s.
- After: rendering the charts at N = 3000 took 730 ms (the one pass 390 ms of it), garbage collection 500 ms.
  N = 10000, two alternating pairs: 11.3 s → 9.3 s wall, 14.6 → 12.8 CPU s; peak RSS 489 → 507 MiB (this run:
  0.42× the raw anchor's wall time, where the run before this change gave 0.51×). N = 10: within
  the noise (9 alternating pairs against the raw anchor: 1.27× before, 1.25× after). Every file of the cloud
  assembly at N = 3000 and 10000 is the same (stack traces in the metadata aside), and so are the test suites'
  snapshots.
- **N = 10 is at the edge of its target, 1.2× the raw anchor.** This run gave 1.17× (7 pairs) and a full run
  before it 1.18× (7 pairs, load 0.7–1.9); a run of 15 pairs in between (\`--sizes 10 --runs 15 --only
  lib,anchor\`, load 0.6) gave 1.22× (1.04–1.53). The CPU ratio stays near 1.3× (1.28×, 1.22×, 1.30×). The gap is
  still the platform: turning the volume backup off saves about 45 ms of CPU (10 alternating runs, 1.02 → 0.98 s),
  and the VPC's default security group restriction about 50 ms to construct. The public API exposes the backup's
  aws-backup L2 constructs, and the restriction is a security default that an L1 replacement would undo on
  upgrade (the old handler re-opens the default group when CloudFormation deletes it), so neither was changed.

## Fifth pass: N = 10000 with aws-cdk-lib's validation on (2026-12-03, load 0.0–2.8)

The full runs now measure N = 10000 with aws-cdk-lib's built-in CloudFormation validation on (its default) as well.
Two full runs (16:50, load 1.7–2.8, while other work ran; 17:15, idle at the start) and a profile at N = 3000:

- **Validation off, every target was met in the idle run**, two of them at their edge: N = 10000 0.50× the raw
  anchor (0.46–0.51; the busier run 0.47×, the earlier runs 0.42× and 0.48×), N = 10 1.17× (0.89–1.37; the busier
  run 1.22×). Peak memory at N = 10000 stays under 500 MiB (493 MiB, 495 MiB).
- **Validation on, N = 10000 misses both marks:** 0.59× and 0.60× the raw anchor's wall time, 796 and 806 MiB. The
  validation is aws-cdk-lib's own fixed cost, the same for every app: its engine (@aws/cloudformation-validate,
  WebAssembly) loads the schema of every resource type in the templates before it checks one. In the profile at
  N = 3000, validation took 3.6 s of the run: 2.7 s starting the engine, 0.7 s checking the one template, and about
  170 MiB outside the JavaScript heap; at N = 10 it already costs 3–4 s and 335 MiB (117 → 453 MiB), where the
  library's own synthesis takes 0.8 s. A constant of that size added to both sides pulls every ratio toward 1, and
  the engine's memory adds to the library's 490 MiB of objects; the library still stays under the raw anchor
  (0.89× its peak memory). \`CDK_VALIDATION=false\` keeps a 10,000-service synthesis under 8 s and 500 MiB.

## Sixth pass: the delivery lets go of the chart files (2026-12-04, load 0.5–2.3)

\`node --trace-gc\`, \`process.memoryUsage()\` around aws-cdk-lib's validation and heap snapshots (N = 1000 and
10000, after a full GC) of the library contender with validation on:

- **What validation meets.** aws-cdk-lib validates after the whole app is built. At that point the JavaScript heap
  held 258 MiB of live objects:
  - the 10,000 services' cdk8s constructs, which the app holds, 158 MiB;
  - the platform stack, 26 MiB;
  - the delivery, 75 MiB. Of that, 66 MB was every chart's rendered YAML, still reachable through
    \`releases[].chart.files\`.

  The engine then adds 163–172 MiB outside the heap plus its compiled code. While it grows, V8 ran eight full
  collections of that live heap, about 2 s of marking.
- **Two changes (f26e2c9, bec7b15).**
  - A staged chart (\`ChartRelease.chart\`, \`HelmChartDelivery.chart\`) keeps only its file paths. \`files\` reads
    the contents back from the staged asset directory.
  - \`HelmChartReleases\` writes each chart's files (under a temporary name, nothing staged yet) as soon as its
    record is checked. It renames them into place once every chart is checked, so a delivery never holds more
    than one chart's files. A chart refused later still leaves nothing in the assembly.
  - The assets are the same bytes and the same hashes. The tests read every staged chart back and compare it with
    the chart rendered in memory.
- **After.** The live heap during validation is 193 MiB; the delivery keeps 9 MiB of it.
  - N = 10000, validation on: peak 796 → 696–715 MiB in three runs (0.78–0.80× the raw anchor's), wall
    0.59× → 0.52–0.56× the raw anchor's.
  - Validation off: 0.45–0.49× in three runs, at 485–495 MiB.
- **What is left of the 600 MiB mark with validation on is not the library's.**
  - The engine alone adds 335 MiB to a 10-service app (117 → 450 MiB).
  - cdk8s holds 13.8 KiB per service for the same objects built as plain \`ApiObject\`s (10,000 services:
    138 MiB). The library's \`WebService\` holds 16.4 KiB.
  - V8 keeps its heap above the live set, so the app's own objects cannot fit in what the engine leaves of
    600 MiB while the app holds every chart.
  - Staying under that mark needs charts that are built, delivered and dropped one at a time (a chart factory
    for \`addWorkloads\`). The Helm-asset anchor works that way: 456 MiB.
- **N = 10 is above its 1.2× mark in this run:** 1.30× (7 pairs, load 1.3–2.3).
  - A separate run of 15 pairs gave 1.28×.
  - Two sets of 12 alternating triples compared the commit before these changes (243319b), this one and the
    anchor. They gave 1.20× and 1.26× before, 1.26× and 1.27× after: the same within the noise.
  - The idle run before (1.17×) was at the low end; the CPU ratio stays at 1.2–1.3×.
  - The cause is unchanged: the platform's 88 resources against 39. The VPC's default security group restriction
    alone costs 90 ms to construct, 70 ms of it loading aws-cdk-lib's region facts (which the anchor loads later
    anyway).`;

/**
 * What the profiles of issue 15 (10,000 services in one app) showed and what was changed (hand-written; single
 * runs on this machine on 2026-12-02, load 12–17 on 2 cores, so CPU seconds, not wall seconds).
 */
const PROFILE_FINDINGS_15 = `## Where the time went at 10,000 services (profiles of 2026-12-02)

Profiles of the library contender alone (\`npm run bench -- --cpu-prof --only lib --sizes 1000,10000\`, and
\`node --heap-prof\` / \`process.memoryUsage()\` between the phases of the contender script), 100 \`PlatformChart\`s of
100 \`WebService\`s in one \`addWorkloads\` call. The machine was shared (load 12–17 on 2 cores), so the figures
are CPU seconds (user + system) of single runs; every change left the cloud assembly byte for byte the same
(every file of the library contender's output at N = 1000 and 10000, and of the bundled app, compared before and after).

- **Rendering the charts was quadratic.** \`synthesizeManifests\` called cdk8s's \`chart.toJson()\` once per chart,
  and \`toJson()\` resolves the dependencies of the *whole* cdk8s app and runs *every* validation of it before it
  renders its one chart: 100 charts cost 100 passes over 10,000 services, 36 s of a 58 s profile
  (\`constructs\` \`findAll\`, \`PlatformChart\` duplicate checks and cdk8s's dependency resolution). The first
  chart of each app now takes that pass and the others are rendered as \`toJson()\` renders them after it.
  N = 10000: 48.5 → 26.9 CPU s.
- **The release-record estimate** built the release JSON as one string (base64 strings of the templates, the
  joined manifest) and encoded it again: it is built from buffers now (base64 written straight into bytes, the
  manifest escaped per template), 31 → 11 ms per chart of 100 services, before the gzip at Helm's level (18 ms),
  which stays.
- **Every chart's objects were held at once**: \`addWorkloads\` (\`HelmChartReleases\`) rendered all charts before
  measuring the first. It takes them one at a time now and keeps of each only its files (which \`releases\`
  exposes), its CRDs and its kinds; every release is still measured before any is staged. With the estimate:
  N = 10000: 26.9 → 21.2 CPU s.
- What remains at N = 10000 (heap after a full GC): aws-cdk-lib's platform stack 40 MiB, the 10,000 \`WebService\`s'
  constructs 190 MiB more, the delivery 100 MiB more (the chart files, 65 MB of YAML, stayed reachable through
  \`releases[].chart.files\`; since the sixth pass they stay on disk). Peak RSS then depends on when V8 collects under load: 489 and 637 MiB in two runs
  of the same build.`;

/**
 * What the profiles showed and what was changed (hand-written; measured on this machine on 2026-11-22 with
 * `npm run bench -- --cpu-prof` and in-process phase timings, with the contenders of that day: one chart of N
 * services, N ≤ 1000).
 */
const PROFILE_FINDINGS = `## Where the time went (profiles of 2026-11-22)

Profiles (\`npm run bench -- --cpu-prof --only lib,anchor --sizes 10\`) and phase timings at 10 services (\`performance.now()\`
around each phase of the two contender scripts, medians of 9 runs; not part of the script), library vs raw aws-eks-v2: loading 73 vs 75 ms, building the stack 241 vs 182 ms, the workloads 40 vs
18 ms, synthesis 77 vs 59 ms. The difference is aws-cdk-lib's work on the resources the library adds (78 against
39: a three-AZ VPC with flow logs and an S3 endpoint, a KMS key, six pinned add-ons, Pod Identity roles, the ALB
controller, Cluster Autoscaler, External Secrets) and the Helm chart asset.

Found in those profiles and fixed then (before → after, measured that day on this machine):

- **Inline source maps** (projen's default) made every compiled file three times its size: an EKS app loaded
  1.2 MB of the library's JavaScript instead of 0.4 MB. Source maps are separate \`.js.map\` files since.
- **Eager \`index.js\` files** loaded every module (k3s, kubeadm, guards) whatever an app used. They load a
  module on first use since, as aws-cdk-lib's do (projenrc/lazy-exports.ts): the library's own loading went from 47 to 35 ms.
- **The deployment budget rendered every template twice** (once to check it, once to write it); checking the
  template synthesis writes took 543 → 528 ms (median of 12 runs, 10 services).
- **The YAML fast path loaded the \`yaml\` library** to quote strings such as \`"1.27"\`; quoting them directly
  (checked against the library by a property test) took the workloads phase from 55 to 40 ms.
- **The Helm release-record estimate** compressed at the fastest level first, which compresses base64 so poorly
  that 1000 services always needed a second pass; starting at zlib's default level took it from 248 to 89 ms
  (the estimate was reworked again for issue 15: one record per chart).
- The chart asset reuses the chart's content hash instead of hashing the directory again.`;

function contendersTable(): string {
  return markdownTable([['id', 'what runs'],
    ['lib, lib-v', 'this library from compiled JS (`dist/`): `new EksPlatformStack(app, \'acme-eks\', { platformName: \'acme\' })` (VPC, EKS with pinned add-ons, ALB controller, Cluster Autoscaler) and N `WebService`s (Deployment, Service, HPA, PDB, Ingress, NetworkPolicy) in `PlatformChart`s of 100 services, all delivered by ONE `cluster.addWorkloads(\'apps\', charts)` call — bench/contenders/library-eks.ts'],
    ['anchor, anchor-v', 'raw aws-eks-v2 as the aws-cdk docs show it: `Cluster` (kubectl layer v35) + managed node group + one `addCdk8sChart` per chart of 100 cdk8s-plus-28 services (Deployment + Service + HPA + Ingress): every chart inlined into a custom resource — bench/contenders/anchor-eks-v2.ts'],
    ['anchor-helm, anchor-helm-v', 'the fair anchor for output that deploys, what a skilled user writes without this library: the same raw aws-eks-v2 cluster and the same charts of 100 cdk8s-plus-28 services, each chart synthesized by cdk8s into its own Helm chart directory, shipped as an S3 `Asset` and installed with `cluster.addHelmChart({ chartAsset })` (one release per chart) — bench/contenders/anchor-helm.ts'],
    ['blueprints', '@aws-quickstart/eks-blueprints with 7 add-ons (vpc-cni, coredns, kube-proxy, EBS CSI, metrics-server, AWS Load Balancer Controller, Cluster Autoscaler), every version pinned (hermetic), + one `addCdk8sChart` per chart of 100 services — bench/contenders/blueprints.ts, run from an install of test/blueprints-app (the exact aws-cdk-lib 2.261 eks-blueprints pins, which has no built-in validation)'],
    ['cdk8s-plus', 'cdk8s-plus-28 alone writing the same services to YAML — bench/contenders/cdk8s-plus.ts'],
    ['cli-version', '`npx cdk --version`: npx and loading the CDK CLI'],
    ['cli', 'the CDK CLI\'s own start-up: `npx cdk synth` of an app that copies a ready-made cloud assembly of one empty stack (no aws-cdk-lib loaded) — bench/contenders/cli-empty-app.ts'],
    ['app', 'the bundled app (bin/app.ts: EKS and k3s platform stacks with the sample workloads) with the README command `npx cdk synth` (cdk.json: `node --import tsx bin/app.ts`), validation on (the default)'],
    ['app-no-validation', 'the same with `CDK_VALIDATION=false`'],
    ['app-ts-node', 'the same app with a cdk-init style app command: `npx cdk synth --app "npx ts-node --prefer-ts-exts bin/app.ts"` (type-checks on every synth)']]);
}

/** docs/benchmarks.md. */
export function markdownReport(ctx: RunContext, jobs: JobResult[], notes: string[]): string {
  const sizes = ctx.options.sizes;
  const targets = checkTargets(jobs);
  const mark = (m: boolean | undefined) => (m === undefined ? 'not measured' : m ? 'met' : '**missed**');
  const versions = Object.entries(ctx.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  const o = ctx.options;
  return `# Benchmarks

Synthesis speed, memory and scale of this library against what teams write today, measured **in one run on the
same machine**, each run a whole process. Generated by \`npm run bench\` (bench/run.ts); do not edit by hand.

- Date: ${ctx.date}
- Machine: ${ctx.machine.cores} cores (${ctx.machine.cpuModel}), ${ctx.machine.memoryGiB.toFixed(1)} GiB memory, ${ctx.machine.os}, Node ${ctx.machine.node}
- Load average (1/5/15 min) before: ${ctx.loadBefore.map(x => x.toFixed(2)).join(' / ')}; after: ${ctx.loadAfter?.map(x => x.toFixed(2)).join(' / ') ?? '–'} (other work on the machine makes absolute times noisy; the paired ratios are the headline)
- Library: ${ctx.library}
- Versions: ${versions}
- Runs: ${o.runs} measured runs per contender at N ≤ 100 and for the CLI and app commands, ${o.runsLarge} at N = 1000, ${o.runsHuge} above; one warm-up run per contender script before its first measured run (the validation-on contenders reuse the warm-up of their script); peak memory from ${ctx.peakSource}
- Duration of the whole run: ${ctx.durationSeconds !== undefined ? `${(ctx.durationSeconds / 60).toFixed(1)} min` : '–'}

**How to read the ratios.** All contenders of one size run in repetitions; in each repetition every contender
runs once, in one order on even repetitions and the reverse on odd ones, so the library and each anchor run
side by side with their order alternating. A ratio is the **median of the per-repetition ratios**, with their
min–max in parentheses (not a ratio of medians). Below 1 the library is faster or smaller. *CPU* is user + system
time of the whole process tree (GNU time \`%U\` + \`%S\`): on a machine shared with other work, wall time mostly
measures waiting for a core, while CPU time hardly moves, so the CPU ratios are the better guide to the ratios on an
idle machine. The targets are stated in wall time and judged on it.

**Validation** is aws-cdk-lib's built-in "CloudFormation Validate" plugin (aws-cdk-lib 2.262 and later), which runs
at every \`app.synth()\` unless \`CDK_VALIDATION=false\`: *off* and *on* below say which.

## Headline: library / aws-eks-v2 anchors, validation off (\`CDK_VALIDATION=false\`)

${markdownTable(ratioRows(jobs, sizes, 'off'))}

## Headline: library / aws-eks-v2 anchors, validation on (aws-cdk-lib's default)

${markdownTable(ratioRows(jobs, sizes, 'on'))}

## Targets

${markdownTable([['target', 'measured', 'result'], ...targets.map(t => [t.target, t.measured, mark(t.met)])])}

## The CDK CLI, measured apart

The sized contenders above run as \`node contender.js\` (the app process alone). \`npx cdk synth\` adds the CLI:
npx, loading the CLI, starting the app as a child process and reading the cloud assembly back. Its start-up is
measured with an app that does no work, and *app cost* is each command's wall time minus the CLI start-up of the
same repetition.

${markdownTable(cliRows(jobs))}

## All contenders

${markdownTable(tableRows(jobs))}

Columns: *wall* is spawn to exit of the whole process; *peak RSS* is the largest resident set of one process
of the run (GNU time \`%M\`); *tree peak* is the largest sum of resident sets of all processes of the run at one
moment, sampled every 100 ms (the CDK CLI runs the app as a child process, so CI holds both at once);
*largest template* is the largest CloudFormation template file; *largest CR properties* is the JSON of the
\`Properties\` of the largest custom resource (\`Custom::*\`, \`AWS::CloudFormation::CustomResource\`);
*Helm releases* counts the \`Custom::AWSCDK-EKS-HelmChart\` resources that install a chart asset of the assembly,
with the largest release record among them; *resources* is the total over all stacks (largest stack in
parentheses). *Would deploy* checks every template against ${QUOTAS.templateBytes.toLocaleString('en-US')} bytes (1 MiB), ${QUOTAS.resourcesPerStack} resources,
${QUOTAS.outputsPerStack} outputs and ${QUOTAS.parametersPerStack} parameters per stack; every custom resource's update event (old and new
properties plus ${QUOTAS.eventEnvelopeBytes.toLocaleString('en-US')} bytes of envelope, as \`DeploymentBudget\` counts it) against the
${QUOTAS.customResourcePropertiesBytes.toLocaleString('en-US')}-byte Lambda Event payload; every Helm release name against Helm's ${QUOTAS.helmReleaseNameLength}-character DNS-1123 label;
and every chart asset's **Helm release record** against the ${QUOTAS.helmReleaseRecordBytes.toLocaleString('en-US')} bytes of a Secret's data: the record is
computed from the staged chart the way Helm's \`encodeRelease\` stores it (the release JSON with the chart's
templates in base64 and the rendered manifest, gzip at the best level, base64), independently of the library's
own estimate.

## The contenders

${contendersTable()}

The sized contenders are compiled to JavaScript before the run (bench/results/build), so no TypeScript compiler
runs while they are measured. Every run gets a fresh scratch directory under bench/results/scratch for its
outdir and its \`TMPDIR\` (nothing is written to the system temp directory); what a run leaves in its \`TMPDIR\`
is counted (see the notes) and the directory is deleted after the output is analysed.

${notes.length > 0 ? `## Notes\n\n${notes.map(n => `- ${n}`).join('\n')}\n\n` : ''}${PROFILE_FINDINGS_SPEED}

${PROFILE_FINDINGS_15}

${PROFILE_FINDINGS}

## Rerun

\`\`\`sh
npm ci
npm run bench                                    # everything (about 25 minutes on 2 cores); writes this file
npm run bench -- --runs 3 --runs-large 2 --runs-huge 1   # quicker, noisier
npm run bench -- --sizes 10,100 --only lib,anchor,anchor-helm   # partial runs write bench/results/benchmarks.md only
npm run bench -- --cpu-prof --only lib --sizes 1000   # profile: top frames of a run
npm run bench -- --report --docs                 # render the last run again (after editing the report's text)
\`\`\`
`;
}

/**
 * The benchmark's results as a console table and as docs/benchmarks.md.
 */
import { fmtBytes, OutputFigures, QUOTAS } from './assembly';
import { median, RunSample } from './measure';

/** One contender at one size, with its measured runs. */
export interface JobResult {
  /** Contender id (`lib`, `anchor`, ...). */
  readonly contender: string;
  readonly title: string;
  /** Services (undefined for the bundled app). */
  readonly n?: number;
  /** Runs asked for (after the warm-up). */
  readonly plannedRuns: number;
  readonly samples: RunSample[];
  warmup?: RunSample;
  figures?: OutputFigures;
  error?: string;
}

/** Machine, versions and load around the run. */
export interface RunContext {
  readonly date: string;
  readonly machine: { cores: number; cpuModel: string; memoryGiB: number; node: string; os: string };
  readonly versions: Record<string, string>;
  readonly library: string;
  readonly loadBefore: number[];
  loadAfter?: number[];
  readonly options: { runs: number; runsLarge: number; sizes: number[]; only: string[] };
  readonly peakSource: string;
  durationSeconds?: number;
}

/** One target and whether the run met it. */
export interface TargetCheck { readonly target: string; readonly measured: string; readonly met: boolean | undefined }

const MIB = 1024;

/** Median wall seconds of a job. */
export function wall(j: JobResult | undefined): number {
  return j && j.samples.length > 0 ? median(j.samples.map(s => s.wallSeconds)) : NaN;
}

/** Median peak RSS of a job, MiB. */
export function peakMiB(j: JobResult | undefined): number {
  return j && j.samples.length > 0 ? median(j.samples.map(s => s.peakRssKiB)) / MIB : NaN;
}

function treeMiB(j: JobResult): number {
  return j.samples.length > 0 ? median(j.samples.map(s => s.treePeakKiB)) / MIB : NaN;
}

function range(j: JobResult): string {
  if (j.samples.length === 0) return '';
  const w = j.samples.map(s => s.wallSeconds);
  return `${Math.min(...w).toFixed(2)}–${Math.max(...w).toFixed(2)}`;
}

function num(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

/** The main table's rows (header first). */
export function tableRows(jobs: JobResult[]): string[][] {
  const header = ['contender', 'N', 'runs', 'wall median s', 'wall min–max s', 'peak RSS MiB', 'tree peak MiB',
    'largest template', 'largest CR properties', 'resources (max/stack)', 'would deploy'];
  const rows = jobs.map(j => {
    const f = j.figures;
    const runs = j.error ? 'failed' : `${j.samples.length}${j.samples.length < j.plannedRuns ? ` of ${j.plannedRuns}` : ''}`;
    const deploy = j.error ? `error: ${j.error.split('\n')[0].slice(0, 80)}`
      : !f ? '–'
        : f.kind === 'yaml' ? `n/a (YAML only, ${fmtBytes(f.yamlBytes)})`
          : f.wouldDeploy ? 'yes' : `**no**: ${f.problems.slice(0, 2).join('; ')}${f.problems.length > 2 ? `; +${f.problems.length - 2} more` : ''}`;
    const cfn = f && f.kind === 'cloud-assembly';
    return [
      j.title, j.n === undefined ? 'app' : String(j.n), runs,
      num(wall(j), 2), range(j), num(peakMiB(j), 0), num(treeMiB(j), 0),
      cfn ? fmtBytes(f.largestTemplateBytes) : '–',
      cfn ? (f.largestCustomResourceBytes > 0 ? fmtBytes(f.largestCustomResourceBytes) : 'none') : '–',
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

/** Finds the job of a contender at a size. */
export function find(jobs: JobResult[], contender: string, n?: number): JobResult | undefined {
  return jobs.find(j => j.contender === contender && j.n === n && !j.error);
}

/** Rows of the ratio table: library / anchor (and / blueprints) at each size. */
export function ratioRows(jobs: JobResult[], sizes: number[]): string[][] {
  const header = ['N', 'wall library / aws-eks-v2 anchor', 'peak RSS library / aws-eks-v2 anchor', 'wall library / eks-blueprints', 'peak RSS library / eks-blueprints'];
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');
  return [header, ...sizes.map(n => {
    const lib = find(jobs, 'lib', n);
    const anchor = find(jobs, 'anchor', n);
    const bp = find(jobs, 'blueprints', n);
    return [String(n), ratio(wall(lib), wall(anchor)), ratio(peakMiB(lib), peakMiB(anchor)), ratio(wall(lib), wall(bp)), ratio(peakMiB(lib), peakMiB(bp))];
  })];
}

/** The issue's targets, checked against this run (undefined: not measured in this run). */
export function checkTargets(jobs: JobResult[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const n of [10, 1000]) {
    const lib = find(jobs, 'lib', n);
    const anchor = find(jobs, 'anchor', n);
    const t = wall(lib) / wall(anchor);
    const m = peakMiB(lib) / peakMiB(anchor);
    out.push({
      target: `library wall time ≤ 1.25 × aws-eks-v2 anchor at N = ${n}`,
      measured: Number.isFinite(t) ? `${t.toFixed(2)}× (${wall(lib).toFixed(2)} s vs ${wall(anchor).toFixed(2)} s)` : 'not measured',
      met: Number.isFinite(t) ? t <= 1.25 : undefined,
    });
    out.push({
      target: `library peak memory ≤ 1.25 × aws-eks-v2 anchor at N = ${n}`,
      measured: Number.isFinite(m) ? `${m.toFixed(2)}× (${peakMiB(lib).toFixed(0)} MiB vs ${peakMiB(anchor).toFixed(0)} MiB)` : 'not measured',
      met: Number.isFinite(m) ? m <= 1.25 : undefined,
    });
  }
  const big = find(jobs, 'lib', 1000);
  out.push({
    target: 'library at N = 1000 deploys within every CloudFormation and Lambda quota',
    measured: big?.figures ? (big.figures.wouldDeploy
      ? `yes: template ${fmtBytes(big.figures.largestTemplateBytes)}, ${big.figures.maxResourcesPerStack} resources, largest CR properties ${fmtBytes(big.figures.largestCustomResourceBytes)}`
      : `no: ${big.figures.problems.join('; ')}`) : 'not measured',
    met: big?.figures ? big.figures.wouldDeploy : undefined,
  });
  // the library's own cost: aws-cdk-lib's built-in validation (on by default) is reported beside it
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
 * What the profiles showed and what was changed (hand-written; the figures were measured on this machine with
 * `npm run bench -- --cpu-prof` and in-process phase timings, 2026-11-22).
 */
const PROFILE_FINDINGS = `## Where the time goes

Profiles (\`npm run bench -- --cpu-prof --only lib,anchor --sizes 10\`) and phase timings at 10 services (\`performance.now()\`
around each phase of the two contender scripts, medians of 9 runs; not part of the script), library vs anchor: loading 73 vs 75 ms, building the stack 241 vs 182 ms, the workloads 40 vs
18 ms, synthesis 77 vs 59 ms. The difference is aws-cdk-lib's work on the resources the library adds (78 against
39: a three-AZ VPC with flow logs and an S3 endpoint, a KMS key, six pinned add-ons, Pod Identity roles, the ALB
controller, Cluster Autoscaler, External Secrets) and the Helm chart asset.

Found in the profiles of 2026-11-22 and fixed (before → after, measured that day on this machine):

- **Inline source maps** (projen's default) made every compiled file three times its size: an EKS app loaded
  1.2 MB of the library's JavaScript instead of 0.4 MB. Source maps are now separate \`.js.map\` files.
- **Eager \`index.js\` files** loaded every module (k3s, kubeadm, guards) whatever an app used. They now load a
  module on first use, as aws-cdk-lib's do (projenrc/lazy-exports.ts): the library's own loading went from 47 to 35 ms.
- **The deployment budget rendered every template twice** (once to check it, once to write it). It now checks the
  template synthesis writes: 543 → 528 ms (median of 12 runs, 10 services).
- **The YAML fast path loaded the \`yaml\` library** to quote strings such as \`"1.27"\` (an image tag in the version
  label). Such strings are now quoted directly, checked against the library by a property test: the workloads
  phase went from 55 to 40 ms.
- **The Helm release-record estimate** compressed at the fastest level first, which compresses base64 so poorly
  that 1000 services always needed a second pass at the best level. It now starts at zlib's default level:
  248 → 89 ms and about 20 MiB less peak memory at 1000 services.
- The chart asset reuses the chart's content hash instead of hashing the directory again.

Together, on a quiet machine: 10 services 1.28× → 1.19× the anchor's time; 1000 services 1.15× → 1.01× the time
and 1.22× → 1.15× the peak memory.`;

/** docs/benchmarks.md. */
export function markdownReport(ctx: RunContext, jobs: JobResult[], notes: string[]): string {
  const sizes = ctx.options.sizes;
  const targets = checkTargets(jobs);
  const mark = (m: boolean | undefined) => (m === undefined ? 'not measured' : m ? 'met' : '**missed**');
  const versions = Object.entries(ctx.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  return `# Benchmarks

Synthesis speed, memory and scale of this library against the tools teams use today, measured **in one run on
the same machine**, contenders alternating (round-robin, the order rotated every repetition), each run a whole
process. Generated by \`npm run bench\` (bench/run.ts); do not edit by hand.

- Date: ${ctx.date}
- Machine: ${ctx.machine.cores} cores (${ctx.machine.cpuModel}), ${ctx.machine.memoryGiB.toFixed(1)} GiB memory, ${ctx.machine.os}, Node ${ctx.machine.node}
- Load average (1/5/15 min) before: ${ctx.loadBefore.map(x => x.toFixed(2)).join(' / ')}; after: ${ctx.loadAfter?.map(x => x.toFixed(2)).join(' / ') ?? '–'} (other work on the machine makes absolute times noisy; ratios within one run are the headline)
- Library: ${ctx.library}
- Versions: ${versions}
- Runs: median of ${ctx.options.runs} measured runs after one warm-up run per contender and size${ctx.options.runsLarge !== ctx.options.runs ? ` (${ctx.options.runsLarge} for N = 1000 of the contenders other than the library and the anchor)` : ''}; peak memory from ${ctx.peakSource}
- Duration of the whole run: ${ctx.durationSeconds !== undefined ? `${(ctx.durationSeconds / 60).toFixed(1)} min` : '–'}

## Headline: library / raw aws-eks-v2 anchor

${markdownTable(ratioRows(jobs, sizes))}

## Targets

${markdownTable([['target', 'measured', 'result'], ...targets.map(t => [t.target, t.measured, mark(t.met)])])}

## All contenders

${markdownTable(tableRows(jobs))}

Columns: *wall* is spawn to exit of the whole process; *peak RSS* is the largest resident set of one process
of the run (GNU time \`%M\`); *tree peak* is the largest sum of resident sets of all processes of the run at one
moment, sampled every 100 ms (the CDK CLI runs the app as a child process, so CI holds both at once);
*largest template* is the largest CloudFormation template file; *largest CR properties* is the JSON of the
\`Properties\` of the largest custom resource (\`Custom::*\`, \`AWS::CloudFormation::CustomResource\`);
*resources* is the total over all stacks (largest stack in parentheses). *Would deploy* checks every template
against ${QUOTAS.templateBytes.toLocaleString('en-US')} bytes (1 MiB), ${QUOTAS.resourcesPerStack} resources, ${QUOTAS.outputsPerStack} outputs and
${QUOTAS.parametersPerStack} parameters per stack, and every custom resource's update event (old and new properties
plus ${QUOTAS.eventEnvelopeBytes.toLocaleString('en-US')} bytes of envelope, as \`DeploymentBudget\` counts it) against the
${QUOTAS.customResourcePropertiesBytes.toLocaleString('en-US')}-byte Lambda Event payload.

## The contenders

| id | what runs |
| --- | --- |
| lib | this library from compiled JS (\`dist/\`): \`new EksPlatformStack(app, 'acme-eks', { platformName: 'acme' })\` (VPC, EKS with pinned add-ons, ALB controller, Cluster Autoscaler) and N \`WebService\`s (Deployment, Service, HPA, PDB, Ingress, NetworkPolicy) in one \`PlatformChart\`, delivered with \`cluster.addWorkloads\` as a Helm chart S3 asset — bench/contenders/library-eks.ts |
| anchor | aws-eks-v2 \`Cluster\` (kubectl layer v35) + managed node group + \`addCdk8sChart\` of N cdk8s-plus-28 services (Deployment + Service + HPA + Ingress) — bench/contenders/anchor-eks-v2.ts |
| blueprints | @aws-quickstart/eks-blueprints with 7 add-ons (vpc-cni, coredns, kube-proxy, EBS CSI, metrics-server, AWS Load Balancer Controller, Cluster Autoscaler), every version pinned (hermetic), + \`addCdk8sChart\` of the same N services — bench/contenders/blueprints.ts, run from an install of test/blueprints-app (the exact aws-cdk-lib eks-blueprints pins) |
| cdk8s-plus | cdk8s-plus-28 alone writing the same N services to YAML — bench/contenders/cdk8s-plus.ts |
| app | the bundled app (bin/app.ts: EKS and k3s platform stacks with the sample workloads) with the README command \`npx cdk synth\` (cdk.json: \`node --import tsx bin/app.ts\`), aws-cdk-lib's built-in CloudFormation validation on (its default) |
| app-no-validation | the same with \`CDK_VALIDATION=false\` (what the validation costs is the difference) |
| app-ts-node | the same app with a cdk-init style app command: \`npx cdk synth --app "npx ts-node --prefer-ts-exts bin/app.ts"\` (type-checks on every synth) |

Contenders 1–4 are compiled to JavaScript before the run (bench/results/build), so no TypeScript compiler runs
while they are measured, and run with \`CDK_VALIDATION=false\`: aws-cdk-lib's built-in CloudFormation validation
(2.262 and later) is a fixed cost of its own, not the contenders' synthesis, and eks-blueprints' pinned 2.261
has none. The app contenders measure their runner on purpose. Every run writes into a fresh
temporary directory, which is analysed and deleted.

${notes.length > 0 ? `## Notes\n\n${notes.map(n => `- ${n}`).join('\n')}\n\n` : ''}${PROFILE_FINDINGS}

## Rerun

\`\`\`sh
npm ci
npm run bench                                  # everything, 5 runs each (2–3 minutes on 2 cores); writes this file
npm run bench -- --runs 9                      # steadier medians (about 4 minutes)
npm run bench -- --runs 3 --sizes 10,100       # quicker; partial runs write bench/results/benchmarks.md only
npm run bench -- --only lib,anchor --sizes 1000
npm run bench -- --cpu-prof --only lib --sizes 1000   # profile: top frames of a run
npm run bench -- --report --docs               # render the last run again (after editing the report's text)
\`\`\`
`;
}

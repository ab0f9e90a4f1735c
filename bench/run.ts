/**
 * The benchmark: synthesis speed, peak memory and scale of this library against the anchors, in one run on
 * one machine. Run with `npm run bench` (options after `--`):
 *
 *   --runs N          measured runs per contender at N <= 100 (default 7; the CLI and app commands: at most 5)
 *   --runs-large N    measured runs at 100 < N <= 1000 (default 5)
 *   --runs-huge N     measured runs at N > 1000 (default 3)
 *   --sizes 10,100    service counts (default 10,100,1000,3000,10000)
 *   --validation-sizes 10,1000  sizes of the validation-on contenders (default 10,1000,10000)
 *   --only lib,anchor contenders (default: all): lib, anchor, anchor-helm (validation off), lib-v, anchor-v,
 *                     anchor-helm-v (validation on), blueprints, cdk8s-plus, cli-version, cli, app,
 *                     app-no-validation, app-ts-node
 *   --docs / --no-docs  write docs/benchmarks.md (default: only for a full run without --only/--sizes)
 *   --working-tree    measure the library and bundled app of the working tree (default: a copy of the
 *                     committed HEAD in bench/results/head, so uncommitted work neither breaks nor colours a run)
 *   --commit REF      the commit to copy (default HEAD)
 *   --skip-compile    use the existing copy and its dist/ instead of copying and compiling again
 *   --cpu-prof        instead of measuring, run each selected job once under `node --cpu-prof` and print
 *                     the profile's top frames (bench/results/profiles/); the app contenders are profiled
 *                     as the app process alone (what the CDK CLI runs), without the CLI
 *   --timeout S       kill a run after S seconds (default 600)
 *   --report          measure nothing: render the report again from bench/results/last-run.json (after an
 *                     edit of the report's text; with --docs it rewrites docs/benchmarks.md)
 *
 * Sizes run one after another; within a size, every contender runs once per repetition, the order reversed
 * on every other repetition, and ratios are medians of per-repetition ratios (bench/private/report.ts).
 * Each run gets its own outdir and TMPDIR under bench/results/scratch (nothing in the system temp directory).
 *
 * The blueprints contender runs on the versions eks-blueprints pins (aws-cdk-lib 2.261.0), not on this tree's:
 * the run installs test/blueprints-app into bench/results/blueprints-app (`npm ci`, again only when its lock
 * file changes) and runs the contender from there.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// The benchmark compiles its contender scripts with the project's TypeScript (a devDependency, like the runner).
import * as ts from 'typescript'; // eslint-disable-line import/no-extraneous-dependencies
import { analyzeOutput, fmtBytes } from './private/assembly';
import { formatSummary, summarizeProfile } from './private/cpu-profile';
import { Command, hasGnuTime, measure, RunSample } from './private/measure';
import { checkTargets, consoleTable, find, JobResult, markdownReport, peakMiB, ratioRows, RunContext, Sample, tableRows, wall } from './private/report';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const BUILD = path.join(RESULTS, 'build');
/**
 * The blueprints contender runs from an install of test/blueprints-app (the exact versions eks-blueprints
 * pins, older than this tree's aws-cdk-lib): its script is transpiled next to that node_modules.
 */
const BLUEPRINTS_APP = path.join(RESULTS, 'blueprints-app');
const BLUEPRINTS_FIXTURE = path.join(ROOT, 'test', 'blueprints-app');
/** The contender that runs from {@link BLUEPRINTS_APP}, and the files it needs. */
const BLUEPRINTS_CONTENDER = ['blueprints.ts', path.join('private', 'plus-services.ts')];
/**
 * The tree whose library (dist/) and bundled app are measured: by default a copy of the committed HEAD
 * (`git archive`, node_modules linked), so work in progress in the working tree neither breaks nor colours a
 * run; with --working-tree, the working tree itself.
 */
const HEAD_TREE = path.join(RESULTS, 'head');
const subject = { root: HEAD_TREE, head: true, commit: 'HEAD' };
const DEFAULT_SIZES = [10, 100, 1000, 3000, 10000];
/** Per-run scratch directories (the run's outdir and its TMPDIR): nothing is written to the system temp directory. */
const SCRATCH = path.join(RESULTS, 'scratch');
/** A cloud assembly of one empty stack, copied by the "cli" contender's app (see bench/contenders/cli-empty-app.ts). */
const EMPTY_ASSEMBLY = path.join(BUILD, 'empty-assembly');

/** A program that is measured. */
interface Contender {
  readonly id: string;
  readonly title: string;
  /** Takes N services (otherwise it runs once per repetition in the "app" group). */
  readonly sized: boolean;
  /** aws-cdk-lib's built-in CloudFormation validation: on, off, or not applicable (no aws-cdk-lib app). */
  readonly validation: 'on' | 'off' | 'n/a';
  /** Largest N it runs at (the secondary contenders stop at 1000 to keep the run short). */
  readonly maxN?: number;
  /** Only these N (the validation-on contenders run at the sizes the targets name). */
  readonly onlyN?: number[];
  /** At most this many measured runs per size (expensive secondary contenders). */
  readonly maxRuns?: number;
  /** No warm-up run of its own (it runs the same script as a contender that warmed up just before). */
  readonly noWarmup?: boolean;
  command(n: number | undefined, outdir: string, nodeFlags: string[]): Pick<Command, 'cmd' | 'args'> & { env?: NodeJS.ProcessEnv };
}

const node = (script: string, env?: NodeJS.ProcessEnv, dir = BUILD): Contender['command'] => (n, outdir, flags) => ({
  cmd: process.execPath,
  args: [...flags, path.join(dir, 'contenders', script), String(n), outdir],
  env,
});

/**
 * aws-cdk-lib 2.262+ runs its built-in CloudFormation validation at every synth unless CDK_VALIDATION=false.
 * The three EKS contenders the targets compare run both ways ("-v": validation on, the default of a plain
 * `app.synth()`); eks-blueprints' pinned 2.261 has no such validation.
 */
const NO_VALIDATION: NodeJS.ProcessEnv = { CDK_VALIDATION: 'false' };
/** The library contender, given the compiled library of the measured tree. */
const library = (env?: NodeJS.ProcessEnv): Contender['command'] => (n, outdir, flags) =>
  node('library-eks.js', { BENCH_LIBRARY: path.join(subject.root, 'dist'), ...env })(n, outdir, flags);

const bundledApp = (env?: NodeJS.ProcessEnv): Contender['command'] => (_n, outdir, flags) => (flags.length > 0
  ? { ...appOnly(outdir, [...flags, '--import', 'tsx', 'bin/app.ts']), env: { CDK_OUTDIR: outdir, ...env } }
  : { cmd: 'npx', args: ['cdk', 'synth', '-o', outdir], env });

const LIB_TITLE = 'library: EksPlatformStack + WebServices, one addWorkloads';
const ANCHOR_TITLE = 'raw aws-eks-v2 + addCdk8sChart';
const HELM_TITLE = 'aws-eks-v2 + Helm-chart asset';

/**
 * With validation on, every synth pays a large fixed cost (several seconds and ~300 MiB on this machine): the
 * "-v" contenders run at the sizes the targets name, with at most 3 runs, to keep the whole run short.
 */
const TARGET_SIZES = { onlyN: [10, 1000, 10000], maxRuns: 3, noWarmup: true };

const CONTENDERS: Contender[] = [
  { id: 'lib', title: LIB_TITLE, sized: true, validation: 'off', command: library(NO_VALIDATION) },
  { id: 'anchor', title: ANCHOR_TITLE, sized: true, validation: 'off', command: node('anchor-eks-v2.js', NO_VALIDATION) },
  { id: 'anchor-helm', title: HELM_TITLE, sized: true, validation: 'off', command: node('anchor-helm.js', NO_VALIDATION) },
  { id: 'lib-v', title: LIB_TITLE, sized: true, validation: 'on', ...TARGET_SIZES, command: library() },
  { id: 'anchor-v', title: ANCHOR_TITLE, sized: true, validation: 'on', ...TARGET_SIZES, command: node('anchor-eks-v2.js') },
  { id: 'anchor-helm-v', title: HELM_TITLE, sized: true, validation: 'on', ...TARGET_SIZES, command: node('anchor-helm.js') },
  { id: 'blueprints', title: 'eks-blueprints + addCdk8sChart', sized: true, validation: 'n/a', maxN: 1000, maxRuns: 5, command: node('blueprints.js', NO_VALIDATION, BLUEPRINTS_APP) },
  { id: 'cdk8s-plus', title: 'cdk8s-plus-28 alone (YAML)', sized: true, validation: 'n/a', maxN: 1000, maxRuns: 5, command: node('cdk8s-plus.js', NO_VALIDATION) },
  { id: 'cli-version', title: 'CDK CLI: npx cdk --version', sized: false, validation: 'n/a', maxRuns: 5, command: () => ({ cmd: 'npx', args: ['cdk', '--version'] }) },
  {
    id: 'cli',
    title: 'CDK CLI start-up: npx cdk synth of an empty app',
    sized: false,
    validation: 'n/a',
    maxRuns: 5,
    command: (_n, outdir, flags) => (flags.length > 0
      ? { ...appOnly(outdir, [...flags, path.join(BUILD, 'contenders', 'cli-empty-app.js')]), env: { CDK_OUTDIR: outdir, BENCH_EMPTY_ASSEMBLY: EMPTY_ASSEMBLY } }
      : { cmd: 'npx', args: ['cdk', 'synth', '-o', outdir, '--app', `node ${path.join(BUILD, 'contenders', 'cli-empty-app.js')}`], env: { BENCH_EMPTY_ASSEMBLY: EMPTY_ASSEMBLY } }),
  },
  { id: 'app', title: 'bundled app: npx cdk synth', sized: false, validation: 'on', maxRuns: 5, command: bundledApp() },
  { id: 'app-no-validation', title: 'bundled app: CDK_VALIDATION=false npx cdk synth', sized: false, validation: 'off', maxRuns: 5, command: bundledApp(NO_VALIDATION) },
  {
    id: 'app-ts-node',
    title: 'bundled app: ts-node (cdk-init style)',
    sized: false,
    validation: 'on',
    maxRuns: 3,
    command: (_n, outdir, flags) => (flags.length > 0
      ? appOnly(outdir, [...flags, require.resolve('ts-node/dist/bin.js'), '--prefer-ts-exts', 'bin/app.ts'])
      : { cmd: 'npx', args: ['cdk', 'synth', '--app', 'npx ts-node --prefer-ts-exts bin/app.ts', '-o', outdir] }),
  },
];

/**
 * The app process alone, as the CDK CLI starts it (CDK_OUTDIR): used to profile the app, since Node 20 does
 * not accept --cpu-prof in NODE_OPTIONS (so the CLI's child cannot be profiled through the CLI).
 */
function appOnly(outdir: string, args: string[]): ReturnType<Contender['command']> {
  return { cmd: process.execPath, args, env: { CDK_OUTDIR: outdir } };
}

interface Options {
  /** Measured runs per contender at N ≤ 100 and for the app group. */
  runs: number;
  /** ... at 100 < N ≤ 1000. */
  runsLarge: number;
  /** ... at N > 1000. */
  runsHuge: number;
  sizes: number[];
  /** Sizes of the validation-on contenders (default: their own, the target sizes). */
  validationSizes?: number[];
  only: string[];
  docs: boolean;
  skipCompile: boolean;
  workingTree: boolean;
  commit: string;
  cpuProf: boolean;
  report: boolean;
  timeoutSeconds: number;
}

function parseOptions(argv: string[]): Options {
  const o: Partial<Options> & { docs?: boolean } = {};
  let partial = false;
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) fail(`${flag} needs a value`);
    return v;
  };
  const positive = (v: string, flag: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a positive integer, got "${v}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--runs': o.runs = positive(value(i++, a), a); break;
      case '--runs-large': o.runsLarge = positive(value(i++, a), a); break;
      case '--runs-huge': o.runsHuge = positive(value(i++, a), a); break;
      case '--validation-sizes': o.validationSizes = value(i++, a).split(',').map(x => positive(x.trim(), a)); break;
      case '--sizes': o.sizes = value(i++, a).split(',').map(s => positive(s.trim(), a)); partial = true; break;
      case '--only': {
        o.only = value(i++, a).split(',').map(s => s.trim());
        const unknown = o.only.filter(id => !CONTENDERS.some(c => c.id === id));
        if (unknown.length > 0) fail(`--only: unknown contender(s) ${unknown.join(', ')}; choose from ${CONTENDERS.map(c => c.id).join(', ')}`);
        partial = true;
        break;
      }
      case '--docs': o.docs = true; break;
      case '--no-docs': o.docs = false; break;
      case '--skip-compile': o.skipCompile = true; break;
      case '--working-tree': o.workingTree = true; break;
      case '--commit': o.commit = value(i++, a); break;
      case '--cpu-prof': o.cpuProf = true; break;
      case '--report': o.report = true; break;
      case '--timeout': o.timeoutSeconds = positive(value(i++, a), a); break;
      case '--help': case '-h':
        process.stdout.write(fs.readFileSync(__filename, 'utf-8').split('*/')[0].replace(/^\/\*\*|^ \* ?/gm, '') + '\n');
        process.exit(0);
        break;
      default: fail(`unknown option ${a} (see --help)`);
    }
  }
  return {
    runs: o.runs ?? 7,
    runsLarge: o.runsLarge ?? 5,
    runsHuge: o.runsHuge ?? 3,
    sizes: o.sizes ?? DEFAULT_SIZES,
    validationSizes: o.validationSizes,
    only: o.only ?? CONTENDERS.map(c => c.id),
    docs: o.docs ?? (!partial && !o.cpuProf && !o.report),
    skipCompile: o.skipCompile ?? false,
    workingTree: o.workingTree ?? false,
    commit: o.commit ?? 'HEAD',
    cpuProf: o.cpuProf ?? false,
    report: o.report ?? false,
    timeoutSeconds: o.timeoutSeconds ?? 600,
  };
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

/**
 * Builds dist/ exactly as the package is built: the steps of the projen "compile" task (.projen/tasks.json:
 * tsc, the assets lib/ reads at synth time, the lazy index.js files), so the benchmark never measures a
 * build the package does not ship.
 */
function compileLibrary(): string[] {
  const problems: string[] = [];
  log('compiling the library into dist/ (the steps of the projen "compile" task) ...');
  type Step = { exec?: string; execArgs?: string[] };
  const tasks = JSON.parse(fs.readFileSync(path.join(subject.root, '.projen', 'tasks.json'), 'utf-8')) as { tasks: Record<string, { steps?: Step[] }> };
  const steps = tasks.tasks.compile?.steps ?? [];
  if (steps.length === 0) fail('.projen/tasks.json has no "compile" steps; run `npx projen`');
  const env = { ...process.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` };
  for (const step of steps) {
    const command = step.execArgs?.join(' ') ?? step.exec;
    if (!command) fail(`unsupported compile step in .projen/tasks.json: ${JSON.stringify(step)}`);
    const r = spawnSync(command, { cwd: subject.root, env, shell: true, encoding: 'utf-8' });
    if (r.status !== 0) {
      // tsc emits even with type errors (noEmitOnError is off); the lazy index.js step only makes loading
      // faster (tsc's own index.js files are eager and complete), so the run goes on and the report says so
      const lines = `${r.stdout}${r.stderr}`.split('\n').filter(l => l.trim());
      const output = lines.slice(0, 10).map(l => `    ${l}`).join('\n');
      const lazy = command.includes('lazy-exports');
      if (!command.startsWith('tsc') && !lazy) fail(`compile step "${command}" failed:\n${output}`);
      const first = lines.find(l => /error/i.test(l))?.trim() ?? lines[0] ?? '';
      problems.push(lazy ? `the compile step \`${command}\` failed (${first.slice(0, 300)}): the library was measured with tsc's eager index.js files`
        : `\`${command}\` reported type errors (emitted anyway; first: ${first.slice(0, 300)})`);
      log(`  ${command} failed (going on):\n${output}`);
    }
  }
  if (!fs.existsSync(path.join(subject.root, 'dist', 'index.js'))) fail(`${path.relative(ROOT, subject.root) || '.'}/dist/index.js was not produced; run \`npx projen compile\` there to see why`);
  return problems;
}

/** Copies a commit (HEAD) into bench/results/head (git archive), its node_modules a link to this tree's. */
function exportHead(): void {
  log(`copying commit ${subject.commit} into bench/results/head (git archive) ...`);
  fs.rmSync(HEAD_TREE, { recursive: true, force: true });
  fs.mkdirSync(HEAD_TREE, { recursive: true });
  const tar = path.join(RESULTS, 'head.tar');
  execFileSync('git', ['archive', '--format=tar', '-o', tar, subject.commit], { cwd: ROOT });
  execFileSync('tar', ['-xf', tar, '-C', HEAD_TREE]);
  fs.rmSync(tar);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(HEAD_TREE, 'node_modules'));
}

/** Transpiles one contender file (CommonJS, the project's compiler options) into `outDir`/contenders/. */
function transpileContender(file: string, outDir: string): void {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, ROOT);
  const compilerOptions: ts.CompilerOptions = { ...options, declaration: false, inlineSourceMap: false, inlineSources: false, sourceMap: false };
  const src = path.join(ROOT, 'bench', 'contenders');
  const out = path.join(outDir, 'contenders', path.relative(src, file)).replace(/\.ts$/, '.js');
  const js = ts.transpileModule(fs.readFileSync(file, 'utf-8'), { compilerOptions, fileName: file }).outputText;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, js);
}

/**
 * Transpiles bench/contenders/** to bench/results/build/contenders/**, except the blueprints contender,
 * which goes next to the install of test/blueprints-app (see {@link prepareBlueprintsApp}).
 */
function buildContenders(): void {
  const src = path.join(ROOT, 'bench', 'contenders');
  fs.rmSync(path.join(BUILD, 'contenders'), { recursive: true, force: true });
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && path.relative(src, p) !== BLUEPRINTS_CONTENDER[0]) transpileContender(p, BUILD);
    }
  };
  walk(src);
}

/**
 * Installs test/blueprints-app into bench/results/blueprints-app from its lock file (`npm ci`, skipped when
 * the lock file installed there is the same) and transpiles the blueprints contender next to it.
 */
function prepareBlueprintsApp(): void {
  const lock = fs.readFileSync(path.join(BLUEPRINTS_FIXTURE, 'package-lock.json'), 'utf-8');
  const stamp = path.join(BLUEPRINTS_APP, 'node_modules', '.bench-installed-lock.json');
  if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf-8') !== lock) {
    log('installing test/blueprints-app (the versions eks-blueprints pins) into bench/results/blueprints-app ...');
    fs.rmSync(BLUEPRINTS_APP, { recursive: true, force: true });
    fs.mkdirSync(BLUEPRINTS_APP, { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(BLUEPRINTS_FIXTURE, f), path.join(BLUEPRINTS_APP, f));
    const r = spawnSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: BLUEPRINTS_APP, encoding: 'utf-8', env: runEnv(undefined) });
    if (r.status !== 0) fail(`npm ci of test/blueprints-app in ${BLUEPRINTS_APP} failed:\n${r.stdout}${r.stderr}`);
    fs.writeFileSync(stamp, lock);
  }
  fs.rmSync(path.join(BLUEPRINTS_APP, 'contenders'), { recursive: true, force: true });
  for (const f of BLUEPRINTS_CONTENDER) transpileContender(path.join(ROOT, 'bench', 'contenders', f), BLUEPRINTS_APP);
}

function packageVersion(name: string, dir = ROOT): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf-8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function libraryDescription(): string {
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')) as { version: string }).version;
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', subject.head ? subject.commit : 'HEAD'], { cwd: ROOT, encoding: 'utf-8' }).trim();
    if (subject.head) return `cdk-k8s-platform ${version}, commit ${commit} (the committed tree, copied with git archive)`;
    const changed = spawnSync('git', ['diff', '--quiet', 'HEAD', '--', 'lib', 'bin', 'charts'], { cwd: ROOT }).status !== 0;
    const untracked = execFileSync('git', ['ls-files', '--others', '--exclude-standard', '--', 'lib', 'bin', 'charts'], { cwd: ROOT, encoding: 'utf-8' }).trim() !== '';
    return `cdk-k8s-platform ${version}, commit ${commit}${changed || untracked ? ' with uncommitted changes in lib/, bin/ or charts/ (the working tree)' : ''}`;
  } catch {
    return `cdk-k8s-platform ${version}`;
  }
}

/** The environment of every measured run: the caller's, without npm's run-script variables and NODE_OPTIONS. */
function runEnv(extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('npm_') && k !== 'NODE_OPTIONS' && k !== 'INIT_CWD') env[k] = v;
  }
  return { ...env, ...extra };
}

/** Measured runs at `n` services (undefined: the app group). */
function runsAt(opts: Options, n: number | undefined): number {
  if (n === undefined || n <= 100) return opts.runs;
  return n <= 1000 ? opts.runsLarge : opts.runsHuge;
}

interface Job { readonly contender: Contender; readonly result: JobResult }

/** Every job, grouped: one group per size (sized contenders up to their maxN), then the app group. */
function jobGroups(opts: Options): Job[][] {
  const selected = CONTENDERS.filter(c => opts.only.includes(c.id));
  const job = (c: Contender, n: number | undefined): Job => ({
    contender: c,
    result: {
      contender: c.id,
      title: c.title,
      validation: c.validation,
      n,
      samples: [],
      plannedRuns: Math.min(runsAt(opts, n), c.maxRuns ?? Infinity),
    },
  });
  const sizesOf = (c: Contender) => (c.validation === 'on' ? opts.validationSizes : undefined) ?? c.onlyN;
  const groups = opts.sizes.map(n => selected.filter(c => c.sized && n <= (c.maxN ?? Infinity) && (sizesOf(c)?.includes(n) ?? true)).map(c => job(c, n)));
  groups.push(selected.filter(c => !c.sized).map(c => job(c, undefined)));
  return groups.filter(g => g.length > 0);
}

function label(j: JobResult): string {
  return `${j.contender}${j.n === undefined ? '' : ` N=${j.n}`}`;
}

function errorOf(s: RunSample): string | undefined {
  if (s.exitCode === 0) return undefined;
  const lines = s.outputTail.split('\n').map(l => l.trim()).filter(l => l && !l.startsWith('npm warn'));
  const first = lines.find(l => /error/i.test(l)) ?? lines[lines.length - 1] ?? '';
  return `exit ${s.exitCode ?? s.signal}: ${first}`;
}

interface Run { readonly sample: Sample; readonly outdir: string; readonly scratch: string }

/**
 * Runs a contender once, writing under bench/results/scratch only: a fresh outdir, and a TMPDIR for the
 * whole process tree that the contender keeps from run to run (as a machine's /tmp: caches such as tsx's
 * stay warm), so nothing lands in the system temp directory. Returns the sample with what the run added to
 * that TMPDIR; the caller analyses the outdir and removes the run's scratch directory.
 */
async function runOnce(c: Contender, j: JobResult, opts: Options, rep: number, nodeFlags: string[] = []): Promise<Run> {
  fs.mkdirSync(SCRATCH, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(SCRATCH, `${c.id}-${j.n ?? 'app'}-`));
  const outdir = path.join(scratch, 'out');
  // kept from run to run, as a machine's /tmp
  const tmp = path.join(SCRATCH, `tmp-${c.id}`);
  fs.mkdirSync(tmp, { recursive: true });
  const before = new Set(fs.readdirSync(tmp));
  const bytesBefore = bytesUnder(tmp);
  const cmd = c.command(j.n, outdir, nodeFlags);
  const env = { ...runEnv(cmd.env), TMPDIR: tmp };
  const measured = await measure({ cmd: cmd.cmd, args: cmd.args, cwd: subject.root, env, timeoutSeconds: opts.timeoutSeconds });
  // new top-level names, with numbers and ids generalized (e.g. the CDK CLI's `cdk-telemetry-<pid>-<uuid>.json`)
  const generalize = (f: string) => f.replace(/[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-zA-Z]*\d[0-9a-zA-Z]*/g, '*');
  const tempLeft = [...new Set(fs.readdirSync(tmp).filter(f => !before.has(f)).map(generalize))];
  return { sample: { ...measured, rep, tempLeftBytes: Math.max(0, bytesUnder(tmp) - bytesBefore), tempLeft }, outdir, scratch };
}

function bytesUnder(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? bytesUnder(p) : fs.lstatSync(p).size;
  }
  return n;
}

async function profile(opts: Options, all: Job[]): Promise<void> {
  const base = path.join(RESULTS, 'profiles');
  const texts: string[] = [];
  for (const { contender, result } of all) {
    const dir = path.join(base, label(result).replace(/[^a-z0-9-]+/gi, '-'));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const { sample, scratch } = await runOnce(contender, result, opts, 0, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    fs.rmSync(scratch, { recursive: true, force: true });
    const err = errorOf(sample);
    if (err) {
      log(`${label(result)}: ${err}`);
      continue;
    }
    const files = fs.readdirSync(dir).filter(f => f.endsWith('.cpuprofile')).map(f => path.join(dir, f))
      .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
    texts.push(`## ${label(result)}: ${sample.wallSeconds.toFixed(2)} s wall (profiling slows it down), ${(sample.peakRssKiB / 1024).toFixed(0)} MiB peak; ${files.length} process(es) profiled`);
    for (const f of files) texts.push(formatSummary(summarizeProfile(f, ROOT, 20, subject.root)));
  }
  const text = texts.join('\n\n');
  log(text);
  fs.writeFileSync(path.join(base, 'summary.txt'), `${text}\n`);
  log(`\nprofiles and summary.txt in ${path.relative(ROOT, base)}/ (open a .cpuprofile in Chrome DevTools > Performance)`);
}

/**
 * Runs one group (one size, or the app group): a warm-up run of each contender the first time it runs at all
 * (`warmed`), then `plannedRuns` repetitions. Each repetition runs every contender of the group once, in the
 * group's order on even repetitions and reversed on odd ones, so each pair of contenders runs in the same
 * repetition with its order alternating. A contender's output is analysed from its first successful run.
 */
async function runGroup(group: Job[], opts: Options, warmed: Set<string>): Promise<void> {
  const reps = Math.max(...group.map(j => j.result.plannedRuns));
  for (let rep = 0; rep <= reps; rep++) {
    const order = rep % 2 === 0 ? group : [...group].reverse();
    for (const { contender, result } of order) {
      if (result.error || rep > result.plannedRuns || (rep === 0 && (warmed.has(contender.id) || contender.noWarmup))) continue;
      const { sample, outdir, scratch } = await runOnce(contender, result, opts, rep);
      const tag = rep === 0 ? 'warm-up' : `run ${rep}/${result.plannedRuns}`;
      const err = errorOf(sample);
      if (err) {
        result.error = err;
        log(`[${tag}] ${label(result)}: FAILED ${err}\n${sample.outputTail.split('\n').slice(-15).join('\n')}`);
      } else {
        if (!result.figures && fs.existsSync(outdir)) result.figures = analyzeOutput(outdir);
        if (rep === 0) {
          result.warmup = sample;
          warmed.add(contender.id);
        } else {
          result.samples.push(sample);
        }
        log(`[${tag}] ${label(result)}: ${sample.wallSeconds.toFixed(2)} s${sample.cpuSeconds === undefined ? '' : ` (CPU ${sample.cpuSeconds.toFixed(2)} s)`}, ${(sample.peakRssKiB / 1024).toFixed(0)} MiB${sample.tempLeftBytes > 0 ? `, left ${sample.tempLeftBytes} B in TMPDIR` : ''}`);
      }
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
}

/** Runs a built contender script once, outside the measurement (preparations such as the empty assembly). */
function prepareEmptyAssembly(): void {
  fs.rmSync(EMPTY_ASSEMBLY, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [path.join(BUILD, 'contenders', 'cli-empty-app.js'), '--prepare', EMPTY_ASSEMBLY], { cwd: ROOT, encoding: 'utf-8', env: runEnv(NO_VALIDATION) });
  if (r.status !== 0) fail(`could not prepare the empty cloud assembly of the "cli" contender:\n${r.stdout}${r.stderr}`);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.report) {
    rerender(opts.docs);
    return;
  }
  const started = Date.now();
  const ctx: RunContext = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: {
      cores: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: os.totalmem() / 1024 ** 3,
      node: process.version,
      os: `${os.type()} ${os.release()}`,
    },
    versions: Object.fromEntries(['aws-cdk-lib', 'aws-cdk', 'constructs', 'cdk8s', 'cdk8s-plus-28',
      '@aws-cdk/lambda-layer-kubectl-v35', 'typescript', 'tsx', 'ts-node'].map(p => [p, packageVersion(p)])),
    library: '',
    loadBefore: os.loadavg(),
    options: { runs: opts.runs, runsLarge: opts.runsLarge, runsHuge: opts.runsHuge, sizes: opts.sizes, validationSizes: opts.validationSizes, only: opts.only },
    peakSource: hasGnuTime() ? 'GNU time (%M)' : '/proc VmHWM sampled every 100 ms (GNU time not installed: `apt-get install time`)',
  };
  log(`bench: ${ctx.machine.cores} cores, ${ctx.machine.memoryGiB.toFixed(1)} GiB, Node ${ctx.machine.node}, load ${ctx.loadBefore.map(x => x.toFixed(2)).join(' ')}`);

  fs.mkdirSync(RESULTS, { recursive: true });
  fs.rmSync(SCRATCH, { recursive: true, force: true });
  subject.commit = opts.commit;
  if (opts.workingTree) Object.assign(subject, { root: ROOT, head: false });
  else if (!opts.skipCompile) exportHead();
  ctx.library = libraryDescription();
  if (opts.only.some(id => id.startsWith('lib')) && !opts.skipCompile) ctx.buildProblems = compileLibrary();
  buildContenders();
  if (opts.only.includes('cli')) prepareEmptyAssembly();
  if (opts.only.includes('blueprints')) {
    prepareBlueprintsApp();
    // the blueprints contender runs on the versions eks-blueprints pins, not on this tree's
    ctx.versions['blueprints contender on'] = ['@aws-quickstart/eks-blueprints', 'aws-cdk-lib', 'constructs', 'cdk8s', 'cdk8s-plus-28']
      .map(p => `${p} ${packageVersion(p, BLUEPRINTS_APP)}`).join(' / ');
  }

  const groups = jobGroups(opts);
  const all = groups.flat();
  if (!fs.existsSync(path.join(subject.root, 'bin', 'app.ts'))) {
    for (const { result } of all) if (result.contender.startsWith('app')) result.error = 'bin/app.ts not found';
  }
  if (opts.cpuProf) {
    await profile(opts, all);
    return;
  }

  const warmed = new Set<string>();
  for (const group of groups) await runGroup(group, opts, warmed);
  fs.rmSync(SCRATCH, { recursive: true, force: true });

  ctx.loadAfter = os.loadavg();
  ctx.durationSeconds = (Date.now() - started) / 1000;
  const results = all.map(a => a.result);
  const notes = runNotes(ctx, results);

  log(`\n${consoleTable(tableRows(results))}\n`);
  for (const validation of ['off', 'on'] as const) log(`${consoleTable(ratioRows(results, opts.sizes, validation))}\n`);
  for (const t of checkTargets(results)) log(`${t.met === undefined ? '  -  ' : t.met ? ' met ' : 'MISSED'}  ${t.target}: ${t.measured}`);
  for (const n of notes) log(`note: ${n}`);

  const report = markdownReport(ctx, results, notes);
  fs.writeFileSync(path.join(RESULTS, 'benchmarks.md'), report);
  fs.writeFileSync(path.join(RESULTS, 'last-run.json'), JSON.stringify({ context: ctx, results }, null, 2));
  if (opts.docs) {
    fs.writeFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), report);
    log(`\nwrote docs/benchmarks.md (and bench/results/last-run.json) in ${(ctx.durationSeconds / 60).toFixed(1)} min`);
  } else {
    log(`\nwrote bench/results/benchmarks.md and last-run.json in ${(ctx.durationSeconds / 60).toFixed(1)} min (docs/benchmarks.md only for a full run, or with --docs)`);
  }
}

/** --report: the report of the last run, rendered again (the figures are not touched). */
function rerender(docs: boolean): void {
  const file = path.join(RESULTS, 'last-run.json');
  if (!fs.existsSync(file)) fail(`--report needs ${path.relative(ROOT, file)} from an earlier run`);
  const { context, results } = JSON.parse(fs.readFileSync(file, 'utf-8')) as { context: RunContext; results: JobResult[] };
  const partial = context.options.only.length < CONTENDERS.length || context.options.sizes.join() !== DEFAULT_SIZES.join();
  // a partial run may be rendered into the docs again when the docs already show that run (it was written with --docs)
  const shown = fs.readFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), 'utf-8').includes(`- Date: ${context.date}\n`);
  if (docs && partial && !shown) fail(`the last run was partial (--only ${context.options.only.join(',')}, --sizes ${context.options.sizes.join(',')}): docs/benchmarks.md is only written from a full run`);
  const report = markdownReport(context, results, runNotes(context, results));
  fs.writeFileSync(path.join(RESULTS, 'benchmarks.md'), report);
  if (docs) fs.writeFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), report);
  log(`rendered the run of ${context.date} again into bench/results/benchmarks.md${docs ? ' and docs/benchmarks.md' : ''}`);
}

function runNotes(ctx: RunContext, results: JobResult[]): string[] {
  const notes: string[] = (ctx.buildProblems ?? []).map(p => `Building the measured library: ${p}.`);
  const left = CONTENDERS.filter(c => !ctx.options.only.includes(c.id)).map(c => c.id);
  if (left.length > 0) notes.push(`Not in this run: ${left.join(', ')}.`);
  const secondary = CONTENDERS.filter(c => ctx.options.only.includes(c.id) && (c.maxN !== undefined || c.onlyN !== undefined || c.maxRuns !== undefined));
  if (secondary.length > 0) {
    const onlyN = (c: Contender) => (c.sized && c.validation === 'on' ? ctx.options.validationSizes : undefined) ?? c.onlyN;
    const limits = (c: Contender) => [c.maxN !== undefined ? `up to N = ${c.maxN}` : '', onlyN(c) ? `only at N = ${onlyN(c)!.join(', ')}` : '',
      c.maxRuns !== undefined ? `at most ${c.maxRuns} runs` : ''];
    notes.push(`To keep the run short: ${secondary.map(c => `${c.id} ${limits(c).filter(x => x).join(', ')}`).join('; ')}.`);
  }
  for (const r of results.filter(x => x.error)) notes.push(`${label(r)} failed: ${r.error}`);
  // the load during the run is mostly the benchmark itself; only the load before it tells of other work
  const load = ctx.loadBefore[0];
  if (load > ctx.machine.cores * 0.5) {
    notes.push(`The machine was busy before the run started (1-minute load average ${load.toFixed(2)} on ${ctx.machine.cores} cores): absolute times may be inflated; the paired ratios are more reliable.`);
  }
  const leaks = results.filter(r => [r.warmup, ...r.samples].some(s => s && s.tempLeftBytes > 0));
  notes.push(leaks.length === 0
    ? 'No run added anything to its TMPDIR (each contender has its own under bench/results/scratch, kept from run to run and removed at the end).'
    : `What runs added to their TMPDIR (each contender has its own under bench/results/scratch, kept from run to run like a machine's /tmp, removed at the end): ${leaks.map(r => {
      const runs = [r.warmup, ...r.samples].filter((x): x is Sample => x !== undefined);
      const names = [...new Set(runs.flatMap(x => x.tempLeft ?? []))].join(', ');
      const grew = runs.filter(x => x.tempLeftBytes > 0).length;
      return `${label(r)}: ${fmtBytes(runs.reduce((n, x) => n + x.tempLeftBytes, 0))} in ${grew} of ${runs.length} runs${names ? ` (new: ${names})` : ''}`;
    }).join('; ')}.`);
  const largest = Math.max(...results.filter(r => r.contender === 'anchor' && r.figures && !r.figures.wouldDeploy).map(r => r.n ?? 0), 0);
  const lib = results.find(r => r.contender === 'lib' && r.n === largest);
  const anchor = results.find(r => r.contender === 'anchor' && r.n === largest);
  if (largest > 0 && lib?.figures && anchor?.figures) {
    notes.push(`At N = ${largest} the raw aws-eks-v2 anchor synthesizes but cannot deploy (${anchor.figures.problems.length} broken quotas, e.g. ${anchor.figures.problems[0]}); the library ships the same services as ${lib.figures.helmReleases} Helm chart assets (largest template ${fmtBytes(lib.figures.largestTemplateBytes)}, largest release record ${fmtBytes(lib.figures.largestReleaseRecordBytes)}).`);
  }
  if (wall(find(results, 'app-ts-node')) > 0 && wall(find(results, 'app')) > 0) {
    const a = find(results, 'app')!;
    const t = find(results, 'app-ts-node')!;
    notes.push(`Runner choice: the cdk-init style ts-node app command takes ${(wall(t) / wall(a)).toFixed(1)}× the time and ${(peakMiB(t) / peakMiB(a)).toFixed(1)}× the memory of the README command (tsx, no type-check) for the same app.`);
  }
  return notes;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

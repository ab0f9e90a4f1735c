/**
 * The benchmark: synthesis speed, peak memory and scale of this library against the anchors, in one run on
 * one machine, contenders alternating. Run with `npm run bench` (options after `--`):
 *
 *   --runs N          measured runs per contender and size, after one warm-up run (default 5)
 *   --runs-large N    runs at N = 1000 for the contenders other than lib and anchor (default: --runs)
 *   --sizes 10,100    service counts (default 10,100,1000)
 *   --only lib,anchor contenders: lib, anchor, blueprints, cdk8s-plus, app, app-no-validation, app-ts-node (default: all)
 *   --docs / --no-docs  write docs/benchmarks.md (default: only for a full run without --only/--sizes)
 *   --skip-compile    use the existing dist/ instead of compiling the library first
 *   --cpu-prof        instead of measuring, run each selected job once under `node --cpu-prof` and print
 *                     the profile's top frames (bench/results/profiles/); the app contenders are profiled
 *                     as the app process alone (what the CDK CLI runs), without the CLI
 *   --timeout S       kill a run after S seconds (default 300)
 *   --report          measure nothing: render the report again from bench/results/last-run.json (after an
 *                     edit of the report's text; with --docs it rewrites docs/benchmarks.md)
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
import { analyzeOutput } from './private/assembly';
import { formatSummary, summarizeProfile } from './private/cpu-profile';
import { Command, hasGnuTime, measure, RunSample } from './private/measure';
import { checkTargets, consoleTable, JobResult, markdownReport, peakMiB, ratioRows, RunContext, tableRows, wall } from './private/report';

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
const DIST = path.join(ROOT, 'dist');
const DEFAULT_SIZES = [10, 100, 1000];

/** A program that is measured. */
interface Contender {
  readonly id: string;
  readonly title: string;
  /** Takes N services (otherwise it is the bundled app). */
  readonly sized: boolean;
  /** Its runs at N = 1000 may be reduced with --runs-large. */
  readonly reducible: boolean;
  command(n: number | undefined, outdir: string, nodeFlags: string[]): Pick<Command, 'cmd' | 'args'> & { env?: NodeJS.ProcessEnv };
}

const node = (script: string, env?: NodeJS.ProcessEnv, dir = BUILD): Contender['command'] => (n, outdir, flags) => ({
  cmd: process.execPath,
  args: [...flags, path.join(dir, 'contenders', script), String(n), outdir],
  env,
});

/**
 * aws-cdk-lib 2.262+ runs its built-in CloudFormation validation at every synth (a fixed ~5-7 s on this
 * machine, not the contenders' own work); the sized contenders compare synthesis with it off, like
 * eks-blueprints' pinned 2.261. The bundled app is measured both ways.
 */
const NO_VALIDATION: NodeJS.ProcessEnv = { CDK_VALIDATION: 'false' };

const bundledApp = (env?: NodeJS.ProcessEnv): Contender['command'] => (_n, outdir, flags) => (flags.length > 0
  ? { ...appOnly(outdir, [...flags, '--import', 'tsx', 'bin/app.ts']), env: { CDK_OUTDIR: outdir, ...env } }
  : { cmd: 'npx', args: ['cdk', 'synth', '-o', outdir], env });

const CONTENDERS: Contender[] = [
  { id: 'lib', title: 'library (EksPlatformStack + WebService)', sized: true, reducible: false, command: node('library-eks.js', { BENCH_LIBRARY: DIST, ...NO_VALIDATION }) },
  { id: 'anchor', title: 'anchor: aws-eks-v2 + addCdk8sChart', sized: true, reducible: false, command: node('anchor-eks-v2.js', NO_VALIDATION) },
  { id: 'blueprints', title: 'eks-blueprints + addCdk8sChart', sized: true, reducible: true, command: node('blueprints.js', NO_VALIDATION, BLUEPRINTS_APP) },
  { id: 'cdk8s-plus', title: 'cdk8s-plus-28 alone (YAML)', sized: true, reducible: true, command: node('cdk8s-plus.js', NO_VALIDATION) },
  { id: 'app', title: 'bundled app: npx cdk synth', sized: false, reducible: true, command: bundledApp() },
  { id: 'app-no-validation', title: 'bundled app: CDK_VALIDATION=false npx cdk synth', sized: false, reducible: true, command: bundledApp(NO_VALIDATION) },
  {
    id: 'app-ts-node',
    title: 'bundled app: ts-node (cdk-init style)',
    sized: false,
    reducible: true,
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
  runs: number;
  runsLarge: number;
  sizes: number[];
  only: string[];
  docs: boolean;
  skipCompile: boolean;
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
  const runs = o.runs ?? 5;
  return {
    runs,
    runsLarge: o.runsLarge ?? runs,
    sizes: o.sizes ?? DEFAULT_SIZES,
    only: o.only ?? CONTENDERS.map(c => c.id),
    docs: o.docs ?? (!partial && !o.cpuProf && !o.report),
    skipCompile: o.skipCompile ?? false,
    cpuProf: o.cpuProf ?? false,
    report: o.report ?? false,
    timeoutSeconds: o.timeoutSeconds ?? 300,
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
function compileLibrary(): void {
  log('compiling the library into dist/ (the steps of the projen "compile" task) ...');
  type Step = { exec?: string; execArgs?: string[] };
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf-8')) as { tasks: Record<string, { steps?: Step[] }> };
  const steps = tasks.tasks.compile?.steps ?? [];
  if (steps.length === 0) fail('.projen/tasks.json has no "compile" steps; run `npx projen`');
  const env = { ...process.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` };
  for (const step of steps) {
    const command = step.execArgs?.join(' ') ?? step.exec;
    if (!command) fail(`unsupported compile step in .projen/tasks.json: ${JSON.stringify(step)}`);
    const r = spawnSync(command, { cwd: ROOT, env, shell: true, encoding: 'utf-8' });
    if (r.status !== 0) {
      // tsc emits even with type errors (noEmitOnError is off); the other steps must succeed
      const output = `${r.stdout}${r.stderr}`.split('\n').slice(0, 10).map(l => `    ${l}`).join('\n');
      if (!command.startsWith('tsc')) fail(`compile step "${command}" failed:\n${output}`);
      log(`  ${command} reported errors (emitted anyway):\n${output}`);
    }
  }
  if (!fs.existsSync(path.join(DIST, 'index.js'))) fail('dist/index.js was not produced; run `npx projen compile` to see why');
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
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf-8' }).trim();
    const changed = spawnSync('git', ['diff', '--quiet', 'HEAD', '--', 'lib', 'bin', 'charts'], { cwd: ROOT }).status !== 0;
    const untracked = execFileSync('git', ['ls-files', '--others', '--exclude-standard', '--', 'lib', 'bin', 'charts'], { cwd: ROOT, encoding: 'utf-8' }).trim() !== '';
    return `cdk-k8s-platform ${version}, commit ${commit}${changed || untracked ? ' with uncommitted changes in lib/, bin/ or charts/' : ''}`;
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

function jobs(opts: Options): { contender: Contender; result: JobResult }[] {
  const selected = CONTENDERS.filter(c => opts.only.includes(c.id));
  return selected.flatMap(c => (c.sized ? opts.sizes : [undefined]).map(n => ({
    contender: c,
    result: {
      contender: c.id,
      title: c.title,
      n,
      samples: [],
      plannedRuns: c.reducible && n !== undefined && n >= 1000 ? Math.min(opts.runsLarge, opts.runs) : opts.runs,
    } as JobResult,
  })));
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

async function runOnce(c: Contender, j: JobResult, opts: Options, nodeFlags: string[] = []): Promise<{ sample: RunSample; outdir: string }> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk-k8s-platform-bench-${c.id}-`));
  const cmd = c.command(j.n, outdir, nodeFlags);
  const sample = await measure({ cmd: cmd.cmd, args: cmd.args, cwd: ROOT, env: runEnv(cmd.env), timeoutSeconds: opts.timeoutSeconds });
  return { sample, outdir };
}

async function profile(opts: Options, all: { contender: Contender; result: JobResult }[]): Promise<void> {
  const base = path.join(RESULTS, 'profiles');
  const texts: string[] = [];
  for (const { contender, result } of all) {
    const dir = path.join(base, label(result).replace(/[^a-z0-9-]+/gi, '-'));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const { sample, outdir } = await runOnce(contender, result, opts, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    fs.rmSync(outdir, { recursive: true, force: true });
    const err = errorOf(sample);
    if (err) {
      log(`${label(result)}: ${err}`);
      continue;
    }
    const files = fs.readdirSync(dir).filter(f => f.endsWith('.cpuprofile')).map(f => path.join(dir, f))
      .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
    texts.push(`## ${label(result)}: ${sample.wallSeconds.toFixed(2)} s wall (profiling slows it down), ${(sample.peakRssKiB / 1024).toFixed(0)} MiB peak; ${files.length} process(es) profiled`);
    for (const f of files) texts.push(formatSummary(summarizeProfile(f, ROOT)));
  }
  const text = texts.join('\n\n');
  log(text);
  fs.writeFileSync(path.join(base, 'summary.txt'), `${text}\n`);
  log(`\nprofiles and summary.txt in ${path.relative(ROOT, base)}/ (open a .cpuprofile in Chrome DevTools > Performance)`);
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
    library: libraryDescription(),
    loadBefore: os.loadavg(),
    options: { runs: opts.runs, runsLarge: opts.runsLarge, sizes: opts.sizes, only: opts.only },
    peakSource: hasGnuTime() ? 'GNU time (%M)' : '/proc VmHWM sampled every 100 ms (GNU time not installed: `apt-get install time`)',
  };
  log(`bench: ${ctx.machine.cores} cores, ${ctx.machine.memoryGiB.toFixed(1)} GiB, Node ${ctx.machine.node}, load ${ctx.loadBefore.map(x => x.toFixed(2)).join(' ')}`);

  fs.mkdirSync(RESULTS, { recursive: true });
  if (opts.only.includes('lib') && !opts.skipCompile) compileLibrary();
  buildContenders();
  if (opts.only.includes('blueprints')) {
    prepareBlueprintsApp();
    // the blueprints contender runs on the versions eks-blueprints pins, not on this tree's
    ctx.versions['blueprints contender on'] = ['@aws-quickstart/eks-blueprints', 'aws-cdk-lib', 'constructs', 'cdk8s', 'cdk8s-plus-28']
      .map(p => `${p} ${packageVersion(p, BLUEPRINTS_APP)}`).join(' / ');
  }

  const all = jobs(opts);
  if (!fs.existsSync(path.join(ROOT, 'bin', 'app.ts'))) {
    for (const { result } of all) if (result.n === undefined) result.error = 'bin/app.ts not found';
  }
  if (opts.cpuProf) {
    await profile(opts, all);
    return;
  }

  // Round-robin: repetition 0 is the warm-up (its output is analysed); the order rotates every repetition.
  const reps = Math.max(...all.map(a => a.result.plannedRuns));
  for (let rep = 0; rep <= reps; rep++) {
    const order = all.map((_, i) => all[(i + rep) % all.length]);
    for (const { contender, result } of order) {
      if (result.error || rep > result.plannedRuns) continue;
      const { sample, outdir } = await runOnce(contender, result, opts);
      const err = errorOf(sample);
      if (err) {
        result.error = err;
        log(`[${rep === 0 ? 'warm-up' : `run ${rep}/${reps}`}] ${label(result)}: FAILED ${err}\n${sample.outputTail.split('\n').slice(-15).join('\n')}`);
      } else {
        if (rep === 0) {
          result.warmup = sample;
          result.figures = analyzeOutput(outdir);
        } else {
          result.samples.push(sample);
        }
        log(`[${rep === 0 ? 'warm-up' : `run ${rep}/${reps}`}] ${label(result)}: ${sample.wallSeconds.toFixed(2)} s, ${(sample.peakRssKiB / 1024).toFixed(0)} MiB`);
      }
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }

  ctx.loadAfter = os.loadavg();
  ctx.durationSeconds = (Date.now() - started) / 1000;
  const results = all.map(a => a.result);
  const notes = runNotes(ctx, results);

  log(`\n${consoleTable(tableRows(results))}\n`);
  log(consoleTable(ratioRows(results, opts.sizes)));
  log('');
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
  if (docs && partial) fail(`the last run was partial (--only ${context.options.only.join(',')}, --sizes ${context.options.sizes.join(',')}): docs/benchmarks.md is only written from a full run`);
  const report = markdownReport(context, results, runNotes(context, results));
  fs.writeFileSync(path.join(RESULTS, 'benchmarks.md'), report);
  if (docs) fs.writeFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), report);
  log(`rendered the run of ${context.date} again into bench/results/benchmarks.md${docs ? ' and docs/benchmarks.md' : ''}`);
}

function runNotes(ctx: RunContext, results: JobResult[]): string[] {
  const notes: string[] = [];
  const reduced = results.filter(r => r.plannedRuns < ctx.options.runs && !r.error);
  if (reduced.length > 0) {
    notes.push(`Fewer runs to keep the run short: ${reduced.map(r => `${label(r)} (${r.plannedRuns})`).join(', ')}.`);
  }
  for (const r of results.filter(x => x.error)) notes.push(`${label(r)} failed: ${r.error}`);
  // the load during the run is mostly the benchmark itself; only the load before it tells of other work
  const load = ctx.loadBefore[0];
  if (load > ctx.machine.cores * 0.5) {
    notes.push(`The machine was busy before the run started (1-minute load average ${load.toFixed(2)} on ${ctx.machine.cores} cores): absolute times may be inflated; ratios between contenders of this run are more reliable.`);
  }
  const lib = results.find(r => r.contender === 'lib' && r.n === 1000);
  const anchor = results.find(r => r.contender === 'anchor' && r.n === 1000);
  if (lib?.figures && anchor?.figures && !anchor.figures.wouldDeploy) {
    notes.push(`At N = 1000 the anchor synthesizes but cannot deploy (${anchor.figures.problems.join('; ')}); the library ships the same services as a Helm chart asset (largest template ${(lib.figures.largestTemplateBytes / 1000).toFixed(0)} kB).`);
  }
  if (wall(results.find(r => r.contender === 'app-ts-node')) > 0 && wall(results.find(r => r.contender === 'app')) > 0) {
    const a = results.find(r => r.contender === 'app')!;
    const t = results.find(r => r.contender === 'app-ts-node')!;
    notes.push(`Runner choice: the cdk-init style ts-node app command takes ${(wall(t) / wall(a)).toFixed(1)}× the time and ${(peakMiB(t) / peakMiB(a)).toFixed(1)}× the memory of the README command (tsx, no type-check) for the same app.`);
  }
  return notes;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

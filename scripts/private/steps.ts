/*
 * Steps shared by the scripts that install the packed library into a fresh app (scripts/consumer-test.ts,
 * scripts/blueprints-test.ts): named steps whose failure names the step, commands with their output on
 * failure, compile + pack, and the single-copy check of the peers.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The repository's root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** A failure the script reports as one message (no stack). */
export class StepError extends Error {}

/** Throws a {@link StepError}. */
export function fail(message: string): never {
  throw new StepError(message);
}

/** A sequence of named steps: prints each as it starts, and names the running one when the script fails. */
export class Steps {
  private readonly started = Date.now();
  private current = 'starting';

  constructor(private readonly script: string) {}

  /** Starts the step `name`. */
  public step(name: string): void {
    this.current = name;
    process.stdout.write(`${this.script}: ${name} (${this.elapsed()} s)\n`);
  }

  /** Seconds since the start, one decimal. */
  public elapsed(): string {
    return ((Date.now() - this.started) / 1000).toFixed(1);
  }

  /** Runs `body`; on failure prints `<script> FAILED in step "<step>": <message>` and exits 1. */
  public async main(body: () => Promise<void>): Promise<void> {
    try {
      await body();
      process.stdout.write(`${this.script}: passed in ${this.elapsed()} s\n`);
    } catch (e) {
      const message = e instanceof StepError ? e.message : e instanceof Error ? e.stack : String(e);
      process.stderr.write(`\n${this.script} FAILED in step "${this.current}" after ${this.elapsed()} s: ${message}\n`);
      process.exit(1);
    }
  }
}

/** Runs a command; on failure fails with `what`, the command line and its output. */
export function run(cmd: string, args: string[], cwd: string, what: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    fail(`${what} failed: ${cmd} ${args.join(' ')} (in ${cwd})\n${err.stdout ?? ''}${err.stderr ?? err.message}`);
  }
}

/** A command for {@link runAll}. */
export interface Job {
  readonly cmd: string;
  readonly args: string[];
  readonly cwd: string;
  readonly what: string;
}

/** Runs commands in parallel (the machine has 2 cores; each tsc run loads all of aws-cdk-lib's types). */
export async function runAll(jobs: Job[]): Promise<void> {
  const results = await Promise.all(jobs.map(j => new Promise<string | undefined>(resolve => {
    execFile(j.cmd, j.args, { cwd: j.cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve(err ? `${j.what} failed: ${j.cmd} ${j.args.join(' ')} (in ${j.cwd})\n${stdout}${stderr || err.message}` : undefined);
    });
  })));
  const failures = results.filter((r): r is string => r !== undefined);
  if (failures.length > 0) fail(failures.join('\n'));
}

/** This repository's package.json. */
export interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

/** Reads a package.json. */
export function readPackage(dir: string): PackageJson {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** The version of `name` installed in `dir`/node_modules, or undefined. */
export function installedVersion(dir: string, name: string): string | undefined {
  const file = path.join(dir, 'node_modules', name, 'package.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version : undefined;
}

/**
 * Compiles the library (unless `skipCompile`: then dist/ must exist) and packs it into `dir`; checks what
 * the tarball holds. Returns the tarball's path.
 */
export function compileAndPack(steps: Steps, dir: string, skipCompile: boolean): string {
  if (!skipCompile) {
    steps.step('npm run compile');
    run('npm', ['run', 'compile', '--silent'], ROOT, 'compiling the library');
  }
  if (!fs.existsSync(path.join(ROOT, 'dist', 'index.d.ts'))) fail('dist/index.d.ts is missing: run `npm run compile` first.');

  steps.step('npm pack');
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], ROOT, 'npm pack')) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = path.join(dir, path.basename(packed[0].filename));
  const files = packed[0].files.map(f => f.path);
  for (const required of ['dist/index.js', 'dist/index.d.ts', 'dist/testing/index.d.ts', 'dist/blueprints/index.d.ts', 'README.md', 'LICENSE']) {
    if (!files.includes(required)) fail(`the package lacks ${required}: check "files" in package.json.`);
  }
  if (!files.some(f => f.endsWith('.sh'))) fail('the package holds no *.sh: the node bootstrap scripts lib/ reads at synth time are missing (projenrc/copy-assets.ts).');
  const leaked = files.filter(f => /^(lib|test|bin|charts|examples|bench|scripts)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'));
  if (leaked.length > 0) fail(`the package holds sources it should not: ${leaked.slice(0, 5).join(', ')}`);
  return tarball;
}

function findCopies(dir: string, names: Set<string>, found: Map<string, string[]>): void {
  const nm = path.join(dir, 'node_modules');
  if (!fs.existsSync(nm)) return;
  for (const entry of fs.readdirSync(nm, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.bin') continue;
    const pkgDirs = entry.name.startsWith('@')
      ? fs.readdirSync(path.join(nm, entry.name)).map(n => path.join(nm, entry.name, n))
      : [path.join(nm, entry.name)];
    for (const p of pkgDirs) {
      const name = path.relative(nm, p).split(path.sep).join('/');
      if (names.has(name)) found.set(name, [...(found.get(name) ?? []), p]);
      findCopies(p, names, found);
    }
  }
}

/** Fails unless each of `names` is installed exactly once in `app` (a nested copy makes constructs that cannot mix). */
export function assertSingleCopies(app: string, names: string[], packageName: string): void {
  const copies = new Map<string, string[]>();
  findCopies(app, new Set(names), copies);
  for (const name of names) {
    const found = copies.get(name) ?? [];
    if (found.length !== 1) {
      fail(`expected exactly one copy of ${name} in the app's node_modules, found ${found.length}:\n  ${found.map(f => path.relative(app, f)).join('\n  ')}\n` +
        `${name} must be a peerDependency of ${packageName} (never a dependency), so the app's copy is used.`);
    }
  }
}

/**
 * The environment of a CDK CLI run that must stay on this machine: no telemetry, no notices download is
 * asked for separately (`--no-notices`), and no credential lookup in the EC2/ECS metadata services.
 */
export const CLI_ENV: NodeJS.ProcessEnv = {
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
};

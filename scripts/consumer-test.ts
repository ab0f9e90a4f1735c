/*
 * Consumer test: proves the npm package works in another CDK app, using only its public entry points.
 *
 *   npm run test:consumer            (tsx scripts/consumer-test.ts)
 *
 * 1. `npm run compile` (tsc → dist/, plus the shell scripts lib/ reads at synth time);
 * 2. `npm pack` into a temporary folder;
 * 3. a fresh app there: package.json with the peers at this repo's pinned versions and the tarball, installed
 *    from the npm registry (`--prefer-offline`, so a warm cache needs no network);
 * 4. app.ts imports only `cdk-k8s-platform` and `cdk-k8s-platform/testing`, builds an EKS and a k3s platform
 *    with two services each, and is type-checked by `tsc` against the installed package's types, twice:
 *    `module: NodeNext` (what `cdk init` writes) and `module: commonjs` with `moduleResolution: node`
 *    (older apps, which read `typesVersions` instead of `exports`; node10 ignores `exports`, so the deep-import
 *    check below runs under NodeNext only);
 * 5. `node app.js` synthesizes; the stacks, their resources and the snapshot helper's output are checked;
 * 6. deep imports (`cdk-k8s-platform/dist/...`, `/lib/...`) must be refused by the `exports` map, at run time
 *    and by the type checker;
 * 7. named imports from an ES module (`import { WebService } from 'cdk-k8s-platform'`) resolve: the compiled
 *    index.js files load their modules lazily, in a form Node's CommonJS lexer still reads;
 * 8. exactly one copy of `constructs`, `aws-cdk-lib` and `cdk8s` is installed (a nested copy under
 *    cdk-k8s-platform would make constructs from two copies that cannot be mixed).
 *
 * Options (environment): CONSUMER_SKIP_COMPILE=1 reuses dist/; CONSUMER_KEEP=1 keeps the temporary folder.
 * Exits non-zero with a message saying which step failed and why.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const started = Date.now();
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  devDependencies: Record<string, string>;
};

/** The peers the consumer installs, at the exact versions this repo develops against. */
const PEERS = ['aws-cdk-lib', 'constructs', 'cdk8s', 'cdk8s-plus-28'];
/** Packages that must exist exactly once in the consumer's node_modules. */
const SINGLETONS = ['constructs', 'aws-cdk-lib', 'cdk8s'];

class StepError extends Error {}

function fail(message: string): never {
  throw new StepError(message);
}

function step(name: string): void {
  process.stdout.write(`consumer-test: ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

function run(cmd: string, args: string[], cwd: string, what: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    fail(`${what} failed: ${cmd} ${args.join(' ')} (in ${cwd})\n${err.stdout ?? ''}${err.stderr ?? err.message}`);
  }
}

/** Runs commands in parallel (the machine has 2 cores; each tsc run loads all of aws-cdk-lib's types). */
async function runAll(jobs: Array<{ cmd: string; args: string[]; cwd: string; what: string }>): Promise<void> {
  const results = await Promise.all(jobs.map(j => new Promise<string | undefined>(resolve => {
    execFile(j.cmd, j.args, { cwd: j.cwd, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve(err ? `${j.what} failed: ${j.cmd} ${j.args.join(' ')} (in ${j.cwd})\n${stdout}${stderr || err.message}` : undefined);
    });
  })));
  const failures = results.filter((r): r is string => r !== undefined);
  if (failures.length > 0) fail(failures.join('\n'));
}

function exactVersion(name: string): string {
  const range = PKG.devDependencies[name];
  if (!range) fail(`package.json has no devDependency ${name}: the consumer test installs the peers at the repo's versions.`);
  const installed = path.join(ROOT, 'node_modules', name, 'package.json');
  // the version this repo actually tests against (a range such as ^20 resolves to the installed one)
  return fs.existsSync(installed) ? (JSON.parse(fs.readFileSync(installed, 'utf8')) as { version: string }).version : range;
}

/** The consumer's app: public entry points only. */
const APP_TS = `import { App, Stack } from 'aws-cdk-lib';
import { App as Cdk8sApp } from 'cdk8s';
import { EksPlatformStack, IPlatformCluster, K3sPlatformStack, PlatformChart, ReleaseStrategy, StatefulService, WebService } from 'cdk-k8s-platform';
import { platformSnapshot } from 'cdk-k8s-platform/testing';
import { Size } from 'cdk8s';
import { writeFileSync } from 'fs';

function shop(cluster: IPlatformCluster): void {
  const chart = new PlatformChart(new Cdk8sApp(), 'shop', { traits: cluster.traits, namespace: 'shop' });
  new WebService(chart, 'web', {
    image: 'ghcr.io/acme/web:1.2.0',
    ingress: { hosts: ['shop.example.com'] },
    release: ReleaseStrategy.canary({ image: 'ghcr.io/acme/web:1.3.0', weight: 10 }),
  });
  new StatefulService(chart, 'db', {
    image: 'postgres:16.4',
    ports: [{ name: 'postgres', port: 5432 }],
    volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(20) }],
  });
  cluster.addWorkloads('shop', [chart]);
}

const app = new App({ outdir: 'cdk.out' });
const eks = new EksPlatformStack(app, 'consumer-eks', { platformName: 'consumer' });
shop(eks.cluster);
const k3s = new K3sPlatformStack(app, 'consumer-k3s', { platformName: 'consumer' });
shop(k3s.cluster);
app.synth();

const stacks: Stack[] = [eks, k3s];
writeFileSync('snapshot.json', JSON.stringify(Object.fromEntries(stacks.map(s => [s.stackName, platformSnapshot(s)]))));
`;

/** Deep imports that the `exports` map must refuse. */
const DEEP_IMPORTS = ['cdk-k8s-platform/dist/index.js', 'cdk-k8s-platform/dist/testing', 'cdk-k8s-platform/lib/index', 'cdk-k8s-platform/dist/workloads/web-service'];

const ESM_JS = `import { EksPlatformStack, K3sPlatformStack, WebService } from 'cdk-k8s-platform';
import { platformSnapshot } from 'cdk-k8s-platform/testing';
console.log([EksPlatformStack, K3sPlatformStack, WebService, platformSnapshot].map(x => typeof x).join(' '));
`;

const CHECK_JS = `const deep = ${JSON.stringify(DEEP_IMPORTS)};
const allowed = [];
for (const spec of deep) {
  try { require.resolve(spec); allowed.push(spec); } catch (e) {
    if (e.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && e.code !== 'MODULE_NOT_FOUND') { allowed.push(spec + ' (' + e.code + ')'); }
  }
}
for (const spec of ['cdk-k8s-platform', 'cdk-k8s-platform/testing', 'cdk-k8s-platform/package.json']) require.resolve(spec);
process.stdout.write(JSON.stringify(allowed));
`;

const DEEP_TS = DEEP_IMPORTS.filter(s => !s.endsWith('.js')).map((s, i) => `// @ts-expect-error deep imports are not part of the API\nimport * as deep${i} from '${s}';\nvoid deep${i};\n`).join('');

function tsconfig(files: string[], moduleOptions: Record<string, string>): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      lib: ['es2022'],
      strict: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: ['node'],
      outDir: '.',
      rootDir: '.',
      ...moduleOptions,
    },
    files,
  }, null, 2);
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

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-platform-consumer-'));
  try {
    if (process.env.CONSUMER_SKIP_COMPILE !== '1') {
      step('npm run compile');
      run('npm', ['run', 'compile', '--silent'], ROOT, 'compiling the library');
    }
    if (!fs.existsSync(path.join(ROOT, 'dist', 'index.d.ts'))) fail('dist/index.d.ts is missing: run `npm run compile` first.');

    step('npm pack');
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], ROOT, 'npm pack')) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const tarball = path.join(tmp, path.basename(packed[0].filename));
    const files = packed[0].files.map(f => f.path);
    for (const required of ['dist/index.js', 'dist/index.d.ts', 'dist/testing/index.d.ts', 'README.md', 'LICENSE']) {
      if (!files.includes(required)) fail(`the package lacks ${required}: check "files" in package.json.`);
    }
    if (!files.some(f => f.endsWith('.sh'))) fail('the package holds no *.sh: the node bootstrap scripts lib/ reads at synth time are missing (projenrc/copy-assets.ts).');
    const leaked = files.filter(f => /^(lib|test|bin|charts|examples|bench)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'));
    if (leaked.length > 0) fail(`the package holds sources it should not: ${leaked.slice(0, 5).join(', ')}`);

    step(`npm install in ${tmp}`);
    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    const dependencies: Record<string, string> = { [PKG.name]: `file:${tarball}` };
    for (const p of PEERS) dependencies[p] = exactVersion(p);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
      name: 'consumer-app',
      version: '1.0.0',
      private: true,
      license: 'UNLICENSED',
      dependencies,
      devDependencies: { '@types/node': exactVersion('@types/node') },
    }, null, 2));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app, 'installing the package and its peers');

    step('checking single copies of constructs, aws-cdk-lib, cdk8s');
    const copies = new Map<string, string[]>();
    findCopies(app, new Set(SINGLETONS), copies);
    for (const name of SINGLETONS) {
      const found = copies.get(name) ?? [];
      if (found.length !== 1) {
        fail(`expected exactly one copy of ${name} in the consumer's node_modules, found ${found.length}:\n  ${found.map(f => path.relative(app, f)).join('\n  ')}\n` +
          `${name} must be a peerDependency of ${PKG.name} (never a dependency), so the app's copy is used.`);
      }
    }

    step('tsc (NodeNext and node10 resolution)');
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    fs.writeFileSync(path.join(app, 'app.ts'), APP_TS);
    fs.writeFileSync(path.join(app, 'deep.ts'), DEEP_TS);
    fs.writeFileSync(path.join(app, 'tsconfig.node10.json'), tsconfig(['app.ts'], { module: 'commonjs', moduleResolution: 'node10' }));
    fs.writeFileSync(path.join(app, 'tsconfig.json'), tsconfig(['app.ts', 'deep.ts'], { module: 'NodeNext', moduleResolution: 'NodeNext' }));
    await runAll([
      { cmd: 'node', args: [tsc, '-p', 'tsconfig.json'], cwd: app, what: 'type-checking with "module": "NodeNext" (the cdk init default)' },
      {
        cmd: 'node',
        args: [tsc, '-p', 'tsconfig.node10.json', '--noEmit'],
        cwd: app,
        what: 'type-checking with "moduleResolution": "node" (apps on module commonjs: subpath entry points need "typesVersions" in package.json)',
      },
    ]);

    step('deep imports are refused');
    const allowed = JSON.parse(run('node', ['-e', CHECK_JS], app, 'resolving entry points')) as string[];
    if (allowed.length > 0) fail(`deep imports resolve, but only the "exports" entry points may: ${allowed.join(', ')}`);

    step('node app.js (synthesize)');
    run('node', ['app.js'], app, 'synthesizing the consumer app');
    const manifest = JSON.parse(fs.readFileSync(path.join(app, 'cdk.out', 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string }> };
    const expectations: Record<string, string[]> = {
      'consumer-eks': ['AWS::EKS::Cluster', 'AWS::EC2::VPC', 'Custom::AWSCDK-EKS-HelmChart'],
      'consumer-k3s': ['AWS::AutoScaling::AutoScalingGroup', 'AWS::EC2::VPC', 'AWS::SSM::Association'],
    };
    for (const [stack, types] of Object.entries(expectations)) {
      if (manifest.artifacts[stack]?.type !== 'aws:cloudformation:stack') fail(`cdk.out/manifest.json has no stack ${stack}; artifacts: ${Object.keys(manifest.artifacts).join(', ')}`);
      const template = JSON.parse(fs.readFileSync(path.join(app, 'cdk.out', `${stack}.template.json`), 'utf8')) as { Resources: Record<string, { Type: string }> };
      const present = new Set(Object.values(template.Resources).map(r => r.Type));
      const missing = types.filter(t => !present.has(t));
      if (missing.length > 0) fail(`stack ${stack} lacks ${missing.join(', ')}`);
    }
    const snapshot = JSON.parse(fs.readFileSync(path.join(app, 'snapshot.json'), 'utf8')) as Record<string, { template: { Resources?: object } }>;
    for (const stack of Object.keys(expectations)) {
      const text = JSON.stringify(snapshot[stack] ?? {});
      if (!snapshot[stack]?.template?.Resources) fail(`platformSnapshot of ${stack} has no template resources`);
      if (/[0-9a-f]{64}/.test(text)) fail(`platformSnapshot of ${stack} still holds a 64-hex asset hash: ${/.{40}[0-9a-f]{64}/.exec(text)?.[0]}`);
    }

    step('named imports from an ES module (the lazy index.js files keep every name visible to Node\'s CommonJS lexer)');
    fs.writeFileSync(path.join(app, 'esm.mjs'), ESM_JS);
    const esm = run('node', ['esm.mjs'], app, 'importing named exports from an ES module').trim();
    if (esm !== 'function function function function') fail(`named ESM imports gave "${esm}", expected four functions`);

    step(`passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    if (process.env.CONSUMER_KEEP === '1') process.stdout.write(`consumer-test: kept ${tmp}\n`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  if (e instanceof StepError) {
    process.stderr.write(`\nconsumer-test FAILED: ${e.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`\nconsumer-test FAILED: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

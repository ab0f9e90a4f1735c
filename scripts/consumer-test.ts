/*
 * Consumer test: proves the npm package works in another CDK app, installed the way the README says, using
 * only its public entry points.
 *
 *   npm run test:consumer    (tsx scripts/consumer-test.ts): what users get today
 *   npm run test:floor       (CONSUMER_VERSIONS=floor): the oldest versions the peer ranges allow
 *
 * 1. `npm run compile` (tsc → dist/, plus the shell scripts lib/ reads at synth time), then `npm pack`;
 * 2. a fresh app, installed with the commands of README.md's "Using the library from another CDK app" (read
 *    from the README, so README and test cannot drift; the library's name is replaced by the tarball):
 *    - latest (default): exactly those lines: the peers by their ranges and the CDK CLI the README names;
 *      the installed versions must be the newest the ranges allow (what `npm install` gives users today);
 *    - floor: the peers at the minimum of package.json's peerDependencies and the CLI the README names for
 *      them; the installed versions must be exactly those;
 *    the README's ranges must equal package.json's peerDependencies; the versions installed are printed;
 * 3. exactly one copy of `constructs`, `aws-cdk-lib` and `cdk8s` is installed (a nested copy under
 *    cdk-k8s-platform would make constructs from two copies that cannot be mixed);
 * 4. app.ts imports only `cdk-k8s-platform` and `cdk-k8s-platform/testing`, builds an EKS and a k3s platform
 *    with two services each, and is type-checked by `tsc` against the installed package's types, twice:
 *    `module: NodeNext` (what `cdk init` writes) and `module: commonjs` with `moduleResolution: node`
 *    (older apps, which read `typesVersions` instead of `exports`; node10 ignores `exports`, so the deep-import
 *    check below runs under NodeNext only);
 * 5. deep imports (`cdk-k8s-platform/dist/...`, `/lib/...`) must be refused by the `exports` map, at run time
 *    and by the type checker;
 * 6. the installed CDK CLI synthesizes the app (`npx cdk synth --app 'node app.js'`, with aws-cdk-lib's
 *    built-in validation as users have it); the stacks, their resources and the snapshot helper's output are
 *    checked;
 * 7. named imports from an ES module (`import { WebService } from 'cdk-k8s-platform'`) resolve: the compiled
 *    index.js files load their modules lazily, in a form Node's CommonJS lexer still reads.
 * 8. an EKS app (a web service and a team) synthesizes and loads only what it uses: not cdk8s-plus-28 (the workloads use the library's subset of its `k8s`
 *    classes, projenrc/k8s-subset.ts), no self-managed cluster's module, no second copy of `yaml`, not aws-ec2's
 *    VPC endpoint module, and no second copy of the EKS L1 classes where aws-eks-v2 has its own. Each of these
 *    cost an app 7–160 ms of start-up (docs/benchmarks.md).
 *
 * Options (environment): CONSUMER_VERSIONS=latest|floor (default latest); CONSUMER_SKIP_COMPILE=1 reuses
 * dist/; CONSUMER_KEEP=1 keeps the temporary folder.
 * Exits non-zero with a message naming the step that failed and why.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertSingleCopies, CLI_ENV, compileAndPack, fail, installedVersion, readPackage, ROOT, run, runAll, Steps } from './private/steps';

const PKG = readPackage(ROOT);
const MODE = process.env.CONSUMER_VERSIONS ?? 'latest';
const steps = new Steps(MODE === 'floor' ? 'consumer-test (floor)' : 'consumer-test');
/** Packages that must exist exactly once in the consumer's node_modules. */
const SINGLETONS = ['constructs', 'aws-cdk-lib', 'cdk8s'];
const README_SECTION = '## Using the library from another CDK app';

/** `name@range` from an install command. */
interface Spec {
  readonly name: string;
  readonly range: string;
}

/** The install commands of the README's section, parsed. */
interface ReadmeInstall {
  /** The line that installs the library and its peers. */
  readonly peers: Spec[];
  /** The CDK CLI (`npm install --save-dev aws-cdk@...`). */
  readonly cli: Spec;
  /** The CLI the README names for the floor versions. */
  readonly floorCli: string;
}

function parseSpec(token: string): Spec {
  const at = token.lastIndexOf('@');
  return at > 0 ? { name: token.slice(0, at), range: token.slice(at + 1) } : { name: token, range: '' };
}

/** Reads the install commands from README.md and checks them against package.json. */
function readmeInstall(): ReadmeInstall {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${README_SECTION}\n`);
  if (start < 0) fail(`README.md has no section "${README_SECTION}"`);
  const section = readme.slice(start + 1).split(/\n## /)[0];
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? fail(`README.md "${README_SECTION}" has no \`\`\`sh block`);
  const lines = block.split('\n').map(l => l.trim().split(/\s+/)).filter(t => t[0] === 'npm' && t[1] === 'install');
  const libLine = lines.find(t => t.includes(PKG.name)) ?? fail(`README.md "${README_SECTION}": no \`npm install ${PKG.name} ...\` line`);
  const cliLine = lines.find(t => t.some(x => parseSpec(x).name === 'aws-cdk'))
    ?? fail(`README.md "${README_SECTION}": no \`npm install --save-dev aws-cdk@...\` line naming the CDK CLI to use`);
  if (!cliLine.includes('--save-dev') && !cliLine.includes('-D')) fail(`README.md: the CDK CLI line should install it as a devDependency: ${cliLine.join(' ')}`);
  const peers = libLine.slice(2).filter(t => !t.startsWith('-') && t !== PKG.name).map(parseSpec);
  const declared = Object.entries(PKG.peerDependencies ?? {}).filter(([name]) => name !== '@aws-quickstart/eks-blueprints');
  const readmeText = peers.map(p => `${p.name}@${p.range}`).sort().join(' ');
  const pkgText = declared.map(([n, r]) => `${n}@${r}`).sort().join(' ');
  if (readmeText !== pkgText) fail(`README.md's install line and package.json's peerDependencies differ:\n  README:       ${readmeText}\n  package.json: ${pkgText}\nchange the README's line.`);
  const floorCli = /`aws-cdk@(\d+\.\d+\.\d+)`/.exec(section.replace(block, ''))?.[1]
    ?? fail(`README.md "${README_SECTION}" names no CDK CLI (\`aws-cdk@x.y.z\`) for the floor versions`);
  return { peers, cli: parseSpec(cliLine.find(t => parseSpec(t).name === 'aws-cdk')!), floorCli };
}

/** The minimum of a caret range (`^2.261.0` → `2.261.0`). */
function floorOf(spec: Spec): string {
  const m = /^\^(\d+\.\d+\.\d+)$/.exec(spec.range);
  if (!m) fail(`${spec.name}@${spec.range}: the test understands caret ranges (^x.y.z) only`);
  return m[1];
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/** What `npm install name@^x.y.z` installs today: the `latest` tag if it is in the range, otherwise the newest in the range. */
function npmChoice(spec: Spec): string {
  const floor = floorOf(spec);
  const view = JSON.parse(run('npm', ['view', spec.name, 'dist-tags', 'versions', '--json', '--prefer-online'], ROOT, `asking the registry for ${spec.name}'s versions`)) as {
    'dist-tags': Record<string, string>;
    'versions': string[];
  };
  const major = floor.split('.')[0];
  const inRange = (v: string) => /^\d+\.\d+\.\d+$/.test(v) && v.split('.')[0] === major && compareVersions(v, floor) >= 0;
  const latest = view['dist-tags'].latest;
  if (latest && inRange(latest)) return latest;
  const candidates = view.versions.filter(inRange).sort(compareVersions);
  return candidates[candidates.length - 1] ?? fail(`no version of ${spec.name} satisfies ${spec.range}`);
}

/** The consumer's app: public entry points only. */
const APP_TS = `import { App, Stack } from 'aws-cdk-lib';
import { App as Cdk8sApp } from 'cdk8s';
import { EksPlatformStack, IPlatformCluster, SelfManagedPlatformStack, PlatformChart, ReleaseStrategy, StatefulService, WebService } from 'cdk-k8s-platform';
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

const app = new App(); // the CDK CLI sets the output directory (CDK_OUTDIR)
const eks = new EksPlatformStack(app, 'consumer-eks', { platformName: 'consumer' });
shop(eks.cluster);
const k3s = new SelfManagedPlatformStack(app, 'consumer-k3s', { platformName: 'consumer-k3s' });
shop(k3s.cluster);
app.synth();

const stacks: Stack[] = [eks, k3s];
writeFileSync('snapshot.json', JSON.stringify(Object.fromEntries(stacks.map(s => [s.stackName, platformSnapshot(s)]))));
`;

/** Deep imports that the `exports` map must refuse. */
const DEEP_IMPORTS = ['cdk-k8s-platform/dist/index.js', 'cdk-k8s-platform/dist/testing', 'cdk-k8s-platform/lib/index', 'cdk-k8s-platform/dist/workloads/web-service'];

const ESM_JS = `import { EksPlatformStack, SelfManagedPlatformStack, WebService } from 'cdk-k8s-platform';
import { platformSnapshot } from 'cdk-k8s-platform/testing';
console.log([EksPlatformStack, SelfManagedPlatformStack, WebService, platformSnapshot].map(x => typeof x).join(' '));
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

/** An EKS app of one web service; prints the files it loaded. */
const EKS_ONLY_JS = `const fs = require('fs');
const os = require('os');
const path = require('path');
const { App } = require('aws-cdk-lib');
const cdk8s = require('cdk8s');
const iam = require('aws-cdk-lib/aws-iam');
const { EksPlatformStack, PlatformChart, PlatformTeam, WebService } = require('cdk-k8s-platform');
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-only-'));
try {
  const app = new App({ outdir });
  const stack = new EksPlatformStack(app, 'eks-only', { platformName: 'acme' });
  const chart = new PlatformChart(new cdk8s.App(), 'shop', { traits: stack.cluster.traits, namespace: 'shop' });
  new WebService(chart, 'web', { image: 'ghcr.io/acme/web:1.2.0', ingress: { hosts: ['shop.example.com'] } });
  // a team: its access entry is an EKS L1 class, which aws-eks-v2 does not export at the floor of the peer range
  const teams = new cdk8s.Chart(new cdk8s.App(), 'teams');
  const payments = new PlatformTeam(teams, 'payments', { namespaces: ['payments'], groups: { edit: ['payments-devs'] } });
  stack.addTeam(payments, { iamRoles: { edit: [iam.Role.fromRoleArn(stack, 'Devs', 'arn:aws:iam::111122223333:role/payments-devs')] } });
  stack.cluster.addWorkloads('shop', [chart]);
  stack.cluster.addWorkloads('teams', [teams]);
  app.synth();
  const template = JSON.parse(fs.readFileSync(path.join(outdir, 'eks-only.template.json'), 'utf8'));
  if (!Object.values(template.Resources).some(r => r.Type === 'AWS::EKS::AccessEntry' && JSON.stringify(r).includes('payments-devs'))) {
    throw new Error('no access entry for the team');
  }
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(Object.keys(require.cache)));
`;

/** Files an EKS app must not load, and why (`when`: only if the app loaded a file matching it). */
const NOT_LOADED_BY_EKS: Array<{ readonly pattern: RegExp; readonly what: string; readonly when?: RegExp }> = [
  { pattern: /\/node_modules\/cdk8s-plus-28\//, what: 'cdk8s-plus-28 (2.7 MB of generated k8s classes; lib/workloads/private/plus.ts uses the subset)' },
  { pattern: /\/cdk-k8s-platform\/dist\/clusters\/(k3s|kubeadm|self-managed)\//, what: 'a self-managed cluster\'s module' },
  { pattern: /\/node_modules\/yaml\//, what: 'the yaml package (cdk8s brings its own copy; the library loads it only where it parses or renders outside the fast path)' },
  { pattern: /\/aws-cdk-lib\/aws-ec2\/lib\/vpc-endpoint\.js$/, what: 'aws-ec2\'s VPC endpoint module (its service constants; lib/network/private/s3-gateway-endpoint.ts writes the endpoint)' },
  {
    pattern: /\/aws-cdk-lib\/aws-eks\/lib\/eks\.generated\.js$/,
    when: /\/aws-cdk-lib\/aws-eks-v2\/lib\/eks\.generated\.js$/,
    what: 'a second copy of the EKS L1 classes (aws-eks-v2 has its own here; lib/clusters/eks/private/eks-l1.ts)',
  },
];

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

/** Installs the tarball, the peers and the CLI into `app` as the README says (latest) or at the floor; returns what is expected installed. */
function install(app: string, tarball: string, readme: ReadmeInstall): Map<string, string> {
  const flags = ['--no-audit', '--no-fund', '--loglevel=error', MODE === 'floor' ? '--prefer-offline' : '--prefer-online'];
  const expected = new Map<string, string>();
  const peers = readme.peers.map(p => {
    const version = MODE === 'floor' ? floorOf(p) : npmChoice(p);
    expected.set(p.name, version);
    return MODE === 'floor' ? `${p.name}@${version}` : `${p.name}@${p.range}`;
  });
  const cli = MODE === 'floor' ? readme.floorCli : npmChoice(readme.cli);
  expected.set('aws-cdk', cli);
  steps.step(`npm install ${PKG.name} ${peers.join(' ')}`);
  run('npm', ['install', tarball, ...peers, ...flags], app, 'installing the package and its peers (the README\'s install line)');
  const cliSpec = MODE === 'floor' ? `aws-cdk@${cli}` : `aws-cdk@${readme.cli.range}`;
  steps.step(`npm install --save-dev ${cliSpec}`);
  run('npm', ['install', '--save-dev', cliSpec, ...flags], app, 'installing the CDK CLI (the README\'s CLI line)');
  return expected;
}

/** Prints the versions installed and fails unless they are the expected ones. */
function checkVersions(app: string, expected: Map<string, string>): void {
  const rows = [...expected].map(([name, want]) => ({ name, want, got: installedVersion(app, name) ?? 'not installed' }));
  rows.push({ name: PKG.name, want: PKG.version, got: installedVersion(app, PKG.name) ?? 'not installed' });
  for (const r of rows) process.stdout.write(`  ${r.name.padEnd(18)} ${r.got}${r.got === r.want ? '' : `   (expected ${r.want})`}\n`);
  const wrong = rows.filter(r => r.got !== r.want);
  if (wrong.length > 0) {
    fail(`installed versions are not ${MODE === 'floor' ? 'the floor of the peer ranges' : 'the newest the README\'s ranges allow (what users get)'}: `
      + wrong.map(r => `${r.name} ${r.got}, expected ${r.want}`).join('; '));
  }
}

/** Checks the cloud assembly and the snapshot helper's output. */
function checkSynthesis(app: string): void {
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
}

async function main(): Promise<void> {
  if (MODE !== 'latest' && MODE !== 'floor') fail(`CONSUMER_VERSIONS is "${MODE}": use "latest" (the default) or "floor".`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-platform-consumer-'));
  try {
    steps.step('reading the install commands from README.md');
    const readme = readmeInstall();
    const tarball = compileAndPack(steps, tmp, process.env.CONSUMER_SKIP_COMPILE === '1');

    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
      name: 'consumer-app',
      version: '1.0.0',
      private: true,
      license: 'UNLICENSED',
      devDependencies: { '@types/node': installedVersion(ROOT, '@types/node') ?? fail('@types/node is not installed in this repository') },
    }, null, 2));
    const expected = install(app, tarball, readme);

    steps.step(`checking the installed versions (${MODE})`);
    checkVersions(app, expected);

    steps.step('checking single copies of constructs, aws-cdk-lib, cdk8s');
    assertSingleCopies(app, SINGLETONS, PKG.name);

    steps.step('tsc (NodeNext and node10 resolution)');
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

    steps.step('deep imports are refused');
    const allowed = JSON.parse(run('node', ['-e', CHECK_JS], app, 'resolving entry points')) as string[];
    if (allowed.length > 0) fail(`deep imports resolve, but only the "exports" entry points may: ${allowed.join(', ')}`);

    steps.step(`npx cdk synth --app 'node app.js' (CLI ${installedVersion(app, 'aws-cdk')}, aws-cdk-lib ${installedVersion(app, 'aws-cdk-lib')})`);
    run('npx', ['--no-install', 'cdk', 'synth', '--app', 'node app.js', '--no-notices', '--quiet'], app, 'synthesizing the consumer app with the CDK CLI',
      { ...CLI_ENV, CDK_VALIDATION: undefined, NODE_OPTIONS: undefined });
    checkSynthesis(app);

    steps.step('named imports from an ES module (the lazy index.js files keep every name visible to Node\'s CommonJS lexer)');
    fs.writeFileSync(path.join(app, 'esm.mjs'), ESM_JS);
    const esm = run('node', ['esm.mjs'], app, 'importing named exports from an ES module').trim();
    if (esm !== 'function function function function') fail(`named ESM imports gave "${esm}", expected four functions`);

    steps.step('an EKS app (a web service and a team) synthesizes and loads only what it uses');
    fs.writeFileSync(path.join(app, 'eks-only.js'), EKS_ONLY_JS);
    const loaded = (JSON.parse(run('node', ['eks-only.js'], app, 'synthesizing an EKS-only app', { CDK_VALIDATION: 'false' })) as string[])
      .filter(f => !f.includes('/node_modules/cdk8s/node_modules/'));
    const refused = NOT_LOADED_BY_EKS
      .filter(({ when }) => when === undefined || loaded.some(f => when.test(f)))
      .flatMap(({ pattern, what }) => loaded.filter(f => pattern.test(f)).slice(0, 1).map(f => `${what}: ${f}`));
    if (refused.length > 0) fail(`an EKS app loaded what it does not use:\n${refused.join('\n')}`);
  } finally {
    if (process.env.CONSUMER_KEEP === '1') process.stdout.write(`${MODE === 'floor' ? 'consumer-test (floor)' : 'consumer-test'}: kept ${tmp}\n`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void steps.main(main);

/*
 * The eks-blueprints adapter (`cdk-k8s-platform/blueprints`) in an app on the exact versions
 * @aws-quickstart/eks-blueprints 1.19.0 pins (aws-cdk-lib 2.261.0, aws-cdk 2.1129.0): the main tree develops
 * on newer versions and does not install eks-blueprints.
 *
 *   npm run test:blueprints    (tsx scripts/blueprints-test.ts)
 *
 * 1. `npm run compile`, then `npm pack`;
 * 2. test/blueprints-app (package.json with exact pins, package-lock.json, app.ts) and the benchmark's
 *    blueprints contender (bench/contenders/blueprints.ts and its helper) are copied into a temporary folder
 *    and installed from the fixture's lock file, with the tarball added; the pinned versions must be the
 *    ones installed, each of constructs, aws-cdk-lib and cdk8s once;
 * 3. `tsc` type-checks app.ts and the contender against eks-blueprints' types: PlatformWorkloadsAddOn is
 *    accepted by `addOns(...)` and is a `ClusterAddOn`, blueprints' `ClusterInfo` is a `BlueprintClusterInfo`;
 * 4. `node app.js` builds a blueprint with pinned add-ons and PlatformWorkloadsAddOn, synthesizes it with the
 *    network blocked and checks the release (test/blueprints-app/app.ts).
 *
 * Options (environment): BLUEPRINTS_SKIP_COMPILE=1 reuses dist/; BLUEPRINTS_KEEP=1 keeps the temporary folder.
 * Exits non-zero with a message naming the step that failed and why.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertSingleCopies, compileAndPack, fail, installedVersion, readPackage, ROOT, run, Steps } from './private/steps';

const steps = new Steps('blueprints-test');
const FIXTURE = path.join(ROOT, 'test', 'blueprints-app');
/** The benchmark contender that needs eks-blueprints: type-checked here (the main tree cannot). */
const CONTENDER_FILES = ['blueprints.ts', 'private/plus-services.ts'];

/** Copies the fixture (no node_modules or build output) and the contender into `app`. */
function copyFixture(app: string): void {
  for (const f of fs.readdirSync(FIXTURE)) {
    if (/^(package(-lock)?\.json|tsconfig\.json|.*\.ts)$/.test(f) && !f.endsWith('.d.ts')) fs.copyFileSync(path.join(FIXTURE, f), path.join(app, f));
  }
  for (const f of CONTENDER_FILES) {
    const to = path.join(app, 'contenders', f);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'bench', 'contenders', f), to);
  }
}

/** Fails unless every dependency of the fixture is installed at its pinned version. */
function checkPins(app: string, pins: Record<string, string>, when: string): void {
  const wrong = Object.entries(pins).filter(([name, version]) => installedVersion(app, name) !== version)
    .map(([name, version]) => `${name} ${installedVersion(app, name) ?? 'not installed'}, pinned ${version}`);
  if (wrong.length > 0) fail(`${when}, the fixture's pins are not what is installed: ${wrong.join('; ')}. Run \`npm install --package-lock-only\` in test/blueprints-app.`);
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-platform-blueprints-'));
  try {
    const tarball = compileAndPack(steps, tmp, process.env.BLUEPRINTS_SKIP_COMPILE === '1');
    const fixture = readPackage(FIXTURE);
    const pins = { ...fixture.dependencies, ...fixture.devDependencies };
    const nonExact = Object.entries(pins).filter(([, v]) => !/^\d+\.\d+\.\d+$/.test(v));
    if (nonExact.length > 0) fail(`test/blueprints-app/package.json must pin exact versions: ${nonExact.map(([n, v]) => `${n}@${v}`).join(', ')}`);

    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    copyFixture(app);
    const flags = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
    // one install: the fixture's lock file fixes its versions, the tarball is added (npm ci and then
    // npm install <tarball> took twice as long)
    steps.step(`npm install (test/blueprints-app/package-lock.json + ${path.basename(tarball)})`);
    const manifest = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    manifest.dependencies[readPackage(ROOT).name] = `file:${tarball}`;
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    run('npm', ['install', ...flags], app, 'installing the fixture from its lock file, with the packed library');
    checkPins(app, pins, 'after npm install');
    process.stdout.write(Object.keys(pins).concat(readPackage(ROOT).name).map(n => `  ${n.padEnd(32)} ${installedVersion(app, n)}\n`).join(''));

    steps.step('checking single copies of constructs, aws-cdk-lib, cdk8s');
    assertSingleCopies(app, ['constructs', 'aws-cdk-lib', 'cdk8s'], readPackage(ROOT).name);

    steps.step('tsc: the adapter against eks-blueprints\' types (app.ts, bench/contenders/blueprints.ts)');
    run('node', [path.join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app, 'type-checking the fixture app and the blueprints contender');

    steps.step('node app.js (a blueprint with PlatformWorkloadsAddOn, network blocked)');
    const output = run('node', ['app.js'], app, 'running the fixture app\'s checks');
    process.stdout.write(output.split('\n').map(l => (l ? `  ${l}` : l)).join('\n'));
    if (!/ \d+ passed, 0 failed\n?$/.test(output)) fail(`the fixture app did not report its checks as passed:\n${output}`);
  } finally {
    if (process.env.BLUEPRINTS_KEEP === '1') process.stdout.write(`blueprints-test: kept ${tmp}\n`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void steps.main(main);

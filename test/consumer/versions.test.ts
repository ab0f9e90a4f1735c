/*
 * Static checks of the versions users install and the tests that install them (scripts/consumer-test.ts,
 * scripts/blueprints-test.ts, run by CI after `npm test`).
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
type Manifest = {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
const read = <T>(...p: string[]): T => JSON.parse(fs.readFileSync(path.join(ROOT, ...p), 'utf8')) as T;
const pkg = read<Manifest>('package.json');
const fixture = read<Manifest>('test', 'blueprints-app', 'package.json');
const fixtureLock = read<{ packages: Record<string, Manifest & { version: string }> }>('test', 'blueprints-app', 'package-lock.json');

/** The `npm install` lines of the README's section for users. */
function readmeInstallLines(): string[][] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('\n## Using the library from another CDK app\n')[1]?.split(/\n## /)[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').map(l => l.trim().split(/\s+/)).filter(t => t[0] === 'npm' && t[1] === 'install');
}

describe('what users install', () => {
  test('the README installs the library with exactly the peer ranges of package.json (required peers)', () => {
    const line = readmeInstallLines().find(t => t.includes('cdk-k8s-platform'));
    const required = Object.entries(pkg.peerDependencies ?? {}).filter(([n]) => !pkg.peerDependenciesMeta?.[n]?.optional);
    expect(line?.slice(2).filter(t => t !== 'cdk-k8s-platform').sort()).toEqual(required.map(([n, r]) => `${n}@${r}`).sort());
  });

  test('the README names the CDK CLI: at least the one this repo develops with', () => {
    const cli = readmeInstallLines().flat().find(t => t.startsWith('aws-cdk@'));
    expect(cli).toBe(`aws-cdk@^${pkg.devDependencies?.['aws-cdk']}`);
  });
});

describe('test/blueprints-app: the versions eks-blueprints pins', () => {
  const all = { ...fixture.dependencies, ...fixture.devDependencies };
  const blueprints = fixtureLock.packages['node_modules/@aws-quickstart/eks-blueprints'];

  test('every dependency is pinned exactly, and the lock file installs those versions', () => {
    for (const [name, version] of Object.entries(all)) {
      expect({ name, version }).toEqual({ name, version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
      expect({ name, locked: fixtureLock.packages[`node_modules/${name}`]?.version }).toEqual({ name, locked: version });
    }
  });

  test('aws-cdk-lib and aws-cdk are the exact peers eks-blueprints declares', () => {
    expect(blueprints.peerDependencies).toEqual(expect.objectContaining({ 'aws-cdk-lib': all['aws-cdk-lib'], 'aws-cdk': all['aws-cdk'] }));
  });

  test('the fixture\'s eks-blueprints is in the library\'s optional peer range', () => {
    expect(pkg.peerDependencies?.['@aws-quickstart/eks-blueprints']).toBe(`^${blueprints.version}`);
    expect(pkg.peerDependenciesMeta?.['@aws-quickstart/eks-blueprints']?.optional).toBe(true);
  });

  test('the main tree does not install eks-blueprints (it pins aws-cdk-lib exactly)', () => {
    expect(pkg.devDependencies?.['@aws-quickstart/eks-blueprints']).toBeUndefined();
    expect(fs.existsSync(path.join(ROOT, 'node_modules', '@aws-quickstart', 'eks-blueprints'))).toBe(false);
  });
});

describe('CI runs the install tests', () => {
  const tasks = read<{ tasks: Record<string, { env?: Record<string, string>; steps?: Array<{ exec?: string }> }> }>('.projen', 'tasks.json').tasks;

  test('test:floor is the consumer test on the floor versions; test:blueprints runs the fixture', () => {
    expect(tasks['test:floor']).toEqual(expect.objectContaining({ env: { CONSUMER_VERSIONS: 'floor' }, steps: [{ exec: 'tsx scripts/consumer-test.ts' }] }));
    expect(tasks['test:consumer'].steps).toEqual([{ exec: 'tsx scripts/consumer-test.ts' }]);
    expect(tasks['test:blueprints'].steps).toEqual([{ exec: 'tsx scripts/blueprints-test.ts' }]);
  });

  test('.ci/run runs the docs, day-2, compliance and install tests after npm test', () => {
    const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8').split('\n');
    // a command line, possibly after environment assignments (CONSUMER_SKIP_COMPILE=1 reuses the compiled dist/)
    const at = (cmd: string) => ci.findIndex(l => new RegExp(`^([A-Z_]+=\\S+ )*${cmd}$`).test(l.trim()));
    expect(at('npm test')).toBeGreaterThan(-1);
    for (const t of ['test:docs', 'test:day2', 'test:compliance', 'test:consumer', 'test:floor', 'test:blueprints']) {
      expect({ t, after: at(`npm run ${t}`) > at('npm test') }).toEqual({ t, after: true });
    }
  });

  test('test:docs runs the snippet check, and npm test\'s jest step leaves out exactly that pattern', () => {
    const docs = /--testPathPattern '([^']+)'/.exec(tasks['test:docs']?.steps?.[0]?.exec ?? '')?.[1];
    expect(docs).toBeDefined();
    expect(new RegExp(docs!).test('/repo/test/docs/snippets.test.ts')).toBe(true);
    expect(new RegExp(docs!).test('/repo/test/docs/links.test.ts')).toBe(false);
    const jest = tasks.test.steps?.find(s => s.exec?.startsWith('jest '))?.exec ?? '';
    expect(jest.split('--testPathIgnorePatterns')[1]).toContain(` '${docs}'`);
  });
});

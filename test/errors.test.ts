/*
 * The library's one ValidationError (lib/errors.ts): its fields, its brand (recognised across copies of the
 * library), the message format, and the lint rule that keeps `throw new Error` out of lib/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { App as Cdk8sApp, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Linter, loadESLint } from 'eslint';
import { renderScript } from '../lib/clusters/self-managed/private/render';
import { AssumptionError, ValidationError as RootValidationError } from '../lib/errors';
import * as index from '../lib/index';
import { AllowReplacement, K3sVersion, KubeadmVersion, NodeImage, PlatformChart, ReplacementGuard, synthesizeManifests, ValidationError } from '../lib/index';
import { cdkPropValidator } from '../lib/private/validate';
import { ValidationError as WorkloadsValidationError } from '../lib/workloads';
import { PropValidator } from '../lib/workloads/private/validate';

const ROOT = path.join(__dirname, '..');

/** The error `fn` throws (fails the test when it throws none). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}

describe('ValidationError', () => {
  test('is one class, exported from the package root and from lib/workloads', () => {
    expect(index.ValidationError).toBe(RootValidationError);
    expect(ValidationError).toBe(RootValidationError);
    expect(WorkloadsValidationError).toBe(RootValidationError);
    expect('AssumptionError' in index).toBe(false);
  });

  test('carries the construct path, prop and value besides the message', () => {
    const e = new ValidationError('[a/b] Thing.size is 0: must be positive.', { constructPath: 'a/b', prop: 'size', value: 0 });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ValidationError');
    expect(e.message).toBe('[a/b] Thing.size is 0: must be positive.');
    expect([e.constructPath, e.prop, e.value]).toEqual(['a/b', 'size', 0]);
    const bare = new ValidationError('no details');
    expect([bare.constructPath, bare.prop, bare.value]).toEqual([undefined, undefined, undefined]);
  });

  test('the brand recognises an error of another copy of the library, not a plain Error', () => {
    // What a second copy of lib/errors.ts (another node_modules folder) defines: a different class, same brand.
    class OtherCopy extends Error {
      constructor(message: string) {
        super(message);
        Object.defineProperty(this, Symbol.for('cdk-k8s-platform.ValidationError'), { value: true });
      }
    }
    const foreign = new OtherCopy('x');
    expect(foreign instanceof ValidationError).toBe(false);
    expect(ValidationError.isValidationError(foreign)).toBe(true);
    expect(ValidationError.isValidationError(new ValidationError('x'))).toBe(true);
    for (const other of [new Error('x'), new AssumptionError('x'), { message: 'x' }, 'x', undefined, null]) {
      expect(ValidationError.isValidationError(other)).toBe(false);
    }
  });

  test('both validators throw it with the fields filled in, in the documented format', () => {
    const chart = new Chart(new Cdk8sApp(), 'shop');
    const workload = thrownBy(() => new PropValidator(new Construct(chart, 'web'), 'WebService').port('ports[1].port', 70000));
    expect(ValidationError.isValidationError(workload)).toBe(true);
    expect(workload).toMatchObject({
      message: '[shop/web] WebService.ports[1].port is 70000: must be an integer from 1 to 65535.',
      constructPath: 'shop/web',
      prop: 'ports[1].port',
      value: 70000,
    });
    const stack = new Stack(new App(), 'S');
    const cdk = thrownBy(() => cdkPropValidator(new Construct(stack, 'Network'), 'PlatformNetwork').cidr('cidr', 'nope'));
    expect(cdk).toBeInstanceOf(ValidationError);
    expect(cdk).toMatchObject({ constructPath: 'S/Network', prop: 'cidr', value: 'nope' });
    expect((cdk as Error).message).toMatch(/^\[S\/Network\] PlatformNetwork\.cidr is "nope": must be an IPv4 CIDR block/);
  });
});

describe('former `throw new Error` sites raise ValidationError with their message unchanged', () => {
  test.each<[string, () => unknown, Partial<ValidationError>, string | RegExp]>([
    ['K3sVersion.of', () => K3sVersion.of('1.33'), { prop: 'version', value: '1.33', constructPath: undefined },
      'K3sVersion.of version is "1.33": must be a k3s release tag such as "v1.36.5+k3s1"'],
    ['KubeadmVersion.of', () => KubeadmVersion.of('v1.33'), { prop: 'version', value: 'v1.33' },
      'KubeadmVersion.of version is "v1.33": must be a Kubernetes release such as "1.36.5"'],
    ['K3sVersion.of (too old)', () => K3sVersion.of('v1.28.5+k3s1'), { prop: 'version', value: 'v1.28.5+k3s1' },
      'K3sVersion.of version is "v1.28.5+k3s1": Kubernetes 1.28 is older than this library supports (1.32 or later: native sidecars, and the add-ons\' APIs); '
      + 'pick a newer release such as "v1.36.5+k3s1".'],
    ['KubeadmVersion.of (too old)', () => KubeadmVersion.of('1.20.0'), { prop: 'version', value: '1.20.0' },
      'KubeadmVersion.of version is "1.20.0": Kubernetes 1.20 is older than this library supports (1.32 or later'],
    ['NodeImage.ubuntu2404', () => NodeImage.ubuntu2404({ serial: '2024' }), { prop: 'serial', value: '2024' },
      'NodeImage.ubuntu2404 serial is "2024": must be a Canonical image serial'],
    ['AllowReplacement.resource', () => AllowReplacement.resource(' '), { prop: 'logicalIdOrPath', value: ' ' },
      'AllowReplacement.resource(logicalIdOrPath) is " ": give the logical ID or construct path'],
    ['ReplacementGuard.lockFile', () => new ReplacementGuard(new App(), 'G', { lockFile: 'lock.yaml' }), { constructPath: 'G', prop: 'lockFile', value: 'lock.yaml' },
      '[G] ReplacementGuard.lockFile is "lock.yaml": must be the path of a .json file'],
    ['PlatformChart.of', () => PlatformChart.of(new Chart(new Cdk8sApp(), 'plain')), { constructPath: 'plain' },
      /^\[plain\] a workload of cdk-k8s-platform must be created inside a PlatformChart/],
  ])('%s', (_name, fn, fields, message) => {
    const e = thrownBy(fn);
    expect(e).toBeInstanceOf(ValidationError);
    expect(e).toMatchObject(fields);
    expect((e as Error).message).toMatch(message);
  });

  test('synthesizeManifests: the validations of a chart fail as one ValidationError naming the chart', () => {
    const chart = new Chart(new Cdk8sApp(), 'shop');
    new Construct(chart, 'web').node.addValidation({ validate: () => ['replicas must be at least 2'] });
    const e = thrownBy(() => synthesizeManifests(chart));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e).toMatchObject({ constructPath: 'shop', message: 'Validation failed with the following errors:\n  [shop/web] replicas must be at least 2' });
  });

  test('an internal invariant of the bootstrap scripts is an AssumptionError, not a ValidationError', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'errors-'));
    const script = path.join(dir, 'a.sh');
    fs.writeFileSync(script, 'echo @@NAME@@\n');
    try {
      const e = thrownBy(() => renderScript([script], {}));
      expect(e).toBeInstanceOf(AssumptionError);
      expect(ValidationError.isValidationError(e)).toBe(false);
      expect((e as Error).message).toBe(`bootstrap script ${script} needs a value for @@NAME@@`);
      expect(renderScript([script], { NAME: 'x' })).toBe('#!/bin/bash\necho x\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lint: no `throw new Error` in lib/', () => {
  test('the generated ESLint config applies the rule to lib/ and it rejects a bare Error only', async () => {
    const LegacyESLint = await loadESLint({ useFlatConfig: false });
    const config = await new LegacyESLint({ cwd: ROOT }).calculateConfigForFile(path.join(ROOT, 'lib', 'any.ts')) as Linter.LegacyConfig;
    const rule = config.rules?.['no-restricted-syntax'];
    expect(rule).toBeDefined();

    const linter = new Linter({ configType: 'eslintrc' });
    const lint = (code: string) => linter.verify(code, { parserOptions: { ecmaVersion: 2022 }, rules: { 'no-restricted-syntax': rule! } });
    const bare = lint("function f() { throw new Error('bad'); }");
    expect(bare.map(m => [m.ruleId, m.message])).toEqual([['no-restricted-syntax', expect.stringContaining('Throw ValidationError (lib/errors.ts)')]]);
    expect(lint("class ValidationError extends Error {}\nfunction f() { throw new ValidationError('bad'); }")).toEqual([]);

    const tests = await new LegacyESLint({ cwd: ROOT }).calculateConfigForFile(path.join(ROOT, 'test', 'any.test.ts')) as Linter.LegacyConfig;
    expect(tests.rules?.['no-restricted-syntax']).toBeUndefined();
  });

  test('no file of lib/ throws a bare Error', () => {
    const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
      .flatMap(e => e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
    const offenders = files(path.join(ROOT, 'lib'))
      .filter(f => /throw\s+(new\s+)?Error\s*\(/.test(fs.readFileSync(f, 'utf8')))
      .map(f => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});

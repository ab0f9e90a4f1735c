/*
 * The generated TypeScript compiles against the library's types (TypeScript compiler API, strict), runs, and
 * builds exactly the manifests composeToWorkloads builds from the same plan; the command's output is stable.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import * as ts from 'typescript';
import { ENV, FIXTURE_FILES, FIXTURES, SECRET_VALUES, synth } from './support';
import * as lib from '../../lib';
import { main } from '../../lib/compose/cli';

const ROOT = path.resolve(__dirname, '..', '..');
const generated = new Map(FIXTURE_FILES.map(([name, file]) => [name, lib.composeToTypeScript(file, { env: ENV }).code]));

test('the generated code of every fixture compiles (strict, no unused names)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-code-'));
  const files = [...generated].map(([name, code]) => {
    const file = path.join(dir, `${name}.ts`);
    fs.writeFileSync(file, code);
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    types: [],
    baseUrl: ROOT,
    paths: { 'cdk-k8s-platform': ['lib/index.ts'], 'cdk8s': ['node_modules/cdk8s'] },
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
  });
  const errors = ts.getPreEmitDiagnostics(program).filter(d => d.file && files.includes(d.file.fileName))
    .map(d => `${path.basename(d.file!.fileName)}:${d.file!.getLineAndCharacterOfPosition(d.start!).line + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  expect(errors).toEqual([]);
}, 300_000);

/** Runs generated code with the library and cdk8s of this repository. */
function run(code: string, chart: lib.PlatformChart): void {
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exports: { composeServices?: (c: lib.PlatformChart) => unknown } = {};
  const modules: Record<string, unknown> = { 'cdk-k8s-platform': lib, 'cdk8s': cdk8s };
  new Function('require', 'exports', js)((name: string) => modules[name], exports);
  exports.composeServices!(chart);
}

test.each(FIXTURE_FILES)('%s: the generated code builds what composeToWorkloads builds', (name, file) => {
  const traits = lib.ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' });
  const built = synth(traits, chart => lib.composeToWorkloads(chart, file, { env: ENV }));
  const fromCode = synth(traits, chart => run(generated.get(name)!, chart));
  expect(fromCode).toEqual(built);
});

test.each(FIXTURE_FILES)('%s: the command writes the same code, stable and holding no secret value', (name, file) => {
  let stdout = '';
  const code = main(['import-compose', file], { stdout: s => stdout += s, stderr: () => undefined }, ENV);
  expect(code).toBe(0);
  expect(stdout).toBe(generated.get(name));
  for (const secret of SECRET_VALUES) expect(stdout).not.toContain(secret);
  expect(stdout).toMatchSnapshot();
});

test('--out writes the file, warnings go to stderr; --strict fails on them with exit code 1', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'compose-out-')), 'workloads.ts');
  const file = `${FIXTURES}/unsupported/docker-compose.yml`;
  let stderr = '';
  expect(main(['import-compose', file, '--out', out], { stdout: () => undefined, stderr: s => stderr += s }, {})).toBe(0);
  expect(fs.readFileSync(out, 'utf8')).toContain('export function composeServices(chart: PlatformChart)');
  expect(stderr).toMatch(/docker-compose.yml:8:5 warning services.agent.privileged: is not supported/);
  expect(stderr).not.toMatch(/ info /);
  stderr = '';
  expect(main(['import-compose', file, '--strict'], { stdout: () => undefined, stderr: s => stderr += s }, {})).toBe(1);
  expect(stderr).toMatch(/^Compose file .*unsupported\/docker-compose.yml has 26 problems; fix them and import again:/);
});

test('the command reads .env next to the Compose file; the process environment wins', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-env-'));
  fs.writeFileSync(path.join(dir, '.env'), 'TAG=1.2.3\nPORT=8080\n');
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), 'services:\n  web:\n    image: ghcr.io/acme/web:${TAG}\n    ports: ["${PORT}:8080"]\n');
  let stdout = '';
  expect(main(['import-compose', path.join(dir, 'docker-compose.yml')], { stdout: s => stdout += s, stderr: () => undefined }, { PORT: '80' })).toBe(0);
  expect(stdout).toContain("image: 'ghcr.io/acme/web:1.2.3'");
  expect(stdout).toContain("ports: [{ name: 'http', port: 80, targetPort: 8080 }]");
});

test('usage errors exit 2 with the usage', () => {
  let stderr = '';
  expect(main(['convert'], { stdout: () => undefined, stderr: s => stderr += s }, {})).toBe(2);
  expect(stderr).toMatch(/unknown command "convert"[\s\S]*Usage: cdk-k8s-platform import-compose/);
  expect(main(['import-compose'], { stdout: () => undefined, stderr: () => undefined }, {})).toBe(2);
});

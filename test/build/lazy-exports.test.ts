import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { lazifyDirectory } from '../../projenrc/lazy-exports';

/** A tiny package compiled by TypeScript the way lib/ is (CommonJS), each module recording that it loaded. */
function compiledPackage(sources: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-platform-lazy-'));
  for (const [name, source] of Object.entries(sources)) {
    const marker = name.endsWith('index.ts') ? '' : `(globalThis as any).loaded = [...((globalThis as any).loaded ?? []), ${JSON.stringify(name)}];\n`;
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    const js = ts.transpileModule(marker + source, { compilerOptions }).outputText;
    const out = path.join(dir, name.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, js);
    fs.writeFileSync(path.join(dir, name), source); // the re-exports are read from the source
  }
  return dir;
}

const SOURCES = {
  'a.ts': 'export const A = "a"; export const Shared = "from a";',
  'b.ts': 'export class B {} export const Shared = "from b"; export const Named = "star b";',
  'sub/c.ts': 'export const C = "c"; export const Renamed = "c renamed";',
  'sub/index.ts': 'export * from \'./c\';',
  'index.ts': 'export * from \'./a\';\nexport * from \'./b\';\nexport * from \'./sub\';\nexport { Renamed as Named } from \'./sub/c\';',
};

function node(dir: string, args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf-8' }).trim();
}

describe('lazy index.js re-exports from the TypeScript AST (projenrc/lazy-exports.ts)', () => {
  let eager: string;
  let lazy: string;
  beforeAll(() => {
    eager = compiledPackage(SOURCES);
    lazy = compiledPackage(SOURCES);
    expect(lazifyDirectory(lazy, lazy)).toEqual({ files: 2, names: 2 + 6 });
  });
  afterAll(() => {
    for (const d of [eager, lazy]) fs.rmSync(d, { recursive: true, force: true });
  });

  const describeExports = 'const m = require("./index.js"); console.log(JSON.stringify(Object.keys(m).sort().map(k => [k, typeof m[k] === "function" ? "class" : m[k]])))';

  test('every name and value is the one TypeScript exports (first star wins, explicit exports beat stars)', () => {
    const expected = node(eager, ['-e', describeExports]);
    expect(node(lazy, ['-e', describeExports])).toBe(expected);
    expect(JSON.parse(expected)).toEqual([['A', 'a'], ['B', 'class'], ['C', 'c'], ['Named', 'c renamed'], ['Renamed', 'c renamed'], ['Shared', 'from a']]);
  });

  test('importing the index loads no module; a name loads only its own module', () => {
    const script = 'const m = require("./index.js"); const before = globalThis.loaded ?? []; m.C; console.log(JSON.stringify({ before, after: globalThis.loaded }))';
    expect(JSON.parse(node(lazy, ['-e', script]))).toEqual({ before: [], after: ['sub/c.ts'] });
    // the eager index loads everything up front
    expect(JSON.parse(node(eager, ['-e', script])).before).toEqual(['a.ts', 'b.ts', 'sub/c.ts']);
  });

  test('named imports from an ES module still work (Node reads the names statically)', () => {
    const script = `import { A, B, C, Named, Shared } from ${JSON.stringify(path.join(lazy, 'index.js'))}; console.log([A, typeof B, C, Named, Shared].join(','))`;
    expect(node(lazy, ['--input-type=module', '-e', script])).toBe('a,function,c,c renamed,from a');
  });

  test('rewriting twice changes nothing', () => {
    const before = fs.readFileSync(path.join(lazy, 'index.js'), 'utf-8');
    expect(lazifyDirectory(lazy, lazy)).toEqual({ files: 2, names: 2 + 6 });
    expect(fs.readFileSync(path.join(lazy, 'index.js'), 'utf-8')).toBe(before);
  });

  test('an index of types only is left alone', () => {
    const dir = compiledPackage({ 'a.ts': 'export interface A { x: number }', 'index.ts': 'export type { A } from \'./a\';' });
    try {
      expect(lazifyDirectory(dir, dir)).toEqual({ files: 0, names: 0 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a name read while its module is still loading (an import cycle) is not cached as undefined', () => {
    const dir = compiledPackage({
      // a.ts reads X from the index while x.ts, which imports a.ts, is still loading
      'a.ts': 'import * as index from \'./index\'; export const SEEN_DURING_LOAD = String(index.X);',
      'x.ts': 'import { SEEN_DURING_LOAD } from \'./a\'; export const X = "x"; export const SEEN = SEEN_DURING_LOAD;',
      'index.ts': 'export * from \'./x\';\nexport * from \'./a\';',
    });
    try {
      lazifyDirectory(dir, dir);
      expect(node(dir, ['-e', 'const m = require("./index.js"); console.log(m.SEEN + "," + m.X)'])).toBe('undefined,x');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('type-only names are skipped; `export * as ns` exports the module', () => {
    const dir = compiledPackage({
      'a.ts': 'export interface A { x: number } export const B = "b";',
      'index.ts': 'export { type A, B } from \'./a\';\nexport * as a from \'./a\';',
    });
    try {
      expect(lazifyDirectory(dir, dir)).toEqual({ files: 1, names: 2 });
      expect(node(dir, ['-e', 'const m = require("./index.js"); console.log(Object.keys(m).sort().join(",") + ";" + m.B + ";" + m.a.B)'])).toBe('B,a;b;b');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an index.ts that does more than re-export fails the build with the file, line and statement', () => {
    const dir = compiledPackage({ 'a.ts': 'export const A = 1;', 'index.ts': 'export * from \'./a\';\nexport const B = 2;' });
    try {
      expect(() => lazifyDirectory(dir, dir)).toThrow(/index\.ts:2: index\.ts files may only re-export \("export \* from '\.\/x'", "export \{ a \} from '\.\/x'"\); found: export const B = 2;/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an `export { a }` of a name the module lacks fails the build', () => {
    const dir = compiledPackage({ 'a.ts': 'export const A = 1;', 'index.ts': 'export { Missing } from \'./a\';' });
    try {
      expect(() => lazifyDirectory(dir, dir)).toThrow('./a has no export Missing');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

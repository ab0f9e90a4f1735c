/*
 * Fast, static checks of the package metadata that the consumer tests (`npm run test:consumer` and
 * `test:floor`, which pack the library and install it into a fresh app, and `test:blueprints`) prove end to
 * end. These run in `npm test`.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
interface ExportTarget { readonly types: string; readonly default: string }
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  main: string;
  types: string;
  files: string[];
  exports: Record<string, ExportTarget | string>;
  typesVersions?: Record<string, Record<string, string[]>>;
  dependencies?: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Whether `version` (x.y.z) is in the caret range `^a.b.c` (a > 0): same major, not older. */
function satisfiesCaret(version: string, range: string): boolean {
  const v = version.split('.').map(Number);
  const r = range.replace(/^\^/, '').split('.').map(Number);
  if (v[0] !== r[0]) return false;
  for (let i = 1; i < 3; i++) if (v[i] !== r[i]) return v[i] > r[i];
  return true;
}

/** dist/x/index.js → lib/x/index.ts */
function sourceOf(distPath: string): string {
  return path.join(ROOT, distPath.replace(/^\.\/dist\//, 'lib/').replace(/\.(d\.ts|js)$/, '.ts'));
}

const subpaths = Object.entries(pkg.exports).filter(([k]) => k !== './package.json') as Array<[string, ExportTarget]>;

describe('package.json of cdk-k8s-platform', () => {
  test('exports: ".", "./testing" and "./blueprints", each with types first and built from a lib/ entry point', () => {
    expect(subpaths.map(([k]) => k).sort()).toEqual(['.', './blueprints', './testing']);
    for (const [subpath, target] of subpaths) {
      expect(Object.keys(target)).toEqual(['types', 'default']); // "types" must come first
      expect(fs.existsSync(sourceOf(target.types))).toBe(true);
      expect(sourceOf(target.types)).toBe(sourceOf(target.default));
      expect(subpath).toMatch(/^\.(\/[a-z-]+)?$/);
    }
    const root = pkg.exports['.'] as ExportTarget;
    expect([root.types, root.default]).toEqual([`./${pkg.types}`, `./${pkg.main}`]);
  });

  test('typesVersions maps every subpath for apps on "moduleResolution": "node" (which ignores exports)', () => {
    const map = pkg.typesVersions?.['*'] ?? {};
    for (const [subpath, target] of subpaths.filter(([k]) => k !== '.')) {
      expect({ subpath, mapped: map[subpath.slice(2)] }).toEqual({ subpath, mapped: [target.types.slice(2)] });
    }
  });

  test.each(['aws-cdk-lib', 'constructs', 'cdk8s', 'cdk8s-plus-28'])('%s is a peer dependency, never a dependency (one copy in the app)', (name) => {
    expect(pkg.dependencies?.[name]).toBeUndefined();
    expect(pkg.peerDependencies[name]).toMatch(/^\^\d+\.\d+\.\d+$/);
  });

  test.each(['aws-cdk-lib', 'constructs', 'cdk8s', 'cdk8s-plus-28'])('%s: developed on an exact version inside the peer range (the floor is `npm run test:floor`)', (name) => {
    const dev = pkg.devDependencies[name];
    expect(dev).toMatch(/^\d+\.\d+\.\d+$/);
    expect({ name, dev, peer: pkg.peerDependencies[name], satisfied: satisfiesCaret(dev, pkg.peerDependencies[name]) })
      .toEqual({ name, dev, peer: pkg.peerDependencies[name], satisfied: true });
  });

  test('satisfiesCaret: the check above can fail', () => {
    expect(satisfiesCaret('2.276.0', '^2.261.0')).toBe(true);
    expect(satisfiesCaret('2.261.0', '^2.261.0')).toBe(true);
    expect(satisfiesCaret('2.260.9', '^2.261.0')).toBe(false);
    expect(satisfiesCaret('3.0.0', '^2.261.0')).toBe(false);
    expect(satisfiesCaret('10.10.0', '^10.6.0')).toBe(true);
  });

  test('the docs that the library\'s messages point to exist and ship with the package', () => {
    expect(pkg.files).toContain('docs/*.md');
    const named = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/docs\/([a-z0-9-]+\.md)/g)) named.add(m[1]);
      }
    };
    walk(path.join(ROOT, 'lib'));
    expect(named.size).toBeGreaterThan(10);
    for (const doc of named) expect({ doc, exists: fs.existsSync(path.join(ROOT, 'docs', doc)) }).toEqual({ doc, exists: true });
  });

  test('files ship the compiled code and every non-TypeScript file lib/ reads at synth time', () => {
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/**/*.js', 'dist/**/*.d.ts', 'README.md', 'LICENSE']));
    const assets: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (!e.name.endsWith('.ts') && !e.name.endsWith('.md')) assets.push(p);
      }
    };
    walk(path.join(ROOT, 'lib'));
    expect(assets.length).toBeGreaterThan(0);
    // An asset ships when a `files` pattern names its extension (dist/**/*.json) or its folder (dist/compose/schema/*).
    const shipped = (asset: string): boolean => {
      const inDist = path.join('dist', path.relative(path.join(ROOT, 'lib'), asset)).split(path.sep).join('/');
      const ext = path.extname(asset);
      return (ext !== '' && pkg.files.includes(`dist/**/*${ext}`)) || pkg.files.includes(`${path.posix.dirname(inDist)}/*`);
    };
    for (const asset of assets) {
      expect({ asset: path.relative(ROOT, asset), shipped: shipped(asset) }).toEqual({ asset: path.relative(ROOT, asset), shipped: true });
    }
  });
});

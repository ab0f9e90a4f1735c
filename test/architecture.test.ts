import * as fs from 'fs';
import * as path from 'path';

/**
 * The layers of the library, bottom first. A file may import its own layer and the layers below it, never a
 * layer above (bin → platform → clusters/delivery → workloads), and the workload layer never imports
 * aws-cdk-lib.
 */
const LIB = path.join(__dirname, '..', 'lib');
const LAYERS: Record<string, number> = {
  workloads: 0,
  private: 1,
  network: 1,
  compose: 1,
  delivery: 2,
  guards: 2,
  testing: 2,
  clusters: 3,
  blueprints: 3,
  addons: 4,
  platform: 5,
};

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g), ...text.matchAll(/require\('([^']+)'\)/g)].map(m => m[1]);
}

function layerOf(file: string): string {
  return path.relative(LIB, file).split(path.sep)[0];
}

const all = files(LIB);

test('every lib/ folder has a layer', () => {
  const folders = new Set(all.map(layerOf).filter(l => !l.endsWith('.ts')));
  expect([...folders].filter(f => !(f in LAYERS))).toEqual([]);
});

test('lib/workloads depends on cdk8s only, never on aws-cdk-lib', () => {
  const offenders = all.filter(f => layerOf(f) === 'workloads')
    .flatMap(f => imports(f).filter(i => i.startsWith('aws-cdk-lib') || i.startsWith('@aws-cdk/')).map(i => `${path.relative(LIB, f)} imports ${i}`));
  expect(offenders).toEqual([]);
});

test('imports point one way: no file imports a layer above its own', () => {
  const offenders: string[] = [];
  for (const f of all) {
    const own = layerOf(f);
    if (!(own in LAYERS)) continue;
    for (const i of imports(f).filter(x => x.startsWith('.'))) {
      const target = path.relative(LIB, path.resolve(path.dirname(f), i)).split(path.sep)[0];
      if (target in LAYERS && target !== own && LAYERS[target] > LAYERS[own]) offenders.push(`${path.relative(LIB, f)} imports ${i}`);
    }
  }
  expect(offenders).toEqual([]);
});

test('lib/errors.ts imports nothing, so every layer (lib/workloads included) may throw its errors', () => {
  expect(imports(path.join(LIB, 'errors.ts'))).toEqual([]);
});

test('cdk8s-plus is named only by the generated k8s subset (a newer cdk8s-plus is a change of projenrc/k8s-subset.ts)', () => {
  const users = all.filter(f => imports(f).some(i => i.startsWith('cdk8s-plus'))).map(f => path.relative(LIB, f));
  expect(users).toEqual([path.join('workloads', 'private', 'imports', 'k8s.d.ts')]);
});

test('index.ts files only re-export', () => {
  const offenders = all.filter(f => path.basename(f) === 'index.ts').filter(f => {
    const code = fs.readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    return code.split('\n').some(l => l.trim() && !/^export (\*|\{[^}]*\}|type \{[^}]*\}) from '[^']+';$/.test(l.trim()) && !/^export \* as \w+ from '[^']+';$/.test(l.trim()));
  }).map(f => path.relative(LIB, f));
  expect(offenders).toEqual([]);
});

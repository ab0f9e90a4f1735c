import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { tmpOutdir } from './helpers';
import { DirectoryStager, stagedAsset } from '../../lib/delivery/private/render';

const FILES = new Map([['Chart.yaml', 'apiVersion: v2\nname: shop\n'], ['templates/shop-0001.yaml', '---\nkind: ConfigMap\n']]);

/** Relative path → content of every file under `dir`. */
function filesIn(dir: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory()) filesIn(path.join(dir, e.name), `${rel}/`).forEach((v, k) => files.set(k, v));
    else files.set(rel, fs.readFileSync(path.join(dir, e.name), 'utf-8'));
  }
  return files;
}

/** Entries of the assembly that are neither CDK output nor a staged asset (scratch, temporary directories). */
function leftovers(outdir: string): string[] {
  return fs.readdirSync(outdir).filter(f => f.startsWith('.') || f.includes('.tmp-'));
}

describe('stagedAsset (the chart directory of a Helm release)', () => {
  test('writes the directory once, where the CDK stages it, and leaves nothing else', () => {
    const outdir = tmpOutdir();
    const app = new App({ outdir });
    const a = stagedAsset(new Stack(app, 'a'), 'Chart', 'helm-chart', FILES);
    // the same content in another stack: the same staged directory
    const b = stagedAsset(new Stack(app, 'b'), 'Chart', 'helm-chart', FILES);
    expect(a.path).toBe(path.join(outdir, a.asset.assetPath));
    expect(a.asset.assetPath).toMatch(/^asset\.[0-9a-f]{64}$/);
    expect(b.path).toBe(a.path);
    expect(filesIn(a.path)).toEqual(FILES);
    expect(a.asset.isZipArchive).toBe(true);
    expect(leftovers(outdir)).toEqual([]);
    app.synth();
    expect(filesIn(a.path)).toEqual(FILES);
  });

  test('a stager stages many charts with one scratch directory (their common empty source), removed by close()', () => {
    const outdir = tmpOutdir();
    const app = new App({ outdir });
    const stack = new Stack(app, 'eks');
    const stager = new DirectoryStager();
    const staged = [1, 2, 3].map(i => stager.stage(stack, `Chart${i}`, new Map([...FILES, ['templates/extra.yaml', `n: ${i}\n`]])));
    expect(new Set(staged.map(s => s.path)).size).toBe(3);
    expect(leftovers(outdir)).toEqual([expect.stringMatching(/^\.cdk-k8s-platform-/)]);
    stager.close();
    expect(leftovers(outdir)).toEqual([]);
    staged.forEach((s, i) => expect(filesIn(s.path).get('templates/extra.yaml')).toBe(`n: ${i + 1}\n`));
  });

  test('with a relative outdir, in a nested stage, the files are in the asset directory the assembly names', () => {
    const outdir = tmpOutdir();
    const app = new App({ outdir: path.relative(process.cwd(), outdir) });
    const stack = new Stack(new Stage(app, 'prod'), 'eks');
    const staged = stagedAsset(stack, 'Chart', 'helm-chart', FILES);
    const assembly = app.synth().getNestedAssembly('assembly-prod');
    expect(staged.path).toBe(path.resolve(assembly.directory, staged.asset.assetPath));
    expect(path.dirname(staged.path)).toBe(outdir);
    expect(filesIn(staged.path)).toEqual(FILES);
    expect(leftovers(outdir)).toEqual([]);
  });

  test('with asset staging disabled (cdk synth --no-staging), the asset is a directory that holds the files', () => {
    const outdir = tmpOutdir();
    const app = new App({ outdir, context: { 'aws:cdk:disable-asset-staging': true } });
    const staged = stagedAsset(new Stack(app, 'eks'), 'Chart', 'helm-chart', FILES);
    expect(path.isAbsolute(staged.asset.assetPath)).toBe(true);
    expect(staged.path).toBe(staged.asset.assetPath);
    expect(filesIn(staged.path)).toEqual(FILES);
    // nothing was written where a staged copy would have gone
    expect(fs.readdirSync(outdir).filter(f => f.startsWith('asset.'))).toEqual([]);
  });

  test('one file of the files: the CDK stages that file (its own fingerprint) and the scratch directory is removed', () => {
    const outdir = tmpOutdir();
    const app = new App({ outdir });
    const staged = stagedAsset(new Stack(app, 'k3s'), 'Manifest', 'manifest', new Map([['shop.yaml', 'kind: ConfigMap\n']]), 'shop.yaml');
    expect(staged.asset.assetPath).toMatch(/^asset\.[0-9a-f]{64}\.yaml$/);
    expect(fs.readFileSync(staged.path, 'utf-8')).toBe('kind: ConfigMap\n');
    expect(leftovers(outdir)).toEqual([]);
  });

  test('files written before their asset: nothing is staged until stage(), and close() removes what was never staged', () => {
    const outdir = tmpOutdir();
    const app = new App({ outdir });
    const stack = new Stack(app, 'eks');
    const stager = new DirectoryStager();
    const kept = stager.write(stack, FILES);
    const dropped = stager.write(stack, new Map([...FILES, ['templates/extra.yaml', 'n: 2\n']]));
    // written under temporary names: the assembly holds no staged asset yet
    expect(fs.readdirSync(outdir).filter(f => f.startsWith('asset.') && !f.includes('.tmp-'))).toEqual([]);
    expect(filesIn(kept.path)).toEqual(FILES);
    const staged = stager.stage(stack, 'Chart', kept);
    expect(staged.path).toBe(path.join(outdir, staged.asset.assetPath));
    expect(filesIn(staged.path)).toEqual(FILES);
    // the same hash as staging the files directly
    expect(staged.asset.assetHash).toBe(stagedAsset(new Stack(app, 'other'), 'Chart', 'helm-chart', FILES).asset.assetHash);
    stager.close();
    expect(fs.existsSync(dropped.path)).toBe(false);
    expect(leftovers(outdir)).toEqual([]);
    expect(fs.readdirSync(outdir).filter(f => f.startsWith('asset.'))).toEqual([path.basename(staged.path)]);
  });

  test('files written again once staged: the staged directory is reused, nothing is written', () => {
    const outdir = tmpOutdir();
    const app = new App({ outdir });
    const stack = new Stack(app, 'eks');
    const stager = new DirectoryStager();
    const first = stager.stage(stack, 'A', FILES);
    const again = stager.write(stack, FILES);
    expect(again.path).toBe(first.path);
    expect(stager.stage(stack, 'B', again).path).toBe(first.path);
    stager.close();
    expect(leftovers(outdir)).toEqual([]);
  });

  test('with asset staging disabled, written files are the asset\'s own directory', () => {
    const outdir = tmpOutdir();
    const app = new App({ outdir, context: { 'aws:cdk:disable-asset-staging': true } });
    const stager = new DirectoryStager();
    const stack = new Stack(app, 'eks');
    const written = stager.write(stack, FILES);
    const staged = stager.stage(stack, 'Chart', written);
    stager.close();
    expect(staged.path).toBe(written.path);
    expect(filesIn(staged.path)).toEqual(FILES);
  });
});
